"""The production profile: N Rasa replicas + N action servers behind nginx, PostgreSQL, Redis.

``ProdCluster`` starts and stops everything like ``bot.serve.Servers`` does for the demo:

1. creates the database role and the two databases if missing (ledger, tracker), through an
   admin connection (``BOT_PG_ADMIN_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``);
2. migrates the ledger (``bot.db.migrate.upgrade``) and seeds the demo portfolio if it is empty
   (``seed=False`` or a custom ``seeder`` for other data, e.g. the benchmark's generated borrowers);
3. renders, into its run directory (mode 0700; the files hold the database password):
   ``endpoints-<port>.yml`` (tracker_store PostgreSQL via ``bot/tracker_store.py``, lock_store
   Redis via ``bot/prod/lock_store.py``, the replica's own action server), ``credentials.yml``
   (the repo's channels without the open ``rest:`` one), ``nginx.conf``;
4. starts replica i as: action server on ``action_port + i``, Rasa on ``rasa_port + i``
   (``--auth-token $BOT_RASA_TOKEN``), then nginx on ``lb_port``, and waits until all are healthy.

Every secret comes from the environment (``ProdSettings.from_env``), never from the repository.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import requests
import yaml

from bot.config import PROJECT_ROOT
from bot.errors import ConfigError
from bot.serve import run_in_foreground, stop_process_groups

NGINX_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _env_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None


@dataclass(frozen=True)
class ProdSettings:
    """Where the production profile's pieces are and their secrets, all from the environment."""

    database_url: str          # BOT_DATABASE_URL: the ledger (postgresql+psycopg2://user:pw@host:port/db)
    tracker_url: str           # BOT_TRACKER_DATABASE_URL: Rasa's tracker store, its own database
    redis_url: str             # BOT_REDIS_URL: the lock store (redis://[:pw@]host:port/db)
    rasa_token: str            # BOT_RASA_TOKEN: Rasa HTTP API --auth-token
    web_secret: str            # BOT_WEB_SECRET: the web widget's token HMAC, shared by all replicas
    replicas: int = 2          # BOT_REPLICAS
    rasa_port: int = 5005      # BOT_RASA_PORT: replica i listens on rasa_port + i
    action_port: int = 5055    # BOT_ACTION_PORT: action server i on action_port + i
    lb_port: int = 8080        # BOT_LB_PORT: nginx
    admin_url: str = DEFAULT_ADMIN_URL  # BOT_PG_ADMIN_URL: creates role/databases if missing ("" = never)

    REQUIRED = ("BOT_DATABASE_URL", "BOT_TRACKER_DATABASE_URL", "BOT_REDIS_URL", "BOT_RASA_TOKEN", "BOT_WEB_SECRET")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "ProdSettings":
        env = dict(os.environ if env is None else env)
        missing = [n for n in cls.REQUIRED if not env.get(n, "").strip()]
        if missing:
            raise ConfigError("the prod profile needs " + ", ".join(missing) + " in the environment (see deploy/README.md)")
        for name in ("BOT_DATABASE_URL", "BOT_TRACKER_DATABASE_URL"):
            if not env[name].startswith("postgresql"):
                raise ConfigError(f"{name} must be a postgresql:// URL in the prod profile")
        if len(env["BOT_RASA_TOKEN"]) < 16:
            raise ConfigError("BOT_RASA_TOKEN must be at least 16 characters")
        if len(env["BOT_WEB_SECRET"]) < 32:
            raise ConfigError("BOT_WEB_SECRET must be at least 32 characters")
        replicas = _env_int(env, "BOT_REPLICAS", 2)
        if not 1 <= replicas <= 16:
            raise ConfigError("BOT_REPLICAS must be 1-16")
        return cls(
            database_url=env["BOT_DATABASE_URL"].strip(), tracker_url=env["BOT_TRACKER_DATABASE_URL"].strip(),
            redis_url=env["BOT_REDIS_URL"].strip(), rasa_token=env["BOT_RASA_TOKEN"].strip(),
            web_secret=env["BOT_WEB_SECRET"].strip(), replicas=replicas,
            rasa_port=_env_int(env, "BOT_RASA_PORT", 5005), action_port=_env_int(env, "BOT_ACTION_PORT", 5055),
            lb_port=_env_int(env, "BOT_LB_PORT", 8080),
            admin_url=env.get("BOT_PG_ADMIN_URL", DEFAULT_ADMIN_URL).strip(),
        )


