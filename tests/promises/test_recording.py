"""Recording a promise: once per retried request, and once per day and amount on the loan (a real database)."""
import datetime as dt
from decimal import Decimal as D

from bot.db import models as m
from bot.db.session import session_scope
from bot.services import promises

TODAY = dt.date(2026, 12, 1)


def test_the_same_day_and_amount_open_on_the_loan_is_not_recorded_twice(db_url, pinned_today):
    # found by a probe: a collector recorded 12-20 / 2000, the borrower asked after it, and the bot recorded it again
    with session_scope(db_url) as s:
        first, created = promises.record(s, "B001", dt.date(2026, 12, 20), D("2000.00"), TODAY,
                                         conversation_id="console", idempotency_key="collector-1")
        assert created
        again, created_again = promises.record(s, "B001", dt.date(2026, 12, 20), D("2000"), TODAY,
                                               conversation_id="chat", idempotency_key="bot-1")
        assert not created_again and again.id == first.id
        other, created_other = promises.record(s, "B001", dt.date(2026, 12, 21), D("2000.00"), TODAY,
                                               conversation_id="chat", idempotency_key="bot-2")
        assert created_other and other.id != first.id
    with session_scope(db_url) as s:
        assert s.query(m.Promise).join(m.Loan).filter(m.Loan.borrower_id == "B001").count() == 2
