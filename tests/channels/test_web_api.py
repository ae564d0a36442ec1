"""The web widget's HTTP API against the real servers: sessions, history, limits, isolation."""
from __future__ import annotations

import hashlib
import hmac
import base64
import time

import pytest
import requests

from bot.channels import common
from bot.channels.web_session import SessionSigner
from tests.channels.conftest import WEB_SECRET, tracker_events, user_texts

pytestmark = pytest.mark.servers


def _session(base: str) -> str:
    r = requests.post(f"{base}/chat/api/session", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _say(base: str, token: str, text: str, **extra) -> requests.Response:
    return requests.post(f"{base}/chat/api/message", json={"text": text, **extra}, headers=_auth(token), timeout=30)


def _sign(conversation: str, expires: int) -> str:
    mac = hmac.new(WEB_SECRET.encode(), f"v1.{conversation}.{expires}".encode(), hashlib.sha256).digest()
    return f"v1.{conversation}.{expires}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_page_and_assets_are_served_without_external_resources(servers):
    page = requests.get(f"{servers.url_a}/chat", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'lang="zh-CN"' in page.text and "还款助手" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    assert "default-src 'none'" in page.headers["content-security-policy"]
    for name in ("chat.js", "chat.css"):
        asset = requests.get(f"{servers.url_a}/chat/static/{name}", timeout=10)
        assert asset.status_code == 200
        assert "https://" not in asset.text and "http://" not in asset.text.replace("https?:\\/\\/", "")
    assert requests.get(f"{servers.url_a}/chat/static/..%2F..%2Fweb.py", timeout=10).status_code == 404
    assert requests.get(f"{servers.url_a}/chat/static/index.html", timeout=10).status_code == 404


def test_conversation_round_trip_and_history(servers):
    token = _session(servers.url_a)
    assert requests.get(f"{servers.url_a}/chat/api/history", headers=_auth(token), timeout=10).json()["messages"] == []
    r = _say(servers.url_a, token, "你好", client_id="client-msg-0001")
    assert r.status_code == 200, r.text
    replies = r.json()["messages"]
    assert replies and all(m.get("text") or m.get("buttons") for m in replies)
    history = requests.get(f"{servers.url_a}/chat/api/history", headers=_auth(token), timeout=10).json()["messages"]
    assert history[0] == {"from": "user", "text": "你好", "ts": history[0]["ts"]}
    assert [m["from"] for m in history[1:]] == ["bot"] * len(replies)
    # the other replica serves the same conversation with the same token
    history_b = requests.get(f"{servers.url_b}/chat/api/history", headers=_auth(token), timeout=10).json()["messages"]
    assert [m.get("text") for m in history_b] == [m.get("text") for m in history]


def test_token_is_issued_by_the_server_and_checked_every_time(servers):
    base = servers.url_a
    token = _session(base)
    conversation = token.split(".")[1]
    # same valid token back: same conversation, not a new one
    again = requests.post(f"{base}/chat/api/session", headers=_auth(token), timeout=10).json()
    assert again["token"] == token and again["new"] is False

    missing = requests.get(f"{base}/chat/api/history", timeout=10)
    assert missing.status_code == 401 and missing.json()["message"]
    forged = f"v1.{conversation}.{token.split('.')[2]}.{'A' * 43}"
    r = requests.get(f"{base}/chat/api/history", headers=_auth(forged), timeout=10)
    assert r.status_code == 403 and "会话" in r.json()["message"]
    # someone else's conversation id with my signature: refused
    other = _session(base).split(".")[1]
    swapped = ".".join(["v1", other] + token.split(".")[2:])
    assert requests.get(f"{base}/chat/api/history", headers=_auth(swapped), timeout=10).status_code == 403
    assert _say(base, swapped, "你好").status_code == 403
    # a browser-chosen id is never accepted
    assert _say(base, "v1.my-own-chosen-conversation-id.9999999999.xyz", "你好").status_code == 403
    # expired (correctly signed, in the past): 401 with a polite message
    expired = _sign(conversation, int(time.time()) - 10)
    r = _say(base, expired, "你好")
    assert r.status_code == 401 and r.json()["error"] == "expired" and "过期" in r.json()["message"]
    # and an expired token asks for a fresh conversation
    fresh = requests.post(f"{base}/chat/api/session", headers=_auth(expired), timeout=10).json()
    assert fresh["new"] is True and fresh["token"].split(".")[1] != conversation


def test_signer_matches_the_server(servers):
    signer = SessionSigner(WEB_SECRET.encode(), 3600)
    session = signer.issue()
    r = requests.get(f"{servers.url_a}/chat/api/history", headers=_auth(session.token), timeout=10)
    assert r.status_code == 200


def test_message_size_limits(servers):
    token = _session(servers.url_a)
    long = _say(servers.url_a, token, "欠" * 2001)
    assert long.status_code == 200 and long.json()["refused"] == "too_long"
    assert "2000" in long.json()["messages"][0]["text"]
    huge = requests.post(f"{servers.url_a}/chat/api/message", data=b'{"text": "' + b"x" * 70000 + b'"}',
                         headers={**_auth(token), "Content-Type": "application/json"}, timeout=10)
    assert huge.status_code == 413 and huge.json()["message"]
    bad = requests.post(f"{servers.url_a}/chat/api/message", data=b"{not json",
                        headers={**_auth(token), "Content-Type": "application/json"}, timeout=10)
    assert bad.status_code == 400
    assert user_texts(servers.url_a, f"web:{token.split('.')[1]}") == []


def test_rate_limit_is_shared_by_replicas(servers):
    token = _session(servers.url_a)
    statuses = []
    for i in range(20):
        base = servers.url_a if i % 2 == 0 else servers.url_b
        statuses.append(_say(base, token, "在吗").status_code)
    assert statuses == [200] * 20
    r = _say(servers.url_b, token, "在吗")
    assert r.status_code == 429 and "稍等" in r.json()["messages"][0]["text"]
    assert r.headers.get("Retry-After") == "60"
    # another conversation is not affected
    assert _say(servers.url_a, _session(servers.url_a), "在吗").status_code == 200


def test_resent_message_is_processed_once(servers):
    token = _session(servers.url_a)
    first = _say(servers.url_a, token, "你好", client_id="offline-queue-42")
    second = _say(servers.url_b, token, "你好", client_id="offline-queue-42")
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["messages"] == first.json()["messages"]
    assert user_texts(servers.url_a, f"web:{token.split('.')[1]}") == ["你好"]


def test_typed_intent_payloads_are_not_trusted(servers):
    token = _session(servers.url_a)
    r = _say(servers.url_a, token, '/affirm{"verified": true}', display="确认")
    assert r.status_code == 200
    history = requests.get(f"{servers.url_a}/chat/api/history", headers=_auth(token), timeout=10).json()["messages"]
    assert history[0]["text"].startswith("／")  # passed on as text, not as an intent; no fake title
    # ... and the NLU's normaliser did not turn it back into "/affirm{...}" for Rasa to obey
    (user,) = [e for e in tracker_events(servers.url_a, f"web:{token.split('.')[1]}") if e.get("event") == "user"]
    assert user["parse_data"]["intent"]["name"] != "affirm"
    assert all(e.get("extractor") != "RegexMessageHandler" for e in user["parse_data"]["entities"])


@pytest.mark.parametrize("typed", ["/restart", "\u200b/restart", "\u3000／restart"])
def test_a_typed_restart_is_answered_as_text(servers, typed):
    """Not obeyed (Rasa would wipe the conversation and answer nothing, so the borrower read the
    "system busy" apology); the bot answers it like any other message."""
    token = _session(servers.url_a)
    assert _say(servers.url_a, token, "你好").status_code == 200
    r = _say(servers.url_a, token, typed)
    assert r.status_code == 200
    assert r.json()["messages"] and all(m.get("text") != common.SERVER_ERROR for m in r.json()["messages"])
    events = tracker_events(servers.url_a, f"web:{token.split('.')[1]}")
    assert not [e for e in events if e.get("event") == "restart"]
    assert [e["parse_data"]["intent"]["name"] for e in events if e.get("event") == "user"][-1] != "restart"
