"""Disputes, complaints, opt-outs and hardship declarations (compliance rules 3, 10, 11, 12, 13)."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.compliance.policy import HARDSHIP_CATEGORIES
from bot.db import models as m
from bot.services import audit

#: every category the intents contract names: the qualifying ones of the policy, plus forgot/other
RECORDABLE_HARDSHIPS = (*HARDSHIP_CATEGORIES, "forgot", "other")


def _reference(kind: str) -> str:
    prefix = {"dispute": "YY", "complaint": "TS"}[kind]  # 异议 / 投诉
    return f"{prefix}{clock.today():%Y%m%d}{secrets.randbelow(10**6):06d}"


def open_case(session: Session, kind: str, *, borrower_id: str | None, loan_id: str | None,
              conversation_id: str) -> m.Case:
    """One open case of a kind per conversation: asking twice returns the same reference."""
    existing = session.scalar(select(m.Case).where(m.Case.conversation_id == conversation_id, m.Case.kind == kind,
                                                   m.Case.status == "open"))
    if existing is not None:
        return existing
    case = m.Case(reference=_reference(kind), kind=kind, borrower_id=borrower_id, loan_id=loan_id,
                  opened_at=clock.now(), status="open", conversation_id=conversation_id)
    session.add(case)
    session.flush()
    audit.record(session, f"{kind}_opened", conversation_id=conversation_id, borrower_id=borrower_id,
                 detail={"reference": case.reference, "loan": loan_id})
    return case


def open_in_conversation(session: Session, conversation_id: str, kind: str) -> m.Case | None:
    """The case of ``kind`` opened in this conversation and still open (a dispute by someone not verified)."""
    return session.scalar(select(m.Case).where(m.Case.conversation_id == conversation_id, m.Case.kind == kind,
                                               m.Case.status == "open").limit(1))


def open_cases_of(session: Session, borrower_id: str | None, kind: str | None = None) -> list[m.Case]:
    """The borrower's open cases (of ``kind``, or every kind), from any conversation, latest first."""
    if not borrower_id:
        return []
    query = select(m.Case).where(m.Case.borrower_id == borrower_id, m.Case.status == "open")
    if kind is not None:
        query = query.where(m.Case.kind == kind)
    return list(session.scalars(query.order_by(m.Case.opened_at.desc(), m.Case.id.desc())))


def hardship_category(category: str) -> str:
    """The category as recorded: one of RECORDABLE_HARDSHIPS, an unknown one is 'other'."""
    return category if category in RECORDABLE_HARDSHIPS else "other"


def hardship_recorded(session: Session, borrower_id: str, category: str, conversation_id: str) -> bool:
    """Whether this conversation already recorded this category for the borrower."""
    category = hardship_category(category)
    return session.scalar(select(m.Hardship.id).where(
        m.Hardship.borrower_id == borrower_id, m.Hardship.category == category,
        m.Hardship.conversation_id == conversation_id).limit(1)) is not None


def record_hardship(session: Session, borrower_id: str, category: str, conversation_id: str) -> str:
    category = hardship_category(category)
    repo_row = m.Hardship(borrower_id=borrower_id, category=category, declared_at=clock.now(), conversation_id=conversation_id)
    session.add(repo_row)
    audit.record(session, "hardship_recorded", conversation_id=conversation_id, borrower_id=borrower_id,
                 detail={"category": category})
    return category


def opt_out(session: Session, borrower_id: str | None, scope: str, conversation_id: str) -> None:
    if borrower_id:
        session.add(m.ContactOptOut(borrower_id=borrower_id, scope=scope, recorded_at=clock.now(), conversation_id=conversation_id))
    audit.record(session, "contact_opt_out", conversation_id=conversation_id, borrower_id=borrower_id, detail={"scope": scope})


def latest_opt_out(session: Session, borrower_id: str | None, scope: str = "proactive") -> m.ContactOptOut | None:
    """The borrower's latest opt-out of ``scope``, if any."""
    if not borrower_id:
        return None
    return session.scalar(select(m.ContactOptOut).where(m.ContactOptOut.borrower_id == borrower_id,
                                                        m.ContactOptOut.scope == scope)
                          .order_by(m.ContactOptOut.recorded_at.desc()).limit(1))
