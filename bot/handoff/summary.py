"""What a collector sees about a handed-off conversation: the queue line and the summary card.

Compliance:
- rule 1: loan facts only for a conversation that is verified *now* (tracker slots ``verified`` and
  ``borrower_id``; a later "I am not the borrower" clears them). Unverified → who it is and every
  loan figure are left out, and the card says so.
- rule 4: the borrower's name, ID tail and phone tail are masked; free text is run through
  ``mask_text``.
- figures are as of ``bot.clock.today()`` (the same statement the bot would read out).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.db import models as m
from bot.db.repository import LedgerRepository
from bot.dialogue.explain import FAILURE_CODES, hardship_label, pct
from bot.handoff import queue
from bot.ledger.money import yuan
from bot.services.plans import collectible_loan

CHANNELS = {"web": "网页聊天", "wx": "微信公众号"}


@dataclass(frozen=True)
class ConversationState:
    """What the tracker says about the conversation now (filled by bot.handoff.relay)."""

    exists: bool = False
    paused: bool = False
    verified: bool = False
    borrower_id: str | None = None
    distress: bool = False
    third_party: bool = False
    last_intents: tuple[str, ...] = ()
    last_user_at: float | None = None
    slots: dict[str, Any] = field(default_factory=dict)


def channel_of(conversation_id: str) -> str:
    prefix = conversation_id.split(":", 1)[0] if ":" in conversation_id else ""
    return CHANNELS.get(prefix, "其他（REST）")


def mask_name(name: str | None) -> str:
    """张伟 → 张*, 欧阳娜娜 → 欧***: the family name only."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def verified_borrower(entry: m.Handoff, state: ConversationState) -> str | None:
    """Whom the conversation is verified as, now. The tracker wins (verification expires with the
    session, and a third-party statement clears it); without a tracker, the id the bot stored when
    it handed off (set only when the conversation was verified then)."""
    if state.exists:
        if state.third_party:
            return None
        return state.borrower_id if state.verified and state.borrower_id else None
    return entry.borrower_id


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def queue_line(session: Session, entry: m.Handoff, state: ConversationState, now: dt.datetime | None = None) -> dict:
    """One line of the live queue (masked; no loan figures)."""
    borrower_id = verified_borrower(entry, state)
    who = None
    if borrower_id:
        row = session.get(m.Borrower, borrower_id)
        who = f"{mask_name(row.name)}（{borrower_id}）" if row else borrower_id
    wait = queue.waiting(entry, now)
    return {
        "id": entry.id,
        "priority": entry.priority,
        "priority_label": queue.PRIORITY_LABELS.get(entry.priority, str(entry.priority)),
        "urgent": entry.priority == 0,
        "reason": entry.reason,
        "reason_label": queue.REASON_LABELS.get(entry.reason, entry.reason),
        "status": entry.status,
        "claimed_by": entry.claimed_by,
        "requested_at": entry.requested_at.isoformat(timespec="seconds"),
        "waiting_minutes": wait.minutes,
        "waiting": wait.text,
        "verified": borrower_id is not None,
        "borrower": who or "未验证身份",
        "channel": channel_of(entry.conversation_id),
        "distress": state.distress or entry.reason == "distress",
    }


def summary(session: Session, entry: m.Handoff, state: ConversationState, now: dt.datetime | None = None) -> dict:
    """The summary card: the queue line plus, for a verified borrower only, the loan picture."""
    data = queue_line(session, entry, state, now)
    data.update({
        "conversation_id": entry.conversation_id,
        "outcome": entry.outcome,
        "outcome_label": queue.OUTCOMES.get(entry.outcome or "", None),
        "bot_paused": state.paused,
        "last_intents": list(state.last_intents),
        "third_party": state.third_party,
        "as_of": clock.today().isoformat(),
    })
    borrower_id = verified_borrower(entry, state)
    if borrower_id is None:
        data["notice"] = ("对方尚未通过身份验证：不显示借款人身份和任何借款信息，也不要向对方透露。"
                          if not state.third_party else "对方表示自己不是借款人：不得透露任何借款信息。")
        data["loan"] = None
        return data

    today = clock.today()
    repo = LedgerRepository(session)
    row = session.get(m.Borrower, borrower_id)
    data["borrower_detail"] = {
        "id": borrower_id,
        "name": mask_name(row.name) if row else "",
        "id_tail": "*" * 14 + row.id_last4 if row else "",
        "phone_tail": "*" * 7 + row.phone_last4 if row else "",
    }
    hardship = repo.latest_hardship(borrower_id)
    data["hardship"] = {"category": hardship, "label": hardship_label(hardship)} if hardship else None
    view = collectible_loan(session, borrower_id, today)
    if view is None:
        data["loan"] = None
        data["notice"] = "该借款人名下没有借款。"
        return data
    st = view.statement
    nxt = st.next_installment
    failed = [a for a in view.loan.attempts if a.result == "failed"]
    data["loan"] = {
        "id": view.loan.id,
        "product": view.loan.product,
        "amount_due_now": yuan(st.amount_due_now),
        "principal_due": yuan(st.principal_due),
        "interest_due": yuan(st.interest_due),
        "penalty_due": yuan(st.penalty_due),
        "payoff": yuan(st.payoff),
        "days_overdue": st.days_overdue,
        "in_grace": st.in_grace,
        "overdue_installments": [i.number for i in st.overdue_installments],
        "next_due_date": _iso(nxt.due_date) if nxt else None,
        "settled": st.settled,
        "apr": pct(view.apr),
        "autodebit": view.loan.autodebit,
        "last_failed_attempt": ({"date": failed[-1].attempted_on.isoformat(), "code": failed[-1].failure_code,
                                 "label": FAILURE_CODES.get(failed[-1].failure_code or "", ("未知原因", ""))[0]}
                                if failed else None),
        "dispute_open": view.dispute_open,
    }
    data["promises"] = [{"id": p.id, "made_on": p.made_on.isoformat(), "date": p.promised_date.isoformat(),
                         "amount": yuan(p.amount), "status": p.status} for p in view.promises][-5:]
    plans = session.scalars(select(m.Plan).where(m.Plan.loan_id == view.loan.id).order_by(m.Plan.id)).all()
    data["plans"] = [{"id": p.id, "accepted_on": p.accepted_on.isoformat(), "term_months": p.term_months,
                      "monthly": yuan(p.monthly_payment), "apr": pct(p.apr), "total": yuan(p.total_repayment),
                      "status": p.status} for p in plans]
    cases = session.scalars(select(m.Case).where(m.Case.borrower_id == borrower_id, m.Case.status == "open")
                            .order_by(m.Case.id)).all()
    data["cases"] = [{"reference": c.reference, "kind": c.kind} for c in cases]
    return data
