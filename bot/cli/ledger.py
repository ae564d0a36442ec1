"""``bot ledger``: look at a borrower's loans as of a date."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import resolve_today
from bot.ledger.money import yuan

app = typer.Typer(help="Ledger: a borrower's loans, schedule and position.", no_args_is_help=True)


@app.command()
def show(
    borrower_id: str = typer.Argument(..., help="Borrower id, e.g. B001"),
    today: Optional[str] = typer.Option(None, "--today", help="As-of date YYYY-MM-DD (default: BOT_TODAY or the real date)"),
) -> None:
    """A rich table of each loan: installments, what is due now, penalty, days overdue, payoff, plan."""
    from bot.db.repository import LedgerRepository
    from bot.db.session import session_scope
    from bot.services.account import borrower_loans

    as_of = resolve_today(today)
    console = Console()
    with session_scope() as session:
        borrower = LedgerRepository(session).borrower(borrower_id)
        views = borrower_loans(session, borrower.id, as_of)
        console.print(f"[bold]{borrower.id}[/bold] {borrower.name}  as of {as_of.isoformat()}")
        for view in views:
            st = view.statement
            table = Table(title=f"{view.loan.id} {view.loan.product}  本金 {yuan(view.loan.principal)}  "
                                f"年化利率（单利） {view.apr * 100:.2f}%  {view.loan.term_months}期")
            for col in ("期", "到期日", "本金", "利息", "已还本金", "已还利息", "罚息", "状态"):
                table.add_column(col, justify="right")
            for inst in st.installments:
                owed = inst.owed(as_of)
                state = ("已还清" if owed == 0 else f"逾期{inst.days_overdue(as_of)}天" if inst.due_date < as_of
                         else "今日到期" if inst.due_date == as_of else "未到期")
                table.add_row(str(inst.number), inst.due_date.isoformat(), yuan(inst.schedule.principal),
                              yuan(inst.schedule.interest), yuan(inst.principal_paid), yuan(inst.interest_paid),
                              yuan(inst.penalty_accrued(as_of)), state)
            console.print(table)
            nxt = st.next_installment
            console.print(
                f"due now {yuan(st.amount_due_now)} (principal {yuan(st.principal_due)}, interest {yuan(st.interest_due)}, "
                f"penalty {yuan(st.penalty_due)})  days overdue {st.days_overdue}{' (grace)' if st.in_grace else ''}  "
                f"payoff {yuan(st.payoff)}  next due "
                + (f"{nxt.due_date.isoformat()}: {yuan(nxt.owed(as_of))}" if nxt else "none")
                + ("  [settled]" if st.settled else "")
            )
            for p in view.promises:
                console.print(f"promise #{p.id}: {yuan(p.amount)} by {p.promised_date.isoformat()} (made {p.made_on.isoformat()}): {p.status}")
            if view.active_plan is not None:
                plan = view.active_plan
                console.print(
                    f"plan #{plan.id} active: {yuan(plan.amount)} over {plan.term_months} months at {yuan(plan.monthly_payment)}/month, "
                    f"年化利率（单利） {plan.apr * 100:.2f}%, total interest {yuan(plan.total_interest)}, "
                    f"total {yuan(plan.total_repayment)}, accepted {plan.accepted_on.isoformat()}"
                )
                plan_table = Table(title=f"plan #{plan.id} schedule")
                for col in ("期", "到期日", "本金", "利息", "月供"):
                    plan_table.add_column(col, justify="right")
                for inst in plan.installments:
                    plan_table.add_row(str(inst.number), inst.due_date.isoformat(), yuan(inst.principal),
                                       yuan(inst.interest), yuan(inst.principal + inst.interest))
                console.print(plan_table)
