"""The handoff queue, in the database (shared by every Rasa replica).

The bot side: ``request_handoff`` and ``withdraw`` (actions call them), ``wait_hint``. The
collector side (bot/console uses it): ``open_entries``, ``claim``, ``reassign``, ``hand_back``,
``close``, ``add_note``, ``set_outcome``; status changes are conditional UPDATEs, so replicas need no
shared memory, and every change is written to the entry's history (``handoff_events``) and to the
audit log.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.compliance.masking import mask_text
from bot.compliance.sensitive_text import redact
from bot.db import models as m
from bot.errors import ConfigError
from bot.services import audit

#: Lower number = served first. Distress jumps the queue (compliance rule 9).
PRIORITY = {"distress": 0, "dispute": 1, "complaint": 1, "verification_locked": 2, "fee_waiver": 2,
            "no_affordable_plan": 2, "payment_check": 2, "bereavement": 1, "request_human": 3, "two_fallbacks": 3,
            "wrong_number": 2}


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


def open_reason(session: Session, conversation_id: str) -> str | None:
    """Why the conversation's open entry (waiting or claimed) was queued, or None."""
    return session.scalar(select(m.Handoff.reason).where(m.Handoff.conversation_id == conversation_id,
                                                         m.Handoff.status.in_(("waiting", "claimed"))))


def verified_later(session: Session, conversation_id: str, borrower_id: str) -> None:
    """The borrower verified after asking for a person: the open entry says whose it is (found by a probe:
    the hand-back's record kept ``borrower_id`` null though the summary showed the borrower verified)."""
    session.execute(update(m.Handoff).where(m.Handoff.conversation_id == conversation_id,
                                            m.Handoff.status.in_(("waiting", "claimed")),
                                            m.Handoff.borrower_id.is_(None)).values(borrower_id=borrower_id))


#: what a borrower may take back: their own request for a person, not a handoff a rule queued
#: (distress, a dispute, a complaint, no affordable plan, …)
WITHDRAWABLE_REASONS = ("request_human",)
#: the outcome of a withdrawn request (not one of OUTCOMES: collectors never choose it)
WITHDRAWN = "withdrawn"


def withdraw(session: Session, conversation_id: str) -> bool:
    """The borrower no longer wants a person (「算了 不用了」 right after 转人工): their waiting request
    is closed with outcome ``withdrawn``. One a collector has claimed, or one a rule queued, stays;
    False then, or when there is none."""
    entry = session.scalar(select(m.Handoff).where(m.Handoff.conversation_id == conversation_id,
                                                   m.Handoff.status == "waiting",
                                                   m.Handoff.reason.in_(WITHDRAWABLE_REASONS)))
    if entry is None:
        return False
    result = session.execute(
        update(m.Handoff).where(m.Handoff.id == entry.id, m.Handoff.status == "waiting")
        .values(status="closed", outcome=WITHDRAWN).execution_options(synchronize_session=False))
    session.refresh(entry)
    if result.rowcount != 1:  # claimed meanwhile: the collector talks to them
        return False
    log_event(session, entry, "withdrawn", "borrower")
    audit.record(session, "handoff_withdrawn", actor="borrower", conversation_id=conversation_id,
                 borrower_id=entry.borrower_id, detail={"handoff": entry.id})
    return True


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


def wait_hint(reason: str | None = None) -> str:
    """What the borrower is told about the wait: in service hours a few minutes; outside them, when
    (today/tomorrow at the opening hour). The bot keeps answering until a person claims the
    conversation, so it says so — except after distress, where nothing may sound like collection."""
    now = clock.now()
    start, end = service_hours()
    if start <= now.hour < end:
        return f"人工服务时间为每天{start}:00-{end}:00，通常几分钟内会有回复。"
    when = f"今天{start}:00" if now.hour < start else f"明天{start}:00"
    hint = f"现在是非人工服务时间（每天{start}:00-{end}:00），工作人员会在{when}开始后尽快回复您。"
    if reason == "distress":
        return hint + "如有紧急危险，请立即拨打110或120。"
    if reason == "verification_locked":  # found live: 「验证已暂停30分钟」 and then 「我仍可以继续为您查询和办理」
        return hint + "在此之前，我可以回答还款方式等一般问题，但暂时不能查询账户。"
    if reason in ("bereavement", "wrong_number"):  # not the borrower: nothing is looked up or done for them here
        return hint
    return hint + "在此之前，我仍可以继续为您查询和办理。"


# ---------------------------------------------------------------------------------------------------
# The collector side: listing, claiming, reassigning, handing back and closing (bot/console uses these).
# Status changes are conditional UPDATEs (… WHERE status = 'waiting'), so two collectors on two
# replicas can never both claim the same conversation: the database decides, not process memory.
# ---------------------------------------------------------------------------------------------------
OPEN = ("waiting", "claimed")

