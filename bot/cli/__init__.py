"""The ``bot`` command for operators and trainers. Each sub-app lives in its own module."""
from __future__ import annotations

import sys

import typer

from sqlalchemy.exc import DBAPIError

from bot.errors import BotError

app = typer.Typer(help="还款助手: operate the repayment assistant (database, ledger, checks).", no_args_is_help=True,
                  pretty_exceptions_enable=False)


def _register() -> None:
    from bot.cli import audit, bench, db, doctor, ledger, nlu, remind, serve

    app.add_typer(db.app, name="db")
    app.add_typer(ledger.app, name="ledger")
    app.add_typer(audit.app, name="audit")
    app.add_typer(remind.app, name="remind")
    app.add_typer(nlu.app, name="nlu")
    app.add_typer(bench.app, name="bench")
    from bot.console import cli as console_cli

    app.add_typer(console_cli.app, name="console")
    app.command("doctor")(doctor.doctor)
    app.command("serve")(serve.serve)


def main() -> None:
    _register()
    try:
        code = app(standalone_mode=False)  # typer.Exit(n) comes back as a return value here
        if isinstance(code, int) and code:
            sys.exit(code)
    except BotError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except PermissionError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except DBAPIError as exc:
        typer.echo(f"error: database: {str(exc.orig).splitlines()[0]}", err=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(1)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
