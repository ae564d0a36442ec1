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
