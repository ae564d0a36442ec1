"""Why a loan is overdue (and the reason questioned), what being overdue leads to, and a refusal to pay."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from bot.clock import cn_date
from bot.dialogue.explain.autodebit import FAILURE_CODES
from bot.dialogue.explain.wording import installment_name
from bot.ledger.money import yuan
from bot.ledger.rules import GRACE_DAYS
from bot.services.account import LoanView


def overdue_reason(view: LoanView) -> str:
    st = view.statement
    if st.settled:
        return "您的借款已经结清，不存在逾期。"
    overdue = st.overdue_installments
    if not overdue:
        # the next debit's day and amount (found by a probe: a current B004's 「这个月怎么还没扣款」 got only
        # 「按时还款即可」, though December's debit is on the 20th)
        nxt = st.next_installment if st.amount_due_now == 0 else None
        when = (f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元，"
                + ("那天才会自动扣款。" if view.loan.autodebit else "请在那天或之前主动还款。")) if nxt is not None else ""
        return ("您的借款目前没有逾期，按时还款即可。" + (" 今天是还款日，今天之内还上就不算逾期。" if st.amount_due_now > 0 else "")
                + when + _failed_before(view))
    lines = []
    for inst in overdue[:3]:
        lines.append(f"{installment_name(view, inst.number)}（应还日{cn_date(inst.due_date)}）未还清，已逾期{inst.days_overdue(st.as_of)}天")
    if len(overdue) > 3:
        lines.append(f"另有{len(overdue) - 3}期也未还清")
    text = "逾期原因：" + "；".join(lines) + "。"
    failed = view.failed_debits(since=overdue[0].due_date)
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


#: how far back a failed debit is still told when nothing is overdue
RECENT_FAILURE_DAYS = 31


def _failed_before(view: LoanView) -> str:
    """「为什么我的卡扣款失败」 with nothing overdue now (found live, B001, a plan just accepted: only 「目前没有逾期」):
    the debits that failed in the last month, and where what they missed went."""
    st = view.statement
    recent = view.failed_debits(since=st.as_of - dt.timedelta(days=RECENT_FAILURE_DAYS))
    if not recent:
        return ""
    label = FAILURE_CODES.get(recent[-1].failure_code or "", ("扣款未成功", ""))[0]
    when = "、".join(f"{a.attempted_on.month}月{a.attempted_on.day}日" for a in recent)
    after = ("那时到期的金额已经转入您办理的分期方案，按分期计划还款即可。" if view.active_plan is not None
             else "之后已经还上了。")
    return f"{when}的自动扣款没有成功，银行返回“{label}”；{after}"


def overdue_reason_questioned(view: LoanView) -> str | None:
    """The reason asked again after it was given (「我卡里明明有钱啊」): not the same text once more,
    but what the bank's record says, how to have it checked, and that the arrears still stand.
    None when no autodebit failed (nothing to dispute: the first answer is the answer)."""
    st = view.statement
    overdue = st.overdue_installments
    if not overdue:
        return None
    failed = view.failed_debits(since=overdue[0].due_date)
    if not failed:
        return None
    labels = "、".join(dict.fromkeys(FAILURE_CODES.get(a.failure_code or "", ("扣款未成功", ""))[0] for a in failed))
    when = "、".join(f"{a.attempted_on.month}月{a.attempted_on.day}日" for a in failed)
    return (f"我再帮您核对了一遍：{when}的自动扣款，银行返回的都是“{labels}”。如果您确认扣款时卡里的钱是够的"
            "（比如钱是扣款之后才到账，或卡里有资金被冻结、有限额），可以转人工客服，调取扣款记录帮您核实。"
            f"无论原因是什么，这笔目前还没有还上，建议先在App“还款”页面主动还款，避免罚息继续增加。目前到期应还共{yuan(st.amount_due_now)}元。")


def consequences(view: LoanView | None) -> str:
    text = ("如实告诉您：逾期会按合同产生罚息，逾期记录可能报送人民银行征信中心，影响以后办理贷款和信用卡；"
            "长期不还，银行可能依法通过民事诉讼追偿。我们不会联系您的家人或单位，也不会上门骚扰。")
    if view is None:  # before verification (found by a probe: 「逾期了咋办」 got the consequences and no way on)
        text += "如果暂时还不上，可以约定一个还款日期或申请分期；验证身份后，我可以帮您查具体金额并办理。"
    elif view.dispute_open:  # compliance rule 10: collection on the loan pauses
        text += "您对这笔借款的异议正在核实中，核实期间这笔借款的催收暂停。"
    elif view.statement.days_overdue > GRACE_DAYS:
        text += f"您目前逾期{view.statement.days_overdue}天，如果一次还不上，可以申请分期或约定一个还款日期。"
    elif view.statement.days_overdue > 0:  # the ledger's grace: paid in full, no penalty
        text += (f"您目前逾期{view.statement.days_overdue}天，还在{GRACE_DAYS}天的宽限期内：宽限期内还清这一期，"
                 "不收罚息。")
    return text


#: 「会不会找我家里人」, 「会联系我单位吗」 / 「你们上门吗」, 「会不会来家里」: one of the consequences asked about
_ABOUT_FAMILY = re.compile(r"家里人|家人|父母|爸妈|老婆|老公|孩子|单位|公司|领导|同事|朋友|通讯录|紧急联系人")
#: 「会不会影响我孩子上学」, 「对我老公有影响吗」: an effect on them, not contact with them (found live: it got
#: 「不会。我们不会联系您的家人…」, an answer to another question); the whole, lawful answer instead
_AFFECTS = re.compile(r"影响|连累|牵连|上学|考公|政审")
_ABOUT_VISITS = re.compile(r"上门|家访|到家|来家里|找到家|找上门|堵")
#: another consequence in the same message (「会不会起诉我 会不会找我家里人」, found live: a lone 「不会。」 about
#: the family read as "we won't sue you"): the whole, lawful answer covers both
_OTHER_CONSEQUENCE = re.compile(r"起诉|告我|诉讼|法院|律师|坐牢|抓|报警|公安|警察|拘留|判刑|犯法|犯罪|刑事|征信|黑名单|罚息|冻结|执行")
#: a fear of criminal liability (「会不会坐牢」, 「还要报警抓我」): found live, answered with the list only
_CRIMINAL_FEAR = re.compile(r"坐牢|抓我|抓人|被抓|抓走|抓起来|进监狱|蹲监狱|报警|公安|警察|拘留|判刑|犯法|犯罪|刑事")
#: (the content filter blocks 刑事 even denied; 坐牢 denied passes, tests/actions/test_account.py checks)
_CIVIL = "逾期还款本身属于民事纠纷"
#: (no 坐牢 / 拘留 in the bot's own words, even denied: tests/e2e/test_adversarial.py)
_NO_JAIL = "暂时还不上钱，不会因此被抓、被关"
NOT_A_CRIME = f"{_CIVIL}：我们不会报警，{_NO_JAIL}。"


#: a collector's threat told by the borrower (「催收员说不还就通知我单位 还说要让我坐牢」): found by a probe, a
#: complaint was opened and the threat left standing
_THREAT_TOLD = re.compile(r"(催收|催款|你们的人|工作人员|客服|打电话的).{0,12}(说|讲|威胁|吓唬|扬言)")


def threat_corrected(text: str) -> str:
    """What the bank does not do, when a complaint tells of a collector's threat; else ""."""
    if not text or not _THREAT_TOLD.search(text):
        return ""
    said = []
    if _CRIMINAL_FEAR.search(text):
        said.append(f"{_CIVIL}，{_NO_JAIL}")
    if _ABOUT_FAMILY.search(text):
        said.append("我们不会联系您的家人、同事或单位")
    if _ABOUT_VISITS.search(text):
        said.append("我们不会上门催收")
    return ("催收人员这样说不符合规定：" + "；".join(said) + "。") if said else ""


def criminal_fear_answer(text: str) -> str:
    """The civil nature of a debt, first, when the borrower fears jail or the police; else ""."""
    return NOT_A_CRIME if text and _CRIMINAL_FEAR.search(text) else ""


def consequence_asked(text: str) -> str | None:
    """The answer to one consequence asked about (found live: 「会不会找我家里人」 and 「你们上门吗」 each
    got the whole paragraph again), or None for the whole question."""
    if not text or _OTHER_CONSEQUENCE.search(text):
        return None
    if _ABOUT_FAMILY.search(text) and not _AFFECTS.search(text):
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
