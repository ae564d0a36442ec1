"""Paying early: the payoff (today or on a day to come), why it is that much, the next installment
early, paying part of the principal early, how to do it, and that there is no fee."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from bot.clock import cn_date
from bot.dialogue.explain.wording import installment_name
from bot.ledger.money import yuan
from bot.ledger.statement import Statement
from bot.services.account import WHAT_IF, LoanView


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


def payoff_on(view: LoanView, day: dt.date, asked: bool = False) -> str:
    """Paying the whole loan off on ``day`` (a day to come): what it will take then, to the fen.
    ``asked``: a question (「如果下周一全部还清要多少」), not said as a plan (「下周一全部还掉」): no 「好的」."""
    if day <= view.statement.as_of:
        return early_repayment(view)
    then = view.statement_on(day)
    text = ("" if asked else "好的。") + f"如果在{cn_date(day)}一次性结清，需要还{yuan(then.payoff)}元：{_payoff_parts(then)}结清当天在App“提前还款”里操作。"
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
    due = f"到期未还的{yuan(st.amount_due_now)}元要先还上，" if st.amount_due_now > 0 else ""  # not 「0.00元要先还上」
    return (f"提前还款只算到还款当天：{due}还没到期的各期只还本金，"
            f"这些期的利息不用付，也不收违约金或手续费。今天一次性结清是{yuan(st.payoff)}元。")


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
    saved = []
    for number, paid in sorted(early.items()):
        inst = by_number[number]
        if inst.due_date <= st.as_of:
            continue
        name = f"{installment_name(view, number)}（{cn_date(inst.due_date)}）"
        if inst.principal_left == 0:
            lines.append(f"{name}的本金{yuan(paid)}元全部还清，这期的利息{yuan(inst.schedule.interest)}元不用再付")
            saved.append(inst.schedule.interest)
        else:
            lines.append(f"{name}的本金先还{yuan(paid)}元")
    if lines:
        # 「能少多少利息」 (found live, B004): the interest saved, added up
        total = f"，一共少付利息{yuan(sum(saved, Decimal('0.00')))}元" if len(saved) > 1 else ""
        parts.append(f"{'其余' if st.amount_due_now > 0 else ''}{yuan(amount - st.amount_due_now)}元提前冲抵以后的本金："
                     + "；".join(lines) + total + "。")
    nxt = after.next_installment
    if nxt is not None:
        parts.append(f"之后下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元；")
    parts.append(f"一次性结清还需{yuan(after.payoff)}元。提前还款不收手续费，可以在App“提前还款”里操作。")
    return "".join(parts)


#: 「只提前还一部分可以吗」: paying part early asked about with no amount (found by a probe: the payoff again)
_PART_EARLY = re.compile(r"(提前|先)?还(一)?部分|部分(提前)?还|还一点|还点")


def asks_to_prepay_part(text: str) -> bool:
    return bool(text) and _PART_EARLY.search(text) is not None


def prepaying_part(view: LoanView) -> str:
    """Paying part early, how it goes (ledger.md allocation) and what to say to have it worked out."""
    st = view.statement
    first = (f"会先还到期未还的{yuan(st.amount_due_now)}元，其余" if st.amount_due_now > 0 else "")
    return (f"可以只提前还一部分：在App“提前还款”里输入金额就行，不收手续费。这笔钱{first}按顺序冲抵接下来各期的本金，"
            "本金提前还清的那几期不用再付利息，到时也不用再还；其他各期的还款日和金额不变。"
            "告诉我您打算还多少，我帮您算出还后的情况。")


#: 「我想多还5000冲本金 以后每期能少点吗」: paying extra towards the principal, not a plan (found live: read as
#: request_installment with a budget of 5000, and offered a restructuring of the whole loan)
#: (「最多还1500」 is a most, not an extra: found by a probe, a monthly budget got what paying 1500 today does)
_PREPAYS_PRINCIPAL = re.compile(r"冲本金|抵本金|还本金|冲抵|(?<!最)多还|提前还一部分|提前还一点|先多还")


def prepays_principal(text: str) -> bool:
    return bool(text) and _PREPAYS_PRINCIPAL.search(text) is not None


#: 「以后每期能少点吗」 after paying extra: whether the installment shrinks (found live: never answered)
_ASKS_SMALLER_INSTALLMENTS = re.compile(r"(每期|每个月|月供|每月).{0,6}(少|减|降|低)")

SAME_INSTALLMENTS = ("每期应还的金额不变：多还的钱按顺序冲抵以后各期的本金，冲抵完的那几期就不用再还，这笔借款会提前还完，"
                     "也少付那几期的利息。")


def asks_smaller_installments(text: str) -> bool:
    return bool(text) and _ASKS_SMALLER_INSTALLMENTS.search(text) is not None
