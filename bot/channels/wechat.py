"""WeChat Official Account (公众号) input channel, built on wechatpy.

Configured in credentials.yml as ``bot.channels.wechat.WeChatInput:``; the settings come from the
environment (see ``bot.channels.wechat_api.WeChatSettings`` and bot/channels/README.md). The
server URL to enter in the Official Account console is ``https://<host>/webhooks/wechat/webhook``.

What one request goes through, in order — nothing reaches the bot before the checks pass:
1. ``signature`` (SHA1 of token, timestamp, nonce) on every GET and POST, compared in constant
   time; a timestamp further than WECHAT_MAX_CLOCK_SKEW from now is refused too → 403.
2. Body at most 1 MB → else 413 (read as a stream, so a huge body is not buffered).
3. Safe/compatible mode (``encrypt_type=aes``): ``msg_signature`` over the ciphertext checked and
   the message decrypted with the EncodingAESKey (403 on a bad signature or foreign AppID); plaintext
   mode is refused in the prod profile unless WECHAT_ALLOW_PLAINTEXT=1, because its signature does
   not cover the body.
4. The XML parsed (entities disabled) → 400 when malformed.
5. Dedupe: the MsgId (events: FromUserName + CreateTime + Event, as WeChat recommends) is claimed in
   the database; a retry of a message already answered in the HTTP response gets the same answer
   again, any other retry an empty ``success``: nothing is processed twice.
6. The message goes to Rasa as sender ``wx:<openid>``. If the bot answers within the passive budget
   (WECHAT_PASSIVE_TIMEOUT, 4.5 s, inside WeChat's 5 s), the answer is the HTTP response (one
   message, encrypted in safe mode); otherwise the response is ``success`` and the answer follows
   through the customer-service API (``/cgi-bin/message/custom/send``).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from wechatpy import parse_message
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatClientException
from wechatpy.replies import TextReply

from bot.channels import common
from bot.channels.store import ChannelStore
from bot.channels.wechat_api import ApiClient, WeChatSettings, text_chunks

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
PASSIVE_LIMIT_BYTES = 2000  # WeChat's text reply limit is 2048 bytes

WELCOME = ("您好，欢迎关注！我是银行的自动还款助手（智能机器人，不是人工客服）。"
           "我可以帮您查询待还金额和还款日、了解逾期原因、办理分期或约定还款日期，需要时也可以为您转接人工。"
           "为保护您的信息，查询账户前需要先核实身份。请发送“你好”开始。")
UNSUPPORTED = "抱歉，我目前只能看懂文字消息。请直接用文字告诉我您想办理的事情，例如“我还欠多少”或“我想分期”。"
VOICE_UNCLEAR = "抱歉，我没能听清这段语音。请用文字再说一次，好吗？"
CHOICE_HINT = "请回复数字选择："

#: WeChat errors worth retrying a customer-service send for (system busy; network trouble is None)
RETRYABLE = {None, -1, 45009}


def render_text(message: dict[str, Any]) -> str:
    """One bot message as WeChat text: buttons become a numbered list the borrower can answer."""
    text = message.get("text", "")
    buttons = message.get("buttons") or []
    if message.get("image"):
        text = f"{text}\n{message['image']}".strip()
    if buttons:
        lines = [f"{i}. {b['title']}" for i, b in enumerate(buttons, 1)]
        text = f"{text}\n\n{CHOICE_HINT}\n" + "\n".join(lines) if text else f"{CHOICE_HINT}\n" + "\n".join(lines)
    return text


def map_choice(text: str, offered: list[dict[str, str]]) -> tuple[str, str | None]:
    """A reply "2" (or the exact title "24期") to a numbered list becomes that button's payload."""
    if not offered:
        return text, None
    stripped = text.strip().rstrip("。.")
    if re.fullmatch(r"[0-9]{1,2}", stripped):
        index = int(stripped)
        if 1 <= index <= len(offered):
            return offered[index - 1]["payload"], offered[index - 1]["title"]
    for b in offered:
        if stripped.casefold() == b["title"].strip().casefold():
            return b["payload"], b["title"]
    return text, None


