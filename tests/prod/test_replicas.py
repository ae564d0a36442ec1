"""Two replicas behind nginx share one conversation consistently (PostgreSQL trackers, Redis locks).

Slow-ish (starts a 2-replica cluster once, ~1 min); run with ``pytest tests/prod``.
"""
from __future__ import annotations

import concurrent.futures as cf
import uuid

import requests

from bot.bench.client import WebChat, buttons
from bot.bench.portfolio import generate
from bot.db import models as m
from bot.db.session import session_scope
from tests.prod.helpers import assert_turns_well_formed, sender_of, tracker_events

B001 = "身份证后四位3512 生日1988年3月12日"


def test_prod_surface_is_closed(prod_cluster):
    lb = prod_cluster.lb_url
    assert requests.post(f"{lb}/webhooks/rest/webhook", json={"sender": "x", "message": "你好"}, timeout=10).status_code == 404
    assert requests.post(f"{prod_cluster.rasa_url(0)}/webhooks/rest/webhook", json={"sender": "x", "message": "你好"},
                         timeout=10).status_code == 404
    assert requests.get(f"{lb}/status", timeout=10).status_code == 404  # the API is not behind the LB
    assert requests.get(f"{prod_cluster.rasa_url(0)}/status", timeout=10).status_code in (401, 403)
    assert requests.get(f"{prod_cluster.rasa_url(0)}/status", params={"token": prod_cluster.cfg.rasa_token}, timeout=10).ok


def test_one_conversation_alternating_between_replicas(prod_cluster):
    chat = WebChat(prod_cluster.lb_url).start()
    replicas = prod_cluster.replica_urls
    script = ["你好", B001, "我还欠多少钱", "为什么扣款失败了", "我想办分期"]
    replies = [chat.say(text, base_url=replicas[n % 2]) for n, text in enumerate(script)]
    assert "验证成功" in replies[1][0]["text"]
    assert "2794.19" in "".join(r.get("text", "") for r in replies[2])
    twelve = next(b for b in buttons(replies[4]) if b["title"] == "12期")
    assert "1190.90" in chat.text(twelve["payload"], display="12期", base_url=replicas[1])
    assert "已为您办理12期分期" in chat.text("确认", base_url=replicas[0])
    sent = script + [twelve["payload"], "确认"]
    sender = sender_of(prod_cluster, chat)
    e0, e1 = tracker_events(prod_cluster, sender, 0), tracker_events(prod_cluster, sender, 1)
    assert e0 == e1  # both replicas read the same stored conversation
    assert assert_turns_well_formed(e0) == sent
    with session_scope(prod_cluster.cfg.database_url) as s:
        plans = s.query(m.Plan).filter_by(loan_id="L001").all()
        assert [(str(p.monthly_payment), p.term_months, p.status) for p in plans] == [("1190.90", 12, "active")]


def _verified_chat(cluster, n: int) -> tuple[WebChat, str]:
    borrower, _ = generate(n + 1)[n]
    chat = WebChat(cluster.lb_url).start()
    assert "验证成功" in chat.text(borrower.factors)
    return chat, borrower.loan_id


def test_concurrent_messages_from_one_sender_are_serialized(prod_cluster):
    """Six messages of one conversation at once, to both replicas and the LB, three rounds. With
    Rasa's own RedisLockStore one of them was lost in 2 runs out of 3 (bot/prod/lock_store.py)."""
    chat, _ = _verified_chat(prod_cluster, 0)
    messages = ["我还欠多少钱", "为什么逾期", "什么时候到期", "逾期有什么影响", "怎么还款", "罚息多少"]
    urls = prod_cluster.replica_urls + [prod_cluster.lb_url]
    sent: list[str] = []
    for _ in range(3):
        with cf.ThreadPoolExecutor(len(messages)) as pool:
            futures = [pool.submit(chat.post, text, None, uuid.uuid4().hex, urls[n % 3]) for n, text in enumerate(messages)]
            responses = [f.result() for f in futures]
        assert [r.status_code for r in responses] == [200] * len(messages)
        assert all(r.json()["messages"] for r in responses), [r.json() for r in responses]
        sent += messages
    texts = assert_turns_well_formed(tracker_events(prod_cluster, sender_of(prod_cluster, chat), 1))
    # nothing lost, nothing doubled; the order within a round is the order the lock store granted
    assert sorted(texts[-len(sent):]) == sorted(sent), texts
    assert texts[:-len(sent)][-1] == generate(1)[0][0].factors


def test_plan_confirmation_sent_twice_concurrently_creates_one_plan(prod_cluster):
    chat, loan_id = _verified_chat(prod_cluster, 1)
    offered = buttons(chat.say("我想分期"))
    assert offered, chat.transcript[-1]
    pick = next((b for b in offered if b["title"] == "12期"), offered[-1])
    chat.say(pick["payload"], display=pick["title"])
    urls = prod_cluster.replica_urls
    with cf.ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(chat.post, "确认", None, uuid.uuid4().hex, url) for url in urls]
        responses = [f.result() for f in futures]
    assert [r.status_code for r in responses] == [200, 200]
    replies = ["".join(m.get("text", "") for m in r.json()["messages"]) for r in responses]
    assert any("已为您办理" in t for t in replies), replies
    with session_scope(prod_cluster.cfg.database_url) as s:
        assert s.query(m.Plan).filter_by(loan_id=loan_id).count() == 1
