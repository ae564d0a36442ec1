"""Small helpers several answers share: a rate as a percent, an installment's name, a yes-or-no question."""
from __future__ import annotations

import re
from decimal import Decimal

from bot.ledger.schedule import apr_from_daily_rate
from bot.services.account import LoanView


def pct(rate: Decimal) -> str:
    """12.00% for an APR; small daily rates keep their digits (0.075%, never rounded to 0.08%)."""
    value = (rate * 100).normalize()
    return f"{value:.2f}%" if value == value.quantize(Decimal("0.01")) else f"{value:f}%"


def daily_rate_words(daily_rate: Decimal) -> str:
    """每天0.075%（折合年化27.375%，单利）: compliance rule 7, never a daily rate alone."""
    return f"每天{pct(daily_rate)}（折合年化{pct(apr_from_daily_rate(daily_rate))}，单利）"


def installment_name(view: LoanView, number: int) -> str:
    """第3期 of the loan, or 分期方案第3期 while a plan runs (its installments replaced the loan's)."""
    return f"分期方案第{number}期" if view.active_plan is not None else f"第{number}期"


_YES_NO_QUESTION = re.compile(r"(吗|么|嘛|不|没)\s*[?？]?\s*$|[?？]\s*$")


def asks_yes_no(text: str) -> bool:
    """「…就行了吗」, 「…够不够？」: a question asking yes or no."""
    return bool(text) and _YES_NO_QUESTION.search(text.strip()) is not None
