"""Text normalisation for borrower messages (pure, no Rasa).

``normalise(text)`` does, in this order:

1. Traditional -> Simplified with OpenCC ``t2s`` (one converter, created lazily), then a few dialect
   words to their Mandarin (``DIALECT``: 冇钱 点算 -> 没钱 咋办), each the same length.
2. Full-width -> half-width: U+FF01..U+FF5E (digits, letters, punctuation such as ``，？！（）``)
   map to ASCII, the ideographic space U+3000 maps to a space, U+FFE0..U+FFE6 (``￥`` etc.)
   map to their narrow forms (``￥`` -> ``¥``).
3. Zero-width characters that only get in the way of matching (U+200B, U+2060, U+FEFF) are
   dropped. ZWJ (U+200D) and variation selectors are kept so emoji sequences survive.
4. Every run of whitespace becomes one space; leading/trailing whitespace is stripped.

Steps 1 and 2 are length-preserving (OpenCC is asked phrase-by-phrase first; if it ever changes
the length, the text is re-converted one character at a time, which is length-preserving by
construction). Steps 3 and 4 are the only ones that change positions, and
``normalise_with_offsets`` returns, next to the normalised text, a list ``offsets`` with
``offsets[i]`` = index in the original text of normalised character ``i`` plus a final sentinel
``offsets[len(normalised)]`` = ``len(original)``. A span ``[s, e)`` of the normalised text maps
back to ``[offsets[s], offsets[e - 1] + 1)`` of the original (see ``to_original_span``).
"""
from __future__ import annotations

import re
import threading
from typing import List, Optional, Tuple

#: What a leading "/" of typed text becomes: the full-width solidus. Rasa reads a message that
#: starts with "/" as an intent with entities, bypassing NLU; the channels' guard
#: (``bot.channels.common.guard_payload``) and the ``TextNormaliser`` component write this instead
#: (``normalise`` itself maps it to "/", like every full-width character).
COMMAND_LOOKALIKE = "\uff0f"

_converter = None
_converter_lock = threading.Lock()


def _t2s():
    """The OpenCC Traditional->Simplified converter, created once on first use."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter


def _build_width_table() -> dict:
    table = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20  # ideographic space
    # Full-width signs: ￠￡￢￣￤￥￦
    for full, half in zip("\uffe0\uffe1\uffe2\uffe3\uffe4\uffe5\uffe6", "\u00a2\u00a3\u00ac\u00af\u00a6\u00a5\u20a9"):
        table[ord(full)] = ord(half)
    return table


_WIDTH_TABLE = _build_width_table()
# Characters removed outright (zero width space, word joiner, BOM); ZWJ U+200D is kept for emoji.
_DROP = frozenset("\u200b\u2060\ufeff")
_NEEDS_POSITION_WORK = re.compile(r"\s\s|[^\S ]|^\s|\s$|[\u200b\u2060\ufeff]")
_WS = re.compile(r"\s+")


def _to_simplified(text: str) -> str:
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # Rare: a phrase mapping changed the length. Fall back to per-character conversion, which
    # keeps a 1:1 alignment with the original (characters whose conversion is not 1:1 stay).
    out = []
    for ch in text:
        c = _t2s().convert(ch)
        out.append(c if len(c) == 1 else ch)
    return "".join(out)


#: Step 1b: dialect words as borrowers type them (Cantonese, Sichuanese, north-eastern, internet spelling)
#: -> the Mandarin the training data is written in, each the same length so offsets hold. Found by a
#: probe: 「冇钱 点算」 (no money, what now) fell back. Only words that mean nothing else in Mandarin
#: (no 系, 要得, 唔 alone: 「唔 好吧」 is a Mandarin hum).
DIALECT = {
    "咩嘢": "什么", "点算": "咋办", "点样": "怎样", "点解": "为啥", "边度": "哪里", "边个": "哪个", "几时": "啥时",
    "我哋": "我们", "你哋": "你们", "佢哋": "他们", "唔该": "谢谢", "唔系": "不是", "唔好": "不要", "唔想": "不想",
    "唔使": "不用", "唔够": "不够", "唔得": "不行", "唔知": "不知", "唔识": "不会", "唔还": "不还", "唔到": "不到",
    "啥子": "什么", "咋个": "怎么", "莫得": "没有", "晓得": "知道", "嘎哈": "干啥", "木有": "没有",
    "冇": "没", "咩": "啥", "佢": "他", "嘅": "的", "咗": "了", "俾": "给", "畀": "给", "揾": "找",
}
_DIALECT_RE = re.compile("|".join(sorted(DIALECT, key=len, reverse=True)))
assert all(len(k) == len(v) for k, v in DIALECT.items())  # offsets hold


def _length_preserving(text: str) -> str:
    """Steps 1-2: Traditional->Simplified, dialect words, full->half width; len(result) == len(text)."""
    if not text.isascii():
        text = _DIALECT_RE.sub(lambda m: DIALECT[m.group(0)], _to_simplified(text)).translate(_WIDTH_TABLE)
    return text


def normalise_with_offsets(text: Optional[str]) -> Tuple[str, List[int]]:
    """Normalise ``text`` and return ``(normalised, offsets)`` (see module docstring)."""
    if not text:
        return "", [0]
    converted = _length_preserving(text)
    if not _NEEDS_POSITION_WORK.search(converted):
        return converted, list(range(len(converted) + 1))

    out_chars: List[str] = []
    offsets: List[int] = []
    pending_space_at: Optional[int] = None  # original index of the first char of a ws run
    for i, ch in enumerate(converted):
        if ch in _DROP:
            continue
        if ch.isspace():
            if pending_space_at is None:
                pending_space_at = i
            continue
        if pending_space_at is not None:
            if out_chars:  # no leading space (strip)
                out_chars.append(" ")
                offsets.append(pending_space_at)
            pending_space_at = None
        out_chars.append(ch)
        offsets.append(i)
    # a trailing whitespace run is dropped (strip)
    offsets.append(len(text))
    return "".join(out_chars), offsets


def normalise(text: Optional[str]) -> str:
    """Normalised form of a borrower message (Simplified, half-width, single spaces, stripped)."""
    if not text:
        return ""
    converted = _length_preserving(text)
    if not _NEEDS_POSITION_WORK.search(converted):
        return converted
    if any(ch in converted for ch in _DROP):
        converted = "".join(ch for ch in converted if ch not in _DROP)
    return _WS.sub(" ", converted).strip()


def to_original_span(offsets: List[int], start: int, end: int) -> Tuple[int, int]:
    """Map a non-empty span ``[start, end)`` of the normalised text back to the original text."""
    if end <= start:
        pos = offsets[min(start, len(offsets) - 1)]
        return pos, pos
    return offsets[start], offsets[end - 1] + 1
