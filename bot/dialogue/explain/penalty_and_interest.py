"""The penalty (罚息) and how it is computed, and the contract's interest (利息 / 利率)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from bot.dialogue.explain.wording import daily_rate_words, installment_name, pct
from bot.ledger.money import yuan
from bot.ledger.rules import GRACE_DAYS, PENALTY_MULTIPLIER, penalty_rate
from bot.ledger.schedule import apr_from_daily_rate
from bot.services.account import LoanView


def penalty(view: LoanView) -> str:
    st = view.statement
    daily = view.loan.daily_rate
    rate = penalty_rate(daily)
    # compliance rule 7: never a daily rate alone, so both rates also as 年化（单利）
    head = (f"罚息只按逾期未还的本金计算，不对利息和罚息再计息：罚息 = 逾期本金 × 日利率{pct(daily)}"
            f"（年化利率{pct(apr_from_daily_rate(daily))}，单利）× {PENALTY_MULTIPLIER}（即{daily_rate_words(rate)}）× 逾期天数。"
            f"逾期{GRACE_DAYS}天以内（宽限期）不收罚息，超过后从还款日次日起算。")
    if st.settled or not st.overdue_installments:
        return head + "您目前没有逾期，不产生罚息。"
    if st.in_grace:
        return head + f"您目前逾期{st.days_overdue}天，还在宽限期内，现在还清不收罚息。"
    parts = []
    paid_any = False
    for inst in st.overdue_installments[:3]:
        for seg in inst.segments:
            parts.append(f"{installment_name(view, inst.number)}：{yuan(seg.principal)}元 × {pct(rate)} × {seg.days}天 = {yuan(seg.amount)}元")
        if inst.penalty_paid > 0:  # found live (B007): 9.30 listed, already paid, beside a total of 0.29
            parts.append(f"{installment_name(view, inst.number)}已还罚息{yuan(inst.penalty_paid)}元")
            paid_any = True
    more = "（其余各期同理）" if len(st.overdue_installments) > 3 else ""
    total = "目前未还的罚息合计" if paid_any else "目前罚息合计"
    return head + "您的罚息明细：" + "；".join(parts) + more + f"。{total}{yuan(st.penalty_due)}元。"


#: 「逾期一天多少利息」, 「每天罚多少」: the penalty of one day (found by a probe: the contract rate and the total)
_PER_DAY = re.compile(r"(一天|每天|每日|一日|天天)\S{0,4}(多少|几块|几毛|罚|利息|息)")


def asks_per_day(text: str) -> bool:
    return bool(text) and _PER_DAY.search(text) is not None


def penalty_per_day(view: LoanView) -> str | None:
    """A day's penalty now, to the fen, on the overdue principal; None when none accrues."""
    st = view.statement
    if st.settled or not st.overdue_installments or st.in_grace or st.penalty_per_day <= 0:
        return None
    rate = penalty_rate(view.loan.daily_rate)
    return (f"目前逾期本金{yuan(st.overdue_principal)}元，每天罚息约{yuan(st.penalty_per_day)}元（{yuan(st.overdue_principal)}元 × "
            f"{pct(rate)}，即{daily_rate_words(rate)}），已累计罚息{yuan(st.penalty_due)}元；还清逾期本金后就不再增加。")


#: 「你们这个年化多少 是不是超过24%了」 (found by a probe: the penalty computation again): the rate asked about
_RATE_WORDS = re.compile(r"利息|利率|年化|年利|apr|百分之二十四|24\s?%|36\s?%", re.I)
_ABOVE_A_CAP = re.compile(r"(超过|超了|高于|超出|大于|过了).{0,4}(24|36|百分之二十四|百分之三十六)|(24|36)\s?%?.{0,3}(以上|上限)")


#: 「罚息怎么算的 还有会不会上征信」 (found by a probe: only the credit report was answered): the penalty asked too
_PENALTY_TOO = re.compile(r"罚息.{0,3}(怎么|咋|如何)(算|计算|来的)|罚息.{0,2}(多少|几块)|罚了多少|罚息(是)?哪来的")


def asks_penalty_too(text: str) -> bool:
    return bool(text) and _PENALTY_TOO.search(text) is not None


def asks_about_interest(text: str) -> bool:
    """利息 / 利率 / 年化 without 罚 (罚息 questions get the penalty computation)."""
    return bool(text) and "罚" not in text and _RATE_WORDS.search(text) is not None


