"""The handoff queue, in the database (shared by every Rasa replica)."""
from __future__ import annotations

import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.db import models as m
from bot.errors import ConfigError
from bot.services import audit

#: Lower number = served first. Distress jumps the queue (compliance rule 9).
PRIORITY = {"distress": 0, "dispute": 1, "complaint": 1, "verification_locked": 2, "fee_waiver": 2,
            "no_affordable_plan": 2, "request_human": 3, "two_fallbacks": 3}


def request_handoff(session: Session, conversation_id: str, borrower_id: str | None, reason: str) -> m.Handoff:
    """Queue the conversation for a person; one open entry per conversation (raised, never lowered)."""
    priority = PRIORITY.get(reason, 3)
    entry = session.scalar(select(m.Handoff).where(m.Handoff.conversation_id == conversation_id,
                                                   m.Handoff.status.in_(("waiting", "claimed"))))
    if entry is None:
        entry = m.Handoff(conversation_id=conversation_id, borrower_id=borrower_id, reason=reason,
                          priority=priority, status="waiting", requested_at=clock.now())
        session.add(entry)
    elif priority < entry.priority:
        entry.priority, entry.reason = priority, reason
    if borrower_id and not entry.borrower_id:
        entry.borrower_id = borrower_id
    session.flush()
    audit.record(session, "handoff_requested", conversation_id=conversation_id, borrower_id=borrower_id,
                 detail={"reason": reason, "priority": priority, "handoff": entry.id})
    return entry


def service_hours() -> tuple[int, int]:
    """Collectors' hours, ``BOT_SERVICE_HOURS=9-21`` (Asia/Shanghai), default 9:00-21:00."""
    raw = os.environ.get("BOT_SERVICE_HOURS", "9-21")
    try:
        start, end = (int(x) for x in raw.split("-", 1))
        if 0 <= start < end <= 24:
            return start, end
    except ValueError:
        pass
    raise ConfigError(f"BOT_SERVICE_HOURS={raw!r} must look like 9-21")


def wait_hint() -> str:
    """What the borrower is told about the wait."""
    now = clock.now()
    start, end = service_hours()
    if start <= now.hour < end:
        return f"人工服务时间为每天{start}:00-{end}:00，通常几分钟内会有回复。"
    return f"现在是非人工服务时间（每天{start}:00-{end}:00），工作人员会在下一个服务时段尽快回复您。"
