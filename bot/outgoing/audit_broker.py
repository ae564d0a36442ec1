"""Compliance rule 15: every inbound and outbound message is appended to the audit log, masked.

Rasa publishes every tracker event to the configured event broker (endpoints.yml
``event_broker: type: bot.outgoing.audit_broker.AuditEventBroker``); this one keeps the user and
bot messages. Writes happen off the event loop so a slow database never stalls replies.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from rasa.core.brokers.broker import EventBroker

log = logging.getLogger(__name__)
KEPT = {"user": ("borrower", "message_in"), "bot": ("bot", "message_out")}


def record_event(event: dict[str, Any]) -> bool:
    """Append one message event; returns False for events that are not messages."""
    kind = KEPT.get(event.get("event", ""))
    if kind is None:
        return False
    from bot import clock
    from bot.db.session import session_scope
    from bot.services import audit

    actor, action = kind
    detail: dict[str, Any] = {}
    if actor == "borrower":
        parse = event.get("parse_data") or {}
        detail = {"intent": (parse.get("intent") or {}).get("name"),
                  "confidence": round(float((parse.get("intent") or {}).get("confidence") or 0), 3),
                  "channel": event.get("input_channel")}
    else:
        buttons = ((event.get("data") or {}).get("buttons")) or []
        detail = {"buttons": [b.get("title") for b in buttons], "response": (event.get("metadata") or {}).get("utter_action")}
    stamp = event.get("timestamp")
    at = dt.datetime.fromtimestamp(stamp, clock.TZ) if isinstance(stamp, (int, float)) else clock.now()
    with session_scope() as session:
        audit.record(session, action, actor=actor, conversation_id=event.get("sender_id"), detail=detail,
                     text=(event.get("text") or "")[:4000], at=at)
    return True


class AuditEventBroker(EventBroker):
    @classmethod
    async def from_endpoint_config(cls, broker_config, event_loop=None) -> "AuditEventBroker":
        return cls()

    def publish(self, event: dict[str, Any]) -> None:
        if event.get("event") not in KEPT:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self._safe(event)
        else:
            loop.run_in_executor(None, self._safe, event)

    @staticmethod
    def _safe(event: dict[str, Any]) -> None:
        try:
            record_event(event)
        except Exception:  # logged loudly: a missing audit line is an incident, but never a lost reply
            log.exception("audit write failed for a %s event", event.get("event"))

    def is_ready(self) -> bool:
        return True
