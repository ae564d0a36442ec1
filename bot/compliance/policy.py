"""Every number the compliance rules use, in one place, each next to its source.

``POLICY`` is read once at import from the environment; ``load_policy(env)`` reads any mapping
(tests, the CLI's "show config"). Each field can be overridden with ``BOT_POLICY_<FIELD NAME IN
UPPER CASE>``, e.g. ``BOT_POLICY_VERIFY_MAX_ATTEMPTS=2`` or ``BOT_POLICY_CONTACT_END=20:00``.

Overrides may make a rule *stricter*, never laxer than the regulation it implements: values are
validated against the legal bounds in ``_LIMITS`` below and a bad value raises ``ConfigError`` with
a message that names the variable. Kinds of value:

- whole numbers (``verify_max_attempts``, ``proactive_max_per_day`` …): ``3``
- times of day (``contact_start``, ``contact_end``): ``HH:MM``, Asia/Shanghai
- rates (``plan_apr_cap``, ``apr_ceiling``): a decimal fraction ``0.12`` or a percentage ``12%``
- phone numbers (``regulator_hotline`` …): digits only

Sources (see /work/shared/spec/compliance.md):
  [GBT45251]  GB/T 45251-2025 互联网金融 个人网络消费信贷 贷后催收风控指引 (in force 2025-02-28)
  [CBA2026]   中国银行业协会 金融机构个人消费类贷款催收工作指引（试行）(2026)
  [CC2011]    商业银行信用卡业务监督管理办法 (2011) Art. 66–70
  [CP2023]    银行保险机构消费者权益保护管理办法 (2023)
  [CMP2020]   银行业保险业消费投诉处理管理办法 (2020)
  [PIPL]      个人信息保护法 Art. 6, 10, 23–25, 28–30
  [PBOC2021]  中国人民银行公告〔2021〕第3号 (APR display)
  [REGF]      US Regulation F, 12 CFR 1006.14 (second reference)
  [FG21]      UK FCA FG21/1 (vulnerable customers, practice)
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Mapping

from bot.clock import TZ
from bot.errors import ConfigError

ENV_PREFIX = "BOT_POLICY_"

# Hardship categories (rule 3 / rule 13; ledger.md "Installment plans"): health and bereavement
# details are stored only as one of these codes, never as free text (PIPL Art. 28–30).
HARDSHIP_CATEGORIES: tuple[str, ...] = (
    "job_loss", "illness", "business_failure", "income_drop", "family_emergency", "disaster",
)


@dataclass(frozen=True)
class Policy:
    # --- Rule 1: verification (PIPL Art. 6, 10) -------------------------------------------------
    verify_max_attempts: int = 3            # 3 failed attempts per conversation → lock (rule 1)
    verify_lockout_minutes: int = 30        # lock lasts 30 min and a person is offered (rule 1)
    verify_idle_expiry_minutes: int = 30    # verified session expires after 30 min idle (rule 1)

    # --- Rule 9: distress (FCA FG21/1 as practice) -------------------------------------------------
    crisis_hotline: str = "12356"           # national psychological assistance line (to confirm) (rule 9)
    police_line: str = "110"                # emergency: police (rule 9)
    ambulance_line: str = "120"             # emergency: ambulance (rule 9)

    # --- Rule 10: dispute (CC2011 Art. 69) -------------------------------------------------------
    dispute_review_working_days: int = 5    # PROJECT CHOICE (no number in the sources): when the
                                            # borrower is told the dispute will be answered (rule 10)

    # --- Rule 11: complaints (CMP2020: answer within 15 days, 30 if complex) ---------------------
    complaint_answer_days: int = 15         # CMP2020 (rule 11)
    complaint_answer_days_complex: int = 30  # CMP2020, complex cases (rule 11)
    regulator_hotline: str = "12378"        # 银行业保险业消费者投诉热线 (rule 11)

    # --- Rule 14: proactive messages (GB/T 45251; Reg F 1006.14) ---------------------------------
    contact_start: dt.time = dt.time(8, 0)   # allowed from 08:00 (GB/T 45251 forbids 22:00–08:00)
    contact_end: dt.time = dt.time(21, 0)    # … until before 21:00 (stricter; also meets Reg F)
    proactive_max_per_day: int = 2          # per borrower per calendar day, all channels
                                            # (project rule; GB/T 45251 allows ≤ 3 effective contacts)
    proactive_max_per_window: int = 7       # per rolling window, all channels (Reg F 1006.14: 7 in 7)
    proactive_window_days: int = 7          # the rolling window, 7×24 h (Reg F 1006.14)

    # --- Rule 15: audit retention (CC2011 Art. 68, 70) -------------------------------------------
    audit_retention_years: int = 2          # kept at least 2 years; purge refuses younger (rule 15)

    # --- Rules 7/8: price disclosure and offer limits (PBOC2021 No. 3; CC2011 Art. 70) -----------
    plan_apr_cap: Decimal = Decimal("0.12")  # plan APR ≤ min(contract APR, 12%) (rule 8, ledger.md)
    apr_ceiling: Decimal = Decimal("0.24")   # never above 24% (rule 8)
    plan_max_term_months: int = 60          # term ≤ 60 months (CC2011 Art. 70; rule 8)

    # ------------------------------------------------------------------------------------------
    def plan_apr(self, contract_apr: Decimal) -> Decimal:
        """Plan APR for a loan: min(contract APR, cap), and never above the ceiling (rule 8)."""
        return min(Decimal(contract_apr), self.plan_apr_cap, self.apr_ceiling)

    def in_contact_hours(self, when: dt.datetime) -> bool:
        """True when ``when`` (aware) is inside the allowed proactive-contact hours, Asia/Shanghai."""
        if when.tzinfo is None:
            raise ValueError("in_contact_hours needs an aware datetime")
        local = when.astimezone(TZ).time().replace(tzinfo=None)
        return self.contact_start <= local < self.contact_end

    def audit_purge_cutoff(self, now: dt.datetime) -> dt.datetime:
        """Entries strictly older than this may be purged; anything younger must be refused."""
        local = now.astimezone(TZ)
        try:
            return local.replace(year=local.year - self.audit_retention_years)
        except ValueError:  # 29 February → 28 February (never shortens the retention)
            return local.replace(year=local.year - self.audit_retention_years, day=28)


# Legal bounds that an override may not cross (stricter is fine). (min, max), None = unbounded.
_LIMITS: dict[str, tuple[object, object]] = {
    "verify_max_attempts": (1, 3),                  # rule 1: not more than 3 tries
    "verify_lockout_minutes": (30, 24 * 60),        # rule 1: at least 30 minutes
    "verify_idle_expiry_minutes": (1, 30),          # rule 1: not longer than 30 minutes
    "dispute_review_working_days": (1, 30),
    "complaint_answer_days": (1, 15),               # CMP2020: at most 15 days
    "complaint_answer_days_complex": (1, 30),       # CMP2020: at most 30 days
    "contact_start": (dt.time(8, 0), dt.time(22, 0)),   # GB/T 45251: nothing 22:00–08:00
    "contact_end": (dt.time(8, 0), dt.time(22, 0)),
    "proactive_max_per_day": (0, 3),                # GB/T 45251: ≤ 3 effective contacts a day
    "proactive_max_per_window": (0, 7),             # Reg F: ≤ 7 in 7 days
    "proactive_window_days": (7, 31),               # a longer window is stricter
    "audit_retention_years": (2, 30),               # rule 15: at least 2 years
    "plan_apr_cap": (Decimal("0"), Decimal("0.12")),
    "apr_ceiling": (Decimal("0"), Decimal("0.24")),
    "plan_max_term_months": (1, 60),                # CC2011 Art. 70: ≤ 60 months
}

_PHONE = re.compile(r"^\d{3,8}$")


def env_name(field_name: str) -> str:
    return ENV_PREFIX + field_name.upper()


def _parse(name: str, kind: type, raw: str) -> object:
    var = env_name(name)
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{var}={raw!r} is not a whole number") from None
    if kind is dt.time:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ConfigError(f"{var}={raw!r} is not a time of day (HH:MM)")
        return dt.time(int(m.group(1)), int(m.group(2)))
    if kind is Decimal:
        text = raw[:-1] if raw.endswith("%") else raw
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ConfigError(f"{var}={raw!r} is not a rate (0.12 or 12%)") from None
        if not value.is_finite():
            raise ConfigError(f"{var}={raw!r} is not a rate (0.12 or 12%)")
        return value / 100 if raw.endswith("%") else value
    if kind is str:
        if not _PHONE.match(raw):
            raise ConfigError(f"{var}={raw!r} must be a phone number, digits only")
        return raw
    raise ConfigError(f"{var}: unsupported setting type {kind!r}")  # pragma: no cover


_TYPES = {"int": int, "str": str, "Decimal": Decimal, "dt.time": dt.time}


def validate(policy: Policy) -> Policy:
    """Check legal bounds and consistency; raise ConfigError naming the variable."""
    for name, (low, high) in _LIMITS.items():
        value = getattr(policy, name)
        if (low is not None and value < low) or (high is not None and value > high):
            raise ConfigError(
                f"{env_name(name)}={value} is outside the allowed range {low}–{high} "
                "(an override may make a rule stricter, never laxer than the regulation)"
            )
    if not policy.contact_start < policy.contact_end:
        raise ConfigError(
            f"{env_name('contact_start')} ({policy.contact_start:%H:%M}) must be before "
            f"{env_name('contact_end')} ({policy.contact_end:%H:%M})"
        )
    if policy.proactive_max_per_day > policy.proactive_max_per_window:
        raise ConfigError(
            f"{env_name('proactive_max_per_day')} ({policy.proactive_max_per_day}) cannot exceed "
            f"{env_name('proactive_max_per_window')} ({policy.proactive_max_per_window})"
        )
    if policy.complaint_answer_days > policy.complaint_answer_days_complex:
        raise ConfigError(
            f"{env_name('complaint_answer_days')} cannot exceed "
            f"{env_name('complaint_answer_days_complex')}"
        )
    if policy.plan_apr_cap > policy.apr_ceiling:
        raise ConfigError(f"{env_name('plan_apr_cap')} cannot exceed {env_name('apr_ceiling')}")
    return policy


def load_policy(env: Mapping[str, str] | None = None) -> Policy:
    """Defaults, overridden by ``BOT_POLICY_*`` in ``env`` (default: os.environ), validated."""
    env = os.environ if env is None else env
    overrides: dict[str, object] = {}
    for f in fields(Policy):
        raw = env.get(env_name(f.name), "").strip()
        if raw:
            kind = _TYPES[f.type] if isinstance(f.type, str) else f.type
            overrides[f.name] = _parse(f.name, kind, raw)
    unknown = sorted(
        k for k in env if k.startswith(ENV_PREFIX)
        and k[len(ENV_PREFIX):].lower() not in {f.name for f in fields(Policy)}
    )
    if unknown:
        raise ConfigError(f"unknown policy setting(s): {', '.join(unknown)}")
    return validate(dataclasses.replace(Policy(), **overrides))


def describe(policy: Policy | None = None) -> list[tuple[str, str, str]]:
    """(variable, current value, default) rows, for docs and a 'show config' command."""
    policy = policy or POLICY
    default = Policy()
    rows = []
    for f in fields(Policy):
        value, dflt = getattr(policy, f.name), getattr(default, f.name)
        fmt = (lambda v: v.strftime("%H:%M")) if isinstance(dflt, dt.time) else str
        rows.append((env_name(f.name), fmt(value), fmt(dflt)))
    return rows


POLICY: Policy = load_policy()
