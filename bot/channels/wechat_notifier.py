"""Reminder delivery through WeChat template messages (``/cgi-bin/message/template/send``).

This class only *delivers*. Whether a reminder may be sent at all — quiet hours 21:00–08:00,
at most 2 a day and 7 in 7 days across channels, opt-outs, open disputes, distress, a current
plan (compliance.md rule 14) — is decided by ``bot/compliance/reminders.py`` before it calls here.

Two ways in:

* ``send(borrower_openid, template_id, data, url=None) -> bool`` — the simple call.
* ``deliver(message) -> DeliveryResult`` — for the reminders module's notifier interface. ``message``
  is any object or mapping with ``openid`` (or ``recipient``), ``template_id``, ``data`` and optionally
  ``url``. ``DeliveryResult`` says whether WeChat accepted it, WeChat's msgid, the error code and
  text, and whether trying again later makes sense (``retryable``: system busy, rate limit,
  network) or not (the borrower unfollowed the account, refused template messages, a bad
  openid or template id).

``data`` maps template keys to text or to WeChat's ``{"value": ..., "color": ...}``; plain text is
wrapped. The values are run through the compliance content filter (rule 5) once more before
sending; a blocked message is not sent (``DeliveryResult.error`` says why, not retryable).

Settings: WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_API_BASE (see bot/channels/README.md).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from wechatpy.exceptions import WeChatClientException

from bot.channels import common
from bot.channels.store import ChannelStore
from bot.channels.wechat_api import ApiClient, WeChatSettings

logger = logging.getLogger(__name__)

#: WeChat error codes for which a later retry can succeed (None: no answer / network error)
RETRYABLE_CODES = {None, -1, 45009, 45011}
#: a few codes worth naming in the result
REASONS = {
    43004: "接收者未关注公众号",
    43101: "用户拒收该模板消息",
    40003: "openid 无效",
    40037: "模板 id 无效",
    47003: "模板参数不正确",
    45009: "接口调用超过限额",
    -1: "微信系统繁忙",
}


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    channel: str = "wechat_template"
    provider_message_id: str | None = None
    error_code: int | None = None
    error: str | None = None
    retryable: bool = False

    def __bool__(self) -> bool:
        return self.delivered


def _field(message: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(message, Mapping) and name in message:
            return message[name]
        if hasattr(message, name):
            return getattr(message, name)
    return default


def _content_check(text: str) -> str | None:
    """The compliance content filter (rule 5) on the text about to go out; the category if blocked."""
    from bot.compliance.content_filter import check

    verdict = check(text)
    return None if verdict.allowed else (verdict.category or "blocked")


class WeChatTemplateNotifier:
    channel = "wechat_template"

    def __init__(self, cfg: WeChatSettings | None = None, *, client: ApiClient | None = None,
                 store: ChannelStore | None = None) -> None:
        self.cfg = cfg or WeChatSettings.load()
        self._client = client
        self._store = store

    @property
    def client(self) -> ApiClient:
        if self._client is None:
            self._client = ApiClient(self.cfg, self._store)
        return self._client

    @staticmethod
    def _data(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        result = {}
        for key, value in (data or {}).items():
            if isinstance(value, Mapping):
                item = {"value": str(value.get("value", ""))}
                if value.get("color"):
                    item["color"] = str(value["color"])
            else:
                item = {"value": str(value)}
            result[str(key)] = item
        return result

    def send_result(self, borrower_openid: str, template_id: str, data: Mapping[str, Any],
                    url: str | None = None) -> DeliveryResult:
        if not common.safe_id(borrower_openid):
            return DeliveryResult(False, error_code=40003, error=REASONS[40003])
        if not template_id:
            return DeliveryResult(False, error_code=40037, error=REASONS[40037])
        fields = self._data(data)
        blocked = _content_check(" ".join(item["value"] for item in fields.values()))
        if blocked:  # the reminders module renders approved wording; this is the last guard
            logger.warning("WeChat template to %s not sent: content filter (%s)", borrower_openid, blocked)
            return DeliveryResult(False, error=f"内容未通过合规检查：{blocked}")
        try:
            result = self.client.message.send_template(borrower_openid, template_id, fields, url=url)
        except WeChatClientException as exc:
            code = exc.errcode
            text = REASONS.get(code) or str(exc.errmsg or "") or "微信接口错误"
            logger.warning("WeChat template send to %s failed: %s %s", borrower_openid, code, text)
            return DeliveryResult(False, error_code=code, error=text, retryable=code in RETRYABLE_CODES)
        except Exception as exc:  # noqa: BLE001 - network trouble, DNS, TLS
            logger.warning("WeChat template send to %s failed: %s", borrower_openid, exc)
            return DeliveryResult(False, error=f"网络错误：{type(exc).__name__}", retryable=True)
        msgid = result.get("msgid") if isinstance(result, dict) else None
        return DeliveryResult(True, provider_message_id=str(msgid) if msgid is not None else None)

    def send(self, borrower_openid: str, template_id: str, data: Mapping[str, Any], url: str | None = None) -> bool:
        """Send one template message; True when WeChat accepted it."""
        return self.send_result(borrower_openid, template_id, data, url).delivered

    def deliver(self, message: Any) -> DeliveryResult:
        """The notifier-interface call: ``message`` has openid/recipient, template_id, data, url."""
        return self.send_result(
            str(_field(message, "openid", "borrower_openid", "recipient", default="") or ""),
            str(_field(message, "template_id", default="") or ""),
            _field(message, "data", default={}) or {},
            _field(message, "url", default=None),
        )


class WeChatReminderNotifier:
    """Adapter to the reminders' ``bot.notify.Notifier`` protocol: ``send(borrower_id, text) -> bool``.

    The reminder text (already rendered and checked by the reminders module) goes into one field of
    a template (``field``, default ``content`` — match it to the template chosen in the 公众平台).
    ``openid_for`` maps a borrower id to the openid of the WeChat user bound to that borrower; the
    project has no such binding yet (it would be recorded after identity verification in the WeChat
    channel), so it must be supplied; a borrower without one is not sent (False)."""

    channel = "wechat_template"

    def __init__(self, template_id: str, openid_for: Callable[[str], str | None], *, field: str = "content",
                 extra: Mapping[str, Any] | None = None, url: str | None = None,
                 notifier: WeChatTemplateNotifier | None = None) -> None:
        self.template_id, self.openid_for, self.field = template_id, openid_for, field
        self.extra, self.url = dict(extra or {}), url
        self.notifier = notifier or WeChatTemplateNotifier()
        self.last_result: DeliveryResult | None = None

    def send(self, borrower_id: str, text: str) -> bool:
        openid = self.openid_for(borrower_id)
        if not openid:
            self.last_result = DeliveryResult(False, error="该借款人未绑定微信")
            return False
        self.last_result = self.notifier.send_result(openid, self.template_id, {**self.extra, self.field: text}, self.url)
        return self.last_result.delivered
