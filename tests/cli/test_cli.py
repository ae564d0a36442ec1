"""The `bot` command as an operator runs it: real processes, real database, one-line errors."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = [sys.executable, "-c", "from bot.cli import main; main()"]


def run(*args, env=None, **kw):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*BOT, *args], capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=120, **kw)


@pytest.fixture
def fresh_db(tmp_path):
    return {"BOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "BOT_TODAY": "2026-12-01"}


def test_init_then_show_b001(fresh_db):
    out = run("db", "init", env=fresh_db)
    assert out.returncode == 0, out.stderr
    assert "loaded 8 demo borrowers" in out.stdout
    again = run("db", "init", env=fresh_db)
    assert again.returncode == 0 and "already loaded" in again.stdout
    show = run("ledger", "show", "B001", env={**fresh_db, "COLUMNS": "200"})
    assert show.returncode == 0, show.stderr
    assert "due now 2794.19" in show.stdout
    assert "penalty 40.22" in show.stdout
    assert "days overdue 21" in show.stdout
    other_day = run("ledger", "show", "B002", "--today", "2026-11-30", env={**fresh_db, "COLUMNS": "200"})
    assert "days overdue 2 (grace)" in other_day.stdout


@pytest.mark.parametrize("args,extra_env,message", [
    (("ledger", "show", "B999"), {}, "no borrower with id 'B999'"),
    (("ledger", "show", "B001"), {"BOT_TODAY": "2026-02-30"}, "BOT_TODAY '2026-02-30' is not a valid date"),
    (("ledger", "show", "B001", "--today", "2026-13-01"), {}, "--today '2026-13-01' is not a valid date"),
])
def test_bad_input_one_line_error(fresh_db, args, extra_env, message):
    assert run("db", "init", env=fresh_db).returncode == 0
    out = run(*args, env={**fresh_db, **extra_env})
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr


def test_malformed_portfolio_writes_nothing(tmp_path, fresh_db):
    bad = tmp_path / "bad.yml"
    bad.write_text((ROOT / "data/demo/portfolio.yml").read_text(encoding="utf-8").replace('principal: "8000.00"', "principal: lots"), encoding="utf-8")
    assert run("db", "upgrade", env=fresh_db).returncode == 0
    out = run("db", "seed-demo", env={**fresh_db, "BOT_PORTFOLIO_FILE": str(bad)})
    assert out.returncode != 0 and "principal" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    broken_yaml = tmp_path / "broken.yml"
    broken_yaml.write_text("borrowers: [\n", encoding="utf-8")
    out = run("db", "seed-demo", env={**fresh_db, "BOT_PORTFOLIO_FILE": str(broken_yaml)})
    assert out.returncode != 0 and "not valid YAML" in out.stderr
    show = run("ledger", "show", "B001", env=fresh_db)
    assert show.returncode != 0 and "no borrower" in show.stderr  # nothing half-written


def test_unwritable_database(tmp_path):
    locked = tmp_path / "ro"
    locked.mkdir()
    (locked / "bot.db").write_bytes(b"")
    os.chmod(locked / "bot.db", 0o444)
    os.chmod(locked, 0o555)
    try:
        out = run("db", "init", env={"BOT_DATABASE_URL": f"sqlite:///{locked / 'bot.db'}"})
        if os.geteuid() == 0:  # root ignores file modes: use a path that cannot be a database instead
            out = run("db", "init", env={"BOT_DATABASE_URL": "sqlite:////proc/version/bot.db"})
        assert out.returncode != 0
        assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith("error:")
    finally:
        os.chmod(locked, 0o755)


def test_every_command_has_help():
    for args in (("--help",), ("db", "--help"), ("db", "upgrade", "--help"), ("db", "seed-demo", "--help"),
                 ("ledger", "show", "--help"), ("doctor", "--help")):
        out = run(*args)
        assert out.returncode == 0 and "Usage" in out.stdout, args


def test_doctor_fails_on_a_database_without_schema(tmp_path):
    out = run("doctor", env={"BOT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert out.returncode == 1 and "FAIL" in out.stdout and "database" in out.stdout
