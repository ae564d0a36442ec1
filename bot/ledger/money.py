"""Money is Decimal yuan, rounded to the fen with ROUND_HALF_UP. Never float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value: object) -> Decimal:
    """Exact Decimal from str/int/Decimal. Floats are refused: they are not exact."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None


def fen(value: object) -> Decimal:
    """Round to the fen, half up."""
    return to_decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """Display form used in replies: 2794.19 (no thousands separator, always 2 places)."""
    return f"{fen(value):.2f}"
