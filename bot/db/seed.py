"""Load the demo portfolio file (data/demo/portfolio.yml) into an empty database.

The file is validated completely before anything is written, and the whole load is one
transaction: a malformed file leaves the database as it was.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from bot.db.repository import LedgerRepository
from bot.db.session import session_scope
from bot.errors import ConfigError
from bot.ledger.money import fen
from bot.ledger.schedule import amortize, apr_from_daily_rate

FAILURE_CODES = {"insufficient_funds", "card_expired", "card_frozen", "no_autodebit", "account_closed", "limit_exceeded"}


class _Reader:
    """Typed access to a YAML mapping with errors that name the field."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a mapping, got {type(data).__name__}")
        self.data, self.where = data, where

    def get(self, key: str, kind: type, required: bool = True, default: Any = None) -> Any:
        if key not in self.data or self.data[key] is None:
            if required:
                raise ConfigError(f"{self.where}: missing field '{key}'")
            return default
        value = self.data[key]
        try:
            if kind is Decimal:
                if isinstance(value, float):
                    raise ConfigError(f"{self.where}.{key}: write money and rates as quoted text, e.g. \"30000.00\"")
                return Decimal(str(value))
            if kind is dt.date:
                return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            if kind is int and isinstance(value, bool):
                raise TypeError
            if kind is str:
                return str(value)
            if not isinstance(value, kind):
                raise TypeError
            return value
        except (InvalidOperation, ValueError, TypeError):
            raise ConfigError(f"{self.where}.{key}: {value!r} is not a valid {kind.__name__}") from None

    def list(self, key: str) -> list:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise ConfigError(f"{self.where}.{key}: expected a list")
        return value


def read_portfolio(path: Path) -> list[dict]:
    """Parse and validate the whole file into plain records (nothing written yet)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"portfolio file not found: {path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"portfolio file {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    top = _Reader(raw, str(path))
    borrowers = []
    seen: set[str] = set()
    for bi, b in enumerate(top.list("borrowers")):
        rb = _Reader(b, f"borrowers[{bi}]")
        bid = rb.get("id", str)
        id_last4 = rb.get("id_last4", str).upper()
        phone = rb.get("phone_last4", str)
        if len(id_last4) != 4 or not (id_last4[:3].isdigit() and (id_last4[3].isdigit() or id_last4[3] == "X")):
            raise ConfigError(f"borrowers[{bi}].id_last4: {id_last4!r} must be 4 characters, digits or a final X")
        if len(phone) != 4 or not phone.isdigit():
            raise ConfigError(f"borrowers[{bi}].phone_last4: {phone!r} must be 4 digits")
        record = {"id": bid, "name": rb.get("name", str), "id_last4": id_last4,
                  "birth_date": rb.get("birth_date", dt.date), "phone_last4": phone, "loans": []}
        if bid in seen:
            raise ConfigError(f"borrowers[{bi}].id: duplicate borrower id {bid}")
        seen.add(bid)
        for li, loan in enumerate(rb.list("loans")):
            where = f"borrowers[{bi}].loans[{li}]"
            rl = _Reader(loan, where)
            months = rl.get("term_months", int)
            paid_through = rl.get("paid_through", int, required=False, default=0)
            principal, rate = rl.get("principal", Decimal), rl.get("daily_rate", Decimal)
            if principal <= 0 or rate < 0 or not 1 <= months <= 360 or not 0 <= paid_through <= months:
                raise ConfigError(f"{where}: principal, daily_rate, term_months or paid_through out of range")
            lr = {"id": rl.get("id", str), "product": rl.get("product", str, required=False, default="微粒贷"),
                  "principal": fen(principal), "daily_rate": rate, "term_months": months,
                  "first_due": rl.get("first_due", dt.date), "autodebit": bool(rl.get("autodebit", bool, False, True)),
                  "paid_through": paid_through, "attempts": [], "payments": [], "promises": []}
            for ai, a in enumerate(rl.list("attempts")):
                ra = _Reader(a, f"{where}.attempts[{ai}]")
                code = ra.get("code", str, required=False)
                result = ra.get("result", str)
                if result not in {"success", "failed"} or (result == "failed" and code not in FAILURE_CODES):
                    raise ConfigError(f"{where}.attempts[{ai}]: result must be success/failed with a known code ({', '.join(sorted(FAILURE_CODES))})")
                lr["attempts"].append((ra.get("date", dt.date), fen(ra.get("amount", Decimal)), result, code))
            for pi, p in enumerate(rl.list("payments")):
                rp = _Reader(p, f"{where}.payments[{pi}]")
                lr["payments"].append((rp.get("date", dt.date), fen(rp.get("amount", Decimal)), rp.get("channel", str, False, "transfer")))
            for qi, q in enumerate(rl.list("promises")):
                rq = _Reader(q, f"{where}.promises[{qi}]")
                lr["promises"].append((rq.get("made_on", dt.date), rq.get("due", dt.date), fen(rq.get("amount", Decimal))))
            record["loans"].append(lr)
        borrowers.append(record)
    if not borrowers:
        raise ConfigError(f"{path}: no borrowers")
    return borrowers


def seed_portfolio(path: Path, database_url: str | None = None) -> int:
    """Write the portfolio into an empty database; returns how many borrowers were written.
    Refuses a database that already has borrowers (idempotent callers check first)."""
    records = read_portfolio(path)
    with session_scope(database_url) as session:
        repo = LedgerRepository(session)
        if repo.count_borrowers():
            raise ConfigError("the database already has borrowers; seed-demo only fills an empty database")
        from bot.db import models as m

        for b in records:
            session.add(m.Borrower(id=b["id"], name=b["name"], id_last4=b["id_last4"],
                                   birth_date=b["birth_date"], phone_last4=b["phone_last4"]))
            session.flush()
            for loan in b["loans"]:
                schedule = amortize(loan["principal"], apr_from_daily_rate(loan["daily_rate"]), loan["term_months"], loan["first_due"])
                repo.add_loan(b["id"], loan["id"], product=loan["product"], principal=loan["principal"],
                              daily_rate=loan["daily_rate"], term_months=loan["term_months"],
                              first_due=loan["first_due"], autodebit=loan["autodebit"], schedule=schedule)
                session.flush()
                for inst in schedule[: loan["paid_through"]]:
                    channel = "autodebit" if loan["autodebit"] else "app"
                    repo.add_payment(loan["id"], inst.due_date, inst.payment, channel, f"{loan['id']}-I{inst.number}")
                    if loan["autodebit"]:
                        repo.add_attempt(loan["id"], inst.due_date, inst.payment, "success", None)
                for on, amount, result, code in loan["attempts"]:
                    repo.add_attempt(loan["id"], on, amount, result, code)
                for n, (on, amount, channel) in enumerate(loan["payments"], 1):
                    repo.add_payment(loan["id"], on, amount, channel, f"{loan['id']}-P{n}-{on.isoformat()}")
                for made_on, due, amount in loan["promises"]:
                    repo.add_promise(loan["id"], made_on, due, amount)
    return len(records)
