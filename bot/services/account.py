"""What a borrower's loans look like today: statement, plan, promises, dispute, hardship."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from bot.db import models as m
from bot.db.repository import LedgerRepository, LoanRecord
from bot.ledger.schedule import apr_from_daily_rate
from bot.ledger.schedule import ScheduledInstallment
from bot.ledger.statement import Payment, Statement, compute_statement
from bot.plans.position import plan_statement
from bot.promises.rules import promise_status


#: the reference of the payment a what-if statement adds
WHAT_IF = "what-if"


@dataclass(frozen=True)
class PromiseView:
    id: int
    made_on: dt.date
    promised_date: dt.date
    amount: object
    status: str


@dataclass(frozen=True)
class LoanView:
    """``statement`` is the loan's position today; while a plan runs, on the plan's schedule."""

    loan: LoanRecord
    statement: Statement
    active_plan: m.Plan | None
    promises: tuple[PromiseView, ...]
    dispute_open: bool

    @property
    def apr(self):
        return apr_from_daily_rate(self.loan.daily_rate)

    @property
    def broken_promises(self) -> tuple[PromiseView, ...]:
        return tuple(p for p in self.promises if p.status == "broken")

    @property
    def open_promises(self) -> tuple[PromiseView, ...]:
        return tuple(p for p in self.promises if p.status == "open")

    def failed_debits(self, since: dt.date) -> list:
        """The autodebit attempts that failed from ``since`` up to the statement's day, oldest first."""
        return sorted((a for a in self.loan.attempts
                       if a.result == "failed" and since <= a.attempted_on <= self.statement.as_of),
                      key=lambda a: a.attempted_on)

    def statement_on(self, day: dt.date) -> Statement:
        """The statement at the end of ``day`` if nothing more is paid (what a promise date will find)."""
        return position(self.loan, self.active_plan, list(self.loan.payments), day)

    def if_paid_today(self, amount: Decimal) -> Statement:
        """The statement as it would be if ``amount`` were paid today (nothing is written)."""
        today = self.statement.as_of
        return position(self.loan, self.active_plan, [*self.loan.payments, Payment(today, amount, WHAT_IF)], today)


def position(record: LoanRecord, plan: m.Plan | None, payments: list[Payment], today: dt.date) -> Statement:
    """The loan's statement at the end of ``today`` given ``payments``: on the plan's schedule
    while a plan runs (bot/plans/position.py)."""
    if plan is None:
        return compute_statement(list(record.schedule), payments, record.daily_rate, today)
    return plan_statement(
        loan_schedule=list(record.schedule), payments=payments, daily_rate=record.daily_rate,
        accepted_on=plan.accepted_on, plan_amount=plan.amount, as_of=today,
        plan_schedule=[ScheduledInstallment(i.number, i.due_date, i.principal, i.interest) for i in plan.installments])


def loan_view(session: Session, loan_id: str, today: dt.date) -> LoanView:
    repo = LedgerRepository(session)
    record = repo.loan(loan_id)
    plan = repo.active_plan(loan_id)
    statement = position(record, plan, list(record.payments), today)
    promises = []
    for p in repo.promises(loan_id):
        if p.status == "replaced":  # by a later promise (bot/promises/rules.py:superseded) or a plan: final
            status = p.status
        else:
            status = promise_status(p.promised_date, p.amount, repo.payments_between(loan_id, p.made_on, p.promised_date),
                                    today)
        if status != p.status and p.status == "open":
            p.status = status  # open → kept / broken, or replaced when a later promise takes its place
        promises.append(PromiseView(p.id, p.made_on, p.promised_date, p.amount, status))
    return LoanView(record, statement, plan, tuple(promises), repo.open_dispute(loan_id) is not None)


def borrower_loans(session: Session, borrower_id: str, today: dt.date) -> list[LoanView]:
    repo = LedgerRepository(session)
    repo.borrower(borrower_id)  # NotFound for an unknown id
    return [loan_view(session, loan_id, today) for loan_id in repo.loan_ids(borrower_id)]
