"""Demo-like borrowers, generated reproducibly (seeded) and written through the ledger repository.

Every generated borrower looks like the demo's B001: one autodebit loan, paid on time through
installment ``k``, the next installment due in November 2026 and its autodebit failed twice for
insufficient funds — so with ``BOT_TODAY=2026-12-01`` the scripted conversation (balance, why
overdue, installment plan, confirm) works for each one. Identity factors (id_last4, birth date)
are unique per borrower and never collide with the demo portfolio's.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from bot.db import models as m
from bot.db.repository import LedgerRepository
from bot.db.session import session_scope
from bot.ledger.money import fen
from bot.ledger.schedule import add_months, amortize, apr_from_daily_rate

DEMO_ID_TAILS = {"3512", "0426", "771X", "2048", "6603", "9150", "5828", "3306"}


@dataclass(frozen=True)
class GeneratedBorrower:
    id: str
    name: str
    id_last4: str
    birth_date: dt.date
    loan_id: str

    @property
    def factors(self) -> str:
        """What the borrower types to verify (as in tests/e2e: 身份证后四位… 生日…)."""
        b = self.birth_date
        return f"身份证后四位{self.id_last4} 生日{b.year}年{b.month}月{b.day}日"


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强"]


def generate(count: int, seed: int = 20261201) -> list[tuple[GeneratedBorrower, dict]]:
    """``count`` borrowers with their loan parameters; the same seed gives the same portfolio."""
    rng = random.Random(seed)
    tails = [f"{n:04d}" for n in range(10000) if f"{n:04d}" not in DEMO_ID_TAILS]
    rng.shuffle(tails)
    if count > len(tails):
        raise ValueError(f"at most {len(tails)} generated borrowers (unique id_last4)")
    out = []
    for n in range(count):
        term = rng.choice([12, 12, 24])
        paid = rng.randint(2, term - 4)
        due_day = rng.randint(1, 20)  # the missed installment: 2026-11-<due_day>, past any grace period
        missed_due = dt.date(2026, 11, due_day)
        first_due = add_months(missed_due, -paid, day=due_day)
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 40))
        b = GeneratedBorrower(id=f"G{n + 1:05d}", name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                              id_last4=tails[n], birth_date=birth, loan_id=f"GL{n + 1:05d}")
        loan = {"principal": fen(Decimal(rng.randrange(50, 501) * 100)), "daily_rate": rng.choice([Decimal("0.0003"), Decimal("0.0004"), Decimal("0.0005")]),
                "term": term, "paid": paid, "first_due": first_due, "missed_due": missed_due,
                "phone_last4": f"{rng.randint(0, 9999):04d}"}
        out.append((b, loan))
    return out


def seed_generated(database_url: str, count: int, seed: int = 20261201, batch: int = 200) -> int:
    """Write ``count`` generated borrowers (skipping ids already present); returns how many were written."""
    rows = generate(count, seed)
    written = 0
    for start in range(0, len(rows), batch):
        with session_scope(database_url) as session:
            repo = LedgerRepository(session)
            existing = {bid for (bid,) in session.query(m.Borrower.id).filter(
                m.Borrower.id.in_([b.id for b, _ in rows[start:start + batch]]))}
            for b, loan in rows[start:start + batch]:
                if b.id in existing:
                    continue
                session.add(m.Borrower(id=b.id, name=b.name, id_last4=b.id_last4, birth_date=b.birth_date,
                                       phone_last4=loan["phone_last4"]))
                session.flush()
                schedule = amortize(loan["principal"], apr_from_daily_rate(loan["daily_rate"]), loan["term"], loan["first_due"])
                repo.add_loan(b.id, b.loan_id, product="微粒贷", principal=loan["principal"], daily_rate=loan["daily_rate"],
                              term_months=loan["term"], first_due=loan["first_due"], autodebit=True, schedule=schedule)
                session.flush()
                for inst in schedule[: loan["paid"]]:
                    repo.add_payment(b.loan_id, inst.due_date, inst.payment, "autodebit", f"{b.loan_id}-I{inst.number}")
                    repo.add_attempt(b.loan_id, inst.due_date, inst.payment, "success", None)
                missed = schedule[loan["paid"]]
                for days in (0, 1):
                    repo.add_attempt(b.loan_id, missed.due_date + dt.timedelta(days=days), missed.payment, "failed",
                                     "insufficient_funds")
                written += 1
    return written