#: Plain Chinese for the console.
REASON_LABELS = {
    "distress": "情绪危机（紧急）", "dispute": "对欠款有异议", "complaint": "投诉",
    "verification_locked": "身份验证被锁定", "fee_waiver": "申请减免罚息", "no_affordable_plan": "没有负担得起的方案",
    "request_human": "要求转人工", "two_fallbacks": "机器人连续两次没听懂", "payment_check": "说已还款但未查到入账", "bereavement": "家属告知借款人身故",
    "wrong_number": "非借款人要求停止联系这个号码",
}
PRIORITY_LABELS = {0: "紧急", 1: "高", 2: "中", 3: "普通"}

#: Outcome codes a collector may record (a closed entry always has one).
OUTCOMES = {
    "promise_to_pay": "约定还款（已记录承诺）",
    "plan_agreed": "同意分期方案",
    "paid": "已还款",
    "hardship_referral": "困难情况，转专门处理",
    "dispute_review": "异议核实中",
    "complaint_handled": "投诉已受理/答复",
    "callback_scheduled": "约定回访",
    "wellbeing_support": "已提供关怀与求助资源",
    "wrong_party": "非本人，未披露任何信息",
    "no_response": "借款人未回复",
    "resolved_other": "其他已解决",
}


class QueueError(Exception):
    """A queue operation that is not allowed now; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def held_by_collector(session: Session, conversation_id: str) -> bool:
    """True while a collector has claimed the conversation (the bot must stay silent)."""
    return session.scalar(select(m.Handoff.id).where(m.Handoff.conversation_id == conversation_id,
                                                     m.Handoff.status == "claimed").limit(1)) is not None


def actor_name(collector_name: str) -> str:
    return f"collector:{collector_name}"


def log_event(session: Session, handoff: m.Handoff, kind: str, actor: str, *, detail: dict | None = None,
              text: str | None = None) -> m.HandoffEvent:
    """Append to the entry's own history (masked text). Audit separately (bot.services.audit)."""
    row = m.HandoffEvent(handoff_id=handoff.id, at=clock.now(), actor=actor, kind=kind, detail=detail or {},
                         text=None if text is None else mask_text(redact(text)))  # rules 4 and 3
    session.add(row)
    return row


def get(session: Session, handoff_id: int) -> m.Handoff:
    entry = session.get(m.Handoff, handoff_id)
    if entry is None:
        raise QueueError("没有这条转人工记录。", 404)
    return entry


def open_entries(session: Session, *, collector: str | None = None, supervisor: bool = False,
                 limit: int = 100) -> list[m.Handoff]:
    """Waiting and claimed entries, most urgent first (distress = priority 0), then longest waiting.
    A collector sees what is waiting and what they hold; a supervisor sees everything open."""
    query = select(m.Handoff).where(m.Handoff.status.in_(OPEN))
    if not supervisor:
        query = query.where((m.Handoff.status == "waiting") | (m.Handoff.claimed_by == collector))
    query = query.order_by(m.Handoff.priority.asc(), m.Handoff.requested_at.asc(), m.Handoff.id.asc()).limit(limit)
    return list(session.scalars(query))


def may_view(entry: m.Handoff, collector: str, supervisor: bool) -> bool:
    """Need to know: a collector sees waiting entries and their own; supervisors see all."""
    return supervisor or entry.status == "waiting" or entry.claimed_by == collector


def may_act(entry: m.Handoff, collector: str, supervisor: bool) -> bool:
    """Reply, note, promise, hand back, close: only on a claimed entry, by its holder or a supervisor."""
    return entry.status == "claimed" and (entry.claimed_by == collector or supervisor)


def claim(session: Session, handoff_id: int, collector: str) -> m.Handoff:
    """Take a waiting entry. Atomic across replicas: only one UPDATE … WHERE status='waiting' wins."""
    result = session.execute(
        update(m.Handoff).where(m.Handoff.id == handoff_id, m.Handoff.status == "waiting")
        .values(status="claimed", claimed_by=collector).execution_options(synchronize_session=False))
    entry = get(session, handoff_id)
    session.refresh(entry)
    if result.rowcount != 1:
        if entry.status == "claimed" and entry.claimed_by == collector:
            return entry  # a double click: already ours
        holder = f"（{entry.claimed_by}）" if entry.status == "claimed" else ""
        raise QueueError(f"这条会话已被认领{holder}或已结束，不能再认领。")
    log_event(session, entry, "claimed", actor_name(collector))
    audit.record(session, "handoff_claimed", actor=actor_name(collector), conversation_id=entry.conversation_id,
                 borrower_id=entry.borrower_id, detail={"handoff": entry.id, "reason": entry.reason})
    return entry


