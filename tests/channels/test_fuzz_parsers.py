"""Property-based fuzz tests of everything the channels parse from the outside world.

No Rasa or action server is started: the request handlers (``WeChatInput._receive`` and
``WebChatInput._handle_message``, which parse inline) are driven with a tiny stand-in for Sanic's
request, an in-memory store and a stub bot, so the real parsing, signature and decryption code runs.

The error contract asserted here, as the channel code defines it:

* ``common.read_body``        → the body, or ``common.BodyTooLarge`` (mapped to 413); nothing else.
* ``SessionSigner.verify``    → a ``Session``, or ``SessionError`` (401 missing/expired, 403 invalid).
* ``WeChatInput._signature_ok`` → a bool, never an exception (a bad signature is a 403).
* WeChat webhook POST         → 200 (``success`` or a passive reply), 400 (malformed), 403 (signature,
  AppID, plaintext refused) or 413; never 500 and never an exception escaping to Sanic.
* web ``/api/message``        → 200, 400, 401/403 or 413; never 500 and never an exception.
* the pure helpers (``clean_buttons``, ``guard_payload``, ``outgoing``, ``last_buttons``,
  ``safe_id``, ``bearer``, ``map_choice``, ``render_text``, ``text_chunks``) never raise on the
  shapes they are given and are deterministic.
"""
from __future__ import annotations

import asyncio
import hashlib
import re
import string
from types import SimpleNamespace
from typing import Any
from unittest import mock
from xml.sax.saxutils import escape

import pytest
import xmltodict
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import UserMessage
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from bot.channels import common
from bot.channels.store import Claim
from bot.channels.web import WebChatInput
from bot.channels.web_session import EXPIRED, INVALID, MISSING, SessionError, SessionSigner, bearer
from bot.channels.wechat import WeChatInput, map_choice, render_text
from bot.channels.wechat_api import WeChatSettings, text_chunks

FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
HANDLER_FUZZ = settings(FUZZ, max_examples=120)  # each example runs a request handler
HEAVY = settings(FUZZ, max_examples=120)  # costly nested inputs to generate

SECRET = b"fuzz-secret-" + b"x" * 40
NOW = 1_800_000_000.0
TTL = 3600.0
WX_TOKEN = "fuzzToken2026"
WX_APP_ID = "wx0123456789abcdef"
WX_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
B64URL = string.ascii_letters + string.digits + "-_"

# -- strategies ------------------------------------------------------------------------------------
NASTY = ["", " ", "\x00", "\n", "\r\n", "\t", "\ufeff", "\u202e", "\u200b", "😀", "👨‍👩‍👧‍👦", "🇨🇳",
         "／", "/", "//", "/inform{\"amount\": 1}", "/restart", "\\", "'", '"', "<", ">", "&", "]]>",
         "<![CDATA[", "&amp;", "&#0;", "%00", "${x}", "{{x}}", "null", "NaN", "-0", "1e309",
         "９", "١٢٣", "²", "Ⅻ", "İ", "ß", "ǅ", "Ω", "K", "还款", "我想分期", "24期", "2", "2。", " 1 ",
         "x" * 2001, "还" * 700, "😀" * 600, "9" * 5000]
# what Sanic can hand over in a query string or header: str without lone surrogates
no_surrogates = st.characters(blacklist_categories=("Cs",))
wire_text = st.one_of(st.text(no_surrogates, max_size=60), st.sampled_from(NASTY),
                      st.lists(st.sampled_from(NASTY), max_size=4).map("".join))
any_text = st.one_of(st.text(max_size=80), st.sampled_from(NASTY),
                     st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(0, 2500)))
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                      st.text(max_size=20), st.sampled_from(NASTY[:40]))
json_value = st.recursive(json_leaf, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                            st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                          max_leaves=6)


def button_like() -> st.SearchStrategy:
    """What Rasa (or a custom action) may put into ``buttons``: mostly dicts, sometimes junk."""
    good = st.fixed_dictionaries({"title": json_leaf, "payload": json_leaf})
    keyed = st.dictionaries(st.sampled_from(["title", "payload", "type", "url"]), json_value, max_size=4)
    return st.one_of(good, keyed, json_value)


