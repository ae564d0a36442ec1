"""Compliance rule 15: append every message and decision to the audit log, masked (rule 4)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import clock
from bot.compliance.masking import mask_text
from bot.compliance.sensitive_text import redact
from bot.db import models as m


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int)):
        return value
    return str(value)


def record(
    session: Session,
    action: str,
    *,
    actor: str = "bot",
    conversation_id: str | None = None,
    borrower_id: str | None = None,
    detail: dict | None = None,
    text: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    session.add(
        m.AuditEntry(
            at=at or clock.now(),
            actor=actor,
            action=action,
            conversation_id=conversation_id,
            borrower_id=borrower_id,
            detail=_mask(detail or {}),
            # people's words (the borrower's, a collector's note or reply): health and bereavement details masked
            # too (rule 3; found by a probe: a note 「查出肿瘤 乳腺癌化疗」 kept word for word); the bot's own
            # templates are logged as sent
            text=None if text is None else mask_text(text if actor == "bot" else redact(text)),
        )
    )


def count(session: Session, action: str, *, conversation_id: str, since: dt.datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(m.AuditEntry).where(
            m.AuditEntry.action == action,
            m.AuditEntry.conversation_id == conversation_id,
            m.AuditEntry.at >= since,
        )
    ) or 0


def latest(session: Session, action: str, *, conversation_id: str) -> m.AuditEntry | None:
    return session.scalar(
        select(m.AuditEntry).where(m.AuditEntry.action == action, m.AuditEntry.conversation_id == conversation_id)
        .order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc()).limit(1)
    )
