"""Start and stop the action server and the Rasa server together.

``bot serve`` (what ``make run`` ends with) and the end-to-end tests both use ``Servers``, so the
tests exercise exactly what operators run. Ctrl-C / SIGTERM stops both children cleanly.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.config import PROJECT_ROOT, settings
from bot.errors import ConfigError


def runtime_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for both servers: endpoints.yml and credentials.yml expand these variables."""
    cfg = settings()
    env = dict(os.environ)
    env.setdefault("BOT_DATABASE_URL", cfg.database_url)
    env["BOT_ACTION_URL"] = cfg.action_endpoint
    env.setdefault("BOT_TRACKER_DB", str(PROJECT_ROOT / "var" / "tracker.db"))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("PYTHONWARNINGS", "ignore")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.update(extra or {})
    return env


def render_endpoints(env: dict[str, str], target: Path) -> Path:
    """endpoints.yml with its ${VARIABLES} filled in (Rasa does not expand them there)."""
    import re

    template = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")

    def value(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name not in env:
            raise ConfigError(f"endpoints.yml needs {name}, which is not set")
        return env[name]

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(re.sub(r"\$\{([A-Z0-9_]+)\}", value, template), encoding="utf-8")
    return target


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) != 0


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def rasa_has_model(url: str) -> bool:
    """The Rasa server at ``url`` answers ``/status`` (needs ``--enable-api``) with a loaded model."""
    try:
        response = requests.get(f"{url}/status", timeout=2)
        return response.ok and bool(response.json().get("model_id"))
    except (requests.RequestException, ValueError):
        return False


@dataclass
class Servers:
    model: Path
    rasa_port: int = field(default_factory=lambda: settings().rasa_port)
    action_port: int = field(default_factory=lambda: settings().action_port)
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path = PROJECT_ROOT / "var" / "log"
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        return subprocess.Popen([sys.executable, "-m", *args], cwd=PROJECT_ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self, timeout: float = 180) -> None:
        for port in (self.rasa_port, self.action_port):
            if not _port_free(port):
                raise ConfigError(f"port {port} is already in use (set BOT_RASA_PORT / BOT_ACTION_PORT)")
        env = runtime_env({"BOT_RASA_PORT": str(self.rasa_port), "BOT_ACTION_PORT": str(self.action_port),
                           "BOT_ACTION_URL": f"http://127.0.0.1:{self.action_port}/webhook", **self.env})
        endpoints = render_endpoints(env, self.log_dir / f"endpoints-{self.rasa_port}.yml")
        self.procs.append(self._spawn("actions", ["rasa_sdk", "--actions", "actions", "--port", str(self.action_port)], env))
        self.procs.append(self._spawn("rasa", [
            "rasa", "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(self.rasa_port),
            "--model", str(self.model), "--endpoints", str(endpoints), "--credentials", "credentials.yml",
            "--cors", f"http://127.0.0.1:{self.rasa_port}", "--cors", f"http://localhost:{self.rasa_port}",
        ], env))
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        checks = {"actions": lambda: _answers(f"http://127.0.0.1:{self.action_port}/health"),
                  "rasa": lambda: rasa_has_model(self.rasa_url)}
        ready: set[str] = set()
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    self.stop()
                    raise ConfigError(f"a server exited with code {proc.returncode} while starting; see {self.log_dir}")
            ready.update(name for name, check in checks.items() if name not in ready and check())
            if ready == set(checks):
                return
            time.sleep(0.5)
        self.stop()
        raise ConfigError(f"servers not ready after {timeout:.0f} s; see {self.log_dir}")

    def stop(self) -> None:
        stop_process_groups(self.procs)
        self.procs.clear()

    def __enter__(self) -> "Servers":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_process_groups(procs) -> None:
    """SIGTERM every child's process group, wait up to 15 s, then SIGKILL what is left."""
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_in_foreground(start, stop, procs, banner: str) -> None:
    """Start, print the banner, and run until Ctrl-C / SIGTERM or a child exits; then stop."""
    stopping = False

    def _stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    start()
    print(banner, flush=True)
    try:
        while not stopping and all(p.poll() is None for p in procs()):
            time.sleep(0.5)
    finally:
        print("stopping …", flush=True)
        stop()


def serve_forever() -> None:
    from bot.training import ensure_model

    servers = Servers(model=ensure_model())
    print(f"starting action server on :{servers.action_port} and Rasa on :{servers.rasa_port} (logs in {servers.log_dir}) …", flush=True)
    run_in_foreground(servers.start, servers.stop, lambda: servers.procs,
                      f"\n还款助手 is up.\n  Web chat: {servers.rasa_url}/chat\n"
                      f"  Collector console: {servers.rasa_url}/console  (demo login: demo / demo-collector-2026)\n"
                      f"  REST: curl -s {servers.rasa_url}/webhooks/rest/webhook -d '{{\"sender\":\"me\",\"message\":\"你好\"}}'\n"
                      f"  Ctrl-C stops both servers.\n")