buttons_lists = st.one_of(st.none(), st.lists(button_like(), max_size=4))
offered_buttons = st.lists(st.fixed_dictionaries({
    "title": st.one_of(st.sampled_from(["24期", "12期", "是", "否", "转人工", "A"]), st.text(min_size=1, max_size=10)),
    "payload": st.one_of(st.sampled_from(["/affirm", "/deny", "/inform{\"months\":24}", "/human"]),
                         st.text(max_size=12).map(lambda s: "/" + s), st.text(max_size=12)),
}), max_size=5)


def bot_message() -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={
        "text": json_leaf, "buttons": buttons_lists, "quick_replies": buttons_lists, "image": json_leaf,
        "custom": st.one_of(json_value, st.fixed_dictionaries({"text": json_leaf})),
        "recipient_id": st.text(max_size=5),
    })


# XML as WeChat sends it, mangled: right and wrong fields, nesting, CDATA, entities, junk
WX_FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "EventKey",
             "Recognition", "MediaId", "Format", "PicUrl", "Ticket", "Encrypt", "MsgDataId", "Idx"]
xml_value_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"), max_size=30),
    st.sampled_from(["text", "event", "voice", "image", "location", "link", "video", "file", "TEXT", "Event",
                     "device_event", "subscribe", "SUBSCRIBE", "unsubscribe", "CLICK", "SCAN", "qrscene_42",
                     "scanbarcode|x", "o_user-1", "gh_account", "0", "-1", "abc", "1.5", "１２３", "1e9", " 12 ",
                     "9" * 5000, "99999999999999999999", "我想分期", "/restart", "😀"]),
    st.integers().map(str),
    st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
)
xml_leaf = st.one_of(xml_value_text.map(escape),
                     xml_value_text.filter(lambda s: "]]>" not in s).map(lambda s: f"<![CDATA[{s}]]>"))
xml_inner = st.recursive(
    xml_leaf,
    lambda kids: st.lists(st.tuples(st.sampled_from(WX_FIELDS + ["a", "b"]), kids), min_size=1, max_size=2)
    .map(lambda items: "".join(f"<{t}>{v}</{t}>" for t, v in items)),
    max_leaves=3)


@st.composite
def wechat_xml(draw) -> str:
    fields: list[tuple[str, str]] = []
    if draw(st.integers(0, 9)):
        fields.append(("ToUserName", draw(st.one_of(st.just("<![CDATA[gh_account]]>"), xml_inner))))
    if draw(st.integers(0, 9)):
        fields.append(("FromUserName", draw(st.one_of(st.just("<![CDATA[o_user-1]]>"), xml_inner))))
    if draw(st.integers(0, 9)):
        fields.append(("MsgType", draw(st.one_of(st.sampled_from(
            ["<![CDATA[text]]>", "<![CDATA[event]]>", "<![CDATA[voice]]>", "<![CDATA[image]]>", "text"]), xml_inner))))
    # other fields, duplicates of the ones above included
    fields += draw(st.lists(st.tuples(st.sampled_from(WX_FIELDS), xml_inner), max_size=5))
    body = "".join(f"<{t}>{v}</{t}>" for t, v in draw(st.permutations(fields)))
    root = draw(st.sampled_from(["xml", "xml", "xml", "XML", "root"]))
    prefix = draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>', "\ufeff", " \n",
                                   '<!DOCTYPE xml [<!ENTITY e "boom">]>']))
    doc = f"{prefix}<{root}>{body}</{root}>"
    cut = draw(st.one_of(st.none(), st.integers(0, max(len(doc) - 1, 0))))  # sometimes truncated
    return doc if cut is None else doc[:cut]


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                  '<xml><ToUserName>gh</ToUserName><FromUserName>o_user</FromUserName>'
                  '<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>')
XXE = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       '<xml><ToUserName>gh</ToUserName><FromUserName>o_user</FromUserName>'
       '<MsgType>text</MsgType><Content>&x;</Content><MsgId>1</MsgId></xml>')
