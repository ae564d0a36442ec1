"""Rule-based entity extraction for borrower messages (pure, Rasa-free).

``extract(text, today=None) -> list[Entity]`` finds the entities of the contract in
``shared/spec/intents.md``: amount, date, installment_count, id_last4, phone_last4, birth_date,
person_name, relation, hardship_type.

How it works
------------
1. ``normalise_with_offsets`` (Traditional->Simplified, full->half width, whitespace collapse)
   gives the text the rules run on, plus a per-character map back to the original.
2. A blank spaCy ``zh`` pipeline (jieba segmenter, no model download) runs one custom component,
   ``borrower_candidates``, which applies the regex/lexicon rules to ``doc.text`` and stores the
   candidates in ``doc.user_data``. Rules work on characters, not tokens, because jieba's
   segmentation changes with the user dictionary (``bot/nlu/dictionary``) and often glues digits
   to units; the jieba tokens are used where word boundaries matter (end of a person's name).
3. Each candidate is resolved against ``today`` (dates) and may be rejected; the survivors are
   de-overlapped (higher tier first: tails > full dates > dates > installments > amounts > name >
   lexicon; longer first within a tier).
4. Offsets are mapped back to the ORIGINAL text: ``Entity.start/end`` index ``text`` as passed in,
   and ``Entity.text == text[start:end]``. Values come from the normalised text (Simplified).

Values: amount -> ``"3500.00"`` / ``"half"`` / ``"all"``; date / birth_date -> ISO string, or the
normalised matched text when it cannot be resolved (``发工资那天``, ``2月30号``);
installment_count -> int; id_last4 / phone_last4 -> 4-char str; person_name -> str; relation and
hardship_type -> category str.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import logging
import re
import threading
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, Dict, Iterable, List, Optional, Tuple, Union

from bot.nlu.contract import ENTITIES
from bot.nlu.normalise import normalise_with_offsets, to_original_span

logger = logging.getLogger(__name__)

ENTITY_TYPES = ENTITIES  # the contract's entity types (bot/nlu/contract.py)

# Messages longer than this are only searched in their first MAX_CHARS characters.
MAX_CHARS = 10_000

Value = Union[str, int]


@dataclass(frozen=True)
class Entity:
    entity: str
    start: int
    end: int
    text: str
    value: Value

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Candidates produced by the matching layer and resolved later (dates need ``today``).
# --------------------------------------------------------------------------------------------

# Tiers for overlap resolution (higher wins, then longer span, then earlier start).
TIER_TAIL = 100
TIER_FULL_DATE = 90
TIER_DATE = 80
TIER_INSTALLMENT = 70
TIER_AMOUNT = 60
TIER_NAME = 50
TIER_LEXICON = 40

Resolver = Callable[[dt.date], Optional[Tuple[str, Value]]]


@dataclass(frozen=True)
class Candidate:
    start: int  # offsets in the normalised text
    end: int
    tier: int
    resolve: Resolver  # today -> (entity, value) or None to reject


def _fixed(entity: str, value: Value) -> Resolver:
    return lambda _today: (entity, value)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------
CN_START = "一二两三四五六七八九十壹贰叁参肆伍陆柒捌玖拾"
CN_ALL = "零〇一二两三四五六七八九十百千万亿壹贰叁参肆伍陆柒捌玖拾佰仟"
_CN_SMALL = "一二两三四五六七八九十"  # day / month numerals
_NUM_SMALL = rf"(?:\d{{1,2}}|[{_CN_SMALL}]{{1,3}})"


def _cn_number(s: str) -> Optional[Decimal]:
    """Chinese (or mixed) numeral -> Decimal via cn2an ``smart`` mode; None if not a number."""
    import cn2an

    try:
        # 參 (Traditional financial 3) becomes 参 under t2s; cn2an only knows 叁
        value = cn2an.cn2an(s.replace("参", "叁"), "smart")
    except Exception:  # cn2an raises ValueError and friends for things like 三四千
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _small_int(s: str) -> Optional[int]:
    """Day / month / count numbers: Arabic or Chinese."""
    if s.isdigit():
        return int(s)
    if s == "几":
        return None
    if len(s) > 1 and not re.search("[十百千万拾佰仟]", s):
        return None  # 两三 / 三四: an approximation, not a number
    value = _cn_number(s)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

def _iso(d: dt.date) -> str:
    return d.isoformat()


def _safe_date(y: int, m: int, d: int) -> Optional[dt.date]:
    try:
        return dt.date(y, m, d)
    except (ValueError, OverflowError):
        return None


def _add_months(y: int, m: int, n: int) -> Tuple[int, int]:
    total = y * 12 + (m - 1) + n
    return total // 12, total % 12 + 1


def _last_day(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _next_day_of_month(today: dt.date, day: int) -> Optional[dt.date]:
    """Next date (today included) whose day-of-month is ``day``."""
    if not 1 <= day <= 31:
        return None
    for k in range(0, 13):
        y, m = _add_months(today.year, today.month, k)
        candidate = _safe_date(y, m, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


_BIRTH_KEYWORDS = re.compile(r"生日|出生|生于|出生日期|出生年月|birthday|dob", re.I)


def _birth_context(text: str, start: int) -> bool:
    return bool(_BIRTH_KEYWORDS.search(text, max(0, start - 8), start))


#: a Chinese character said for each digit (years 「八八」, tails 「三五一二」, 「七七幺」)
_CN_DIGITS = str.maketrans({"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
                            "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"})


def _full_year(raw: str, today: dt.date) -> Optional[int]:
    digits = raw.translate(_CN_DIGITS)  # 「八八」, 「一九八八」: one Chinese character a digit
    if not (digits.isascii() and digits.isdigit()):
        return None
    year = int(digits)
    if len(raw) == 2:
        year += 2000 if year <= today.year % 100 else 1900
    return year


#: a borrower is at least this old: a full date this many years back or more is a birth date when
#: nothing says so (repayment dates are this year's or later)
MIN_BORROWER_AGE = 16


def _birth_year(year: int, today: dt.date) -> bool:
    return year <= today.year - MIN_BORROWER_AGE


#: the oldest borrower a six-digit 「920708」 is read for (older, it is more likely a number)
MAX_BORROWER_AGE = 90


def _short_compact_birth(text: str, m: re.Match, today: dt.date) -> bool:
    """「刘洋 2048 920708」: two-digit year, month and day run together are a birth date only when they
    make one (a real day, a borrower's age) and no money word is before or after them (found live:
    read as 920708 yuan, and verification asked for the ID tail again)."""
    year = _full_year(m["y"], today)
    return (year is not None and _birth_year(year, today) and year > today.year - MAX_BORROWER_AGE
            and _safe_date(year, int(m["m"]), int(m["d"])) is not None
            and not _MONEY_AFTER.match(text, m.end())
            and not _MONEY_VERB_BEFORE.search(text[max(0, m.start() - 6):m.start()]))


def _full_date_resolver(text: str, start: int, end: int, y: str, m: str, d: str) -> Resolver:
    raw = text[start:end]
    birth_kw = _birth_context(text, start)

    def resolve(today: dt.date) -> Optional[Tuple[str, Value]]:
        year = _full_year(y, today)
        month, day = _small_int(m), _small_int(d)
        is_birth = birth_kw or (year is not None and _birth_year(year, today))
        label = "birth_date" if is_birth else "date"
        if year is None or month is None or day is None:
            return label, raw
        value = _safe_date(year, month, day)
        return label, (_iso(value) if value else raw)

    return resolve


_RELATIVE_DAYS = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨儿": -1, "昨晚": -1,
    "今天": 0, "今日": 0, "今儿": 0, "今晚": 0, "今早": 0,
    "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1,
    "后天": 2, "大后天": 3,
}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}

_FULL_DATE_RE = re.compile(
    r"(?P<y>(?<![\d零〇一二三四五六七八九])(?:\d{4}|\d{2}|[零〇一二三四五六七八九]{4}|[零〇一二三四五六七八九]{2}))"
    rf"\s?年\s?(?P<m>{_NUM_SMALL})\s?月份?\s?(?P<d>{_NUM_SMALL})\s?(?:日|号)?"
)
_ISO_DATE_RE = re.compile(r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d.])")
#: 「98.2.14」, 「88/3/12」: a two-digit year, month and day (found live: 「孙悦 5828 98.2.14」 was read as
#: 5828 yuan and nothing else, and verification asked for the ID tail again); a real month and day only
_SHORT_YEAR_DATE_RE = re.compile(
    r"(?<![\d.])(?P<y>\d{2})(?P<sep>[-/.])(?P<m>1[0-2]|0?[1-9])(?P=sep)(?P<d>3[01]|[12]\d|0?[1-9])(?![\d.])")
_SHORT_COMPACT_DATE_RE = re.compile(r"(?<![\d.])(?P<y>\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?![\d.])")
_COMPACT_DATE_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")
_MONTH_DAY_RE = re.compile(
    rf"(?:(?P<rel>下下个?月|下个?月|这个?月|本月|当月)|(?<![\d{_CN_SMALL}])(?P<m>{_NUM_SMALL})\s?月份?)"
    # 「这个月15还300」, 「12月20还」 with no 号 (found by a probe: no date, so no promise): before 还 / 扣 / 前 …
    rf"\s?(?P<d>{_NUM_SMALL})(?:\s?(?:日|号)|(?=\s?(?:还|扣|前|之前|以前|左右|那天|当天)))"
)
_DAY_RE = re.compile(rf"(?<![\d{_CN_SMALL}两第])(?P<d>\d{{1,2}}|[{_CN_SMALL}两]{{1,3}})\s?(?P<suf>号|日)")
_DAY_BAD_AFTER = re.compile(r"线|楼|院|房|床|窗|门|机|位|码|店|车|球|选手|元|块")
_DAY_DURATION_BEFORE = re.compile(r"(逾期|延期|宽限|晚|拖|推迟|超过|超|每)$")
_WEEKDAY_RE = re.compile(r"(?P<pre>下下个?|下个?|这个?|本|上个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天末1-7])")
_RELATIVE_RE = re.compile("|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True)))
#: a later day named before 马上 / 立刻: 「5号发工资 发了马上还」 is at once after that day, not today
_LATER_EVENT_BEFORE = re.compile(r"[\d一二三四五六七八九十]+[号日]|月底|月初|月中|下周|下个?月|工资|到账|发钱|回款")
#: 现在 / 马上 / 立刻 said of paying (「我现在能先还500」, found live: the 500 was put on the rest's day): today;
#: not 「我现在失业了」
_PAY_NOW = r"(?:还(?![不欠没在是有要得差剩显能会])|转|付|交|存)"  # 还 as "still" (现在还欠, 马上还显示) is no paying
_NOW_PAYING_RE = re.compile(
    # 现在 needs 就 / 能 / 先 / 手动 …: 「现在还显示逾期」 is "still"; found live: 「那我现在手动还2781.86」
    rf"(?P<w>现在)(?=(?:就|能|先|可以|去|手动|主动|自己|直接){{1,3}}{_PAY_NOW})"
    rf"|(?P<w2>马上|立刻|这会儿)(?=(?:就|能|先|可以|去|手动|主动|自己|直接){{0,3}}{_PAY_NOW})")  # not 立即: the App's button
_AFTER_N_RE = re.compile(
    r"(?:(?P<guo>过)\s?)?(?P<n>\d{1,3}|[一二两三四五六七八九十百]{1,4}|几)\s?"
    r"(?P<u>天|日|周|个星期|星期|个礼拜|礼拜|个月|年)(?P<post>之后|以后|后)?"  # 「逾期一天 以后…」: the space ends it
)
#: 「逾期三天后」, 「超过几天」: how long into the arrears, not a day counted from today
_AFTER_N_ARREARS_BEFORE = re.compile(r"(?:逾期|超过?)$")
#: a deadline as a span from today: 「三天内还」, 「一周之内还清」, 「半个月以内」, 「两三天内」 (the later of two),
#: 「这周内」, 「这个月内」: the last day it allows (a promise is by a day). Not after 逾期 / 超过 / 宽限: 「逾期三天内」 is
#: the grace period asked about, not a day to pay by
_WITHIN_RE = re.compile(
    r"(?:(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3}|半)\s?(?P<u>天|日|周|个星期|星期|个礼拜|礼拜|个月)"
    r"|(?P<this>这个?|本|当)(?P<tu>周|星期|个星期|礼拜|个礼拜|月|个月))\s?(?:之内|以内|内)"
)
_WITHIN_NOT_AFTER = re.compile(r"(?:逾期|超过?|宽限期?|晚|迟|延期|过期)\s?$")
_MONTH_PART_RE = re.compile(
    rf"(?:(?P<rel>下下个?|下个?|这个?|本|当)|(?<![\d{_CN_SMALL}])(?P<m>{_NUM_SMALL}))?(?<![腊冬正])月"
    r"(?P<w>底|末|初(?![一二三四五六七八九十])|中)"  # not 腊月初八 (found live: 「月初」, today)
)
#: a day of the lunar calendar: 「腊月初八」, 「正月十五」, 「农历十一月二十」, 「冬月初十」 (resolved by jionlp)
_LUNAR_DATE_RE = re.compile(
    r"(?:农历|阴历)?(?P<m>正|腊|冬|[一二三四五六七八九]|十[一二]?)月"
    r"(?P<d>初[一二三四五六七八九十]|十[一二三四五六七八九]?|二十[一二三四五六七八九]?|廿[一二三四五六七八九]?|三十)"
)
_YEAR_END_RE = re.compile(r"(?P<pre>今|这|本)?年(?:底|末)")
_PAYDAY_RE = re.compile(
    r"(?<![没未不])(?:发工资|发薪水|发薪日|发薪|工资到账|工资下来|工资发下来|发了工资|工资发了)"
    r"(?:那天|那一天|的时候|那时候|以后|之后|后)?"
)

#: 「12.15还」, 「12.15号前」, 「12-20还」: month.day, when what follows says it is a day (else 12.15 may be yuan)
_DOT_MONTH_DAY_RE = re.compile(
    r"(?<![\d./-])(?P<m>1[0-2]|0?[1-9])[./-](?P<d>3[01]|[12]\d|0?[1-9])(?![\d./-])"
    r"(?=\s?(?:号|日|还|前|之前|以前|那天|当天|左右))")  # 「12-20还5000」, 「12/20还」 too (found live: no date)
#: holidays on a fixed day of the Gregorian year
_FIXED_HOLIDAYS = {"元旦": (1, 1), "情人节": (2, 14), "劳动节": (5, 1), "五一": (5, 1), "国庆节": (10, 1), "国庆": (10, 1),
                   "双十一": (11, 11), "双11": (11, 11), "双十二": (12, 12), "双12": (12, 12), "平安夜": (12, 24),
                   "圣诞节": (12, 25), "圣诞": (12, 25)}
#: holidays of the lunar calendar: the name jionlp knows, and days from it (除夕 is the day before 春节)
_LUNAR_HOLIDAYS = {"春节": ("春节", 0), "过年": ("春节", 0), "大年初一": ("春节", 0), "除夕": ("春节", -1),
                   "元宵节": ("元宵节", 0), "元宵": ("元宵节", 0), "清明节": ("清明节", 0), "清明": ("清明节", 0),
                   "端午节": ("端午节", 0), "端午": ("端午节", 0), "七夕": ("七夕", 0), "中秋节": ("中秋节", 0),
                   "中秋": ("中秋节", 0), "重阳节": ("重阳节", 0)}
_AFTER_HOLIDAY_BEFORE = re.compile(r"(过了|过完|等)$")
_AFTER_HOLIDAY_AFTER = re.compile(r"\s?(期间|假期|回来|之后|以后|过后|后|完|放假)")
_HOLIDAY_RE = re.compile("|".join(sorted({**_FIXED_HOLIDAYS, **_LUNAR_HOLIDAYS}, key=len, reverse=True)))


def _jionlp():
    """jionlp, loaded on first use (it prints a banner on import)."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    return jionlp


