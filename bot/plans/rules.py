"""The plan rules of ledger.md and compliance rule 8, in one place.

- Offered only to a verified borrower with an overdue loan (days overdue > 3), or one who declared
  a qualifying hardship; never while a dispute is open on the loan or another plan is active.
- Plan amount = payoff on the acceptance date; plan APR = min(contract APR, 12%), never above 24%.
- Terms by the loan's largest days overdue: 4–30 → 3, 6, 12; 31–90 → 3, 6, 12, 24;
  over 90 or a declared hardship → 6, 12, 24, 36, 48, 60. Never more than 60 months.
"""
from __future__ import annotations

from bot.compliance.policy import HARDSHIP_CATEGORIES, POLICY
from bot.ledger.rules import GRACE_DAYS

#: The caps are compliance numbers (rule 8), kept with their sources in bot/compliance/policy.py.
MAX_TERM_MONTHS = POLICY.plan_max_term_months

QUALIFYING_HARDSHIPS = frozenset(HARDSHIP_CATEGORIES)

#: (lowest days overdue, highest days overdue or None, terms offered)
TERM_LADDER: tuple[tuple[int, int | None, tuple[int, ...]], ...] = (
    (GRACE_DAYS + 1, 30, (3, 6, 12)),
    (31, 90, (3, 6, 12, 24)),
    (91, None, (6, 12, 24, 36, 48, 60)),
)
HARDSHIP_TERMS: tuple[int, ...] = (6, 12, 24, 36, 48, 60)