def reassign(session: Session, handoff_id: int, to_collector: str, by: str) -> m.Handoff:
    """A supervisor gives an open entry to someone (it becomes claimed by them)."""
    target = session.scalar(select(m.Collector).where(m.Collector.name == to_collector, m.Collector.active.is_(True)))
    if target is None:
        raise QueueError("没有这个坐席账号，或账号已停用。", 422)
    entry = get(session, handoff_id)
    previous = entry.claimed_by
    result = session.execute(
        update(m.Handoff).where(m.Handoff.id == handoff_id, m.Handoff.status.in_(OPEN))
        .values(status="claimed", claimed_by=to_collector).execution_options(synchronize_session=False))
    session.refresh(entry)
    if result.rowcount != 1:
        raise QueueError("这条会话已经结束，不能再分配。")
    log_event(session, entry, "reassigned", actor_name(by), detail={"from": previous, "to": to_collector})
    audit.record(session, "handoff_reassigned", actor=actor_name(by), conversation_id=entry.conversation_id,
                 borrower_id=entry.borrower_id, detail={"handoff": entry.id, "from": previous, "to": to_collector})
    return entry


def _finish(session: Session, entry: m.Handoff, status: str, by: str, outcome: str | None) -> m.Handoff:
    if outcome is not None and outcome not in OUTCOMES:
        raise QueueError("未知的处理结果代码。", 422)
    values: dict = {"status": status}
    if outcome is not None:
        values["outcome"] = outcome
    result = session.execute(
        update(m.Handoff).where(m.Handoff.id == entry.id, m.Handoff.status == "claimed",
                                m.Handoff.claimed_by == entry.claimed_by)
        .values(**values).execution_options(synchronize_session=False))
    session.refresh(entry)
    if result.rowcount != 1:
        raise QueueError("这条会话的状态已经变了，请刷新后再试。")
    kind = "handed_back" if status == "returned" else "closed"
    log_event(session, entry, kind, actor_name(by), detail={"outcome": outcome})
    audit.record(session, f"handoff_{kind}", actor=actor_name(by), conversation_id=entry.conversation_id,
                 borrower_id=entry.borrower_id, detail={"handoff": entry.id, "outcome": outcome})
    return entry


def hand_back(session: Session, entry: m.Handoff, by: str, outcome: str | None = None) -> m.Handoff:
    """The bot takes the conversation again (status ``returned``); an outcome is optional."""
    return _finish(session, entry, "returned", by, outcome)


def close(session: Session, entry: m.Handoff, by: str, outcome: str) -> m.Handoff:
    """Done, with an outcome code (required). The bot is resumed too, so the borrower is never left
    talking to a silent conversation."""
    if not outcome:
        raise QueueError("结案需要选择处理结果。", 422)
    return _finish(session, entry, "closed", by, outcome)


def set_outcome(session: Session, entry: m.Handoff, by: str, outcome: str) -> m.Handoff:
    if outcome not in OUTCOMES:
        raise QueueError("未知的处理结果代码。", 422)
    entry.outcome = outcome
    log_event(session, entry, "outcome", actor_name(by), detail={"outcome": outcome})
    audit.record(session, "handoff_outcome", actor=actor_name(by), conversation_id=entry.conversation_id,
                 borrower_id=entry.borrower_id, detail={"handoff": entry.id, "outcome": outcome})
    return entry


MAX_NOTE = 1000


def add_note(session: Session, entry: m.Handoff, by: str, text: str) -> m.HandoffEvent:
    text = (text or "").strip()
    if not text:
        raise QueueError("备注不能为空。", 422)
    if len(text) > MAX_NOTE:
        raise QueueError(f"备注最多{MAX_NOTE}字。", 422)
    row = log_event(session, entry, "note", actor_name(by), text=text)
    audit.record(session, "handoff_note", actor=actor_name(by), conversation_id=entry.conversation_id,
                 borrower_id=entry.borrower_id, detail={"handoff": entry.id}, text=text)
    return row


def history(session: Session, handoff_id: int) -> list[m.HandoffEvent]:
    return list(session.scalars(select(m.HandoffEvent).where(m.HandoffEvent.handoff_id == handoff_id)
                                .order_by(m.HandoffEvent.at.asc(), m.HandoffEvent.id.asc())))


@dataclass(frozen=True)
class Waiting:
    minutes: int
    text: str


def waiting(entry: m.Handoff, now: dt.datetime | None = None) -> Waiting:
    """How long the borrower has been waiting since the handoff was requested."""
    now = now or clock.now()
    seconds = max(int((now - entry.requested_at).total_seconds()), 0)
    minutes = seconds // 60
    if minutes < 1:
        text = "不到1分钟"
    elif minutes < 60:
        text = f"{minutes}分钟"
    else:
        text = f"{minutes // 60}小时{minutes % 60}分钟"
    return Waiting(minutes, text)
