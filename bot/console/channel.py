"""The collector console, served by the Rasa server itself as a custom input channel.

Configured in credentials.yml as ``bot.console.channel.ConsoleInput:``. ``url_prefix()`` is
``/console`` (Rasa joins it onto ``/webhooks/``; an absolute path replaces that), so with the demo
server the console is at ``http://localhost:5005/console``.

Why inside the Rasa server: the console needs the conversation itself — the tracker store, the
conversation lock, the domain — to pause and resume the bot and to append collector messages; inside
the server it uses exactly what ``POST /conversations/{id}/tracker/events`` uses, without the HTTP API
being enabled or its token being handed around; ``bot serve`` starts it with no extra process or
port; and it scales with the Rasa replicas because it keeps no state of its own (sessions, CSRF
tokens, queue and claims are all in the database).

Pages: ``GET /console`` (the app; without a session → 303 to the login page), ``GET|POST
/console/login``, ``POST /console/logout``, ``/console/static/<file>``.
JSON API (session cookie required → else 401; every POST also needs the session's CSRF token in
``X-CSRF-Token`` → else 403): see ``blueprint`` below.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
import os
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlparse

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy import func, select

from bot import clock
from bot.compliance.content_filter import check as content_check
from bot.config import settings
from bot.console import auth
from bot.db import models as m
from bot.db.session import session_scope
from bot.errors import RuleViolation
from bot.handoff import queue, relay, summary
from bot.services import audit

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"console.js": "application/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}
COOKIE = "hkzs_console"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 16 * 1024
MAX_REPLY = 1000
QUEUE_AUDIT_EVERY = 60.0  # seconds: the queue polls every 2 s; one audit line a minute per collector

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin (not no-referrer): with no-referrer, browsers send "Origin: null" on our own POSTs
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"), default=str)


def _json(body: dict[str, Any], status: int = 200):
    return response.json(body, status=status, dumps=_dumps, headers=SECURITY_HEADERS)


def _error(message: str, status: int, **extra):
    return _json({"error": message, **extra}, status=status)


def _db(fn: Callable[..., Any], *args, **kwargs):
    """Run ``fn(session, *args)`` in one transaction, off the event loop."""

    def run():
        with session_scope() as session:
            return fn(session, *args, **kwargs)

    return asyncio.to_thread(run)


LOGIN_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>坐席登录 · 还款助手</title>
<link rel="stylesheet" href="/console/static/console.css">
</head><body class="login-body">
<main class="login">
  <h1>还款助手 · 坐席工作台</h1>
  <form method="post" action="/console/login" autocomplete="off">
    <input type="hidden" name="csrf" value="{csrf}">
    <label for="username">用户名</label>
    <input id="username" name="username" required maxlength="22" autocapitalize="none" value="{username}">
    <label for="password">密码</label>
    <input id="password" name="password" type="password" required maxlength="200">
    <p id="login-error" class="error" role="alert">{error}</p>
    <button id="login-submit" type="submit">登录</button>
  </form>
  <p class="hint">所有查看与回复都会记入审计日志。</p>
</main>
</body></html>
"""


def _can_act(entry: dict[str, Any], user: auth.ConsoleUser) -> bool:
    return entry["status"] == "claimed" and (entry["claimed_by"] == user.name or user.supervisor)


