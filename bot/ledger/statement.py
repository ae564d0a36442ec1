"""A loan's position on a date: penalty segments, payment allocation, due now, payoff.

Rules (ledger.md):
- An installment is overdue from the day after its due date; days overdue = as_of − due date.
- Penalty (罚息) accrues on unpaid *principal* only, at daily rate × 1.5, in segments between
  consecutive events (the due date, each payment date, the as-of date), each segment rounded to
  the fen. While days overdue ≤ 3 (grace) nothing is payable, and an installment paid in full
  within grace has its penalty waived; past grace the penalty counts from the day after the due date.
- Payments apply on their date, oldest installment first; within a due installment penalty accrued
  to that date → interest → principal. A payment beyond what is due goes to the principal of the
  installments not yet due (their interest is then waived: early repayment has no future interest
  and no fee); anything beyond the payoff stays as an unapplied credit, so no fen is lost.
- Amount due now = unpaid principal + interest + penalty of every installment due on or before the
  as-of date. Payoff (提前结清) = amount due now + unpaid principal of installments not yet due.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from bot.ledger.money import ZERO, fen, to_decimal
from bot.ledger.rules import GRACE_DAYS, last_grace_day, penalty_rate
from bot.ledger.schedule import ScheduledInstallment


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class Allocation:
    """One slice of a payment applied to one component of one installment."""

    paid_on: dt.date
    reference: str
    installment: int
    component: str  # "penalty" | "interest" | "principal"
    amount: Decimal


@dataclass(frozen=True)
class PenaltySegment:
    installment: int
    start: dt.date
    end: dt.date
    principal: Decimal
    amount: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass
class InstallmentPosition:
    schedule: ScheduledInstallment
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    interest_waived: bool = False
    penalty_waived: bool = False
    segments: list[PenaltySegment] = field(default_factory=list)
    # where the next penalty segment starts (the due date, then each event)
    _segment_start: dt.date | None = None

    @property
    def number(self) -> int:
        return self.schedule.number

    @property
    def due_date(self) -> dt.date:
        return self.schedule.due_date

    @property
    def principal_left(self) -> Decimal:
        return self.schedule.principal - self.principal_paid

    @property
    def interest_left(self) -> Decimal:
        return ZERO if self.interest_waived else self.schedule.interest - self.interest_paid

    def days_overdue(self, on: dt.date) -> int:
        return max((on - self.due_date).days, 0)

    def penalty_accrued(self, on: dt.date) -> Decimal:
        """Penalty payable on ``on`` (before any payment that day): nothing within grace."""
        if self.penalty_waived or self.days_overdue(on) <= GRACE_DAYS:
            return ZERO
        return sum((s.amount for s in self.segments), ZERO)

    def penalty_left(self, on: dt.date) -> Decimal:
        return max(self.penalty_accrued(on) - self.penalty_paid, ZERO)

    def owed(self, on: dt.date) -> Decimal:
        return self.principal_left + self.interest_left + self.penalty_left(on)


@dataclass(frozen=True)
class Statement:
    as_of: dt.date
    daily_rate: Decimal
    installments: list[InstallmentPosition]
    allocations: list[Allocation]
    unapplied: Decimal

    # -- per-installment views -------------------------------------------------------------
    @property
    def due_installments(self) -> list[InstallmentPosition]:
        """Installments due on or before the as-of date with something still owed."""
        return [i for i in self.installments if i.due_date <= self.as_of and i.owed(self.as_of) > 0]

    @property
    def overdue_installments(self) -> list[InstallmentPosition]:
        return [i for i in self.due_installments if i.due_date < self.as_of]

    @property
    def due_today_installments(self) -> list[InstallmentPosition]:
        """Due on the as-of date and not fully paid: due, not yet overdue."""
        return [i for i in self.due_installments if i.due_date == self.as_of]

    @property
    def next_installment(self) -> InstallmentPosition | None:
        """The first installment falling due after the as-of date that is not fully paid."""
        for inst in self.installments:
            if inst.due_date > self.as_of and inst.principal_left > 0:
                return inst
        return None

    # -- totals ----------------------------------------------------------------------------
    @property
    def days_overdue(self) -> int:
        """The loan's largest days overdue (0 when nothing is overdue)."""
        return max((i.days_overdue(self.as_of) for i in self.overdue_installments), default=0)

    @property
    def in_grace(self) -> bool:
        return 0 < self.days_overdue <= GRACE_DAYS

    @property
    def principal_due(self) -> Decimal:
        return sum((i.principal_left for i in self.due_installments), ZERO)

    @property
    def interest_due(self) -> Decimal:
        return sum((i.interest_left for i in self.due_installments), ZERO)

    @property
    def penalty_due(self) -> Decimal:
        return sum((i.penalty_left(self.as_of) for i in self.due_installments), ZERO)

    @property
    def amount_due_now(self) -> Decimal:
        return self.principal_due + self.interest_due + self.penalty_due

    @property
    def overdue_principal(self) -> Decimal:
        """Unpaid principal of the installments past their due date: what the penalty runs on."""
        return sum((i.principal_left for i in self.overdue_installments), ZERO)

    @property
    def penalty_per_day(self) -> Decimal:
        """What one more day adds to the penalty if nothing is paid, to the fen (payable once past grace)."""
        return fen(self.overdue_principal * penalty_rate(self.daily_rate))

    @property
    def principal_not_yet_due(self) -> Decimal:
        return sum((i.principal_left for i in self.installments if i.due_date > self.as_of), ZERO)

    @property
    def payoff(self) -> Decimal:
        return self.amount_due_now + self.principal_not_yet_due

    @property
    def settled(self) -> bool:
        return self.payoff == 0

    @property
    def total_paid(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO) + self.unapplied

    @property
    def paid_late(self) -> list[int]:
        """Installments paid in full only after their grace days: what may have been reported as overdue."""
        late = []
        for inst in self.installments:
            if inst.due_date > self.as_of or inst.principal_left > 0:
                continue
            paid = [a.paid_on for a in self.allocations if a.installment == inst.number and a.component == "principal"]
            if paid and max(paid) > last_grace_day(inst.due_date):
                late.append(inst.number)
        return late