def _gregorian(said: str, base: dt.datetime) -> dt.date:
    """The first day jionlp reads ``said`` as, from ``base``; raises when it cannot place it."""
    return dt.date.fromisoformat(_jionlp().parse_time(said, time_base=base.timestamp())["time"][0][:10])


@functools.lru_cache(maxsize=64)
def _lunar_holiday(name: str, year: int) -> Optional[dt.date]:
    """The Gregorian date of a lunar holiday in ``year``, by jionlp; None if unknown."""
    try:
        return _gregorian(f"{year}年{name}", dt.datetime(year, 1, 1))
    except Exception:  # jionlp cannot place it: the text is kept
        logger.warning("could not place the holiday %s of %s", name, year)
        return None


def _lunar_date_resolver(said: str) -> Resolver:
    """The next Gregorian date, on or after today, of a lunar day (「正月十五」 said in December is next
    year's), by jionlp; unplaced, the text is kept."""
    def resolve(today: dt.date) -> Optional[Tuple[str, Value]]:
        for base in (dt.datetime(today.year, today.month, today.day), dt.datetime(today.year + 1, 1, 1)):
            try:
                value = _gregorian(said, base)
            except Exception:  # jionlp cannot place it: the text is kept
                logger.warning("could not place the lunar date %s", said)
                return "date", said
            if value >= today:
                return "date", _iso(value)
        return "date", said

    return resolve


def _holiday_resolver(word: str, before: bool = False) -> Resolver:
    """The holiday's next date on or after today (元旦 said in December is next year's); ``before``
    (「元旦前还」): the day before it (found live: 2027-01-01, a day past the promise limit, was refused)."""
    def resolve(today: dt.date) -> Optional[Tuple[str, Value]]:
        for year in (today.year, today.year + 1):
            if word in _FIXED_HOLIDAYS:
                value: Optional[dt.date] = dt.date(year, *_FIXED_HOLIDAYS[word])
            else:
                name, shift = _LUNAR_HOLIDAYS[word]
                found = _lunar_holiday(name, year)
                value = found + dt.timedelta(days=shift) if found else None
            if value is not None and before:
                value -= dt.timedelta(days=1)
            if value is not None and value >= today:
                return "date", _iso(value)
        return "date", word

    return resolve