# ---------------------------------------------------------------------------------------------
# databases

def _pg_parts(url: str) -> dict:
    parts = urlsplit(url.replace("postgresql+psycopg2://", "postgresql://", 1))
    return {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username,
            "password": parts.password, "db": (parts.path or "/").lstrip("/")}


def ensure_databases(cfg: ProdSettings) -> None:
    """Create the role(s) and the ledger + tracker databases if missing (idempotent)."""
    if not cfg.admin_url:
        return
    import psycopg2
    from psycopg2 import sql

    admin = _pg_parts(cfg.admin_url)
    conn = psycopg2.connect(host=admin["host"], port=admin["port"], user=admin["user"] or "postgres",
                            password=admin["password"], dbname=admin["db"] or "postgres", connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for url in (cfg.database_url, cfg.tracker_url):
                p = _pg_parts(url)
                if not p["db"]:
                    raise ConfigError(f"{url.split('@')[-1]}: no database name in the URL")
                if p["user"] and p["user"] != (admin["user"] or "postgres"):
                    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (p["user"],))
                    if not cur.fetchone():
                        cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(p["user"])),
                                    (p["password"] or "",))
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (p["db"],))
                if not cur.fetchone():
                    owner = p["user"] or admin["user"] or "postgres"
                    cur.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                        sql.Identifier(p["db"]), sql.Identifier(owner)))
    finally:
        conn.close()


def migrate_and_seed(cfg: ProdSettings, seeder: Callable[[str], int] | None = None) -> int:
    """Migrate the ledger; seed it (demo portfolio by default) if it has no borrowers. Returns borrowers added."""
    from bot.db.migrate import upgrade
    from bot.db.repository import LedgerRepository
    from bot.db.session import session_scope

    upgrade(cfg.database_url)
    with session_scope(cfg.database_url) as s:
        if LedgerRepository(s).count_borrowers():
            return 0
    if seeder is None:
        from bot.config import settings
        from bot.db.seed import seed_portfolio

        return seed_portfolio(settings().portfolio_file, cfg.database_url)
    return seeder(cfg.database_url)


def create_shared_schemas(cfg: ProdSettings) -> None:
    """Tables that the replicas would otherwise all create on start-up at once.

    Rasa's SQLTrackerStore runs ``create_all``; two replicas doing that concurrently on PostgreSQL
    fail with ``UniqueViolation ... pg_type_typname_nsp_index`` (found when first starting 2
    replicas). Creating them once here, before any replica starts, makes their create_all a no-op.
    (The channels' tables come with the ledger's migrations; this checks they are there.)"""
    from sqlalchemy import create_engine

    from bot.channels.store import ChannelStore

    ChannelStore(cfg.database_url).ensure_schema()
    from rasa.core.tracker_store import SQLTrackerStore

    engine = create_engine(cfg.tracker_url.replace("postgresql://", "postgresql+psycopg2://", 1), future=True)
    try:
        SQLTrackerStore.Base.metadata.create_all(engine, checkfirst=True)
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# rendered files