body_bytes = st.one_of(
    wechat_xml().map(lambda s: s.encode("utf-8")),
    st.binary(max_size=600),
    any_text.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"<xml/>", b"<xml></xml>", b"<xml><MsgType>text</MsgType></xml>", b"\xff\xfe<\x00x\x00",
                     BILLION_LAUGHS.encode(), XXE.encode(), b"<" * 5000, b"<a>" * 3000]),
)


# -- test doubles --------------------------------------------------------------------------------
class FakeStore:
    """In-memory stand-in for ChannelStore: every message is new, nothing is rate limited."""

    def __init__(self, choices: list[dict[str, str]] | None = None) -> None:
        self.choices = choices or []
        self.finished: list[tuple[str, str]] = []

    def claim(self, channel, key, conversation, stale_after=None):
        assert isinstance(key, str) and isinstance(conversation, str)
        return Claim(True, "processing")

    def finish(self, channel, key, status, reply=None):
        self.finished.append((key, status))

    def release(self, channel, key):
        pass

    def allow(self, key, limit, window_seconds):
        return True

    def get_choices(self, conversation):
        return list(self.choices)

    def set_choices(self, conversation, buttons):
        pass


class FakeBot:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, Any]] = []

    async def __call__(self, message: UserMessage) -> None:
        self.seen.append((message.text, message.sender_id, message.metadata))
        await message.output_channel.send_text_message(message.sender_id, "收到")


class FakeStream:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)

    async def read(self):
        return self.chunks.pop(0) if self.chunks else None


def fake_request(*, args: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                 body: bytes = b"", stream: FakeStream | None = None):
    async def retrieve(sender_id):
        return None

    agent = SimpleNamespace(tracker_store=SimpleNamespace(retrieve=retrieve))
    return SimpleNamespace(args=args or {}, headers={k.lower(): v for k, v in (headers or {}).items()},
                           body=body, stream=stream, remote_addr="127.0.0.1", ip="127.0.0.1",
                           app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)))


@pytest.fixture(scope="module", autouse=True)
def _no_audit_database():
    """Canned answers are audited into the database; the fuzz tests have none."""
    with mock.patch.object(common, "audit_exchange", lambda *a, **k: None):
        yield


_LOOP = asyncio.new_event_loop()


@pytest.fixture(scope="module", autouse=True)
def _close_loop():
    yield
    _LOOP.close()


def run(coro):
    return _LOOP.run_until_complete(coro)


# == common.py =====================================================================================
@HEAVY
@given(buttons_lists)
def test_clean_buttons_yields_only_text_title_and_payload(buttons):
    cleaned = common.clean_buttons(buttons)
    assert isinstance(cleaned, list) and len(cleaned) <= len(buttons or [])
    for b in cleaned:
        assert set(b) == {"title", "payload"}
        assert isinstance(b["title"], str) and b["title"] != ""
        assert isinstance(b["payload"], str)
    assert common.clean_buttons(cleaned) == cleaned  # idempotent
    assert common.clean_buttons(buttons) == cleaned  # deterministic


@FUZZ
@given(any_text, offered_buttons)
@example("/restart", [{"title": "重来", "payload": "/restart"}])
@example("/inform{\"months\":24}", [])
def test_guard_payload_lets_only_offered_payloads_through(text, offered):
    result = common.guard_payload(text, offered)
    assert len(result) == len(text) and result[1:] == text[1:]
    if result.startswith("/"):
        assert any(result == b["payload"] for b in offered)
    if not text.startswith("/") or any(text == b["payload"] for b in offered):
        assert result == text
    else:
        assert result == "／" + text[1:]
    assert common.guard_payload(result, offered) == result  # stable when applied twice


