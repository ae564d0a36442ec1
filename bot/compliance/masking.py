"""Masking of personal data (compliance rule 4): IDs, phones, bank cards and street addresses.

Used by the audit log, exports, the collector summary, analytics and logging
(``MaskingLogFilter``). Every function is pure and idempotent: masking masked text changes
nothing.

- ``mask_id("110101199003073512")``  → ``110***********3512`` (first 3 and last 4 kept)
- ``mask_phone("13810011001")``      → ``138****1001``
- ``mask_card("6222 0212 3456 1234")`` → ``**** 1234``
- ``mask_text(text)`` finds and masks, inside free text:
    * 18-character national IDs (17 digits + digit/X) and 15-digit old IDs,
    * 11-digit mobiles ``1[3-9]…`` (also ``+86``/``86`` prefixed, or written 3-4-4 with spaces or
      hyphens),
    * 12–19 digit bank cards (also written in groups of four),
    * any other run of 12 or more digits (conservative: it may be a card),
    * Chinese street addresses ``…省…市…区…路…号…`` → the province/city is kept, the rest masked.
  Digit runs are read with Unicode digits, so full-width ``１３８…`` is caught as well.
"""
from __future__ import annotations

import logging
import re
import unicodedata

MASK = "*"
ADDRESS_MASK = "****"


def _ascii_digits(s: str) -> str:
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in s)


def _keep_ends(s: str, head: int, tail: int) -> str:
    if len(s) <= head + tail:
        return MASK * len(s)
    return s[:head] + MASK * (len(s) - head - tail) + s[-tail:]


def _compact(s: str) -> str:
    return re.sub(r"[\s\-]", "", s or "")


def mask_id(s: str) -> str:
    """National ID: keep the first 3 and the last 4 characters (``110***********351X``)."""
    value = _compact(s).upper()
    return _keep_ends(value, 3, 4)


def mask_phone(s: str) -> str:
    """Mobile: ``138****1001``; a ``+86``/``86`` prefix is kept as ``+86 ``."""
    value = _compact(s)
    prefix = ""
    m = re.fullmatch(r"(?:\+?86)(1\d{10}|1\d{2}\*{4}\d{4})", _ascii_digits(value))
    if m:
        prefix, value = "+86 ", m.group(1)
    return prefix + _keep_ends(value, 3, 4)


def mask_card(s: str) -> str:
    """Bank card: only the last 4 digits stay (``**** 1234``)."""
    digits = re.sub(r"\D", "", _ascii_digits(s or ""))
    return f"**** {digits[-4:]}" if len(digits) >= 4 else "****"


# --- free text ------------------------------------------------------------------------------------
# Candidate numbers: a plain run of digits (optionally ending in X), or digits written in groups
# (3-4-4 phone, 4-4-4-4 card, 6-8-4 ID) separated by single spaces or hyphens.
_NUMBER = re.compile(
    r"(?<!\d)(?:"
    r"\d{6}[ \-]\d{8}[ \-]\d{3}[\dXx]"                 # ID in 6-8-4 groups
    r"|\d{4}(?:[ \-]\d{4}){2,3}(?:[ \-]\d{1,3})?"      # card in groups of 4
    r"|(?:\+?86[ \-]?)?1[3-9]\d[ \-]\d{4}[ \-]\d{4}"   # mobile 3-4-4
    r"|\+?\d{11,}(?:[Xx](?![A-Za-z]))?"                # plain runs of 11+ digits (ID may end in X)
    r"|\d{3,}(?:[ \-]\d{3,})+(?:[Xx](?![A-Za-z]))?"    # any other grouping (130 0000 00000)
    r")(?!\d)"
)
# yyyymmdd-nnnn: how ticket numbers are written (C-20261201-0001); not personal data.
_TICKET = re.compile(r"20\d{6}-\d{1,6}")

