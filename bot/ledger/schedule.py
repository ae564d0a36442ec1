"""等额本息 schedules (equal monthly payments), for loans and for installment plans."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext

from bot.ledger.money import ZERO, fen, to_decimal
from bot.ledger.rules import DAYS_PER_YEAR, MONTHS_PER_YEAR


@dataclass(frozen=True)
class ScheduledInstallment:
    number: int  # 1-based
    due_date: dt.date
    principal: Decimal
    interest: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest


def apr_from_daily_rate(daily_rate: Decimal) -> Decimal:
    """0.0005/day -> 0.1825 (18.25%), the simple-interest APR shown as 年化利率（单利）."""
    return to_decimal(daily_rate) * DAYS_PER_YEAR


def add_months(start: dt.date, months: int, *, day: int | None = None) -> dt.date:
    """``start`` moved by ``months``, on ``day`` of month (default start's), clamped to month end."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day or start.day, last))


def level_payment(principal: Decimal, apr: Decimal, months: int) -> Decimal:
    """P·r·(1+r)^n / ((1+r)^n − 1) with r = APR/12, rounded to the fen (r = 0: P/n)."""
    if months < 1:
        raise ValueError("a schedule needs at least one month")
    principal = to_decimal(principal)
    with localcontext() as ctx:
        ctx.prec = 40
        r = to_decimal(apr) / MONTHS_PER_YEAR
        if r == 0:
            return fen(principal / months)
        growth = (1 + r) ** months
        return fen(principal * r * growth / (growth - 1))


def amortize(principal: Decimal, apr: Decimal, months: int, first_due: dt.date) -> list[ScheduledInstallment]:
    """The whole schedule: interest on remaining principal each period, the last period's
    principal is whatever remains (it absorbs rounding). Installment k falls due on the first
    due date's day-of-month, k−1 months later (clamped)."""
    principal = fen(principal)
    payment = level_payment(principal, apr, months)
    r = to_decimal(apr) / MONTHS_PER_YEAR
    remaining = principal
    rows: list[ScheduledInstallment] = []
    for k in range(1, months + 1):
        interest = fen(remaining * r)
        part = remaining if k == months else min(payment - interest, remaining)
        part = max(part, ZERO)
        rows.append(ScheduledInstallment(k, add_months(first_due, k - 1), part, interest))
        remaining -= part
    return rows
