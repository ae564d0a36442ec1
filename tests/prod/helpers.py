"""What the prod tests read back from a cluster: the sender behind a widget token, a tracker's
events through a replica's token-protected API, and the shape of its turns."""
from __future__ import annotations

import requests

from bot.bench.client import WebChat
from bot.channels.web_session import SessionSigner


def sender_of(cluster, chat: WebChat) -> str:
    return SessionSigner(cluster.cfg.web_secret.encode(), 3600).verify(chat.token).sender_id


def tracker_events(cluster, sender: str, replica: int = 0) -> list[dict]:
    r = requests.get(f"{cluster.rasa_url(replica)}/conversations/{sender}/tracker",
                     params={"token": cluster.cfg.rasa_token, "include_events": "ALL"}, timeout=30)
    r.raise_for_status()
    return r.json()["events"]


def assert_turns_well_formed(events: list[dict]) -> list[str]:
    """Every user message is answered and the bot listens again before the next one starts
    (no interleaving of two turns), timestamps never go back. Returns the user texts in order."""
    texts, open_turn, last_ts = [], False, 0.0
    for e in events:
        assert e["timestamp"] >= last_ts - 1e-6, e
        last_ts = e["timestamp"]
        if e["event"] == "user":
            assert not open_turn, f"turn started before the previous one ended: {e['text']!r}"
            texts.append(e["text"])
            open_turn = True
        elif e["event"] == "action" and e["name"] == "action_listen":
            open_turn = False
    assert not open_turn
    return texts
