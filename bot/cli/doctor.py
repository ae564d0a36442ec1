"""``bot doctor``: is this machine ready to run the bot?"""
from __future__ import annotations

import socket
import sys
from importlib import metadata

import typer
from rich.console import Console

from bot.config import PROJECT_ROOT, settings


def _check_packages() -> tuple[bool, str]:
    lock = PROJECT_ROOT / "constraints.txt"
    wrong = []
    for line in lock.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" not in line:
            continue
        name, version = line.split("==", 1)
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} missing")
            continue
        if have != version:
            wrong.append(f"{name} {have}≠{version}")
    return (not wrong, "all locked packages installed" if not wrong else "; ".join(wrong[:5]))


def _check_database() -> tuple[bool, str]:
    from bot.db.migrate import current_revision, head_revision
    from bot.db.repository import LedgerRepository
    from bot.db.session import session_scope

    try:
        rev, head = current_revision(), head_revision()
        if rev != head:
            return False, f"schema at {rev}, newest is {head}: run `bot db upgrade`"
        with session_scope() as s:
            n = LedgerRepository(s).count_borrowers()
        return n > 0, f"revision {rev}, {n} borrowers" + ("" if n else ": run `bot db seed-demo`")
    except Exception as exc:  # report, don't crash
        return False, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


def _check_model() -> tuple[bool, str]:
    from bot.training import model_path

    path = model_path()
    return path.exists(), f"{path.name} {'present' if path.exists() else 'missing: `make train`'}"


def _port(port: int) -> tuple[bool, str]:
    with socket.socket() as s:
        s.settimeout(0.3)
        in_use = s.connect_ex(("127.0.0.1", port)) == 0
    return True, f"{port} {'in use (a server is listening)' if in_use else 'free'}"


def doctor() -> None:
    """Check Python version, installed packages, database, model freshness and ports."""
    cfg = settings()
    checks = {
        "python": (sys.version_info[:2] == (3, 10), sys.version.split()[0] + ("" if sys.version_info[:2] == (3, 10) else ": Rasa 3.6 needs 3.10")),
        "packages": _check_packages(),
        "database": _check_database(),
        "model": _check_model(),
        "rasa port": _port(cfg.rasa_port),
        "action port": _port(cfg.action_port),
    }
    console = Console()
    for name, (ok, detail) in checks.items():
        console.print(f"{'[green]ok[/green]  ' if ok else '[red]FAIL[/red]'} {name:12} {detail}")
    if not all(ok for ok, _ in checks.values()):
        raise typer.Exit(1)
