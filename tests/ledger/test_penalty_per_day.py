"""Statement.overdue_principal and penalty_per_day (told by the answer to 「还一千以后罚息还涨吗」): the principal
the penalty runs on, and what one more day adds. Built from ledger.md's L001 vector. No database."""
import datetime as dt
from decimal import Decimal as D

from bot.ledger.rules import penalty_rate
from bot.ledger.schedule import amortize, apr_from_daily_rate
from bot.ledger.statement import Payment, compute_statement

RATE = D("0.0005")
LOAN = amortize(D("30000"), apr_from_daily_rate(RATE), 12, dt.date(2026, 4, 10))
ON_TIME = [Payment(i.due_date, i.payment, f"I{i.number}") for i in LOAN[:7]]


def test_a_days_penalty_is_what_the_next_day_adds():
    # installment 8 (due 2026-11-10) unpaid: 21 days late on 2026-12-01
    today = compute_statement(LOAN, ON_TIME, RATE, dt.date(2026, 12, 1))
    tomorrow = compute_statement(LOAN, ON_TIME, RATE, dt.date(2026, 12, 2))
    assert today.overdue_principal == LOAN[7].principal
    assert today.penalty_per_day == (LOAN[7].principal * penalty_rate(RATE)).quantize(D("0.01"))
    assert abs((tomorrow.penalty_due - today.penalty_due) - today.penalty_per_day) <= D("0.01")


def test_paying_part_lowers_it_and_paying_what_is_due_stops_it():
    today = compute_statement(LOAN, ON_TIME, RATE, dt.date(2026, 12, 1))
    part = compute_statement(LOAN, ON_TIME + [Payment(dt.date(2026, 12, 1), D("1000"), "P")], RATE, dt.date(2026, 12, 1))
    # the 1000 pays the penalty and interest first, then principal: less principal overdue, a smaller day
    assert part.overdue_principal == today.overdue_principal - (D("1000") - today.penalty_due - today.interest_due)
    assert 0 < part.penalty_per_day < today.penalty_per_day
    full = compute_statement(LOAN, ON_TIME + [Payment(dt.date(2026, 12, 1), today.amount_due_now, "P")], RATE,
                             dt.date(2026, 12, 1))
    assert full.overdue_principal == 0 and full.penalty_per_day == 0
