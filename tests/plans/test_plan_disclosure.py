"""A plan's full disclosure is exact to the fen: the figures it shows add up to the total it states."""
import datetime as dt
import re
from decimal import Decimal as D

import pytest

from bot.dialogue.explain.plans import plan_disclosure, plan_due_dates
from bot.plans.offers import make_offer

ACCEPTED = dt.date(2026, 12, 1)


def _yuan(pattern: str, text: str) -> D:
    return D(re.search(pattern, text).group(1))


@pytest.mark.parametrize("amount", ["13403.65", "1200.00", "44015.71", "4091.50", "999.99"])
@pytest.mark.parametrize("term", [3, 6, 12, 24, 60])
def test_the_disclosed_payments_add_up_to_the_total_repayment(amount, term):
    offer = make_offer(D(amount), D("0.1825"), term, ACCEPTED)
    text = plan_disclosure(offer)
    monthly = _yuan(r"每月还(\d+\.\d\d)元", text)
    last = _yuan(r"最后一期(\d+\.\d\d)元", text) if "最后一期" in text else monthly
    total = _yuan(r"总还款额(\d+\.\d\d)元", text)
    assert monthly * (term - 1) + last == total
    assert ("最后一期" in text) == (last != monthly)
    assert ("最后一期" in plan_due_dates(offer).split("，", 2)[-1]) == (last != monthly)


def test_b001_twelve_months_names_the_last_period_two_fen_less():
    text = plan_disclosure(make_offer(D("13403.65"), D("0.1825"), 12, ACCEPTED))
    assert "每月还1190.90元（最后一期1190.88元）" in text and "总还款额14290.78元" in text


def test_no_last_period_note_when_every_period_is_the_same():
    for cents in range(100000, 100400):
        offer = make_offer(D(cents) / 100, D("0.1825"), 3, ACCEPTED)
        if offer.last_payment == offer.monthly_payment:
            assert "最后一期" not in plan_disclosure(offer)
            return
    pytest.fail("no amount in the range had equal payments")
