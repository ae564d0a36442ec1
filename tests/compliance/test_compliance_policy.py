"""The numbers of every rule (policy.py): defaults, environment overrides, validation."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from bot.clock import TZ
from bot.compliance.policy import POLICY, Policy, describe, env_name, load_policy
from bot.errors import ConfigError


def test_defaults_are_the_spec_numbers():
    p = load_policy({})
    assert (p.verify_max_attempts, p.verify_lockout_minutes, p.verify_idle_expiry_minutes) == (3, 30, 30)
    assert (p.complaint_answer_days, p.complaint_answer_days_complex, p.regulator_hotline) == (15, 30, "12378")
    assert (p.crisis_hotline, p.police_line, p.ambulance_line) == ("12356", "110", "120")
    assert (p.contact_start, p.contact_end) == (dt.time(8, 0), dt.time(21, 0))
    assert (p.proactive_max_per_day, p.proactive_max_per_window, p.proactive_window_days) == (2, 7, 7)
    assert p.audit_retention_years == 2
    assert (p.plan_apr_cap, p.apr_ceiling, p.plan_max_term_months) == (Decimal("0.12"), Decimal("0.24"), 60)


def test_policy_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        POLICY.verify_max_attempts = 5  # type: ignore[misc]


def test_environment_overrides_make_rules_stricter():
    p = load_policy({
        "BOT_POLICY_VERIFY_MAX_ATTEMPTS": "2",
        "BOT_POLICY_CONTACT_START": "09:00",
        "BOT_POLICY_CONTACT_END": "20:00",
        "BOT_POLICY_PLAN_APR_CAP": "10%",
        "BOT_POLICY_APR_CEILING": "0.2",
        "BOT_POLICY_PROACTIVE_MAX_PER_DAY": "1",
        "BOT_POLICY_AUDIT_RETENTION_YEARS": "5",
    })
    assert p.verify_max_attempts == 2
    assert (p.contact_start, p.contact_end) == (dt.time(9), dt.time(20))
    assert p.plan_apr_cap == Decimal("0.10") and p.apr_ceiling == Decimal("0.2")
    assert p.proactive_max_per_day == 1 and p.audit_retention_years == 5


@pytest.mark.parametrize("env, words", [
    ({"BOT_POLICY_CONTACT_START": "21:00", "BOT_POLICY_CONTACT_END": "20:00"}, "must be before"),
    ({"BOT_POLICY_CONTACT_START": "07:00"}, "BOT_POLICY_CONTACT_START"),   # GB/T 45251: not before 08:00
    ({"BOT_POLICY_CONTACT_END": "22:30"}, "BOT_POLICY_CONTACT_END"),
    ({"BOT_POLICY_CONTACT_END": "25:00"}, "HH:MM"),
    ({"BOT_POLICY_VERIFY_MAX_ATTEMPTS": "5"}, "BOT_POLICY_VERIFY_MAX_ATTEMPTS"),
    ({"BOT_POLICY_VERIFY_MAX_ATTEMPTS": "three"}, "whole number"),
    ({"BOT_POLICY_AUDIT_RETENTION_YEARS": "1"}, "never laxer"),
    ({"BOT_POLICY_PROACTIVE_MAX_PER_WINDOW": "8"}, "BOT_POLICY_PROACTIVE_MAX_PER_WINDOW"),
    ({"BOT_POLICY_PROACTIVE_MAX_PER_DAY": "3", "BOT_POLICY_PROACTIVE_MAX_PER_WINDOW": "2"}, "cannot exceed"),
    ({"BOT_POLICY_PLAN_APR_CAP": "25%"}, "BOT_POLICY_PLAN_APR_CAP"),
    ({"BOT_POLICY_APR_CEILING": "abc"}, "rate"),
    ({"BOT_POLICY_PLAN_MAX_TERM_MONTHS": "72"}, "BOT_POLICY_PLAN_MAX_TERM_MONTHS"),
    ({"BOT_POLICY_REGULATOR_HOTLINE": "12-378"}, "digits only"),
    ({"BOT_POLICY_NO_SUCH_THING": "1"}, "unknown policy setting"),
])
def test_bad_overrides_are_refused_with_the_variable_named(env, words):
    with pytest.raises(ConfigError) as err:
        load_policy(env)
    assert words in str(err.value)


def test_every_field_has_an_env_name_and_a_source_comment():
    import bot.compliance.policy as module

    source = open(module.__file__, encoding="utf-8").read()
    for f in dataclasses.fields(Policy):
        assert env_name(f.name) == "BOT_POLICY_" + f.name.upper()
        line = next(l for l in source.splitlines() if l.strip().startswith(f.name + ":"))
        assert "#" in line, f"{f.name} has no source comment"
    assert len(describe()) == len(dataclasses.fields(Policy))


def test_plan_apr_is_capped():
    p = load_policy({})
    assert p.plan_apr(Decimal("0.1825")) == Decimal("0.12")
    assert p.plan_apr(Decimal("0.0949")) == Decimal("0.0949")


def test_contact_hours_edges_in_shanghai():
    p = load_policy({})
    at = lambda h, m: dt.datetime(2026, 12, 1, h, m, tzinfo=TZ)
    assert p.in_contact_hours(at(8, 0)) and p.in_contact_hours(at(20, 59))
    assert not p.in_contact_hours(at(7, 59)) and not p.in_contact_hours(at(21, 0))
    # 12:30 UTC is 20:30 in Shanghai; 13:00 UTC is 21:00
    assert p.in_contact_hours(dt.datetime(2026, 12, 1, 12, 30, tzinfo=dt.timezone.utc))
    assert not p.in_contact_hours(dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.timezone.utc))
    with pytest.raises(ValueError):
        p.in_contact_hours(dt.datetime(2026, 12, 1, 9, 0))


def test_audit_purge_cutoff_is_two_years():
    p = load_policy({})
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    assert p.audit_purge_cutoff(now) == dt.datetime(2024, 12, 1, 10, 0, tzinfo=TZ)
    leap = dt.datetime(2028, 2, 29, 10, 0, tzinfo=TZ)
    assert p.audit_purge_cutoff(leap) == dt.datetime(2026, 2, 28, 10, 0, tzinfo=TZ)


def test_readme_lists_every_rule_and_every_setting():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "bot" / "compliance" / "README.md").read_text(
        encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| ")]
    numbers = {line.split("|")[1].strip() for line in rows}
    assert {str(n) for n in range(1, 17)} <= numbers
    for f in dataclasses.fields(Policy):
        assert env_name(f.name) in readme, f"README does not document {env_name(f.name)}"