@HEAVY
@given(st.lists(bot_message(), max_size=4))
def test_outgoing_and_last_buttons_normalise_any_bot_messages(messages):
    out = common.outgoing(messages)
    assert len(out) <= len(messages)
    for item in out:
        assert item and set(item) <= {"text", "buttons", "image"}
        assert all(isinstance(item[k], str) and item[k] for k in ("text", "image") if k in item)
        if "buttons" in item:
            assert item["buttons"] and item["buttons"] == common.clean_buttons(item["buttons"])
    assert common.outgoing(out) == out  # a fixed point: channels may re-normalise stored replies
    assert common.outgoing(messages) == out
    last = common.last_buttons(out)
    assert last == (out[-1].get("buttons", []) if out else [])


@FUZZ
@given(st.one_of(any_text, st.none(), st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)))
@example("o_user\n")
@example("a" * 65)
def test_safe_id_accepts_exactly_the_documented_alphabet(value):
    expected = bool(value) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value) is not None
    assert common.safe_id(value) is expected


@FUZZ
@given(st.one_of(st.none(), wire_text), st.one_of(st.binary(max_size=300), st.just(b"x" * 1025)),
       st.booleans(), st.integers(0, 8))
@example("9" * 5000, b"", False, 0)
@example("-1", b"abc", False, 0)
@example(" 5 ", b"abc", True, 1)
def test_read_body_returns_the_body_or_body_too_large(declared, body, streamed, chunks):
    limit = 1024
    headers = {} if declared is None else {"Content-Length": declared}
    if streamed:
        size = max(1, len(body) // max(chunks, 1))
        parts = [body[i:i + size] for i in range(0, len(body), size)]
        request = fake_request(headers=headers, stream=FakeStream(parts))
    else:
        request = fake_request(headers=headers, body=body)
    try:
        declared_ok = declared is None or int(declared) <= limit
    except ValueError:
        declared_ok = False
    try:
        got = run(common.read_body(request, limit))
    except common.BodyTooLarge:
        assert not declared_ok or len(body) > limit
    else:
        assert declared_ok and len(body) <= limit and got == body


# == web_session.py ================================================================================
SIGNER = SessionSigner(SECRET, TTL)


@FUZZ
@given(st.floats(0, 4e9), st.floats(0, TTL - 1))
def test_a_valid_token_round_trips(issued_at, age):
    session = SIGNER.issue(now=issued_at)
    again = SIGNER.verify(session.token, now=issued_at + age)
    assert again == session == SIGNER.verify(session.token, now=issued_at + age)
    assert again.sender_id == f"web:{session.conversation}"
    with pytest.raises(SessionError) as err:
        SIGNER.verify(session.token, now=session.expires_at)
    assert err.value is EXPIRED


def _verify_refuses(token, now=NOW) -> SessionError:
    """The token must be refused with one of the three documented errors, nothing else."""
    try:
        session = SIGNER.verify(token, now=now)
    except SessionError as err:
        assert err in (MISSING, INVALID, EXPIRED) and err.status in (401, 403)
        return err
    raise AssertionError(f"verified a token that was never issued: {token!r} -> {session!r}")


@FUZZ
@given(st.one_of(st.none(), wire_text, st.text(max_size=200)))
def test_arbitrary_tokens_never_verify(token):
    err = _verify_refuses(token)
    assert (err is MISSING) == (not token)


@st.composite
def forged_tokens(draw) -> str:
    version = draw(st.sampled_from(["v1", "v1", "V1", "v2", "v0", ""]))
    conversation = draw(st.one_of(st.text(B64URL, min_size=20, max_size=64), wire_text))
    expires = draw(st.one_of(st.integers(0, 10 ** 12).map(str), wire_text))
    mac = draw(st.one_of(st.text(B64URL, min_size=43, max_size=43), wire_text))
    return draw(st.sampled_from([".".join([version, conversation, expires, mac]),
                                 ".".join([version, conversation, expires]),
                                 ".".join([version, conversation, expires, mac, mac])]))


@FUZZ
@given(forged_tokens())
def test_forged_tokens_never_verify(token):
    _verify_refuses(token)


UNICODE_DIGITS = {"arabic-indic": 0x0660, "devanagari": 0x0966, "fullwidth": 0xFF10, "bengali": 0x09E6}


@st.composite
def mutated_tokens(draw) -> tuple[str, str]:
    token = SIGNER.issue(now=NOW).token
    version, conversation, expires, mac = token.split(".")
    how = draw(st.sampled_from(["replace", "insert", "delete", "leading_zero", "unicode_digits", "superscript",
                                "whitespace", "newline", "other_secret", "huge_expiry", "case"]))
    if how == "replace":
        i = draw(st.integers(0, len(token) - 1))
        c = draw(st.one_of(st.sampled_from(B64URL + "."), no_surrogates))
        mutated = token[:i] + c + token[i + 1:]
    elif how == "insert":
        i = draw(st.integers(0, len(token)))
        mutated = token[:i] + draw(st.text(no_surrogates, min_size=1, max_size=3)) + token[i:]
    elif how == "delete":
        i = draw(st.integers(0, len(token) - 1))
        mutated = token[:i] + token[i + draw(st.integers(1, 3)):]
    elif how == "leading_zero":
        mutated = ".".join([version, conversation, "0" * draw(st.integers(1, 3)) + expires, mac])
    elif how == "unicode_digits":
        base = UNICODE_DIGITS[draw(st.sampled_from(sorted(UNICODE_DIGITS)))]
        mutated = ".".join([version, conversation, "".join(chr(base + int(d)) for d in expires), mac])
    elif how == "superscript":
        mutated = ".".join([version, conversation, expires + "²", mac])
    elif how == "whitespace":
        mutated = draw(st.sampled_from([" ", "\t", "\n"])).join(["", token, ""])
    elif how == "newline":
        mutated = ".".join([version, conversation + "\n", expires, mac])
    elif how == "other_secret":
        mutated = SessionSigner(b"y" * 48, TTL).issue(now=NOW).token
    elif how == "huge_expiry":
        mutated = ".".join([version, conversation, "9" * draw(st.integers(20, 5000)), mac])
    else:
        mutated = ".".join([version, conversation, expires, mac.swapcase()])
    return token, mutated


@FUZZ
@given(mutated_tokens())
def test_mutated_tokens_never_verify(pair):
    token, mutated = pair
    assert SIGNER.verify(token, now=NOW).token == token
    assume(mutated != token)
    _verify_refuses(mutated)


@FUZZ
@given(st.one_of(st.none(), wire_text, wire_text.map(lambda s: "Bearer " + s), wire_text.map(lambda s: "bearer\t" + s)))
def test_bearer_extracts_only_a_bearer_credential(header):
    value = bearer(header)
    assert value is None or (isinstance(value, str) and value == value.strip() and value != "")
    if value is not None:
        scheme, _, rest = header.partition(" ")
        assert scheme.lower() == "bearer" and value == rest.strip()
    assert bearer(header) == value


# == wechat.py: URL signature, numbered choices, text chunks =======================================
def wx_settings(**overrides) -> WeChatSettings:
    values = dict(token=WX_TOKEN, app_id=WX_APP_ID, app_secret=None, aes_key=WX_AES_KEY,
                  passive_timeout=4.5, allow_plaintext=True, max_clock_skew=0.0)
    values.update(overrides)
    return WeChatSettings(**values)


def wx_signature(timestamp: str, nonce: str, token: str = WX_TOKEN) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode("utf-8")).hexdigest()


