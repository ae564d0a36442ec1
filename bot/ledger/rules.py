"""The numbers of the ledger rules (ledger.md), in one place."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

#: An installment is overdue from the day after its due date; while days overdue <= GRACE_DAYS
#: it carries no penalty, and paid in full within those days its penalty is waived.
GRACE_DAYS = 3


def last_grace_day(due_date: dt.date) -> dt.date:
    """The last day an installment due on ``due_date`` can be paid without penalty."""
    return due_date + dt.timedelta(days=GRACE_DAYS)

#: Penalty interest (罚息) per day = contractual daily rate x PENALTY_MULTIPLIER, on unpaid principal.
PENALTY_MULTIPLIER = Decimal("1.5")


def penalty_rate(daily_rate: Decimal) -> Decimal:
    """The penalty interest per day on unpaid principal, for a loan's contractual ``daily_rate``."""
    return Decimal(str(daily_rate)) * PENALTY_MULTIPLIER

#: APR shown to borrowers = daily rate x DAYS_PER_YEAR, labelled 年化利率（单利）.
DAYS_PER_YEAR = 365
MONTHS_PER_YEAR = 12
