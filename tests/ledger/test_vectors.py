"""Every test vector of ledger.md, computed from the schedule rules (no database)."""
import datetime as dt
from decimal import Decimal as D

import pytest

from bot.ledger.schedule import amortize, apr_from_daily_rate
from bot.ledger.statement import Payment, compute_statement
from bot.plans.offers import offers, pick_affordable, plan_apr, terms_for

AS_OF = dt.date(2026, 12, 1)
# loan: principal, daily rate, months, first due, paid through, extra payments
LOANS = {
    "L001": ("30000", "0.0005", 12, "2026-04-10", 7, []),
    "L002": ("8000", "0.0003", 6, "2026-08-28", 3, []),
    "L003": ("50000", "0.0004", 24, "2026-01-15", 5, []),
    "L004": ("20000", "0.0002", 12, "2026-07-20", 5, []),
    "L005": ("15000", "0.0005", 12, "2026-06-01", 5, []),
    "L006": ("12000", "0.00035", 12, "2026-05-25", 5, []),
    "L007": ("5000", "0.0005", 6, "2026-09-15", 2, [("2026-11-30", "500.00")]),
    "L008": ("10000", "0.00026", 6, "2026-05-20", 6, []),
}
# loan: days overdue, penalty, due now, payoff, next due (date, amount) or None
VECTORS = {
    "L001": (21, "40.22", "2794.19", "13403.65", ("2026-12-10", "2753.97")),
    "L002": (3, "0.00", "1376.24", "4091.50", ("2026-12-28", "1376.24")),
    "L003": (169, "652.31", "15141.35", "44015.71", ("2026-12-15", "2414.84")),
    "L004": (0, "0.00", "0.00", "11843.20", ("2026-12-20", "1733.30")),
    "L005": (30, "27.88", "2781.86", "9363.45", ("2027-01-01", "1376.99")),
    "L006": (37, "22.47", "2163.55", "7349.47", ("2026-12-25", "1070.54")),
    "L007": (16, "0.29", "387.84", "2944.43", ("2026-12-15", "878.25")),
    "L008": (0, "0.00", "0.00", "0.00", None),
}


def statement_for(loan_id, as_of=AS_OF):
    principal, rate, months, first, paid_through, extra = LOANS[loan_id]
    schedule = amortize(D(principal), apr_from_daily_rate(D(rate)), months, dt.date.fromisoformat(first))
    payments = [Payment(i.due_date, i.payment, f"I{i.number}") for i in schedule[:paid_through]]
    payments += [Payment(dt.date.fromisoformat(d), D(a), "extra") for d, a in extra]
    return schedule, compute_statement(schedule, payments, D(rate), as_of)


@pytest.mark.parametrize("loan_id", sorted(VECTORS))
def test_loan_vector(loan_id):
    days, penalty, due_now, payoff, next_due = VECTORS[loan_id]
    _, st = statement_for(loan_id)
    assert st.days_overdue == days
    assert st.penalty_due == D(penalty)
    assert st.amount_due_now == D(due_now)
    assert st.payoff == D(payoff)
    nxt = st.next_installment
    if next_due is None:
        assert nxt is None and st.settled
    else:
        assert (nxt.due_date.isoformat(), nxt.owed(AS_OF)) == (next_due[0], D(next_due[1]))


def test_l001_installment_8_split():
    schedule, _ = statement_for("L001")
    assert (schedule[7].principal, schedule[7].interest) == (D("2553.78"), D("200.19"))


def test_l002_is_in_grace():
    _, st = statement_for("L002")
    assert st.in_grace and st.penalty_due == 0


def test_l005_installment_due_today_is_due_but_not_overdue():
    _, st = statement_for("L005")
    assert [i.number for i in st.due_installments] == [6, 7]
    assert [i.number for i in st.overdue_installments] == [6]


def test_l007_partial_payment_allocation():
    _, st = statement_for("L007")
    extra = [(a.component, a.amount) for a in st.allocations if a.reference == "extra"]
    assert extra == [("penalty", D("9.30")), ("interest", D("51.46")), ("principal", D("439.24"))]
    assert st.installments[2].principal_left == D("387.55")


def test_l007_payment_after_as_of_is_ignored():
    _, st = statement_for("L007", dt.date(2026, 11, 28))
    assert all(a.reference != "extra" for a in st.allocations)


def test_plan_offers_l001():
    found = offers(D("13403.65"), apr_from_daily_rate(D("0.0005")), terms_for(21, None), AS_OF)
    assert [(o.term_months, o.monthly_payment) for o in found] == [
        (3, D("4557.54")), (6, D("2312.78")), (12, D("1190.90"))]
    twelve = found[-1]
    assert twelve.total_repayment == D("14290.78")
    assert twelve.apr == D("0.12")
    assert twelve.first_payment_date == dt.date(2027, 1, 1)


def test_plan_offers_l003_over_90_days():
    terms = terms_for(169, None)
    assert terms == (6, 12, 24, 36, 48, 60)
    found = offers(D("44015.71"), apr_from_daily_rate(D("0.0004")), terms[:3], AS_OF)
    assert [o.monthly_payment for o in found] == [D("7594.84"), D("3910.74"), D("2071.97")]


@pytest.mark.parametrize("days,hardship,terms", [
    (3, None, ()), (4, None, (3, 6, 12)), (30, None, (3, 6, 12)), (31, None, (3, 6, 12, 24)),
    (90, None, (3, 6, 12, 24)), (91, None, (6, 12, 24, 36, 48, 60)), (0, "job_loss", (6, 12, 24, 36, 48, 60)),
    (10, "forgot", (3, 6, 12)), (0, "other", ()),
])
def test_term_ladder(days, hardship, terms):
    assert terms_for(days, hardship) == terms


def test_plan_apr_never_above_caps():
    assert plan_apr(D("0.1825")) == D("0.12")
    assert plan_apr(D("0.073")) == D("0.073")
    assert plan_apr(D("0.36")) == D("0.12")


def test_affordability_picks_shortest_fitting_term():
    found = offers(D("13403.65"), D("0.1825"), (3, 6, 12), AS_OF)
    pick = pick_affordable(found, D("2400"))
    assert pick.fits and pick.offer.term_months == 6
    pick = pick_affordable(found, D("1000"))
    assert not pick.fits and pick.offer.term_months == 12
