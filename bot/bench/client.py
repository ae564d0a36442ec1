"""A borrower on the web widget's JSON API (the prod entry point: the open REST channel is off)."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import requests


class ChatError(RuntimeError):
    pass


@dataclass
class WebChat:
    base_url: str  # the load balancer or one replica, e.g. http://127.0.0.1:8080
    timeout: float = 90
    http: requests.Session = field(default_factory=requests.Session)
    token: str | None = None
    transcript: list[tuple[str, list[dict]]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    # as the widget does: re-send the same message (same client id) after a 409/5xx/network error
    # for up to this many seconds; 0 = fail on the first error
    retry_for: float = 0.0

    def start(self) -> "WebChat":
        r = self.http.post(f"{self.base_url}/chat/api/session", json={}, timeout=self.timeout)
        if r.status_code != 200:
            raise ChatError(f"session: HTTP {r.status_code} {r.text[:200]}")
        self.token = r.json()["token"]
        return self

    def with_token(self, token: str) -> "WebChat":
        self.token = token
        return self

    def post(self, text: str, display: str | None = None, client_id: str | None = None,
             base_url: str | None = None) -> requests.Response:
        body: dict = {"text": text}
        if display:
            body["display"] = display
        if client_id:
            body["client_id"] = client_id
        return self.http.post(f"{base_url or self.base_url}/chat/api/message", json=body, timeout=self.timeout,
                              headers={"Authorization": f"Bearer {self.token}"})

    def say(self, text: str, display: str | None = None, base_url: str | None = None) -> list[dict]:
        t0 = time.perf_counter()
        client_id, deadline, pause = uuid.uuid4().hex, time.monotonic() + self.retry_for, 0.2
        while True:
            try:
                r = self.post(text, display, client_id=client_id, base_url=base_url)
                error = None if r.status_code == 200 else f"HTTP {r.status_code} {r.text[:200]}"
                retryable = r.status_code == 409 or r.status_code >= 500
            except requests.RequestException as err:
                error, retryable = f"{type(err).__name__}: {err}", True
            if error is None:
                break
            if not retryable or time.monotonic() + pause > deadline:
                raise ChatError(f"{text!r}: {error}")
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        self.latencies.append(time.perf_counter() - t0)
        messages = r.json().get("messages", [])
        self.transcript.append((text, messages))
        return messages

    def text(self, text: str, **kw) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text, **kw))


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons", [])]


def scripted_conversation(chat: WebChat, factors: str, *, check: bool = True) -> None:
    """greet → verify → balance → why overdue → plan → choose → confirm → goodbye (8 turns)."""
    def expect(ok: bool, what: str) -> None:
        if check and not ok:
            raise ChatError(f"{what}: unexpected reply {chat.transcript[-1][1]!r}")

    chat.say("你好")
    expect("验证成功" in chat.text(factors), "verify")
    expect(bool(chat.text("我还欠多少钱")), "balance")
    expect(bool(chat.text("为什么逾期")), "why overdue")
    offered = buttons(chat.say("我想分期"))
    expect(bool(offered), "plan menu")
    pick = next((b for b in offered if b.get("title") == "12期"), offered[-1] if offered else None)
    if pick is not None:
        chat.say(pick["payload"], display=pick.get("title"))
    expect("已为您办理" in chat.text("确认"), "confirm")
    chat.say("再见")
