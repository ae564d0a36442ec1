"""Rasa's SQL tracker store, made to survive a database restart and to fail loudly in an outage.

Two things Rasa 3.6 does that a bank cannot ship:

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

Configured in the production profile's endpoints (``bot/prod/profile.py``)::

    tracker_store:
      type: bot.prod.tracker_store.ResilientSQLTrackerStore
      dialect: postgresql
      url: 127.0.0.1
      ...
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database could not be read or written: the turn is refused."""


class ResilientSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose pooled connections are checked before use (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


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
