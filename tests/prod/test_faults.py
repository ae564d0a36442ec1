"""Faults in the prod cluster, each on the real services: an action server killed mid-conversation,
PostgreSQL restarted, Redis down, a Rasa replica killed under load.

Rasa logs "Encountered an exception while running action" and ends the turn without a word; the web
channel (bot/channels/web.py) answers with an apology instead. The PostgreSQL and Redis tests stop
the machine's own servers and start them again (as ``ensure_postgres``/``ensure_redis`` would).
"""
from __future__ import annotations

import concurrent.futures as cf
import re
import subprocess
import time
import uuid

import pytest
import requests

from bot.bench.client import WebChat, scripted_conversation
from bot.bench.portfolio import generate
from bot.db import models as m
from bot.db.session import session_scope
from tests.conftest import ensure_postgres, postgres_cluster_version
from tests.prod.conftest import ensure_redis
from tests.prod.helpers import assert_turns_well_formed, sender_of, tracker_events

AMOUNTS = re.compile(r"\d+\.\d{2}")


def _borrower(n: int):
    return generate(n + 1)[n][0]


def _verified(cluster, n: int, **kw) -> WebChat:
    chat = WebChat(cluster.lb_url, **kw).start()
    assert "验证成功" in chat.text(_borrower(n).factors), chat.transcript[-1]
    return chat


def _wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not come back within {timeout:.0f} s")


def test_action_server_killed_mid_conversation_borrower_gets_an_apology_then_recovers(prod_cluster):
    replica0 = prod_cluster.rasa_url(0)
    chat = WebChat(prod_cluster.lb_url).start()
    assert "验证成功" in chat.text(_borrower(2).factors, base_url=replica0)
    prod_cluster.kill("actions-0")
    try:
        messages = chat.say("我还欠多少钱", base_url=replica0)  # needs a custom action
        text = "".join(m.get("text", "") for m in messages)
        assert "抱歉" in text and not AMOUNTS.search(text), messages
    finally:
        prod_cluster.start_action_server(0)
        _wait_healthy(f"{prod_cluster.action_url(0)}/health")
    # back: the same conversation, on the same replica, is answered from the ledger again
    assert AMOUNTS.search(chat.text("我还欠多少钱", base_url=replica0)), chat.transcript[-1]


def _restart_postgres() -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", postgres_cluster_version(), "main", "restart",
                    "-m", "fast"],
                   check=True, timeout=120, capture_output=True)
    ensure_postgres()


def test_postgresql_restarted_mid_conversation_the_conversation_continues(prod_cluster):
    chat = _verified(prod_cluster, 3)
    before = chat.text("我还欠多少钱")
    assert AMOUNTS.search(before)
    _restart_postgres()  # every pooled connection of every replica and action server is now dead
    for i in range(prod_cluster.cfg.replicas):  # the first turn on each replica after the restart
        after = chat.text("我还欠多少钱", base_url=prod_cluster.rasa_url(i))
        assert AMOUNTS.findall(after) == AMOUNTS.findall(before), (before, after)
    texts = assert_turns_well_formed(tracker_events(prod_cluster, sender_of(prod_cluster, chat)))
    assert texts[-3:] == ["我还欠多少钱"] * 3  # nothing lost, nothing doubled


