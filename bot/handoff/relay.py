"""The relay between a collector and the borrower's conversation, through Rasa's tracker.

Runs inside the Rasa server (the console channel hands it ``request.app.ctx.agent``), so it works
whether or not the HTTP API is enabled, and on any replica: the tracker store and the lock store are
the shared ones from endpoints.yml (SQL tracker store; Redis lock store in production).

- **pause / resume**: Rasa's ``ConversationPaused`` / ``ConversationResumed`` events (``{"event":
  "pause"}`` / ``{"event": "resume"}``) appended exactly as ``POST /conversations/{id}/tracker/events``
  does: under the conversation lock, on the tracker from the tracker store, then saved (which also
  publishes them to the event broker). While paused Rasa still logs every user message
  (``MessageProcessor.log_message`` runs before the paused check) but predicts no action, so the bot
  is silent and the transcript is complete.
- **collector replies**: appended as a bot utterance (``{"event": "bot", "text": …, "metadata":
  {"collector": name}}``), so the transcript, the web widget's history and the audit broker see them;
  for WeChat senders (``wx:<openid>``) the text also goes out through the customer-service API.
- **transcript**: the full tracker (all sessions), masked (compliance rule 4) for the console.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Callable

from bot.compliance.masking import mask_text
from bot.handoff.summary import ConversationState

log = logging.getLogger(__name__)

IDENTITY_ENTITIES = {"id_last4", "birth_date", "phone_last4"}
#: what the borrower reads when a person takes over / leaves
CLAIM_NOTICE = "您好，我是人工客服，已经看到您之前的对话，接下来由我为您服务。"
HANDBACK_NOTICE = "人工客服已结束本次服务，接下来由自动助手继续为您服务。如需人工，随时可以说“转人工”。"
CLOSE_NOTICE = "本次人工服务已结束，感谢您的耐心。如还有问题，可以继续留言，自动助手会为您服务。"


class RelayError(Exception):
    pass


def _mask_user_text(text: str, entities: list[dict] | None) -> str:
    """Mask personal data; a message that carried identity factors has every digit masked."""
    if any(isinstance(e, dict) and e.get("entity") in IDENTITY_ENTITIES for e in entities or []):
        text = re.sub(r"[0-9０-９Xx]", "*", text)
    return mask_text(text)


def transcript_items(events: list[dict[str, Any]], start: int = 0) -> list[dict[str, Any]]:
    """Tracker events (as dicts) from index ``start`` on → what the console shows, masked, oldest
    first. The tracker's event list only grows, so its length is the console's polling cursor (no
    clock comparisons between replicas)."""
    items: list[dict[str, Any]] = []
    for e in events[max(start, 0):]:
        ts = float(e.get("timestamp") or 0.0)
        kind = e.get("event")
        if kind == "user":
            meta = e.get("metadata") or {}
            shown = meta.get("display") if isinstance(meta.get("display"), str) else None
            text = shown or e.get("text") or ""
            if not text:
                continue
            intent = ((e.get("parse_data") or {}).get("intent") or {}).get("name")
            items.append({"from": "borrower", "text": _mask_user_text(text, (e.get("parse_data") or {}).get("entities")),
                          "intent": intent, "ts": ts})
        elif kind == "bot":
            meta = e.get("metadata") or {}
            text = e.get("text") or ""
            buttons = [b.get("title") for b in ((e.get("data") or {}).get("buttons") or []) if isinstance(b, dict)]
            if not text and not buttons:
                continue
            who = "collector" if meta.get("collector") else "bot"
            item = {"from": who, "text": mask_text(text), "ts": ts}
            if who == "collector":
                item["collector"] = str(meta.get("collector"))
            if buttons:
                item["buttons"] = [str(b) for b in buttons if b]
            items.append(item)
        elif kind in ("pause", "resume"):
            items.append({"from": "system", "text": "机器人已暂停（人工接管）" if kind == "pause" else "机器人已恢复",
                          "ts": ts})
        elif kind == "session_started":
            items.append({"from": "system", "text": "新的会话段开始", "ts": ts})
    return items


def state_from_tracker(tracker) -> ConversationState:
    if tracker is None:
        return ConversationState()
    intents: list[str] = []
    last_user_at = None
    for event in tracker.events:
        if getattr(event, "type_name", None) == "user":
            name = (event.intent or {}).get("name")
            if name:
                intents.append(name)
            last_user_at = event.timestamp
    slot = tracker.get_slot
    return ConversationState(
        exists=bool(tracker.events), paused=tracker.is_paused(), verified=bool(slot("verified")),
        borrower_id=slot("borrower_id"), distress=bool(slot("distress")), third_party=bool(slot("third_party")),
        last_intents=tuple(intents[-5:]), last_user_at=last_user_at,
    )


class TrackerRelay:
    """Tracker operations on the Rasa agent of this server (one per request is fine: no state)."""

    def __init__(self, agent) -> None:
        if agent is None:
            raise RelayError("the Rasa agent is not loaded yet")
        self.agent = agent

    async def full_tracker(self, conversation_id: str):
        return await self.agent.tracker_store.retrieve_full_tracker(conversation_id)

    async def state(self, conversation_id: str) -> ConversationState:
        """Slots, pause and last intents: the current session is enough (cheaper for the queue)."""
        return state_from_tracker(await self.agent.tracker_store.retrieve(conversation_id))

    async def transcript(self, conversation_id: str, start: int = 0) -> tuple[list[dict], ConversationState, int]:
        """(items from event ``start`` on, the conversation state, the cursor for the next poll)."""
        tracker = await self.full_tracker(conversation_id)
        if tracker is None:
            return [], ConversationState(), 0
        events = list(tracker.events)
        if start > len(events):  # the tracker was replaced: start over
            start = 0
        return transcript_items([e.as_dict() for e in events[start:]]), state_from_tracker(tracker), len(events)

    async def append(self, conversation_id: str, build: Callable[[Any], list[dict[str, Any]]]) -> list[dict]:
        """Append events like ``POST /conversations/{id}/tracker/events`` does: under the conversation
        lock, on the stored tracker, then saved (and so published to the event broker). ``build``
        gets the current tracker and returns the events to add (none: nothing is written)."""
        from rasa.shared.core.events import Event

        agent = self.agent
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.processor.fetch_tracker_with_initial_session(conversation_id)
            events = build(tracker)
            if not events:
                return []
            for data in events:
                event = Event.from_parameters(data)
                if event is None:
                    raise RelayError(f"not a Rasa event: {data!r}")
                tracker.update(event, agent.domain)
            await agent.tracker_store.save(tracker)
        return events

    async def pause(self, conversation_id: str) -> bool:
        """Silence the bot (idempotent: no second pause event when it is already paused). Whatever the bot
        had read back and was waiting for a yes to (a plan, a promise) is dropped: the person takes over,
        and a 「确认」 after the hand-back must not sign what was read back before it (found by a probe: a
        plan disclosed before the handoff was signed by the 「确认」 that answered the collector's goodbye)."""
        return bool(await self.append(conversation_id, lambda t: [] if t.is_paused() else
                                      [{"event": "pause"}, *_nothing_pending(t)]))

    async def resume(self, conversation_id: str, notice: str | None = None, collector: str | None = None) -> None:
        """Give the conversation back to the bot, with the slots (context) it had. An action_listen
        after the resume puts the dialogue back at "waiting for the borrower", as after any turn. Distress
        (rule 9) has been attended to by a person, who chose to give the conversation back: the bot answers
        again (found by a probe: after a hand-back with outcome wellbeing_support every request got 「现在先
        不谈还款的事…工作人员会尽快联系您」, with nobody queued); distress said again is cared for again."""
        events: list[dict[str, Any]] = []
        if notice:
            events.append(bot_event(notice, collector, notice=True))
        events += [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        await self.append(conversation_id, lambda t: [*_nothing_pending(t), *_attended(t), *events])

    async def care_if_distressed(self, conversation_id: str) -> str | None:
        """Compliance rule 9 while a collector holds the conversation (the bot predicts nothing then): when
        the borrower's latest message is distress, the crisis lines at once (a bot utterance, once per
        message), the ``distress`` slot set (collection talk stays suppressed after the hand-back), and the
        queue entry raised to distress priority, so the console shows it first and urgent. Returns the text
        to send, or None."""
        from bot.compliance.distress_signals import care_while_held, distress_in

        text = care_while_held()
        raised: dict[str, Any] = {}

        def build(tracker) -> list[dict[str, Any]]:
            if not tracker.is_paused() or not distress_in(tracker.latest_message.parse_data):
                return []
            latest_user = max((i for i, e in enumerate(tracker.events) if getattr(e, "type_name", None) == "user"),
                              default=-1)
            if any(getattr(e, "type_name", None) == "bot" and e.text == text for e in list(tracker.events)[latest_user:]):
                return []  # already cared for this message (a retried delivery)
            raised["borrower_id"] = tracker.get_slot("borrower_id")
            events: list[dict[str, Any]] = []
            if not tracker.get_slot("distress"):
                events.append({"event": "slot", "name": "distress", "value": True})
            events.append({"event": "bot", "text": text, "data": {}, "metadata": {"safety": "distress"},
                           "timestamp": time.time()})
            return events

        if not await self.append(conversation_id, build):
            return None
        from bot.db.session import session_scope
        from bot.handoff.queue import request_handoff

        def raise_entry() -> None:  # raised, never lowered: the claim stays with its collector
            with session_scope() as session:
                request_handoff(session, conversation_id, raised.get("borrower_id"), "distress")

        await asyncio.to_thread(raise_entry)  # the database off the event loop, as the console's own writes
        return text

    async def verify_if_held(self, conversation_id: str) -> str | None:
        """Compliance rule 1 while a collector holds the conversation (the bot predicts nothing then, so
        identity factors the borrower types to the collector were never checked, and the console kept
        showing 「未验证身份」 with no loan figures; found by a probe). The latest message's factors,
        with any kept from earlier ones, go through the same check as the bot's own
        (bot/services/verification.py: lockout, audit, used once): passed sets ``verified`` and
        ``borrower_id`` (the console then shows the loan) and names the queue entry's borrower; an
        incomplete set is kept for the next message. Nothing is said to the borrower: the collector
        is talking to them. Someone who said they are not the borrower is never verified (rule 2).
        Returns the verification status, or None when there was nothing to check."""
        tracker = await self.agent.tracker_store.retrieve(conversation_id)
        if tracker is None or not tracker.is_paused() or tracker.get_slot("verified") \
                or tracker.get_slot("third_party"):
            return None
        latest = tracker.latest_message
        given = {e.get("entity"): e.get("value") for e in (latest.entities if latest else [])
                 if isinstance(e, dict) and e.get("entity") in IDENTITY_ENTITIES and e.get("value")}
        if not given:
            return None
        message_id = latest.message_id
        factors = _held_factors(given, tracker.get_slot)
        if not factors.complete:
            def keep(t) -> list[dict[str, Any]]:
                if t.latest_message is None or t.latest_message.message_id != message_id:
                    return []
                parsed = {"id_last4": factors.id_last4, "phone_last4": factors.phone_last4}
                return [{"event": "slot", "name": name, "value": parsed.get(name, value)} for name, value in given.items()]
            await self.append(conversation_id, keep)
            return "incomplete"

        from bot.db.session import session_scope
        from bot.services import verification

        def check():
            with session_scope() as session:
                return verification.verify(session, conversation_id, factors)

        result = await asyncio.to_thread(check)  # the database off the event loop

        def record(t) -> list[dict[str, Any]]:
            events: list[dict[str, Any]] = [{"event": "slot", "name": name, "value": None}
                                            for name in sorted(IDENTITY_ENTITIES) if t.get_slot(name) is not None]
            if result.status == "passed":  # factors are used once, never kept
                events += [{"event": "slot", "name": "verified", "value": True},
                           {"event": "slot", "name": "borrower_id", "value": result.borrower_id}]
            return events

        await self.append(conversation_id, record)
        return result.status

    async def say(self, conversation_id: str, text: str, collector: str, *, handoff_id: int | None = None,
                  notice: bool = False) -> None:
        """A collector's (already filtered) message into the conversation. The bot is paused first if
        something resumed it meanwhile (e.g. a new Rasa session after 30 idle minutes)."""
        message = bot_event(text, collector, handoff_id=handoff_id, notice=notice)
        await self.append(conversation_id, lambda t: ([] if t.is_paused() else [{"event": "pause"}]) + [message])


def _held_factors(given: dict[str, Any], slot: Callable[[str], Any]):
    """The identity factors of a held conversation: this message's, else those kept from earlier ones
    (as ``actions/common.py:_factors`` reads them for the bot)."""
    from bot.services.verification import factors_from

    value = lambda name: given.get(name) or slot(name)  # noqa: E731
    return factors_from(value("id_last4"), value("birth_date"), value("phone_last4"))


def _nothing_pending(tracker) -> list[dict[str, Any]]:
    """The slot events that drop a read-back waiting for the borrower's yes, if one is."""
    return ([{"event": "slot", "name": "pending_confirmation", "value": None}]
            if tracker.get_slot("pending_confirmation") is not None else [])


def _attended(tracker) -> list[dict[str, Any]]:
    """The slot event that ends distress handling once a person has attended to it, if it is on."""
    return [{"event": "slot", "name": "distress", "value": False}] if tracker.get_slot("distress") else []


def bot_event(text: str, collector: str | None, *, notice: bool = False, handoff_id: int | None = None) -> dict:
    """A bot utterance written by a person (``metadata.collector``), as the tracker events API takes it."""
    meta: dict[str, Any] = {"collector": collector or "console"}
    if notice:
        meta["notice"] = True
    if handoff_id is not None:
        meta["handoff"] = handoff_id
    return {"event": "bot", "text": text, "data": {}, "metadata": meta, "timestamp": time.time()}


# -- WeChat ---------------------------------------------------------------------------------------
_wechat_client = None


def _wechat_settings():
    """The WeChat channel's settings: the environment, then its section of credentials.yml."""
    from bot.channels.wechat_api import WeChatSettings

    section = None
    try:
        import yaml

        from bot.config import PROJECT_ROOT

        data = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
        section = data.get("bot.channels.wechat.WeChatInput") or None
    except Exception:  # noqa: BLE001 - no file or unreadable: the environment alone
        section = None
    return WeChatSettings.load(section)


def send_wechat(conversation_id: str, text: str) -> tuple[bool, str | None]:
    """Send ``text`` to a ``wx:<openid>`` conversation through the customer-service API
    (``/cgi-bin/message/custom/send``), split at WeChat's 2 000-byte limit and retried on
    system-busy / network errors like the channel's own late replies. Returns (sent, error)."""
    global _wechat_client
    if not conversation_id.startswith("wx:"):
        return False, "not a WeChat conversation"
    openid = conversation_id[3:]
    from wechatpy.exceptions import WeChatClientException

    from bot.channels.store import ChannelStore
    from bot.channels.wechat_api import ApiClient, text_chunks

    cfg = _wechat_settings()
    if not cfg.can_call_api:
        return False, "微信公众号未配置 WECHAT_APP_ID / WECHAT_APP_SECRET，无法发送客服消息"
    if _wechat_client is None or _wechat_client.api_base != cfg.api_base:
        _wechat_client = ApiClient(cfg, ChannelStore())
    for chunk in text_chunks(text):
        for attempt in range(4):
            try:
                _wechat_client.message.send_text(openid, chunk)
                break
            except WeChatClientException as exc:
                if exc.errcode in (None, -1, 45009) and attempt < 3:
                    time.sleep(0.5 * 2 ** attempt)
                    continue
                log.error("WeChat custom/send for a collector reply failed: %s %s", exc.errcode, exc.errmsg)
                return False, f"微信发送失败（{exc.errcode}）：{exc.errmsg}"
            except Exception as exc:  # noqa: BLE001 - network trouble
                if attempt < 3:
                    time.sleep(0.5 * 2 ** attempt)
                    continue
                log.error("WeChat custom/send for a collector reply failed: %s", exc)
                return False, "微信发送失败：网络错误"
    return True, None
