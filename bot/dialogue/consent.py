"""What counts as the borrower's yes to a plan or a promise read back to them.

ledger.md: accepting a plan "requires an explicit confirmation after the full disclosure". A yes
the model only guessed is not explicit: found live, 「那6期呢」 (what about 6 months?) was read as
affirm at 0.32 while a 12-month plan waited, and the 12-month plan was written. So a yes binds only
when it is clear (a button, or the model sure of it) and names no other term, date or amount than
the one put to the borrower; a message that names another one asks about that one instead.

Choosing the very term put to them, in so many words (「好吧 就60期」, 「那就选24期」), is explicit
whatever the model's confidence (found live: 「好吧 就60期」, affirm at 0.50, was asked to confirm
again, and 「就60期吧」, read as request_installment, got the same disclosure again).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Optional

#: the least confidence at which a typed affirm binds. Typed yeses (好 / 行吧 / 可以的 / 确认 / 没问题
#: / 👌 / ok) parse at 0.75-0.99 with the project model; a button's payload at 1.0
EXPLICIT_YES_CONFIDENCE = 0.6

CLEAR_YES, UNCLEAR, OTHER_TERMS, NOT_YES = "clear_yes", "unclear", "other_terms", "not_yes"


@dataclass(frozen=True)
class Answer:
    """The message that answers a read-back: the model's intent and what it names."""

    intent: Optional[str]
    confidence: float
    installment_count: Optional[int] = None
    date: Optional[str] = None  # ISO
    amount: Optional[str] = None  # as the entity gives it: "1500.00", "half", "all"
    text: str = ""


#: 「就60期」, 「那就选24期吧」, 「办36期」: a term chosen in so many words; not asked about (「就60期吗」); and the
#: plan put to them agreed to in so many words (「我同意分期」, 「接受这个方案」: read as request_installment, found
#: in a parse sweep; 「不同意」 declines)
_CHOOSES_TERM = re.compile(r"(就|选|要|办|定)(这个|[0-9]+期|[一二三四五六七八九十]+期)|(同意|接受)(办理|这个|分期|方案)")
#: any question word (「就60期吗」, 「60期每个月多少」; 「逾期的这期想马上还掉 在app哪里点」 asks, though it says
#: when): a message with one is not a choice or a statement of paying (bot/dialogue/explain/paying.py uses it too)
QUESTION_WORD = re.compile(r"哪|怎|如何|咋|什么|啥|多少|几|吗|么|呢|[?？]")


def asks_anything(text: str) -> bool:
    return bool(text) and QUESTION_WORD.search(text) is not None

_DECLINES = re.compile(r"不|别|算了|没")


def chooses_the_term(answer: Answer, term: Optional[int]) -> bool:
    """The plan put to the borrower (``term``) chosen in so many words: naming no other term, not a
    question, no word of declining."""
    named = answer.installment_count
    return (term is not None and named in (None, term) and _CHOOSES_TERM.search(answer.text or "") is not None
            and not asks_anything(answer.text) and _DECLINES.search(answer.text or "") is None
            and answer.intent in ("affirm", "request_installment"))


#: an item of a list pointed at (「第二个」, 「最长的那个」, 「最后一个」): no yes to the one plan read back
POINTS_AT_A_CHOICE = re.compile(r"第\s*[一二三四五六七八九十两\d]+\s*(个|种|项)|最(长|短|便宜|少|多|低|高|后)(的|那)|最后一(个|种)")


def read_answer(pending: str, answer: Answer, *, term: Optional[int] = None, date: Optional[str] = None,
                amount: Optional[str] = None) -> str:
    """How ``answer`` answers the ``pending`` plan (its ``term``) or promise (its ``date`` and
    ``amount``): OTHER_TERMS when it names another term, date or amount (answer that one instead,
    whatever the intent); else CLEAR_YES, UNCLEAR (an affirm the model is not sure of: ask again)
    or NOT_YES (a no, or anything else)."""
    if pending == "plan":
        other = answer.installment_count is not None and answer.installment_count != term
    else:
        other = (answer.date is not None and answer.date != date) or (
            answer.amount is not None and not _same_amount(answer.amount, amount))
    if other:
        return OTHER_TERMS
    if pending == "plan" and POINTS_AT_A_CHOICE.search(answer.text or ""):
        # 「第二个」 while one plan is read back points at the menu, not at it (found live: affirm at 0.98, and
        # the 6-month plan read back was accepted): asked again, never taken for a yes
        return UNCLEAR
    if pending == "plan" and chooses_the_term(answer, term):
        return CLEAR_YES
    if answer.intent != "affirm":
        return NOT_YES
    return CLEAR_YES if is_clear_yes(answer.intent, answer.confidence) else UNCLEAR


def is_clear_yes(intent: Optional[str], confidence: float) -> bool:
    """A yes that binds: affirm, and the model sure of it (a button's payload is 1.0)."""
    return intent == "affirm" and confidence >= EXPLICIT_YES_CONFIDENCE


def _same_amount(given: str, pending: Optional[str]) -> bool:
    """「好 两千」 after 2000.00 was read back names the same amount; "half" or "all" against a figure
    cannot be told the same here, so it is read back again."""
    if pending is None:
        return False
    try:
        return Decimal(given) == Decimal(pending)
    except (InvalidOperation, ValueError):
        return given == pending
