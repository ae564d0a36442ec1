"""Fast tests without the bot servers: tokens, the store, WeChat helpers, the template notifier."""
from __future__ import annotations

import os
import stat
import threading
import time
from types import SimpleNamespace

import pytest

from bot.channels import common
from bot.channels.store import ChannelStore, MemoryRateLimiter
from bot.channels.wechat import map_choice, render_text
from bot.channels.wechat_api import ApiClient, WeChatSettings, text_chunks
from bot.channels.wechat_notifier import DeliveryResult, WeChatTemplateNotifier
from bot.channels.web_session import EXPIRED, INVALID, MISSING, SessionError, SessionSigner, bearer, load_secret
from bot.errors import ConfigError
from tests.channels.conftest import WECHAT_APP_ID, WECHAT_APP_SECRET

SECRET = b"k" * 48


# -- web session tokens ---------------------------------------------------------------------------
def test_tokens_round_trip_and_are_unguessable():
    signer = SessionSigner(SECRET, 3600)
    a, b = signer.issue(), signer.issue()
    assert a.conversation != b.conversation and len(a.conversation) >= 32
    assert signer.verify(a.token).conversation == a.conversation
    assert a.sender_id == f"web:{a.conversation}"


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),               # signature changed
    lambda t: t.replace(t.split(".")[2], str(int(t.split(".")[2]) + 999)),      # expiry extended
    lambda t: "v2" + t[2:],
    lambda t: t.split(".", 1)[1],
    lambda t: "garbage",
    lambda t: t + ".extra",
])
def test_tampered_tokens_are_refused(mangle):
    signer = SessionSigner(SECRET, 3600)
    with pytest.raises(SessionError) as err:
        signer.verify(mangle(signer.issue().token))
    assert err.value.status == 403


def test_other_secret_expired_and_missing():
    token = SessionSigner(SECRET, 3600).issue().token
    with pytest.raises(SessionError) as err:
        SessionSigner(b"z" * 48, 3600).verify(token)
    assert err.value is INVALID
    old = SessionSigner(SECRET, 60).issue(now=time.time() - 120).token
    with pytest.raises(SessionError) as err:
        SessionSigner(SECRET, 60).verify(old)
    assert err.value is EXPIRED and err.value.status == 401
    with pytest.raises(SessionError) as err:
        SessionSigner(SECRET, 60).verify(None)
    assert err.value is MISSING
    assert bearer("Bearer abc") == "abc" and bearer("Basic abc") is None and bearer(None) is None


def test_demo_secret_is_generated_once_with_private_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("BOT_WEB_SECRET", raising=False)
    monkeypatch.setenv("BOT_PROFILE", "demo")
    path = tmp_path / "var" / "web_secret"
    monkeypatch.setenv("BOT_WEB_SECRET_FILE", str(path))
    first = load_secret()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret() == first and len(first) >= 32


def test_secret_rules(monkeypatch, tmp_path):
    monkeypatch.setenv("BOT_WEB_SECRET", "short")
    with pytest.raises(ConfigError):
        load_secret()
    monkeypatch.delenv("BOT_WEB_SECRET")
    monkeypatch.setenv("BOT_PROFILE", "prod")
    monkeypatch.setenv("BOT_WEB_SECRET_FILE", str(tmp_path / "s"))
    with pytest.raises(ConfigError, match="BOT_WEB_SECRET is required"):
        load_secret()
    monkeypatch.setenv("BOT_WEB_SECRET", "x" * 40)
    assert load_secret() == b"x" * 40


