"""Property-based tests: no fen created or lost, plans sum exactly, no penalty within grace."""
import datetime as dt
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ledger.money import fen
from bot.ledger.rules import GRACE_DAYS
from bot.ledger.schedule import amortize
from bot.ledger.statement import Payment, compute_statement
from bot.plans.offers import make_offer

money = st.decimals(min_value=D("100.00"), max_value=D("200000.00"), places=2)
daily_rates = st.sampled_from([D("0.0001"), D("0.0002"), D("0.00026"), D("0.0003"), D("0.00035"), D("0.0004"), D("0.0005"), D("0.0006")])
first_dues = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))


@settings(max_examples=150, deadline=None)
@given(principal=money, rate=daily_rates, months=st.integers(1, 36), first=first_dues)
def test_schedule_principal_sums_to_loan(principal, rate, months, first):
    schedule = amortize(principal, rate * 365, months, first)
    assert sum(i.principal for i in schedule) == fen(principal)
    assert all(i.principal >= 0 and i.interest >= 0 for i in schedule)


@settings(max_examples=150, deadline=None)
@given(
    principal=money, rate=daily_rates, months=st.integers(1, 24), first=first_dues,
    payments=st.lists(st.tuples(st.integers(0, 800), st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)), max_size=8),
    horizon=st.integers(0, 900),
)
def test_payments_never_create_or_lose_a_fen(principal, rate, months, first, payments, horizon):
    schedule = amortize(principal, rate * 365, months, first)
    as_of = first + dt.timedelta(days=horizon)
    pays = [Payment(first + dt.timedelta(days=d), a, f"p{n}") for n, (d, a) in enumerate(payments)]
    statement = compute_statement(schedule, pays, rate, as_of)
    received = sum((p.amount for p in pays if p.paid_on <= as_of), D("0.00"))
    allocated = sum((a.amount for a in statement.allocations), D("0.00"))
    assert allocated + statement.unapplied == received
    for inst in statement.installments:  # never more paid than owed
        assert 0 <= inst.principal_paid <= inst.schedule.principal
        assert 0 <= inst.interest_paid <= inst.schedule.interest
        assert inst.penalty_paid <= sum((s.amount for s in inst.segments), D("0.00"))
    assert statement.payoff >= 0 and statement.amount_due_now >= 0


@settings(max_examples=150, deadline=None)
@given(amount=money, apr=st.sampled_from([D("0.12"), D("0.0949"), D("0.073"), D("0.0365")]),
       term=st.sampled_from([3, 6, 12, 24, 36, 48, 60]), accepted=first_dues)
def test_plan_installments_sum_exactly_to_total(amount, apr, term, accepted):
    offer = make_offer(amount, apr, term, accepted)
    assert len(offer.schedule) == term
    assert sum(i.principal for i in offer.schedule) == offer.amount
    assert sum(i.payment for i in offer.schedule) == offer.total_repayment
    assert all(i.due_date > accepted for i in offer.schedule)


@settings(max_examples=150, deadline=None)
@given(principal=money, rate=daily_rates, months=st.integers(1, 12), first=first_dues,
       days=st.integers(0, GRACE_DAYS), pay_within_grace=st.booleans())
def test_no_penalty_within_grace(principal, rate, months, first, days, pay_within_grace):
    schedule = amortize(principal, rate * 365, months, first)
    as_of = first + dt.timedelta(days=days)
    pays = [Payment(as_of, schedule[0].payment, "in-grace")] if pay_within_grace else []
    statement = compute_statement(schedule, pays, rate, as_of)
    assert statement.penalty_due == 0
    if pay_within_grace:  # paid in full within grace: waived forever
        later = compute_statement(schedule, pays, rate, first + dt.timedelta(days=25))
        assert later.installments[0].penalty_accrued(later.as_of) == 0
