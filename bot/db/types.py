"""Column types that keep money exact in every database."""
from __future__ import annotations

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.types import TypeDecorator

from bot.clock import TZ
from bot.ledger.money import fen, to_decimal


class Money(TypeDecorator):
    """Decimal yuan to the fen. NUMERIC(14,2) where the database has it; in SQLite (whose NUMERIC
    is a float) the canonical text ``"2794.19"``, so nothing is ever rounded through a float."""

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        amount = fen(value)
        return f"{amount:.2f}" if dialect.name == "sqlite" else amount

    def process_result_value(self, value, dialect):
        return None if value is None else fen(to_decimal(value))


class Rate(TypeDecorator):
    """An exact rate (e.g. a daily rate 0.00035), stored as text in SQLite, NUMERIC(12,8) elsewhere."""

    impl = Numeric(12, 8)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(Numeric(12, 8, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        rate = to_decimal(value)
        return str(rate) if dialect.name == "sqlite" else rate

    def process_result_value(self, value, dialect):
        return None if value is None else to_decimal(value).normalize()


class LocalTime(TypeDecorator):
    """A moment stored as naive Asia/Shanghai wall time (same text in every database), returned
    aware. All moments in this project are Asia/Shanghai (ledger.md)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("LocalTime needs an aware datetime (use bot.clock.now())")
        return value.astimezone(TZ).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=TZ)
