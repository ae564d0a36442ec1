"""Helpers shared by the web widget channel and the WeChat channel."""
from __future__ import annotations

import json
import logging
import os
import re
from functools import partial
from typing import Any, Iterable

from sanic import response
from sanic.request import Request

from bot.errors import ConfigError
from bot.nlu.normalise import COMMAND_LOOKALIKE

logger = logging.getLogger(__name__)
_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None):
    """JSON with readable Chinese and no caching (replies are per conversation)."""
    return response.json(body, status=status, dumps=_dumps,
                         headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                                  **(headers or {})})


def setting(credentials: dict[str, Any] | None, key: str, env: str, default: Any = None) -> Any:
    """A channel setting: the environment wins, then credentials.yml, then the default.

    Rasa does expand ``${VAR}`` in credentials.yml, but fails at start-up when the variable is
    unset, so optional settings (WeChat in the demo) are read from the environment here instead."""
    raw = os.environ.get(env, "").strip()
    if raw:
        return raw
    value = (credentials or {}).get(key)
    if value is not None and str(value).strip() != "":
        return value
    return default


def number(value: Any, name: str, *, minimum: float = 0.0, kind: type = float) -> Any:
    try:
        result = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a number") from None
    if result < minimum:
        raise ConfigError(f"{name}={value!r} must be at least {minimum}")
    return result


def flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """Read a request body of at most ``limit`` bytes, refusing early on a larger Content-Length
    and stopping as soon as a streamed (chunked) body passes the limit. The route must be declared
    with ``stream=True`` so Sanic does not buffer the whole body first."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise BodyTooLarge()
        except ValueError:
            raise BodyTooLarge() from None
    if request.stream is None:  # not a streaming route: Sanic already buffered it
        body = request.body or b""
        if len(body) > limit:
            raise BodyTooLarge()
        return body
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            break
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


# -- quick replies ---------------------------------------------------------------------------
def clean_buttons(buttons: Iterable[Any] | None) -> list[dict[str, str]]:
    """Rasa buttons reduced to what a client needs: title and payload, both text."""
    result = []
    for b in buttons or []:
        if isinstance(b, dict) and b.get("title") and b.get("payload") is not None:
            result.append({"title": str(b["title"]), "payload": str(b["payload"])})
    return result


def guard_payload(text: str, offered: list[dict[str, str]]) -> str:
    """Rasa reads a message starting with "/" as an intent with entities (``/inform{"x": 1}``),
    bypassing NLU. Only payloads of buttons the bot actually offered may do that; anything else
    is passed on as ordinary text (the slash replaced by a full-width one, which the NLU's
    normaliser keeps: ``bot.nlu.normalise.COMMAND_LOOKALIKE``)."""
    if not text.startswith("/"):
        return text
    if any(text == b["payload"] for b in offered):
        return text
    return COMMAND_LOOKALIKE + text[1:]


def outgoing(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa's collected bot messages, as the channels hand them on (text, buttons, image)."""
    result = []
    for m in messages:
        item: dict[str, Any] = {}
        if m.get("text"):
            item["text"] = str(m["text"])
        buttons = clean_buttons(m.get("buttons") or m.get("quick_replies"))
        if buttons:
            item["buttons"] = buttons
        if m.get("image"):
            item["image"] = str(m["image"])
        if isinstance(m.get("custom"), dict) and m["custom"].get("text"):
            item.setdefault("text", str(m["custom"]["text"]))
        if item:
            result.append(item)
    return result


def last_buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The buttons a borrower may click next: those of the last bot message that has any, if no
    later message replaced them; an answer without buttons clears the offer."""
    if not messages:
        return []
    return clean_buttons(messages[-1].get("buttons"))


_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def safe_id(value: str | None) -> bool:
    return bool(value) and bool(_SAFE_ID.fullmatch(value))


# -- polite Chinese texts --------------------------------------------------------------------
TOO_LONG = "您的消息有点长（超过{limit}字），我一次看不完。请分几次发送，或简要说明您想办理的事情。"
TOO_FAST = "您发送得有点快，我需要一点时间处理。请稍等一分钟再发，谢谢您的耐心。"
#: new conversations opened too often from one address (Retry-After 600 s: found live, the one-minute wording
#: of TOO_FAST was wrong by nine minutes)
SESSION_RETRY_AFTER_S = 600
TOO_MANY_SESSIONS = f"新开对话的次数有点多，请过{SESSION_RETRY_AFTER_S // 60}分钟再试；已经打开的对话可以继续使用。"
BODY_TOO_LARGE = "内容太大，无法处理。请发送简短的文字消息。"
BAD_REQUEST = "消息格式不正确，请刷新页面后重试。"
EMPTY = "请输入您想说的话。"
SERVER_ERROR = "抱歉，系统暂时有点忙，请稍后再试。您的消息没有丢失，可以稍后重新发送。"


def audit_exchange(conversation_id: str, channel: str, *, inbound: str, reply: str, reason: str,
                   database_url: str | None = None) -> None:
    """Audit (compliance rule 15) an inbound message a channel answered by itself, without Rasa
    (welcome, unsupported type, too long, rate limited): those never reach the tracker, so the
    audit event broker (bot/outgoing/audit_broker.py) does not see them. Same actions as the broker
    (``message_in`` / ``message_out``), masked by ``bot.services.audit``. Best effort: a failed write
    is logged, never breaks a reply. Call it through ``asyncio.to_thread``."""
    import logging

    try:
        from bot.db.session import session_scope
        from bot.services import audit as audit_log

        detail = {"channel": channel, "handled_by": "channel", "reason": reason}
        with session_scope(database_url) as session:
            audit_log.record(session, "message_in", actor="borrower", conversation_id=conversation_id,
                             text=inbound[:4000], detail=detail)
            audit_log.record(session, "message_out", actor="bot", conversation_id=conversation_id,
                             text=reply, detail=detail)
    except Exception:  # noqa: BLE001
        logging.getLogger(__name__).exception("channel audit write failed for %s", conversation_id)


async def verify_if_held(request: Request, sender_id: str) -> None:
    """Identity factors a borrower gives while a collector holds the conversation are checked
    (bot/handoff/relay.py:TrackerRelay.verify_if_held); never an error."""
    try:
        from bot.handoff.relay import TrackerRelay

        await TrackerRelay(request.app.ctx.agent).verify_if_held(sender_id)
    except Exception:  # noqa: BLE001 - the channel answers as it would have; the log has it
        logger.exception("identity check on a held conversation %s failed", sender_id)


async def crisis_lines_if_held(request: Request, sender_id: str) -> str | None:
    """The crisis lines when a borrower in distress writes while a collector holds the conversation
    (bot/handoff/relay.py:TrackerRelay.care_if_distressed); None otherwise, and never an error."""
    try:
        from bot.handoff.relay import TrackerRelay

        return await TrackerRelay(request.app.ctx.agent).care_if_distressed(sender_id)
    except Exception:  # noqa: BLE001 - the channel answers as it would have; the log has it
        logger.exception("distress check on a held conversation %s failed", sender_id)
        return None
