"""Once a plan is accepted, the loan is owed on the plan's schedule (bot/plans/position.py).

Built from ledger.md's L001 vector: payoff 13403.65 on 2026-12-01, 12 months at 12% = 1190.90 a
month from 2027-01-01. No database."""
import datetime as dt
from decimal import Decimal as D

from bot.ledger.money import fen
from bot.ledger.schedule import amortize, apr_from_daily_rate
from bot.ledger.statement import Payment, compute_statement
from bot.plans.offers import make_offer
from bot.plans.position import ACCEPTANCE_DAY_CREDIT, plan_statement

ACCEPTED = dt.date(2026, 12, 1)
RATE = D("0.0005")
LOAN = amortize(D("30000"), apr_from_daily_rate(RATE), 12, dt.date(2026, 4, 10))
PAID_THROUGH_7 = [Payment(i.due_date, i.payment, f"I{i.number}") for i in LOAN[:7]]
OFFER = make_offer(D("13403.65"), apr_from_daily_rate(RATE), 12, ACCEPTED)


def position(as_of, payments=PAID_THROUGH_7, amount=OFFER.amount):
    return plan_statement(loan_schedule=LOAN, payments=payments, daily_rate=RATE, accepted_on=ACCEPTED,
                          plan_amount=amount, plan_schedule=list(OFFER.schedule), as_of=as_of)


def test_the_offer_is_ledger_md_s():
    assert (OFFER.amount, OFFER.monthly_payment, OFFER.first_payment_date) == (D("13403.65"), D("1190.90"), dt.date(2027, 1, 1))


def test_on_the_acceptance_day_nothing_is_due_and_the_payoff_is_the_plan_amount():
    before = compute_statement(LOAN, PAID_THROUGH_7, RATE, ACCEPTED)
    assert before.amount_due_now == D("2794.19")  # the loan's own arrears, which the plan took over
    st = position(ACCEPTED)
    assert (st.amount_due_now, st.days_overdue, st.penalty_due) == (D("0.00"), 0, D("0.00"))
    assert st.payoff == D("13403.65")
    assert (st.next_installment.due_date, st.next_installment.owed(ACCEPTED)) == (dt.date(2027, 1, 1), D("1190.90"))


def test_before_the_acceptance_day_it_is_the_loan_s_statement():
    day = dt.date(2026, 11, 30)
    assert position(day).amount_due_now == compute_statement(LOAN, PAID_THROUGH_7, RATE, day).amount_due_now > 0


def test_a_plan_installment_paid_on_time_leaves_nothing_due():
    st = position(dt.date(2027, 1, 5), PAID_THROUGH_7 + [Payment(dt.date(2027, 1, 1), D("1190.90"))])
    assert st.amount_due_now == D("0.00")
    assert st.payoff == D("13403.65") - OFFER.schedule[0].principal
    assert st.next_installment.due_date == dt.date(2027, 2, 1)


def test_a_missed_plan_installment_is_overdue_with_grace_then_penalty_at_the_contract_rate():
    first = OFFER.schedule[0]
    in_grace = position(dt.date(2027, 1, 4))
    assert (in_grace.days_overdue, in_grace.in_grace, in_grace.penalty_due) == (3, True, D("0.00"))
    assert in_grace.amount_due_now == first.principal + first.interest
    late = position(dt.date(2027, 1, 11))
    assert late.days_overdue == 10
    assert late.penalty_due == fen(first.principal * RATE * D("1.5") * 10)
    assert late.amount_due_now == first.principal + first.interest + late.penalty_due


def test_payments_before_acceptance_are_not_counted_twice():
    """The plan amount already nets every payment up to acceptance: only later ones reduce it."""
    with_old = position(dt.date(2027, 1, 1), PAID_THROUGH_7 + [Payment(dt.date(2027, 1, 1), D("1190.90"))])
    assert with_old.amount_due_now == D("0.00") and with_old.unapplied == D("0.00")


def test_an_acceptance_day_payment_recorded_after_the_plan_is_credited_not_lost():
    late_recorded = PAID_THROUGH_7 + [Payment(ACCEPTED, D("1000.00"), "transfer")]
    st = position(ACCEPTED, late_recorded)
    assert st.payoff == D("12403.65")
    assert [(a.reference, a.amount) for a in st.allocations] == [(ACCEPTANCE_DAY_CREDIT, D("1000.00"))]


def test_paying_the_whole_plan_settles_it_without_future_interest():
    st = position(dt.date(2026, 12, 20), PAID_THROUGH_7 + [Payment(dt.date(2026, 12, 20), D("13403.65"))])
    assert st.settled and st.unapplied == D("0.00")
    assert st.total_paid == D("13403.65")  # the amount restructured, no interest of the months not reached
    assert {a.component for a in st.allocations} == {"principal"}
