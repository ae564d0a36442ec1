"""The seeded demo portfolio in a real database (SQLite and PostgreSQL) gives the ledger vectors."""
import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import text

from bot.db import models as m
from bot.db.session import session_scope
from bot.services.account import borrower_loans

AS_OF = dt.date(2026, 12, 1)
EXPECTED = {  # borrower: (loan, due now, penalty, days overdue, payoff)
    "B001": ("L001", "2794.19", "40.22", 21, "13403.65"),
    "B002": ("L002", "1376.24", "0.00", 3, "4091.50"),
    "B003": ("L003", "15141.35", "652.31", 169, "44015.71"),
    "B004": ("L004", "0.00", "0.00", 0, "11843.20"),
    "B005": ("L005", "2781.86", "27.88", 30, "9363.45"),
    "B006": ("L006", "2163.55", "22.47", 37, "7349.47"),
    "B007": ("L007", "387.84", "0.29", 16, "2944.43"),
    "B008": ("L008", "0.00", "0.00", 0, "0.00"),
}


def test_seeded_portfolio_matches_vectors(db_url):
    with session_scope(db_url) as s:
        for borrower, (loan, due, penalty, days, payoff) in EXPECTED.items():
            (view,) = borrower_loans(s, borrower, AS_OF)
            st = view.statement
            assert (view.loan.id, st.amount_due_now, st.penalty_due, st.days_overdue, st.payoff) == (
                loan, D(due), D(penalty), days, D(payoff)), borrower


def test_money_is_stored_exactly(db_url):
    with session_scope(db_url) as s:
        loan = s.get(m.Loan, "L006")
        assert loan.principal == D("12000.00") and isinstance(loan.principal, D)
        assert loan.daily_rate == D("0.00035")
        raw = s.execute(text("SELECT amount FROM payments WHERE reference = 'L007-P1-2026-11-30'")).scalar_one()
        assert str(raw) in {"500.00", "500"} or raw == D("500.00")


def test_b006_broken_promise(db_url):
    with session_scope(db_url) as s:
        (view,) = borrower_loans(s, "B006", AS_OF)
        assert [(p.amount, p.status) for p in view.promises] == [(D("1100.00"), "broken")]


def test_audit_log_is_append_only_in_the_database(db_url):
    from bot.services import audit

    with session_scope(db_url) as s:
        audit.record(s, "test_entry", conversation_id="c1", text="身份证110101199003071234 手机13812341001")
    with session_scope(db_url) as s:
        entry = s.query(m.AuditEntry).filter_by(action="test_entry").one()
        assert "13812341001" not in entry.text and "110101199003071234" not in entry.text
    # the ORM refuses
    with pytest.raises(PermissionError), session_scope(db_url) as s:
        s.query(m.AuditEntry).filter_by(action="test_entry").one().actor = "tampered"
        s.flush()
    # and so does the database itself, for raw SQL
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception) as exc, session_scope(db_url) as s:
            s.execute(text(statement))
        assert "append-only" in str(exc.value) or "2 years" in str(exc.value)
    with session_scope(db_url) as s:
        assert s.query(m.AuditEntry).filter_by(action="test_entry", actor="bot").count() == 1


def test_seed_refuses_a_second_load(db_url):
    from bot.db.seed import seed_portfolio
    from bot.errors import ConfigError
    from tests.conftest import ROOT

    with pytest.raises(ConfigError):
        seed_portfolio(ROOT / "data" / "demo" / "portfolio.yml", db_url)


def test_channel_tables_come_from_the_migrations_and_match_their_models(tmp_path):
    """Migration 0005 creates exactly what bot/channels/store.py maps (autogenerate finds no diff),
    and a database whose channel tables were made by the old create_all upgrades without error."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, inspect

    from bot.channels.store import Base as ChannelBase, ChannelStore
    from bot.db.migrate import alembic_config, current_revision, head_revision, upgrade

    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(fresh)
    engine = create_engine(fresh)

    def table_of(diff) -> str:
        if isinstance(diff, list):  # column changes: [(op, schema, table, column, ...)]
            return diff[0][2]
        obj = diff[1]
        return getattr(obj, "name", "") if diff[0].endswith("_table") else getattr(getattr(obj, "table", None), "name", "")

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), ChannelBase.metadata)
    assert [d for d in diffs if table_of(d).startswith("channel_")] == []
    ChannelStore(fresh).ensure_schema()

    old = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(old), "0004")
    ChannelBase.metadata.create_all(create_engine(old))  # what ChannelStore did before 0005
    upgrade(old)
    assert current_revision(old) == head_revision() == "0005"
    assert {"channel_inbound", "channel_kv"} <= set(inspect(create_engine(old)).get_table_names())
