"""``bot db``: schema migrations and the demo portfolio."""
from __future__ import annotations

import typer

from bot.config import settings

app = typer.Typer(help="Database: migrations and demo data.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Create or migrate the schema to the newest revision (Alembic)."""
    from bot.db.migrate import current_revision, upgrade as do_upgrade

    do_upgrade()
    typer.echo(f"database at revision {current_revision()} ({_where()})")


@app.command("seed-demo")
def seed_demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing (exit 0) when borrowers already exist."),
) -> None:
    """Load the demo portfolio (data/demo/portfolio.yml, or BOT_PORTFOLIO_FILE) into an empty database."""
    from bot.db.repository import LedgerRepository
    from bot.db.seed import read_portfolio, seed_portfolio
    from bot.db.session import session_scope

    path = settings().portfolio_file
    read_portfolio(path)  # validate before touching the database
    if if_empty:
        with session_scope() as session:
            if LedgerRepository(session).count_borrowers():
                typer.echo("demo portfolio already loaded")
                return
    count = seed_portfolio(path)
    typer.echo(f"loaded {count} demo borrowers from {path}")


@app.command()
def init() -> None:
    """upgrade + seed-demo --if-empty: what `make run` does before it starts the servers."""
    upgrade()
    seed_demo(if_empty=True)


def _where() -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings().database_url).render_as_string(hide_password=True)