def _refuse_connections(database: str, refuse: bool) -> None:
    """Make one database unreachable (new connections refused, open ones ended), or reachable again."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
            sql.Identifier(database), sql.SQL("false" if refuse else "true")))
        if refuse:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
    conn.close()


@pytest.mark.parametrize("which", ["ledger", "tracker"])
def test_a_database_unreachable_the_turn_is_refused_politely_and_the_conversation_kept(prod_cluster, which):
    """With the ledger database down the channel cannot take the message in; with the conversation
    database down Rasa's FailSafeTrackerStore would run the turn on an empty tracker (the borrower
    asked to verify again) and keep it in one replica's memory. Either way: HTTP 500 with "re-send",
    nothing recorded, and the re-sent message is answered with the borrower still verified."""
    from bot.prod.profile import _pg_parts

    chat = _verified(prod_cluster, 5 if which == "ledger" else 6)
    sender = sender_of(prod_cluster, chat)
    before = tracker_events(prod_cluster, sender)
    database = _pg_parts(prod_cluster.cfg.database_url if which == "ledger" else prod_cluster.cfg.tracker_url)["db"]
    client_id = uuid.uuid4().hex
    _refuse_connections(database, True)
    try:
        for url in prod_cluster.replica_urls:  # each replica, each with its own pool
            r = chat.post("我还欠多少钱", None, client_id if url == prod_cluster.rasa_url(0) else uuid.uuid4().hex, url)
            assert r.status_code == 500, r.text
            assert r.json()["error"] == "server_error" and "重新发送" in r.json()["message"], r.text
    finally:
        _refuse_connections(database, False)
    assert tracker_events(prod_cluster, sender) == before  # nothing half-processed, nowhere
    r = chat.post("我还欠多少钱", None, client_id)  # the widget re-sends
    assert r.status_code == 200, r.text
    assert AMOUNTS.search("".join(x.get("text", "") for x in r.json()["messages"])), r.json()  # still verified
    texts = assert_turns_well_formed(tracker_events(prod_cluster, sender))
    assert texts.count("我还欠多少钱") == 1


def _redis(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", *args], capture_output=True, text=True,
                          timeout=30)


def test_redis_down_a_clear_error_no_corrupted_state_and_the_resend_is_processed_once(prod_cluster):
    chat = _verified(prod_cluster, 4)
    sender = sender_of(prod_cluster, chat)
    events_before = tracker_events(prod_cluster, sender)
    client_id = uuid.uuid4().hex
    _redis("shutdown", "nosave")
    try:
        r = chat.post("我还欠多少钱", None, client_id)
        assert r.status_code == 500, r.text
        body = r.json()
        assert body["error"] == "server_error" and "稍后" in body["message"] and "没有丢失" in body["message"]
        assert tracker_events(prod_cluster, sender) == events_before  # nothing half-processed
    finally:
        ensure_redis()
    r = chat.post("我还欠多少钱", None, client_id)  # the widget re-sends the same message
    assert r.status_code == 200 and AMOUNTS.search("".join(x.get("text", "") for x in r.json()["messages"]))
    again = chat.post("我还欠多少钱", None, client_id)  # and a duplicate is answered, not processed
    assert again.status_code == 200 and again.json().get("duplicate") is True
    texts = assert_turns_well_formed(tracker_events(prod_cluster, sender))
    assert texts.count("我还欠多少钱") == 1


def test_a_replica_killed_under_load_the_other_serves_with_no_duplicate_writes(prod_cluster):
    """Eight borrowers run the whole scripted conversation (verify → balance → why → plan → confirm)
    through nginx; one replica is SIGKILLed mid-run. Every conversation completes (the client
    re-sends like the widget: same client id), each borrower ends with exactly one plan, and no
    message is in a tracker twice."""
    borrowers = [_borrower(n) for n in range(10, 18)]
    chats = [WebChat(prod_cluster.lb_url, retry_for=120).start() for _ in borrowers]
    with cf.ThreadPoolExecutor(len(chats)) as pool:
        futures = [pool.submit(scripted_conversation, chat, b.factors) for chat, b in zip(chats, borrowers)]
        time.sleep(2.0)  # everyone is mid-conversation
        prod_cluster.kill("rasa-1")
        try:
            errors = [f.exception(timeout=300) for f in futures]
        finally:
            prod_cluster.start_replica(1)
    assert errors == [None] * len(chats), errors
    with session_scope(prod_cluster.cfg.database_url) as s:
        for b in borrowers:
            assert s.query(m.Plan).filter_by(loan_id=b.loan_id).count() == 1, b.id
    for chat in chats:
        texts = assert_turns_well_formed(tracker_events(prod_cluster, sender_of(prod_cluster, chat)))
        assert len(texts) == len(set(texts)) == 8, texts
    prod_cluster.wait_ready(240)  # the killed replica is back for the tests after this one