_PROVINCE = r"(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区|特别行政区))"
_CITY = r"(?:[\u4e00-\u9fff]{2,8}?(?:市|自治州|地区|盟))"
_DISTRICT = r"(?:[\u4e00-\u9fff]{1,8}?(?:区|县|旗))"
_ROAD = r"(?:[\u4e00-\u9fffA-Za-z0-9]{1,12}?(?:路|街|大道|道|巷|弄|胡同|里|村|大街))"
_NUM = r"(?:[0-9０-９一二三四五六七八九十百零〇\-]+号)"
_TAIL = (r"(?:[0-9０-９A-Za-z\u4e00-\u9fff\-#]{0,8}?"
         r"(?:号楼|栋|幢|座|楼|单元|层|室|号|户|门|大厦|广场|中心|花园|小区|公寓|苑|城))*")
# Either a district (区/县/旗) before the number, or a city before the road: a bare "…道15号" is
# too often not an address (我知道15号要还).
_ADDRESS = re.compile(
    rf"(?P<keep>{_PROVINCE}?{_CITY}?)(?P<rest>{_DISTRICT}{_ROAD}?{_NUM}{_TAIL})"
    rf"|(?P<keep2>{_PROVINCE}?{_CITY})(?P<rest2>{_ROAD}{_NUM}{_TAIL})"
)


def _classify_and_mask(raw: str) -> str:
    if _TICKET.fullmatch(raw):
        return raw
    digits = _ascii_digits(re.sub(r"[ \-+]", "", raw))
    body = digits.upper()
    n = len(body)
    if n == 13 and body.startswith("86") and re.fullmatch(r"861[3-9]\d{9}", body):
        return mask_phone(body)
    if n < 11:
        return raw
    if n == 11:
        return mask_phone(body) if re.fullmatch(r"1[3-9]\d{9}", body) else raw
    if body.endswith("X") or (n == 18 and _looks_like_id18(body)) or (n == 15 and _looks_like_id15(body)):
        return mask_id(body)
    if 12 <= n <= 19:
        return mask_card(body)
    if n > 19:  # long reference numbers: keep only the last 4
        return MASK * 4 + body[-4:]
    return raw


def _looks_like_id18(s: str) -> bool:
    y, m, d = int(s[6:10]), int(s[10:12]), int(s[12:14])
    return 1900 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= 31


def _looks_like_id15(s: str) -> bool:
    m, d = int(s[8:10]), int(s[10:12])
    return 1 <= m <= 12 and 1 <= d <= 31


def _mask_address(m: re.Match) -> str:
    keep = m.group("keep") if m.group("rest") is not None else m.group("keep2")
    return (keep or "") + ADDRESS_MASK


def mask_text(text: str) -> str:
    """Mask every ID, mobile, card number and street address in ``text`` (idempotent)."""
    if not text:
        return text
    out = _NUMBER.sub(lambda m: _classify_and_mask(m.group()), text)
    return _ADDRESS.sub(_mask_address, out)


def mask_value(value: object) -> object:
    """Mask strings (and the strings inside lists/tuples/dicts); other values pass unchanged."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_value(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        masked = mask_text(text)
        return value if masked == text else masked
    return value


class MaskingLogFilter(logging.Filter):
    """Mask personal data in every record: message, args, exception and stack text.

    Attach it to *handlers* (``handler.addFilter(MaskingLogFilter())``): a filter on a logger does
    not see records propagated from child loggers. The record's message is rendered once
    (``msg % args``), masked, and stored with ``args = None``, so a number passed as ``%d`` is
    masked too; a broken format string keeps the message and its arguments, masked, instead of
    failing later in the handler. Always returns True (it masks, it never drops).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep everything, masked, formatting nothing
            message = f"{record.msg} (log arguments: {record.args!r})"
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install(handler: logging.Handler | None = None) -> None:
    """Add a MaskingLogFilter to ``handler``, or to every handler of the root logger."""
    handlers = [handler] if handler is not None else logging.getLogger().handlers
    for h in handlers:
        if not any(isinstance(f, MaskingLogFilter) for f in h.filters):
            h.addFilter(MaskingLogFilter())
