"""Queue, summary, accounts/sessions, transcript masking, wait hint and CLI — no servers."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot import clock
from bot.console import auth
from bot.db import models as m
from bot.db.session import session_scope
from bot.handoff import queue, relay, summary


# -- accounts and sessions ------------------------------------------------------------------------------
def test_passwords_are_salted_scrypt_and_verified_in_constant_form():
    a, b = auth.hash_password("same-password-1"), auth.hash_password("same-password-1")
    assert a != b and a.startswith("scrypt$16384$8$1$")  # a salt per hash
    assert auth.verify_password("same-password-1", a) and not auth.verify_password("same-password-2", a)
    assert not auth.verify_password("x", "pbkdf2$garbage") and not auth.verify_password("x", "nonsense")


def test_add_user_validates_and_stores_only_a_hash(sqlite_url):
    with session_scope(sqlite_url) as s:
        row = auth.add_user(s, "Zhang.San", "long-enough-pw", "supervisor")
        assert row.name == "zhang.san" and "long-enough-pw" not in row.password_hash
        with pytest.raises(auth.AuthError):
            auth.add_user(s, "zhang.san", "long-enough-pw")  # exists
        for bad in ("x", "名字", "a" * 23, "has space"):
            with pytest.raises(auth.AuthError):
                auth.add_user(s, bad, "long-enough-pw")
        with pytest.raises(auth.AuthError):
            auth.add_user(s, "shorty", "short")
        with pytest.raises(auth.AuthError):
            auth.add_user(s, "rolebad", "long-enough-pw", "admin")
        assert auth.seed_demo(s).name == "demo"
        assert auth.check_login(s, "demo", "demo-collector-2026").collector is not None


def test_lockout_after_five_wrong_passwords(sqlite_url):
    with session_scope(sqlite_url) as s:
        auth.add_user(s, "lock", "right-password", "collector")
        now = 1_000_000.0
        for _ in range(auth.MAX_FAILED):
            assert auth.check_login(s, "lock", "wrong-password", now).collector is None
        result = auth.check_login(s, "lock", "right-password", now + 60)
        assert result.collector is None and "锁定" in result.error
        assert auth.check_login(s, "lock", "right-password", now + auth.LOCK_SECONDS + 1).collector is not None
        assert auth.check_login(s, "nobody", "whatever").error == auth.check_login(s, "lock", "bad").error


def test_sessions_expire_when_idle_and_csrf_is_per_session(sqlite_url):
    with session_scope(sqlite_url) as s:
        user = auth.add_user(s, "sess", "right-password", "collector")
        pre = auth.new_prelogin(s, now=100.0)
        assert auth.current_user(s, pre.token, now=101.0) is None  # a pre-login row is not a login
        assert auth.prelogin_csrf(s, pre.token, now=101.0) == pre.csrf
        token, csrf = auth.start_session(s, user, old_token=pre.token, now=100.0)
        assert auth.prelogin_csrf(s, pre.token, now=101.0) is None  # replaced: no session fixation
        me = auth.current_user(s, token, now=200.0)
        assert me.name == "sess" and me.csrf == csrf and me.actor == "collector:sess"
        token2, csrf2 = auth.start_session(s, user, now=200.0)
        assert csrf2 != csrf and auth.csrf_ok(csrf, csrf) and not auth.csrf_ok(csrf, csrf2)
        assert not auth.csrf_ok(csrf, None) and not auth.csrf_ok(None, "")
        assert auth.current_user(s, token, now=200.0 + auth.idle_seconds() + 5) is None  # idle too long
        stored = s.scalars(select(m.ConsoleSession.id_hash)).all()
        assert token2 not in stored  # only hashes are stored
        auth.end_session(s, token2)
        assert auth.current_user(s, token2, now=201.0) is None


# -- the queue -------------------------------------------------------------------------------------------
def _users(s):
    for name, role in (("ann", "collector"), ("bob", "collector"), ("sue", "supervisor")):
        auth.add_user(s, name, "a-long-password", role)


def test_distress_first_then_longest_waiting_and_need_to_know(db_url, pinned_today):
    with session_scope(db_url) as s:
        _users(s)
        first = queue.request_handoff(s, "c-human", None, "request_human")
        complaint = queue.request_handoff(s, "c-complaint", None, "complaint")
        distress = queue.request_handoff(s, "c-distress", None, "distress")
        assert [e.id for e in queue.open_entries(s, collector="ann")] == [distress.id, complaint.id, first.id]
        queue.claim(s, complaint.id, "ann")
        assert complaint.id not in [e.id for e in queue.open_entries(s, collector="bob")]
        assert complaint.id in [e.id for e in queue.open_entries(s, collector="ann")]
        assert complaint.id in [e.id for e in queue.open_entries(s, collector="bob", supervisor=True)]
        assert queue.may_view(complaint, "sue", True) and not queue.may_view(complaint, "bob", False)
        # a second request on the same conversation raises priority, never lowers it
        again = queue.request_handoff(s, "c-human", None, "distress")
        assert again.id == first.id and again.priority == 0


def test_claim_is_atomic_across_sessions(db_url, pinned_today):
    with session_scope(db_url) as s:
        _users(s)
        hid = queue.request_handoff(s, "c-race", None, "request_human").id
    results = []

    def claim(name):
        try:
            with session_scope(db_url) as s:
                queue.claim(s, hid, name)
            results.append(name)
        except queue.QueueError:
            results.append(None)

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("ann", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results.count(None) == 1  # exactly one winner
    with session_scope(db_url) as s:
        entry = s.get(m.Handoff, hid)
        assert entry.status == "claimed" and entry.claimed_by in {"ann", "bob"}
        winner = entry.claimed_by
        assert queue.claim(s, hid, winner).claimed_by == winner  # a double click is fine
        with pytest.raises(queue.QueueError):
            queue.hand_back(s, entry, winner, outcome="not-a-code")
        queue.close(s, entry, winner, "resolved_other")
        assert entry.status == "closed" and entry.outcome == "resolved_other"
        with pytest.raises(queue.QueueError):
            queue.claim(s, hid, "ann")
        # a closed conversation asking again gets a new entry
        assert queue.request_handoff(s, "c-race", None, "request_human").id != hid
        actions = [a for a, in s.execute(select(m.AuditEntry.action).where(m.AuditEntry.conversation_id == "c-race"))]
        assert {"handoff_claimed", "handoff_closed"} <= set(actions)


def test_reassign_only_to_an_active_collector(sqlite_url, pinned_today):
    with session_scope(sqlite_url) as s:
        _users(s)
        entry = queue.request_handoff(s, "c-re", None, "dispute")
        with pytest.raises(queue.QueueError):
            queue.reassign(s, entry.id, "ghost", "sue")
        queue.reassign(s, entry.id, "bob", "sue")
        assert entry.status == "claimed" and entry.claimed_by == "bob"
        assert [h.kind for h in queue.history(s, entry.id)] == ["reassigned"]


# -- the summary ----------------------------------------------------------------------------------------
def test_summary_verified_shows_masked_identity_and_figures_as_of_today(sqlite_url, pinned_today):
    with session_scope(sqlite_url) as s:
        entry = queue.request_handoff(s, "c-ver", "B001", "request_human")
        state = summary.ConversationState(exists=True, verified=True, borrower_id="B001",
                                          last_intents=("greet", "inform_identity", "request_human"))
        card = summary.summary(s, entry, state)
        assert card["verified"] and card["borrower"] == "张*（B001）"
        assert card["borrower_detail"]["id_tail"].endswith("3512") and card["borrower_detail"]["id_tail"].startswith("***")
        assert card["borrower_detail"]["phone_tail"] == "*******1001"
        assert card["loan"]["amount_due_now"] == "2794.19" and card["loan"]["days_overdue"] == 21
        assert card["as_of"] == "2026-12-01" and card["last_intents"][-1] == "request_human"
        assert "张伟" not in str(card)


@pytest.mark.parametrize("state", [
    summary.ConversationState(exists=True, verified=False),
    summary.ConversationState(exists=True, verified=True, borrower_id="B001", third_party=True),
])
def test_summary_unverified_or_third_party_has_no_identity_or_figures(sqlite_url, pinned_today, state):
    with session_scope(sqlite_url) as s:
        # even if the bot stored a borrower id at handoff, the tracker now says: not verified
        entry = queue.request_handoff(s, "c-unver", "B001", "request_human")
        card = summary.summary(s, entry, state)
        assert card["loan"] is None and "borrower_detail" not in card and "promises" not in card
        assert card["borrower"] == "未验证身份" and card["notice"]
        assert "2794" not in str(card) and "B001" not in str(card)


# -- transcript and relay helpers -------------------------------------------------------------------------
def test_transcript_masks_personal_data_and_identity_factors():
    events = [
        {"event": "user", "text": "身份证后四位3512，生日1988年3月12日", "timestamp": 1.0,
         "parse_data": {"intent": {"name": "inform_identity"}, "entities": [{"entity": "id_last4", "value": "3512"}]}},
        {"event": "user", "text": "我的卡号6222021234561234，电话13810011001", "timestamp": 2.0,
         "parse_data": {"intent": {"name": "inform"}, "entities": []}},
        {"event": "bot", "text": "好的", "timestamp": 3.0, "metadata": {"collector": "ann"}},
        {"event": "pause", "timestamp": 4.0},
        {"event": "bot", "text": "", "timestamp": 5.0},
    ]
    items = relay.transcript_items(events)
    assert "3512" not in items[0]["text"] and "1988" not in items[0]["text"]
    assert "6222021234561234" not in items[1]["text"] and "138****1001" in items[1]["text"]
    assert items[2] == {"from": "collector", "text": "好的", "ts": 3.0, "collector": "ann"}
    assert items[3]["from"] == "system" and len(items) == 4
    assert [i["ts"] for i in relay.transcript_items(events, start=2)] == [3.0, 4.0]


def test_bot_event_is_a_rasa_bot_utterance_marked_as_a_collectors():
    from rasa.shared.core.events import BotUttered, Event

    event = Event.from_parameters(relay.bot_event("您好", "ann", handoff_id=7))
    assert isinstance(event, BotUttered) and event.text == "您好" and event.metadata["collector"] == "ann"


def test_wait_hint_says_when_outside_service_hours(monkeypatch):
    monkeypatch.setenv("BOT_SERVICE_HOURS", "9-21")
    monkeypatch.setenv("BOT_NOW", "2026-12-01 10:00")
    assert "几分钟" in queue.wait_hint()
    monkeypatch.setenv("BOT_NOW", "2026-12-01 22:30")
    assert "明天9:00" in queue.wait_hint()
    monkeypatch.setenv("BOT_NOW", "2026-12-01 07:10")
    assert "今天9:00" in queue.wait_hint() and "办理" in queue.wait_hint()
    assert "办理" not in queue.wait_hint("distress") and "110" in queue.wait_hint("distress")
    # verification locked: no account can be looked at meanwhile, so it is not offered (found live)
    locked = queue.wait_hint("verification_locked")
    assert "查询和办理" not in locked and "暂时不能查询账户" in locked
    monkeypatch.setenv("BOT_SERVICE_HOURS", "8-20")
    monkeypatch.setenv("BOT_NOW", "2026-12-01 20:00")
    assert "明天8:00" in queue.wait_hint()


def test_waiting_text():
    entry = m.Handoff(requested_at=clock.parse_datetime("2026-12-01 10:00"))
    assert queue.waiting(entry, clock.parse_datetime("2026-12-01 10:00:30")).text == "不到1分钟"
    assert queue.waiting(entry, clock.parse_datetime("2026-12-01 10:07")).minutes == 7
    assert queue.waiting(entry, clock.parse_datetime("2026-12-01 11:05")).text == "1小时5分钟"


# -- CLI ---------------------------------------------------------------------------------------------
def test_cli_add_user_seed_demo_list_and_disable(sqlite_url, monkeypatch):
    from typer.testing import CliRunner

    from bot.console.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["add-user", "wang", "--role", "supervisor", "--password", "wang-password-1"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["add-user", "zhao"], input="zhao-password-1\nzhao-password-1\n")  # prompted
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["add-user", "bad", "--role", "admin", "--password", "whatever-long"])
    assert r.exit_code != 0
    monkeypatch.setenv("BOT_PROFILE", "prod")
    assert runner.invoke(app, ["seed-demo"]).exit_code != 0  # a public password has no place in prod
    monkeypatch.setenv("BOT_PROFILE", "demo")
    assert runner.invoke(app, ["seed-demo"]).exit_code == 0
    listing = runner.invoke(app, ["list-users"]).output
    assert "wang\tsupervisor\tactive" in listing and "zhao\tcollector" in listing and "demo\tcollector" in listing
    assert runner.invoke(app, ["disable", "zhao"]).exit_code == 0
    with session_scope(sqlite_url) as s:
        assert auth.check_login(s, "zhao", "zhao-password-1").collector is None
        assert auth.check_login(s, "demo", auth.DEMO_PASSWORD).collector.role == "collector"


def test_migration_0004_up_and_down(tmp_path):
    from alembic import command

    from bot.db.migrate import alembic_config, current_revision, head_revision, upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "0003")
    assert current_revision(url) == "0003"
    command.upgrade(alembic_config(url), "0004")
    assert current_revision(url) == "0004"
    upgrade(url)
    assert current_revision(url) == head_revision()
