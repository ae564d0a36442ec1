"""Collectors, passwords, console sessions and CSRF tokens — all in the database, so every Rasa
replica accepts a session that another one issued, and nothing lives in process memory.

- Passwords: ``hashlib.scrypt`` (N=2**14, r=8, p=1, 32-byte key) with a random 16-byte salt per
  user, stored as ``scrypt$N$r$p$<salt b64>$<key b64>``; compared in constant time. An unknown name
  is checked against a dummy hash, so timing does not tell which names exist.
- Lockout: 5 wrong passwords in a row lock the account for 15 minutes.
- Sessions: the cookie holds 32 random bytes (URL-safe); the table keeps only their SHA-256. Idle
  timeout 30 minutes, absolute lifetime 12 hours (``BOT_CONSOLE_IDLE_MINUTES``,
  ``BOT_CONSOLE_SESSION_HOURS``). A login always issues a new session id (no fixation).
- CSRF: one random token per session (the login form's token belongs to a short pre-login session
  row with no collector), sent back by the page in ``X-CSRF-Token`` (or the form field ``csrf``)
  and compared in constant time on every POST.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import clock
from bot.db import models as m
from bot.errors import BotError

ROLES = ("collector", "supervisor")
#: audit actors are "collector:<name>" in a 32-character column
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,21}$")
MIN_PASSWORD = 10
SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_LEN = 2 ** 14, 8, 1, 32
MAX_FAILED = 5
LOCK_SECONDS = 15 * 60
PRELOGIN_SECONDS = 30 * 60
DEMO_USER, DEMO_PASSWORD = "demo", "demo-collector-2026"


class AuthError(BotError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_LEN,
                         maxmem=64 * 1024 * 1024)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = hash_password("not-a-real-password", salt=b"\0" * 16)


# -- collectors -------------------------------------------------------------------------------------
def validate_name(name: str) -> str:
    name = (name or "").strip().lower()
    if not NAME.match(name):
        raise AuthError("user names are 2-22 characters: lower-case letters, digits, '.', '_' or '-'")
    return name


def add_user(session: Session, name: str, password: str, role: str = "collector", *, replace: bool = False) -> m.Collector:
    name = validate_name(name)
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(f"the password must be at least {MIN_PASSWORD} characters")
    row = session.scalar(select(m.Collector).where(m.Collector.name == name))
    if row is not None and not replace:
        raise AuthError(f"user {name!r} already exists")
    if row is None:
        row = m.Collector(name=name, created_at=clock.now())
        session.add(row)
    row.role, row.password_hash, row.active = role, hash_password(password), True
    row.failed_logins, row.locked_until = 0, None
    session.flush()
    from bot.services import audit

    audit.record(session, "collector_account_set", actor="system", detail={"name": name, "role": role})
    return row


def seed_demo(session: Session) -> m.Collector:
    """The demo account demo / demo-collector-2026 (collector role); resets its password if present."""
    return add_user(session, DEMO_USER, DEMO_PASSWORD, "collector", replace=True)


@dataclass(frozen=True)
class LoginResult:
    collector: m.Collector | None
    error: str | None = None


def check_login(session: Session, name: str, password: str, now: float | None = None) -> LoginResult:
    now = now if now is not None else time.time()
    clean = (name or "").strip().lower()
    row = session.scalar(select(m.Collector).where(m.Collector.name == clean)) if NAME.match(clean) else None
    if row is None or not row.active:
        verify_password(password or "", _DUMMY_HASH)
        return LoginResult(None, "用户名或密码不正确。")
    if row.locked_until and row.locked_until > now:
        verify_password(password or "", _DUMMY_HASH)
        minutes = int((row.locked_until - now) // 60) + 1
        return LoginResult(None, f"密码错误次数过多，账号已锁定，请{minutes}分钟后再试。")
    if not verify_password(password or "", row.password_hash):
        row.failed_logins = (row.failed_logins or 0) + 1
        if row.failed_logins >= MAX_FAILED:
            row.locked_until, row.failed_logins = now + LOCK_SECONDS, 0
        return LoginResult(None, "用户名或密码不正确。")
    row.failed_logins, row.locked_until = 0, None
    return LoginResult(row)


# -- sessions ---------------------------------------------------------------------------------------
def _minutes(env: str, default: float) -> float:
    try:
        return float(os.environ.get(env, "").strip() or default)
    except ValueError:
        return default


def idle_seconds() -> float:
    return _minutes("BOT_CONSOLE_IDLE_MINUTES", 30) * 60


def lifetime_seconds() -> float:
    return _minutes("BOT_CONSOLE_SESSION_HOURS", 12) * 3600


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class ConsoleUser:
    """The logged-in collector of a request."""

    id: int
    name: str
    role: str
    csrf: str
    session_hash: str

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def actor(self) -> str:
        return f"collector:{self.name}"


@dataclass(frozen=True)
class PreLogin:
    token: str
    csrf: str


def _purge(session: Session, now: float) -> None:
    session.execute(delete(m.ConsoleSession).where(m.ConsoleSession.expires_at < now))


def new_prelogin(session: Session, now: float | None = None) -> PreLogin:
    """A session row with no collector, only to carry the login form's CSRF token."""
    now = now if now is not None else time.time()
    if secrets.randbelow(20) == 0:
        _purge(session, now)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(m.ConsoleSession(id_hash=_digest(token), collector_id=None, csrf_token=csrf, created_at=now,
                                 last_seen=now, expires_at=now + PRELOGIN_SECONDS))
    return PreLogin(token, csrf)


def prelogin_csrf(session: Session, token: str | None, now: float | None = None) -> str | None:
    if not token:
        return None
    now = now if now is not None else time.time()
    row = session.get(m.ConsoleSession, _digest(token))
    if row is None or row.collector_id is not None or row.expires_at < now:
        return None
    return row.csrf_token


def start_session(session: Session, collector: m.Collector, old_token: str | None = None,
                  now: float | None = None) -> tuple[str, str]:
    """A fresh session (new id, new CSRF token) for a successful login; the pre-login row goes."""
    now = now if now is not None else time.time()
    if old_token:
        session.execute(delete(m.ConsoleSession).where(m.ConsoleSession.id_hash == _digest(old_token)))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(m.ConsoleSession(id_hash=_digest(token), collector_id=collector.id, csrf_token=csrf, created_at=now,
                                 last_seen=now, expires_at=now + lifetime_seconds()))
    return token, csrf


def current_user(session: Session, token: str | None, now: float | None = None) -> ConsoleUser | None:
    """The collector behind a session cookie, or None (unknown, expired, idle too long, disabled)."""
    if not token or len(token) > 128:
        return None
    now = now if now is not None else time.time()
    row = session.get(m.ConsoleSession, _digest(token))
    if row is None or row.collector_id is None:
        return None
    if row.expires_at < now or row.last_seen + idle_seconds() < now:
        session.delete(row)
        return None
    collector = session.get(m.Collector, row.collector_id)
    if collector is None or not collector.active:
        return None
    if now - row.last_seen > 30:  # keep writes rare: the queue polls every 2 s
        row.last_seen = now
    return ConsoleUser(collector.id, collector.name, collector.role, row.csrf_token, row.id_hash)


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(m.ConsoleSession).where(m.ConsoleSession.id_hash == _digest(token)))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("ascii", "replace"), given.encode("ascii", "replace"))


def active_collectors(session: Session) -> list[m.Collector]:
    return list(session.scalars(select(m.Collector).where(m.Collector.active.is_(True)).order_by(m.Collector.name)))
