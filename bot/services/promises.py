"""Promises to pay: validate against the ledger and record (idempotent)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from bot.db import models as m
from bot.db.repository import LedgerRepository
from bot.errors import RuleViolation
from bot.promises.rules import PromiseCheck, check_promise, resolve_amount, superseded
from bot.services import audit
from bot.services.plans import collectible_loan


def check(session: Session, borrower_id: str, date: dt.date, amount: str | Decimal | None, today: dt.date) -> PromiseCheck:
    view = collectible_loan(session, borrower_id, today)
    due = view.statement.amount_due_now if view else Decimal("0.00")
    resolved = resolve_amount(amount if amount is not None else "all", due)
    due_then = view.statement_on(date).amount_due_now if view is not None and today <= date else None
    return check_promise(date, resolved, due, today, due_then=due_then)


def same_open(view, date: dt.date, amount: Decimal):
    """The open promise on the loan for the same day and amount, if one is (a promise said again, or
    recorded by a collector and then asked after: found by a probe, three open promises where two were one)."""
    if view is None:
        return None
    return next((p for p in view.open_promises if p.promised_date == date and Decimal(str(p.amount)) == amount), None)


def replaced_by(view, amount: Decimal) -> tuple:
    """The open promises a new one of ``amount`` would replace (bot/promises/rules.py:superseded), oldest first."""
    if view is None:
        return ()
    ids = superseded(Decimal(str(amount)), [(p.id, Decimal(str(p.amount))) for p in view.open_promises],
                     view.statement.amount_due_now)
    return tuple(p for p in view.open_promises if p.id in ids)


def record(session: Session, borrower_id: str, date: dt.date, amount: Decimal, today: dt.date, *,
           conversation_id: str, idempotency_key: str) -> tuple[m.Promise, bool]:
    """The promise, recorded once: a retried request (its idempotency key) or the same day and amount
    already open on the loan return that promise, not a second one."""
    repo = LedgerRepository(session)
    existing = repo.promise_by_key(idempotency_key)
    if existing is not None:
        return existing, False
    same = same_open(collectible_loan(session, borrower_id, today), date, Decimal(str(amount)))
    if same is not None:
        return session.get(m.Promise, same.id), False
    result = check(session, borrower_id, date, amount, today)
    if not result.ok:
        raise RuleViolation(result.reason)
    view = collectible_loan(session, borrower_id, today)
    replaced = replaced_by(view, amount)
    for old in replaced:
        session.get(m.Promise, old.id).status = "replaced"
    row = repo.add_promise(view.loan.id, today, date, amount, conversation_id, idempotency_key)
    audit.record(session, "promise_recorded", conversation_id=conversation_id, borrower_id=borrower_id,
                 detail={"loan": view.loan.id, "promise": row.id, "amount": str(amount), "date": date.isoformat(),
                         "replaces": [p.id for p in replaced]})
    return row, True
