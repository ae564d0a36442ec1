"""``bot bench``: load-test the prod profile (N replicas behind nginx) and the demo profile against
a bare Rasa baseline.
"""
from __future__ import annotations

from pathlib import Path

import typer

from bot.config import PROJECT_ROOT

app = typer.Typer(help="Benchmark the prod cluster (scripted borrowers) against a bare Rasa baseline.",
                  invoke_without_command=True)


@app.callback()
def bench(
    ctx: typer.Context,
    conversations: int = typer.Option(20, min=1, max=2000, help="Conversations per concurrency level (8 turns each)."),
    levels: str = typer.Option("1,10,50", help="Concurrency levels, comma-separated (each 1-200)."),
    replicas: int = typer.Option(2, min=1, max=8, help="Rasa replicas + action servers behind nginx."),
    borrowers: int = typer.Option(0, min=0, max=9000, help="Generated borrowers to seed (default: as many as needed)."),
    seed: int = typer.Option(20261201, help="Generator seed (same seed, same portfolio)."),
    time_limit: float = typer.Option(120, min=5, max=1800, help="Seconds per level after which no new conversation starts."),
    baseline: bool = typer.Option(True, help="Also measure the bare Rasa baseline."),
    out: Path = typer.Option(PROJECT_ROOT / "reports" / "bench.json", help="JSON report."),
    keep_databases: bool = typer.Option(False, help="Keep the run's PostgreSQL databases."),
    demo: bool = typer.Option(True, help="Also measure the demo profile (1 Rasa + 1 action server, SQLite)."),
) -> None:
    """Run the benchmark (PostgreSQL, Redis and nginx must be available on 127.0.0.1)."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.bench.run import bench as run_bench

    try:
        level_list = tuple(int(x) for x in levels.split(",") if x.strip())
    except ValueError:
        raise typer.BadParameter("levels must be whole numbers, e.g. 1,10,50") from None
    if not level_list or any(not 1 <= x <= 200 for x in level_list):
        raise typer.BadParameter("each level must be 1-200")
    report = run_bench(conversations=conversations, levels=level_list, replicas=replicas, borrowers=borrowers,
                       seed=seed, time_limit=time_limit, baseline=baseline, out=out, keep_databases=keep_databases,
                       demo=demo, echo=lambda s: typer.echo(s, err=True))
    typer.echo(report["markdown"])
    typer.echo(f"\n(JSON: {out})", err=True)


@app.command("seed")
def seed_cmd(database_url: str = typer.Option(..., envvar="BOT_DATABASE_URL", help="Ledger database (migrated)."),
             count: int = typer.Option(1000, min=1, max=9000), seed: int = typer.Option(20261201)) -> None:
    """Write generated demo-like borrowers (G00001…) into a migrated ledger database."""
    from bot.bench.portfolio import seed_generated

    typer.echo(f"{seed_generated(database_url, count, seed)} borrowers written")