def render_endpoints(cfg: ProdSettings, action_url: str, target: Path) -> Path:
    """endpoints.yml for one replica: the repo's file with the prod tracker store and lock store."""
    import re

    template = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(re.sub(r"\$\{([A-Z0-9_]+)\}", "", template)) or {}
    t = _pg_parts(cfg.tracker_url)
    data["action_endpoint"] = {"url": action_url}
    # Rasa's SQL tracker store with pool pre-ping: the first turn after a PostgreSQL restart works
    data["tracker_store"] = {"type": "bot.tracker_store.ResilientSQLTrackerStore", "dialect": "postgresql",
                             "url": t["host"], "port": t["port"], "db": t["db"], "username": t["user"],
                             "password": t["password"]}
    r = urlsplit(cfg.redis_url)
    # Rasa's own "redis" lock store issues tickets with a read-modify-write that races across replicas
    data["lock_store"] = {"type": "bot.prod.lock_store.AtomicRedisLockStore", "url": r.hostname or "127.0.0.1",
                          "port": r.port or 6379,
                          "db": int((r.path or "/0").lstrip("/") or 0), "password": r.password,
                          "key_prefix": "huankuan"}
    target.write_text("# rendered by bot/prod/profile.py; holds secrets from the environment\n"
                      + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    target.chmod(0o600)
    return target


def render_credentials(target: Path) -> Path:
    """credentials.yml without the open ``rest`` channel (the web widget is the borrower entry point)."""
    data = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    data.pop("rest", None)
    data.pop("rasa.core.channels.rest.RestInput", None)
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def render_nginx(run_dir: Path, rasa_ports: list[int], lb_port: int, daemon: bool = False) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;" for p in rasa_ports)
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    for key, value in {"UPSTREAM_SERVERS": servers, "LISTEN": f"127.0.0.1:{lb_port}", "RUN_DIR": str(run_dir),
                       "DAEMON": "on" if daemon else "off"}.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) != 0


def rasa_model_loaded(url: str, token: str) -> bool:
    try:
        r = requests.get(f"{url}/status", params={"token": token}, timeout=2)
        return r.ok and bool(r.json().get("model_id"))
    except (requests.RequestException, ValueError):
        return False


# ---------------------------------------------------------------------------------------------

