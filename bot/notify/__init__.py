"""Notifiers deliver proactive messages. The reminder rules are applied before any notifier is called."""
from __future__ import annotations

import logging
from typing import Protocol

from bot.compliance.masking import mask_text

log = logging.getLogger("bot.notify")


class Notifier(Protocol):
    channel: str

    def send(self, borrower_id: str, text: str) -> bool:
        """Deliver one message; True when the channel accepted it."""


class LogNotifier:
    """The demo notifier: writes the (masked) message to the log; the outbox keeps the record."""

    channel = "log"

    def send(self, borrower_id: str, text: str) -> bool:
        log.info("reminder to %s: %s", borrower_id, mask_text(text))
        return True
