"""Tracker fixtures (in the style of RasaHQ/financial-demo) against the real seeded database."""
from __future__ import annotations

import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions  # noqa: F401  (registers every action)
from actions.common import REGISTRY

DOMAIN: dict = {}


def make_tracker(intent: str, text: str = "", entities: list[dict] | None = None, slots: dict | None = None,
                 sender: str | None = None, ranking: list[dict] | None = None) -> Tracker:
    base = {"verified": False, "borrower_id": None, "fallback_count": 0, "distress": False}
    base.update(slots or {})
    return Tracker(
        sender_id=sender or f"t-{uuid.uuid4().hex[:10]}",
        slots=base,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99},
                        "entities": entities or [], "intent_ranking": ranking or []},
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen",
    )


class Run:
    """The outcome of running one action: responses dispatched and slots set."""

    def __init__(self, dispatcher: CollectingDispatcher, events: list):
        self.messages = dispatcher.messages
        self.events = events

    @property
    def responses(self) -> list[str]:
        return [m.get("response") for m in self.messages]

    @property
    def slots(self) -> dict:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    def variables(self, response: str) -> dict:
        for m in self.messages:
            if m.get("response") == response:
                return m
        raise AssertionError(f"{response} not dispatched; got {self.responses}")

    @property
    def all_text(self) -> str:
        """Every variable value and button title dispatched, to search for leaks."""
        parts = []
        for m in self.messages:
            parts += [str(v) for k, v in m.items() if k not in ("response", "buttons", "template")]
            parts += [b.get("title", "") + b.get("payload", "") for b in m.get("buttons") or []]
        return "\n".join(parts)


@pytest.fixture
def run_action(sqlite_url, pinned_today):
    def _run(name: str, tracker: Tracker) -> Run:
        dispatcher = CollectingDispatcher()
        events = REGISTRY[name].run(dispatcher, tracker, DOMAIN)
        return Run(dispatcher, events)
    return _run


def verified(borrower: str) -> dict:
    return {"verified": True, "borrower_id": borrower}


def ent(name: str, value, text: str | None = None) -> dict:
    return {"entity": name, "value": value, "start": 0, "end": 1, "text": text or str(value)}


def slots_from(run: Run, **extra) -> dict:
    return {**run.slots, **extra}


__all__ = ["make_tracker", "verified", "ent", "SlotSet"]