def _date_candidates(text: str) -> Iterable[Candidate]:
    for rx in (_FULL_DATE_RE, _ISO_DATE_RE, _SHORT_YEAR_DATE_RE, _COMPACT_DATE_RE):
        for m in rx.finditer(text):
            if rx is _COMPACT_DATE_RE and _safe_date(int(m["y"]), int(m["m"]), int(m["d"])) is None:
                continue
            yield Candidate(m.start(), m.end(), TIER_FULL_DATE,
                            _full_date_resolver(text, m.start(), m.end(), m["y"], m["m"], m["d"]))
    for m in _SHORT_COMPACT_DATE_RE.finditer(text):
        full = _full_date_resolver(text, m.start(), m.end(), m["y"], m["m"], m["d"])
        yield Candidate(m.start(), m.end(), TIER_FULL_DATE,
                        lambda today, m=m, full=full: full(today) if _short_compact_birth(text, m, today) else None)

    for m in _MONTH_DAY_RE.finditer(text):
        raw = m.group(0)
        rel, month_s, day_s = m["rel"], m["m"], m["d"]
        if _birth_context(text, m.start()):
            yield Candidate(m.start(), m.end(), TIER_DATE, _fixed("birth_date", raw))
            continue

        def resolve(today: dt.date, rel=rel, month_s=month_s, day_s=day_s, raw=raw):
            day = _small_int(day_s)
            if rel:
                shift = 2 if rel.startswith("下下") else 1 if rel.startswith("下") else 0
                y, mo = _add_months(today.year, today.month, shift)
                value = _safe_date(y, mo, day) if day is not None else None
            else:
                month = _small_int(month_s)
                value = None
                if month is not None and day is not None:
                    value = _safe_date(today.year, month, day)
                    if value is not None and value < today:
                        value = _safe_date(today.year + 1, month, day)
            return "date", (_iso(value) if value else raw)

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve)

    for m in _DAY_RE.finditer(text):
        after = text[m.end():m.end() + 2]
        if _DAY_BAD_AFTER.match(after):
            continue
        if m["suf"] == "日" and (after.startswith(("内", "之内", "以内")) or _DAY_DURATION_BEFORE.search(text, 0, m.start())):
            continue
        day = _small_int(m["d"])
        if day is None or not 1 <= day <= 31:
            continue
        raw = m.group(0)

        def resolve_day(today: dt.date, day=day, raw=raw):
            value = _next_day_of_month(today, day)
            return "date", (_iso(value) if value else raw)

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve_day)

    for m in _WEEKDAY_RE.finditer(text):
        pre, wd_s = m["pre"] or "", m["wd"]
        before = text[m.start() - 1:m.start()] if m.start() else ""
        if not pre and before and (before.isdigit() or before in _CN_SMALL + "两几每"):
            continue  # 一周 / 两周 / 每周一: a duration or a recurrence, not a day
        if wd_s == "一" and text.startswith("次", m.end()):
            continue  # 「下周一次性还完」: 下周 and 一次性 (all at once), not 下周一

        def resolve(today: dt.date, pre=pre, wd_s=wd_s):
            wd = _WEEKDAYS[wd_s]
            monday = today - dt.timedelta(days=today.weekday())
            if pre.startswith("下下"):
                return "date", _iso(monday + dt.timedelta(days=14 + wd))
            if pre.startswith("下"):
                return "date", _iso(monday + dt.timedelta(days=7 + wd))
            if pre.startswith("上"):
                return "date", _iso(monday + dt.timedelta(days=-7 + wd))
            if pre:  # 这 / 这个 / 本
                return "date", _iso(monday + dt.timedelta(days=wd))
            if wd_s == "末" and today.weekday() >= 5:
                return "date", _iso(today)
            return "date", _iso(today + dt.timedelta(days=(wd - today.weekday()) % 7))

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve)

    for m in _RELATIVE_RE.finditer(text):
        delta = _RELATIVE_DAYS[m.group(0)]
        yield Candidate(m.start(), m.end(), TIER_DATE,
                        lambda today, delta=delta: ("date", _iso(today + dt.timedelta(days=delta))))
    for m in _NOW_PAYING_RE.finditer(text):  # 「我现在能先还500」: today, when paying follows
        if m["w2"] and _LATER_EVENT_BEFORE.search(text, 0, m.start()):
            continue  # 「5号发工资 发了马上还」: at once after that day, not today
        yield Candidate(m.start(), m.end(), TIER_DATE, lambda today: ("date", _iso(today)))

    for m in _AFTER_N_RE.finditer(text):
        if not (m["guo"] or m["post"]):
            continue  # 三天 alone is a duration, not a date
        if m["u"] in ("个月", "年") and not m["post"]:
            continue  # 过三个月 / 过一年: too vague without 后
        before = text[m.start() - 1:m.start()] if m.start() else ""
        if before.isdigit() or _AFTER_N_ARREARS_BEFORE.search(text, max(0, m.start() - 2), m.start()):
            continue
        raw, n_s, unit = m.group(0), m["n"], m["u"]

        def resolve(today: dt.date, raw=raw, n_s=n_s, unit=unit):
            n = _small_int(n_s)
            if n is None or n > 3660:
                return "date", raw
            if unit in ("个月", "年"):
                y, mo = _add_months(today.year, today.month, n * (12 if unit == "年" else 1))
                return "date", _iso(min(_safe_date(y, mo, today.day) or _last_day(y, mo), _last_day(y, mo)))
            days = n * (7 if unit in ("周", "个星期", "星期", "个礼拜", "礼拜") else 1)
            return "date", _iso(today + dt.timedelta(days=days))

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve)

    for m in _WITHIN_RE.finditer(text):
        if _WITHIN_NOT_AFTER.search(text, max(0, m.start() - 4), m.start()):
            continue
        n_s, unit, this_unit = m["n"], m["u"], m["tu"]

        def resolve_within(today: dt.date, n_s=n_s, unit=unit, this_unit=this_unit, raw=m.group(0)):
            if this_unit:  # 这周内: by Sunday; 这个月内: by the month's last day
                if "月" in this_unit:
                    return "date", _iso(_last_day(today.year, today.month))
                return "date", _iso(today + dt.timedelta(days=6 - today.weekday()))
            if n_s == "半":
                n = 15 if unit == "个月" else None
                unit = "天"
            else:
                n = _small_int(n_s)
                if n is None and len(n_s) == 2 and all(ch in _CN_SMALL for ch in n_s):
                    n = _small_int(n_s[1])  # 两三天内: by the third day
            if n is None or n > 366:
                return "date", raw
            days = {"天": 1, "日": 1, "个月": 30}.get(unit, 7)  # 一个月内: 30 days, as it is said
            return "date", _iso(today + dt.timedelta(days=n * days))

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve_within)

    for m in _MONTH_PART_RE.finditer(text):
        rel, month_s, which = m["rel"] or "", m["m"], m["w"]
        raw = m.group(0)

        def resolve(today: dt.date, rel=rel, month_s=month_s, which=which, raw=raw):
            if month_s:
                month = _small_int(month_s)
                if month is None or not 1 <= month <= 12:
                    return "date", raw
                year = today.year
                end_of = _last_day(year, month)
                if end_of < today:
                    year += 1
                target_y, target_m = year, month
            else:
                shift = 2 if rel.startswith("下下") else 1 if rel.startswith("下") else 0
                target_y, target_m = _add_months(today.year, today.month, shift)
            if which in ("底", "末"):
                return "date", _iso(_last_day(target_y, target_m))
            day = 1 if which == "初" else 15
            value = dt.date(target_y, target_m, day)
            if not rel and not month_s and value < today:  # bare 月初 / 月中: next occurrence
                y, mo = _add_months(target_y, target_m, 1)
                value = dt.date(y, mo, day)
            return "date", _iso(value)

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve)

    for m in _YEAR_END_RE.finditer(text):
        before = text[m.start() - 1:m.start()] if m.start() else ""
        if not m["pre"] and before and (before.isdigit() or before in "零〇一二三四五六七八九十明去前后"):
            continue
        yield Candidate(m.start(), m.end(), TIER_DATE, lambda today: ("date", _iso(dt.date(today.year, 12, 31))))

    for m in _PAYDAY_RE.finditer(text):
        yield Candidate(m.start(), m.end(), TIER_DATE, _fixed("date", m.group(0)))

    for m in _LUNAR_DATE_RE.finditer(text):  # 「腊月初八还5000」
        lunar = m.group(0)
        if not (lunar.startswith(("农历", "阴历")) or m["m"] in "正腊冬" or m["d"].startswith(("初", "廿"))):
            continue  # 「十二月十五」 is the Gregorian calendar's (the full-date rules read it)
        yield Candidate(m.start(), m.end(), TIER_DATE, _lunar_date_resolver(lunar))

    for m in _HOLIDAY_RE.finditer(text):  # 「元旦前还」, 「双十二那天」
        if m.group(0) == "五一" and (text[m.start() - 1:m.start()] in _CN_SMALL + "零" and m.start()
                                   or text[m.end():m.end() + 1] in _CN_SMALL + "零" and text[m.end():m.end() + 1]):
            continue  # 五一二三: digits, not May Day
        if (_AFTER_HOLIDAY_BEFORE.search(text, max(0, m.start() - 2), m.start())
                or _AFTER_HOLIDAY_AFTER.match(text, m.end())):
            continue  # 过了国庆就还, 等过年回来, 春节期间: after or during it, not a day to pay by
        before = re.match(r"\s?(之前|以前|前)", text[m.end():]) is not None
        yield Candidate(m.start(), m.end(), TIER_DATE, _holiday_resolver(m.group(0), before))

    for m in _DOT_MONTH_DAY_RE.finditer(text):
        month, day, raw = int(m["m"]), int(m["d"]), m.group(0)

        def resolve_dot(today: dt.date, month=month, day=day, raw=raw):
            value = _safe_date(today.year, month, day)
            if value is not None and value < today:
                value = _safe_date(today.year + 1, month, day)
            return "date", (_iso(value) if value else raw)

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve_dot)

    yield from _english_date_candidates(text)


#: English, as some borrowers type a day (found live: 「can i pay 1000 on friday」 gave no date and was
#: read as identity): today / tomorrow / the day after tomorrow, (next / this) friday, the 15th, end of
#: the month, in 3 days
_EN_RELATIVE_RE = re.compile(r"\b(?P<w>the day after tomorrow|today|tonight|tomorrow|tmr|tmrw)\b", re.I)
_EN_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_EN_WEEKDAY_RE = re.compile(
    r"\b(?:(?P<pre>next|this)\s+)?(?P<wd>mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|s)?\b", re.I)