class ConsoleInput(InputChannel):
    """Serves the console; receives no borrower messages itself."""

    def __init__(self, secure_cookie: bool | None = None) -> None:
        self.secure_cookie = secure_cookie

    @classmethod
    def name(cls) -> str:
        return "console"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "ConsoleInput":
        raw = os.environ.get("BOT_CONSOLE_SECURE_COOKIE", "").strip() or str((credentials or {}).get("secure_cookie", ""))
        secure = None if raw == "" else raw.lower() in {"1", "true", "yes", "on"}
        return cls(secure)

    def url_prefix(self) -> str:
        return "/console"

    # -- cookies and checks -----------------------------------------------------------------------
    def _secure(self, request: Request) -> bool:
        if self.secure_cookie is not None:
            return self.secure_cookie
        return request.scheme == "https" or settings().profile == "prod"

    def _set_cookie(self, request: Request, resp, token: str, max_age: int) -> None:
        resp.cookies[COOKIE] = token
        cookie = resp.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/console"
        cookie["max-age"] = max_age
        if self._secure(request):
            cookie["secure"] = True

    def _clear_cookie(self, request: Request, resp) -> None:
        self._set_cookie(request, resp, "", 0)

    @staticmethod
    def _origin_ok(request: Request) -> bool:
        """A POST from a page of another site is refused even before the CSRF token is looked at."""
        origin = request.headers.get("origin")
        if origin is None:
            return True  # non-browser clients; browsers always send Origin on a POST
        return origin != "null" and urlparse(origin).netloc == request.host

    @staticmethod
    def _body(request: Request) -> dict[str, Any] | None:
        if len(request.body or b"") > MAX_BODY:
            return None
        try:
            data = json.loads((request.body or b"{}").decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    async def _user(self, request: Request) -> auth.ConsoleUser | None:
        return await _db(auth.current_user, request.cookies.get(COOKIE))

    async def _api_user(self, request: Request, *, post: bool):
        """(user, None) or (None, refusal): 401 without a session; for POSTs 403 without the token."""
        user = await self._user(request)
        if user is None:
            return None, _error("请先登录。", 401, login="/console/login")
        if post:
            if not self._origin_ok(request):
                await _db(self._audit_refusal, user, request, "origin")
                return None, _error("请求来源不被允许。", 403)
            if not auth.csrf_ok(user.csrf, request.headers.get(CSRF_HEADER)):
                await _db(self._audit_refusal, user, request, "csrf")
                return None, _error("安全校验失败（CSRF），请刷新页面后重试。", 403)
        return user, None

    @staticmethod
    def _audit_refusal(session, user: auth.ConsoleUser, request: Request, why: str) -> None:
        audit.record(session, "console_request_refused", actor=user.actor, detail={"why": why, "path": request.path})

    # -- helpers over the queue -------------------------------------------------------------------
    @staticmethod
    def _relay(request: Request) -> relay.TrackerRelay:
        return relay.TrackerRelay(request.app.ctx.agent)

    @staticmethod
    def _load(session, handoff_id: int, user: auth.ConsoleUser, *, act: bool = False) -> m.Handoff:
        entry = queue.get(session, handoff_id)
        if not queue.may_view(entry, user.name, user.supervisor):
            raise queue.QueueError("这条会话由其他坐席处理，您无权查看。", 403)
        if act and not queue.may_act(entry, user.name, user.supervisor):
            raise queue.QueueError("请先认领这条会话（或它已由他人处理、已结束）。", 403 if entry.status == "claimed" else 409)
        return entry

    @staticmethod
    def _entry_view(entry: m.Handoff) -> dict[str, Any]:
        return {"id": entry.id, "conversation_id": entry.conversation_id, "status": entry.status,
                "claimed_by": entry.claimed_by, "borrower_id": entry.borrower_id, "reason": entry.reason,
                "outcome": entry.outcome}

    async def _deliver(self, conversation_id: str, text: str) -> dict[str, Any]:
        """Borrower-side delivery besides the tracker: WeChat needs a customer-service message."""
        if conversation_id.startswith("wx:"):
            sent, error = await asyncio.to_thread(relay.send_wechat, conversation_id, text)
            return {"channel": "wechat", "sent": sent, "error": error}
        if conversation_id.startswith("web:"):
            return {"channel": "web", "sent": True, "error": None}  # the widget reads the tracker
        return {"channel": "other", "sent": False, "error": "该渠道没有主动推送，对方下次拉取记录时可见。"}

    # -- the blueprint ------------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:  # noqa: C901
        bp = Blueprint("collector_console", __name__)

        # ---- pages ----
        async def app_page(request: Request):
            if await self._user(request) is None:
                return response.redirect("/console/login", status=303, headers=SECURITY_HEADERS)
            return response.html((STATIC / "console.html").read_text(encoding="utf-8"), headers=SECURITY_HEADERS)

        bp.add_route(app_page, "/", methods=["GET"], name="app", strict_slashes=False)

        @bp.get("/static/<filename>")
        async def static(request: Request, filename: str):
            if filename not in STATIC_FILES:
                return response.text("not found", status=404)
            return response.raw((STATIC / filename).read_bytes(), content_type=STATIC_FILES[filename],
                                headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

        async def login_form(request: Request, error: str = "", username: str = "", status: int = 200):
            pre = await _db(auth.new_prelogin)
            page = LOGIN_PAGE.format(csrf=html.escape(pre.csrf), error=html.escape(error), username=html.escape(username))
            resp = response.html(page, status=status, headers=SECURITY_HEADERS)
            self._set_cookie(request, resp, pre.token, int(auth.PRELOGIN_SECONDS))
            return resp

        @bp.get("/login")
        async def login_page(request: Request):
            if await self._user(request) is not None:
                return response.redirect("/console", status=303, headers=SECURITY_HEADERS)
            return await login_form(request)

        @bp.post("/login")
        async def login(request: Request):
            if len(request.body or b"") > MAX_BODY or not self._origin_ok(request):
                return response.text("forbidden", status=403, headers=SECURITY_HEADERS)
            form = request.form
            name, password, csrf = form.get("username", ""), form.get("password", ""), form.get("csrf", "")
            pre_token = request.cookies.get(COOKIE)
            expected = await _db(auth.prelogin_csrf, pre_token)
            if not auth.csrf_ok(expected, csrf):
                return await login_form(request, "页面已过期或安全校验失败，请重新登录。", status=403)

            def attempt(session):
                result = auth.check_login(session, name, password)
                if result.collector is None:
                    audit.record(session, "console_login_failed", actor="system",
                                 detail={"name": (name or "")[:22], "address": request.remote_addr or request.ip})
                    return None, result.error
                token, _ = auth.start_session(session, result.collector, old_token=pre_token)
                audit.record(session, "console_login", actor=f"collector:{result.collector.name}",
                             detail={"address": request.remote_addr or request.ip})
                return token, None

            token, error = await _db(attempt)
            if token is None:
                return await login_form(request, error or "登录失败。", username=name[:22], status=401)
            resp = response.redirect("/console", status=303, headers=SECURITY_HEADERS)
            self._set_cookie(request, resp, token, int(auth.lifetime_seconds()))
            return resp

        @bp.post("/logout")
        async def logout(request: Request):
            user = await self._user(request)
            if user is None:
                return response.redirect("/console/login", status=303, headers=SECURITY_HEADERS)
            given = request.headers.get(CSRF_HEADER) or (request.form.get("csrf") if request.form else None)
            if not self._origin_ok(request) or not auth.csrf_ok(user.csrf, given):
                return _error("安全校验失败（CSRF）。", 403)

            def end(session):
                auth.end_session(session, request.cookies.get(COOKIE))
                audit.record(session, "console_logout", actor=user.actor)

            await _db(end)
            resp = response.redirect("/console/login", status=303, headers=SECURITY_HEADERS)
            self._clear_cookie(request, resp)
            return resp

        # ---- API: reading ----
        @bp.get("/api/me")
        async def me(request: Request):
            user, refusal = await self._api_user(request, post=False)
            if refusal:
                return refusal
            return _json({"name": user.name, "role": user.role, "csrf": user.csrf, "outcomes": queue.OUTCOMES,
                          "reasons": queue.REASON_LABELS, "poll_ms": 2000})

        @bp.get("/api/queue")
        async def queue_view(request: Request):
            user, refusal = await self._api_user(request, post=False)
            if refusal:
                return refusal
            entries = await _db(lambda s: [self._entry_view(e) for e in
                                           queue.open_entries(s, collector=user.name, supervisor=user.supervisor)])
            rl = self._relay(request)
            states = {}
            for e in entries:
                try:
                    states[e["id"]] = await rl.state(e["conversation_id"])
                except Exception:  # noqa: BLE001 - a broken tracker must not hide the queue
                    logger.exception("console: reading the tracker of handoff %s failed", e["id"])
                    states[e["id"]] = summary.ConversationState()

            def lines(session):
                now = clock.now()
                out = [summary.queue_line(session, queue.get(session, e["id"]), states[e["id"]], now) for e in entries]
                self._audit_queue_view(session, user, len(out))
                return out

            return _json({"entries": await _db(lines), "me": user.name})

        @bp.get("/api/handoffs/<handoff_id:int>")
        async def detail(request: Request, handoff_id: int):
            user, refusal = await self._api_user(request, post=False)
            if refusal:
                return refusal
            try:
                entry = await _db(lambda s: self._entry_view(self._load(s, handoff_id, user)))
            except queue.QueueError as err:
                return _error(err.message, err.status)
            items, state, cursor = await self._relay(request).transcript(entry["conversation_id"])

            def build(session):
                row = queue.get(session, handoff_id)
                card = summary.summary(session, row, state)
                hist = [{"at": h.at.isoformat(timespec="seconds"), "actor": h.actor, "kind": h.kind,
                         "detail": h.detail, "text": h.text} for h in queue.history(session, handoff_id)]
                audit.record(session, "console_view", actor=user.actor, conversation_id=row.conversation_id,
                             borrower_id=summary.verified_borrower(row, state),
                             detail={"handoff": row.id, "verified": card["verified"], "messages": len(items)})
                return card, hist

            card, hist = await _db(build)
            return _json({"summary": card, "history": hist, "transcript": items, "cursor": cursor,
                          "can_act": _can_act(entry, user)})

        @bp.get("/api/handoffs/<handoff_id:int>/transcript")
        async def transcript(request: Request, handoff_id: int):
            user, refusal = await self._api_user(request, post=False)
            if refusal:
                return refusal
            try:
                start = max(int(request.args.get("cursor", "0") or 0), 0)
            except ValueError:
                return _error("cursor 参数不正确。", 400)
            try:
                entry = await _db(lambda s: self._entry_view(self._load(s, handoff_id, user)))
            except queue.QueueError as err:
                return _error(err.message, err.status)
            items, state, cursor = await self._relay(request).transcript(entry["conversation_id"], start)
            if items:  # every piece of conversation shown is audited; empty polls are not
                await _db(lambda s: audit.record(s, "console_view", actor=user.actor,
                                                 conversation_id=entry["conversation_id"],
                                                 detail={"handoff": handoff_id, "incremental": start > 0,
                                                         "messages": len(items)}))
            return _json({"items": items, "cursor": cursor, "paused": state.paused, "status": entry["status"],
                          "claimed_by": entry["claimed_by"], "can_act": _can_act(entry, user)})

        @bp.get("/api/collectors")
        async def collectors(request: Request):
            user, refusal = await self._api_user(request, post=False)
            if refusal:
                return refusal
            if not user.supervisor:
                return _error("只有主管可以查看坐席列表。", 403)
            rows = await _db(lambda s: [{"name": c.name, "role": c.role} for c in auth.active_collectors(s)])
            return _json({"collectors": rows})

        # ---- API: acting ----
        def action(path: str):
            """A POST route: session + CSRF checked, the JSON body parsed, QueueErrors answered."""

            def register(handler):
                async def route(request: Request, handoff_id: int):
                    user, refusal = await self._api_user(request, post=True)
                    if refusal:
                        return refusal
                    body = self._body(request)
                    if body is None:
                        return _error("请求格式不正确。", 400)
                    try:
                        return await handler(request, user, handoff_id, body)
                    except queue.QueueError as err:
                        return _error(err.message, err.status)
                    except relay.RelayError as err:
                        logger.error("console relay error: %s", err)
                        return _error("机器人服务暂时不可用，请稍后重试。", 503)

                bp.add_route(route, f"/api/handoffs/<handoff_id:int>/{path}", methods=["POST"],
                             name=f"api_{path}")
                return handler

            return register

        @action("claim")
        async def claim(request, user, handoff_id, body):
            entry = await _db(lambda s: self._entry_view(queue.claim(s, handoff_id, user.name)))
            rl = self._relay(request)
            try:
                await rl.pause(entry["conversation_id"])
                await rl.say(entry["conversation_id"], relay.CLAIM_NOTICE, user.name, handoff_id=handoff_id, notice=True)
            except Exception:  # noqa: BLE001 - the bot could not be paused: give the entry back
                logger.exception("console: pausing %s failed", entry["conversation_id"])

                def unclaim(session):
                    row = queue.get(session, handoff_id)
                    row.status, row.claimed_by = "waiting", None
                    queue.log_event(session, row, "claim_failed", user.actor)
                    audit.record(session, "handoff_claim_failed", actor=user.actor,
                                 conversation_id=row.conversation_id, detail={"handoff": handoff_id})

                await _db(unclaim)
                return _error("暂停机器人失败，认领已撤销，请稍后重试。", 503)
            delivery = await self._deliver(entry["conversation_id"], relay.CLAIM_NOTICE)
            return _json({"ok": True, "handoff": entry, "delivery": delivery})

        @action("reply")
        async def reply(request, user, handoff_id, body):
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                return _error("回复不能为空。", 422)
            text = text.strip()
            if len(text) > MAX_REPLY:
                return _error(f"回复最多{MAX_REPLY}字。", 422)
            entry = await _db(lambda s: self._entry_view(self._load(s, handoff_id, user, act=True)))
            verdict = content_check(text)
            if not verdict.allowed:
                def blocked(session):
                    row = queue.get(session, handoff_id)
                    queue.log_event(session, row, "reply_blocked", user.actor, text=text,
                                    detail={"category": verdict.category, "matched": verdict.matched})
                    audit.record(session, "collector_reply_blocked", actor=user.actor,
                                 conversation_id=row.conversation_id, borrower_id=row.borrower_id, text=text,
                                 detail={"handoff": handoff_id, "category": verdict.category, "matched": verdict.matched})

                await _db(blocked)
                return _error(verdict.reason, 422, blocked=True, category=verdict.category, reason=verdict.reason)
            await self._relay(request).say(entry["conversation_id"], text, user.name, handoff_id=handoff_id)

            def sent(session):
                row = queue.get(session, handoff_id)
                queue.log_event(session, row, "reply", user.actor, text=text)
                audit.record(session, "collector_reply", actor=user.actor, conversation_id=row.conversation_id,
                             borrower_id=row.borrower_id, text=text, detail={"handoff": handoff_id})

            await _db(sent)
            delivery = await self._deliver(entry["conversation_id"], text)
            if not delivery["sent"] and delivery["channel"] == "wechat":
                await _db(lambda s: audit.record(s, "collector_reply_undelivered", actor=user.actor,
                                                 conversation_id=entry["conversation_id"],
                                                 detail={"handoff": handoff_id, "error": delivery["error"]}))
            return _json({"ok": True, "delivery": delivery})

        @action("note")
        async def note(request, user, handoff_id, body):
            text = body.get("text") if isinstance(body.get("text"), str) else ""

            def add(session):
                row = self._load(session, handoff_id, user, act=True)
                queue.add_note(session, row, user.name, text)

            await _db(add)
            return _json({"ok": True})

        @action("outcome")
        async def outcome(request, user, handoff_id, body):
            code = body.get("outcome")

            def put(session):
                row = self._load(session, handoff_id, user, act=True)
                queue.set_outcome(session, row, user.name, str(code or ""))

            await _db(put)
            return _json({"ok": True})

        @action("promise")
        async def promise(request, user, handoff_id, body):
            try:
                day = dt.date.fromisoformat(str(body.get("date") or ""))
                amount = Decimal(str(body.get("amount") or ""))
                if not amount.is_finite() or amount <= 0:
                    raise InvalidOperation
            except (ValueError, InvalidOperation):
                return _error("请填写正确的日期（YYYY-MM-DD）和金额。", 422)
            entry = await _db(lambda s: self._entry_view(self._load(s, handoff_id, user, act=True)))
            state = await self._relay(request).state(entry["conversation_id"])

            def record(session):
                from bot.services import promises

                row = queue.get(session, handoff_id)
                borrower_id = summary.verified_borrower(row, state)
                if borrower_id is None:
                    raise queue.QueueError("借款人尚未通过身份验证，不能记录还款承诺。", 409)
                try:
                    saved, created = promises.record(
                        session, borrower_id, day, amount, clock.today(), conversation_id=row.conversation_id,
                        idempotency_key=f"console:{row.id}:{day.isoformat()}:{amount}")
                except RuleViolation as err:
                    raise queue.QueueError(str(err), 422) from None
                queue.log_event(session, row, "promise", user.actor,
                                detail={"promise": saved.id, "date": day.isoformat(), "amount": str(amount)})
                audit.record(session, "collector_promise", actor=user.actor, conversation_id=row.conversation_id,
                             borrower_id=borrower_id, detail={"handoff": row.id, "promise": saved.id,
                                                              "date": day.isoformat(), "amount": str(amount),
                                                              "created": created})
                return {"id": saved.id, "date": day.isoformat(), "amount": f"{amount:.2f}", "created": created}

            return _json({"ok": True, "promise": await _db(record)})

        async def _finish(request, user, handoff_id, body, *, closing: bool):
            code = body.get("outcome") or None
            if code is not None and code not in queue.OUTCOMES:
                return _error("未知的处理结果代码。", 422)
            if closing and not code:
                return _error("结案需要选择处理结果。", 422)
            entry = await _db(lambda s: self._entry_view(self._load(s, handoff_id, user, act=True)))
            notice = relay.CLOSE_NOTICE if closing else relay.HANDBACK_NOTICE
            # the bot first: a failure here leaves the entry claimed (retry), never a silent borrower
            await self._relay(request).resume(entry["conversation_id"], notice=notice, collector=user.name)

            def done(session):
                row = queue.get(session, handoff_id)
                return self._entry_view(queue.close(session, row, user.name, code) if closing
                                        else queue.hand_back(session, row, user.name, code))

            result = await _db(done)
            delivery = await self._deliver(entry["conversation_id"], notice)
            return _json({"ok": True, "handoff": result, "delivery": delivery})

        @action("handback")
        async def handback(request, user, handoff_id, body):
            return await _finish(request, user, handoff_id, body, closing=False)

        @action("close")
        async def close(request, user, handoff_id, body):
            return await _finish(request, user, handoff_id, body, closing=True)

        @action("reassign")
        async def reassign(request, user, handoff_id, body):
            if not user.supervisor:
                return _error("只有主管可以重新分配。", 403)
            target = str(body.get("to") or "")
            entry = await _db(lambda s: self._entry_view(queue.reassign(s, handoff_id, target, user.name)))
            await self._relay(request).pause(entry["conversation_id"])
            return _json({"ok": True, "handoff": entry})

        return bp

    # ------------------------------------------------------------------------------------------
    @staticmethod
    def _audit_queue_view(session, user: auth.ConsoleUser, count: int) -> None:
        """At most one queue-view line per collector per minute (the page polls every 2 s)."""
        since = clock.now() - dt.timedelta(seconds=QUEUE_AUDIT_EVERY)
        recent = session.scalar(select(func.count()).select_from(m.AuditEntry).where(
            m.AuditEntry.action == "console_queue_view", m.AuditEntry.actor == user.actor, m.AuditEntry.at >= since))
        if not recent:
            audit.record(session, "console_queue_view", actor=user.actor, detail={"entries": count})
