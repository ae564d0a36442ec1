"""Outgoing content filter (compliance rule 5): every bot and collector message passes ``check``.

A rule table, not a model: ``bot/compliance/filter_rules.py`` holds the categories, patterns,
homophones, negation cues and the safe fallback wording. This module only normalises and matches.

Pipeline:
1. ``normalise``: NFKC (full-width → half-width), Traditional → Simplified (OpenCC t2s), lower
   case; every space, punctuation mark, symbol, emoji, zero-width and control character is
   removed, so ``坐 牢``, ``坐。牢``, ``坐😡牢`` and ``坐\u200b牢`` all read ``坐牢``. Clause
   (，：) and sentence (。！？；, line break) boundaries are remembered per character so that
   negation and most patterns stay inside one clause.
2. homophones (``座牢``/``坐劳`` → ``坐牢``, ``法园`` → ``法院`` …) are replaced; ``居留`` → ``拘留``
   only in a threat context.
3. each category's patterns, in ``CATEGORY_ORDER``; a hit counts unless it is negated
   (``我们不会上门``), attributed to someone else (``如有人自称法院…``) or refuted later in the
   sentence (``所谓“全国黑名单”并不存在``).

``check(text)`` returns ``FilterResult``. When ``allowed`` the text may be sent as it is and
``safe_text`` is the text itself; when blocked, ``safe_text`` is the category's fallback wording
(send that instead), ``category``/``matched`` say why (audit it; show ``result.reason`` to a
collector). Pure: no I/O, no Rasa, no database.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.compliance import filter_rules as R

# OpenCC ships its dictionaries inside the wheel (no network). No silent fallback: without it
# Traditional-script text would slip past the rules, so a missing package must fail loudly.
import opencc  # noqa: E402

_T2S = opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    return _T2S.convert(text)


# 、 lists items of one claim (不会联系您的家人、同事或单位), so it does NOT end the clause.
CLAUSE_BREAKS = frozenset(",，:：")
SENTENCE_BREAKS = frozenset("。.!！?？;；\n\r…")


@dataclass(frozen=True)
class FilterResult:
    allowed: bool
    category: str | None = None
    matched: str | None = None
    safe_text: str | None = None

    @property
    def reason(self) -> str:
        """Plain Chinese explanation for a collector (empty when allowed)."""
        if self.allowed:
            return ""
        label = R.CATEGORY_LABELS.get(self.category or "", "不合规内容")
        return f"消息未发送：内容涉及{label}（命中“{self.matched}”）。请改用合规、中性的表述。"


@dataclass(frozen=True)
class Normalised:
    text: str               # compact, canonical text the patterns run on
    clause: tuple[int, ...]  # clause number of each character
    sentence: tuple[int, ...]


def _keep(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in ("L", "N")


def normalise(text: str) -> Normalised:
    """Compact canonical form of ``text`` (see module doc), with clause/sentence numbers."""
    s = unicodedata.normalize("NFKC", text or "")
    s = _to_simplified(s).lower()
    chars: list[str] = []
    clause: list[int] = []
    sentence: list[int] = []
    c = n = 0
    for ch in s:
        if ch in SENTENCE_BREAKS:
            if ch == "." and chars and chars[-1].isdigit():
                continue  # decimal point of an amount, not a full stop
            c += 1
            n += 1
            continue
        if ch in CLAUSE_BREAKS:
            c += 1
            continue
        if _keep(ch):
            chars.append(ch)
            clause.append(c)
            sentence.append(n)
    compact = "".join(chars)
    compact = _apply_homophones(compact, sentence)
    return Normalised(compact, tuple(clause), tuple(sentence))


def _apply_homophones(text: str, sentence: list[int]) -> str:
    for variant, canonical in _HOMOPHONES_BY_LENGTH:
        if variant in text:
            text = text.replace(variant, canonical)
    for variant, (canonical, context) in R.CONTEXT_HOMOPHONES.items():
        start = text.find(variant)
        while start != -1:
            if not any(text.startswith(exc, start) for exc in R.CONTEXT_HOMOPHONE_EXCEPTIONS):
                s_lo, s_hi = _span_of(sentence, sentence[start])
                around = text[s_lo:start] + text[start + len(variant):s_hi]
                if re.search(context, around):
                    text = text[:start] + canonical + text[start + len(variant):]
            start = text.find(variant, start + 1)
    return text


def _span_of(ids, value: int) -> tuple[int, int]:
    """[lo, hi) of the run of ``value`` in the non-decreasing sequence ``ids``."""
    return bisect.bisect_left(ids, value), bisect.bisect_right(ids, value)


_HOMOPHONES_BY_LENGTH = sorted(R.HOMOPHONES.items(), key=lambda kv: -len(kv[0]))
for _v, _c in list(R.HOMOPHONES.items()) + [(v, c) for v, (c, _) in R.CONTEXT_HOMOPHONES.items()]:
    if len(_v) != len(_c):  # positions must not shift, or clause numbers would point elsewhere
        raise ValueError(f"homophone {_v!r} → {_c!r} must keep the length")


def _alternation(words) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


_CUES = _alternation(R.NEGATION_CUES)
_BREAKERS = _alternation(R.NEGATION_BREAKERS)
_CAUSAL_BREAKERS = _alternation(set(R.NEGATION_BREAKERS) - set(R.CAUSAL_OK_BREAKERS))
_ATTRIBUTION = _alternation(R.ATTRIBUTION_CUES)
_REFUTATION = _alternation(R.REFUTATION_CUES)


@dataclass(frozen=True)
class _Rule:
    category: str
    regex: re.Pattern
    keyword: bool        # x: may cross clause boundaries
    negatable: bool      # not n
    clause_start: bool   # s
    inner: bool          # i


@lru_cache(maxsize=1)
def _compiled() -> tuple[_Rule, ...]:
    rules = []
    unknown = set(R.RULES) - set(R.CATEGORY_ORDER)
    if unknown:
        raise ValueError(f"filter_rules.RULES has categories missing from CATEGORY_ORDER: {unknown}")
    for category in R.CATEGORY_ORDER:
        for pattern, flags in R.RULES.get(category, []):
            rules.append(_Rule(category, re.compile(pattern), "x" in flags, "n" not in flags,
                               "s" in flags, "i" in flags))
    return tuple(rules)


def _negated(norm: Normalised, start: int, end: int, rule: _Rule) -> bool:
    text = norm.text
    # 1. a negation cue shortly before, in the same clause
    c_lo, _ = _span_of(norm.clause, norm.clause[start])
    w_lo = max(c_lo, start - R.NEGATION_WINDOW)
    window = text[w_lo:end] if rule.inner else text[w_lo:start]
    last = None
    for m in _CUES.finditer(window):
        last = m
    if last is not None:
        cue_abs = w_lo + last.start()
        between = window[last.end():]
        conditional = cue_abs > 0 and text[cue_abs - 1] in R.NEGATION_CONDITIONAL_PREFIX
        rearmed = between.startswith(R.NEGATION_REARM)
        breakers = _CAUSAL_BREAKERS if "因" in last.group() else _BREAKERS
        if not conditional and not rearmed and not breakers.search(between):
            return True
    # 2. attributed to someone else earlier in the sentence (如有人自称法院…)
    s_lo, s_hi = _span_of(norm.sentence, norm.sentence[start])
    if _ATTRIBUTION.search(text[s_lo:start]):
        return True
    # 3. refuted later in the sentence (…并不存在 / …是违规的)
    return bool(_REFUTATION.search(text[end:s_hi]))


def find_violation(text: str) -> tuple[str, str] | None:
    """(category, matched normalised text) of the first violation, or None."""
    norm = normalise(text)
    if not norm.text:
        return None
    for rule in _compiled():
        for m in rule.regex.finditer(norm.text):
            start, end = m.start(), m.end()
            if end <= start:
                continue
            if not rule.keyword and norm.clause[start] != norm.clause[end - 1]:
                continue
            if rule.clause_start and start > 0 and norm.clause[start - 1] == norm.clause[start]:
                continue
            if rule.negatable and _negated(norm, start, end, rule):
                continue
            return rule.category, m.group()
    return None


def fallback_for(category: str | None) -> str:
    return R.SAFE_FALLBACKS.get(category or "", R.DEFAULT_FALLBACK)


def check(text: str) -> FilterResult:
    """Decide whether ``text`` may be sent (rule 5). Never raises on any string."""
    hit = find_violation(text)
    if hit is None:
        return FilterResult(allowed=True, safe_text=text)
    category, matched = hit
    return FilterResult(allowed=False, category=category, matched=matched,
                        safe_text=fallback_for(category))
