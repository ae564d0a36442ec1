"""``bot console``: collector accounts for the console (wire it as ``app.add_typer(cli.app, name="console")``).

    bot console add-user NAME --role collector|supervisor [--password …]   (prompts when omitted)
    bot console seed-demo                                                   (demo / demo-collector-2026)
    bot console list-users
    bot console disable NAME
"""
from __future__ import annotations

import typer

app = typer.Typer(help="Collector console: accounts (the console itself is at /console on the Rasa server).",
                  no_args_is_help=True)


def _session():
    from bot.db.session import session_scope

    return session_scope()


@app.command("add-user")
def add_user(
    name: str = typer.Argument(..., help="2-22 characters: lower-case letters, digits, '.', '_' or '-'."),
    role: str = typer.Option("collector", "--role", help="collector or supervisor."),
    password: str = typer.Option(None, "--password", help="Prompted (hidden, twice) when omitted."),
    replace: bool = typer.Option(False, "--replace", help="Set a new password/role for an existing user."),
) -> None:
    """Create a console user (password hashed with scrypt and a per-user salt)."""
    from bot.console import auth

    if role not in auth.ROLES:
        raise typer.BadParameter(f"--role must be one of {', '.join(auth.ROLES)}")
    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with _session() as session:
        row = auth.add_user(session, name, password, role, replace=replace)
        typer.echo(f"user {row.name} ({row.role}) saved")


@app.command("seed-demo")
def seed_demo(force: bool = typer.Option(False, "--force", help="Allow it in the prod profile.")) -> None:
    """Create (or reset) the demo collector: demo / demo-collector-2026 (demo profile only)."""
    from bot.config import settings
    from bot.console import auth

    if settings().profile == "prod" and not force:
        raise auth.AuthError("refusing to create the demo account (its password is public) in the prod profile")
    with _session() as session:
        auth.seed_demo(session)
    typer.echo(f"demo collector ready: {auth.DEMO_USER} / {auth.DEMO_PASSWORD}  (console: http://localhost:5005/console)")


@app.command("list-users")
def list_users() -> None:
    """Console users and their roles."""
    from sqlalchemy import select

    from bot.db import models as m

    with _session() as session:
        rows = session.scalars(select(m.Collector).order_by(m.Collector.name)).all()
        if not rows:
            typer.echo("no console users (bot console seed-demo, or bot console add-user NAME)")
        for row in rows:
            typer.echo(f"{row.name}\t{row.role}\t{'active' if row.active else 'disabled'}")


@app.command()
def disable(name: str = typer.Argument(...)) -> None:
    """Disable a user; their sessions stop working at the next request."""
    from sqlalchemy import select

    from bot.console.auth import AuthError, validate_name
    from bot.db import models as m
    from bot.services import audit

    name = validate_name(name)
    with _session() as session:
        row = session.scalar(select(m.Collector).where(m.Collector.name == name))
        if row is None:
            raise AuthError(f"no user {name!r}")
        row.active = False
        audit.record(session, "collector_account_disabled", actor="system", detail={"name": name})
    typer.echo(f"user {name} disabled")
