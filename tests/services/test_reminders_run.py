"""Reminder runs against the real database: rule 14 at the clock's edges, idempotence, audit."""
import datetime as dt

import pytest

from bot.clock import TZ
from bot.db import models as m
from bot.db.session import session_scope
from bot.services import cases, reminders
from bot.services.plans import accept_plan


class Recorder:
    channel = "test"

    def __init__(self):
        self.sent = []

    def send(self, borrower_id, text):
        self.sent.append((borrower_id, text))
        return True


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def run(url, when, notifier):
    with session_scope(url) as s:
        return reminders.run(s, at(when), notifier)


def test_quiet_hours_edges(sqlite_url):
    n = Recorder()
    assert [r.decision.action for r in run(sqlite_url, "2026-12-01 07:59", n)] == ["defer"] * 6 and n.sent == []
    assert len({r.decision.not_before for r in run(sqlite_url, "2026-12-01 21:00", n)}) == 1
    assert n.sent == []
    run(sqlite_url, "2026-12-01 20:59", n)
    assert sorted(b for b, _ in n.sent) == ["B001", "B002", "B003", "B005", "B006", "B007"]


def test_running_twice_sends_nothing_twice(sqlite_url):
    n = Recorder()
    run(sqlite_url, "2026-12-01 10:00", n)
    first = len(n.sent)
    run(sqlite_url, "2026-12-01 10:05", n)
    assert len(n.sent) == first == 6
    with session_scope(sqlite_url) as s:
        assert s.query(m.OutboxMessage).filter_by(status="sent").count() == 6
        assert s.query(m.AuditEntry).filter_by(action="reminder_sent").count() == 6


def test_daily_and_weekly_caps_across_days(sqlite_url):
    n = Recorder()
    for day in range(1, 10):  # one run a day for nine days; overdue loans get one per day
        run(sqlite_url, f"2026-12-{day:02d} 10:00", n)
    per_borrower = {}
    for b, _ in n.sent:
        per_borrower[b] = per_borrower.get(b, 0) + 1
    assert max(per_borrower.values()) <= 9
    with session_scope(sqlite_url) as s:
        for b in per_borrower:
            sent = sorted(r.sent_at for r in s.query(m.OutboxMessage).filter_by(borrower_id=b, status="sent"))
            for i, t in enumerate(sent):
                window = [u for u in sent if t - dt.timedelta(days=7) < u <= t]
                assert len(window) <= 7
                assert len([u for u in sent if u.date() == t.date()]) <= 2


def test_no_reminders_to_opted_out_disputed_distressed_or_on_plan(sqlite_url, monkeypatch):
    monkeypatch.setenv("BOT_TODAY", "2026-12-01")
    with session_scope(sqlite_url) as s:
        cases.opt_out(s, "B001", "proactive", "c1")
        cases.open_case(s, "dispute", borrower_id="B002", loan_id="L002", conversation_id="c2")
        from bot.handoff.queue import request_handoff

        request_handoff(s, "c3", "B003", "distress")
        accept_plan(s, "B005", 3, dt.date(2026, 12, 1), conversation_id="c5", idempotency_key="k5")
    n = Recorder()
    results = {r.borrower_id: r.decision for r in run(sqlite_url, "2026-12-01 10:00", n)}
    assert sorted(b for b, _ in n.sent) == ["B006", "B007"]
    for b in ("B001", "B002", "B003"):
        assert results[b].action == "drop"
    assert "B005" not in results  # on a plan: not even a candidate
    assert all("坐牢" not in t and "起诉" not in t for _, t in n.sent)


def test_a_plan_stops_reminders_while_current_and_not_once_it_falls_behind(sqlite_url):
    """Rule 14: none to a borrower "whose plan is current". B005 takes 3 months on 2026-12-01
    (first payment 2027-01-01): 3 days before it, nothing; 5 days after it unpaid, the plan
    installment is overdue and the reminder gives the plan's figures, not the old arrears."""
    from bot.services.account import loan_view

    with session_scope(sqlite_url) as s:
        accept_plan(s, "B005", 3, dt.date(2026, 12, 1), conversation_id="c5", idempotency_key="k5")
    with session_scope(sqlite_url) as s:  # the plan's first installment with 5 days' penalty
        owed = loan_view(s, "L005", dt.date(2027, 1, 6)).statement.amount_due_now
    n = Recorder()
    before = {r.borrower_id: r.decision for r in run(sqlite_url, "2026-12-29 10:00", n)}
    assert before["B005"].action == "drop" and "B005" not in [b for b, _ in n.sent]
    run(sqlite_url, "2027-01-06 10:00", n)
    texts = [t for b, t in n.sent if b == "B005"]
    assert len(texts) == 1 and f"您的分期方案本期应还{owed:.2f}元已于2027年1月1日到期" in texts[0] and "已逾期5天" in texts[0]
    assert "看看分期" not in texts[0] and "调整方案" in texts[0]  # already on a plan: no new plan offered
