"""The WeChat Official Account channel, driven over HTTP exactly as WeChat's servers call it,
against the real Rasa + action servers, with a local stub of the WeChat API for the async path."""
from __future__ import annotations

import secrets
import time

import pytest
import requests

from bot.channels.store import ChannelStore
from tests.channels.conftest import WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_TOKEN, tracker_events, user_texts
from tests.channels.wechat_sim import (
    ACCOUNT,
    WeChatSim,
    event_xml,
    image_xml,
    location_xml,
    text_xml,
    voice_xml,
)

pytestmark = pytest.mark.servers


def _openid() -> str:
    return "o" + secrets.token_urlsafe(20).replace("-", "A").replace("_", "B")


def _msg_id() -> int:
    return secrets.randbelow(10**15) + 10**15


@pytest.fixture(scope="module")
def wx(servers) -> WeChatSim:
    return WeChatSim(servers.url_a, WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_AES_KEY)


@pytest.fixture(scope="module")
def wx_b(servers) -> WeChatSim:
    """Replica B: its passive budget is 0 s, so every reply is late and goes via custom/send."""
    return WeChatSim(servers.url_b, WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_AES_KEY)


@pytest.fixture(scope="module")
def store(servers) -> ChannelStore:
    return ChannelStore(servers.database_url)


def test_url_verification_echoes_and_refuses_forgery(wx):
    ok = wx.verify_url("echo-1234567890")
    assert ok.status_code == 200 and ok.text == "echo-1234567890"
    forged = wx.verify_url("echo-1234567890", forge=True)
    assert forged.status_code == 403 and "echo" not in forged.text
    stale = requests.get(wx.url, params={**wx._params(timestamp=str(int(time.time()) - 3600)), "echostr": "x"}, timeout=10)
    assert stale.status_code == 403


def test_plaintext_text_message_gets_a_passive_reply(wx, servers):
    openid = _openid()
    r = wx.post(text_xml(openid, "你好", _msg_id()), openid=openid)
    assert r.status_code == 200, r.text
    reply = wx.read_reply(r)
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == openid and reply["FromUserName"] == ACCOUNT
    assert reply["Content"].strip()
    assert user_texts(servers.url_a, f"wx:{openid}") == ["你好"]


@pytest.mark.parametrize("mode", ["safe", "compat"])
def test_encrypted_message_gets_an_encrypted_reply(wx, servers, mode):
    openid = _openid()
    r = wx.post(text_xml(openid, "你好", _msg_id()), openid=openid, mode=mode)
    assert r.status_code == 200, r.text
    assert "<Encrypt>" in r.text and "<Content>" not in r.text  # nothing readable on the wire
    reply = wx.read_reply(r, encrypted=True)
    assert reply["ToUserName"] == openid and reply["Content"].strip()
    assert user_texts(servers.url_a, f"wx:{openid}") == ["你好"]


def test_forged_signatures_are_refused_and_nothing_is_processed(wx, servers, store):
    openid = _openid()
    msg_id = _msg_id()
    forged = wx.post(text_xml(openid, "你好", msg_id), openid=openid, forge=True)
    assert forged.status_code == 403
    bad_msg_sig = wx.post(text_xml(openid, "你好", msg_id), openid=openid, mode="safe", forge_msg_signature=True)
    assert bad_msg_sig.status_code == 403
    unsigned = requests.post(wx.url, data=text_xml(openid, "你好", msg_id).encode(), timeout=10)
    assert unsigned.status_code == 403
    assert store.status("wechat", f"msg:{msg_id}") is None
    assert user_texts(servers.url_a, f"wx:{openid}") == []


def test_replayed_msgid_is_processed_once_even_across_replicas(wx, wx_b, servers):
    openid = _openid()
    xml = text_xml(openid, "你好", _msg_id())
    first = wx.post(xml, openid=openid)
    again = wx.post(xml, openid=openid)          # WeChat's retry: same MsgId, new nonce/timestamp
    other = wx_b.post(xml, openid=openid)         # the retry landing on another replica
    assert first.status_code == again.status_code == other.status_code == 200
    # a retry of an answered message gets the same answer (WeChat shows one of them)
    assert wx.read_reply(again)["Content"] == wx.read_reply(first)["Content"]
    assert wx.read_reply(other)["Content"] == wx.read_reply(first)["Content"]
    assert user_texts(servers.url_a, f"wx:{openid}") == ["你好"]


def test_body_over_one_megabyte_is_refused(wx):
    openid = _openid()
    big = text_xml(openid, "你" * 10, _msg_id()).replace("</xml>", "<Pad>" + "x" * (1024 * 1024) + "</Pad></xml>")
    r = wx.post(big, openid=openid)
    assert r.status_code == 413

    def chunks():  # no Content-Length: the limit must hold for a streamed body too
        yield b"<xml>"
        for _ in range(40):
            yield b"x" * 32768
        yield b"</xml>"

    params = wx._params(openid)
    r = requests.post(wx.url, params=params, data=chunks(), timeout=20)
    assert r.status_code == 413


