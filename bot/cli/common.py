"""Helpers shared by the CLI modules."""
from __future__ import annotations

import datetime as dt

from bot import clock


def resolve_today(today: str | None) -> dt.date:
    """--today wins over BOT_TODAY; both are validated with a one-line error."""
    return clock.parse_date(today, what="--today") if today else clock.today()