class WeChatInput(InputChannel):
    def __init__(self, cfg: WeChatSettings, store: ChannelStore | None = None) -> None:
        self.cfg = cfg
        self.store = store or ChannelStore()
        self.crypto = cfg.crypto()
        self._client: ApiClient | None = None
        self._background: set[asyncio.Task] = set()

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "WeChatInput":
        cfg = WeChatSettings.load(credentials)
        if not cfg.token:
            logger.warning("WeChat channel: WECHAT_TOKEN is not set; /webhooks/wechat/webhook answers 503")
        return cls(cfg)

    # -- checks ---------------------------------------------------------------------------------
    def _signature_ok(self, signature: str | None, timestamp: str | None, nonce: str | None) -> bool:
        if not (signature and timestamp and nonce and self.cfg.token):
            return False
        parts = sorted([self.cfg.token, timestamp, nonce])
        expected = hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.lower().encode("utf-8")):  # str: TypeError on non-ASCII
            return False
        if self.cfg.max_clock_skew > 0:
            try:
                return abs(time.time() - int(timestamp)) <= self.cfg.max_clock_skew
            except ValueError:
                return False
        return True

    @property
    def client(self) -> ApiClient:
        if self._client is None:
            self._client = ApiClient(self.cfg, self.store)
        return self._client

    # -- replies --------------------------------------------------------------------------------
    def _passive(self, msg, text: str, encrypted: bool, nonce: str):
        xml = TextReply(source=msg.target, target=msg.source, content=text).render()
        if encrypted and self.crypto is not None:
            xml = self.crypto.encrypt_message(xml, nonce, str(int(time.time())))
        return response.text(xml, content_type="application/xml; charset=utf-8")

    @staticmethod
    def _success():
        return response.text("success")

    def _send_custom(self, openid: str, messages: list[dict[str, Any]]) -> bool:
        """Send each bot message through the customer-service API; True when all went out."""
        if not self.cfg.can_call_api:
            logger.error("WeChat: a reply to %s could not be sent: WECHAT_APP_ID/WECHAT_APP_SECRET not set", openid)
            return False
        ok = True
        for message in messages:
            for chunk in text_chunks(render_text(message)):
                for attempt in range(4):
                    try:
                        self.client.message.send_text(openid, chunk)
                        break
                    except WeChatClientException as exc:
                        code = exc.errcode
                        if code in RETRYABLE and attempt < 3:
                            time.sleep(0.5 * 2 ** attempt)
                            continue
                        logger.error("WeChat custom/send to %s failed: %s %s", openid, code, exc.errmsg)
                        ok = False
                        break
                    except Exception as exc:  # noqa: BLE001 - network trouble inside requests
                        if attempt < 3:
                            time.sleep(0.5 * 2 ** attempt)
                            continue
                        logger.error("WeChat custom/send to %s failed: %s", openid, exc)
                        ok = False
                        break
        return ok

    async def _deliver(self, key: str, openid: str, messages: list[dict[str, Any]]) -> None:
        ok = await asyncio.to_thread(self._send_custom, openid, messages)
        await asyncio.to_thread(self.store.finish, "wechat", key, "sent" if ok else "failed", messages)

    async def _finish_later(self, task: asyncio.Task, collector: CollectingOutputChannel, key: str,
                            sender_id: str, openid: str) -> None:
        try:
            await task
        except Exception:  # noqa: BLE001
            logger.exception("WeChat: the bot failed on message %s from %s", key, sender_id)
            await asyncio.to_thread(self.store.finish, "wechat", key, "failed")
            return
        messages = common.outgoing(collector.messages)
        await asyncio.to_thread(self.store.set_choices, sender_id, common.last_buttons(messages))
        await self._deliver(key, openid, messages)

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- the request ------------------------------------------------------------------------------
    async def _receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]):
        started = time.monotonic()
        if not self.cfg.token:
            return response.text("WeChat channel not configured", status=503)
        args = request.args
        timestamp, nonce = args.get("timestamp"), args.get("nonce")
        if not self._signature_ok(args.get("signature"), timestamp, nonce):
            logger.warning("WeChat: refused a POST with a bad signature from %s", request.remote_addr or request.ip)
            return response.text("forbidden", status=403)
        try:
            body = await common.read_body(request, MAX_BODY)
        except common.BodyTooLarge:
            return response.text("request body too large", status=413)

        encrypted = (args.get("encrypt_type") or "raw").lower() == "aes"
        try:
            if encrypted:
                if self.crypto is None:
                    logger.error("WeChat: an encrypted message arrived but WECHAT_AES_KEY/WECHAT_APP_ID are not set")
                    return response.text("encryption not configured", status=500)
                try:
                    xml = self.crypto.decrypt_message(body.decode("utf-8"), args.get("msg_signature") or "", timestamp, nonce)
                except (InvalidSignatureException, InvalidAppIdException):
                    logger.warning("WeChat: refused an encrypted POST with a bad msg_signature or AppID")
                    return response.text("forbidden", status=403)
            else:
                if not self.cfg.allow_plaintext:
                    logger.warning("WeChat: refused a plaintext-mode POST (WECHAT_ALLOW_PLAINTEXT is off)")
                    return response.text("plaintext mode not accepted", status=403)
                xml = body.decode("utf-8")
            msg = parse_message(xml)
            if msg is None or not common.safe_id(msg.source) or not isinstance(msg.target, str) or not msg.target:
                raise ValueError("missing FromUserName/ToUserName")
            # wechatpy converts MsgId/CreateTime with int() when read, and a nested element comes back
            # as a dict: check them here, where a malformed message is still a 400
            msg_id, created = msg.id, msg.time
            if not isinstance(msg_id, int) or not (created is None or isinstance(created, int)):
                raise ValueError("MsgId/CreateTime not a number")
            if any(not isinstance(getattr(msg, f, None) or "", str) for f in ("content", "recognition")):
                raise ValueError("Content/Recognition not text")
        except Exception as exc:  # noqa: BLE001 - malformed XML, bad base64, missing fields
            logger.warning("WeChat: malformed message refused: %s", type(exc).__name__)
            return response.text("bad request", status=400)

        openid = msg.source
        sender_id = f"wx:{openid}"
        kind = msg.type
        if kind == "event":
            event = (getattr(msg, "event", "") or "").lower()
            if event not in {"subscribe", "subscribe_scan"}:
                return self._success()  # unsubscribe, menu clicks, location reports: nothing to say
            key = f"evt:{openid}:{created}:{event}"
        else:
            key = f"msg:{msg_id}" if msg_id else f"msg:{openid}:{created}:{kind}"

        claim = await asyncio.to_thread(self.store.claim, "wechat", key, sender_id)
        if not claim.claimed:
            logger.info("WeChat: retry of %s (status %s) not processed again", key, claim.status)
            if claim.status == "replied" and claim.reply:
                return self._passive(msg, "\n\n".join(render_text(m) for m in claim.reply), encrypted, nonce)
            return self._success()

        try:
            text: str | None = None
            canned: str | None = None
            if kind == "event":
                canned = WELCOME
            elif kind == "text":
                text = (msg.content or "").strip()
            elif kind == "voice":
                text = (getattr(msg, "recognition", None) or "").strip() or None
                canned = None if text else VOICE_UNCLEAR
            else:  # image, location, link, video, shortvideo, file, …
                canned = UNSUPPORTED
            reason = "event" if kind == "event" else ("unsupported_type" if canned else "empty")
            if canned is None and text:
                allowed = await asyncio.to_thread(self.store.allow, sender_id, self.cfg.rate_per_minute, 60.0)
                if not allowed:
                    canned, reason = common.TOO_FAST, "rate_limited"
            if canned is not None or not text:
                messages = [{"text": canned or common.EMPTY}]
                await asyncio.to_thread(self.store.finish, "wechat", key, "replied", messages)
                inbound = text or (f"[{kind}:{getattr(msg, 'event', '')}]" if kind == "event" else f"[{kind}]")
                await asyncio.to_thread(common.audit_exchange, sender_id, self.name(), inbound=inbound,
                                        reply=messages[0]["text"], reason=reason)
                return self._passive(msg, messages[0]["text"], encrypted, nonce)

            offered = await asyncio.to_thread(self.store.get_choices, sender_id)
            text, display = map_choice(text, offered)
            text = common.guard_payload(text, offered)
            collector = CollectingOutputChannel()
            metadata = {"wechat": {"msg_type": kind, "key": key}}
            if display:
                metadata["display"] = display
            user_message = UserMessage(text, collector, sender_id, input_channel=self.name(),
                                       message_id=key, metadata=metadata)
            task = asyncio.ensure_future(on_new_message(user_message))
            budget = self.cfg.passive_timeout - (time.monotonic() - started)
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=max(budget, 0.0))
            except asyncio.TimeoutError:
                logger.info("WeChat: %s not answered within %.1f s; answering through custom/send", key,
                            self.cfg.passive_timeout)
                await asyncio.to_thread(self.store.finish, "wechat", key, "async")
                self._spawn(self._finish_later(task, collector, key, sender_id, openid))
                return self._success()
        except Exception:  # noqa: BLE001 - let WeChat retry: the claim is released
            logger.exception("WeChat: processing %s from %s failed", key, sender_id)
            await asyncio.to_thread(self.store.release, "wechat", key)
            return response.text("error", status=500)

        messages = common.outgoing(collector.messages)
        if not messages:  # distress while a collector holds the conversation: the crisis lines (rule 9)
            await common.verify_if_held(request, sender_id)  # identity given to the collector (rule 1)
            care = await common.crisis_lines_if_held(request, sender_id)
            messages = [{"text": care}] if care else []
        await asyncio.to_thread(self.store.set_choices, sender_id, common.last_buttons(messages))
        if not messages:
            await asyncio.to_thread(self.store.finish, "wechat", key, "replied", [])
            return self._success()
        reply = "\n\n".join(render_text(m) for m in messages)
        if len(reply.encode("utf-8")) <= PASSIVE_LIMIT_BYTES:
            await asyncio.to_thread(self.store.finish, "wechat", key, "replied", messages)
            return self._passive(msg, reply, encrypted, nonce)
        # too long for one passive reply: every message through custom/send
        await asyncio.to_thread(self.store.finish, "wechat", key, "async")
        self._spawn(self._deliver(key, openid, messages))
        return self._success()

    # -- routes -----------------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("wechat_official_account", __name__)
        self.store.ensure_schema()

        @bp.get("/")
        async def health(request: Request):
            return response.json({"status": "ok", "configured": bool(self.cfg.token)})

        @bp.get("/webhook")
        async def verify(request: Request):
            """URL verification when the server address is saved in the Official Account console."""
            if not self.cfg.token:
                return response.text("WeChat channel not configured", status=503)
            args = request.args
            if not self._signature_ok(args.get("signature"), args.get("timestamp"), args.get("nonce")):
                return response.text("forbidden", status=403)
            echostr = args.get("echostr")
            if not echostr:
                return response.text("bad request", status=400)
            return response.text(echostr)

        async def receive(request: Request):
            return await self._receive(request, on_new_message)

        bp.add_route(receive, "/webhook", methods=["POST"], stream=True, name="receive")
        return bp
