"""Rule 14: proactive reminders — quiet hours, daily and rolling-week caps, drops, text."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.clock import TZ
from bot.compliance.content_filter import check
from bot.compliance.policy import load_policy
from bot.compliance.reminders import (
    STAGES, BorrowerFlags, Decision, ReminderCandidate, decide, render_reminder,
)
from bot.errors import RuleViolation

CANDIDATE = ReminderCandidate("B001", "overdue")
CLEAR = BorrowerFlags()


def at(day, hour, minute=0, month=12):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def test_2059_sends():
    d = decide(CANDIDATE, CLEAR, [], at(1, 20, 59))
    assert d == Decision("send", d.reason, None) and d.code == "SEND_OK"


def test_2100_defers_to_next_morning():
    d = decide(CANDIDATE, CLEAR, [], at(1, 21, 0))
    assert (d.action, d.not_before, d.code) == ("defer", at(2, 8, 0), "DEFER_QUIET_HOURS")
    assert "免打扰" in d.reason and "2026-12-02 08:00" in d.reason


def test_0759_defers_to_0800_same_day():
    d = decide(CANDIDATE, CLEAR, [], at(1, 7, 59))
    assert (d.action, d.not_before) == ("defer", at(1, 8, 0))


def test_0800_sends():
    assert decide(CANDIDATE, CLEAR, [], at(1, 8, 0)).action == "send"


def test_midnight_defers_to_0800_same_day():
    d = decide(CANDIDATE, CLEAR, [], at(2, 0, 0))
    assert (d.action, d.not_before) == ("defer", at(2, 8, 0))
    d = decide(CANDIDATE, CLEAR, [], at(1, 23, 59))
    assert (d.action, d.not_before) == ("defer", at(2, 8, 0))


def test_day_cap_defers_to_next_day_0800():
    sent = [at(1, 9), at(1, 10)]
    d = decide(CANDIDATE, CLEAR, sent, at(1, 15))
    assert (d.action, d.not_before, d.code) == ("defer", at(2, 8, 0), "DEFER_DAY_CAP")
    assert "2条" in d.reason


def test_day_boundary_two_sent_yesterday_evening_does_not_block_today():
    sent = [at(1, 20, 0), at(1, 20, 58)]
    assert decide(CANDIDATE, CLEAR, sent, at(2, 8, 0)).action == "send"
    # …but they still count on the 1st
    assert decide(CANDIDATE, CLEAR, sent, at(1, 20, 59)).action == "defer"


def test_one_sent_today_still_allows_a_second():
    assert decide(CANDIDATE, CLEAR, [at(1, 9)], at(1, 15)).action == "send"


def test_rolling_week_oldest_exactly_seven_days_ago_has_left():
    sent = [at(d, 10, 0) for d in range(1, 8)]          # 7 sends, one a day, 1st … 7th at 10:00
    d = decide(CANDIDATE, CLEAR, sent, at(8, 10, 0))      # 1st 10:00 is exactly 7×24 h ago
    assert d.action == "send", d


def test_rolling_week_oldest_seven_days_minus_a_minute_ago_still_counts():
    sent = [at(1, 10, 1)] + [at(d, 10, 0) for d in range(2, 8)]
    d = decide(CANDIDATE, CLEAR, sent, at(8, 10, 0))
    assert (d.action, d.not_before, d.code) == ("defer", at(8, 10, 1), "DEFER_WINDOW_CAP")


def test_rolling_week_release_outside_hours_moves_into_hours():
    sent = [at(d, 20, 30) for d in range(1, 8)]
    d = decide(CANDIDATE, CLEAR, sent, at(8, 10, 0))
    assert (d.action, d.not_before) == ("defer", at(8, 20, 30))
    sent = [at(1, 21, 30) if i == 0 else at(d, 12) for i, d in enumerate(range(1, 8))]
    d = decide(CANDIDATE, CLEAR, sent, at(8, 10, 0))     # frees at 21:30 → next morning
    assert (d.action, d.not_before) == ("defer", at(9, 8, 0))


def test_deferred_time_is_actually_sendable():
    sent = [at(1, 9), at(1, 10)] + [at(d, 12) for d in range(2, 7)]
    now = at(7, 21, 30)
    d = decide(CANDIDATE, CLEAR, sent, now)
    assert d.action == "defer"
    again = decide(CANDIDATE, CLEAR, sent, d.not_before)
    assert again.action == "send", (d, again)
    earlier = decide(CANDIDATE, CLEAR, sent, d.not_before - dt.timedelta(minutes=1))
    assert earlier.action == "defer"


def test_other_timezones_are_converted_to_shanghai():
    utc_1259 = dt.datetime(2026, 12, 1, 12, 59, tzinfo=dt.timezone.utc)   # 20:59 Shanghai
    utc_1300 = dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.timezone.utc)    # 21:00 Shanghai
    assert decide(CANDIDATE, CLEAR, [], utc_1259).action == "send"
    d = decide(CANDIDATE, CLEAR, [], utc_1300)
    assert d.not_before == at(2, 8, 0) and d.not_before.utcoffset() == dt.timedelta(hours=8)
    # calendar day is Shanghai's: 2026-12-01 17:00 UTC is already the 2nd (01:00) in Shanghai
    sent = [dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.timezone.utc),   # 09:00 on the 1st
            dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.timezone.utc)]   # 10:00 on the 1st
    assert decide(CANDIDATE, CLEAR, sent, at(2, 9)).action == "send"
    assert decide(CANDIDATE, CLEAR, sent, at(1, 11)).action == "defer"


def test_no_dst_in_shanghai_summer_or_winter():
    for month in (1, 7):
        d = decide(CANDIDATE, CLEAR, [], dt.datetime(2026, month, 15, 21, 0, tzinfo=TZ))
        assert d.not_before.utcoffset() == dt.timedelta(hours=8)
        assert d.not_before.hour == 8


@pytest.mark.parametrize("flags, code", [
    (BorrowerFlags(in_distress=True), "DROP_DISTRESS"),
    (BorrowerFlags(open_dispute=True), "DROP_DISPUTE"),
    (BorrowerFlags(opted_out=True), "DROP_OPTED_OUT"),
    (BorrowerFlags(plan_current=True), "DROP_PLAN_CURRENT"),
    (BorrowerFlags(True, True, True, True), "DROP_DISTRESS"),
])
def test_flags_drop_even_inside_hours_and_outside(flags, code):
    for now in (at(1, 10), at(1, 22)):
        d = decide(CANDIDATE, flags, [], now)
        assert (d.action, d.code, d.not_before) == ("drop", code, None)


def test_naive_datetimes_and_unknown_stage_are_refused():
    with pytest.raises(ValueError):
        decide(CANDIDATE, CLEAR, [], dt.datetime(2026, 12, 1, 10))
    with pytest.raises(ValueError):
        decide(CANDIDATE, CLEAR, [dt.datetime(2026, 12, 1, 9)], at(1, 10))
    with pytest.raises(ValueError):
        decide(ReminderCandidate("B001", "tomorrow"), CLEAR, [], at(1, 10))


def test_policy_can_be_passed_in():
    strict = load_policy({"BOT_POLICY_PROACTIVE_MAX_PER_DAY": "1", "BOT_POLICY_CONTACT_END": "20:00"})
    assert decide(CANDIDATE, CLEAR, [at(1, 9)], at(1, 10), policy=strict).action == "defer"
    assert decide(CANDIDATE, CLEAR, [], at(1, 20, 0), policy=strict).not_before == at(2, 8)
    off = load_policy({"BOT_POLICY_PROACTIVE_MAX_PER_DAY": "0"})
    assert decide(CANDIDATE, CLEAR, [], at(1, 10), policy=off).code == "DROP_DISABLED"


def test_reasons_carry_code_and_chinese():
    for now, sent in [(at(1, 10), []), (at(1, 22), []), (at(1, 15), [at(1, 9), at(1, 10)])]:
        d = decide(CANDIDATE, CLEAR, sent, now)
        assert d.reason.startswith(f"[{d.code}] ")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in d.reason)


# --- text ----------------------------------------------------------------------------------------
FACTS = {"amount": "2794.19", "due_date": "2026年12月10日", "name": "张先生", "days_overdue": "21"}


@pytest.mark.parametrize("stage", STAGES)
def test_rendered_reminders_are_compliant_and_complete(stage):
    text = render_reminder(stage, FACTS)
    assert check(text).allowed
    assert "2794.19元" in text and "2026年12月10日" in text
    assert "手机银行" in text                      # how to pay
    assert "回复" in text and "困难" in text        # can reply to talk about difficulties
    assert "退订" in text                          # how to opt out (rule 12)
    assert "自动发送" in text                      # honest identity (rule 6)
    assert ("已逾期21天" in text) == (stage == "overdue")


@pytest.mark.parametrize("stage", STAGES)
def test_a_plan_installment_reminder_names_the_plan_and_offers_no_new_one(stage):
    text = render_reminder(stage, {**FACTS, "on_plan": "yes"})
    assert check(text).allowed and "您的分期方案本期应还2794.19元" in text
    assert "分期等办法" not in text and "调整方案" in text and "退订" in text and "自动发送" in text


def test_render_without_optional_facts():
    text = render_reminder("due_today", {"amount": "1,376.24", "due_date": "2026-12-28"})
    assert text.startswith("您好，") and "今天（2026-12-28）到期" in text


@pytest.mark.parametrize("facts", [
    {"amount": "", "due_date": "2026-12-28"},
    {"amount": "两千", "due_date": "2026-12-28"},
    {"amount": "100", "due_date": ""},
    {"amount": "100", "due_date": "2026-12-28", "days_overdue": "很多"},
    {"amount": "100", "due_date": "2026-12-28", "name": "张先生" * 5},
])
def test_render_refuses_bad_facts(facts):
    with pytest.raises(ValueError):
        render_reminder("overdue", facts)


def test_render_refuses_text_the_filter_would_block():
    with pytest.raises(RuleViolation):
        render_reminder("overdue", {"amount": "100", "due_date": "2026-12-28", "name": "老赖"})
