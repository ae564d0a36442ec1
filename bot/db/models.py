"""Tables. Money columns are ``Money`` (Decimal); dates are Asia/Shanghai calendar dates."""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import declarative_base, relationship

from bot.db.types import LocalTime, Money, Rate

Base = declarative_base()


class Borrower(Base):
    __tablename__ = "borrowers"
    id = Column(String(16), primary_key=True)
    name = Column(String(64), nullable=False)
    id_last4 = Column(String(4), nullable=False)
    birth_date = Column(Date, nullable=False)
    phone_last4 = Column(String(4), nullable=False)
    loans = relationship("Loan", back_populates="borrower", order_by="Loan.id")


class Loan(Base):
    __tablename__ = "loans"
    id = Column(String(16), primary_key=True)
    borrower_id = Column(String(16), ForeignKey("borrowers.id"), nullable=False, index=True)
    product = Column(String(32), nullable=False)
    principal = Column(Money, nullable=False)
    daily_rate = Column(Rate, nullable=False)
    term_months = Column(Integer, nullable=False)
    first_due = Column(Date, nullable=False)
    autodebit = Column(Boolean, nullable=False, default=True)
    borrower = relationship("Borrower", back_populates="loans")
    installments = relationship("Installment", order_by="Installment.number", cascade="all, delete-orphan")
    payments = relationship("Payment", order_by="Payment.paid_on")
    attempts = relationship("PaymentAttempt", order_by="PaymentAttempt.attempted_on")