_EN_ORDINAL_DAY_RE = re.compile(r"\b(?:the\s+)?(?P<d>[1-9]|[12]\d|3[01])(?:st|nd|rd|th)\b", re.I)
_EN_MONTH_END_RE = re.compile(r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month\b", re.I)
_EN_IN_DAYS_RE = re.compile(r"\bin\s+(?P<n>\d{1,2})\s+days?\b", re.I)


def _english_date_candidates(text: str) -> Iterable[Candidate]:
    for m in _EN_RELATIVE_RE.finditer(text):
        delta = 2 if m["w"].lower().startswith("the day after") else 0 if m["w"].lower() in ("today", "tonight") else 1
        yield Candidate(m.start(), m.end(), TIER_DATE,
                        lambda today, delta=delta: ("date", _iso(today + dt.timedelta(days=delta))))
    for m in _EN_WEEKDAY_RE.finditer(text):
        wd, nxt = _EN_WEEKDAYS[m["wd"].lower()], (m["pre"] or "").lower() == "next"

        def resolve(today: dt.date, wd=wd, nxt=nxt):
            if nxt:  # as 下周五: the week after this one
                return "date", _iso(today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 + wd))
            return "date", _iso(today + dt.timedelta(days=(wd - today.weekday()) % 7))

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve)
    for m in _EN_ORDINAL_DAY_RE.finditer(text):  # 「the 15th」: the next 15th, as 15号
        day, raw = int(m["d"]), m.group(0)

        def resolve_day(today: dt.date, day=day, raw=raw):
            value = _next_day_of_month(today, day)
            return "date", (_iso(value) if value else raw)

        yield Candidate(m.start(), m.end(), TIER_DATE, resolve_day)
    for m in _EN_MONTH_END_RE.finditer(text):
        yield Candidate(m.start(), m.end(), TIER_DATE, lambda today: ("date", _iso(_last_day(today.year, today.month))))
    for m in _EN_IN_DAYS_RE.finditer(text):
        n = int(m["n"])
        yield Candidate(m.start(), m.end(), TIER_DATE, lambda today, n=n: ("date", _iso(today + dt.timedelta(days=n))))


# --------------------------------------------------------------------------------------------
# Installment count
# --------------------------------------------------------------------------------------------
_COUNT = r"(?:\d{1,3}|[零一二两三四五六七八九十百]{1,4})"
_NOT_BEFORE_COUNT = "\\d零一二两三四五六七八九十百第这那上下本哪每近"
_INSTALLMENT_PERIOD_RE = re.compile(
    rf"(?P<fen>分\s?)?(?<![{_NOT_BEFORE_COUNT}])(?P<n>{_COUNT})\s?期(?!间|限|待|望|货|刊|末|中|初|满)"
)
_EN_COUNT_RE = re.compile(
    r"(?:\b(?P<n>\d{1,3})\s?(?:installments?|periods?|terms?)\b"
    r"|\b(?:into|over)\s(?P<n2>\d{1,3})\s?months?\b"
    r"|\b(?P<n3>\d{1,3})\s?-?\s?months?\s(?:plan|installments?|term)\b)", re.I)
#: 「那6期呢」 (what about 6?) beside 「那3期没还」 (those 3 installments, not a count asked for)
_THEN_PERIOD_RE = re.compile(
    rf"(?<=那)(?P<n>{_COUNT})\s?期(?=\s?(?:呢|吧|的话|怎么样|如何|行|可以|能|每|一个月|一月|多少|要|是|的(?:利息|月供|方案|总|每|手续费)))"
)
_INSTALLMENT_MONTHS_RE = re.compile(rf"(?P<fen>分\s?)?(?<![{_NOT_BEFORE_COUNT}])(?P<n>{_COUNT})\s?个\s?月")
_INSTALLMENT_YEARS_RE = re.compile(
    r"(?P<fen>分\s?)?(?:(?<![\d零〇一二两三四五六七八九十百上下前去今明后第])(?P<n>[一两二三四五1-5])\s?年(?P<half>半)?"
    r"|(?<![上下前后])(?P<halfyear>半年))"
)
_DURATION_BEFORE = re.compile(r"逾期|拖|欠|晚|延|已经|过去|最近|快|都|了")
_DURATION_AFTER = re.compile(r"之后|以后|之前|以前|以内|之内|左右|后|前|了|内|没|都|多")
_YEAR_BAD_AFTER = re.compile(r"\d|月|级|底|末|初|龄|代|纪|度|利率|化")


def _duration_before(text: str, start: int) -> bool:
    """A word of time gone by (逾期, 拖, 了, …) in the four characters before ``start``, within its clause:
    「太长了 24期吧」 (found live: its 24 was not read, so 「确认」 accepted the 60 months read back before)."""
    window = re.split(r"[\s,，。.!！?？;；、]", text[max(0, start - 4):start])[-1]
    # 「算了还是12期吧」: a change of mind, not time gone by (found by a probe: its 12 was not read)
    window = re.sub(r"算了|好了|行了", "", window)
    return _DURATION_BEFORE.search(window) is not None


def _count_context_ok(text: str, start: int, end: int, has_fen: bool) -> bool:
    if has_fen:
        return True
    if _duration_before(text, start):
        return False
    return not _DURATION_AFTER.match(text, end)


def _installment_candidates(text: str) -> Iterable[Candidate]:
    for m in _INSTALLMENT_PERIOD_RE.finditer(text):
        n = _small_int(m["n"])
        if n is None or (not m["fen"] and n < 2):
            continue
        if not m["fen"] and _duration_before(text, m.start("n")):
            continue
        yield Candidate(m.start("n"), m.end(), TIER_INSTALLMENT, _fixed("installment_count", n))
    for m in _EN_COUNT_RE.finditer(text):  # 「12 installments」, 「split into 12 months」, 「a 24-month plan」
        group = next(g for g in ("n", "n2", "n3") if m[g])
        n = int(m[group])
        if 2 <= n <= 120:
            yield Candidate(m.start(group), m.end(), TIER_INSTALLMENT, _fixed("installment_count", n))
    for m in _THEN_PERIOD_RE.finditer(text):
        n = _small_int(m["n"])
        if n is not None and n >= 2:
            yield Candidate(m.start("n"), m.end(), TIER_INSTALLMENT, _fixed("installment_count", n))
    for m in _INSTALLMENT_MONTHS_RE.finditer(text):
        n = _small_int(m["n"])
        if n is None or not 2 <= n <= 120:
            continue
        if not _count_context_ok(text, m.start("n"), m.end(), bool(m["fen"])):
            continue
        yield Candidate(m.start("n"), m.end(), TIER_INSTALLMENT, _fixed("installment_count", n))
    for m in _INSTALLMENT_YEARS_RE.finditer(text):
        start = m.start("n") if m["n"] else m.start("halfyear")
        if _YEAR_BAD_AFTER.match(text, m.end()):
            continue
        if not _count_context_ok(text, start, m.end(), bool(m["fen"])):
            continue
        if m["halfyear"]:
            n = 6
        else:
            years = _small_int(m["n"])
            if years is None:
                continue
            n = years * 12 + (6 if m["half"] else 0)
        yield Candidate(start, m.end(), TIER_INSTALLMENT, _fixed("installment_count", n))


# --------------------------------------------------------------------------------------------
# ID / phone tails
# --------------------------------------------------------------------------------------------
#: a tail said in Chinese digits, one character a digit: 「后四位三五一二」, 「尾号幺零零幺」 (found live: it looped on
#: 「请告诉我您身份证号码的后四位」)
_CN_TAIL_DIGITS = "零〇一二两三四五六七八九幺"
_CN_TAIL = rf"[{_CN_TAIL_DIGITS}]{{3}}[{_CN_TAIL_DIGITS}Xx](?![{_CN_TAIL_DIGITS}十百千万])"


def _tail_value(said: str) -> str:
    """「三五一二」 -> 3512, 「771x」 -> 771X."""
    return said.translate(_CN_DIGITS).upper()


_TAIL_RE = re.compile(
    r"(?P<kw>尾号|尾数|后四位|后4位|末四位|末4位|最后四位|最后4位|后四|身份证号码|身份证号|身份证)"
    rf"\s?(?:是|为|:)?\s?(?P<v>\d{{3}}[\dXx](?![\dA-Za-z])|{_CN_TAIL})"
)
_TAIL_CLASS_RE = re.compile(r"身份证|证件|手机|电话|号码|联系方式|卡")
#: 「手机2002」, 「手机号是2002」: four digits straight after the phone word (a whole number has 11)
_PHONE_WORD_TAIL_RE = re.compile(
    r"(?:手机号码|手机号|手机|电话号码|联系电话|电话)\s?(?:是|为|:)?\s?"
    rf"(?P<v>\d{{4}}(?![\dA-Za-z年元块月号日])|{_CN_TAIL})"
)


_MOBILE_RE = re.compile(r"(?<![\dA-Za-z])1[3-9]\d{5}(?P<v>\d{4})(?![\dA-Za-z])")
_ID_NUMBER_RE = re.compile(
    r"(?<![\dA-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?P<v>\d{3}[\dXx])(?![\dA-Za-z])"
)


#: 「771X」 anywhere: three digits and an X are only ever an ID number's tail
_X_TAIL_RE = re.compile(r"(?<![\dA-Za-z])(?P<v>\d{3}[Xx])(?![\dA-Za-z])")
#: a bare four-digit number that is no amount, date or count (the suffix and verb checks are the amounts')
_BARE_FOUR_RE = re.compile(r"(?<![\d.,A-Za-z/:：-])(?P<v>\d{4})(?![\d.,A-Za-z%/:：-])")
_MONEY_AFTER = re.compile(r"\s?(?:块|元|圆|万|千|k|K|w|W|rmb|人民币)")


