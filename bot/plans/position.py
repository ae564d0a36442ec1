"""A loan's position once an installment plan runs: the plan's schedule replaces the loan's.

ledger.md: the plan amount is the payoff on the acceptance date, repaid on the plan's own 等额本息
schedule from one month later. So from the acceptance date on, what is due, overdue and left to pay
comes from the plan's installments, not the loan's old ones (whose arrears the plan took over):
- payments dated after the acceptance date apply to the plan's installments, by the ledger's
  allocation rules (oldest first; penalty → interest → principal; early principal waives the
  future interest of what it pays off);
- a payment dated the acceptance date but recorded after the plan was accepted (so the plan amount
  did not include it) is credited to the plan on that date: no fen is lost;
- grace and penalty follow the ledger's rules at the loan's contractual daily rate (the penalty
  clause is the loan contract's; the plan changes the schedule and the interest rate, not it).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.ledger.money import ZERO, fen
from bot.ledger.schedule import ScheduledInstallment
from bot.ledger.statement import Payment, Statement, compute_statement

#: the reference of the credit a late-recorded acceptance-day payment gives the plan
ACCEPTANCE_DAY_CREDIT = "acceptance-day payment"


def plan_statement(
    *,
    loan_schedule: list[ScheduledInstallment],
    payments: list[Payment],
    daily_rate: Decimal,
    accepted_on: dt.date,
    plan_amount: Decimal,
    plan_schedule: list[ScheduledInstallment],
    as_of: dt.date,
) -> Statement:
    """The position at the end of ``as_of`` of a loan whose plan was accepted on ``accepted_on``;
    before that date the loan's own statement."""
    if as_of < accepted_on:
        return compute_statement(loan_schedule, payments, daily_rate, as_of)
    at_acceptance = compute_statement(loan_schedule, [p for p in payments if p.paid_on <= accepted_on],
                                      daily_rate, accepted_on)
    credit = fen(plan_amount) - at_acceptance.payoff + at_acceptance.unapplied
    plan_payments = [Payment(accepted_on, credit, ACCEPTANCE_DAY_CREDIT)] if credit > ZERO else []
    plan_payments += [p for p in payments if p.paid_on > accepted_on]
    return compute_statement(plan_schedule, plan_payments, daily_rate, as_of)
