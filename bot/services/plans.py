"""Installment plans: what can be offered to a borrower today, and accepting one (idempotent)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db import models as m
from bot.db.repository import LedgerRepository
from bot.errors import RuleViolation
from bot.plans.offers import Eligibility, PlanOffer, check_eligibility, make_offer, offers
from bot.services import audit
from bot.services.account import LoanView


@dataclass(frozen=True)
class PlanOptions:
    view: LoanView
    eligibility: Eligibility
    offers: tuple[PlanOffer, ...]
    hardship: str | None


def collectible_loan(session: Session, borrower_id: str, today: dt.date) -> LoanView | None:
    """The borrower's loan the conversation is about: the most overdue one, else the first open one."""
    from bot.services.account import borrower_loans

    views = borrower_loans(session, borrower_id, today)
    open_views = [v for v in views if not v.statement.settled] or views
    return max(open_views, key=lambda v: v.statement.days_overdue) if open_views else None


def plan_eligibility(session: Session, borrower_id: str, today: dt.date, *,
                     verified: bool) -> tuple[LoanView, Eligibility, str | None] | None:
    """The loan, whether a plan may be offered on it and with which terms, and the hardship declared;
    no offer is computed. None without a loan."""
    view = collectible_loan(session, borrower_id, today)
    if view is None:
        return None
    hardship = LedgerRepository(session).latest_hardship(borrower_id)
    eligibility = check_eligibility(
        verified=verified,
        days_overdue=view.statement.days_overdue,
        settled=view.statement.settled,
        hardship=hardship,
        dispute_open=view.dispute_open,
        plan_active=view.active_plan is not None,
    )
    return view, eligibility, hardship


def plan_options(session: Session, borrower_id: str, today: dt.date, *, verified: bool) -> PlanOptions | None:
    found = plan_eligibility(session, borrower_id, today, verified=verified)
    if found is None:
        return None
    view, eligibility, hardship = found
    made = offers(view.statement.payoff, view.apr, eligibility.terms, today) if eligibility.eligible else []
    return PlanOptions(view, eligibility, tuple(made), hardship)


def accept_plan(
    session: Session,
    borrower_id: str,
    term_months: int,
    today: dt.date,
    *,
    conversation_id: str,
    idempotency_key: str,
) -> tuple[m.Plan, bool]:
    """Write the plan and its schedule; returns (plan, created). A retried request with the same
    idempotency key returns the plan it already created instead of writing a second one."""
    repo = LedgerRepository(session)
    existing = repo.plan_by_key(idempotency_key)
    if existing is not None:
        return existing, False
    options = plan_options(session, borrower_id, today, verified=True)
    if options is None or not options.eligibility.eligible:
        raise RuleViolation(options.eligibility.reason if options else "没有找到可以分期的借款。")
    if term_months not in options.eligibility.terms:
        terms = "、".join(str(t) for t in options.eligibility.terms)
        raise RuleViolation(f"可选的分期期数是{terms}个月。")
    offer = make_offer(options.view.statement.payoff, options.view.apr, term_months, today)
    plan = m.Plan(
        loan_id=options.view.loan.id, accepted_on=today, amount=offer.amount, apr=offer.apr,
        term_months=offer.term_months, monthly_payment=offer.monthly_payment,
        total_interest=offer.total_interest, total_repayment=offer.total_repayment, status="active",
        conversation_id=conversation_id, idempotency_key=idempotency_key,
        installments=[m.PlanInstallment(number=i.number, due_date=i.due_date, principal=i.principal, interest=i.interest)
                      for i in offer.schedule],
    )
    repo.add_plan(plan)
    # the plan's schedule replaces what was promised on the loan: an open promise is no longer owed, and must
    # not turn "broken" when its day passes (found by a probe: 「我明天还全部」, then a 36-month plan the same
    # day, and three days later a broken promise was read back to the borrower)
    # (one already kept or broken before the plan stays what it was)
    replaced = [session.get(m.Promise, p.id) for p in options.view.promises if p.status == "open"]
    for promise in replaced:
        promise.status = "replaced"
    audit.record(session, "plan_accepted", conversation_id=conversation_id, borrower_id=borrower_id,
                 detail={"loan": plan.loan_id, "plan": plan.id, "amount": str(plan.amount), "term": plan.term_months,
                         "monthly": str(plan.monthly_payment), "apr": str(plan.apr), "total": str(plan.total_repayment),
                         "replaces_promises": [p.id for p in replaced]})
    return plan, True