def _birth_date_spans(text: str) -> List[Tuple[int, int]]:
    """Spans of the full dates in ``text`` that are birth dates, by the same rule as their resolver
    (``_full_date_resolver``): a birth word before them, or a borrower's birth year (「1988.3.12」,
    「88年3月12号」). Candidates are found before any date is resolved, so the bot's clock says the year."""
    from bot.clock import today as clock_today

    today = clock_today()
    spans = []
    for regex in (_FULL_DATE_RE, _ISO_DATE_RE, _SHORT_YEAR_DATE_RE, _COMPACT_DATE_RE):
        for m in regex.finditer(text):
            year = _full_year(m["y"], today)
            if _birth_context(text, m.start()) or (year is not None and _birth_year(year, today)):
                spans.append((m.start(), m.end()))
    spans += [(m.start(), m.end()) for m in _SHORT_COMPACT_DATE_RE.finditer(text) if _short_compact_birth(text, m, today)]
    return spans


#: a message of two four-character groups and nothing else (「9150 6006」, 「0426，2002」): the ID tail and the
#: phone tail, in the order the bot asks for them (found live: 「9150 6006」 was two amounts, read as goodbye)
TAIL_PAIR_ALONE = re.compile(r"^\s*(?P<id>\d{3}[\dXx])\s*(?:[,，、/;；]|和|\s)\s*(?P<phone>\d{4})\s*$")


def _tail_candidates(text: str, name_starts: frozenset = frozenset()) -> Iterable[Candidate]:
    """ID and phone tails. ``name_starts``: where the names the writer gives start (「我是张伟 3512」)."""
    pair = TAIL_PAIR_ALONE.match(text)
    if pair:
        yield Candidate(pair.start("id"), pair.end("id"), TIER_TAIL, _fixed("id_last4", pair["id"].upper()))
        yield Candidate(pair.start("phone"), pair.end("phone"), TIER_TAIL, _fixed("phone_last4", pair["phone"]))
        return
    marked = list(_marked_tail_candidates(text))
    swapped = _bare_then_plain_tail(text, marked)
    if swapped:
        yield from swapped
        return
    yield from marked
    for m in _X_TAIL_RE.finditer(text):
        yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("id_last4", m["v"].upper()))
    # 「王强 3512 手机1001」: beside a marked phone tail, a bare four-digit number is the ID tail (and
    # beside a marked ID tail, the phone tail). 「张伟 3512 1988.3.12」: beside a birth date or a name
    # given, with no tail marked, it is the ID tail, the factor asked first. Alone, 3512 could be
    # either, or an amount, and stays so.
    kinds = {c.resolve(dt.date.min)[0] for c in marked} | ({"id_last4"} if _X_TAIL_RE.search(text) else set())
    births = _birth_date_spans(text)
    if len(kinds) == 1:
        other = "id_last4" if kinds == {"phone_last4"} else "phone_last4"
    elif not kinds and (births or name_starts):
        other = "id_last4"
    else:
        return
    taken = [(c.start, c.end) for c in marked] + births
    bare = []
    for m in _BARE_FOUR_RE.finditer(text):
        start, end = m.start("v"), m.end("v")
        if any(start < e and s < end for s, e in taken):
            continue
        suffix = _NON_MONEY_SUFFIX.match(text, end)
        if suffix and suffix.end() - 1 in name_starts:
            suffix = None  # 「3512 张伟」: a name, not 张 the measure word
        if (suffix or _MONEY_AFTER.match(text, end)
                or _MONEY_VERB_BEFORE.search(text[max(0, start - 6):start])
                or _IDENTIFIER_BEFORE.search(text[max(0, start - 6):start])):
            continue
        bare.append(Candidate(start, end, TIER_TAIL, _fixed(other, m["v"])))
    if kinds or len(bare) == 1:  # two bare numbers beside only a birth date: which is which is a guess
        yield from bare
    elif len(bare) == 2 and name_starts and not births and text[bare[1].start:bare[1].end].isdigit():
        # 「刘洋 2048 4004」 (found live: two amounts): a name, then the two tails in the order the bot asks
        # for them, the ID tail first
        yield bare[0]
        second = bare[1]
        yield Candidate(second.start, second.end, TIER_TAIL, _fixed("phone_last4", text[second.start:second.end]))


_PLAIN_TAIL_BEFORE = re.compile(r"尾号\s?[:：]?\s?$")
_TAIL_KIND_WORDS = re.compile(r"身份证|证件|手机|电话|号码|卡")


def _bare_then_plain_tail(text: str, marked: List[Candidate]) -> List[Candidate]:
    """「陈静 6603 尾号5005」: a bare four-digit number, then a 尾号 that says not whose: the bare one answers
    the first question asked (the ID tail) and 尾号 is the phone's, as people say it (found by a probe: read
    the other way round, the true borrower failed verification). [] when the text is not of that form."""
    if (len(marked) == 2 and all(c.resolve(dt.date.min)[0] == "id_last4" for c in marked)
            and text[marked[1].start:marked[1].end].isdigit()
            and _PLAIN_TAIL_BEFORE.search(text[max(0, marked[1].start - 4):marked[1].start])):
        # 「身份证6603 尾号5005」: the ID tail is given in so many words, so the plain 尾号 is the phone's
        later = marked[1]
        return [marked[0], Candidate(later.start, later.end, TIER_TAIL,
                                     _fixed("phone_last4", text[later.start:later.end]))]
    if len(marked) != 1 or _TAIL_KIND_WORDS.search(text):
        return []
    tail = marked[0]
    said = text[tail.start:tail.end]
    if not said.isdigit() or not _PLAIN_TAIL_BEFORE.search(text[max(0, tail.start - 4):tail.start]):
        return []
    bare = [m for m in _BARE_FOUR_RE.finditer(text, 0, tail.start)
            if not (_MONEY_AFTER.match(text, m.end("v")) or _NON_MONEY_SUFFIX.match(text, m.end("v"))
                    or _MONEY_VERB_BEFORE.search(text[max(0, m.start("v") - 6):m.start("v")]))]
    if len(bare) != 1:
        return []
    first = bare[0]
    return [Candidate(first.start("v"), first.end("v"), TIER_TAIL, _fixed("id_last4", first["v"])),
            Candidate(tail.start, tail.end, TIER_TAIL, _fixed("phone_last4", said))]


#: English, as some borrowers type it: 「my id last 4 is 0426」, 「phone ending in 1001」, 「last four of ID: 771X」
_EN_TAIL_RE = re.compile(
    r"\b(?:last\s?(?:4|four)|ending|ends|tail)\b(?P<gap>[^\d]{0,24}?)(?P<v>\d{3}[\dXx])(?![\dA-Za-z])", re.I)
_EN_WORD_TAIL_RE = re.compile(
    r"\b(?P<kw>id|identity(?:\s?card)?|ic|phone|mobile|cell)\b(?:\s?(?:number|no\.?|is|:|：|#))*\s?"
    r"(?P<v>\d{3}[\dXx])(?![\dA-Za-z])", re.I)
_EN_PHONE_RE = re.compile(r"\b(?:phone|mobile|cell|tel)", re.I)
_EN_ID_RE = re.compile(r"\b(?:id|identity|ic)\b", re.I)


def _english_tail_candidates(text: str) -> Iterable[Candidate]:
    for m in _EN_WORD_TAIL_RE.finditer(text):  # 「id 3512」, 「phone: 1001」
        if _EN_PHONE_RE.match(m["kw"]):
            if m["v"].isdigit():
                yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("phone_last4", m["v"]))
        else:
            yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("id_last4", m["v"].upper()))
    for m in _EN_TAIL_RE.finditer(text):
        window = text[max(0, m.start() - 20):m.start()] + m["gap"]
        phone, id_word = _EN_PHONE_RE.search(window), _EN_ID_RE.search(window)
        if phone and not (id_word and id_word.start() > phone.start()):
            if m["v"].isdigit():
                yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("phone_last4", m["v"]))
        elif not re.search(r"\bcard\b", window, re.I):  # a bank card's tail is neither
            yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("id_last4", m["v"].upper()))


def _marked_tail_candidates(text: str) -> Iterable[Candidate]:
    yield from _english_tail_candidates(text)
    # a full mobile number or ID number given in one go: the last four digits are the entity
    for m in _MOBILE_RE.finditer(text):
        yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("phone_last4", m["v"]))
    for m in _ID_NUMBER_RE.finditer(text):
        yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("id_last4", m["v"].upper()))
    for m in _PHONE_WORD_TAIL_RE.finditer(text):
        if _tail_value(m["v"]).isdigit():
            yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("phone_last4", _tail_value(m["v"])))
    for m in _TAIL_RE.finditer(text):
        kw = m["kw"]
        value = _tail_value(m["v"])
        if kw.startswith("身份证"):
            kind = "id"
        else:
            window = text[max(0, m.start() - 10):m.start()]
            kinds = [k.group(0) for k in _TAIL_CLASS_RE.finditer(window)]
            nearest = kinds[-1] if kinds else ""
            if nearest in ("手机", "电话", "联系方式"):
                kind = "phone"
            elif nearest == "号码":
                kind = "id" if "身份证" in window[-8:] else "phone"
            elif nearest == "卡":
                continue  # a bank card tail is neither an ID nor a phone tail
            else:
                kind = "id"
        if kind == "phone":
            if not value.isdigit():
                continue
            yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("phone_last4", value))
        else:
            yield Candidate(m.start("v"), m.end("v"), TIER_TAIL, _fixed("id_last4", value))


