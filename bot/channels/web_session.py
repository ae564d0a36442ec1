"""Signed, expiring conversation tokens for the web widget.

The server issues the conversation id (``secrets.token_urlsafe``) and signs it with HMAC-SHA256;
the browser only ever presents the token it was given, so it can neither choose a conversation id
nor read or write someone else's. Token format (all URL-safe): ``v1.<conversation>.<expires>.<mac>``
where ``expires`` is a Unix time and ``mac`` is base64url(HMAC(secret, "v1.<conversation>.<expires>")).

The secret comes from ``BOT_WEB_SECRET``; in the demo profile, when unset, one is generated once
into ``var/web_secret`` (mode 0600) so tokens survive restarts. The production profile requires
``BOT_WEB_SECRET`` (every replica must share it).
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
from pathlib import Path

from bot.config import PROJECT_ROOT, settings
from bot.errors import ConfigError

VERSION = "v1"
_CONVERSATION = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_EXPIRES = re.compile(r"[1-9][0-9]{0,15}")  # canonical ASCII digits: str.isdigit() also takes "²", "٠١"


class SessionError(Exception):
    """A token that must be refused; ``status`` is the HTTP status, ``code`` a stable word."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


MISSING = SessionError(401, "missing_token", "请先开始对话：请刷新页面。")
EXPIRED = SessionError(401, "expired", "您的会话已过期，为保护您的信息，请重新开始对话。")
INVALID = SessionError(403, "invalid_token", "会话无效，无法访问该对话。请刷新页面重新开始。")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def default_secret_file() -> Path:
    return Path(os.environ.get("BOT_WEB_SECRET_FILE", "").strip() or PROJECT_ROOT / "var" / "web_secret")


def load_secret() -> bytes:
    """``BOT_WEB_SECRET`` (at least 32 characters), else the demo file, created once with 0600."""
    env = os.environ.get("BOT_WEB_SECRET", "").strip()
    if env:
        if len(env) < 32:
            raise ConfigError("BOT_WEB_SECRET must be at least 32 characters (e.g. `python -c \"import secrets; print(secrets.token_urlsafe(48))\"`)")
        return env.encode("utf-8")
    if settings().profile == "prod":
        raise ConfigError("BOT_WEB_SECRET is required in the prod profile (all replicas must share it)")
    path = default_secret_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        value = secrets.token_urlsafe(48)
        try:  # O_EXCL: two processes starting together must not both write
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(value + "\n")
    for _ in range(50):  # the other writer may not have finished
        text = path.read_text().strip()
        if text:
            break
        time.sleep(0.02)
    if len(text) < 32:
        raise ConfigError(f"{path} does not hold a usable secret (delete it to generate a new one)")
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return text.encode("utf-8")


@dataclass(frozen=True)
class Session:
    conversation: str
    expires_at: int
    token: str

    @property
    def sender_id(self) -> str:
        return f"web:{self.conversation}"


class SessionSigner:
    def __init__(self, secret: bytes, ttl_seconds: float) -> None:
        if len(secret) < 32:
            raise ConfigError("the web session secret is too short")
        self._secret = secret
        self.ttl = ttl_seconds

    def _mac(self, conversation: str, expires: int) -> str:
        msg = f"{VERSION}.{conversation}.{expires}".encode("ascii")
        return _b64(hmac.new(self._secret, msg, hashlib.sha256).digest())

    def issue(self, now: float | None = None) -> Session:
        conversation = secrets.token_urlsafe(24)  # 192 random bits
        expires = int((now if now is not None else time.time()) + self.ttl)
        token = f"{VERSION}.{conversation}.{expires}.{self._mac(conversation, expires)}"
        return Session(conversation, expires, token)

    def verify(self, token: str | None, now: float | None = None) -> Session:
        if not token:
            raise MISSING
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != VERSION or not _CONVERSATION.match(parts[1]) or not _EXPIRES.fullmatch(parts[2]):
            raise INVALID
        conversation, expires_text, mac = parts[1], parts[2], parts[3]
        expires = int(expires_text)
        if not hmac.compare_digest(mac.encode("ascii", "replace"), self._mac(conversation, expires).encode("ascii")):
            raise INVALID
        if expires <= (now if now is not None else time.time()):
            raise EXPIRED
        return Session(conversation, expires, token)


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
