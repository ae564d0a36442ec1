"""Rasa's SQL tracker store, made to survive a database restart, to fail loudly in an outage, and
not to block every turn on SQLite's disk syncs. Used by every profile (endpoints.yml for the demo's
SQLite, ``bot/prod/profile.py`` for PostgreSQL).

What Rasa 3.6 does and this store changes (1 and 2 a bank cannot ship; 3 to 5 cost every turn):

1. It builds its engine without ``pool_pre_ping``: after PostgreSQL restarts, every pooled
   connection is dead and the next turn of every conversation fails. This store rebuilds the
   engine with pre-ping (SQLAlchemy checks a pooled connection before handing it out and replaces
   a dead one), so the first message after a restart is answered normally.
2. It wraps every tracker store in ``FailSafeTrackerStore``, which on a database error *retrieves
   nothing* (the turn then runs on an empty tracker: a verified borrower is asked to verify again,
   their context gone) and *saves to memory* (the turn never reaches the database, other replicas
   never see it). For this store the wrapper re-raises instead: the turn is refused before anything
   is processed, the channel answers "please re-send" (HTTP 500 with a polite message) and the
   conversation in the database stays as it was.
3. On SQLite it opens a new connection for every read and write (SQLAlchemy 1.4's NullPool) in the
   rollback-journal mode, so each of a turn's three tracker transactions waits for several disk
   syncs — on the event loop, where every other conversation waits too. Here a SQLite tracker
   database gets the ledger's settings (``bot/db/session.py:sqlite_pragmas``: WAL, one pooled
   connection reused). Measured with ``bot bench``: README, "Measured figures".
4. Every save re-reads and rebuilds the whole conversation to find the events to publish, then
   counts them again (``save`` below): a turn read its conversation five times, not once.
5. It reads and writes events as ORM objects, through ORM queries built anew for every read and
   save: every stored event of the session becomes an ORM instance only for its ``data`` column
   to be read, and every new one goes through the unit of work. Here the queries are Core
   statements built once (``_Statements``), a read selects the ``data`` column alone and the new
   events of a save go in one executemany INSERT per ``INSERT_ROWS`` (same rows; measured in
   README, "Measured figures").
6. It stores the borrower's words as typed. Here health and bereavement details are masked in
   what is stored (``bot/compliance/sensitive_text.py``, compliance rule 3: never free text): the
   turn runs on the words as typed, transcripts and later turns read them masked.

Production endpoints (``bot/prod/profile.py``)::

    tracker_store:
      type: bot.tracker_store.ResilientSQLTrackerStore
      dialect: postgresql
      url: 127.0.0.1
      ...
"""
from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.compliance.sensitive_text import redact_event
from bot.db.session import sqlite_engine_kwargs, sqlite_pragmas

logger = logging.getLogger(__name__)
#: events per INSERT executemany: a turn has a handful; a long replayed conversation saved at once
#: is sent in bounded batches (psycopg2 folds each batch into multi-row VALUES)
INSERT_ROWS = 500


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database could not be read or written: the turn is refused."""


class _Statements:
    """The store's queries, built once: Rasa's ``_event_query`` (events of the sender's latest
    session: from the newest ``session_started`` by timestamp, or all if there is none) as Core
    statements with a bound ``sender_id``. Rasa builds an ORM query, and for a save a count around
    it, anew for every read and save, and SQLAlchemy derives its cache key each time."""

    def __init__(self, table: sa.Table) -> None:
        sender = table.c.sender_id == sa.bindparam("sender_id")
        session_start = (sa.select(sa.func.max(table.c.timestamp))
                         .where(sender, table.c.type_name == SessionStarted.type_name).scalar_subquery())
        latest = sa.and_(sender, sa.or_(table.c.timestamp >= session_start, session_start.is_(None)))
        self.count_latest = sa.select(sa.func.count()).select_from(table).where(latest)
        self.data_latest = sa.select(table.c.data).where(latest).order_by(table.c.id)
        self.data_all = sa.select(table.c.data).where(sender).order_by(table.c.id)
        self.insert = table.insert()  # executemany: one compiled statement, rows batched by the driver


class ResilientSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that survives restarts, refuses turns in an outage, and reads less (module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            self.engine = sa.create_engine(url, **sqlite_engine_kwargs(url))
            sa.event.listen(self.engine, "connect", sqlite_pragmas)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._statements = _Statements(self.SQLEvent.__table__)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``save`` in one read instead of three: Rasa first re-reads and rebuilds the whole
        stored conversation only to learn how many of its events are new (for the event broker),
        then counts the stored events again to know which to insert. One count serves both; the
        new events are inserted, committed, then published (so the audit log never holds an event
        the conversation lost)."""
        statements = self._statements
        with self.session_scope() as session:
            stored = session.execute(statements.count_latest, {"sender_id": tracker.sender_id}).scalar_one()
            new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
            rows = []
            for event in new_events:
                data = redact_event(event.as_dict())  # rule 3: health and bereavement details masked
                rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                             "timestamp": data.get("timestamp"),
                             "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             "action_name": data.get("name"), "data": json.dumps(data)})
            for start in range(0, len(rows), INSERT_ROWS):  # in event order: ids ascend as Rasa's do
                session.execute(statements.insert, rows[start:start + INSERT_ROWS])
            session.commit()
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)


    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """Rasa's ``_retrieve``, reading only the events' ``data`` column instead of whole ORM rows."""
        query = self._statements.data_all if fetch_events_from_all_sessions else self._statements.data_latest
        with self.session_scope() as session:
            events = [json.loads(data) for data in session.execute(query, {"sender_id": sender_id}).scalars()]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None


def _refuse_the_turn(error: Exception) -> None:
    logger.error("conversation database unavailable, turn refused: %s", error)
    raise TrackerStoreUnavailable(f"conversation database unavailable: {error}") from error


_rasa_create_tracker_store = Agent._create_tracker_store


def _create_tracker_store(store: TrackerStore | None, domain: Any) -> TrackerStore:
    wrapped = _rasa_create_tracker_store(store, domain)
    if isinstance(store, ResilientSQLTrackerStore):
        wrapped._on_tracker_store_error = _refuse_the_turn  # FailSafeTrackerStore calls it, then falls back
    return wrapped


# Rasa imports this module (the endpoints' ``type``) before it builds the Agent that wraps the store.
Agent._create_tracker_store = staticmethod(_create_tracker_store)
