"""The real thing: the action server and the Rasa server, started as `make run` starts them,
on their own ports, a fresh seeded database and tracker store, and the clock pinned."""
from __future__ import annotations

import uuid

import pytest
import requests

from bot.serve import Servers
from tests.conftest import _migrate_and_seed


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    from bot.training import ensure_model

    tmp = tmp_path_factory.mktemp("e2e")
    url = _migrate_and_seed(f"sqlite:///{tmp / 'bot.db'}")
    env = {"BOT_DATABASE_URL": url, "BOT_TODAY": "2026-12-01", "BOT_TRACKER_DB": str(tmp / "tracker.db")}
    srv = Servers(model=ensure_model(), rasa_port=5205, action_port=5255, env=env, log_dir=tmp / "log")
    srv.database_url = url
    srv.start()
    yield srv
    srv.stop()


class Chat:
    def __init__(self, servers: Servers):
        self.url = f"{servers.rasa_url}/webhooks/rest/webhook"
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        self.transcript: list[tuple[str, list[dict]]] = []

    def say(self, message: str) -> list[dict]:
        response = requests.post(self.url, json={"sender": self.sender, "message": message}, timeout=60)
        response.raise_for_status()
        replies = response.json()
        self.transcript.append((message, replies))
        return replies

    def text(self, message: str) -> str:
        return "\n".join(r.get("text", "") for r in self.say(message))

    def buttons(self, message: str) -> list[dict]:
        return [b for r in self.say(message) for b in r.get("buttons", [])]


@pytest.fixture
def chat(servers):
    return Chat(servers)
