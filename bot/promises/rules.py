"""Promise rules (ledger.md): date within 30 days of today, amount between 0.01 and the amount
due now (全部 = amount due now, 一半 = half of it); status open → kept / broken."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from bot.clock import cn_date
from bot.ledger.money import FEN, fen, to_decimal

MAX_PROMISE_DAYS = 30


@dataclass(frozen=True)
class PromiseCheck:
    ok: bool
    reason_code: str  # ok | date_past | date_too_far | amount_too_small | amount_too_large | nothing_due
    reason: str  # plain Chinese (compliance rule 16)
    amount: Decimal | None = None
    date: dt.date | None = None


def resolve_amount(value: str | Decimal | None, due_now: Decimal) -> Decimal | None:
    """'all' → due now, 'half' → half of it (to the fen), a number → itself; None stays None."""
    if value is None:
        return None
    if value == "all":
        return fen(due_now)
    if value == "half":
        return fen(to_decimal(due_now) / 2)
    return fen(value)


def check_promise(promised_on: dt.date, amount: Decimal, due_now: Decimal, today: dt.date,
                  due_then: Decimal | None = None) -> PromiseCheck:
    """``due_then``: what would be due on ``promised_on`` if nothing were paid (penalty grows, an installment
    falls due); only the reason for an amount above what is due now uses it."""
    if due_now <= 0:
        return PromiseCheck(False, "nothing_due", "您目前没有需要偿还的到期款项，不需要做还款承诺。")
    if promised_on < today:
        return PromiseCheck(False, "date_past", "这个日期已经过去了，请告诉我一个今天或之后的日期。")
    if promised_on > today + dt.timedelta(days=MAX_PROMISE_DAYS):
        return PromiseCheck(
            False,
            "date_too_far",
            # the latest day that can be promised, named (found live: 「下个月10号发工资 到时候一起还」 was
            # told only "within 30 days", and had to work out which day that is)
            f"还款承诺的日期需要在{MAX_PROMISE_DAYS}天以内，最晚可以约定到{cn_date(today + dt.timedelta(days=MAX_PROMISE_DAYS))}。"
            "如果到时确实还不上，可以看看分期方案，或者转人工客服帮您协商。",
        )
    if amount < FEN:
        return PromiseCheck(False, "amount_too_small", "还款金额至少是0.01元。")
    if amount > due_now and due_then is not None and due_then > due_now and amount <= due_then:
        # 「那我20号还2817.43」, what the bot said 12-20 would find (found by a probe): not told the extra goes to
        # later principal, which it would not (payments go to what is overdue first, penalty first)
        return PromiseCheck(
            False, "amount_too_large",
            f"约定的金额按今天的到期应还计算，最多{due_now:.2f}元，可以约定“{promised_on.month}月{promised_on.day}号"
            f"还{due_now:.2f}元”。到那天如果这期间没有还款，到期应还会是{due_then:.2f}元（多出的是这些天的罚息或新到期的一期），"
            "那天请按App“还款”页面显示的金额还清。"
        )
    if amount > due_now:
        # more than the day will find either: what that day will find is said when it grows (found by a probe:
        # 「那我12月20号还3000吧」 was told only today's amount), and the rest is paying early
        then = (f"到那天如果这期间没有还款，到期应还会是{due_then:.2f}元，那天请先按App“还款”页面显示的金额还清，"
                if due_then is not None and due_then > due_now else "")
        return PromiseCheck(
            False, "amount_too_large",
            f"您目前到期应还{due_now:.2f}元，约定的还款金额不能超过这个数，可以约定“{promised_on.month}月{promised_on.day}号"
            f"还{due_now:.2f}元”。{then}想多还的部分可以在App“提前还款”里还，会冲抵以后各期的本金，不收手续费。"
        )
    return PromiseCheck(True, "ok", "", amount, promised_on)


def remainder(amount: Decimal, due_now: Decimal) -> Decimal | None:
    """What is still due after a promise of ``amount`` (for a second promise), None if nothing."""
    rest = fen(to_decimal(due_now) - to_decimal(amount))
    return rest if rest > 0 else None


def superseded(new_amount: Decimal, open_promises: list[tuple[int, Decimal]], due_now: Decimal) -> list[int]:
    """The open promises (id, amount; oldest first) a new promise of ``new_amount`` replaces: the open promises
    on a loan never add up to more than is due now, so older ones give way until they fit (a changed date,
    「我想改成下周三还」, replaces the promise it changes; found by a probe: both stayed open, 775.68 promised
    against 387.84 due). None when they fit beside it.

    Which give way: a promise of the same amount first (the one whose date is being changed), then the
    oldest. Found by a probe: 「不对 我想改一下 4号先还100 剩下的15号还」 after 193.92 promised for the 11th;
    the newest gave way first, so confirming the 15th replaced the 100 just confirmed for the 4th and kept
    the 193.92 the borrower had changed."""
    kept = list(open_promises)
    new = to_decimal(new_amount)
    same = [p for p in kept if to_decimal(p[1]) == new][-1:]
    order = same + [p for p in kept if p not in same]
    replaced: list[int] = []
    while order and sum((to_decimal(a) for _, a in kept), Decimal("0")) + new > to_decimal(due_now):
        gone = order.pop(0)
        kept.remove(gone)
        replaced.append(gone[0])
    return replaced


def promise_status(promised_on: dt.date, amount: Decimal, paid_since: Decimal, today: dt.date) -> str:
    """kept once payments since the promise reach the amount; broken when the date has passed."""
    if paid_since >= amount:
        return "kept"
    if today > promised_on:
        return "broken"
    return "open"