@dataclass
class ProdCluster:
    model: Path
    cfg: ProdSettings = field(default_factory=ProdSettings.from_env)
    run_dir: Path = PROJECT_ROOT / "var" / "prod"
    env: dict[str, str] = field(default_factory=dict)  # extra environment for every replica
    seed: bool = True
    seeder: Callable[[str], int] | None = None
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def lb_url(self) -> str:
        return f"http://127.0.0.1:{self.cfg.lb_port}"

    def rasa_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.cfg.rasa_port + i}"

    def action_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.cfg.action_port + i}"

    @property
    def replica_urls(self) -> list[str]:
        return [self.rasa_url(i) for i in range(self.cfg.replicas)]

    def runtime_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "BOT_PROFILE": "prod", "BOT_DATABASE_URL": self.cfg.database_url, "BOT_WEB_SECRET": self.cfg.web_secret,
            "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            # the replicas sit behind exactly one proxy (nginx), which sets X-Forwarded-For
            "SANIC_PROXIES_COUNT": "1",
            # no crash reports to Rasa's Sentry from production (and no outbound DNS retries)
            "RASA_TELEMETRY_ENABLED": "false",
        })
        env.pop("BOT_RASA_TOKEN", None)  # passed as --auth-token only
        env.update(self.env)
        return env

    def _spawn(self, name: str, args: list[str], env: dict[str, str], exe: list[str] | None = None) -> subprocess.Popen:
        log = open(self.run_dir / "log" / f"{name}.log", "ab")
        cmd = (exe if exe is not None else [sys.executable, "-m"]) + args
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    def prepare(self) -> None:
        """Databases, migrations, seed data, rendered files (no processes)."""
        ensure_databases(self.cfg)
        if self.seed:
            migrate_and_seed(self.cfg, self.seeder)
        else:
            from bot.db.migrate import upgrade

            upgrade(self.cfg.database_url)
        create_shared_schemas(self.cfg)
        (self.run_dir / "log").mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o700)
        render_credentials(self.run_dir / "credentials.yml")
        for i in range(self.cfg.replicas):
            render_endpoints(self.cfg, f"{self.action_url(i)}/webhook", self.run_dir / f"endpoints-{self.cfg.rasa_port + i}.yml")
        (self.run_dir / "nginx.conf").write_text(
            render_nginx(self.run_dir, [self.cfg.rasa_port + i for i in range(self.cfg.replicas)], self.cfg.lb_port),
            encoding="utf-8")

    def start_action_server(self, i: int) -> subprocess.Popen:
        return self._spawn(f"actions-{i}", ["rasa_sdk", "--actions", "actions", "--port", str(self.cfg.action_port + i)],
                           self.runtime_env())

    def start_replica(self, i: int) -> subprocess.Popen:
        port = self.cfg.rasa_port + i
        return self._spawn(f"rasa-{i}", [
            # "=" form: a token may start with "-" (token_urlsafe), which argparse would take for an option
            "rasa", "run", "--enable-api", f"--auth-token={self.cfg.rasa_token}", "--interface", "127.0.0.1",
            "--port", str(port), "--model", str(self.model), "--endpoints", str(self.run_dir / f"endpoints-{port}.yml"),
            "--credentials", str(self.run_dir / "credentials.yml"),
        ], self.runtime_env())

    def start(self, timeout: float = 300) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise ConfigError("nginx is not installed (Debian: apt-get install -y nginx-light)")
        ports = [self.cfg.lb_port] + [self.cfg.rasa_port + i for i in range(self.cfg.replicas)] \
            + [self.cfg.action_port + i for i in range(self.cfg.replicas)]
        busy = [p for p in ports if not _port_free(p)]
        if busy:
            raise ConfigError(f"ports already in use: {busy} (set BOT_RASA_PORT / BOT_ACTION_PORT / BOT_LB_PORT)")
        self.prepare()
        for i in range(self.cfg.replicas):
            self.start_action_server(i)
        for i in range(self.cfg.replicas):
            self.start_replica(i)
        self._spawn("nginx", ["-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf")], self.runtime_env(),
                    exe=[nginx])
        self.wait_ready(timeout)

    def health(self) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for i in range(self.cfg.replicas):
            try:
                out[f"actions-{i}"] = requests.get(f"{self.action_url(i)}/health", timeout=2).ok
            except requests.RequestException:
                out[f"actions-{i}"] = False
            out[f"rasa-{i}"] = rasa_model_loaded(self.rasa_url(i), self.cfg.rasa_token)
        try:
            out["nginx"] = requests.get(f"{self.lb_url}/health", timeout=2).ok
        except requests.RequestException:
            out["nginx"] = False
        return out

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        state: dict[str, bool] = {}
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    self.stop()
                    raise ConfigError(f"{name} exited with code {proc.returncode} while starting; see {self.run_dir / 'log'}")
            state = self.health()
            if all(state.values()):
                return
            time.sleep(1)
        self.stop()
        raise ConfigError(f"cluster not ready after {timeout:.0f} s ({state}); see {self.run_dir / 'log'}")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=15)

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.procs.items() if p.poll() is None}

    def stop(self) -> None:
        stop_process_groups(list(self.procs.values()))
        self.procs.clear()

    def __enter__(self) -> "ProdCluster":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_prod_forever() -> None:
    """``make run-prod``: the cluster in the foreground; Ctrl-C / SIGTERM stops everything."""
    from bot.training import ensure_model

    cluster = ProdCluster(model=ensure_model())
    cfg = cluster.cfg
    print(f"starting {cfg.replicas} replica(s): Rasa :{cfg.rasa_port}.., actions :{cfg.action_port}.., "
          f"nginx :{cfg.lb_port} (logs in {cluster.run_dir / 'log'}) …", flush=True)
    run_in_foreground(cluster.start, cluster.stop, lambda: list(cluster.procs.values()),
                      f"\n还款助手 (prod profile) is up.\n  Web chat: {cluster.lb_url}/chat\n  Ctrl-C stops everything.\n")


def _main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bot.prod.profile")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("serve", help="start the prod cluster in the foreground (make run-prod)")
    r = sub.add_parser("render-nginx", help="print deploy/nginx.conf rendered for the given ports")
    r.add_argument("--replicas", type=int, default=2)
    r.add_argument("--rasa-port", type=int, default=5005)
    r.add_argument("--lb-port", type=int, default=8080)
    r.add_argument("--run-dir", default=str(PROJECT_ROOT / "var" / "prod"))
    args = parser.parse_args(argv)
    if args.cmd == "serve":
        try:
            serve_prod_forever()
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)
    else:
        print(render_nginx(Path(args.run_dir), [args.rasa_port + i for i in range(args.replicas)], args.lb_port, daemon=True))


if __name__ == "__main__":
    _main(sys.argv[1:])


__all__ = ["ProdCluster", "ProdSettings", "ensure_databases", "migrate_and_seed", "render_endpoints",
           "render_credentials", "render_nginx"]
