"""The penalty (罚息) and how it is computed, and the contract's interest (利息 / 利率)."""
from __future__ import annotations

from bot.dialogue.explain.wording import installment_name, pct
from bot.ledger.money import yuan
from bot.ledger.rules import GRACE_DAYS, PENALTY_MULTIPLIER, penalty_rate
from bot.services.account import LoanView


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


def loan_interest(view: LoanView) -> str:
    """「利息太高了」 / 「利率多少」 (interest, not 罚息): the contract's rate, then the penalty if any."""
    daily = view.loan.daily_rate
    text = (f"您这笔{view.loan.product}借款的合同日利率是{pct(daily)}，年化利率（单利）{pct(view.apr)}。"
            "利息按每月还剩的本金计算，已经包含在每期应还金额里，没有其他手续费；提前还款不收以后各期的利息。")
    if view.statement.penalty_due > 0:
        text += f"逾期另外产生罚息，目前罚息合计{yuan(view.statement.penalty_due)}元，问“罚息怎么算”我可以列出明细。"
    return text
