"""Proactive reminders (compliance rule 14): whether, and when, the bank may start a message.

``decide(candidate, flags, sent_at, now)`` is pure: the caller (scheduler / DB layer) passes the
borrower's flags and the times of every proactive message already sent to this borrower on any
channel, and records the returned ``Decision`` in the audit log (rule 15).

Rules, numbers from ``policy.POLICY`` (sources there):
- no reminder at all (``drop``) to a borrower in distress handling, with an open dispute, who
  opted out, or whose plan is current — checked in that order;
- only inside contact hours, 08:00 ≤ t < 21:00 Asia/Shanghai: 20:59 sends, 21:00 and 07:59 are
  deferred to the next 08:00;
- at most 2 per calendar day (Asia/Shanghai): when today's quota is used, defer to the next
  day's 08:00;
- at most 7 in any rolling 7×24 h window (a message sent exactly 7×24 h ago no longer counts):
  when full, defer to the moment the oldest message that must leave has left, moved into contact
  hours.
A deferred decision gives ``not_before``; the caller must decide *again* at that time (flags and
the stage may have changed by then) and render the text then, not now.

``render_reminder(stage, facts)`` builds the message: calm, factual, states the amount and date
it is given, how to pay, that the borrower can reply to talk about difficulties, and how to opt
out. It is checked by the content filter and raises ``RuleViolation`` if it would be blocked.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Literal, Mapping

from bot.clock import TZ
from bot.compliance import content_filter
from bot.compliance.policy import POLICY, Policy
from bot.errors import RuleViolation

Stage = Literal["due_in_3_days", "due_today", "overdue"]
STAGES: tuple[str, ...] = ("due_in_3_days", "due_today", "overdue")
Action = Literal["send", "defer", "drop"]


@dataclass(frozen=True)
class ReminderCandidate:
    borrower_id: str
    stage: str  # one of STAGES


@dataclass(frozen=True)
class BorrowerFlags:
    opted_out: bool = False
    open_dispute: bool = False
    in_distress: bool = False
    plan_current: bool = False


@dataclass(frozen=True)
class Decision:
    action: str                         # 'send' | 'defer' | 'drop'
    reason: str                         # "[CODE] 中文说明"
    not_before: dt.datetime | None = None  # set for 'defer' (Asia/Shanghai)

    @property
    def code(self) -> str:
        m = re.match(r"\[([A-Z_]+)\]", self.reason)
        return m.group(1) if m else ""


# code → Chinese text. The code is stable (for audit queries); the text is for people.
REASONS: dict[str, str] = {
    "SEND_OK": "符合发送条件（免打扰时段、每日与7日上限均未触及）",
    "DROP_DISTRESS": "借款人处于心理危机关怀处理中，停止一切催收提醒",
    "DROP_DISPUTE": "借款人有未结的争议，争议核实期间暂停催收提醒",
    "DROP_OPTED_OUT": "借款人已选择不再接收主动提醒",
    "DROP_PLAN_CURRENT": "借款人的分期计划正常履约中，不发送催收提醒",
    "DROP_DISABLED": "当前配置不允许发送主动提醒（上限为0）",
    "DEFER_QUIET_HOURS": "当前处于免打扰时段（{start}前或{end}及以后），推迟到{when}",
    "DEFER_DAY_CAP": "今日已向该借款人发送{count}条主动消息（上限{limit}条），推迟到{when}",
    "DEFER_WINDOW_CAP": "近{days}天内已发送{count}条主动消息（上限{limit}条），推迟到{when}",
}


def _reason(code: str, **values: object) -> str:
    return f"[{code}] " + REASONS[code].format(**values)


def _aware(value: dt.datetime, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (Asia/Shanghai), got naive {value}")
    return value.astimezone(TZ)


def _next_contact_start(local: dt.datetime, policy: Policy) -> dt.datetime:
    day = local.date()
    if local.time().replace(tzinfo=None) >= policy.contact_start:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, policy.contact_start, tzinfo=TZ)


def _first_blocker(t: dt.datetime, sent: list[dt.datetime], policy: Policy):
    """(code, values, earliest time that might clear it) for the first rule broken at t, or None."""
    if not policy.in_contact_hours(t):
        return "DEFER_QUIET_HOURS", {}, _next_contact_start(t, policy)
    today = [s for s in sent if s <= t and s.date() == t.date()]
    if len(today) >= policy.proactive_max_per_day:
        nxt = dt.datetime.combine(t.date() + dt.timedelta(days=1), policy.contact_start, tzinfo=TZ)
        return "DEFER_DAY_CAP", {"count": len(today), "limit": policy.proactive_max_per_day}, nxt
    span = dt.timedelta(days=policy.proactive_window_days)
    window = sorted(s for s in sent if t - span < s <= t)
    if len(window) >= policy.proactive_max_per_window:
        # this many must leave the window; the last of them leaves at its time + span
        leaving = window[len(window) - policy.proactive_max_per_window]
        return ("DEFER_WINDOW_CAP",
                {"count": len(window), "limit": policy.proactive_max_per_window,
                 "days": policy.proactive_window_days},
                leaving + span)
    return None


def decide(
    candidate: ReminderCandidate,
    flags: BorrowerFlags,
    sent_at: Iterable[dt.datetime],
    now: dt.datetime,
    policy: Policy | None = None,
) -> Decision:
    """Send now, defer (with ``not_before``) or drop one proactive reminder (rule 14)."""
    policy = policy or POLICY
    if candidate.stage not in STAGES:
        raise ValueError(f"unknown reminder stage {candidate.stage!r}; expected one of {STAGES}")
    now = _aware(now, "now")
    sent = [_aware(s, "sent_at item") for s in sent_at]

    if flags.in_distress:
        return Decision("drop", _reason("DROP_DISTRESS"))
    if flags.open_dispute:
        return Decision("drop", _reason("DROP_DISPUTE"))
    if flags.opted_out:
        return Decision("drop", _reason("DROP_OPTED_OUT"))
    if flags.plan_current:
        return Decision("drop", _reason("DROP_PLAN_CURRENT"))
    if policy.proactive_max_per_day == 0 or policy.proactive_max_per_window == 0:
        return Decision("drop", _reason("DROP_DISABLED"))

    first = _first_blocker(now, sent, policy)
    if first is None:
        return Decision("send", _reason("SEND_OK"))

    t = now
    blocker = first
    for _ in range(1000):  # each step moves t forward; a few steps always suffice
        if blocker is None:
            break
        t = max(blocker[2], t + dt.timedelta(microseconds=1)).astimezone(TZ)
        blocker = _first_blocker(t, sent, policy)
    else:  # pragma: no cover - impossible with a validated policy
        raise RuntimeError("could not find a time to send the reminder")

    code, values, _ = first
    when = t.strftime("%Y-%m-%d %H:%M")
    values = dict(values, when=when, start=policy.contact_start.strftime("%H:%M"),
                  end=policy.contact_end.strftime("%H:%M"))
    return Decision("defer", _reason(code, **values), not_before=t)


# --- text -----------------------------------------------------------------------------------------
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$")
_PAY_HOW = "您可以通过手机银行App、微信公众号或银行柜台还款，已开通自动还款的请确保扣款账户余额充足。"
_TALK = "如果近期还款有困难，可以直接回复本消息和我们聊聊，我们会一起看看分期等办法，也可以为您转接人工客服。"
#: to a borrower already on a plan: no new plan to offer, a person can adjust the current one
_TALK_ON_PLAN = "如果近期还款有困难，可以直接回复本消息和我们聊聊，也可以为您转接人工客服商量调整方案。"
_FOOTER = "回复“退订”可不再接收还款提醒。（本消息由还款助手自动发送）"

_TEMPLATES: dict[str, str] = {
    "due_in_3_days": "{greeting}这里是{sender}。温馨提醒：您的借款本期应还{amount}元，还款日为{due_date}。",
    "due_today": "{greeting}这里是{sender}。温馨提醒：您的借款本期应还{amount}元，今天（{due_date}）到期。",
    "overdue": "{greeting}这里是{sender}。您的借款本期应还{amount}元已于{due_date}到期，目前尚未还清{days}。"
               "逾期会按合同约定产生罚息，请您方便时尽快处理。",
}


def render_reminder(stage: str, facts: Mapping[str, str]) -> str:
    """Compliant Chinese reminder text for ``stage``.

    ``facts``: ``amount`` (e.g. "2794.19", yuan) and ``due_date`` (e.g. "2026年12月10日") are
    required strings; optional ``name`` (a form of address such as "张先生"), ``sender``
    (default "还款助手"), ``days_overdue`` (overdue stage only, e.g. "21") and ``on_plan`` ("yes":
    the installment is a plan's, and no plan is offered).
    """
    if stage not in _TEMPLATES:
        raise ValueError(f"unknown reminder stage {stage!r}; expected one of {STAGES}")
    amount = str(facts.get("amount", "")).strip()
    due_date = str(facts.get("due_date", "")).strip()
    if not _AMOUNT.match(amount):
        raise ValueError(f"facts['amount'] must be an amount in yuan such as '2794.19', got {amount!r}")
    if not due_date or len(due_date) > 20:
        raise ValueError(f"facts['due_date'] must be a short date string, got {due_date!r}")
    name = str(facts.get("name", "") or "").strip()
    if len(name) > 12:
        raise ValueError("facts['name'] must be a short form of address such as '张先生'")
    sender = str(facts.get("sender", "") or "还款助手").strip()
    days = str(facts.get("days_overdue", "") or "").strip()
    on_plan = str(facts.get("on_plan", "") or "").strip() == "yes"
    if days and not days.isdigit():
        raise ValueError(f"facts['days_overdue'] must be a whole number, got {days!r}")

    text = _TEMPLATES[stage].format(
        greeting=f"{name}您好，" if name else "您好，",
        sender=sender,
        amount=amount,
        due_date=due_date,
        days=f"，已逾期{days}天" if days and stage == "overdue" else "",
    ) + _PAY_HOW + (_TALK_ON_PLAN if on_plan else _TALK) + _FOOTER
    if on_plan:
        text = text.replace("您的借款本期", "您的分期方案本期", 1)

    result = content_filter.check(text)
    if not result.allowed:
        raise RuleViolation(f"reminder text blocked by the content filter: {result.reason}")
    return text