# -- the store (SQLite and PostgreSQL) ------------------------------------------------------------
def test_claims_are_exclusive_under_concurrency(db_url):
    store = ChannelStore(db_url)
    store.ensure_schema()
    results = []

    def claim():
        results.append(ChannelStore(db_url).claim("wechat", "msg:1", "wx:o1").claimed)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    store.finish("wechat", "msg:1", "replied", [{"text": "好的"}])
    again = store.claim("wechat", "msg:1", "wx:o1")
    assert not again.claimed and again.status == "replied" and again.reply == [{"text": "好的"}]
    store.finish("wechat", "msg:1", "sent")  # a status change without a reply keeps the reply
    assert store.status("wechat", "msg:1") == "sent"
    assert store.claim("wechat", "msg:1", "wx:o1").reply == [{"text": "好的"}]
    store.finish("wechat", "no-such-message", "sent")  # unknown ids: nothing to update, no error
    assert store.status("wechat", "no-such-message") is None
    store.release("wechat", "msg:1")
    assert store.claim("wechat", "msg:1", "wx:o1").claimed


def test_a_stale_processing_claim_is_taken_over_by_exactly_one_retry(db_url):
    store = ChannelStore(db_url)
    store.ensure_schema()
    assert store.claim("web", "c:m1", "web:c", stale_after=0.2).claimed
    fresh = store.claim("web", "c:m1", "web:c", stale_after=0.2)
    assert not fresh.claimed and fresh.status == "processing" and not fresh.retaken  # its replica may be busy
    time.sleep(0.3)  # ... or dead: the claim goes stale
    results = []

    def retry():
        results.append(ChannelStore(db_url).claim("web", "c:m1", "web:c", stale_after=0.2))

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [c.retaken for c in results].count(True) == 1 and [c.claimed for c in results].count(True) == 1
    store.finish("web", "c:m1", "replied", [{"text": "好的"}])
    time.sleep(0.3)
    done = store.claim("web", "c:m1", "web:c", stale_after=0.2)  # a finished message is never retaken
    assert not done.claimed and done.reply == [{"text": "好的"}]


