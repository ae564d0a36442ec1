"""The one clock. Every "today" and "now" in the project comes from here.

``BOT_TODAY=YYYY-MM-DD`` pins the date (demos, tests, acceptance checks); unset means the real
date in Asia/Shanghai. ``BOT_NOW=YYYY-MM-DD HH:MM`` additionally pins the time of day (used by the
reminder quiet-hours checks); when only BOT_TODAY is set, the time of day is the real one.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from bot.errors import ConfigError

TZ = ZoneInfo("Asia/Shanghai")


def parse_date(text: str, *, what: str = "date") -> dt.date:
    """Parse an ISO date, with an error that says what was wrong (e.g. 2026-02-30)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError) as exc:
        raise ConfigError(f"{what} {text!r} is not a valid date (YYYY-MM-DD): {exc}") from None


def parse_datetime(text: str, *, what: str = "time") -> dt.datetime:
    """Parse 'YYYY-MM-DD HH:MM[:SS]' as Asia/Shanghai local time."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError) as exc:
        raise ConfigError(f"{what} {text!r} is not a valid time (YYYY-MM-DD HH:MM): {exc}") from None
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value.astimezone(TZ)


def cn_date(day: dt.date) -> str:
    """A day as the bot writes it to borrowers: 2026年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def now() -> dt.datetime:
    """Current Asia/Shanghai time, honouring BOT_NOW, then BOT_TODAY (date only)."""
    pinned_now = os.environ.get("BOT_NOW", "").strip()
    if pinned_now:
        return parse_datetime(pinned_now, what="BOT_NOW")
    real = dt.datetime.now(TZ)
    pinned_day = os.environ.get("BOT_TODAY", "").strip()
    if pinned_day:
        day = parse_date(pinned_day, what="BOT_TODAY")
        return real.replace(year=day.year, month=day.month, day=day.day)
    return real


def today() -> dt.date:
    """Today's date in Asia/Shanghai (BOT_TODAY pins it)."""
    return now().date()
