"""Audit: every message recorded and masked; exports masked; purge refuses young entries."""
import datetime as dt
import json
import re

import pytest

from bot.clock import TZ
from bot.db import models as m
from bot.db.session import session_scope
from bot.errors import RuleViolation
from bot.outgoing.audit_broker import record_event
from bot.services import audit_export

FULL_NUMBERS = re.compile(r"\d{11,}|\d{17}[\dXx]")


def test_messages_are_recorded_masked(sqlite_url):
    assert record_event({"event": "user", "sender_id": "c9", "timestamp": 1764550000.0,
                         "text": "我身份证110101199003071234 手机13812341001 卡号6222021234567890123",
                         "parse_data": {"intent": {"name": "inform_identity", "confidence": 0.9}}})
    assert record_event({"event": "bot", "sender_id": "c9", "timestamp": 1764550001.0, "text": "身份验证成功",
                         "data": {"buttons": [{"title": "转人工"}]}, "metadata": {"utter_action": "utter_verification_passed"}})
    assert not record_event({"event": "slot", "name": "x"})
    with session_scope(sqlite_url) as s:
        rows = s.query(m.AuditEntry).filter_by(conversation_id="c9").order_by(m.AuditEntry.id).all()
        assert [r.action for r in rows] == ["message_in", "message_out"]
        assert not FULL_NUMBERS.search(rows[0].text), rows[0].text
        assert rows[1].detail["buttons"] == ["转人工"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_exports_are_masked(sqlite_url, fmt):
    from bot.services import audit

    with session_scope(sqlite_url) as s:
        audit.record(s, "verification_passed", conversation_id="c1", borrower_id="B001")
        audit.record(s, "message_in", actor="borrower", conversation_id="c1",
                     text="手机13812341001 身份证11010119900307123X 住在北京市朝阳区建国路88号", detail={"raw": "13812341001"})
        out = audit_export.export(audit_export.entries(s, "B001", None), fmt)
    assert "message_in" in out and not FULL_NUMBERS.search(out), out
    assert "建国路88号" not in out
    if fmt == "jsonl":
        assert all(json.loads(line) for line in out.splitlines())


def test_purge_refuses_young_entries_and_deletes_old_ones(sqlite_url, monkeypatch):
    from bot.services import audit

    monkeypatch.setenv("BOT_TODAY", "2026-12-01")
    with session_scope(sqlite_url) as s:
        audit.record(s, "old", at=dt.datetime(2023, 1, 1, tzinfo=TZ))
        audit.record(s, "young")
    with pytest.raises(RuleViolation), session_scope(sqlite_url) as s:
        audit_export.purge(s, dt.date(2025, 6, 1))
    with session_scope(sqlite_url) as s:
        assert audit_export.purge(s, dt.date(2024, 1, 1)) == 1
    with session_scope(sqlite_url) as s:
        assert [e.action for e in s.query(m.AuditEntry)] == ["young"]
