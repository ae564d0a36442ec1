"""The web chat widget: a Rasa input channel that serves the page and its small JSON API.

Configured in credentials.yml as ``bot.channels.web.WebChatInput:``. ``url_prefix()`` returns
``/chat`` (Rasa joins it onto ``/webhooks/``, and an absolute path replaces that), so with the
demo server the borrower opens ``http://localhost:5005/chat``.

Routes (all under /chat):
  GET  /chat                 the page (static/index.html); /chat/static/<file> its JS and CSS
  POST /chat/api/session     a new signed conversation token (or the same one, if still valid)
  GET  /chat/api/history     the transcript of the token's conversation, read from the tracker
  POST /chat/api/message     {"text", "display"?, "client_id"?} → {"messages": [...]}
Every /api call except /session needs ``Authorization: Bearer <token>``.

Settings (environment; credentials.yml keys in brackets may set the non-secret ones):
  BOT_WEB_SECRET            HMAC secret (≥ 32 chars); demo default generated into var/web_secret
  BOT_WEB_SESSION_HOURS     [session_hours] token lifetime, default 24
  BOT_WEB_MAX_CHARS         [max_chars] longest message handed to the bot, default 2000
  BOT_WEB_RATE_PER_MINUTE   [rate_per_minute] messages per conversation per minute, default 20
  BOT_WEB_SESSIONS_PER_HOUR [sessions_per_hour] new conversations per client address, default 120
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import common
from bot.channels.store import ChannelStore, Claim, RateLimiter
from bot.channels.web_session import SessionError, SessionSigner, bearer, load_secret

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"chat.js": "application/javascript; charset=utf-8", "chat.css": "text/css; charset=utf-8"}
MAX_BODY = 64 * 1024
HISTORY_LIMIT = 300
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

# The page loads nothing from elsewhere; the policy makes sure of it.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _bot_messages(event: Any) -> list[dict[str, Any]]:
    """A stored bot event as the widget shows it (text, buttons, image), like a live reply."""
    return common.outgoing([{"text": event.text, **(event.data or {})}])


class WebChatInput(InputChannel):
    def __init__(self, signer: SessionSigner, *, max_chars: int = 2000, rate_per_minute: int = 20,
                 sessions_per_hour: int = 120, store: ChannelStore | None = None,
                 limiter: RateLimiter | None = None, claim_stale_seconds: float = 30.0) -> None:
        self.signer = signer
        # a message still "processing" this long after it was claimed lost its replica mid-turn
        self.claim_stale_seconds = claim_stale_seconds
        self.max_chars = max_chars
        self.rate_per_minute = rate_per_minute
        self.sessions_per_hour = sessions_per_hour
        self.store = store or ChannelStore()
        # the limiter must be shared by all replicas, so the default is the database one
        self.limiter: RateLimiter = limiter or self.store

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "WebChatInput":
        s = common.setting
        hours = common.number(s(credentials, "session_hours", "BOT_WEB_SESSION_HOURS", 24), "BOT_WEB_SESSION_HOURS", minimum=0.01)
        return cls(
            SessionSigner(load_secret(), hours * 3600),
            max_chars=common.number(s(credentials, "max_chars", "BOT_WEB_MAX_CHARS", 2000), "BOT_WEB_MAX_CHARS", minimum=1, kind=int),
            rate_per_minute=common.number(s(credentials, "rate_per_minute", "BOT_WEB_RATE_PER_MINUTE", 20), "BOT_WEB_RATE_PER_MINUTE", minimum=1, kind=int),
            sessions_per_hour=common.number(s(credentials, "sessions_per_hour", "BOT_WEB_SESSIONS_PER_HOUR", 120), "BOT_WEB_SESSIONS_PER_HOUR", minimum=1, kind=int),
            claim_stale_seconds=common.number(s(credentials, "claim_stale_seconds", "BOT_WEB_CLAIM_STALE_SECONDS", 30),
                                              "BOT_WEB_CLAIM_STALE_SECONDS", minimum=1),
        )

    def url_prefix(self) -> str:
        # Rasa mounts channels at urljoin("/webhooks/", url_prefix()); an absolute path wins.
        return "/chat"

    # ------------------------------------------------------------------------------------------
    def _session(self, request: Request):
        return self.signer.verify(bearer(request.headers.get("authorization")))

    @staticmethod
    def _refuse(err: SessionError):
        return common.json_response({"error": err.code, "message": err.message}, status=err.status)

    @staticmethod
    def _client_address(request: Request) -> str:
        return request.remote_addr or request.ip or "unknown"

    @staticmethod
    async def _paused(request: Request, sender_id: str) -> bool:
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
            return bool(tracker and tracker.is_paused())
        except Exception:  # noqa: BLE001 - when unsure, don't claim an error
            return True

    async def _history(self, request: Request, sender_id: str) -> list[dict[str, Any]]:
        tracker_store = request.app.ctx.agent.tracker_store
        tracker = await tracker_store.retrieve_full_tracker(sender_id)
        if tracker is None:
            return []
        items: list[dict[str, Any]] = []
        for event in tracker.events:
            kind = getattr(event, "type_name", None)
            if kind == "user":
                meta = event.metadata or {}
                display = meta.get("display") if isinstance(meta.get("display"), str) else None
                text = display or event.text or ""
                if text:
                    items.append({"from": "user", "text": text, "ts": event.timestamp})
            elif kind == "bot":
                items += [{"from": "bot", "ts": event.timestamp, **m} for m in _bot_messages(event)]
        return items[-HISTORY_LIMIT:]

    @staticmethod
    async def _recorded_replies(request: Request, sender_id: str, message_id: str) -> list[dict[str, Any]] | None:
        """The bot's replies to the user message ``message_id`` if the tracker holds that message
        (Rasa saves a turn whole, at its end), else None: the message was never processed."""
        tracker = await request.app.ctx.agent.tracker_store.retrieve_full_tracker(sender_id)
        replies: list[dict[str, Any]] | None = None
        for event in tracker.events if tracker else []:
            kind = getattr(event, "type_name", None)
            if kind == "user":
                if replies is not None:
                    break
                if event.message_id == message_id:
                    replies = []
            elif kind == "bot" and replies is not None:
                replies += _bot_messages(event)
        return replies

    async def _handle_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]):
        try:
            return await self._handle_message_or_raise(request, on_new_message)
        except Exception:  # noqa: BLE001 - e.g. the database is down: a polite "re-send", never a stack trace
            logger.exception("web channel: a message could not be taken in")
            return common.json_response({"error": "server_error", "message": common.SERVER_ERROR}, status=500)

    async def _handle_message_or_raise(self, request: Request,
                                       on_new_message: Callable[[UserMessage], Awaitable[Any]]):
        try:
            session = self._session(request)
        except SessionError as err:
            return self._refuse(err)
        try:
            body = await common.read_body(request, MAX_BODY)
        except common.BodyTooLarge:
            return common.json_response({"error": "too_large", "message": common.BODY_TOO_LARGE}, status=413)
        try:
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; "[[[[…" recurses
            return common.json_response({"error": "bad_request", "message": common.BAD_REQUEST}, status=400)
        text = data.get("text")
        display = data.get("display")
        client_id = data.get("client_id")
        if not isinstance(text, str) or not text.strip():
            return common.json_response({"error": "empty", "message": common.EMPTY}, status=400)
        if client_id is not None and (not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id)):
            return common.json_response({"error": "bad_request", "message": common.BAD_REQUEST}, status=400)
        if not isinstance(display, str) or len(display) > 200:
            display = None
        text = text.strip()
        sender_id = session.sender_id

        if len(text) > self.max_chars:  # a polite answer; the bot never sees it
            reply = common.TOO_LONG.format(limit=self.max_chars)
            await asyncio.to_thread(common.audit_exchange, sender_id, self.name(), inbound=text, reply=reply,
                                    reason="too_long")
            return common.json_response({"refused": "too_long", "messages": [{"text": reply}]})

        key = f"{session.conversation}:{client_id}" if client_id else None
        if key:  # an offline re-send of a message the server already has
            claim: Claim = await asyncio.to_thread(self.store.claim, "web", key, sender_id, self.claim_stale_seconds)
            if claim.retaken:  # its first replica died mid-turn: answered already if the tracker has it
                recorded = await self._recorded_replies(request, sender_id, client_id)
                if recorded is not None:
                    await asyncio.to_thread(self.store.finish, "web", key, "replied", recorded)
                    return common.json_response({"messages": recorded, "duplicate": True})
            if not claim.claimed:
                if claim.reply is not None:
                    return common.json_response({"messages": claim.reply, "duplicate": True})
                return common.json_response({"pending": True, "message": "上一条消息还在处理中，请稍候。"}, status=409)

        allowed = await asyncio.to_thread(self.limiter.allow, f"web:{session.conversation}", self.rate_per_minute, 60.0)
        if not allowed:
            if key:
                await asyncio.to_thread(self.store.release, "web", key)
            await asyncio.to_thread(common.audit_exchange, sender_id, self.name(), inbound=text,
                                    reply=common.TOO_FAST, reason="rate_limited")
            return common.json_response({"refused": "rate_limited", "messages": [{"text": common.TOO_FAST}]},
                                        status=429, headers={"Retry-After": "60"})

        try:
            offered = await asyncio.to_thread(self.store.get_choices, sender_id)
            text = common.guard_payload(text, offered)
            if display and not any(b["payload"] == text and b["title"] == display for b in offered):
                display = None  # a button title is shown only for a button that was offered
            collector = CollectingOutputChannel()
            metadata = {"display": display} if display else None
            await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name(),
                                             message_id=client_id, metadata=metadata))
        except Exception:  # noqa: BLE001 - the borrower gets a polite answer, the log the details
            logger.exception("web channel: processing a message for %s failed", sender_id)
            if key:
                await asyncio.to_thread(self.store.release, "web", key)
            return common.json_response({"error": "server_error", "message": common.SERVER_ERROR}, status=500)

        messages = common.outgoing(collector.messages)
        if not messages:
            await common.verify_if_held(request, sender_id)  # identity given to the collector (rule 1)
            # distress while a collector holds the conversation: the crisis lines at once (rule 9)
            care = await common.crisis_lines_if_held(request, sender_id)
            messages = [{"text": care}] if care else []
        if not messages and not await self._paused(request, sender_id):
            # Rasa swallows a failed custom action ("Encountered an exception while running action",
            # e.g. the action server is down) and the turn ends without a word: apologise instead.
            # A conversation paused for a collector is silent on purpose.
            logger.warning("web channel: no reply for %s (action failed?); sending an apology", sender_id)
            messages = [{"text": common.SERVER_ERROR}]
        await asyncio.to_thread(self.store.set_choices, sender_id, common.last_buttons(messages))
        if key:
            await asyncio.to_thread(self.store.finish, "web", key, "replied", messages)
        return common.json_response({"messages": messages})

    # ------------------------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("webchat_widget", __name__)
        # schema creation touches the database once; do it before the first request
        self.store.ensure_schema()

        async def page(request: Request):
            html = (STATIC / "index.html").read_text(encoding="utf-8")
            return response.html(html, headers=PAGE_HEADERS)

        bp.add_route(page, "/", methods=["GET"], name="page", strict_slashes=False)

        @bp.get("/static/<filename>")
        async def static(request: Request, filename: str):
            if filename not in STATIC_FILES:
                return response.text("not found", status=404)
            return response.raw((STATIC / filename).read_bytes(), content_type=STATIC_FILES[filename],
                                headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

        @bp.get("/api/health")
        async def health(request: Request):
            return common.json_response({"status": "ok"})

        @bp.post("/api/session")
        async def new_session(request: Request):
            token = bearer(request.headers.get("authorization"))
            if token:
                try:
                    session = self.signer.verify(token)
                    return common.json_response({"token": session.token, "expires_at": session.expires_at, "new": False})
                except SessionError:
                    pass  # an expired or foreign token: start a fresh conversation
            allowed = await asyncio.to_thread(self.limiter.allow, f"websession:{self._client_address(request)}",
                                              self.sessions_per_hour, 3600.0)
            if not allowed:
                return common.json_response({"error": "rate_limited", "message": common.TOO_MANY_SESSIONS}, status=429,
                                            headers={"Retry-After": str(common.SESSION_RETRY_AFTER_S)})
            session = self.signer.issue()
            return common.json_response({"token": session.token, "expires_at": session.expires_at, "new": True})

        @bp.get("/api/history")
        async def history(request: Request):
            try:
                session = self._session(request)
            except SessionError as err:
                return self._refuse(err)
            try:
                items = await self._history(request, session.sender_id)
            except Exception:  # noqa: BLE001
                logger.exception("web channel: reading the history of %s failed", session.sender_id)
                return common.json_response({"error": "server_error", "message": common.SERVER_ERROR}, status=500)
            return common.json_response({"messages": items, "expires_at": session.expires_at})

        async def message(request: Request):
            return await self._handle_message(request, on_new_message)

        bp.add_route(message, "/api/message", methods=["POST"], stream=True, name="message")
        return bp
