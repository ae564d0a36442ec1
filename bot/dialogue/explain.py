"""Plain-Chinese explanations of a loan's facts: balances, why it is overdue, penalty, plans."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from bot.clock import cn_date
from bot.dialogue.consent import asks_anything
from bot.ledger.money import yuan
from bot.ledger.rules import GRACE_DAYS, PENALTY_MULTIPLIER, last_grace_day, penalty_rate
from bot.ledger.statement import Statement
from bot.plans.offers import PlanOffer
from bot.promises.rules import MAX_PROMISE_DAYS, remainder
from bot.services.account import WHAT_IF, LoanView

#: What each autodebit failure code means for the borrower, and what to do about it.
FAILURE_CODES: dict[str, tuple[str, str]] = {
    "insufficient_funds": ("余额不足", "请在还款卡里存入足够的钱，或在App里用其他方式主动还款"),
    "card_expired": ("银行卡已过期", "请在App的“还款卡管理”里换绑一张有效的银行卡，再主动还款"),
    "card_frozen": ("银行卡被冻结", "请联系发卡银行解除冻结，或换绑另一张银行卡后主动还款"),
    "no_autodebit": ("未开通自动还款", "请在App里开通自动还款，或每期在还款日前主动还款"),
    "account_closed": ("银行卡已销户", "请换绑一张正在使用的银行卡"),
    "limit_exceeded": ("超过银行卡单日限额", "请调整银行卡限额，或分几次主动还款"),
}


def pct(rate: Decimal) -> str:
    """12.00% for an APR; small daily rates keep their digits (0.075%, never rounded to 0.08%)."""
    value = (rate * 100).normalize()
    return f"{value:.2f}%" if value == value.quantize(Decimal("0.01")) else f"{value:f}%"


def installment_name(view: LoanView, number: int) -> str:
    """第3期 of the loan, or 分期方案第3期 while a plan runs (its installments replaced the loan's)."""
    return f"分期方案第{number}期" if view.active_plan is not None else f"第{number}期"


def balance(view: LoanView) -> str:
    st = view.statement
    if st.settled:
        return f"您的{view.loan.product}借款已经全部结清，没有待还金额。" + CERTIFICATE_HOW
    parts = []
    if view.active_plan is not None:
        p = view.active_plan
        parts.append(f"您有一个正在执行的分期方案（{cn_date(p.accepted_on)}办理，每月{yuan(p.monthly_payment)}元，"
                     f"共{p.term_months}期），以下按分期方案计算。")
    if st.amount_due_now > 0:
        parts.append(f"您目前应还{yuan(st.amount_due_now)}元（本金{yuan(st.principal_due)}元，利息{yuan(st.interest_due)}元，"
                     f"罚息{yuan(st.penalty_due)}元）。")
        if st.days_overdue > 0:
            parts.append(f"最早一期已逾期{st.days_overdue}天" + ("，目前还在3天宽限期内，尽快还清不收罚息。" if st.in_grace else "。"))
            parts += [f"其中{installment_name(view, i.number)}今天到期（{yuan(i.owed(st.as_of))}元），今天之内还上这一期不算逾期。"
                      for i in st.due_today_installments]
    else:
        parts.append("您目前没有到期未还的款项。")
    nxt = st.next_installment
    if nxt is not None:
        parts.append(f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元。")
    parts.append(f"如果想一次性提前结清，需要还{yuan(st.payoff)}元（不收提前还款手续费）。")
    return "".join(parts)


#: 「我到底欠多少 罚息凭什么这么多」: what is owed, asked beside another question
_BALANCE_TOO = re.compile(r"((欠|还|差|要还|应还)(你们)?(多少|几多)|一共多少|总共多少|共欠)(?!钱?的?(罚息|利息|手续费|违约金|天|期))")


def asks_balance_too(text: str) -> bool:
    return bool(text) and _BALANCE_TOO.search(text) is not None


def owed_now(view: LoanView, said: str = "") -> str:
    """The amount due now and the payoff, in a sentence, unless ``said`` already gives them."""
    st = view.statement
    if st.settled:
        return "" if "结清" in said else "您的借款已经全部结清，没有待还金额。"
    parts = []
    if st.amount_due_now > 0 and yuan(st.amount_due_now) not in said:
        parts.append(f"目前到期应还共{yuan(st.amount_due_now)}元")
    if yuan(st.payoff) not in said:
        parts.append(f"一次性结清需要{yuan(st.payoff)}元")
    return "，".join(parts) + "。" if parts else ""


def due_date(view: LoanView) -> str:
    st = view.statement
    if st.settled:
        return "您的借款已经结清，没有后续还款日。"
    text = []
    overdue = st.overdue_installments
    if overdue:
        first = overdue[0]
        text.append(f"{installment_name(view, first.number)}本应在{cn_date(first.due_date)}还款，已逾期{first.days_overdue(st.as_of)}天。")
        for inst in st.due_today_installments:  # L005 on 12-01: installment 7 falls due the day installment 6 is 30 days late
            text.append(f"{installment_name(view, inst.number)}今天（{cn_date(inst.due_date)}）到期，应还{yuan(inst.owed(st.as_of))}元。")
        # compliance rule 10: with a dispute open, collection pauses, and so does urging to pay
        if st.in_grace and not view.dispute_open:
            # found live (B002, the grace period's last day): 「現在還是今天扣嗎」 was told 「建议尽快还上」, not
            # that today was the last day without penalty
            last = last_grace_day(first.due_date)
            when = "今天" if last == st.as_of else f"{cn_date(last)}当天或之前"
            text.append(f"现在还在{GRACE_DAYS}天宽限期内，{when}还清{yuan(st.amount_due_now)}元不收罚息。")
        else:
            text.append(f"目前到期应还共{yuan(st.amount_due_now)}元" + ("。" if view.dispute_open else "，建议尽快还上。"))
    elif st.amount_due_now > 0:
        text.append(f"今天是还款日，应还{yuan(st.amount_due_now)}元，今天之内还上不算逾期。")
    nxt = st.next_installment
    if nxt is not None:
        text.append(f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元。")
    later = [i for i in st.installments if i.due_date > st.as_of]
    if len(later) > 1 and len({i.due_date.day for i in later}) == 1:
        # found live (B003, a 60-month plan just accepted): 「以后每个月几号还」 got only the next date
        text.append(f"以后每月{later[0].due_date.day}日还款，最后一期在{cn_date(later[-1].due_date)}。")
    text.append("自动扣款在还款日当天进行，请在当天扣款前把钱存进还款卡。" if view.loan.autodebit
                else "您还没有开通自动还款，需要在还款日前主动还款。")
    return "".join(text)


#: 「几点前还算按时」, 「晚上12点前还都可以吗」: what time of the due day still counts
_CUTOFF = re.compile(r"几点|截止|截至|[\d零一二两三四五六七八九十]+点(之?前|以前)|当天.{0,3}(算|可以|行)")
DUE_DAY_CUTOFF = f"还款日当天24点前还上都算按时还款；过了当天算逾期，{GRACE_DAYS}天宽限期内还清不收罚息。"


def asks_about_cutoff(text: str) -> bool:
    return bool(text) and _CUTOFF.search(text) is not None


#: 「宽限期是什么意思」, 「宽限期有几天」, 「有没有宽限期」: the grace period asked about, not asked for
_ASKS_GRACE = re.compile(r"宽限期.{0,6}(什么|几天|多久|多长|意思|怎么算|算不算|还算|有吗|吗)|有没有宽限期|有宽限期吗")


def asks_about_grace(text: str) -> bool:
    return bool(text) and _ASKS_GRACE.search(text) is not None


def grace_period(view: LoanView | None) -> str:
    """What the grace period is (ledger.md), and where this borrower stands in it."""
    text = (f"宽限期是还款日之后的{GRACE_DAYS}天：这{GRACE_DAYS}天内把到期的一期还清，不收罚息；超过{GRACE_DAYS}天，"
            "罚息从还款日次日起算。宽限期不改变还款日。")
    st = view.statement if view is not None else None
    if st is not None and st.in_grace:
        text += grace_left(st)
    elif st is not None and st.overdue_installments:
        text += f"您已逾期{st.days_overdue}天，已经过了宽限期，罚息在按天计算。"
    return text


def grace_left(st: Statement) -> str:
    """Where a borrower in the grace days stands: the last day to pay without penalty, and the amount."""
    first = st.overdue_installments[0]
    last = last_grace_day(first.due_date)
    return f"您这一期{cn_date(first.due_date)}到期，现在还在宽限期内，{cn_date(last)}当天或之前还清{yuan(st.amount_due_now)}元就不收罚息。"


#: 「现在换卡来得及吗」, 「今天还赶得上吗」: whether paying now is still in time
_IN_TIME = re.compile(r"来得及|来不来得及|赶得上|赶不赶得上|还赶趟|晚不晚|晚了吗")


def asks_if_in_time(text: str) -> bool:
    return bool(text) and _IN_TIME.search(text) is not None


def in_time(view: LoanView) -> str | None:
    """Whether paying now is in time (found live, B002 on the grace's last day: 「那我现在换卡来得及吗」 got
    the list of ways to pay): in grace, the last day and the amount; due today, by midnight; later, that
    the penalty stops once the overdue principal is paid. None when nothing is due."""
    st = view.statement
    if st.settled or st.amount_due_now <= 0:
        return None
    act = "在App“还款”页面用本人的银行卡（包括新换绑的卡）主动还款，不用等自动扣款。"
    if st.in_grace:
        return "来得及。" + grace_left(st) + act
    if not st.overdue_installments:
        return f"来得及。今天24点前还上{yuan(st.amount_due_now)}元都算按时还款，" + act
    today = "".join(f"{installment_name(view, i.number)}今天到期，今天之内还上这一期不算逾期。" for i in st.due_today_installments)
    return (f"您已逾期{st.days_overdue}天，已经过了宽限期，罚息目前{yuan(st.penalty_due)}元。现在还上{yuan(st.amount_due_now)}元，"
            "罚息就不再增加，越早还越好；" + act + today)


#: 「大概两个月吧」, 「要三个月以后」: how long the borrower needs, said in months, not a plan's term (no 分 / 期)
_A_WAIT_IN_MONTHS = re.compile(r"(\d{1,2}|[两二三四五六七八九十]{1,3})\s?个\s?月")


def says_a_wait_in_months(text: str) -> bool:
    return bool(text) and _A_WAIT_IN_MONTHS.search(text) is not None and "期" not in text and "分" not in text


def wait_too_long(months: int, today: dt.date, terms) -> str:
    """Found live (B003, out of work): after the ways to pay later, 「大概两个月吧」 was read as a 2-month plan
    and told which terms there are. A wait of months is past what can be promised; what can be done."""
    latest = today + dt.timedelta(days=MAX_PROMISE_DAYS)
    return (f"{months}个月后再还超过了能约定的时间：还款日期最晚可以约定到{cn_date(latest)}。这段时间如果确实还不上，"
            f"可以申请个性化分期，把欠款分成每月较少的金额（可选{'、'.join(str(t) for t in terms)}期），"
            "或者转人工，由工作人员和您商量。")


def later_in_grace(st: Statement) -> str:
    """Asked to pay later while in the grace days (found live, B002 on the last one: 「晚几天还行吗」 got
    only the ways to pay later): what waiting past the last grace day costs."""
    return grace_left(st) + "晚于这一天，罚息会从还款日次日起算。"


#: a plain no that tells of hard times: 「我没说不还 就是最近困难」, 「手头紧」
_HARD_TIMES = re.compile(r"困难|难处|手头紧|周转不开|周转不过来")


def tells_of_hard_times(text: str) -> bool:
    return bool(text) and _HARD_TIMES.search(text) is not None


#: 「那我20号卡里没钱怎么办」: short of money when a payment falls due
_SHORT_OF_MONEY = re.compile(r"没钱|钱不够|余额不足|还不上|还不起|凑不齐|凑不够|不够扣")


def says_short_of_money(text: str) -> bool:
    return bool(text) and _SHORT_OF_MONEY.search(text) is not None


def short_on_the_due_day(view: LoanView) -> str | None:
    """Nothing due now, and the borrower fears being short on the next due day (found live, B004:
    「那我20号卡里没钱怎么办」 got the list of ways to pay): what happens then, and what can be done.
    None without a next installment."""
    nxt = view.statement.next_installment
    if nxt is None:
        return None
    last = last_grace_day(nxt.due_date)
    return (f"万一{cn_date(nxt.due_date)}扣款时卡里的钱不够{yuan(nxt.owed(view.statement.as_of))}元，扣款会失败，这一期就算逾期："
            f"{GRACE_DAYS}天宽限期内（{cn_date(last)}当天或之前）还清不收罚息。到时如果还是还不上，可以跟我约定一个还款日期、"
            "看看个性化分期，或者转人工客服。")


def nothing_to_extend(view: LoanView) -> str:
    """Asked to pay later with nothing due: when the next payment falls due, and what can be done
    if it cannot be paid then (a promise needs something due, so not that)."""
    return ("您目前没有到期未还的款项。" + due_date(view)
            + f"还款日本身不能修改；万一当天没扣成功，{GRACE_DAYS}天宽限期内还清这一期不收罚息。"
              "如果到时确实还不上，可以看看个性化分期（遇到失业、疾病等困难可以选更长的期数），"
              "或者转人工客服帮您看看其他办法。")


def overdue_reason(view: LoanView) -> str:
    st = view.statement
    if st.settled:
        return "您的借款已经结清，不存在逾期。"
    overdue = st.overdue_installments
    if not overdue:
        return "您的借款目前没有逾期，按时还款即可。" + (" 今天是还款日，今天之内还上就不算逾期。" if st.amount_due_now > 0 else "")
    lines = []
    for inst in overdue[:3]:
        lines.append(f"{installment_name(view, inst.number)}（应还日{cn_date(inst.due_date)}）未还清，已逾期{inst.days_overdue(st.as_of)}天")
    if len(overdue) > 3:
        lines.append(f"另有{len(overdue) - 3}期也未还清")
    text = "逾期原因：" + "；".join(lines) + "。"
    failed = [a for a in view.loan.attempts if a.result == "failed" and a.attempted_on <= st.as_of
              and a.attempted_on >= overdue[0].due_date]
    if failed:
        by_code: dict[str, list[dt.date]] = {}
        for a in failed:
            by_code.setdefault(a.failure_code or "", []).append(a.attempted_on)
        for code, days in by_code.items():
            label, advice = FAILURE_CODES.get(code, ("扣款未成功", "请联系人工客服核实"))
            when = "、".join(f"{d.month}月{d.day}日" for d in days)
            text += f"{when}的自动扣款没有成功，银行返回“{label}”。{advice}。"
    elif not view.loan.autodebit:
        label, advice = FAILURE_CODES["no_autodebit"]
        text += f"您的借款{label}，到期时没有发生扣款。{advice}。"
    partial = [a for a in st.allocations if a.paid_on >= overdue[0].due_date]
    if partial:
        total = sum((a.amount for a in partial), Decimal("0.00"))
        by_part = {c: sum((a.amount for a in partial if a.component == c), Decimal("0.00")) for c in ("penalty", "interest", "principal")}
        text += (f"您在{partial[0].paid_on.month}月{partial[0].paid_on.day}日还了{yuan(total)}元，按规定先还罚息{yuan(by_part['penalty'])}元、"
                 f"再还利息{yuan(by_part['interest'])}元、最后还本金{yuan(by_part['principal'])}元，所以这一期还剩本金{yuan(overdue[0].principal_left)}元没还清。")
    if st.in_grace:
        text += f"目前还在{GRACE_DAYS}天宽限期内，宽限期内还清不收罚息。"
    for inst in st.due_today_installments:  # found live (B005): 「为什么这个月要还两期」 heard only of the late one
        text += (f"另外{installment_name(view, inst.number)}今天（{cn_date(inst.due_date)}）到期，应还{yuan(inst.owed(st.as_of))}元，"
                 "今天之内还上这一期不算逾期，所以现在要还的包括两期。")
    return text + f"目前到期应还共{yuan(st.amount_due_now)}元。"


def overdue_reason_questioned(view: LoanView) -> str | None:
    """The reason asked again after it was given (「我卡里明明有钱啊」): not the same text once more,
    but what the bank's record says, how to have it checked, and that the arrears still stand.
    None when no autodebit failed (nothing to dispute: the first answer is the answer)."""
    st = view.statement
    overdue = st.overdue_installments
    if not overdue:
        return None
    failed = [a for a in view.loan.attempts if a.result == "failed" and overdue[0].due_date <= a.attempted_on <= st.as_of]
    if not failed:
        return None
    labels = "、".join(dict.fromkeys(FAILURE_CODES.get(a.failure_code or "", ("扣款未成功", ""))[0] for a in failed))
    when = "、".join(f"{a.attempted_on.month}月{a.attempted_on.day}日" for a in failed)
    return (f"我再帮您核对了一遍：{when}的自动扣款，银行返回的都是“{labels}”。如果您确认扣款时卡里的钱是够的"
            "（比如钱是扣款之后才到账，或卡里有资金被冻结、有限额），可以转人工客服，调取扣款记录帮您核实。"
            f"无论原因是什么，这笔目前还没有还上，建议先在App“还款”页面主动还款，避免罚息继续增加。目前到期应还共{yuan(st.amount_due_now)}元。")


def promise_missed(view: LoanView | None, thanked: bool = False) -> str:
    """「上次说好的没还上」, no new date given: no blame, the promise on record (if any), and the ways on.
    ``thanked``: the borrower was just thanked (a hardship recorded), so not again."""
    broken = view.broken_promises if view is not None else ()
    told = (f"我们看到您之前约定在{cn_date(broken[-1].promised_date)}还{yuan(broken[-1].amount)}元，没能还上。"
            if broken else "")
    due = (f"目前到期应还{yuan(view.statement.amount_due_now)}元。"
           if view is not None and view.statement.amount_due_now > 0 else "")
    return (("没关系。" if thanked else "谢谢您主动告诉我，没关系。") + told + due
            + "我们可以重新约定一个您确实能做到的日期和金额；如果一次还不上，也可以看看分期方案，或者转人工和您商量。")


#: 「那剩下的呢」, 「剩余的怎么办」
_REST = re.compile(r"剩下|剩余|其余|余下|剩的")


def asks_about_rest(text: str) -> bool:
    return bool(text) and _REST.search(text) is not None


def rest_beyond_promises(view: LoanView) -> Decimal | None:
    """What is due now beyond the open promises; None when they cover it."""
    promised = sum((Decimal(str(p.amount)) for p in view.open_promises), Decimal("0.00"))
    return remainder(promised, view.statement.amount_due_now)


def promises_cover(view: LoanView) -> str:
    """「剩下的下周五还」 when the open promises already cover what is due: no rest to promise."""
    listed = "、".join(f"{cn_date(p.promised_date)}还{yuan(Decimal(str(p.amount)))}元" for p in view.open_promises)
    return (f"您已经约定了{listed}，已经覆盖目前到期的{yuan(view.statement.amount_due_now)}元，没有剩下需要再约定的了。"
            "按约定还上就好；如果约定的日期有变化，可以直接告诉我新的日期。")


def promise_rest(view: LoanView) -> str | None:
    """What is due now beyond the open promises, and how to settle it: said when a promise for part of
    it is recorded, and to 「那剩下的呢」 (found live: B006 promised half, and the rest was never
    mentioned; asked, the bot said 「还有什么可以帮您？」). None when the promises cover what is due."""
    rest = rest_beyond_promises(view)
    if rest is None:
        return None
    st = view.statement
    running = "（罚息按天计算，逾期本金还清前会继续增加）" if st.overdue_installments and not st.in_grace else ""
    return (f"剩下的{yuan(rest)}元还没有约定还款日期{running}。想好哪天还，随时告诉我，"
            f"比如“15号还{yuan(rest)}元”；一次还不上，也可以看看分期方案。")


#: 「行吧 那你说怎么办」, 「那咋弄」, 「有什么办法」: the borrower asks what they can do now
_WHAT_TO_DO = re.compile(r"怎么办|咋办|怎么弄|咋弄|怎么搞|咋整|怎么处理|有什么办法|有啥办法|你说呢|你看着办|那怎么")


def asks_what_to_do(text: str) -> bool:
    return bool(text) and _WHAT_TO_DO.search(text) is not None


def ways_on(view: LoanView) -> str:
    """What an overdue borrower can do now, in the order a bank would offer it (no pressure, rule 13)."""
    st = view.statement
    return (f"您目前到期应还{yuan(st.amount_due_now)}元。可以这样处理：1）能还上的话，在App“还款”页面主动还款；"
            f"2）暂时还不上，和我约定一个{MAX_PROMISE_DAYS}天内能做到的还款日期；3）一次还不上，可以申请个性化分期；"
            "4）想和工作人员商量，可以转人工。您选一个就好。")


def penalty(view: LoanView) -> str:
    st = view.statement
    daily = view.loan.daily_rate
    rate = penalty_rate(daily)
    head = (f"罚息只按逾期未还的本金计算，不对利息和罚息再计息：罚息 = 逾期本金 × 日利率{pct(daily)} × {PENALTY_MULTIPLIER}（即每天{pct(rate)}）× 逾期天数。"
            f"逾期{GRACE_DAYS}天以内（宽限期）不收罚息，超过后从还款日次日起算。")
    if st.settled or not st.overdue_installments:
        return head + "您目前没有逾期，不产生罚息。"
    if st.in_grace:
        return head + f"您目前逾期{st.days_overdue}天，还在宽限期内，现在还清不收罚息。"
    parts = []
    for inst in st.overdue_installments[:3]:
        for seg in inst.segments:
            parts.append(f"{installment_name(view, inst.number)}：{yuan(seg.principal)}元 × {pct(rate)} × {seg.days}天 = {yuan(seg.amount)}元")
    more = "（其余各期同理）" if len(st.overdue_installments) > 3 else ""
    return head + "您的罚息明细：" + "；".join(parts) + more + f"。目前罚息合计{yuan(st.penalty_due)}元。"


def asks_about_interest(text: str) -> bool:
    """利息 / 利率 without 罚 (罚息 questions get the penalty computation)."""
    return "罚" not in text and ("利息" in text or "利率" in text)


def asks_for_certificate(text: str) -> bool:
    """结清证明 / 结清凭证: the settlement certificate, which the contract files under ask_credit_impact."""
    return "证明" in text or "结清凭证" in text


def loan_interest(view: LoanView) -> str:
    """「利息太高了」 / 「利率多少」 (interest, not 罚息): the contract's rate, then the penalty if any."""
    daily = view.loan.daily_rate
    text = (f"您这笔{view.loan.product}借款的合同日利率是{pct(daily)}，年化利率（单利）{pct(view.apr)}。"
            "利息按每月还剩的本金计算，已经包含在每期应还金额里，没有其他手续费；提前还款不收以后各期的利息。")
    if view.statement.penalty_due > 0:
        text += f"逾期另外产生罚息，目前罚息合计{yuan(view.statement.penalty_due)}元，问“罚息怎么算”我可以列出明细。"
    return text


def early_repayment(view: LoanView) -> str:
    st = view.statement
    if st.settled:
        return "您的借款已经结清了。"
    return f"可以提前还清。今天一次性结清需要{yuan(st.payoff)}元：{_payoff_parts(st)}可以在App“提前还款”里操作。"


def _payoff_parts(st: Statement) -> str:
    """What a payoff is made of (ledger.md: what is due, then the principal not yet due, its interest
    not owed), and that paying early costs no fee."""
    due = f"到期未还的{yuan(st.amount_due_now)}元，加上" if st.amount_due_now > 0 else ""
    return (f"{due}还没到期的本金{yuan(st.principal_not_yet_due)}元。"
            "未到期的利息不用付，也不收提前还款违约金或手续费。")


def payoff_on(view: LoanView, day: dt.date) -> str:
    """Paying the whole loan off on ``day`` (a day to come): what it will take then, to the fen."""
    if day <= view.statement.as_of:
        return early_repayment(view)
    then = view.statement_on(day)
    text = f"好的。如果在{cn_date(day)}一次性结清，需要还{yuan(then.payoff)}元：{_payoff_parts(then)}结清当天在App“提前还款”里操作。"
    between = [i for i in then.due_installments if i.due_date > view.statement.as_of]
    if between:  # an installment falls due before that day: paid on its day, less is left then
        days = "、".join(cn_date(i.due_date) for i in between)
        text += (f"在那之前，{days}到期的那期要按时还（" + ("自动扣款会照常扣" if view.loan.autodebit else "请主动还款")
                 + f"），还上后结清时只需还{yuan(then.principal_not_yet_due)}元。")
    return text


#: 「下个月的能先还吗」, 「下一期能提前还吗」: the next installment, not the whole loan
_NEXT_INSTALLMENT = re.compile(r"下个?月的|下个?月那期|下一期|下期|下个月这期")


def asks_about_next_installment(text: str) -> bool:
    return bool(text) and _NEXT_INSTALLMENT.search(text) is not None


def next_installment_early(view: LoanView) -> str | None:
    """Paying the next installment now (found live, B004: 「下个月的能先还吗」 got the whole payoff): what is
    due first, then that installment's principal, whose interest is then not owed (ledger.md); None if
    there is no next installment."""
    st = view.statement
    nxt = st.next_installment
    if nxt is None:
        return None
    return f"可以先还下一期（{cn_date(nxt.due_date)}那期）。" + partial_prepayment(view, st.amount_due_now + nxt.principal_left)


#: 「怎么操作」 right after the payoff was given
HOW_TO_REPAY_EARLY = ("提前还款在App的“提前还款”页面操作：选择一次性结清，或者输入想还的金额，用您本人名下的银行卡付款即可，"
                      "不收手续费。还款后可以在“借款记录”里看到更新后的应还金额。")


def asks_about_fee(text: str) -> bool:
    """「有违约金吗」, 「要手续费不」: a fee for paying early, when it follows the payoff."""
    return bool(text) and re.search(r"违约金|手续费|违约费", text) is not None


#: 「为啥这么多」, 「怎么这么多」, 「这么贵」: the amount just given questioned
_WHY_SO_MUCH = re.compile(r"(为啥|为什么|怎么|咋)(这么|那么|还要|还有)(多|贵|高)|这么多(钱)?[?？吗]?$")


def asks_why_so_much(text: str) -> bool:
    return bool(text) and _WHY_SO_MUCH.search(text) is not None


def amount_due_why(view: LoanView) -> str | None:
    """「为啥这么多」 about what is due (found live, B005: two installments and 27.88 of penalty got only how the
    penalty is computed): the installments and the penalty that make it up, to the fen; None when nothing is due."""
    st = view.statement
    if st.settled or st.amount_due_now <= 0:
        return None
    parts = []
    for inst in st.due_installments[:4]:
        days = inst.days_overdue(st.as_of)
        when = "今天到期" if days == 0 else f"{cn_date(inst.due_date)}到期，已逾期{days}天"
        parts.append(f"{installment_name(view, inst.number)}（{when}）本金和利息{yuan(inst.principal_left + inst.interest_left)}元")
    if len(st.due_installments) > 4:
        parts.append(f"另外还有{len(st.due_installments) - 4}期")
    text = f"您目前应还{yuan(st.amount_due_now)}元，是这几笔加起来的：" + "；".join(parts)
    if st.penalty_due > 0:
        text += f"；罚息{yuan(st.penalty_due)}元（按逾期本金每天{pct(penalty_rate(view.loan.daily_rate))}计算，问“罚息怎么算”我可以列出明细）"
    return text + "。"


def payoff_why(view: LoanView) -> str:
    """「为啥这么多」 right after the payoff (found live, B004: it got how the penalty is computed): the payoff
    is the principal still owed, to the fen, and what paying early leaves out."""
    st = view.statement
    if st.settled or view.active_plan is not None:
        return early_repayment(view)
    paid = sum((i.principal_paid for i in st.installments), Decimal("0.00"))
    later = [i for i in st.installments if i.due_date > st.as_of]
    interest_saved = sum((i.schedule.interest for i in later), Decimal("0.00"))
    due = f"到期未还的{yuan(st.amount_due_now)}元，加上" if st.amount_due_now > 0 else ""
    return (f"结清金额就是您还没还的钱：借款本金{yuan(view.loan.principal)}元，已经还掉本金{yuan(paid)}元，"
            f"所以今天结清是{due}还没到期的本金{yuan(st.principal_not_yet_due)}元，共{yuan(st.payoff)}元。"
            f"按原计划，以后{len(later)}期还要付利息{yuan(interest_saved)}元，今天结清这些利息都不用付。")


def early_repayment_again(view: LoanView) -> str:
    """The payoff asked again once given (「提前还了利息怎么算」 got the same paragraph): how interest
    works when paying early, in short."""
    st = view.statement
    return (f"提前还款只算到还款当天：到期未还的{yuan(st.amount_due_now)}元要先还上，还没到期的各期只还本金，"
            f"这些期的利息不用付，也不收违约金或手续费。今天一次性结清是{yuan(st.payoff)}元。")


#: 「一个月只能还500」, 「每月最多1000」: an amount per month, a budget for a plan
_PER_MONTH = re.compile(r"每个?月|一个月|月供|按月")


#: 「一个月就挣三千」, 「工资才2000」, 「到手4000」: the amount after these is what the borrower earns
_INCOME_BEFORE = re.compile(r"(挣|赚|收入|工资|月薪|薪水|薪资|到手)(了)?(一个月|每个?月|一月)?"
                            r"(才|就|只有|只|也就|大概|差不多|一共|是)?(有)?$")


def is_income(text: str, start: int | None) -> bool:
    """Whether the amount at ``start`` of ``text`` is what the borrower earns, not what they can pay."""
    if not text or not isinstance(start, int) or start <= 0:
        return False
    return _INCOME_BEFORE.search(text[max(0, start - 8):start].rstrip()) is not None


#: 「以后能不能换成每月15号扣」, 「还款日改到每个月25号」: the day of every month, not one later day
_EVERY_MONTH_DAY = re.compile(r"(以后|每个?月|每次|每期|往后).{0,6}(号|日)|(还款日|扣款日).{0,4}(改|换|调)")


def asks_to_move_due_day(text: str) -> bool:
    return bool(text) and _EVERY_MONTH_DAY.search(text) is not None


#: 「我每月25号发工资 20号扣不到钱怎么办」: wages come after the due day
_PAYDAY_AFTER_DUE = re.compile(r"(发工资|工资|发薪)[^。！？?]{0,12}(扣不到|扣不了|扣不上|不够|没钱|来不及|赶不上)"
                               r"|(扣不到|扣不了|扣不上|不够|没钱|来不及|赶不上)[^。！？?]{0,12}(发工资|工资|发薪)")


def wages_after_due_day(text: str) -> bool:
    return bool(text) and _PAYDAY_AFTER_DUE.search(text) is not None


#: what the grace days leave a borrower whose wages come after the due day
GRACE_AFTER_DUE_DAY = f"还款日后{GRACE_DAYS}天宽限期内还清这一期不收罚息。"
#: why the day of the month stays (asked right after it was said, bot/dialogue/follow_up.py)
DUE_DAY_WHY = ("还款日是借款合同约定的，每一期的利息都按这个日期计算，系统里没有单独修改还款日的办法。"
               "如果工资在还款日之后才到账，可以提前把钱存进还款卡；万一扣款没成功，" + GRACE_AFTER_DUE_DAY
               + "如果每个月都周转困难，可以申请个性化分期，或者转人工和您商量。")


def due_day_fixed(view: LoanView) -> str:
    """Found live (B001, a promise for 12-05 just recorded): 「以后能不能换成每月15号扣 我15号发工资」 was made
    a second promise of the same 2794.19 for 12-15. The day of the month stays; what can be done instead."""
    st = view.statement
    nxt = st.next_installment
    text = "还款日本身不能修改" + (f"，每期都在每月{nxt.due_date.day}日。" if nxt is not None else "。")
    text += ("如果工资在还款日之后才到账，" + ("可以提前把钱存进还款卡；万一扣款没成功，" if view.loan.autodebit
                                          else "可以提前把钱准备好，还款日当天主动还款；") + GRACE_AFTER_DUE_DAY)
    promises = view.open_promises
    if promises:
        last = promises[-1]
        text += f"您已经约定在{cn_date(last.promised_date)}前还{yuan(Decimal(str(last.amount)))}元，按约定还上就好。"
    elif st.amount_due_now > 0:
        text += f"这个月如果需要晚几天，可以和我约定一个{MAX_PROMISE_DAYS}天内的还款日期。"
    return text + "如果每个月都周转困难，可以申请个性化分期，或者转人工和您商量。"


def per_month(text: str) -> bool:
    return bool(text) and _PER_MONTH.search(text) is not None


def partial_prepayment(view: LoanView, amount: Decimal) -> str:
    """What paying ``amount`` today would do, to the fen: what is due is paid first, the rest goes
    to the principal of the next installments (ledger.md allocation; an installment whose principal
    is paid early owes no interest)."""
    st = view.statement
    if st.settled:
        return "您的借款已经结清了。"
    if amount >= st.payoff:
        return f"今天还{yuan(st.payoff)}元就可以全部结清，不需要还{yuan(amount)}元。" + early_repayment(view)
    after = view.if_paid_today(amount)
    parts = [f"如果今天还{yuan(amount)}元："]
    if st.amount_due_now > 0:
        if amount <= st.amount_due_now:
            parts.append(f"这笔钱会用来还到期未还的{yuan(st.amount_due_now)}元中的一部分，还后仍有{yuan(after.amount_due_now)}元到期未还。")
        else:
            parts.append(f"先还清到期未还的{yuan(st.amount_due_now)}元，")
    early: dict[int, Decimal] = {}
    for a in after.allocations:
        if a.reference == WHAT_IF and a.component == "principal" and a.paid_on == st.as_of:
            early[a.installment] = early.get(a.installment, Decimal("0.00")) + a.amount
    by_number = {i.number: i for i in after.installments}
    lines = []
    for number, paid in sorted(early.items()):
        inst = by_number[number]
        if inst.due_date <= st.as_of:
            continue
        name = f"{installment_name(view, number)}（{cn_date(inst.due_date)}）"
        if inst.principal_left == 0:
            lines.append(f"{name}的本金{yuan(paid)}元全部还清，这期的利息{yuan(inst.schedule.interest)}元不用再付")
        else:
            lines.append(f"{name}的本金先还{yuan(paid)}元")
    if lines:
        parts.append(f"{'其余' if st.amount_due_now > 0 else ''}{yuan(amount - st.amount_due_now)}元提前冲抵以后的本金："
                     + "；".join(lines) + "。")
    nxt = after.next_installment
    if nxt is not None:
        parts.append(f"之后下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元；")
    parts.append(f"一次性结清还需{yuan(after.payoff)}元。提前还款不收手续费，可以在App“提前还款”里操作。")
    return "".join(parts)


#: how long a credit report keeps a bad record after the debt is settled (征信业管理条例 Art. 16: 5 years)
CREDIT_RECORD_YEARS = 5


def _record_so_far(view: LoanView) -> str:
    """「我以前有没有逾期过」 (found live, B008): the loan's own record, from its payments."""
    if view.active_plan is not None:
        return ""
    late = view.statement.paid_late
    if not late:
        return "您这笔借款到目前为止每一期都按时还上（或在宽限期内还清），没有逾期记录。"
    return f"您这笔借款有{len(late)}期是过了宽限期才还清的（{'、'.join(f'第{n}期' for n in late[:6])}），可能已被报送为逾期。"


def credit_impact(view: LoanView | None) -> str:
    base = ("按规定，借款的还款情况会报送中国人民银行征信中心。按时还款会留下良好记录；逾期记录可能会被报送，"
            f"结清后不良记录会从结清之日起保留{CREDIT_RECORD_YEARS}年后删除。结清后可以在App里申请结清证明。")
    if view is None:
        return base + "验证身份后，我可以告诉您自己账户的具体情况。"
    st = view.statement
    if st.settled:
        return base + _record_so_far(view) + "您的借款已经结清，可以申请结清证明。"
    if st.days_overdue == 0:
        return base + _record_so_far(view) + "您目前没有逾期，按时还款即可保持良好记录。"
    if view.dispute_open:  # compliance rule 10: collection pauses while a dispute is checked
        return base + "您对这笔借款的异议正在核实中，核实结果出来后，工作人员会告诉您对征信记录的处理。"
    if st.in_grace:
        return base + f"您目前逾期{st.days_overdue}天，还在宽限期内，尽快还清可以避免影响。"
    return base + f"您目前已逾期{st.days_overdue}天，尽快还款或办理分期可以减少对征信的影响。"


#: 「怎么查我的征信报告」, 「去哪打印征信」: where a credit report is had
_CHECK_CREDIT = re.compile(r"(查|看|打|调|拉|下载).{0,4}征信|征信报告|征信(怎么|在哪|哪里|去哪)(查|看|打)")


def asks_how_to_check_credit(text: str) -> bool:
    return bool(text) and _CHECK_CREDIT.search(text) is not None


#: where a personal credit report is had (the PBOC credit reference centre serves it, online or at its branches)
CREDIT_REPORT_HOW = "个人征信报告可以在中国人民银行征信中心的官方网站，或带身份证到当地人民银行分支机构查询。"


#: 「你们几点上班」, 「人工几点下班」: the hours people answer here
_HOURS = re.compile(r"几点(上班|下班|开门|关门)|(上班|工作|营业|服务|人工)时间|人工.{0,4}几点|几点.{0,4}人工")


def asks_about_hours(text: str) -> bool:
    return bool(text) and _HOURS.search(text) is not None


#: 「我换了手机号」, 「手机号换了要跟你们说吗」, 「预留手机号改一下」: the phone number on record
_PHONE_CHANGED = re.compile(r"(换|改|变更|修改|更换)(了)?(个)?(新)?(的)?(预留)?(手机号|手机号码|电话号码|号码)"
                            r"|(手机号|手机号码|电话号码|预留手机)\S{0,3}(换|改|变|停用|不用)")

#: found live: 「对了 我换了手机号 要跟你们说吗」 (then read as distress); the change itself is not the bot's
PHONE_CHANGE = ("换了手机号不影响还款，借款和还款卡都不变。修改预留手机号不在我这里办理，可以转人工客服帮您更新，"
                "以免错过还款提醒；在我这里验证身份时，也可以用出生日期代替手机尾号。")


def says_phone_changed(text: str) -> bool:
    return bool(text) and _PHONE_CHANGED.search(text) is not None


def service_hours_answer(start: int, end: int) -> str:
    return (f"人工客服的服务时间是每天{start}:00-{end}:00。我是自动还款助手，全天都可以回复您：查询应还金额和还款日、"
            "解释逾期和罚息、办理分期或约定还款时间。")


#: how a settlement certificate is had, and how long it takes (said wherever it comes up)
CERTIFICATE_HOW = "结清证明在App“借款记录”里申请开具，一般1-3个工作日可以下载，不收费用。"


def settlement_certificate(view: LoanView | None) -> str:
    how = CERTIFICATE_HOW
    if view is None:
        return "借款全部还清后可以开具结清证明：" + how + "验证身份后，我可以告诉您自己的借款是否已经结清。"
    if view.statement.settled:
        return f"您的{view.loan.product}借款已经结清，可以申请结清证明：" + how
    return (f"结清证明要在借款全部还清后才能开具。您今天一次性结清需要{yuan(view.statement.payoff)}元"
            "（不收提前还款手续费），还清后" + how)


def consequences(view: LoanView | None) -> str:
    text = ("如实告诉您：逾期会按合同产生罚息，逾期记录可能报送人民银行征信中心，影响以后办理贷款和信用卡；"
            "长期不还，银行可能依法通过民事诉讼追偿。我们不会联系您的家人或单位，也不会上门骚扰。")
    if view is not None and view.dispute_open:  # compliance rule 10: collection on the loan pauses
        text += "您对这笔借款的异议正在核实中，核实期间这笔借款的催收暂停。"
    elif view is not None and view.statement.days_overdue > GRACE_DAYS:
        text += f"您目前逾期{view.statement.days_overdue}天，如果一次还不上，可以申请分期或约定一个还款日期。"
    elif view is not None and view.statement.days_overdue > 0:  # the ledger's grace: paid in full, no penalty
        text += (f"您目前逾期{view.statement.days_overdue}天，还在{GRACE_DAYS}天的宽限期内：宽限期内还清这一期，"
                 "不收罚息。")
    return text


#: 「那核实要多久」, 「核实期间还会催我吗」: the check of an open dispute, or collection meanwhile
_ABOUT_DISPUTE = re.compile(r"核实|异议|审核|进度|调查|查清|催")
#: 「我有转账记录」 after a dispute (found live: read as a payment claim, told 「账户状态正常」): proof offered
_DISPUTE_PROOF = re.compile(r"转账记录|还款记录|凭证|截图|证据|回单|流水|收据|材料")


def asks_about_dispute(text: str) -> bool:
    return bool(text) and (_ABOUT_DISPUTE.search(text) is not None or _DISPUTE_PROOF.search(text) is not None)


def dispute_status(days: int, text: str = "") -> str:
    """Where an open dispute stands (compliance rule 10): paused, checked by a person, and when; with proof
    offered, how to give it."""
    if text and _DISPUTE_PROOF.search(text):
        return ("好的，请保留好这些材料（转账记录截图、银行回单等）。工作人员核实时会联系您，您可以交给他们；也可以转人工，"
                f"现在就把材料交给工作人员。核实期间这笔借款的催收暂停，工作人员会在{days}个工作日内联系您。")
    return (f"您对这笔借款的异议正在核实中。核实期间这笔借款的催收暂停，不会给您发催收提醒。工作人员会在{days}个工作日内"
            "核实并联系您；您也可以补充能说明情况的材料，或转人工询问进度。")


#: 「会不会找我家里人」, 「会联系我单位吗」 / 「你们上门吗」, 「会不会来家里」: one of the consequences asked about
_ABOUT_FAMILY = re.compile(r"家里人|家人|父母|爸妈|老婆|老公|孩子|单位|公司|领导|同事|朋友|通讯录|紧急联系人")
_ABOUT_VISITS = re.compile(r"上门|家访|到家|来家里|找到家|找上门|堵")


def consequence_asked(text: str) -> str | None:
    """The answer to one consequence asked about (found live: 「会不会找我家里人」 and 「你们上门吗」 each
    got the whole paragraph again), or None for the whole question."""
    if not text:
        return None
    if _ABOUT_FAMILY.search(text):
        return "不会。我们不会联系您的家人、同事或单位，也不会向他们透露您的借款信息。"
    if _ABOUT_VISITS.search(text):
        return "不会上门。我们不会到您家里或单位催收，只和您本人沟通。"
    return None


_GENERALLY = re.compile(r"怎么样|怎样|后果|会怎么|咋样|咋办|怎么办")


def asks_consequences_generally(text: str) -> bool:
    return bool(text) and _GENERALLY.search(text) is not None


def refusal(view: LoanView | None) -> str:
    """A refusal to pay: no pressure, the lawful facts (compliance rule 5), and the ways out."""
    return ("理解您现在可能有难处，或者对这笔借款有意见。" + consequences(view)
            + "如果是对借款本身有异议，可以告诉我，我会为您登记核实；也可以转人工客服和您商量。")


#: 「可以用我妈的卡还吗」, 「老公帮我还行不行」: paying from someone else's card or account
_OTHERS_ACCOUNT = re.compile(
    r"(别人|他人|其他人|家人|家里人|朋友|亲戚|同事|老公|老婆|丈夫|妻子|爸|妈|父母|儿子|女儿|哥|姐|弟|妹|对象)"
    r"(的|名下的?)?(银行卡|卡|账户|帐户|账号|支付宝|微信|信用卡)"
    r"|(别人|他人|家人|家里人|朋友|亲戚|老公|老婆|爸|妈|父母|儿子|女儿|哥|姐|弟|妹|对象)(能|可以|来)?(帮|替|代)我?还"
    r"|代还|代付")


def asks_about_others_account(text: str) -> bool:
    return bool(text) and _OTHERS_ACCOUNT.search(text) is not None


#: how long a payment takes to show (said wherever it comes up)
TRANSFER_DELAY = "跨行转账有时需要1-2个工作日到账"
POSTING = ("还款成功后，可以在App的“借款记录”里看到这笔还款和更新后的应还金额；" + TRANSFER_DELAY
           + "。如果钱已经从卡里扣走，但App里还没有显示，请保留银行的扣款记录，告诉我“我已经还了”，我帮您查；也可以转人工核实。")


#: 「还完了会有短信吗」, 「还款后多久到账」: how the borrower will know a payment went through
_PAID_THEN = re.compile(r"(还完|还了|还款后|还款之后|还款成功|还上|还进去)[^，。？?]{0,8}(短信|通知|提醒|到账|显示|知道|查)")


def asks_how_to_know_it_went_through(text: str) -> bool:
    return bool(text) and _PAID_THEN.search(text) is not None


#: 「用支付宝可以还吗」, 「微信能还不」: a wallet or payment app named as the way to pay
_WALLET = re.compile(r"支付宝|微信|云闪付|余额宝|零钱通|财付通|京东|美团|数字人民币|alipay|wechat", re.I)


def asks_about_wallet(text: str) -> bool:
    return bool(text) and _WALLET.search(text) is not None


#: 「那你们再扣一次呗」, 「现在卡里有钱了 重新扣一下」: the borrower asks the bank to debit again now
_DEBIT_AGAIN = re.compile(r"(再|重新|重)(扣|划|发起扣款|发起一次扣款)|补扣")
#: 「第二天还会再扣吗」, 「下次不会再扣了吧」: asks what the bank will do, not for a debit now
_WILL_IT = re.compile(r"(还会|会不会|不会|会)(再|重新)(扣|划)")


def asks_to_debit_again(text: str) -> bool:
    return bool(text) and _DEBIT_AGAIN.search(text) is not None and _WILL_IT.search(text) is None


def debit_again(view: LoanView | None) -> str:
    """The bot starts no debit (the ledger has no retry rule to promise either); paying in the App
    does it now."""
    text = "我这边没法为您发起扣款。"
    if view is not None and view.statement.amount_due_now > 0:
        text += f"卡里现在有钱的话，请在App“还款”页面主动还款{yuan(view.statement.amount_due_now)}元，马上就能还上，不用等自动扣款。"
        if view.statement.overdue_installments and not view.statement.in_grace:
            text += "逾期本金还清后，罚息就不再增加。"
    else:
        text += "卡里现在有钱的话，可以在App“还款”页面主动还款，马上就能还上。"
    return text + _own_situation_card(view)


def how_to_pay(view: LoanView | None, text: str = "") -> str:
    return specific_way_to_pay(view, text) or _ways_to_pay(view)


#: 「那剩下的387怎么还」, 「这笔在哪还」: how (or where) to pay is asked, not said when
_ASKS_HOW = re.compile(r"(怎么|怎样|如何|咋)(还|付|转|交|操作|弄)|(在哪|哪里|哪儿)(还|付|转|交|操作)")
_PAY_VERB = re.compile(r"还|付|转|交|存")


def asks_how(text: str) -> bool:
    return bool(text) and _ASKS_HOW.search(text) is not None




def says_when_paying(text: str) -> bool:
    """「行 那我明天用我自己另一张卡还」: a statement of paying (a day is given with it), not a question."""
    return (bool(text) and _PAY_VERB.search(text) is not None and not asks_anything(text)
            and _MAY_I.search(text) is None)


#: 「能不能先还一部分」, 「只还一点行不行」: paying part of what is due, not a plan (「分几次还」 asks for one)
#: 「能不能先还个利息」 (found live: handed off as a fee waiver) is paying a part too
_PAY_PART = re.compile(r"(先|只)?还(一)?部分|部分还款?|(先|只)还一点|还一些|(先|只)还(个|点|一下)?利息")


_MAY_I = re.compile(r"能不能|可不可以|行不行|能否|可否|允许")


def asks_to_pay_part(text: str) -> bool:
    """A question (「…行吗」, 「能不能…」); 「我先还一部分吧」 says it, and is heard as said."""
    return bool(text) and _PAY_PART.search(text) is not None and (asks_yes_no(text) or _MAY_I.search(text) is not None)


def paying_part(view: LoanView | None) -> str:
    """Found live (B001, 21 days late): 「能不能先还一部分」 got the list of ways to pay. Yes, and where a
    part goes (ledger.md: oldest installment first; penalty, then interest, then principal), and that
    what stays unpaid keeps its penalty running."""
    head = "可以先还一部分，在App“还款”页面输入想还的金额就行。"
    rule = "还的钱先冲抵最早一期的罚息，再冲抵利息，最后是本金；没还上的逾期本金会继续按天计罚息。"
    if view is None:
        return head + rule + "验证身份后，我可以告诉您具体的金额。"
    st = view.statement
    if st.settled:
        return "您的借款已经结清了，不需要再还款。"
    if st.amount_due_now == 0:
        return ("您现在没有到期未还的款项。也可以提前还一部分，" + HOW_TO_REPAY_EARLY
                + "告诉我想还多少，我可以算给您听这笔钱会怎么冲抵。")
    if view.dispute_open:  # compliance rule 10: nothing urges to pay while it is checked
        return head + rule
    parts = []
    if st.penalty_due > 0:
        parts.append(f"罚息{yuan(st.penalty_due)}元")
    if st.interest_due > 0:
        parts.append(f"利息{yuan(st.interest_due)}元")
    order = f"您到期未还的{yuan(st.amount_due_now)}元里，" + ("、".join(parts) + "会先被冲抵，然后才是" if parts else "都是") \
        + f"本金{yuan(st.principal_due)}元。"
    return (head + rule + order + "您打算先还多少、哪天还？告诉我，我帮您记下来"
            + ("；如果每月都周转困难，也可以问我分期的方案。" if not st.in_grace else "。"))


#: 「自动还款在哪开」, 「怎么设置自动扣款」, 「代扣怎么开通」: where autodebit is switched on
_AUTODEBIT = r"(自动还款|自动扣款|自动扣|代扣)"
_AUTODEBIT_SETUP = re.compile(_AUTODEBIT + r"\S{0,4}?(在哪|哪里|怎么|如何|咋)\S{0,2}?(开|设置|弄|办|绑)"
                              r"|(在哪|哪里|怎么|如何|咋)\S{0,2}?(开通|设置|开|弄|办)\S{0,2}?" + _AUTODEBIT
                              # found live (B005): 「我想开通自动还款」 got the list of ways to pay
                              + r"|(想|要|帮我|给我|申请)(开通|开启|开|设置|办)(一下|个)?" + _AUTODEBIT)


def asks_how_to_set_up_autodebit(text: str) -> bool:
    return bool(text) and _AUTODEBIT_SETUP.search(text) is not None


def autodebit_setup(view: LoanView | None) -> str:
    """Found live (B005, no autodebit): 「我没开自动还款？在哪开」 got 「可以，今天就能…主动还款」."""
    text = ("自动还款在App“还款卡管理”里开通：绑定您本人名下的银行卡，打开“自动还款”即可。开通后每期还款日当天从这张卡扣款，"
            "请在还款日前存够钱。")
    if view is None or view.statement.settled:
        return text
    st = view.statement
    text += "您目前已经开通了。" if view.loan.autodebit else "您目前还没有开通，所以不会自动扣款。"
    if st.amount_due_now > 0 and not view.dispute_open:  # what is late is not debited on its own
        text += f"已到期的{yuan(st.amount_due_now)}元不会等自动扣款，请现在就在App“还款”页面主动还款。"
    return text


def specific_way_to_pay(view: LoanView | None, text: str) -> str | None:
    """The answer to a particular how-to-pay question (a debit again, a wallet, how a payment is seen,
    someone else's card, paying part), or None when the message asks how to pay in general."""
    if asks_to_pay_part(text):
        return paying_part(view)
    if asks_how_to_set_up_autodebit(text):
        return autodebit_setup(view)
    if (view is not None and not view.loan.autodebit and not view.statement.settled
            and re.search(_AUTODEBIT, text or "") and not says_card_is_set(text)):
        # found live (B005, no autodebit): 「今天那期能自动扣吗」 got 「可以，今天就能…主动还款」
        return autodebit_setup(view)
    if says_phone_changed(text):
        return PHONE_CHANGE
    if asks_to_debit_again(text):
        # found live (B001): 「那你们再扣一次呗」 was read as a complaint and a ticket was opened
        return debit_again(view)
    if asks_about_wallet(text) and not asks_about_others_account(text):
        # found live (B007): 「用支付宝可以还吗」 was answered 「可以，今天就能在App…选您本人的银行卡」
        answer = ("这笔借款要在App“还款”页面用您本人名下的银行卡还，不能直接用支付宝、微信等支付账户还。"
                  "钱在这些账户里的，可以先提现或转到您本人的银行卡上，再在App里主动还款。为了安全，请不要把钱转给任何个人账户。")
        return answer + own_situation(view)
    if asks_how_to_know_it_went_through(text):
        # found live: 「还完了会有短信吗」 was read as ask_consequences and got the consequences of not paying
        return POSTING
    if asks_about_others_account(text):
        # intents.md's own example, 「能用别人的卡还吗」: the answer first, not the list it hides in
        answer = ("还款要用您本人名下的银行卡，家人或朋友的卡不能直接用来还。可以请他们先把钱转到您本人的卡上，"
                  "再由您在App“还款”页面主动还款。为了安全，请不要把钱转给任何个人账户。")
        return answer + own_situation(view)
    return None


def _ways_to_pay(view: LoanView | None) -> str:
    text = ("还款方式：1）在App“还款”页面主动还款，可以选已绑定的银行卡；2）在“还款卡管理”里更换扣款卡；"
            "3）开通自动还款后，还款日当天自动扣款；4）也可以用本人名下其他银行卡还款。为了安全，请不要转账给任何个人账户。")
    if view is not None and not view.loan.autodebit:
        text += "您目前还没有开通自动还款，建议开通，避免忘记。"
    return text + own_situation(view)


#: 「换好了」, 「新卡绑好了」, 「自动还款开通好了」: the borrower says the card or autodebit is seen to
_CARD_SET = re.compile(r"(换|绑|绑定|改|设置|开通|弄|搞)(好|完|上)(了|啦)|(换绑|绑定|绑卡|换卡)(成功|好)|搞定了"
                       r"|重新绑定了|(把卡|新卡)(换|绑)了|(换|绑)了(张|一张)?新卡")


def says_card_is_set(text: str) -> bool:
    """A statement, not a question: 「绑好了 现在能自动扣吗」 asks, and is answered as asked."""
    return bool(text) and _CARD_SET.search(text) is not None and not asks_yes_no(text)


def how_to_pay_again(view: LoanView, text: str = "") -> str:
    """how_to_pay asked again once the ways were given (found live, B002: 「绑好了 现在能自动扣吗」 and
    「那我今天主动还可以吗」 each got the same long paragraph): the short personal answer. Told the card
    is seen to (found live, B002: 「换好了」 was read as distress), what to do now, not 「可以」."""
    st = view.statement
    parts = []
    if st.amount_due_now > 0:
        parts.append(f"好的。已到期的{yuan(st.amount_due_now)}元不会等到下个还款日，请现在就在App“还款”页面"
                     "选新卡主动还款。" if says_card_is_set(text) else
                     f"可以，今天就能在App“还款”页面选您本人的银行卡（包括新换绑的卡）主动还款，还{yuan(st.amount_due_now)}元。")
        if st.in_grace:
            parts.append(f"现在还在{GRACE_DAYS}天宽限期内，宽限期内还清不收罚息。")
        elif st.overdue_installments:
            parts.append("逾期本金还清后，罚息就不再增加。")
    else:
        parts.append("您目前没有到期未还的款项。")
    nxt = st.next_installment
    if nxt is not None:
        when = f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元"
        parts.append(f"{when}，自动扣款会在那天从扣款卡扣，请保证卡里余额充足。" if view.loan.autodebit
                     else f"{when}，您没有开通自动还款，请在那天之前主动还款。")
    return "".join(parts)


_YES_NO_QUESTION = re.compile(r"(吗|么|嘛|不|没)\s*[?？]?\s*$|[?？]\s*$")


def asks_yes_no(text: str) -> bool:
    """「…就行了吗」, 「…够不够？」: a question asking yes or no."""
    return bool(text) and _YES_NO_QUESTION.search(text.strip()) is not None


def enough_today(view: LoanView, amount: Decimal) -> str:
    """Whether paying ``amount`` today clears what is due (to the fen), and what comes next."""
    st = view.statement
    if amount >= st.amount_due_now:
        text = f"够了：今天还{yuan(st.amount_due_now)}元，到期未还的部分就全部还清了，不再逾期。"
        nxt = view.if_paid_today(amount).next_installment
        if nxt is not None:
            text += f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元。"
        return text
    rest = st.amount_due_now - amount
    return f"今天还{yuan(amount)}元后，还有{yuan(rest)}元到期未还，要还清到期的部分，今天需要还{yuan(st.amount_due_now)}元。"


def _own_situation_card(view: LoanView | None) -> str:
    """The card to see to, when the last autodebit failed because of it (「卡过期了怎么办」)."""
    card = _card_problem(view)
    if card is None:
        return ""
    day, label, advice = card
    return f"您最近一次自动扣款（{day.month}月{day.day}日）因“{label}”没有成功，{advice}。"


def own_situation(view: LoanView | None) -> str:
    """What this borrower's card or arrears add to how to pay: the card to see to, and not to wait."""
    text = _own_situation_card(view)
    overdue = view.statement.overdue_installments if view is not None and not view.dispute_open else []
    if overdue and view.loan.autodebit:  # (with a dispute open, nothing urges to pay: compliance rule 10)
        # 「那我现在转进去 会自动扣吗」 (B001, 21 days late): what is late should not wait for an autodebit
        # the bank schedules on due dates; paying it now is what stops the penalty
        st = view.statement
        if st.in_grace:  # ledger.md: paid in full within the grace days, no penalty
            text += (f"您有{yuan(st.amount_due_now)}元已到期未还，现在还在{GRACE_DAYS}天宽限期内：建议不要等自动扣款，"
                     "尽快在App“还款”页面主动还款，宽限期内还清不收罚息。")
        else:  # penalty runs on the overdue principal, day by day, until it is paid
            text += (f"您有{yuan(st.amount_due_now)}元已逾期，罚息按天计算：建议不要等自动扣款，"
                     "尽快在App“还款”页面主动还款，逾期本金还清后罚息就不再增加。")
    return text


#: failures the card itself causes: paying needs the card seen to first (insufficient funds does not)
CARD_FAILURES = ("card_expired", "card_frozen", "account_closed", "limit_exceeded")


def _card_problem(view: LoanView | None) -> tuple[dt.date, str, str] | None:
    """The latest autodebit attempt, when it failed because of the card: (day, label, advice)."""
    if view is None:
        return None
    attempts = sorted((a for a in view.loan.attempts if a.attempted_on <= view.statement.as_of),
                      key=lambda a: a.attempted_on)
    if not attempts or attempts[-1].result != "failed" or attempts[-1].failure_code not in CARD_FAILURES:
        return None
    label, advice = FAILURE_CODES[attempts[-1].failure_code]
    return attempts[-1].attempted_on, label, advice


def due_grows(now: Statement, later: Statement) -> str | None:
    """What more will be due by a promised date than today, and why (an installment falling due in
    between, penalty running on), or None when nothing grows. 「下周三还」 reads back today's amount
    (ledger.md: 全部 = amount due now); the borrower should know it will not clear the arrears then."""
    grown = later.amount_due_now - now.amount_due_now
    if grown <= 0:
        return None
    why = [f"{cn_date(i.due_date)}到期的第{i.number}期{yuan(i.principal_left + i.interest_left)}元"
           for i in later.due_installments if i.due_date > now.as_of]
    penalty = later.penalty_due - now.penalty_due
    if penalty > 0:
        why.append(f"罚息增加{yuan(penalty)}元")
    return (f"提醒您：到{cn_date(later.as_of)}，到期应还会是{yuan(later.amount_due_now)}元，比今天多{yuan(grown)}元"
            f"（{'，'.join(why)}）。")


#: 「今天还了是不是就不算逾期了」, 「还了以后会不会…」, 「要是还了…吗」: what paying would do, not a claim
_IF_PAID = re.compile(r"(要是|如果|假如|假设)|还(了|清|上)(以后|之后|后)?.{0,6}(是不是|会不会|能不能|就不|还会|就能|就可以)")


def asks_if_paid(text: str) -> bool:
    return bool(text) and _IF_PAID.search(text) is not None


def if_paid_today(view: LoanView) -> str:
    """What paying today would do (ledger.md: penalty only on overdue principal; the credit rules as
    in ``credit_impact``)."""
    st = view.statement
    text = f"如果今天还清到期的{yuan(st.amount_due_now)}元，这笔借款就不再逾期"
    text += "，罚息也不再增加。" if st.overdue_installments and not st.in_grace else "。"
    if st.overdue_installments and not st.in_grace:
        text += f"已经发生的逾期记录不会因为还清而消失（按规定结清后保留{CREDIT_RECORD_YEARS}年），但尽快还上可以减少影响。"
    nxt = st.next_installment
    if nxt is not None:
        text += f"之后按时还下一期即可（{cn_date(nxt.due_date)}，{yuan(nxt.owed(st.as_of))}元）。"
    return text


def payment_check(view: LoanView, days: int = 7) -> str:
    """What the ledger shows after a borrower says they already paid."""
    st = view.statement
    recent = [p for p in view.loan.payments if 0 <= (st.as_of - p.paid_on).days <= days]
    if recent:
        paid = "、".join(f"{p.paid_on.month}月{p.paid_on.day}日{yuan(p.amount)}元" for p in recent)
        text = f"查到您最近的还款：{paid}，已经入账。"
        if st.settled:
            return text + "您的借款已全部结清。"
        if st.amount_due_now > 0:
            return text + (f"还款按先罚息、再利息、最后本金的顺序冲抵，冲抵后仍有{yuan(st.amount_due_now)}元到期未还"
                           f"（其中本金{yuan(st.principal_due)}元），所以还显示逾期。还清这部分就不再逾期。")
        return text + "目前没有到期未还的款项，不再显示逾期。"
    if st.settled:  # found live (B008, settled 10-20): 「我的贷款还清了吧」 got only 「账户状态正常」
        return balance(view)
    if st.amount_due_now == 0:
        return "查到您目前没有到期未还的款项，账户状态正常。"
    return (f"系统暂时没有查到您最近{days}天的还款入账。{TRANSFER_DELAY}；如果已经扣款成功，"
            f"请保留转账凭证，我可以为您转人工核实。目前显示到期应还{yuan(st.amount_due_now)}元。")


#: asked for a plan, or to change or cancel one, while a plan runs
PLAN_CHANGE_BY_A_PERSON = "同一笔借款不能再办理新的分期方案；如果需要调整或取消现有方案，请转人工客服，由工作人员和您商量。"


def plan_active_again(view: LoanView) -> str:
    """A new plan asked for again while one runs (found live, B003: 「48期」, 「还是36期吧」 each got the same
    paragraph of figures): the plan in a line, and who can change it."""
    p = view.active_plan
    return f"您已经有一个{p.term_months}期的分期方案（每月{yuan(p.monthly_payment)}元）在执行。" + PLAN_CHANGE_BY_A_PERSON


def plan_disclosure(offer: PlanOffer) -> str:
    return (f"{offer.term_months}期方案：分期金额{yuan(offer.amount)}元，每月还{yuan(offer.monthly_payment)}元，"
            f"首期还款日{cn_date(offer.first_payment_date)}，年化利率（单利）{pct(offer.apr)}，"
            f"总利息{yuan(offer.total_interest)}元，总还款额{yuan(offer.total_repayment)}元，没有其他任何费用。")


def plan_interest(offer: PlanOffer, contract_apr: Decimal) -> str:
    """「这个利息怎么这么高」 asked about a plan just shown: its interest, not the penalty."""
    lower = f"，比原借款的{pct(contract_apr)}低" if offer.apr < contract_apr else ""
    return (f"这个{offer.term_months}期方案的年化利率（单利）是{pct(offer.apr)}{lower}。利息按每月还剩的本金计算："
            f"第一个月本金最多，利息{yuan(offer.schedule[0].interest)}元，以后逐月减少，{offer.term_months}期合计"
            f"{yuan(offer.total_interest)}元。期数越短，总利息越少；提前还款不收以后各期的利息，也没有手续费。")


def plan_menu(offers: list[PlanOffer], hardship: bool) -> str:
    head = "考虑到您的困难，可以选择更长的期数。" if hardship else ""
    lines = [f"{o.term_months}期：每月{yuan(o.monthly_payment)}元（年化利率（单利）{pct(o.apr)}，总利息{yuan(o.total_interest)}元，总还款额{yuan(o.total_repayment)}元）"
             for o in offers]
    amount = yuan(offers[0].amount) if offers else "0.00"
    return head + f"可以把目前需结清的{amount}元办理个性化分期，方案如下：\n" + "\n".join(lines) + "\n请选择一个期数，我会把完整条款给您确认。"


def plan_menu_again(offers: list[PlanOffer]) -> str:
    """The menu asked about again once shown (found live, B003: 「那能分多少期」 got all six lines again)."""
    if not offers:
        return "目前没有可以办理的分期方案。"
    longest = max(offers, key=lambda o: o.term_months)
    terms = "、".join(str(o.term_months) for o in offers)
    return (f"可以选的期数就是上面这几种：{terms}期。最长{longest.term_months}期，每月{yuan(longest.monthly_payment)}元；"
            "期数越长，每月还得越少，总利息越多。请选一个期数，我把完整条款给您确认。")


def hardship_label(category: str) -> str:
    return {"job_loss": "失业", "illness": "生病或住院", "business_failure": "生意困难", "income_drop": "收入减少",
            "family_emergency": "家庭变故", "disaster": "受灾", "forgot": "忘记还款", "other": "其他困难"}.get(category, "其他困难")