def loan_interest(view: LoanView, asked: str = "") -> str:
    """「利息太高了」 / 「利率多少」 (interest, not 罚息): the contract's rate, then the penalty if any; whether it
    is above 24%, when ``asked`` says so."""
    daily = view.loan.daily_rate
    text = (f"您这笔{view.loan.product}借款的合同日利率是{pct(daily)}，年化利率（单利）{pct(view.apr)}。"
            "利息按每月还剩的本金计算，已经包含在每期应还金额里，没有其他手续费；提前还款不收以后各期的利息。")
    if asked and _ABOVE_A_CAP.search(asked):
        from decimal import Decimal

        above = view.apr > Decimal("0.24")
        text += (f"年化{pct(view.apr)}{'高于' if above else '没有超过'}24%。" +
                 ("如有异议可以转人工核实。" if above else ""))
    if view.statement.penalty_due > 0:
        text += f"逾期另外产生罚息，目前罚息合计{yuan(view.statement.penalty_due)}元，问“罚息怎么算”我可以列出明细。"
    return text


#: 「你们利息这么高 是不是高利贷」, 「你们就是骗子 乱收费」: a challenge to the price, sent as abuse (found by a
#: probe: the soothing line only); the facts and the ways to contest them answer it
_PRICE_CHALLENGE = re.compile(r"利息|利率|高利贷|收费|费用|多收|乱扣|坑")
PRICE_FACTS_GENERAL = ("利率在借款合同里约定，App的借款详情里能看到年化利率（单利）；"
                       "除了利息和逾期罚息，我们不收任何其他费用。")
CONTEST_PRICE = "如果您认为哪一笔收费有误，可以告诉我，我为您登记异议核实；也可以投诉，或拨打银行保险消费投诉热线12378。"


def challenges_price(text: str) -> bool:
    return bool(text) and _PRICE_CHALLENGE.search(text) is not None


def price_facts(view: LoanView | None) -> str:
    """The rate and the fees (none beyond interest and penalty: compliance rule 7), and how to contest them."""
    return (loan_interest(view) if view is not None else PRICE_FACTS_GENERAL) + CONTEST_PRICE


#: 「一千块还进去以后罚息还涨吗」, 「先还500 罚息还算吗」: an amount said as paid (a pay verb right before it,
#: or a pay verb with its result right after it); 「罚息27.88还涨吗」 names an amount that is not paid
_PAID_BEFORE = re.compile(r"((还|存|交|转|付|打)(了|上|进去|进|完|掉)?|\bpay(ing)?)\s*$", re.I)
_PAID_AFTER = re.compile(r"^\s*(块钱|块|元)?\s*(先)?(还|存|交|转|打)(了|上|进去|进|完|掉)")


def amount_paid(text: str, entities: Iterable[Mapping[str, Any]]) -> Decimal | None:
    """The amount the message says would be paid, or None (no such amount, or 全部 / 一半)."""
    for ent in entities or []:
        start, end = ent.get("start"), ent.get("end")
        if ent.get("entity") != "amount" or not isinstance(start, int) or not isinstance(end, int):
            continue
        if not (_PAID_BEFORE.search(text[max(0, start - 4):start]) or _PAID_AFTER.search(text[end:end + 6])):
            continue
        try:
            amount = Decimal(str(ent.get("value")))
        except (InvalidOperation, ValueError):
            continue
        if amount.is_finite() and amount > 0:
            return amount
    return None


def penalty_after_paying(view: LoanView, amount: Decimal) -> str:
    """「一千块还进去以后罚息还涨吗」 (found live, B005: got the penalty formula): what is still overdue after
    paying ``amount`` today, and what a day then adds to the penalty, to the fen."""
    st = view.statement
    if st.settled or not st.overdue_installments:
        return "您目前没有逾期，不产生罚息。"
    after = view.if_paid_today(amount)
    if not after.overdue_installments:
        return f"今天还{yuan(amount)}元就够还清逾期的部分，之后罚息不再增加。"
    rate = daily_rate_words(penalty_rate(view.loan.daily_rate))
    if st.in_grace:
        text = (f"您目前还在{GRACE_DAYS}天宽限期内，宽限期内还清这一期不收罚息。只还{yuan(amount)}元的话，还差"
                f"{yuan(after.amount_due_now)}元到期未还，过了宽限期会从还款日次日起按{rate}计罚息。")
    else:
        text = (f"今天还{yuan(amount)}元以后，还有{yuan(after.amount_due_now)}元到期未还，其中逾期本金{yuan(after.overdue_principal)}元，"
                f"罚息会继续按{rate}计算，大约每天{yuan(after.penalty_per_day)}元（现在大约每天{yuan(st.penalty_per_day)}元）。")
    return text + f"把到期的{yuan(st.amount_due_now)}元都还上，罚息就不再增加。"