WX = WeChatInput(wx_settings(), store=FakeStore())
WX_SKEW = WeChatInput(wx_settings(max_clock_skew=300.0), store=FakeStore())


@FUZZ
@given(st.one_of(st.none(), wire_text, st.text(string.hexdigits, min_size=40, max_size=40)),
       st.one_of(st.none(), wire_text), st.one_of(st.none(), wire_text))
@example("é" * 40, "1", "n")
@example("\u212a" * 40, "1", "n")
def test_url_signature_check_is_a_plain_yes_or_no(signature, timestamp, nonce):
    for channel in (WX, WX_SKEW):
        ok = channel._signature_ok(signature, timestamp, nonce)
        assert ok is False or ok is True
        if ok:
            assert signature.lower() == wx_signature(timestamp, nonce)


@FUZZ
@given(wire_text.filter(bool), wire_text.filter(bool), st.integers(0, 39), st.sampled_from("0123456789abcdef"))
def test_a_correct_url_signature_passes_and_any_changed_one_fails(timestamp, nonce, i, c):
    good = wx_signature(timestamp, nonce)
    assert WX._signature_ok(good, timestamp, nonce) and WX._signature_ok(good.upper(), timestamp, nonce)
    changed = good[:i] + c + good[i + 1:]
    assert WX._signature_ok(changed, timestamp, nonce) is (changed == good)
    assert not WX._signature_ok(good, timestamp + "0", nonce)


