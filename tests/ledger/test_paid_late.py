"""The loan's own record (Statement.paid_late, told by the credit answer): installments paid in full only after their
grace days. Built from ledger.md's L001 vector (30000 at 0.05 %/day, 12 months from 2026-04-10). No database."""
import datetime as dt
from decimal import Decimal as D

from bot.ledger.schedule import amortize, apr_from_daily_rate
from bot.ledger.statement import Payment, compute_statement


RATE = D("0.0005")
LOAN = amortize(D("30000"), apr_from_daily_rate(RATE), 12, dt.date(2026, 4, 10))
ON_TIME = [Payment(i.due_date, i.payment, f"I{i.number}") for i in LOAN[:7]]


def test_paid_on_the_due_dates_is_no_late_installment():
    assert compute_statement(LOAN, ON_TIME, RATE, dt.date(2026, 12, 1)).paid_late == []


def test_paid_within_the_grace_days_is_not_late():
    late_in_grace = ON_TIME[:6] + [Payment(LOAN[6].due_date + dt.timedelta(days=3), LOAN[6].payment, "I7")]
    assert compute_statement(LOAN, late_in_grace, RATE, dt.date(2026, 12, 1)).paid_late == []


def test_paid_after_the_grace_days_is_late():
    # installment 8 (due 2026-11-10) paid in full, penalty included, on 2026-12-01: 21 days late
    late = ON_TIME + [Payment(dt.date(2026, 12, 1), D("2794.19"), "I8")]
    st = compute_statement(LOAN, late, RATE, dt.date(2026, 12, 1))
    assert st.amount_due_now == 0 and st.paid_late == [8]
