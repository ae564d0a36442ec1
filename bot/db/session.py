"""Engines and sessions. One engine per database URL per process."""
from __future__ import annotations

import functools
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.config import settings
from bot.errors import ConfigError


def _check_sqlite_path(url) -> None:
    """A clear one-line error when the SQLite file cannot be created or written."""
    database = url.database
    if not database or database == ":memory:":
        return
    path = Path(database)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the database folder {folder}: {exc.strerror}") from None
    target = path if path.exists() else folder
    import os

    if not os.access(target, os.W_OK):
        raise ConfigError(f"the database {'file' if path.exists() else 'folder'} {target} is not writable")
    try:  # a directory or garbage at that path
        if path.exists():
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path} is not a SQLite database: {exc}") from None


@functools.lru_cache(maxsize=8)
def engine_for(database_url: str) -> Engine:
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise ConfigError(f"BOT_DATABASE_URL={database_url!r} is not a database URL") from None
    if url.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    _check_sqlite_path(url)
    engine = create_engine(url, future=True, **sqlite_engine_kwargs(url))
    event.listen(engine, "connect", sqlite_pragmas)
    return engine


def sqlite_engine_kwargs(url) -> dict:
    """A SQLite file is local: no pre-ping (nothing to lose a connection to), and a pool.
    SQLAlchemy 1.4 gives a file database NullPool: a new connection and its pragmas for every
    session. Profiling the demo profile under load (py-spy, README "Measured figures") found a
    quarter of the Rasa process there; a pool removes it."""
    kwargs: dict = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    if url.database not in (None, "", ":memory:"):
        kwargs.update(poolclass=QueuePool, pool_size=5, max_overflow=10)
    return kwargs


def sqlite_pragmas(dbapi_conn, _record) -> None:
    """Every SQLite connection (ledger, channel tables, tracker store): foreign keys enforced; WAL,
    so readers never wait for the writer and a commit appends to one file; wait for a lock rather
    than fail. ``synchronous=NORMAL`` is WAL's recommended setting: a commit survives the process
    crashing at any point, and the database is never corrupted; a power cut of the whole machine
    may undo the last commits (the production profile keeps PostgreSQL's full durability)."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def engine() -> Engine:
    return engine_for(settings().database_url)


@functools.lru_cache(maxsize=8)
def _factory(database_url: str) -> sessionmaker:
    return sessionmaker(bind=engine_for(database_url), future=True, expire_on_commit=False)


@contextmanager
def session_scope(database_url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on any exception."""
    session = _factory(database_url or settings().database_url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
