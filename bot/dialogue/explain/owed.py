"""What is owed: the balance, the amount due now, and why it is so much."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from bot.clock import cn_date
from bot.dialogue.explain.service_desk import CERTIFICATE_HOW
from bot.dialogue.explain.wording import daily_rate_words, installment_name
from bot.ledger.money import yuan
from bot.ledger.rules import penalty_rate
from bot.ledger.statement import Statement
from bot.services.account import LoanView


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
        text += f"；罚息{yuan(st.penalty_due)}元（按逾期本金{daily_rate_words(penalty_rate(view.loan.daily_rate))}计算，问“罚息怎么算”我可以列出明细）"
    return text + "。"


def _growth(now: Statement, later: Statement) -> tuple[Decimal, list[str]]:
    """How much more is due at ``later`` than at ``now``, and what makes the difference (installments
    falling due in between, penalty running on)."""
    why = [f"{cn_date(i.due_date)}到期的第{i.number}期{yuan(i.principal_left + i.interest_left)}元"
           for i in later.due_installments if i.due_date > now.as_of]
    penalty = later.penalty_due - now.penalty_due
    if penalty > 0:
        why.append(f"罚息增加{yuan(penalty)}元")
    return later.amount_due_now - now.amount_due_now, why


def due_grows(now: Statement, later: Statement) -> str | None:
    """What more will be due by a promised date than today, and why (an installment falling due in
    between, penalty running on), or None when nothing grows. 「下周三还」 reads back today's amount
    (ledger.md: 全部 = amount due now); the borrower should know it will not clear the arrears then."""
    grown, why = _growth(now, later)
    if grown <= 0:
        return None
    return (f"提醒您：到{cn_date(later.as_of)}，到期应还会是{yuan(later.amount_due_now)}元，比今天多{yuan(grown)}元"
            f"（{'，'.join(why)}）。")


#: 「到时候扣多少」, 「那天要还多少」: the day already agreed (an open promise), not today
_THEN = re.compile(r"到时候|到时|到那天|那天|那时候|那会儿")


def refers_to_then(text: str) -> bool:
    return bool(text) and _THEN.search(text) is not None


def owed_on(view: LoanView, day: dt.date) -> str:
    """「12月8号那天要还多少」 (found live after a promise for that day: today's amount was given): what
    will be due at the end of ``day`` if nothing more is paid, and how it differs from today."""
    now, later = view.statement, view.statement_on(day)
    when = f"到{cn_date(day)}，如果这期间不再还款，"
    if later.amount_due_now <= 0:
        return when + "没有到期应还的款项。" + (f"下一期还款日是{cn_date(later.next_installment.due_date)}。"
                                          if later.next_installment is not None else "")
    grown, why = _growth(now, later)
    if grown <= 0:
        return when + f"到期应还仍是{yuan(later.amount_due_now)}元，和今天一样。"
    return (when + f"到期应还是{yuan(later.amount_due_now)}元，比今天的{yuan(now.amount_due_now)}元多{yuan(grown)}元"
            f"（{'，'.join(why)}）。")


def owed_on_after_paying(view: LoanView, day: dt.date, paid) -> str:
    """「那20号还完2000还剩多少」 (found by a probe: what the 20th will find, the 2000 left out): what is due at the
    end of ``day``, and what is left due once ``paid`` is paid that day (applied on its date, so exactly that
    much less), with what then remains of the loan."""
    later = view.statement_on(day)
    due = later.amount_due_now
    if due <= 0:
        return owed_on(view, day)
    if paid >= due:
        more = paid - due
        extra = f"多出的{yuan(more)}元会提前还掉以后各期的本金。" if more > 0 else ""
        return (f"到{cn_date(day)}到期应还{yuan(due)}元，那天还{yuan(paid)}元就能把到期的部分全部还清。{extra}"
                f"还清后剩下的是还没到期的各期，按原来的还款日还。")
    return (f"到{cn_date(day)}到期应还{yuan(due)}元（含罚息到那天），那天还{yuan(paid)}元以后，到期未还的还剩"
            f"{yuan(due - paid)}元，逾期本金还清前罚息会继续按天计算。")


#: 「我还有几期没还」, 「还剩多少期」: how many installments are left, not only the amount
_HOW_MANY_LEFT = re.compile(r"(几|多少)期.{0,3}(没还|未还|要还|没有还)|(还剩|剩下?|还有|还差)(几|多少)期")


def asks_how_many_left(text: str) -> bool:
    return bool(text) and _HOW_MANY_LEFT.search(text) is not None


def installments_left(view: LoanView) -> str:
    """「我还有几期没还」 (found live, B007: got the amount due only): how many are paid, which are left, and
    when each of those falls due (or how late it is)."""
    st = view.statement
    if st.settled:
        return f"您的{view.loan.product}借款已经全部结清，没有待还的期数。"
    left = [i for i in st.installments if i.owed(st.as_of) > 0 or i.principal_left > 0]
    done = len(st.installments) - len(left)
    parts = []
    for inst in left[:6]:
        name = installment_name(view, inst.number)
        if inst.due_date < st.as_of:
            parts.append(f"{name}已逾期{inst.days_overdue(st.as_of)}天，还差{yuan(inst.owed(st.as_of))}元")
        elif inst.due_date == st.as_of:
            parts.append(f"{name}今天到期，应还{yuan(inst.owed(st.as_of))}元")
        else:
            parts.append(f"{name}{cn_date(inst.due_date)}到期")
    more = f"；另外还有{len(left) - 6}期，最后一期在{cn_date(left[-1].due_date)}" if len(left) > 6 else ""
    return (f"您这笔借款共{len(st.installments)}期，已还清{done}期，还有{len(left)}期没还完：" + "；".join(parts) + more + "。"
            + f"一次性提前结清需要{yuan(st.payoff)}元。")


#: 「为啥还给我发催收短信」 once settled (found live, B008: read as inform_paid and told it is settled, again)
_COLLECTED = re.compile(r"催收|催款|催债|催我|催还|发短信|发信息|打电话|来电|短信")


def says_still_collected(text: str) -> bool:
    return bool(text) and _COLLECTED.search(text) is not None


#: 「我早就还清了为啥app还显示我欠钱」 once settled (found by a probe, B008: the settled template again, no check offered)
_STILL_SHOWN = re.compile(r"(显示|还有|还在|写着|提示).{0,4}(欠|待还|逾期|没还|未还|应还)|(欠|待还|逾期).{0,3}(显示|提示)")


def says_still_shown_owing(text: str) -> bool:
    return bool(text) and _STILL_SHOWN.search(text) is not None


STILL_SHOWN_WHEN_SETTLED = ("我们这边查到您的借款已经全部结清，没有待还金额。App里如果还显示欠款，可能是页面没有刷新，可以退出重新登录"
                            "再看；如果仍然显示，请截图保存，我可以为您转人工核实处理。")

STILL_COLLECTED_WHEN_SETTLED = ("您的借款已经全部结清，我们不会再向您催收。如果还收到自称是我们的催收短信或电话，可能是发错了，"
                                "也可能是诈骗：请不要按对方的要求转账，只认准App和官方客服。我可以为您转人工核实，您也可以投诉。")
