"""What the borrower-facing channels keep in the database (shared by every Rasa replica).

Four small tables, on their own declarative base so they stay out of the ledger's models:

* ``channel_inbound`` — one row per inbound message id (WeChat ``MsgId`` / event key, the web
  widget's client message id): the dedupe record that makes WeChat's retries and the widget's
  offline re-sends processed exactly once, with the reply kept so a retry can be answered again.
* ``channel_rate_events`` — a sliding-window log for the per-conversation rate limit.
* ``channel_kv`` — small values with an expiry (the WeChat access token, so all replicas share one
  token instead of invalidating each other's).
* ``channel_choices`` — the quick-reply buttons the bot offered last in a conversation: a button
  payload (``/intent{...}``) is accepted from a borrower only if it was offered, and WeChat's
  numbered replies ("1", "2") map back to those payloads.

The tables come with the ledger's migrations (``bot/db/migrations/versions/0005_channel_store.py``,
run by ``bot db init``/``bot db upgrade``); ``ChannelStore.ensure_schema`` only checks they are there.

Times here are real wall-clock seconds (``time.time()``), not ``bot.clock``: ``BOT_NOW`` pins
business dates for demos and must not freeze rate-limit windows or token expiry.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import (Column, Float, Index, Integer, String, Text, UniqueConstraint, delete, func, insert, inspect,
                        select, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import declarative_base

from bot.config import settings
from bot.errors import ConfigError
from bot.db.session import engine_for, session_scope

Base = declarative_base()


class InboundMessage(Base):
    __tablename__ = "channel_inbound"
    __table_args__ = (UniqueConstraint("channel", "message_key", name="uq_channel_inbound_key"),)
    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    message_key = Column(String(160), nullable=False)
    conversation = Column(String(96), nullable=False, index=True)
    # processing → replied (answered in the HTTP response) | async → sent | failed
    status = Column(String(16), nullable=False)
    reply = Column(Text)  # JSON list of the reply messages, for answering a retry again
    created_at = Column(Float, nullable=False, index=True)
    updated_at = Column(Float, nullable=False)


class RateEvent(Base):
    __tablename__ = "channel_rate_events"
    __table_args__ = (Index("ix_channel_rate_key_at", "key", "at"),)
    id = Column(Integer, primary_key=True)
    key = Column(String(128), nullable=False)
    at = Column(Float, nullable=False)


class KeyValue(Base):
    __tablename__ = "channel_kv"
    key = Column(String(160), primary_key=True)
    value = Column(Text, nullable=False)
    expires_at = Column(Float)  # None: never


class OfferedChoices(Base):
    __tablename__ = "channel_choices"
    conversation = Column(String(96), primary_key=True)
    buttons = Column(Text, nullable=False)  # JSON [{"title": ..., "payload": ...}]
    updated_at = Column(Float, nullable=False)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming an inbound message id."""

    claimed: bool  # True: this request processes it; False: seen before
    status: str
    reply: list[dict[str, Any]] | None = None
    retaken: bool = False  # True: a stale "processing" claim (its replica died mid-turn) taken over


class RateLimiter(Protocol):
    def allow(self, key: str, limit: int, window_seconds: float) -> bool:
        """Record one event for ``key``; False when ``limit`` events already fell in the window."""


class MemoryRateLimiter:
    """In-process limiter: fine for one replica or unit tests; replicas need ``ChannelStore``."""

    def __init__(self) -> None:
        self._events: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, window_seconds: float) -> bool:
        now = time.time()
        with self._lock:
            events = [t for t in self._events.get(key, []) if t > now - window_seconds]
            allowed = len(events) < limit
            if allowed:
                events.append(now)
            self._events[key] = events
            return allowed


_schema_ready: set[str] = set()