@pytest.mark.parametrize("body", [
    "<xml><ToUserName>gh</ToUserName><FromUserName>",                   # cut off
    "this is not xml",
    "<xml><MsgType>text</MsgType></xml>",                                # no sender
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><xml><FromUserName>&e;</FromUserName></xml>',
])
def test_malformed_xml_is_refused(wx, body):
    r = wx.post(body)
    assert r.status_code == 400


def test_subscribe_gets_the_welcome_message(wx, servers):
    openid = _openid()
    r = wx.post(event_xml(openid, "subscribe"), openid=openid)
    reply = wx.read_reply(r)
    assert "自动还款助手" in reply["Content"] and "不是人工" in reply["Content"]
    # and no amount or loan detail before verification
    assert not any(ch.isdigit() for ch in reply["Content"])
    unsubscribe = wx.post(event_xml(openid, "unsubscribe"), openid=openid)
    assert unsubscribe.status_code == 200 and unsubscribe.text == "success"
    # answered by the channel, not Rasa: the channel writes the audit entries itself
    from sqlalchemy import select

    from bot.db import models as m
    from bot.db.session import session_scope

    with session_scope(servers.database_url) as s:
        actions = s.execute(select(m.AuditEntry.action).where(m.AuditEntry.conversation_id == f"wx:{openid}")).scalars().all()
    assert sorted(actions) == ["message_in", "message_out"]


def test_voice_with_recognition_is_handled_as_text(wx, servers):
    openid = _openid()
    r = wx.post(voice_xml(openid, "你好", _msg_id()), openid=openid)
    reply = wx.read_reply(r)
    assert reply["Content"].strip()
    assert user_texts(servers.url_a, f"wx:{openid}") == ["你好"]
    unclear = wx.post(voice_xml(openid, "", _msg_id()), openid=openid)
    assert "语音" in wx.read_reply(unclear)["Content"]


@pytest.mark.parametrize("make", [image_xml, location_xml])
def test_other_message_types_get_a_polite_answer(wx, servers, make):
    openid = _openid()
    r = wx.post(make(openid, _msg_id()), openid=openid)
    reply = wx.read_reply(r)
    assert "文字" in reply["Content"] and "抱歉" in reply["Content"]
    assert user_texts(servers.url_a, f"wx:{openid}") == []


def test_late_reply_goes_out_through_the_customer_service_api(wx_b, servers):
    openid = _openid()
    msg_id = _msg_id()
    r = wx_b.post(text_xml(openid, "你好", msg_id), openid=openid)
    assert r.status_code == 200 and r.text == "success"
    sent = servers.stub.wait_for("/cgi-bin/message/custom/send", lambda c: (c["body"] or {}).get("touser") == openid)
    assert sent, f"no custom/send for {openid}; calls: {servers.stub.calls}"
    body = sent[0]["body"]
    assert body["msgtype"] == "text" and body["text"]["content"].strip()
    assert sent[0]["query"]["access_token"].startswith("STUB_TOKEN_")
    assert servers.stub.of("/cgi-bin/token"), "the access token was not fetched from the configured API base"
    # a retry of the same message after the late answer is not processed again
    retry = wx_b.post(text_xml(openid, "你好", msg_id), openid=openid)
    assert retry.text == "success"
    time.sleep(0.5)
    assert len(servers.stub.wait_for("/cgi-bin/message/custom/send",
                                      lambda c: (c["body"] or {}).get("touser") == openid)) == 1
    assert user_texts(servers.url_b, f"wx:{openid}") == ["你好"]
    status = ChannelStore(servers.database_url).status("wechat", f"msg:{msg_id}")
    assert status == "sent"


def test_access_token_is_cached_and_shared(wx_b, servers):
    openids = [_openid() for _ in range(3)]
    for openid in openids:
        assert wx_b.post(text_xml(openid, "你好", _msg_id()), openid=openid).text == "success"
    for openid in openids:
        assert servers.stub.wait_for("/cgi-bin/message/custom/send", lambda c, o=openid: (c["body"] or {}).get("touser") == o)
    # one token for the whole run: cached in the shared database, not fetched per message
    assert len(servers.stub.of("/cgi-bin/token")) == 1


def test_button_payloads_only_from_offered_choices(wx, servers):
    """A typed "/intent{...}" is not taken as an intent unless the bot offered that button."""
    openid = _openid()
    r = wx.post(text_xml(openid, '/affirm{"x": "1"}', _msg_id()), openid=openid)
    assert r.status_code == 200
    events = [e for e in tracker_events(servers.url_a, f"wx:{openid}") if e.get("event") == "user"]
    assert events and events[0]["text"].startswith("／")
