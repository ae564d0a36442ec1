"""Audit export (masked) and purge (only past the retention period): compliance rules 4 and 15."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bot import clock
from bot.compliance.masking import mask_text, mask_value
from bot.compliance.policy import POLICY
from bot.db import models as m
from bot.errors import RuleViolation

FIELDS = ("id", "at", "actor", "action", "conversation_id", "borrower_id", "detail", "text")


def entries(session: Session, borrower_id: str | None, since: dt.datetime | None) -> list[m.AuditEntry]:
    query = select(m.AuditEntry).order_by(m.AuditEntry.at, m.AuditEntry.id)
    if borrower_id:
        conversations = select(m.AuditEntry.conversation_id).where(
            m.AuditEntry.borrower_id == borrower_id, m.AuditEntry.conversation_id.is_not(None))
        query = query.where(or_(m.AuditEntry.borrower_id == borrower_id, m.AuditEntry.conversation_id.in_(conversations)))
    if since:
        query = query.where(m.AuditEntry.at >= since)
    return list(session.scalars(query))


def _row(entry: m.AuditEntry) -> dict:
    # masked again on the way out: entries are masked when written, and masking is idempotent
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action,
            "conversation_id": entry.conversation_id, "borrower_id": entry.borrower_id,
            "detail": mask_value(entry.detail), "text": mask_text(entry.text) if entry.text else None}


def export(rows: list[m.AuditEntry], fmt: str) -> str:
    data = [_row(e) for e in rows]
    if fmt == "jsonl":
        return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in data)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for d in data:
            writer.writerow({**d, "detail": json.dumps(d["detail"], ensure_ascii=False)})
        return out.getvalue()
    raise RuleViolation(f"unknown format {fmt!r}: use csv or jsonl")


def purge(session: Session, before: dt.date) -> int:
    """Delete entries older than ``before``; refuses a date inside the retention period."""
    cutoff = POLICY.audit_purge_cutoff(clock.now())
    boundary = dt.datetime.combine(before, dt.time(0, 0), tzinfo=clock.TZ)
    if boundary > cutoff:
        raise RuleViolation(f"audit entries are kept at least {POLICY.audit_retention_years} years: "
                            f"--before must be on or before {cutoff:%Y-%m-%d}")
    count = session.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.at < boundary)) or 0
    session.execute(delete(m.AuditEntry).where(m.AuditEntry.at < boundary),
                    execution_options={"synchronize_session": False})
    return count