class ChannelStore:
    """Database access for the channels. Every method is synchronous and short: call it from async
    code through ``asyncio.to_thread`` so the event loop is not blocked."""

    PURGE_EVERY = 600.0  # seconds between opportunistic clean-ups
    KEEP_INBOUND = 7 * 24 * 3600.0  # dedupe rows: WeChat retries within seconds; a week is plenty
    KEEP_RATE = 3600.0

    def __init__(self, database_url: str | None = None) -> None:
        self.database_url = database_url or settings().database_url
        self._last_purge = 0.0

    # -- schema -----------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """The channel tables exist (migration 0005), else a clear error naming the fix."""
        if self.database_url in _schema_ready:
            return
        present = set(inspect(engine_for(self.database_url)).get_table_names())
        missing = sorted(t.name for t in Base.metadata.sorted_tables if t.name not in present)
        if missing:
            raise ConfigError(f"the channel tables {', '.join(missing)} are missing: run `bot db upgrade`")
        _schema_ready.add(self.database_url)

    def _session(self):
        self.ensure_schema()
        return session_scope(self.database_url)

    def _transaction(self):
        """A Core transaction for the per-message calls: one or two statements each, so no ORM
        session and unit of work (measured: README "Measured figures")."""
        self.ensure_schema()
        return engine_for(self.database_url).begin()

    # -- dedupe -----------------------------------------------------------------------------
    def claim(self, channel: str, key: str, conversation: str, stale_after: float | None = None) -> Claim:
        """Claim an inbound message id for processing. A claim still ``processing`` after
        ``stale_after`` seconds belonged to a replica that died mid-turn: one retry takes it over
        (``retaken``; the caller checks the tracker for the message before processing it again)."""
        now = time.time()
        inbound = InboundMessage.__table__
        try:
            with self._transaction() as c:
                c.execute(insert(inbound).values(channel=channel, message_key=key, conversation=conversation,
                                                 status="processing", created_at=now, updated_at=now))
            return Claim(True, "processing")
        except IntegrityError:
            with self._transaction() as c:
                row = c.execute(select(inbound.c.id, inbound.c.status, inbound.c.reply, inbound.c.updated_at).where(
                    inbound.c.channel == channel, inbound.c.message_key == key)).first()
                if row is None:  # released in between: try once more
                    return self.claim(channel, key, conversation, stale_after)
                if stale_after is not None and row.status == "processing" and row.updated_at < now - stale_after:
                    taken = c.execute(update(inbound).where(
                        inbound.c.id == row.id, inbound.c.status == "processing",
                        inbound.c.updated_at == row.updated_at).values(updated_at=now)).rowcount
                    if taken:  # at most one retry wins the takeover
                        return Claim(True, "processing", retaken=True)
                return Claim(False, row.status, json.loads(row.reply) if row.reply else None)

    def finish(self, channel: str, key: str, status: str, reply: list[dict[str, Any]] | None = None) -> None:
        values: dict[str, Any] = {"status": status, "updated_at": time.time()}
        if reply is not None:
            values["reply"] = json.dumps(reply, ensure_ascii=False)
        inbound = InboundMessage.__table__
        with self._transaction() as c:
            c.execute(update(inbound).where(inbound.c.channel == channel, inbound.c.message_key == key).values(**values))

    def release(self, channel: str, key: str) -> None:
        """Forget a claim whose processing failed before Rasa saw the message, so a retry runs it."""
        with self._session() as s:
            s.execute(delete(InboundMessage).where(
                InboundMessage.channel == channel, InboundMessage.message_key == key))

    def status(self, channel: str, key: str) -> str | None:
        with self._transaction() as c:
            return c.execute(select(InboundMessage.status).where(
                InboundMessage.channel == channel, InboundMessage.message_key == key)).scalar_one_or_none()

    # -- rate limit -------------------------------------------------------------------------
    def allow(self, key: str, limit: int, window_seconds: float) -> bool:
        """Sliding-window limit shared by all replicas. Two replicas racing on the last slot may
        both pass (the limit is a courtesy brake, not an accounting control)."""
        now = time.time()
        self._maybe_purge(now)
        with self._transaction() as c:
            count = c.execute(select(func.count(RateEvent.id)).where(
                RateEvent.key == key, RateEvent.at > now - window_seconds)).scalar_one()
            if count >= limit:
                return False
            c.execute(insert(RateEvent.__table__).values(key=key, at=now))
            return True

    def _maybe_purge(self, now: float) -> None:
        if now - self._last_purge < self.PURGE_EVERY:
            return
        self._last_purge = now
        with self._session() as s:
            s.execute(delete(RateEvent).where(RateEvent.at < now - self.KEEP_RATE))
            s.execute(delete(InboundMessage).where(InboundMessage.created_at < now - self.KEEP_INBOUND))
            s.execute(delete(KeyValue).where(KeyValue.expires_at.is_not(None), KeyValue.expires_at < now))

    # -- key/value with expiry ----------------------------------------------------------------
    def kv_get(self, key: str) -> str | None:
        with self._session() as s:
            row = s.get(KeyValue, key)
            if row is None or (row.expires_at is not None and row.expires_at <= time.time()):
                return None
            return row.value

    def kv_set(self, key: str, value: str, ttl: float | None = None) -> None:
        expires = time.time() + ttl if ttl else None
        with self._session() as s:
            row = s.get(KeyValue, key)
            if row is None:
                s.add(KeyValue(key=key, value=value, expires_at=expires))
            else:
                row.value, row.expires_at = value, expires

    def kv_delete(self, key: str) -> None:
        with self._session() as s:
            s.execute(delete(KeyValue).where(KeyValue.key == key))

    # -- offered quick replies ------------------------------------------------------------------
    def set_choices(self, conversation: str, buttons: list[dict[str, str]]) -> None:
        choices = OfferedChoices.__table__
        with self._transaction() as c:
            if not buttons:
                c.execute(delete(choices).where(choices.c.conversation == conversation))
                return
            values = {"buttons": json.dumps(buttons, ensure_ascii=False), "updated_at": time.time()}
            if c.execute(update(choices).where(choices.c.conversation == conversation).values(**values)).rowcount:
                return
        try:
            with self._transaction() as c:
                c.execute(insert(choices).values(conversation=conversation, **values))
        except IntegrityError:  # another replica inserted it in between: the newest offer wins
            with self._transaction() as c:
                c.execute(update(choices).where(choices.c.conversation == conversation).values(**values))

    def get_choices(self, conversation: str) -> list[dict[str, str]]:
        with self._transaction() as c:
            buttons = c.execute(select(OfferedChoices.buttons).where(
                OfferedChoices.conversation == conversation)).scalar_one_or_none()
        return json.loads(buttons) if buttons is not None else []