def _close_segments(positions: list[InstallmentPosition], on: dt.date, daily_rate: Decimal) -> None:
    """Close every open penalty segment at event date ``on``."""
    rate = penalty_rate(to_decimal(daily_rate))
    for inst in positions:
        if inst.due_date >= on or inst.penalty_waived:
            continue
        start = inst._segment_start or inst.due_date
        if on <= start:
            continue
        principal = inst.principal_left
        if principal > 0:
            days = (on - start).days
            inst.segments.append(
                PenaltySegment(inst.number, start, on, principal, fen(principal * rate * days))
            )
        inst._segment_start = on


def _apply_payment(
    positions: list[InstallmentPosition], payment: Payment, allocations: list[Allocation]
) -> Decimal:
    """Allocate one payment; return what is left over (unapplied credit)."""
    left = fen(payment.amount)
    on = payment.paid_on

    def take(inst: InstallmentPosition, component: str, owed: Decimal) -> Decimal:
        nonlocal left
        amount = min(left, owed)
        if amount > 0:
            left -= amount
            allocations.append(Allocation(on, payment.reference, inst.number, component, amount))
        return amount

    for inst in positions:  # oldest first
        if left <= 0:
            break
        if inst.due_date <= on:
            inst.penalty_paid += take(inst, "penalty", inst.penalty_left(on))
            inst.interest_paid += take(inst, "interest", inst.interest_left)
            inst.principal_paid += take(inst, "principal", inst.principal_left)
            if inst.principal_left == 0 and inst.interest_left == 0 and inst.days_overdue(on) <= GRACE_DAYS:
                inst.penalty_waived = True  # paid in full within grace
        else:  # early repayment: principal only, future interest waived once principal is paid
            inst.principal_paid += take(inst, "principal", inst.principal_left)
            if inst.principal_left == 0:
                inst.interest_waived = True
    return left


def compute_statement(
    schedule: list[ScheduledInstallment],
    payments: list[Payment],
    daily_rate: Decimal,
    as_of: dt.date,
) -> Statement:
    """The loan's position at the end of ``as_of``; payments dated after it are ignored."""
    positions = [InstallmentPosition(s) for s in sorted(schedule, key=lambda s: s.number)]
    allocations: list[Allocation] = []
    unapplied = ZERO
    for payment in sorted((p for p in payments if p.paid_on <= as_of), key=lambda p: p.paid_on):
        _close_segments(positions, payment.paid_on, daily_rate)
        unapplied += _apply_payment(positions, payment, allocations)
    _close_segments(positions, as_of, daily_rate)
    return Statement(as_of, to_decimal(daily_rate), positions, allocations, unapplied)
