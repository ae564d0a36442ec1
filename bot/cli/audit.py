"""``bot audit``: masked exports and retention-respecting purges of the audit log."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bot import clock

app = typer.Typer(help="Audit log: export (masked) and purge (only entries past retention).", no_args_is_help=True)


@app.command("export")
def export_cmd(
    borrower: Optional[str] = typer.Option(None, "--borrower", help="Only this borrower (and their conversations)"),
    since: Optional[str] = typer.Option(None, "--since", help="From this date (YYYY-MM-DD)"),
    fmt: str = typer.Option("jsonl", "--format", help="csv or jsonl"),
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of standard output"),
) -> None:
    """Export audit entries, masked (ID, phone, card numbers, addresses)."""
    import datetime as dt

    from bot.db.repository import LedgerRepository
    from bot.db.session import session_scope
    from bot.services.audit_export import entries, export

    start = dt.datetime.combine(clock.parse_date(since, what="--since"), dt.time(), tzinfo=clock.TZ) if since else None
    with session_scope() as session:
        if borrower:
            borrower = LedgerRepository(session).borrower(borrower).id
        text = export(entries(session, borrower, start), fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
    else:
        typer.echo(text, nl=False)


@app.command("purge")
def purge_cmd(before: str = typer.Option(..., "--before", help="Delete entries older than this date (YYYY-MM-DD)")) -> None:
    """Delete entries older than --before; refuses anything inside the retention period (2 years)."""
    from bot.db.session import session_scope
    from bot.services.audit_export import purge

    day = clock.parse_date(before, what="--before")
    with session_scope() as session:
        count = purge(session, day)
    typer.echo(f"purged {count} entries older than {day.isoformat()}")