# --------------------------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------------------------
_AMOUNT_RE = re.compile(
    rf"(?<![\d.,A-Za-z{CN_ALL}几])"  # 几十块: some tens, no amount
    r"(?:(?P<cur>[¥$])\s?)?"
    r"(?:(?P<ar>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?:\s?(?P<mag>[kKwW百千万])(?![A-Za-z])(?P<rest>[\d零〇一二两三四五六七八九十百千万]*))?"
    rf"|(?P<cn>[{CN_START}][{CN_ALL}]*))"
    r"(?P<duo>多)?"
    r"(?P<unit>\s?(?:块钱|块|元|圆|rmb|人民币))?",
    re.I,
)
_AMOUNT_WORD_RE = re.compile(r"一半|全部|全额|全款|全还|还清|一次性?(?:还完|付清|结清|还掉)")
_MAX_AMOUNT = Decimal("1000000000000")  # 1e12 yuan: anything bigger is not a repayment amount
_MAGNITUDE = {"k": 1000, "百": 100, "千": 1000, "w": 10000, "万": 10000}
#: jiao and fen after 块 / 元 (found by a probe: 「三百八十七块八毛四」 was 387.00, 「一百二十块五」 120.00 and a
#: promise was recorded for them): 八毛四 = 0.84, 五毛 = 0.50, a lone 五 right after 块 = 0.50, 5角3分 = 0.53
_CHANGE_DIGIT = "0-9零〇一二两三四五六七八九"
_CHANGE_RE = re.compile(rf"(?P<jiao>[{_CHANGE_DIGIT}])(?P<mao>毛钱?|角)?(?:(?P<fen>[{_CHANGE_DIGIT}])(?P<fen_unit>分)?)?")
_CHANGE_VALUE = {**{str(i): i for i in range(10)}, "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                 "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _change_after(text: str, end: int) -> Optional[Tuple[Decimal, int]]:
    """(jiao and fen, where they end) right after 块 / 元 at ``end``, or None: 「块八毛四」, 「块五」, 「元5角3分」.
    Not a day or a month (「三千块5号还」, 「三千块五月还」) nor a longer number."""
    m = _CHANGE_RE.match(text, end)
    if m is None:
        return None
    jiao, fen = _CHANGE_VALUE[m["jiao"]], _CHANGE_VALUE.get(m["fen"] or "", 0)
    stop = m.end()
    if m["fen"] and not m["mao"]:  # 块五六: no reading
        return None
    if _NON_MONEY_SUFFIX.match(text, stop) or re.match(rf"[{_CHANGE_DIGIT}十百千万]", text[stop:stop + 1]):
        return None
    return Decimal(jiao) / 10 + Decimal(fen) / 100, stop
_NON_MONEY_SUFFIX = re.compile(
    r"\s?(?:号|日|天|月|年|期|个|点|岁|次|%|位|分钟|小时|周|星期|礼拜|倍|条|张|笔|家|人|楼|层|级|度|"
    r"克|斤|公里|米|遍|声|秒|G|g|岁|成|折|届|名|套|本|件|集|章|页|栋|户|号码)"
)
_MONEY_VERB_BEFORE = re.compile(r"(还|付|转|交|存|打|欠|差|凑|剩|给|拿|先还|只能还|能还|还款|还了|转了|付了)\s?$")
_IDENTIFIER_BEFORE = re.compile(
    r"(尾号|尾数|后四位|后4位|末四位|末4位|最后四位|最后4位|后四|卡号|账号|帐号|编号|单号|号码|手机号|手机|电话|"
    r"身份证号?|验证码|密码|工号|qq|微信|号)\s?(是|为|:)?\s?$",
    re.I,
)
_EN_IDENTIFIER_BEFORE = re.compile(
    r"\b(?:ending|ends|last\s?(?:4|four)(?:\s?digits)?|tail|card|number|no\.?|id|phone|mobile|code|pin)"
    r"(?:\s?(?:in|with|of|is|are|was))*\s?[:：]?\s?$", re.I)
_HOTLINES = {"12378", "12363", "12315", "12345", "12321", "12377", "110", "120", "119", "114"}


def _amount_value(m: re.Match) -> Optional[Decimal]:
    if m["ar"]:
        base = Decimal(m["ar"].replace(",", ""))
        mag = (m["mag"] or "").lower()
        if not mag:
            return base
        if not m["rest"]:
            return base * _MAGNITUDE[mag]
        # 2万5 / 3k5 / 3万5千: let cn2an read the mixed numeral
        return _cn_number(m["ar"].replace(",", "") + {"k": "千", "w": "万"}.get(mag, mag) + m["rest"])
    return _cn_number(m["cn"])


#: English half / all after a verb of paying (「pay half」, 「pay it all」, 「pay in full」), as 一半 / 全部
_EN_AMOUNT_WORD_RE = re.compile(
    r"\bpay(?:\s+(?:back|off))?\s+(?:it\s+)?(?P<w>half|all|in\s+full|everything|the\s+full\s+amount)\b", re.I)


#: 「五六百」, 「三四千块钱」, 「一两千」: two numerals in a row before a magnitude, an approximation; its lower
#: bound is taken (a budget or a promise is never read as more than was said; found by a probe:
#: 「每个月最多能还个五六百」 gave no amount, and the rent named before it became the budget)
_RANGE_NUMERALS = "一二两三四五六七八九"
_RANGE_AMOUNT_RE = re.compile(rf"(?<![{_RANGE_NUMERALS}十百千万])(?P<a>[{_RANGE_NUMERALS}])(?P<b>[{_RANGE_NUMERALS}])(?P<mag>十|百|千|万)"
                              r"(?![一二两三四五六七八九十百千万])(?:块钱|块|元)?")
_CN_DIGIT_VALUE = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_RANGE_MAGNITUDE = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def _range_amount_candidates(text: str) -> Iterable[Candidate]:
    for m in _RANGE_AMOUNT_RE.finditer(text):
        low, high = _CN_DIGIT_VALUE[m["a"]], _CN_DIGIT_VALUE[m["b"]]
        if high != low + 1:
            continue  # 五六 / 三四 / 一两 only: neighbours, not 三五 (which reads as 35 elsewhere)
        value = Decimal(low * _RANGE_MAGNITUDE[m["mag"]])
        yield Candidate(m.start(), m.end(), TIER_AMOUNT, _fixed("amount", str(value.quantize(Decimal("0.01")))))


def _amount_candidates(text: str) -> Iterable[Candidate]:
    yield from _range_amount_candidates(text)
    for m in _AMOUNT_WORD_RE.finditer(text):
        word = m.group(0)
        if word in ("全还", "还清") and re.search(r"(没|未|不|没有)$", text[max(0, m.start() - 2):m.start()]):
            continue
        if word.startswith("一次") and re.match(r"\s?(?:压力|太|不了|不起|有困难|困难)", text[m.end():]):
            continue  # 「一次还完压力太大 求分期」: paying it all is what they cannot do
        yield Candidate(m.start(), m.end(), TIER_AMOUNT, _fixed("amount", "half" if word == "一半" else "all"))
    for m in _EN_AMOUNT_WORD_RE.finditer(text):  # 「pay half by the 20th」, 「I'll pay it all」
        yield Candidate(m.start("w"), m.end("w"), TIER_AMOUNT, _fixed("amount", "half" if m["w"].lower() == "half" else "all"))

    for m in _AMOUNT_RE.finditer(text):
        value = _amount_value(m)
        if value is None or not 0 <= value < _MAX_AMOUNT:
            continue
        start, end = m.start(), m.end()
        explicit = bool(m["cur"] or m["unit"] or m["mag"])
        before = text[max(0, start - 6):start]
        if not (m["cur"] or m["unit"]):
            if _NON_MONEY_SUFFIX.match(text, end):
                continue
            if before.endswith("第") or _IDENTIFIER_BEFORE.search(before):
                continue
            if _EN_IDENTIFIER_BEFORE.search(text[max(0, start - 24):start]):
                continue  # card ending 6222, phone number is …
            nxt, prev = text[end:end + 1], text[start - 1:start] if start else ""
            if m["ar"] and (nxt in "-/:：" and nxt or prev in "-/:：+" and prev):
                continue  # parts of dates, times, phone numbers
            if m["ar"] and nxt in ("x", "X"):
                continue  # 771X: an ID number's tail, not 771 yuan
        if not explicit:
            digits = m["ar"] or ""
            if digits:
                integer = digits.split(".")[0].replace(",", "")
                if len(integer) >= 7 or (len(integer) > 1 and integer.startswith("0") and "." not in digits):
                    continue  # phone, card, ID numbers; codes like 0571
                if digits in _HOTLINES or re.fullmatch(r"9[56]\d{3}", digits):
                    continue
            if m["cn"] and not re.search("[十百千万亿拾佰仟]", m["cn"]):
                continue  # 一 / 两 / 三 alone: 还一下, 先还一点
            if value < 100 and not _MONEY_VERB_BEFORE.search(before):
                continue
        if (m["unit"] or "").strip() in ("块", "元", "圆"):
            change = _change_after(text, end)
            if change is not None:
                value, end = value + change[0], change[1]
        yield Candidate(start, end, TIER_AMOUNT, _fixed("amount", str(value.quantize(Decimal("0.01")))))


# --------------------------------------------------------------------------------------------
# Person name
# --------------------------------------------------------------------------------------------
# 百家姓 (public domain list of family names); the "strict" set drops characters that are also
# common words so that the weak triggers (我是 / 本人) do not turn 我是学生 into a name.
_SURNAMES_ALL = set(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌"
    "马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵"
    "湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏"
    "蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄"
    "曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙"
    "叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂"
    "濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙"
    "东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公"
    "仉督晋楚闫法汝鄢涂钦归海岳帅缑亢况有琴商牟佘佴伯赏墨哈谯笪年爱阳佟言福"
)
_SURNAMES_STRICT = set(
    "赵李吴郑王冯陈褚蒋沈韩杨朱秦尤许何吕张孔曹严魏陶姜戚邹喻窦潘葛奚范彭郎鲁韦"
    "俞袁酆鲍史廉岑薛倪滕殷罗郝邬傅卞康伍卜顾孟穆萧尹姚邵湛汪祁禹狄臧宋茅董梁杜阮闵贾娄郭盛刁钟徐邱骆"
    "蔡樊凌霍虞柯昝卢莫裘缪丁贲邓郁崔龚嵇邢裴翁荀於惠甄芮羿储靳汲邴糜弓隗侯宓蓬郗仲伊栾钭刘詹"
    "韶郜黎蓟薄蒲邰鄂蔺乔胥莘翟谭贡逄姬冉郦雍郤璩濮扈冀郏尚晏瞿阎慕茹宦艾易慎戈廖庾暨衡耿弘匡寇禄阙"
    "殳沃夔厍聂晁敖融訾阚饶毋乜鞠巢蒯後竺逯桓仉晋楚闫汝鄢涂钦缑亢牟佘佴赏谯笪佟"
    # very common surnames that are also word starts; the dictionary check below filters 马上/高中/周末
    "黄周林胡高马孙金叶田石白江方"
)
_COMPOUND_SURNAMES = (
    "万俟|司马|上官|欧阳|夏侯|诸葛|闻人|东方|赫连|皇甫|尉迟|公羊|澹台|公冶|宗政|濮阳|淳于|单于|太叔|申屠|"
    "公孙|仲孙|轩辕|令狐|钟离|宇文|长孙|慕容|鲜于|闾丘|司徒|司空|亓官|司寇|子车|颛孙|端木|巫马|公西|漆雕|"
    "乐正|壤驷|公良|拓跋|夹谷|宰父|谷梁|段干|百里|东郭|南门|呼延|羊舌|微生|梁丘|左丘|东门|西门|南宫|第五"
).split("|")
_NAME_TRIGGER_RE = re.compile(
    r"(?P<strong>我的名字是|我的名字叫|我名字叫|我名字是|名字叫|名字是|我的姓名是|姓名是|姓名|我叫|本人是|本人叫)"
    r"|(?P<weak>我是|本人)"
)
_NAME_RUN_RE = re.compile(r"[\s:]?\s?(?P<run>[\u4e00-\u9fff]{2,6})")
# Words / characters that end a name (never part of a given name in practice).
_NAME_STOP_WORDS = re.compile(
    r"身份证|手机|电话|生日|出生|今年|尾号|后四|号码|今天|明天|昨天|后天|现在|借款|客户|欠款|还款|逾期|工作|"
    r"公司|银行|证件|[的是我你他她它在了吗呢啊吧哦呀嘛哈和跟与要想借欠就没不也又都还请帮给找问说打对先去呃嗯额啦么岁号这那今昨]"
)


def _pos_tags():
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def _is_common_word(word: str) -> bool:
    """True when jieba's dictionary knows ``word`` as something other than a person name."""
    tag = _pos_tags().get(word)
    return tag is not None and not tag.startswith("nr")


def _name_candidates(text: str, token_ends: set) -> Iterable[Candidate]:
    for trig in _NAME_TRIGGER_RE.finditer(text):
        m = _NAME_RUN_RE.match(text, trig.end())
        if not m:
            continue
        run, start = m["run"], m.start("run")
        stop = _NAME_STOP_WORDS.search(run)
        if stop:
            run = run[: stop.start()]
        compound = run[:2] in _COMPOUND_SURNAMES
        surnames = _SURNAMES_STRICT if trig["weak"] else _SURNAMES_ALL
        if not compound and run[:1] not in surnames:
            continue
        max_len = 4 if compound else 3
        if len(run) > max_len:
            cut = max((start + k for k in range(2, max_len + 1) if start + k in token_ends), default=start + max_len)
            run = run[: cut - start]
        elif start + len(run) not in token_ends:
            # the run ends inside a jieba token (e.g. 张伟身 of 张伟身体): back off to a token end
            inner = [start + k for k in range(2, len(run)) if start + k in token_ends]
            if inner:
                run = run[: inner[-1] - start]
        if not 2 <= len(run) <= 4:
            continue
        if _is_common_word(run) or (len(run) > 2 and not compound and _is_common_word(run[:2])):
            continue  # 马上, 高中生, 周末 ...
        if text[start + len(run):start + len(run) + 1] == "的":
            continue  # 我是张伟的老婆: the name belongs to someone else
        yield Candidate(start, start + len(run), TIER_NAME, _fixed("person_name", run))



#: a whole message of a name and four characters, either way round: 「张伟 3512」, 「3512张伟」
_NAME_AND_TAIL_RE = re.compile(
    r"^(?:(?P<n1>[\u4e00-\u9fff]{2,4})\s?\d{3}[\dXx](?:\s\d{4})?|\d{3}[\dXx]\s?(?P<n2>[\u4e00-\u9fff]{2,4})"
    r"|(?P<n3>[\u4e00-\u9fff]{2,3}))$")


#: words jieba tags as names that, typed alone, are not one (an insult, an everyday word)
_NOT_NAMES_ALONE = frozenset({"王八", "王八蛋", "张嘴", "林子", "高手", "黄牛", "白痴", "马屁",
                              "莫得", "莫有", "木有", "木得", "于是", "万一", "安心", "简单", "汤圆"})


def looks_like_a_name(word: str) -> bool:
    """Whether ``word`` reads as a person's name: a usual family name first and no dictionary word
    (赵磊, 孙悦; not 单亲, 孩子, 马上)."""
    return (2 <= len(word) <= 4 and (word[:2] in _COMPOUND_SURNAMES or word[:1] in _SURNAMES_STRICT)
            and not _is_common_word(word) and not _NAME_STOP_WORDS.search(word))


def _name_beside_tail(text: str) -> Iterable[Candidate]:
    """「张伟 3512」 (and 「刘洋 2048 4004」, a phone tail after it), or 「王强」 alone, the whole message: a borrower identifying themselves without saying
    我是 (found live: 「王强」 as a first message was read as an insult). The name must look like one (a
    family name first, not a dictionary word: not 马上 3512, 还款 3512, 王八)."""
    m = _NAME_AND_TAIL_RE.match(text)
    if not m:
        return
    group = "n1" if m["n1"] else "n2" if m["n2"] else "n3"
    name = m[group]
    if not (name[:2] in _COMPOUND_SURNAMES or name[:1] in _SURNAMES_ALL):
        return
    if group == "n3" and (name[:1] not in _SURNAMES_STRICT or name in _NOT_NAMES_ALONE):
        return  # alone, with no tail beside it: the usual family names only (谢谢), and no 王八
    if _is_common_word(name) or _NAME_STOP_WORDS.search(name):
        return
    yield Candidate(m.start(group), m.end(group), TIER_NAME, _fixed("person_name", name))

# --------------------------------------------------------------------------------------------
# Relation and hardship lexicons
# --------------------------------------------------------------------------------------------
_RELATIONS: Dict[str, str] = {}
for _words, _cat in (
    ("老婆 老公 媳妇儿 媳妇 丈夫 妻子 爱人 太太 前妻 前夫", "spouse"),
    ("爸爸 妈妈 父亲 母亲 老爸 老妈 父母 爸妈 爸 妈 爹 娘", "parent"),
    ("儿子 女儿 孩子 闺女", "child"),
    ("哥哥 姐姐 弟弟 妹妹 兄弟 姐妹 哥 姐 弟 妹", "sibling"),
    ("朋友 好友 同学 室友 哥们 闺蜜", "friend"),
    ("同事 领导 上司 老板", "colleague"),
    ("亲戚 邻居 舅舅 叔叔 阿姨 姑姑 姨妈 伯伯 表哥 表姐 表弟 表妹 堂哥 堂姐 堂弟 堂妹 爷爷 奶奶 外公 外婆 "
     "姥姥 姥爷 孙子 孙女 侄子 侄女 外甥 岳父 岳母 公公 婆婆 男朋友 女朋友 对象 房东 担保人 紧急联系人", "other"),
):
    for _w in _words.split():
        _RELATIONS[_w] = _cat
_RELATION_RE = re.compile("|".join(sorted(_RELATIONS, key=len, reverse=True)))
_SINGLE_KIN = set("爸妈爹娘哥姐弟妹")
_POSSESSOR_BEFORE = set("我他她你的是咱俺")

_HARDSHIP: Dict[str, str] = {}
for _words, _cat in (
    ("失业 被裁员 被裁 裁员 没工作 没有工作 没了工作 丢了工作 工作丢了 工作没了 下岗 被辞退 辞退 被开除 开除 "
     "找不到工作 待业 失去工作 无业 还在找工作", "job_loss"),
    ("住院 生病 病了 手术 得病 患病 重病 大病 癌症 肿瘤 车祸 受伤 骨折 看病 化疗 病倒 身体不好 icu ICU 在医院 残疾 摔断", "illness"),
    ("生意失败 生意亏 生意不好 做生意亏 亏了 亏本 亏损 赔了 赔钱 倒闭 破产 店关了 投资失败 创业失败", "business_failure"),
    ("降薪 减薪 降工资 工资少了 工资降了 收入减少 收入少了 收入下降 没发工资 工资没发 拖欠工资 欠薪 没收入 "
     "没有收入 收入不稳定 工资太低 停工 工资拖欠 工资被拖欠 拖欠了工资 欠我工资 发不出工资 工资发不出 工资还没发 "
     "工资没到账 工资推迟 工资晚发 没发薪 "
     "工资减半 收入降低 奖金没了 效益不好 停薪留职 没活干 收成不好", "income_drop"),
    ("在医院陪护 医院陪护 在医院照顾 家里出事 家里有事 家里出了事 家人住院 家人生病 家里人住院 家里人生病 亲人去世 家人去世 去世 过世 家里有急事", "family_emergency"),
    ("洪水 地震 火灾 疫情 台风 水灾 泥石流 着火 发大水 暴雨 被淹 冰雹 雪灾 旱灾 封控 失火 遭灾 受灾 天灾 房子塌了", "disaster"),
    ("忘了 忘记 给忘了 搞忘了 忘还 记错了 记错 没记住 不记得", "forgot"),
    # not a reason the contract lists (data/nlu/synonyms.yml maps these to other): no hardship precedence
    ("离婚 被骗 怀孕 坐月子", "other"),
):
    for _w in _words.split():
        _HARDSHIP[_w] = _cat
_HARDSHIP_RE = re.compile("|".join(sorted(_HARDSHIP, key=len, reverse=True)))
#: the same categories as some borrowers type them in English (whole words; 「I lost my job」 was an insult)
_EN_HARDSHIP: Dict[str, str] = {}
for _words, _cat in (
    (("lost my job", "lost the job", "lost job", "laid off", "unemployed", "jobless", "got fired", "been fired",
      "out of work"), "job_loss"),
    (("in hospital", "in the hospital", "hospitalized", "hospitalised", "surgery", "cancer", "car accident",
      "sick", "illness"),
     "illness"),
    (("business failed", "went bankrupt", "bankrupt", "bankruptcy", "my shop closed"), "business_failure"),
    (("pay cut", "salary cut", "salary was cut", "pay was cut", "no income", "income dropped", "not been paid",
      "wasn't paid", "unpaid wages"), "income_drop"),
    (("family emergency", "emergency at home", "passed away"), "family_emergency"),
    (("flood", "flooded", "earthquake", "typhoon", "house fire", "natural disaster"), "disaster"),
    (("forgot", "forgot to pay", "forgotten", "slipped my mind"), "forgot"),
):
    for _w in _words:
        _EN_HARDSHIP[_w] = _cat
_EN_HARDSHIP_RE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(_EN_HARDSHIP, key=len, reverse=True))
                             + r")\b", re.I)
