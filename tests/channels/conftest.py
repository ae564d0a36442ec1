"""Fixtures for the channel tests: a stub of the WeChat API and two real bot replicas.

``servers`` starts, once per test session, two replicas of the real stack with ``bot.serve.Servers``
(action server + Rasa server with credentials.yml), sharing one database, one tracker store and one
web secret — as production replicas would:

* replica A on 5105/5155: WeChat passive-reply budget 4.5 s (the default);
* replica B on 5106/5156: budget 0 s, so every WeChat reply misses the passive window and must go
  out through the customer-service API (the "slow reply" path), and cross-replica behaviour
  (dedupe, rate limit, tokens) can be checked.

The model is ``bot.training.ensure_model()`` (trains if none matches the data, 1–2 min), or
``BOT_CHANNEL_TEST_MODEL=/path/model.tar.gz`` to pin one while the dialogue data is mid-edit.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]

WEB_SECRET = "test-web-secret-" + "s" * 40
WECHAT_TOKEN = "hkzsTestToken2026"
WECHAT_APP_ID = "wx0123456789abcdef"
WECHAT_APP_SECRET = "test-app-secret"
WECHAT_AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters
REPLICA_A = (5105, 5155)
REPLICA_B = (5106, 5156)


def pytest_configure(config):
    config.addinivalue_line("markers", "dialogue: needs the full dialogue (domain, stories, actions) to pass")
    config.addinivalue_line("markers", "browser: drives the widget in headless Chromium")


# -- a stub of api.weixin.qq.com -----------------------------------------------------------------
@dataclass
class WeChatStub:
    url: str = ""
    calls: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    token_counter: int = 0

    def record(self, item: dict) -> None:
        with self.lock:
            self.calls.append(item)

    def of(self, path: str) -> list[dict]:
        with self.lock:
            return [c for c in self.calls if c["path"] == path]

    def wait_for(self, path: str, predicate, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c for c in self.of(path) if predicate(c)]
            if found:
                return found
            time.sleep(0.1)
        return []


def _stub_handler(stub: WeChatStub):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, body: dict, status: int = 200) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            parsed = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            stub.record({"method": "GET", "path": parsed.path, "query": query, "body": None})
            if parsed.path == "/cgi-bin/token":
                if query.get("appid") != WECHAT_APP_ID or query.get("secret") != WECHAT_APP_SECRET:
                    return self._json({"errcode": 40013, "errmsg": "invalid appid"})
                with stub.lock:
                    stub.token_counter += 1
                    token = f"STUB_TOKEN_{stub.token_counter}"
                return self._json({"access_token": token, "expires_in": 7200})
            return self._json({"errcode": 404, "errmsg": "not found"}, 404)

        def do_POST(self):
            parsed = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = None
            stub.record({"method": "POST", "path": parsed.path, "query": query, "body": body})
            if not str(query.get("access_token", "")).startswith("STUB_TOKEN_"):
                return self._json({"errcode": 40001, "errmsg": "invalid credential"})
            if parsed.path == "/cgi-bin/message/custom/send":
                return self._json({"errcode": 0, "errmsg": "ok"})
            if parsed.path == "/cgi-bin/message/template/send":
                if (body or {}).get("touser") == "o_unfollowed_user":
                    return self._json({"errcode": 43004, "errmsg": "require subscribe"})
                if (body or {}).get("touser") == "o_busy_user":
                    return self._json({"errcode": -1, "errmsg": "system error"})
                return self._json({"errcode": 0, "errmsg": "ok", "msgid": 200228332})
            return self._json({"errcode": 404, "errmsg": "not found"}, 404)

    return Handler


@contextmanager
def running_stub():
    stub = WeChatStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _stub_handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def wechat_stub():
    """The stub the bot replicas are configured with (WECHAT_API_BASE)."""
    with running_stub() as stub:
        yield stub


@pytest.fixture
def fresh_stub():
    """A stub of its own, for in-process tests that count calls."""
    with running_stub() as stub:
        yield stub


# -- the bot --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def channel_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("channels")


@pytest.fixture(scope="session")
def channel_db(channel_dir) -> str:
    from bot.db.migrate import upgrade
    from bot.db.seed import seed_portfolio

    url = f"sqlite:///{channel_dir / 'bot.db'}"
    upgrade(url)
    seed_portfolio(ROOT / "data" / "demo" / "portfolio.yml", url)
    return url


@pytest.fixture(scope="session")
def model_path() -> Path:
    pinned = os.environ.get("BOT_CHANNEL_TEST_MODEL", "").strip()
    if pinned:
        return Path(pinned)
    from bot.training import ensure_model

    return ensure_model()


@dataclass
class Replicas:
    a: object
    b: object
    stub: WeChatStub
    database_url: str
    log_dir: Path

    @property
    def url_a(self) -> str:
        return self.a.rasa_url

    @property
    def url_b(self) -> str:
        return self.b.rasa_url


@pytest.fixture(scope="session")
def servers(channel_dir, channel_db, model_path, wechat_stub):
    from bot.serve import Servers
    common = {
        "BOT_DATABASE_URL": channel_db,
        "BOT_TRACKER_DB": str(channel_dir / "tracker.db"),
        "BOT_TODAY": "2026-12-01",
        "BOT_PROFILE": "demo",
        "BOT_WEB_SECRET": WEB_SECRET,
        "BOT_WEB_RATE_PER_MINUTE": "20",
        "WECHAT_TOKEN": WECHAT_TOKEN,
        "WECHAT_APP_ID": WECHAT_APP_ID,
        "WECHAT_APP_SECRET": WECHAT_APP_SECRET,
        "WECHAT_AES_KEY": WECHAT_AES_KEY,
        "WECHAT_API_BASE": wechat_stub.url,
        "RASA_TELEMETRY_ENABLED": "false",
    }
    log_dir = channel_dir / "log"
    a = Servers(model=model_path, rasa_port=REPLICA_A[0], action_port=REPLICA_A[1], log_dir=log_dir / "a",
            env={**common, "WECHAT_PASSIVE_TIMEOUT": "4.5"})
    b = Servers(model=model_path, rasa_port=REPLICA_B[0], action_port=REPLICA_B[1], log_dir=log_dir / "b",
            env={**common, "WECHAT_PASSIVE_TIMEOUT": "0"})
    # one after the other: on a fresh tracker database two replicas starting together race to
    # create the same tables and one exits (seen on a fresh CI clone)
    try:
        a.start(timeout=240)
        b.start(timeout=240)
    except BaseException:
        a.stop()
        b.stop()
        raise
    try:
        yield Replicas(a, b, wechat_stub, channel_db, log_dir)
    finally:
        stoppers = [threading.Thread(target=s.stop) for s in (a, b)]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()


def tracker_events(base_url: str, sender_id: str) -> list[dict]:
    """The conversation as Rasa stored it (Rasa's HTTP API, enabled on 127.0.0.1 by bot serve)."""
    r = requests.get(f"{base_url}/conversations/{sender_id}/tracker", params={"include_events": "ALL"}, timeout=10)
    r.raise_for_status()
    return r.json().get("events", [])


def user_texts(base_url: str, sender_id: str) -> list[str]:
    return [e.get("text") for e in tracker_events(base_url, sender_id) if e.get("event") == "user"]
