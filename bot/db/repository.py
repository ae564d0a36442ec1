"""The repository: loads and stores ledger aggregates. No rules here, only persistence.

Callers get plain values (dataclasses from bot.ledger) or ORM rows; they never write SQL.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import models as m
from bot.errors import NotFound
from bot.ledger.schedule import ScheduledInstallment
from bot.ledger.statement import Payment


@dataclass(frozen=True)
class Attempt:
    attempted_on: dt.date
    amount: Decimal
    result: str
    failure_code: str | None


@dataclass(frozen=True)
class LoanRecord:
    """Everything the ledger rules need about one loan, as plain values."""

    id: str
    borrower_id: str
    product: str
    principal: Decimal
    daily_rate: Decimal
    term_months: int
    first_due: dt.date
    autodebit: bool
    schedule: tuple[ScheduledInstallment, ...]
    payments: tuple[Payment, ...]
    attempts: tuple[Attempt, ...]


class LedgerRepository:
    def __init__(self, session: Session):
        self.session = session

    # -- borrowers --------------------------------------------------------------------------
    def borrower(self, borrower_id: str) -> m.Borrower:
        row = self.session.get(m.Borrower, (borrower_id or "").strip().upper())
        if row is None:
            raise NotFound(f"no borrower with id {borrower_id!r}")
        return row

    def borrowers_with_id_tail(self, id_last4: str) -> list[m.Borrower]:
        return list(self.session.scalars(select(m.Borrower).where(m.Borrower.id_last4 == id_last4.upper())))

    def count_borrowers(self) -> int:
        return self.session.scalar(select(func.count()).select_from(m.Borrower)) or 0

    def loan_ids(self, borrower_id: str) -> list[str]:
        return list(self.session.scalars(select(m.Loan.id).where(m.Loan.borrower_id == borrower_id).order_by(m.Loan.id)))

    # -- loans ------------------------------------------------------------------------------
    def loan(self, loan_id: str) -> LoanRecord:
        row = self.session.get(m.Loan, loan_id)
        if row is None:
            raise NotFound(f"no loan with id {loan_id!r}")
        return LoanRecord(
            id=row.id,
            borrower_id=row.borrower_id,
            product=row.product,
            principal=row.principal,
            daily_rate=row.daily_rate,
            term_months=row.term_months,
            first_due=row.first_due,
            autodebit=row.autodebit,
            schedule=tuple(
                ScheduledInstallment(i.number, i.due_date, i.principal, i.interest) for i in row.installments
            ),
            payments=tuple(Payment(p.paid_on, p.amount, p.reference) for p in row.payments),
            attempts=tuple(Attempt(a.attempted_on, a.amount, a.result, a.failure_code) for a in row.attempts),
        )

    def add_loan(self, borrower_id: str, loan_id: str, *, product: str, principal: Decimal, daily_rate: Decimal,
                 term_months: int, first_due: dt.date, autodebit: bool,
                 schedule: list[ScheduledInstallment]) -> None:
        loan = m.Loan(id=loan_id, borrower_id=borrower_id, product=product, principal=principal,
                      daily_rate=daily_rate, term_months=term_months, first_due=first_due, autodebit=autodebit)
        loan.installments = [
            m.Installment(number=s.number, due_date=s.due_date, principal=s.principal, interest=s.interest)
            for s in schedule
        ]
        self.session.add(loan)

    def add_payment(self, loan_id: str, paid_on: dt.date, amount: Decimal, channel: str, reference: str) -> None:
        self.session.add(m.Payment(loan_id=loan_id, paid_on=paid_on, amount=amount, channel=channel, reference=reference))

    def add_attempt(self, loan_id: str, on: dt.date, amount: Decimal, result: str, code: str | None) -> None:
        self.session.add(m.PaymentAttempt(loan_id=loan_id, attempted_on=on, amount=amount, result=result, failure_code=code))

    def payments_between(self, loan_id: str, start: dt.date, end: dt.date) -> Decimal:
        total = self.session.scalars(
            select(m.Payment.amount).where(m.Payment.loan_id == loan_id, m.Payment.paid_on > start, m.Payment.paid_on <= end)
        )
        return sum(total, Decimal("0.00"))

    # -- promises ---------------------------------------------------------------------------
    def promises(self, loan_id: str) -> list[m.Promise]:
        return list(self.session.scalars(select(m.Promise).where(m.Promise.loan_id == loan_id).order_by(m.Promise.made_on, m.Promise.id)))

    def promise_by_key(self, key: str) -> m.Promise | None:
        return self.session.scalar(select(m.Promise).where(m.Promise.idempotency_key == key))

    def add_promise(self, loan_id: str, made_on: dt.date, promised_date: dt.date, amount: Decimal,
                    conversation_id: str | None = None, idempotency_key: str | None = None) -> m.Promise:
        row = m.Promise(loan_id=loan_id, made_on=made_on, promised_date=promised_date, amount=amount,
                        status="open", conversation_id=conversation_id, idempotency_key=idempotency_key)
        self.session.add(row)
        self.session.flush()
        return row

    # -- plans ------------------------------------------------------------------------------
    def active_plan(self, loan_id: str) -> m.Plan | None:
        return self.session.scalar(select(m.Plan).where(m.Plan.loan_id == loan_id, m.Plan.status == "active"))

    def plan_by_key(self, key: str) -> m.Plan | None:
        return self.session.scalar(select(m.Plan).where(m.Plan.idempotency_key == key))

    def add_plan(self, row: m.Plan) -> m.Plan:
        self.session.add(row)
        self.session.flush()
        return row

    # -- hardship, cases, opt-outs ------------------------------------------------------------
    def latest_hardship(self, borrower_id: str) -> str | None:
        return self.session.scalar(
            select(m.Hardship.category).where(m.Hardship.borrower_id == borrower_id)
            .order_by(m.Hardship.declared_at.desc(), m.Hardship.id.desc()).limit(1)
        )

    def add_hardship(self, borrower_id: str, category: str, at: dt.datetime, conversation_id: str | None) -> None:
        self.session.add(m.Hardship(borrower_id=borrower_id, category=category, declared_at=at, conversation_id=conversation_id))

    def open_dispute(self, loan_id: str) -> m.Case | None:
        return self.session.scalar(
            select(m.Case).where(m.Case.loan_id == loan_id, m.Case.kind == "dispute", m.Case.status == "open").limit(1)
        )