_NEGATION_BEFORE = re.compile(r"(没|没有|不是|不会|不|未|别|并没|没被|不要|不用)$")
_EN_NEGATION_BEFORE = re.compile(r"\b(?:not|never|didn't|did not|haven't|wasn't|no)\s+(?:\w+\s+)?$", re.I)
_EN_KIN_BEFORE = re.compile(r"\b(?:mom|mum|dad|mother|father|parents?|wife|husband|son|daughter|child|kids?|"
                            r"brother|sister|family)\b", re.I)
_KIN_BEFORE = re.compile(
    r"爸|妈|父亲|母亲|老人|孩子|儿子|女儿|老婆|老公|媳妇|家人|家里人|爷爷|奶奶|哥|姐|弟|妹|妻子|丈夫|爱人|亲人|公公|婆婆|岳父|岳母"
)


#: the employer, before 倒闭 / 破产: 「公司倒闭了」, 「厂子倒闭」 (not 「我的店倒闭了」, 「生意倒闭」)
_EMPLOYER_BEFORE = re.compile(r"(公司|单位|厂子?|工厂|老板)了?$")


def _lexicon_candidates(text: str) -> Iterable[Candidate]:
    for m in _RELATION_RE.finditer(text):
        word = m.group(0)
        before = text[m.start() - 1:m.start()] if m.start() else ""
        after = text[m.end():m.end() + 1]
        if word in _SINGLE_KIN and before not in _POSSESSOR_BEFORE:
            continue  # 大哥 / 小姐 / 姑娘: address terms, not relations
        if before == "小" and _RELATIONS[word] == "sibling":
            continue  # 小姐姐 / 小哥哥
        if word == "妈" and (after == "的" or before in ("你", "尼")):
            continue  # swearing
        if word in ("朋友",) and after == "圈":
            continue
        if word in ("老板", "领导") and text[max(0, m.start() - 2):m.start()].endswith(("你们", "你")):
            continue
        yield Candidate(m.start(), m.end(), TIER_LEXICON, _fixed("relation", _RELATIONS[word]))

    for m in _HARDSHIP_RE.finditer(text):
        word = m.group(0)
        category = _HARDSHIP[word]
        prefix = text[max(0, m.start() - 3):m.start()]
        if not word.startswith(("没", "不")) and _NEGATION_BEFORE.search(prefix):
            continue
        if word == "亏了" and prefix.endswith(("多", "吃", "幸")):
            continue
        if category == "forgot" and re.search(r"(密码|账号|用户名|帐号)[都也又]?(给)?$", text[max(0, m.start() - 5):m.start()]):
            continue  # 「登录密码忘了」: a forgotten password, not a forgotten payment
        if word == "在医院" and (re.match(r"(上班|工作|当|做|实习|值班)", text[m.end():m.end() + 2])
                               or prefix.endswith("花")):
            continue  # 我在医院上班: where they work; 钱都花在医院了: the illness was named already
        if category == "illness" and _KIN_BEFORE.search(text, max(0, m.start() - 5), m.start()):
            category = "family_emergency"
        if word in ("倒闭", "破产") and _EMPLOYER_BEFORE.search(text, max(0, m.start() - 4), m.start()):
            category = "job_loss"  # 「公司倒闭了 工资都没发」: an employee's job gone (found live: 生意困难)
        yield Candidate(m.start(), m.end(), TIER_LEXICON, _fixed("hardship_type", category))
    for m in _EN_HARDSHIP_RE.finditer(text):
        if _EN_NEGATION_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
            continue
        category = _EN_HARDSHIP[m.group(0).lower()]
        if m.group(0).lower() == "sick" and re.match(r"\s*(?:of|and tired)\b", text[m.end():], re.I):
            continue  # 「I'm sick of you」: fed up, not ill
        if category == "illness" and _EN_KIN_BEFORE.search(text[max(0, m.start() - 24):m.start()]):
            category = "family_emergency"
        yield Candidate(m.start(), m.end(), TIER_LEXICON, _fixed("hardship_type", category))


