"""Compliance rule 3: health and bereavement details are stored only as a hardship category, never as free
text. The borrower's words are kept (the tracker store: transcripts, the console, the trainers' inbox; the
audit log of refused messages) with such details masked, one ``*`` a character, so every offset into the
text (entities, kept requests) still points where it did. The category itself is kept as the
``hardship_type`` entity's value and in ``hardship_cases`` (bot/services/cases.py:record_hardship).

Found by a probe: 「我最近住院了 查出来肿瘤 没法上班 能分期吗」 was shown word for word in the collector console,
right after the bot had told the borrower only the category is recorded. Distress (rule 9) is not masked: a
person has to read what was said to help, and the queue marks it.
"""
from __future__ import annotations

import re
from typing import Any

#: illnesses, injuries, treatments, conditions, pregnancy, hospital stays: what a category does not need
_HEALTH = (
    r"住院|出院|生病|病了|得病|患病|重病|大病|病倒|看病|治病|病情|病危|病重|手术|开刀|化疗|放疗|透析|抢救|icu|重症"
    r"|[^\s，。,.]{0,2}癌|癌症|肿瘤|白血病|尿毒症|糖尿病|高血压|心脏病|脑梗|脑溢血|脑出血|中风|偏瘫|瘫痪|残疾|骨折|摔断|车祸|受伤"
    r"|抑郁症|焦虑症|精神病|双相|乙肝|艾滋|hiv|怀孕|流产|坐月子|产检|早产|身体不好|医药费|药费|住院费|手术费|在医院"
)
#: a death in the family and its rites
_BEREAVEMENT = r"去世|过世|离世|病逝|病故|逝世|办丧事|丧事|葬礼|办丧|白事|奔丧|守孝"
_PATTERN = re.compile(f"(?:{_HEALTH})|(?:{_BEREAVEMENT})", re.I)


def redact(text: Any) -> Any:
    """``text`` with health and bereavement details masked, the same length; anything not a string as is."""
    if not isinstance(text, str) or not text:
        return text
    return _PATTERN.sub(lambda m: "*" * len(m.group(0)), text)


def _redact_message(message: dict) -> dict:
    out = dict(message)
    out["text"] = redact(out.get("text"))
    if isinstance(out.get("entities"), list):
        out["entities"] = [{**e, "text": redact(e.get("text"))} if isinstance(e, dict) and "text" in e else e
                           for e in out["entities"]]
    return out


#: slots that hold a borrower's message (actions/common.py:keep_pending)
MESSAGE_SLOTS = ("pending_message",)


def redact_event(data: dict) -> dict:
    """A Rasa event as stored (``Event.as_dict()``) with the borrower's words masked: a user event's text,
    parse data and shown text, and a slot that keeps a message."""
    kind = data.get("event")
    if kind == "user":
        out = _redact_message(data)
        if isinstance(data.get("parse_data"), dict):
            out["parse_data"] = _redact_message(data["parse_data"])
        meta = data.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("display"), str):
            out["metadata"] = {**meta, "display": redact(meta["display"])}
        return out
    if kind == "slot" and data.get("name") in MESSAGE_SLOTS and isinstance(data.get("value"), dict):
        return {**data, "value": _redact_message(data["value"])}
    return data
