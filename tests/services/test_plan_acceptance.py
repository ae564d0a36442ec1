"""Accepting a plan against the real database: what it does to the promises already on the loan."""
import datetime as dt
from decimal import Decimal

from bot.db import models as m
from bot.db.session import session_scope
from bot.services import promises
from bot.services.account import loan_view
from bot.services.plans import accept_plan

TODAY = dt.date(2026, 12, 1)


def test_a_plan_replaces_the_open_promises_so_they_never_turn_broken(sqlite_url):
    # found by a probe: 「我明天还全部」 recorded, then a plan the same day; three days later the promise was
    # broken, and broken promises are read back to the borrower
    with session_scope(sqlite_url) as s:
        promise, _ = promises.record(s, "B005", dt.date(2026, 12, 2), Decimal("1000.00"), TODAY,
                                     conversation_id="c", idempotency_key="p1")
        promise_id = promise.id
        plan, created = accept_plan(s, "B005", 3, TODAY, conversation_id="c", idempotency_key="k1")
        assert created
    with session_scope(sqlite_url) as s:
        assert s.get(m.Promise, promise_id).status == "replaced"
        later = loan_view(s, "L005", dt.date(2026, 12, 5))
        assert [p.status for p in later.promises if p.id == promise_id] == ["replaced"]
        assert not [p for p in later.promises if p.status == "broken" and p.id == promise_id]
        logged = s.query(m.AuditEntry).filter_by(action="plan_accepted").one()
        assert logged.detail["replaces_promises"] == [promise_id]


def test_a_promise_broken_before_the_plan_stays_broken(sqlite_url):
    with session_scope(sqlite_url) as s:
        promise, _ = promises.record(s, "B005", dt.date(2026, 12, 2), Decimal("1000.00"), TODAY,
                                     conversation_id="c", idempotency_key="p2")
        promise_id = promise.id
    with session_scope(sqlite_url) as s:  # the day passed unpaid; the plan comes after it
        accept_plan(s, "B005", 3, dt.date(2026, 12, 4), conversation_id="c", idempotency_key="k2")
    with session_scope(sqlite_url) as s:
        assert s.get(m.Promise, promise_id).status == "broken"
