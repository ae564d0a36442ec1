"""Compliance rule 1: verify before disclosing.

ID tail (mandatory) plus birth date or phone tail. The result never says which factor was wrong.
3 failed attempts in a conversation lock verification for 30 minutes. Failures are counted from
the audit log, so the lock survives restarts and holds across Rasa replicas.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot import clock
from bot.compliance.policy import POLICY
from bot.db.repository import LedgerRepository
from bot.services import audit

FAILED = "verification_failed"
PASSED = "verification_passed"


@dataclass(frozen=True)
class Factors:
    id_last4: str | None = None
    birth_date: dt.date | None = None
    phone_last4: str | None = None

    @property
    def complete(self) -> bool:
        return bool(self.id_last4) and (self.birth_date is not None or bool(self.phone_last4))

    def redacted(self) -> dict:
        """What the audit log keeps about an attempt: which factors were given, never their values."""
        return {"id_last4": bool(self.id_last4), "birth_date": self.birth_date is not None,
                "phone_last4": bool(self.phone_last4)}


#: a birth date that could not be read (「2月30号」) never matches anyone
UNREADABLE_DATE = dt.date(1, 1, 1)


def factors_from(id_last4: object, birth_date: object, phone_last4: object) -> Factors:
    """Factors from what a conversation holds (slot or entity values): the ID tail upper-cased, the birth
    date read from ISO (unreadable: ``UNREADABLE_DATE``, which matches nobody), empty values as none."""
    birth = None
    if birth_date:
        try:
            birth = dt.date.fromisoformat(str(birth_date))
        except ValueError:
            birth = UNREADABLE_DATE
    return Factors(id_last4=str(id_last4).upper() if id_last4 else None, birth_date=birth,
                   phone_last4=str(phone_last4) if phone_last4 else None)


@dataclass(frozen=True)
class VerificationResult:
    status: str  # passed | failed | locked | incomplete
    borrower_id: str | None = None
    attempts_left: int = 0
    locked_until: dt.datetime | None = None


def lock_state(session: Session, conversation_id: str, now: dt.datetime | None = None) -> VerificationResult | None:
    """The lock in force for this conversation, if any."""
    now = now or clock.now()
    window = dt.timedelta(minutes=POLICY.verify_lockout_minutes)
    failures = audit.count(session, FAILED, conversation_id=conversation_id, since=now - window)
    if failures < POLICY.verify_max_attempts:
        return None
    last = audit.latest(session, FAILED, conversation_id=conversation_id)
    until = (last.at if last else now) + window
    return VerificationResult("locked", locked_until=until)


def verify(session: Session, conversation_id: str, factors: Factors, now: dt.datetime | None = None) -> VerificationResult:
    now = now or clock.now()
    locked = lock_state(session, conversation_id, now)
    if locked:
        audit.record(session, "verification_refused_locked", conversation_id=conversation_id, detail=factors.redacted(), at=now)
        return locked
    if not factors.complete:
        return VerificationResult("incomplete")
    repo = LedgerRepository(session)
    matches = [
        b for b in repo.borrowers_with_id_tail(factors.id_last4 or "")
        if (factors.birth_date is not None and b.birth_date == factors.birth_date)
        or (factors.phone_last4 and b.phone_last4 == factors.phone_last4)
    ]
    if len(matches) == 1:
        borrower = matches[0]
        audit.record(session, PASSED, conversation_id=conversation_id, borrower_id=borrower.id, detail=factors.redacted(), at=now)
        from bot.handoff.queue import verified_later  # a handoff asked for before verifying says whose it is

        verified_later(session, conversation_id, borrower.id)
        return VerificationResult("passed", borrower_id=borrower.id)
    audit.record(session, FAILED, conversation_id=conversation_id, detail={**factors.redacted(), "matches": len(matches)}, at=now)
    window = dt.timedelta(minutes=POLICY.verify_lockout_minutes)
    failures = audit.count(session, FAILED, conversation_id=conversation_id, since=now - window)
    left = max(POLICY.verify_max_attempts - failures, 0)
    if left == 0:
        return VerificationResult("locked", locked_until=now + window)
    return VerificationResult("failed", attempts_left=left)
