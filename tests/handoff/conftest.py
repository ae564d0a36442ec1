"""Fixtures for the handoff / collector-console tests.

``stack`` starts, once per session, two replicas of the real thing with ``bot.serve.Servers``
(action server + Rasa server with credentials.yml, so the console channel is served exactly as in
``bot serve``): A on 5405/5455 and B on 5406/5456, sharing one fresh seeded database and one tracker
store — a collector logged in on A must be able to work on B. A local stub stands in for the WeChat
API (``WECHAT_API_BASE``), so customer-service messages can be checked.

The model is ``bot.training.ensure_model()`` (trains only if none matches the data), or
``BOT_HANDOFF_TEST_MODEL=/path/model.tar.gz`` to pin one while the training data is mid-edit.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tempfile
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
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync")

REPLICA_A = (5405, 5455)
REPLICA_B = (5406, 5456)
WEB_SECRET = "handoff-test-web-secret-" + "h" * 40
WECHAT_TOKEN = "hkzsHandoffToken"
WECHAT_APP_ID = "wxhandoff0123456"
WECHAT_APP_SECRET = "handoff-app-secret"

COLLECTOR = ("demo", "demo-collector-2026")
COLLECTOR_2 = ("lin", "lin-collector-2026")
SUPERVISOR = ("boss", "boss-supervisor-2026")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives pages in headless Chromium")


# -- a stub of api.weixin.qq.com ----------------------------------------------------------------------
@dataclass
class WeChatStub:
    url: str = ""
    calls: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent_to(self, openid: str) -> list[str]:
        with self.lock:
            return [c["body"]["text"]["content"] for c in self.calls
                    if c["path"] == "/cgi-bin/message/custom/send" and (c["body"] or {}).get("touser") == openid]

    def wait_sent(self, openid: str, needle: str, timeout: float = 15) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.sent_to(openid)
            if any(needle in t for t in texts):
                return texts
            time.sleep(0.1)
        return self.sent_to(openid)


@contextmanager
def wechat_stub():
    stub = WeChatStub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            parsed = urlparse(self.path)
            if parsed.path == "/cgi-bin/token":
                return self._json({"access_token": "STUB_TOKEN", "expires_in": 7200})
            return self._json({"errcode": 404, "errmsg": "not found"})

        def do_POST(self):
            parsed = urlparse(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = None
            query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            with stub.lock:
                stub.calls.append({"path": parsed.path, "query": query, "body": body})
            return self._json({"errcode": 0, "errmsg": "ok"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


# -- the stack ------------------------------------------------------------------------------------------
@dataclass
class Stack:
    a: object
    b: object
    database_url: str
    stub: WeChatStub
    tmp: Path

    @property
    def url(self) -> str:
        return self.a.rasa_url

    @property
    def url_b(self) -> str:
        return self.b.rasa_url


def _model() -> Path:
    pinned = os.environ.get("BOT_HANDOFF_TEST_MODEL", "").strip()
    if pinned:
        return Path(pinned)
    from bot.training import ensure_model

    return ensure_model()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    from bot.console import auth
    from bot.db.session import session_scope
    from bot.serve import Servers
    from tests.conftest import _migrate_and_seed

    tmp = tmp_path_factory.mktemp("handoff")
    url = _migrate_and_seed(f"sqlite:///{tmp / 'bot.db'}")
    with session_scope(url) as s:
        auth.add_user(s, *COLLECTOR, "collector", replace=True)
        auth.add_user(s, *COLLECTOR_2, "collector")
        auth.add_user(s, *SUPERVISOR, "supervisor")
    model = _model()
    with wechat_stub() as stub:
        env = {"BOT_DATABASE_URL": url, "BOT_TRACKER_DB": str(tmp / "tracker.db"), "BOT_TODAY": "2026-12-01",
               "BOT_PROFILE": "demo", "BOT_WEB_SECRET": WEB_SECRET, "BOT_WEB_RATE_PER_MINUTE": "60",
               "WECHAT_TOKEN": WECHAT_TOKEN, "WECHAT_APP_ID": WECHAT_APP_ID, "WECHAT_APP_SECRET": WECHAT_APP_SECRET,
               "WECHAT_API_BASE": stub.url, "RASA_TELEMETRY_ENABLED": "false"}
        a = Servers(model=model, rasa_port=REPLICA_A[0], action_port=REPLICA_A[1], env=env, log_dir=tmp / "log-a")
        b = Servers(model=model, rasa_port=REPLICA_B[0], action_port=REPLICA_B[1], env=env, log_dir=tmp / "log-b")
        errors: list[BaseException] = []

        def start(s):
            try:
                s.start(timeout=240)
            except BaseException as exc:  # noqa: BLE001 - raised below
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(s,)) for s in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        try:
            if errors:
                raise errors[0]
            yield Stack(a, b, url, stub, tmp)
        finally:
            stoppers = [threading.Thread(target=s.stop) for s in (a, b)]
            for t in stoppers:
                t.start()
            for t in stoppers:
                t.join()


# -- HTTP helpers -----------------------------------------------------------------------------------------
class Console:
    """A collector's console session over plain HTTP (cookie jar + CSRF token)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.csrf: str | None = None

    def login(self, name: str, password: str) -> requests.Response:
        import re

        page = self.http.get(f"{self.base}/console/login", timeout=10)
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = self.http.post(f"{self.base}/console/login", data={"username": name, "password": password, "csrf": token},
                           allow_redirects=False, timeout=10)
        if r.status_code == 303:
            self.csrf = self.http.get(f"{self.base}/console/api/me", timeout=10).json()["csrf"]
        return r

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(f"{self.base}/console/api{path}", timeout=30, **kw)

    def post(self, path: str, body: dict | None = None, csrf: bool = True) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        return self.http.post(f"{self.base}/console/api{path}", json=body or {}, headers=headers, timeout=60)

    def entry_for(self, conversation_id: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.get("/queue").json()["entries"]:
                detail = self.get(f"/handoffs/{e['id']}").json()
                if detail.get("summary", {}).get("conversation_id") == conversation_id:
                    return detail["summary"]
            time.sleep(0.3)
        raise AssertionError(f"no queue entry for {conversation_id}")


class Rest:
    """A borrower on Rasa's REST channel."""

    def __init__(self, base: str, sender: str | None = None) -> None:
        self.url = f"{base}/webhooks/rest/webhook"
        self.sender = sender or f"rest-{secrets.token_hex(6)}"

    def say(self, text: str) -> list[str]:
        r = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        r.raise_for_status()
        return [m.get("text", "") for m in r.json()]


class WeChatUser:
    """A WeChat follower, calling the webhook the way WeChat's servers do (plaintext mode)."""

    def __init__(self, base: str) -> None:
        self.url = f"{base}/webhooks/wechat/webhook"
        self.openid = "o" + secrets.token_hex(12)

    @property
    def sender(self) -> str:
        return f"wx:{self.openid}"

    def say(self, text: str) -> requests.Response:
        ts, nonce = str(int(time.time())), str(secrets.randbelow(10 ** 9))
        signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, ts, nonce])).encode()).hexdigest()
        xml = (f"<xml><ToUserName><![CDATA[gh_handoff]]></ToUserName><FromUserName><![CDATA[{self.openid}]]>"
               f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[{text}]]></Content><MsgId>{secrets.randbelow(10 ** 15) + 10 ** 15}</MsgId></xml>")
        return requests.post(self.url, params={"signature": signature, "timestamp": ts, "nonce": nonce,
                                               "openid": self.openid}, data=xml.encode(), timeout=30)


def tracker(base: str, sender: str) -> dict:
    r = requests.get(f"{base}/conversations/{sender}/tracker", params={"include_events": "ALL"}, timeout=10)
    r.raise_for_status()
    return r.json()


# -- browsers ---------------------------------------------------------------------------------------------
@contextmanager
def chromium(width: int = 1280, height: int = 900):
    selenium = pytest.importorskip("selenium")  # noqa: F841
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Chromium is missing: run scripts/install-browser.sh (Debian's chromium + chromium-driver)")
    profile = tempfile.mkdtemp(prefix="hkzs-console-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", "--lang=zh-CN"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def borrower_browser():
    with chromium(400, 800) as driver:
        yield driver


@pytest.fixture(scope="module")
def collector_browser():
    with chromium(1360, 1500) as driver:
        yield driver
