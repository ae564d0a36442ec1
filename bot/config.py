"""The one config: every setting comes from the environment, with demo defaults.

Numbers that the rules use (grace days, penalty multiplier, lockout minutes, quiet hours, …) live
with their rule (``bot/ledger/rules.py``, ``bot/compliance/policy.py``); this module holds where
things run and which profile is active.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not 0 < value < 65536:
        raise ConfigError(f"{name}={raw!r} is out of range (1-65535)")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    rasa_port: int
    action_port: int
    profile: str
    portfolio_file: Path

    @property
    def action_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"


def settings() -> Settings:
    """Read the settings now (cheap; call it where needed instead of caching at import)."""
    profile = os.environ.get("BOT_PROFILE", "demo").strip() or "demo"
    if profile not in {"demo", "prod"}:
        raise ConfigError(f"BOT_PROFILE={profile!r} must be 'demo' or 'prod'")
    default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'bot.db'}"
    return Settings(
        database_url=os.environ.get("BOT_DATABASE_URL", "").strip() or default_db,
        rasa_port=_int("BOT_RASA_PORT", 5005),
        action_port=_int("BOT_ACTION_PORT", 5055),
        profile=profile,
        portfolio_file=Path(
            os.environ.get("BOT_PORTFOLIO_FILE", "").strip()
            or PROJECT_ROOT / "data" / "demo" / "portfolio.yml"
        ),
    )