# --------------------------------------------------------------------------------------------
# spaCy pipeline (built once)
# --------------------------------------------------------------------------------------------
_CANDIDATES_KEY = "borrower_candidates"
_nlp = None
_nlp_lock = threading.Lock()


def _find_candidates(doc) -> List[Candidate]:
    text = doc.text
    token_ends = {t.idx + len(t.text) for t in doc}
    names: List[Candidate] = []
    try:
        names = list(_name_candidates(text, token_ends)) or list(_name_beside_tail(text))
    except Exception:  # a rule bug must never take the whole parse down
        logger.exception("person-name rule failed on %r", text[:200])
    candidates: List[Candidate] = list(names)
    for finder in (functools.partial(_tail_candidates, name_starts=frozenset(c.start for c in names)), _date_candidates,
                   _installment_candidates, _amount_candidates, _lexicon_candidates):
        try:
            candidates.extend(finder(text))
        except Exception:
            logger.exception("entity rule %s failed on %r", getattr(finder, "__name__", finder), text[:200])
    return candidates


def _borrower_candidates_component(doc):
    doc.user_data[_CANDIDATES_KEY] = _find_candidates(doc)
    return doc


def get_pipeline():
    """The spaCy pipeline: blank ``zh`` with the jieba segmenter + ``borrower_candidates``."""
    global _nlp
    if _nlp is None:
        with _nlp_lock:
            if _nlp is None:
                import spacy
                from spacy.language import Language

                if not Language.has_factory("borrower_candidates"):
                    Language.component("borrower_candidates", func=_borrower_candidates_component)
                nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
                nlp.add_pipe("borrower_candidates")
                _pos_tags()  # load jieba's POS dictionary now, not on the first name
                import cn2an  # noqa: F401  (warm import)

                _nlp = nlp
    return _nlp


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

def _resolve_overlaps(resolved: List[Tuple[Candidate, str, Value]]) -> List[Tuple[Candidate, str, Value]]:
    ordered = sorted(resolved, key=lambda r: (-r[0].tier, -(r[0].end - r[0].start), r[0].start))
    taken: List[Tuple[int, int]] = []
    kept = []
    for item in ordered:
        c = item[0]
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        taken.append((c.start, c.end))
        kept.append(item)
    return sorted(kept, key=lambda r: (r[0].start, r[0].end))


def extract(text: Optional[str], today: Optional[dt.date] = None) -> List[Entity]:
    """Entities in ``text``; offsets index ``text`` itself; ``today`` defaults to the bot clock."""
    if not text or not isinstance(text, str):
        return []
    if today is None:
        from bot.clock import today as clock_today

        today = clock_today()
    source = text[:MAX_CHARS]
    normalised, offsets = normalise_with_offsets(source)
    if not normalised:
        return []
    doc = get_pipeline()(normalised)
    resolved = []
    for cand in doc.user_data.get(_CANDIDATES_KEY, []):
        try:
            result = cand.resolve(today)
        except Exception:
            logger.exception("entity resolver failed on %r", normalised[cand.start:cand.end])
            continue
        if result is not None:
            resolved.append((cand, result[0], result[1]))
    entities = []
    for cand, label, value in _resolve_overlaps(resolved):
        start, end = to_original_span(offsets, cand.start, cand.end)
        entities.append(Entity(label, start, end, text[start:end], value))
    return entities
