"""A real 2-replica prod cluster: PostgreSQL (fresh databases per run), Redis, nginx in front."""
from __future__ import annotations

import secrets
import shutil
import uuid

import pytest

from tests.conftest import ensure_postgres


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping())
    except Exception:  # noqa: BLE001
        return False


def _drop(dbs: list[str]) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        for db in dbs:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
    conn.close()


def ensure_redis() -> None:
    """The machine's Redis on 127.0.0.1:6379, started if it is down (never a silent skip)."""
    if _redis_up():
        return
    if not shutil.which("redis-server"):
        pytest.fail("Redis is not running and redis-server is not installed")
    import subprocess
    import time

    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
                    "--save", "", "--appendonly", "no"], check=False)
    for _ in range(30):
        if _redis_up():
            return
        time.sleep(0.5)
    pytest.fail("Redis did not start on 127.0.0.1:6379")


@pytest.fixture(scope="session")
def prod_cluster(tmp_path_factory):
    from bot.bench.portfolio import seed_generated
    from bot.db.seed import seed_portfolio
    from bot.prod.profile import ProdCluster, ProdSettings
    from bot.training import ensure_model
    from tests.conftest import ROOT

    ensure_postgres()
    ensure_redis()
    if not shutil.which("nginx"):
        pytest.fail("nginx is not installed: `make services` (scripts/install-services.sh) installs it")
    tag = uuid.uuid4().hex[:8]
    ledger, tracker = f"bot_test_ledger_{tag}", f"bot_test_tracker_{tag}"
    password = secrets.token_urlsafe(12)
    cfg = ProdSettings(
        database_url=f"postgresql+psycopg2://huankuan_test:{password}@127.0.0.1:5432/{ledger}",
        tracker_url=f"postgresql://huankuan_test:{password}@127.0.0.1:5432/{tracker}",
        redis_url="redis://127.0.0.1:6379/0", rasa_token=secrets.token_urlsafe(24),
        web_secret=secrets.token_urlsafe(40), replicas=2, rasa_port=5305, action_port=5355, lb_port=5390)

    def seeder(url: str) -> int:
        return seed_portfolio(ROOT / "data" / "demo" / "portfolio.yml", url) + seed_generated(url, 20)

    cluster = ProdCluster(model=ensure_model(), cfg=cfg, run_dir=tmp_path_factory.mktemp("prod"),
                          env={"BOT_TODAY": "2026-12-01", "BOT_WEB_RATE_PER_MINUTE": "60",
                               # faster recovery after a killed replica (defaults: 30 s and 60 s)
                               "BOT_WEB_CLAIM_STALE_SECONDS": "5", "TICKET_LOCK_LIFETIME": "20"}, seeder=seeder)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        _drop([ledger, tracker])
