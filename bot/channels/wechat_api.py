"""WeChat Official Account settings and the API client (customer-service and template messages).

``WECHAT_API_BASE`` (default https://api.weixin.qq.com) replaces the host of every call, the
access-token fetch included (wechatpy hard-codes that one), so tests and a corporate egress proxy
can stand in for WeChat. The access token is cached in the database (``channel_kv``), shared by all
replicas, and refreshed five minutes before WeChat says it expires, or at once when WeChat answers
40001/40014/42001 (wechatpy retries the call once with a fresh token).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from bot.channels import common
from bot.channels.store import ChannelStore
from bot.config import settings
from bot.errors import ConfigError

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
_AES_KEY = re.compile(r"^[A-Za-z0-9]{43}$")


@dataclass(frozen=True)
class WeChatSettings:
    token: str | None
    app_id: str | None
    app_secret: str | None
    aes_key: str | None
    api_base: str = DEFAULT_API_BASE
    passive_timeout: float = 4.5  # WeChat waits 5 s for the HTTP answer, then retries
    allow_plaintext: bool = True
    max_clock_skew: float = 300.0  # seconds; 0 turns the timestamp check off
    http_timeout: float = 5.0
    rate_per_minute: int = 20  # messages per openid per minute handed to the bot

    @classmethod
    def load(cls, credentials: dict[str, Any] | None = None) -> "WeChatSettings":
        s = common.setting
        aes_key = s(credentials, "aes_key", "WECHAT_AES_KEY")
        if aes_key and not _AES_KEY.match(str(aes_key)):
            raise ConfigError("WECHAT_AES_KEY must be the 43-character EncodingAESKey from the Official Account settings")
        base = str(s(credentials, "api_base", "WECHAT_API_BASE", DEFAULT_API_BASE)).rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"WECHAT_API_BASE={base!r} must start with http:// or https://")
        prod = settings().profile == "prod"
        return cls(
            token=s(credentials, "token", "WECHAT_TOKEN"),
            app_id=s(credentials, "app_id", "WECHAT_APP_ID"),
            app_secret=s(credentials, "app_secret", "WECHAT_APP_SECRET"),
            aes_key=aes_key,
            api_base=base,
            passive_timeout=common.number(s(credentials, "passive_timeout", "WECHAT_PASSIVE_TIMEOUT", 4.5), "WECHAT_PASSIVE_TIMEOUT"),
            allow_plaintext=common.flag(s(credentials, "allow_plaintext", "WECHAT_ALLOW_PLAINTEXT", "0" if prod else "1")),
            max_clock_skew=common.number(s(credentials, "max_clock_skew", "WECHAT_MAX_CLOCK_SKEW", 300), "WECHAT_MAX_CLOCK_SKEW"),
            rate_per_minute=common.number(s(credentials, "rate_per_minute", "WECHAT_RATE_PER_MINUTE", 20),
                                          "WECHAT_RATE_PER_MINUTE", minimum=1, kind=int),
        )

    @property
    def can_call_api(self) -> bool:
        return bool(self.app_id and self.app_secret)

    def crypto(self) -> WeChatCrypto | None:
        if not (self.token and self.aes_key and self.app_id):
            return None
        return WeChatCrypto(self.token, self.aes_key, self.app_id)


class DbTokenStorage(SessionStorage):
    """wechatpy's session storage on ``channel_kv``: one access token for all replicas."""

    MARGIN = 300  # refresh this many seconds before WeChat's expiry

    def __init__(self, store: ChannelStore, prefix: str = "wechat:") -> None:
        self.store, self.prefix = store, prefix

    def get(self, key, default=None):
        value = self.store.kv_get(self.prefix + key)
        return default if value is None else value

    def set(self, key, value, ttl=None):
        if ttl:
            ttl = max(60, int(ttl) - self.MARGIN) if int(ttl) > 2 * self.MARGIN else int(ttl)
        self.store.kv_set(self.prefix + key, str(value), ttl)

    def delete(self, key):
        self.store.kv_delete(self.prefix + key)


class ApiClient(WeChatClient):
    """wechatpy's client with a configurable API host and timeouts on every call."""

    def __init__(self, cfg: WeChatSettings, store: ChannelStore | None = None) -> None:
        if not cfg.can_call_api:
            raise ConfigError("WECHAT_APP_ID and WECHAT_APP_SECRET are needed to call the WeChat API")
        super().__init__(cfg.app_id, cfg.app_secret, session=DbTokenStorage(store or ChannelStore()),
                         timeout=cfg.http_timeout)
        self.api_base = cfg.api_base
        self.API_BASE_URL = f"{cfg.api_base}/cgi-bin/"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self.api_base}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def _fetch_access_token(self, url, params):
        logger.info("fetching a WeChat access token from %s", url)
        try:
            res = self._http.get(url=url, params=params, timeout=self.timeout)
            res.raise_for_status()
            result = res.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeChatClientException(errcode=None, errmsg=str(exc), client=self) from None
        if result.get("errcode", 0) != 0 or "access_token" not in result:
            raise WeChatClientException(result.get("errcode"), result.get("errmsg"), client=self,
                                        request=res.request, response=res)
        self.session.set(self.access_token_key, result["access_token"], int(result.get("expires_in", 7200)))
        return result

    @property
    def access_token(self):
        # The token lives in the shared store with its own expiry; no per-process clock.
        token = self.session.get(self.access_token_key)
        if token:
            return token
        self.fetch_access_token()
        return self.session.get(self.access_token_key)


def text_chunks(text: str, limit_bytes: int = 2000) -> list[str]:
    """Split text so each piece fits WeChat's 2048-byte text limit (UTF-8), at line ends if possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit_bytes:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line.encode("utf-8")) > limit_bytes:  # one very long line: cut by characters
            cut = len(line)
            while len(line[:cut].encode("utf-8")) > limit_bytes:
                cut = cut * 3 // 4
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    if current:
        pieces.append(current)
    return pieces
