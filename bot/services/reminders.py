"""Proactive reminders (compliance rule 14): select, decide, render, send through a notifier.

Selection by stage: the next installment due in 3 days, due today, or the loan overdue. The
decision (quiet hours, 2 a day, 7 per rolling 7 days across channels, no reminders to opted-out,
disputed, distressed or on-plan borrowers) is bot.compliance.reminders.decide. Every decision is
written to the outbox and the audit log. The idempotency key (loan, installment, stage, day) makes a
second run on the same day send nothing twice; a deferred reminder is decided again on a later run.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.compliance.reminders import BorrowerFlags, Decision, ReminderCandidate, decide, render_reminder
from bot.db import models as m
from bot.dialogue.explain import cn_date
from bot.ledger.money import yuan
from bot.notify import Notifier
from bot.services import audit
from bot.services.account import borrower_loans


@dataclass(frozen=True)
class Planned:
    key: str
    borrower_id: str
    loan_id: str
    stage: str
    decision: Decision
    text: str | None


def _stage(view, today: dt.date) -> tuple[str, int, dict] | None:
    st = view.statement  # while a plan runs, the plan's installments (bot/plans/position.py)
    if st.settled:
        return None
    plan = {"on_plan": "yes"} if view.active_plan is not None else {}
    if st.overdue_installments:
        first = st.overdue_installments[0]
        return "overdue", first.number, {"amount": yuan(st.amount_due_now), "due_date": cn_date(first.due_date),
                                          "days_overdue": str(st.days_overdue), **plan}
    if st.due_today_installments:
        return "due_today", st.due_today_installments[0].number, {"amount": yuan(st.amount_due_now),
                                                                  "due_date": cn_date(today), **plan}
    nxt = st.next_installment
    if nxt is not None and (nxt.due_date - today).days == 3:
        return "due_in_3_days", nxt.number, {"amount": yuan(nxt.owed(today)), "due_date": cn_date(nxt.due_date), **plan}
    return None


def _flags(session: Session, borrower_id: str, view) -> BorrowerFlags:
    opted = session.scalar(select(m.ContactOptOut.id).where(m.ContactOptOut.borrower_id == borrower_id,
                                                           m.ContactOptOut.scope == "proactive").limit(1))
    distress = session.scalar(select(m.Handoff.id).where(m.Handoff.borrower_id == borrower_id, m.Handoff.reason == "distress",
                                                        m.Handoff.status != "closed").limit(1))
    return BorrowerFlags(opted_out=opted is not None, open_dispute=view.dispute_open,
                         in_distress=distress is not None,
                         # rule 14 "whose plan is current": on a plan and no plan installment overdue
                         plan_current=view.active_plan is not None and not view.statement.overdue_installments)


def plan(session: Session, now: dt.datetime) -> list[Planned]:
    """What a run at ``now`` would do, and why (nothing is written)."""
    today = now.date()
    planned: list[Planned] = []
    for borrower_id in session.scalars(select(m.Borrower.id).order_by(m.Borrower.id)):
        sent = list(session.scalars(select(m.OutboxMessage.sent_at).where(
            m.OutboxMessage.borrower_id == borrower_id, m.OutboxMessage.status == "sent")))
        for view in borrower_loans(session, borrower_id, today):
            stage = _stage(view, today)
            if stage is None:
                continue
            name, number, facts = stage
            key = f"{view.loan.id}:{number}:{name}:{today.isoformat()}"
            done = session.scalar(select(m.OutboxMessage).where(m.OutboxMessage.idempotency_key == key))
            if done is not None and done.status in ("sent", "dropped"):
                continue
            decision = decide(ReminderCandidate(borrower_id, name), _flags(session, borrower_id, view), sent, now)
            text = render_reminder(name, facts) if decision.action == "send" else None
            planned.append(Planned(key, borrower_id, view.loan.id, name, decision, text))
            if decision.action == "send":
                sent.append(now)  # a second loan of the same borrower counts against the same limits
    return planned


def run(session: Session, now: dt.datetime, notifier: Notifier) -> list[Planned]:
    results = plan(session, now)
    for item in results:
        row = session.scalar(select(m.OutboxMessage).where(m.OutboxMessage.idempotency_key == item.key))
        if row is None:
            row = m.OutboxMessage(idempotency_key=item.key, borrower_id=item.borrower_id, loan_id=item.loan_id,
                                  stage=item.stage, channel=notifier.channel, status="deferred", reason="", decided_at=now)
            session.add(row)
        row.decided_at, row.reason, row.text = now, item.decision.reason, item.text
        row.not_before = item.decision.not_before
        if item.decision.action == "send":
            delivered = notifier.send(item.borrower_id, item.text or "")
            row.status = "sent" if delivered else "deferred"
            row.sent_at = now if delivered else None
        else:
            row.status = "dropped" if item.decision.action == "drop" else "deferred"
        session.flush()
        audit.record(session, f"reminder_{row.status}", actor="system", borrower_id=item.borrower_id,
                     detail={"loan": item.loan_id, "stage": item.stage, "reason": item.decision.reason,
                             "not_before": item.decision.not_before}, at=now)
    return results