def test_replicas_offering_choices_at_once_never_fail(db_url):
    store = ChannelStore(db_url)
    store.ensure_schema()
    offers = [[{"title": f"{n}期", "payload": f"/p{n}"}] for n in range(8)]
    errors = []

    def offer(buttons):
        try:
            ChannelStore(db_url).set_choices("web:race", buttons)
        except Exception as exc:  # noqa: BLE001 - the assertion names it
            errors.append(exc)

    threads = [threading.Thread(target=offer, args=(b,)) for b in offers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and store.get_choices("web:race") in offers


def test_rate_limit_window(db_url):
    store = ChannelStore(db_url)
    assert [store.allow("web:c1", 3, 60) for _ in range(4)] == [True, True, True, False]
    assert store.allow("web:c2", 3, 60)
    assert store.allow("web:c3", 1, 0.05)
    time.sleep(0.1)
    assert store.allow("web:c3", 1, 0.05)  # the window slid past the first event
    memory = MemoryRateLimiter()
    assert [memory.allow("k", 2, 60) for _ in range(3)] == [True, True, False]


def test_kv_expiry_and_choices(db_url):
    store = ChannelStore(db_url)
    store.kv_set("a", "1", ttl=60)
    store.kv_set("b", "2")
    store.kv_set("c", "3", ttl=0.01)
    time.sleep(0.05)
    assert store.kv_get("a") == "1" and store.kv_get("b") == "2"
    assert store.kv_get("c") is None  # expired
    store.kv_set("a", "4", ttl=60)
    assert store.kv_get("a") == "4"
    buttons = [{"title": "12期", "payload": "/choose{\"t\":12}"}]
    store.set_choices("web:x", buttons)
    assert store.get_choices("web:x") == buttons
    later = [{"title": "确认", "payload": "/affirm"}, {"title": "再想想", "payload": "/deny"}]
    store.set_choices("web:x", later)  # the last offer replaces the one before
    assert store.get_choices("web:x") == later and store.get_choices("web:y") == []
    store.set_choices("web:x", [])
    assert store.get_choices("web:x") == []
    store.set_choices("web:x", [])  # nothing offered, nothing to clear: no error


# -- shared helpers ---------------------------------------------------------------------------------
def test_guard_payload():
    offered = [{"title": "12期", "payload": "/choose_plan{\"term\": 12}"}]
    assert common.guard_payload("/choose_plan{\"term\": 12}", offered) == "/choose_plan{\"term\": 12}"
    assert common.guard_payload("/verified{\"ok\": true}", offered) == "／verified{\"ok\": true}"
    assert common.guard_payload("你好", offered) == "你好"


def test_wechat_choices_render_and_map_back():
    buttons = [{"title": "6期", "payload": "/p6"}, {"title": "12期", "payload": "/p12"}]
    text = render_text({"text": "请选择期数", "buttons": buttons})
    assert "1. 6期" in text and "2. 12期" in text and "回复数字" in text
    assert map_choice("2", buttons) == ("/p12", "12期")
    assert map_choice(" 12期 ", buttons) == ("/p12", "12期")
    assert map_choice("3", buttons) == ("3", None)
    assert map_choice("12", buttons) == ("12", None)
    assert map_choice("1", []) == ("1", None)


def test_text_chunks_fit_wechat_limits():
    long = "\n".join(["您的还款计划如下，请核对每一期的金额与日期。" * 3] * 40)
    pieces = text_chunks(long)
    assert len(pieces) > 1 and all(len(p.encode()) <= 2000 for p in pieces)
    assert "".join(p.replace("\n", "") for p in pieces) == long.replace("\n", "")
    single = "款" * 3000
    assert all(len(p.encode()) <= 2000 for p in text_chunks(single)) and "".join(text_chunks(single)) == single


def test_wechat_settings_from_env(monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", "tok")
    monkeypatch.setenv("WECHAT_AES_KEY", "short")
    with pytest.raises(ConfigError):
        WeChatSettings.load()
    monkeypatch.setenv("WECHAT_AES_KEY", "a" * 43)
    monkeypatch.setenv("WECHAT_API_BASE", "http://127.0.0.1:9/")
    monkeypatch.setenv("BOT_PROFILE", "prod")
    cfg = WeChatSettings.load({"token": "from-credentials"})
    assert cfg.token == "tok" and cfg.api_base == "http://127.0.0.1:9" and cfg.allow_plaintext is False
    monkeypatch.setenv("BOT_PROFILE", "demo")
    assert WeChatSettings.load().allow_plaintext is True


# -- the template notifier --------------------------------------------------------------------------
def _notifier(stub, db_url) -> WeChatTemplateNotifier:
    cfg = WeChatSettings(token="t", app_id=WECHAT_APP_ID, app_secret=WECHAT_APP_SECRET, aes_key=None,
                         api_base=stub.url, http_timeout=3)
    return WeChatTemplateNotifier(cfg, store=ChannelStore(db_url))


def test_template_notifier_sends_through_the_api(fresh_stub, sqlite_url):  # a migrated database: the channel tables come with migration 0005
    notifier = _notifier(fresh_stub, sqlite_url)
    data = {"first": "您的借款本期应还款项提醒", "keyword1": {"value": "2794.19元", "color": "#173177"}}
    assert notifier.send("o_borrower_B001", "TPL_REMIND_1", data) is True
    result = notifier.deliver(SimpleNamespace(openid="o_borrower_B001", template_id="TPL_REMIND_1", data=data,
                                              url="https://bank.example/repay"))
    assert result == DeliveryResult(True, provider_message_id="200228332")
    sent = fresh_stub.of("/cgi-bin/message/template/send")
    assert len(sent) == 2
    assert sent[0]["body"]["touser"] == "o_borrower_B001" and sent[0]["body"]["template_id"] == "TPL_REMIND_1"
    assert sent[0]["body"]["data"]["first"] == {"value": "您的借款本期应还款项提醒"}
    assert sent[0]["body"]["data"]["keyword1"] == {"value": "2794.19元", "color": "#173177"}
    assert sent[1]["body"]["url"] == "https://bank.example/repay"
    assert len(fresh_stub.of("/cgi-bin/token")) == 1  # token cached between the two sends


def test_template_notifier_failures(fresh_stub, sqlite_url):  # a migrated database: the channel tables come with migration 0005
    notifier = _notifier(fresh_stub, sqlite_url)
    gone = notifier.deliver({"openid": "o_unfollowed_user", "template_id": "T", "data": {}})
    assert not gone and gone.error_code == 43004 and gone.retryable is False and "关注" in gone.error
    busy = notifier.deliver({"recipient": "o_busy_user", "template_id": "T", "data": {}})
    assert not busy and busy.retryable is True
    assert notifier.deliver({"openid": "bad openid!", "template_id": "T", "data": {}}).error_code == 40003
    down = WeChatTemplateNotifier(WeChatSettings(token=None, app_id=WECHAT_APP_ID, app_secret=WECHAT_APP_SECRET,
                                                 aes_key=None, api_base="http://127.0.0.1:9", http_timeout=1),
                                  store=ChannelStore(sqlite_url))
    result = down.deliver({"openid": "o_someone", "template_id": "T", "data": {}})
    assert not result and result.retryable is True


def test_api_client_needs_credentials():
    with pytest.raises(ConfigError):
        ApiClient(WeChatSettings(token="t", app_id=None, app_secret=None, aes_key=None))


def test_channel_texts_pass_the_content_filter():
    from bot.channels import wechat
    from bot.compliance.content_filter import check

    texts = [wechat.WELCOME, wechat.UNSUPPORTED, wechat.VOICE_UNCLEAR, common.TOO_LONG.format(limit=2000),
             common.TOO_FAST, common.TOO_MANY_SESSIONS, common.BODY_TOO_LARGE, common.BAD_REQUEST, common.EMPTY,
             common.SERVER_ERROR]
    for text in texts:
        assert check(text).allowed, text


def test_template_notifier_refuses_blocked_content(fresh_stub, tmp_path):
    notifier = _notifier(fresh_stub, f"sqlite:///{tmp_path / 'n.db'}")
    result = notifier.deliver({"openid": "o_borrower_B001", "template_id": "T",
                               "data": {"first": "再不还款就让公安上门抓你去坐牢"}})
    assert not result and result.retryable is False and "合规" in result.error
    assert fresh_stub.of("/cgi-bin/message/template/send") == []


def test_reminder_adapter_fits_the_notifier_protocol(fresh_stub, sqlite_url):
    from bot.channels.wechat_notifier import WeChatReminderNotifier

    inner = _notifier(fresh_stub, sqlite_url)
    bound = {"B001": "o_borrower_B001"}
    adapter = WeChatReminderNotifier("TPL_REMIND_1", bound.get, notifier=inner, extra={"first": "还款提醒"})
    assert adapter.channel == "wechat_template"
    assert adapter.send("B001", "您的本期应还2794.19元，还款日2026年12月10日。") is True
    sent = fresh_stub.of("/cgi-bin/message/template/send")[0]["body"]
    assert sent["data"]["content"]["value"].startswith("您的本期应还2794.19元")
    assert sent["data"]["first"] == {"value": "还款提醒"}
    assert adapter.send("B999", "text") is False and "未绑定" in adapter.last_result.error


def test_channel_replies_are_audited(sqlite_url):
    from sqlalchemy import select

    from bot.db import models as m
    from bot.db.session import session_scope

    common.audit_exchange("wx:o_audit_test", "wechat", inbound="[image]", reply=common.TOO_FAST, reason="unsupported_type",
                          database_url=sqlite_url)
    with session_scope(sqlite_url) as s:
        rows = s.execute(select(m.AuditEntry).where(m.AuditEntry.conversation_id == "wx:o_audit_test")).scalars().all()
        assert sorted(r.action for r in rows) == ["message_in", "message_out"]
        assert {r.detail["handled_by"] for r in rows} == {"channel"}
