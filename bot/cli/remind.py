"""``bot remind``: proactive reminders under compliance rule 14."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from bot import clock

app = typer.Typer(help="Proactive reminders (quiet hours, frequency caps, opt-outs enforced).", no_args_is_help=True)


def _when(at: Optional[str]):
    return clock.parse_datetime(at, what="--at") if at else clock.now()


def _show(results, title: str) -> None:
    table = Table(title=title)
    for col in ("borrower", "loan", "stage", "decision", "why"):
        table.add_column(col)
    for item in results:
        why = item.decision.reason + (f" (not before {item.decision.not_before:%Y-%m-%d %H:%M})" if item.decision.not_before else "")
        table.add_row(item.borrower_id, item.loan_id, item.stage, item.decision.action, why)
    Console(width=200).print(table)


@app.command("plan")
def plan_cmd(at: Optional[str] = typer.Option(None, "--at", help='Decide as of "YYYY-MM-DD HH:MM" (Asia/Shanghai)')) -> None:
    """Show what a run would send, defer or drop, and why. Writes nothing."""
    from bot.db.session import session_scope
    from bot.services import reminders

    now = _when(at)
    with session_scope() as session:
        results = reminders.plan(session, now)
        session.rollback()
    _show(results, f"reminders as of {now:%Y-%m-%d %H:%M}")


@app.command("run")
def run_cmd(at: Optional[str] = typer.Option(None, "--at", help='Run as of "YYYY-MM-DD HH:MM" (Asia/Shanghai)')) -> None:
    """Send due reminders through the notifier (the log in the demo); every decision is audited."""
    from bot.db.session import session_scope
    from bot.notify import LogNotifier
    from bot.services import reminders

    now = _when(at)
    with session_scope() as session:
        results = reminders.run(session, now, LogNotifier())
    _show(results, f"reminder run at {now:%Y-%m-%d %H:%M}")
    typer.echo(f"sent {sum(r.decision.action == 'send' for r in results)}, deferred "
               f"{sum(r.decision.action == 'defer' for r in results)}, dropped {sum(r.decision.action == 'drop' for r in results)}")
