"""Shared fixtures: a freshly migrated and seeded database (SQLite file, or PostgreSQL)."""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)
def project_domain():
    """The project's domain.yml as Rasa loads it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def pinned_today(monkeypatch):
    monkeypatch.setenv("BOT_TODAY", "2026-12-01")
    monkeypatch.delenv("BOT_NOW", raising=False)
    return "2026-12-01"


def _migrate_and_seed(url: str) -> str:
    from bot.db.migrate import upgrade
    from bot.db.seed import seed_portfolio

    upgrade(url)
    seed_portfolio(ROOT / "data" / "demo" / "portfolio.yml", url)
    return url


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("BOT_DATABASE_URL", url)
    return _migrate_and_seed(url)


def postgres_cluster_version() -> str | None:
    """The newest Debian PostgreSQL cluster installed (``/etc/postgresql/<version>/main``)."""
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".") if x.isdigit()]) \
        if os.path.isdir("/etc/postgresql") else []
    return versions[-1] if versions else None


def ensure_postgres() -> str:
    """The machine's PostgreSQL (127.0.0.1:5432, trust auth); started if it is down."""
    import psycopg2

    def up() -> bool:
        try:
            psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            return False

    if not up():
        version = postgres_cluster_version()
        if not version or not shutil.which("pg_ctlcluster"):
            pytest.fail("PostgreSQL is not running and no installed cluster was found to start")
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
        for _ in range(30):
            if up():
                break
            time.sleep(1)
        else:
            pytest.fail("PostgreSQL did not start")
    return "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture
def postgres_url(monkeypatch) -> str:
    import psycopg2

    base = ensure_postgres()
    name = f"bot_test_{uuid.uuid4().hex[:10]}"
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    conn.cursor().execute(f"CREATE DATABASE {name}")
    url = f"{base}/{name}"
    monkeypatch.setenv("BOT_DATABASE_URL", url)
    yield _migrate_and_seed(url)
    from bot.db.session import engine_for

    engine_for(url).dispose()
    conn.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
