"""Plan eligibility and offers. Pure functions over a loan's statement facts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from bot.errors import RuleViolation
from bot.ledger.money import fen, to_decimal
from bot.ledger.schedule import ScheduledInstallment, add_months, amortize
from bot.compliance.policy import POLICY
from bot.plans.rules import (
    HARDSHIP_TERMS,
    MAX_TERM_MONTHS,
    QUALIFYING_HARDSHIPS,
    TERM_LADDER,
)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason_code: str  # machine-readable: ok | not_verified | dispute_open | plan_active | not_overdue | settled
    reason: str  # plain Chinese, shown to the borrower (compliance rule 16)
    terms: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlanOffer:
    amount: Decimal
    term_months: int
    apr: Decimal
    accepted_on: dt.date
    schedule: tuple[ScheduledInstallment, ...]

    @property
    def monthly_payment(self) -> Decimal:
        return self.schedule[0].payment

    @property
    def last_payment(self) -> Decimal:
        """The last period's payment: it absorbs the rounding, so it may differ from the others by a few fen."""
        return self.schedule[-1].payment

    @property
    def first_payment_date(self) -> dt.date:
        return self.schedule[0].due_date

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.schedule), Decimal("0.00"))

    @property
    def total_repayment(self) -> Decimal:
        return self.amount + self.total_interest


def plan_apr(contract_apr: Decimal) -> Decimal:
    """min(contract APR, 12%), never above 24% (compliance rule 8)."""
    return POLICY.plan_apr(to_decimal(contract_apr))


def terms_for(days_overdue: int, hardship: str | None) -> tuple[int, ...]:
    """Terms offered for the loan's largest days overdue, or a qualifying declared hardship."""
    if hardship in QUALIFYING_HARDSHIPS:
        return HARDSHIP_TERMS
    for low, high, terms in TERM_LADDER:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return terms
    return ()


def check_eligibility(
    *,
    verified: bool,
    days_overdue: int,
    settled: bool,
    hardship: str | None,
    dispute_open: bool,
    plan_active: bool,
) -> Eligibility:
    if not verified:
        return Eligibility(False, "not_verified", "需要先完成身份验证，才能为您查询分期方案。")
    if settled:
        return Eligibility(False, "settled", "您的借款已经结清，不需要分期。")
    if dispute_open:
        return Eligibility(False, "dispute_open", "您对这笔借款的异议正在核实中，核实完成前暂不办理分期，以免影响您的权益。")
    if plan_active:
        return Eligibility(False, "plan_active", "您已经有一个正在执行的分期方案，同一笔借款不能再申请新的方案。")
    terms = terms_for(days_overdue, hardship)
    if not terms:
        return Eligibility(
            False,
            "not_overdue",
            "个性化分期适用于逾期超过3天或遇到失业、疾病等困难的客户。您目前没有这种情况，按原计划还款即可；如有困难可以告诉我原因。",
        )
    return Eligibility(True, "ok", "", terms)


def make_offer(amount: Decimal, contract_apr: Decimal, term_months: int, accepted_on: dt.date) -> PlanOffer:
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise RuleViolation(f"分期期数必须在1到{MAX_TERM_MONTHS}个月之间。")
    amount = fen(amount)
    if amount <= 0:
        raise RuleViolation("没有需要分期的金额。")
    apr = plan_apr(contract_apr)
    first = add_months(accepted_on, 1)
    schedule = amortize(amount, apr, term_months, first)
    # the schedule's day-of-month follows the acceptance date (clamped each month)
    schedule = [
        ScheduledInstallment(s.number, add_months(accepted_on, s.number, day=accepted_on.day), s.principal, s.interest)
        for s in schedule
    ]
    return PlanOffer(amount, term_months, apr, accepted_on, tuple(schedule))


def offers(amount: Decimal, contract_apr: Decimal, terms: tuple[int, ...], accepted_on: dt.date) -> list[PlanOffer]:
    return [make_offer(amount, contract_apr, t, accepted_on) for t in terms]


@dataclass(frozen=True)
class AffordablePick:
    offer: PlanOffer
    fits: bool  # False: none fits; this is the longest term and a person should be offered


def pick_affordable(candidates: list[PlanOffer], monthly_budget: Decimal) -> AffordablePick | None:
    """The shortest offered term whose monthly payment ≤ budget; if none fits, the longest term."""
    if not candidates:
        return None
    budget = to_decimal(monthly_budget)
    ordered = sorted(candidates, key=lambda o: o.term_months)
    for offer in ordered:
        if offer.monthly_payment <= budget:
            return AffordablePick(offer, True)
    return AffordablePick(ordered[-1], False)