class Installment(Base):
    """The contractual schedule (等额本息), written once when the loan is booked."""

    __tablename__ = "installments"
    __table_args__ = (UniqueConstraint("loan_id", "number"),)
    id = Column(Integer, primary_key=True)
    loan_id = Column(String(16), ForeignKey("loans.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    due_date = Column(Date, nullable=False)
    principal = Column(Money, nullable=False)
    interest = Column(Money, nullable=False)


class Payment(Base):
    __tablename__ = "payments"
    id = Column(Integer, primary_key=True)
    loan_id = Column(String(16), ForeignKey("loans.id"), nullable=False, index=True)
    paid_on = Column(Date, nullable=False)
    amount = Column(Money, nullable=False)
    channel = Column(String(16), nullable=False)  # autodebit | transfer | app | counter
    reference = Column(String(64), nullable=False, unique=True)


class PaymentAttempt(Base):
    """An autodebit attempt and what the bank said (failure codes in bot.ledger.attempts)."""

    __tablename__ = "payment_attempts"
    id = Column(Integer, primary_key=True)
    loan_id = Column(String(16), ForeignKey("loans.id"), nullable=False, index=True)
    attempted_on = Column(Date, nullable=False)
    amount = Column(Money, nullable=False)
    result = Column(String(16), nullable=False)  # success | failed
    failure_code = Column(String(32))


class Promise(Base):
    __tablename__ = "promises"
    id = Column(Integer, primary_key=True)
    loan_id = Column(String(16), ForeignKey("loans.id"), nullable=False, index=True)
    made_on = Column(Date, nullable=False)
    promised_date = Column(Date, nullable=False)
    amount = Column(Money, nullable=False)
    status = Column(String(16), nullable=False, default="open")  # open | kept | broken | replaced
    conversation_id = Column(String(128))
    idempotency_key = Column(String(128), unique=True)


class Plan(Base):
    __tablename__ = "plans"
    id = Column(Integer, primary_key=True)
    loan_id = Column(String(16), ForeignKey("loans.id"), nullable=False, index=True)
    accepted_on = Column(Date, nullable=False)
    amount = Column(Money, nullable=False)
    apr = Column(Rate, nullable=False)
    term_months = Column(Integer, nullable=False)
    monthly_payment = Column(Money, nullable=False)
    total_interest = Column(Money, nullable=False)
    total_repayment = Column(Money, nullable=False)
    status = Column(String(16), nullable=False, default="active")  # active | completed | broken
    conversation_id = Column(String(128))
    idempotency_key = Column(String(128), unique=True)
    installments = relationship("PlanInstallment", order_by="PlanInstallment.number", cascade="all, delete-orphan")


class PlanInstallment(Base):
    __tablename__ = "plan_installments"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id = Column(Integer, primary_key=True)
    plan_id = Column(Integer, ForeignKey("plans.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    due_date = Column(Date, nullable=False)
    principal = Column(Money, nullable=False)
    interest = Column(Money, nullable=False)


class Hardship(Base):
    """A declared hardship, stored as a category only (compliance rule 3: no free text)."""

    __tablename__ = "hardships"
    id = Column(Integer, primary_key=True)
    borrower_id = Column(String(16), ForeignKey("borrowers.id"), nullable=False, index=True)
    category = Column(String(32), nullable=False)
    declared_at = Column(LocalTime, nullable=False)
    conversation_id = Column(String(128))


class Case(Base):
    """Disputes and complaints, each with a public reference the borrower is told."""

    __tablename__ = "cases"
    id = Column(Integer, primary_key=True)
    reference = Column(String(32), nullable=False, unique=True)
    kind = Column(String(16), nullable=False)  # dispute | complaint
    borrower_id = Column(String(16), ForeignKey("borrowers.id"), index=True)
    loan_id = Column(String(16), ForeignKey("loans.id"), index=True)
    opened_at = Column(LocalTime, nullable=False)
    status = Column(String(16), nullable=False, default="open")  # open | closed
    conversation_id = Column(String(128))
    idempotency_key = Column(String(128), unique=True)


class ContactOptOut(Base):
    """Compliance rule 12: the borrower asked to stop proactive messages."""

    __tablename__ = "contact_optouts"
    id = Column(Integer, primary_key=True)
    borrower_id = Column(String(16), ForeignKey("borrowers.id"), nullable=False, index=True)
    scope = Column(String(32), nullable=False, default="proactive")  # proactive | family | employer
    recorded_at = Column(LocalTime, nullable=False)
    conversation_id = Column(String(128))


class AuditEntry(Base):
    """Compliance rule 15: append-only. The application never updates or deletes a row (the ORM
    refuses below; the migration adds database triggers too); only ``bot audit purge`` deletes
    entries older than the retention period."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(LocalTime, nullable=False, index=True)
    actor = Column(String(32), nullable=False)  # borrower | bot | collector:<name> | system
    action = Column(String(48), nullable=False, index=True)
    conversation_id = Column(String(128), index=True)
    borrower_id = Column(String(16), index=True)
    detail = Column(JSON, nullable=False, default=dict)  # masked before it gets here
    text = Column(Text)  # masked message text, where the entry is a message


@event.listens_for(AuditEntry, "before_update")
def _refuse_audit_update(mapper, connection, target):  # pragma: no cover - exercised in tests
    raise PermissionError("audit log entries are append-only")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_audit_delete(mapper, connection, target):  # pragma: no cover - exercised in tests
    raise PermissionError("audit log entries are append-only")


class Handoff(Base):
    """A conversation waiting for (or with) a collector."""

    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    borrower_id = Column(String(16), ForeignKey("borrowers.id"), index=True)
    reason = Column(String(32), nullable=False)
    priority = Column(Integer, nullable=False)  # 0 = most urgent
    status = Column(String(16), nullable=False, default="waiting")  # waiting | claimed | closed | returned
    requested_at = Column(LocalTime, nullable=False)
    claimed_by = Column(String(64))
    outcome = Column(String(32))


class OutboxMessage(Base):
    """Proactive reminders: every decision (send, defer, drop) is a row; the key makes runs idempotent."""

    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    borrower_id = Column(String(16), ForeignKey("borrowers.id"), nullable=False, index=True)
    loan_id = Column(String(16), ForeignKey("loans.id"), nullable=False)
    stage = Column(String(16), nullable=False)  # due_in_3_days | due_today | overdue
    channel = Column(String(16), nullable=False, default="log")
    status = Column(String(16), nullable=False)  # sent | deferred | dropped
    reason = Column(String(200), nullable=False)
    text = Column(Text)
    decided_at = Column(LocalTime, nullable=False)
    not_before = Column(LocalTime)
    sent_at = Column(LocalTime, index=True)


# -- collector console (bot/console, bot/handoff) ----------------------------------------------------
from sqlalchemy import Float  # noqa: E402  (kept with the tables that use it)


class Collector(Base):
    """A person who works the handoff queue. Passwords: scrypt with a per-user salt (bot.console.auth)."""

    __tablename__ = "collectors"
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)
    role = Column(String(16), nullable=False, default="collector")  # collector | supervisor
    password_hash = Column(String(256), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(LocalTime, nullable=False)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(Float)  # wall-clock seconds (time.time()); None: not locked


class ConsoleSession(Base):
    """A console login (or a pre-login form session when ``collector_id`` is NULL), shared by every
    replica. Only the SHA-256 of the cookie value is stored; the CSRF token belongs to the session.
    Times are wall-clock seconds (``time.time()``), not bot.clock: BOT_NOW must not freeze expiry."""

    __tablename__ = "console_sessions"
    id_hash = Column(String(64), primary_key=True)
    collector_id = Column(Integer, ForeignKey("collectors.id"), index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(Float, nullable=False)
    last_seen = Column(Float, nullable=False)
    expires_at = Column(Float, nullable=False, index=True)


class HandoffEvent(Base):
    """What happened to a handoff entry: claimed, reassigned, replies, notes, outcome, hand back,
    close (the ``handoffs`` row keeps the current state; this is its history for the console).
    Texts are masked (compliance rule 4); the audit log has the same facts, append-only."""

    __tablename__ = "handoff_events"
    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id"), nullable=False, index=True)
    at = Column(LocalTime, nullable=False)
    actor = Column(String(80), nullable=False)  # collector:<name> | bot | system
    kind = Column(String(24), nullable=False)
    detail = Column(JSON, nullable=False, default=dict)
    text = Column(Text)