@FUZZ
@given(any_text, offered_buttons)
@example("2", [{"title": "a", "payload": "/a"}, {"title": "b", "payload": "/b"}])
@example("９", [{"title": "a", "payload": "/a"}] * 9)
def test_map_choice_returns_the_text_or_an_offered_payload(text, offered):
    mapped, display = map_choice(text, offered)
    if display is None:
        assert mapped == text
    else:
        assert (mapped, display) in {(b["payload"], b["title"]) for b in offered}
    assert map_choice(text, offered) == (mapped, display)


@HEAVY
@given(st.lists(bot_message(), max_size=3), st.integers(50, 2000))
def test_render_text_and_chunks_fit_wechat_limits(messages, limit):
    for message in common.outgoing(messages):
        text = render_text(message)
        assert isinstance(text, str)
        chunks = text_chunks(text, limit)
        assert all(c and len(c.encode("utf-8")) <= limit for c in chunks)
        assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


@FUZZ
@given(any_text, st.integers(16, 3000))
def test_text_chunks_never_lose_text_or_exceed_the_limit(text, limit):
    chunks = text_chunks(text, limit)
    assert all(c and len(c.encode("utf-8", "surrogatepass")) <= limit for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")
    assert text_chunks(text, limit) == chunks


# == wechat.py: the webhook POST (XML, decryption, fields) ===========================================
@HEAVY
@given(wechat_xml())
def test_wechatpy_parse_is_deterministic(xml):
    def parse():
        try:
            msg = parse_message(xml)
        except Exception as exc:  # noqa: BLE001 - the channel maps any parse error to 400
            return ("error", type(exc))
        return ("ok", type(msg), None if msg is None else dict(msg._data))

    assert parse() == parse()


def wx_post(channel: WeChatInput, body: bytes, *, encrypt_type: str | None = None, msg_signature: str | None = None,
            signed: bool = True, timestamp: str = "1800000000", nonce: str = "n0nce"):
    args = {"timestamp": timestamp, "nonce": nonce,
            "signature": wx_signature(timestamp, nonce) if signed else "0" * 40}
    if encrypt_type:
        args["encrypt_type"] = encrypt_type
    if msg_signature is not None:
        args["msg_signature"] = msg_signature
    bot = FakeBot()
    request = fake_request(args=args, headers={"Content-Length": str(len(body))}, body=body)
    result = run(channel._receive(request, bot))
    return result, bot


def _check_reply(result, bot, allowed: set[int]):
    assert result.status in allowed, (result.status, result.body[:200])
    if result.status != 200:
        assert bot.seen == []  # nothing reaches the bot before the checks pass
    for text, sender_id, metadata in bot.seen:
        assert isinstance(text, str) and text.strip()
        assert sender_id.startswith("wx:") and common.safe_id(sender_id[3:])
        assert not text.startswith("/")  # nothing was offered: no intent injection


@HANDLER_FUZZ
@given(body_bytes)
@example(BILLION_LAUGHS.encode())
@example(XXE.encode())
@example(b"<xml><ToUserName>gh</ToUserName><FromUserName>o_u</FromUserName><MsgType>text</MsgType>"
         b"<Content>hi</Content><MsgId>not-a-number</MsgId></xml>")
@example(b"<xml><ToUserName>gh</ToUserName><FromUserName>o_u</FromUserName><MsgType>event</MsgType>"
         b"<Event>subscribe</Event><CreateTime>yesterday</CreateTime></xml>")
@example(b"<xml><ToUserName>gh</ToUserName><FromUserName>o_u</FromUserName><MsgType>text</MsgType>"
         b"<Content><b>x</b></Content><MsgId>1</MsgId></xml>")
@example(b"<xml><ToUserName>gh</ToUserName><FromUserName>o_u</FromUserName><MsgType>voice</MsgType>"
         b"<Recognition><a>1</a><a>2</a></Recognition><MsgId>1</MsgId></xml>")
@example(b"<xml><ToUserName>gh</ToUserName><FromUserName>o_u</FromUserName><MsgType>text</MsgType>"
         b"<Content>/restart</Content><MsgId>1</MsgId></xml>")
def test_wechat_plaintext_post_answers_200_400_or_413_and_is_deterministic(body):
    channel = WeChatInput(wx_settings(), store=FakeStore())
    first, bot1 = wx_post(channel, body)
    _check_reply(first, bot1, {200, 400, 413})
    second, bot2 = wx_post(WeChatInput(wx_settings(), store=FakeStore()), body)
    assert second.status == first.status and bot2.seen == bot1.seen  # same input, same outcome
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        assert first.status == 400  # entities are disabled


@HANDLER_FUZZ
@given(body_bytes, st.booleans())
def test_wechat_post_without_a_valid_url_signature_or_in_refused_plaintext_is_403(body, signed):
    result, bot = wx_post(WeChatInput(wx_settings(allow_plaintext=signed is False), store=FakeStore()), body,
                          signed=signed)
    assert result.status == 403 and bot.seen == []


CRYPTO = WeChatCrypto(WX_TOKEN, WX_AES_KEY, WX_APP_ID)


def encrypted_body(plain_xml: str, timestamp: str, nonce: str, crypto: WeChatCrypto = CRYPTO) -> tuple[bytes, str]:
    envelope = xmltodict.parse(crypto.encrypt_message(plain_xml, nonce, timestamp))["xml"]
    return (f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>").encode(), envelope["MsgSignature"]


@HANDLER_FUZZ
@given(wechat_xml())
def test_wechat_encrypted_post_of_any_plaintext_answers_200_or_400(plain_xml):
    assume("\x00" not in plain_xml)
    body, msg_signature = encrypted_body(plain_xml, "1800000000", "n0nce")
    channel = WeChatInput(wx_settings(allow_plaintext=False), store=FakeStore())
    result, bot = wx_post(channel, body, encrypt_type="aes", msg_signature=msg_signature)
    _check_reply(result, bot, {200, 400})
    plain_result, plain_bot = wx_post(WeChatInput(wx_settings(), store=FakeStore()), plain_xml.encode())
    assert result.status == plain_result.status and bot.seen == plain_bot.seen  # same parse either way


@HANDLER_FUZZ
@given(st.one_of(body_bytes, st.binary(max_size=300).map(lambda b: b"<xml><Encrypt>" + b.hex().encode() + b"</Encrypt></xml>")),
       st.one_of(st.none(), wire_text, st.text(string.hexdigits.lower(), min_size=40, max_size=40)))
def test_wechat_encrypted_post_with_junk_is_400_or_403(body, msg_signature):
    channel = WeChatInput(wx_settings(allow_plaintext=False), store=FakeStore())
    result, bot = wx_post(channel, body, encrypt_type=("aes", "AES")[len(body) % 2], msg_signature=msg_signature)
    assert result.status in {400, 403} and bot.seen == []


@HANDLER_FUZZ
@given(st.integers(0, 10_000), st.sampled_from(B64URL), st.booleans())
def test_wechat_tampered_ciphertext_or_foreign_app_is_refused(position, c, foreign):
    plain = ("<xml><ToUserName>gh_account</ToUserName><FromUserName>o_user-1</FromUserName>"
             "<CreateTime>1800000000</CreateTime><MsgType>text</MsgType><Content>我想分期</Content>"
             "<MsgId>42</MsgId></xml>")
    channel = WeChatInput(wx_settings(allow_plaintext=False), store=FakeStore())
    crypto = WeChatCrypto(WX_TOKEN, WX_AES_KEY, "wxforeignapp00000") if foreign else CRYPTO
    body, msg_signature = encrypted_body(plain, "1800000000", "n0nce", crypto)
    if foreign:  # correctly signed and encrypted, but for another Official Account
        result, bot = wx_post(channel, body, encrypt_type="aes", msg_signature=msg_signature)
        assert result.status == 403 and bot.seen == []
        return
    ok, ok_bot = wx_post(channel, body, encrypt_type="aes", msg_signature=msg_signature)
    assert ok.status == 200 and ok_bot.seen[0][:2] == ("我想分期", "wx:o_user-1")
    cipher = xmltodict.parse(body)["xml"]["Encrypt"]
    i = position % len(cipher)
    assume(cipher[i] != c)
    tampered = body.replace(cipher.encode(), (cipher[:i] + c + cipher[i + 1:]).encode())
    result, bot = wx_post(WeChatInput(wx_settings(allow_plaintext=False), store=FakeStore()), tampered,
                          encrypt_type="aes", msg_signature=msg_signature)  # the old signature
    assert result.status == 403 and bot.seen == []


# == web.py: POST /chat/api/message ====================================================================
json_bodies = st.one_of(
    st.fixed_dictionaries({"text": json_value}, optional={"display": json_value, "client_id": json_value})
    .map(lambda d: common._dumps(d).encode()),
    st.fixed_dictionaries({"text": any_text}, optional={
        "display": st.one_of(any_text, json_value),
        "client_id": st.one_of(st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True), wire_text,
                               st.just("abcdefgh\n"))})
    .map(lambda d: common._dumps(d).encode("utf-8", "surrogatepass")),
    json_value.map(lambda v: common._dumps(v).encode()),
    st.binary(max_size=300),
    st.integers(1, 60_000).map(lambda n: b"[" * n),
    st.integers(1, 30_000).map(lambda n: b'{"text":' * n),
    st.sampled_from([b"", b"{}", b"null", b'{"text": NaN}', b'{"text": "\\ud800"}', b'{"text": 1e999}',
                     b'{"text": "' + b"9" * 70_000 + b'"}', b"\xef\xbb\xbf{\"text\": \"hi\"}"]),
)


def web_channel() -> WebChatInput:
    return WebChatInput(SIGNER, max_chars=2000, store=FakeStore(), limiter=FakeStore())


def web_post(body: bytes, authorization: str | None):
    headers = {"Content-Length": str(len(body))}
    if authorization is not None:
        headers["Authorization"] = authorization
    bot = FakeBot()
    result = run(web_channel()._handle_message(fake_request(headers=headers, body=body), bot))
    return result, bot


@HANDLER_FUZZ
@given(json_bodies)
@example(b"[" * 60_000)
@example(b'{"text": "hi", "client_id": "abcdefgh\\n"}')
def test_web_message_answers_200_400_or_413_and_is_deterministic(body):
    token = SIGNER.issue().token
    first, bot1 = web_post(body, f"Bearer {token}")
    assert first.status in {200, 400, 413}, (first.status, first.body[:200])
    if first.status != 200:
        assert bot1.seen == []
    for text, sender_id, _ in bot1.seen:
        assert isinstance(text, str) and text and text == text.strip() and not text.startswith("/")
        assert sender_id == f"web:{token.split('.')[1]}"
    second, bot2 = web_post(body, f"Bearer {token}")
    assert (second.status, second.body, bot2.seen) == (first.status, first.body, bot1.seen)


@HANDLER_FUZZ
@given(st.one_of(st.none(), wire_text, forged_tokens().map(lambda t: "Bearer " + t),
                 mutated_tokens().map(lambda pair: "Bearer " + pair[1])),
       json_bodies)
def test_web_message_without_a_valid_token_is_401_or_403(authorization, body):
    token = bearer(authorization)
    if token:
        try:
            SIGNER.verify(token)
        except SessionError:
            pass
        else:  # a mutation that only changed whitespace around a valid token
            return
    result, bot = web_post(body, authorization)
    assert result.status in {401, 403} and bot.seen == []
