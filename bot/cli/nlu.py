"""``bot nlu``: trainer tooling - add and import examples, lint the data, evaluate, review the inbox."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from bot.nlu import contract

app = typer.Typer(help="NLU training data: add, import, lint, evaluate, inbox of low-confidence messages.",
                  no_args_is_help=True)

_DATA_DIR = typer.Option(contract.NLU_DIR, "--data-dir", help="Training data directory (Rasa YAML).")
_EVAL_DIR = typer.Option(contract.EVAL_DIR, "--eval-dir",
                         help="Evaluation sets (*.tsv) that training data must not copy from.")


@app.command()
def add(
    intent: str = typer.Argument(..., help="One of the 29 intents of the contract."),
    text: str = typer.Argument(..., help="The example; entity markup allowed: 我[15号](date)还"),
    data_dir: Path = _DATA_DIR,
    eval_dir: Path = _EVAL_DIR,
) -> None:
    """Add one example to the file that holds INTENT (sorted, deduplicated)."""
    from bot.nlu.trainer import _rel, add_example

    outcome = add_example(intent, text, nlu_dir=data_dir, eval_dir=eval_dir)
    if outcome.status == "added":
        typer.echo(f"added to {_rel(outcome.path)} ({outcome.intent}): {outcome.text}")
    else:
        typer.echo(f"unchanged: {outcome.reason}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="TSV with columns text and intent (e.g. a labelled inbox)."),
    data_dir: Path = _DATA_DIR,
    eval_dir: Path = _EVAL_DIR,
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report, write nothing."),
) -> None:
    """Add every labelled row of FILE through the same checks as `add` (all rows validated first)."""
    from bot.nlu.trainer import _rel, import_tsv

    report = import_tsv(file, nlu_dir=data_dir, eval_dir=eval_dir, dry_run=dry_run)
    for item in report.added:
        typer.echo(f"{'would add' if dry_run else 'added'} line {item.line} to {_rel(item.path)} "
                   f"({item.intent}): {item.text}")
    for item in report.skipped:
        typer.echo(f"skipped line {item.line}: {item.reason}")
    files = ", ".join(_rel(p) for p in report.files) or "none"
    verb = "would add" if dry_run else "added"
    typer.echo(f"{verb} {len(report.added)}, skipped {len(report.skipped)}, unlabelled {report.unlabelled}; "
               f"files written: {files if not dry_run else 'none (dry run)'}")


@app.command()
def lint(
    data_dir: Path = _DATA_DIR,
    eval_dir: Path = _EVAL_DIR,
    min_examples: int = typer.Option(contract.MIN_EXAMPLES, "--min-examples",
                                     help="Flag contract intents with fewer examples."),
) -> None:
    """Duplicates, conflicts between intents, evaluation leakage, thin or unknown intents (exit 1 if any)."""
    from bot.nlu.trainer import lint as run_lint

    problems, summary = run_lint(data_dir, eval_dir=eval_dir, min_examples=min_examples)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        kinds: dict = {}
        for p in problems:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        typer.echo(f"{len(problems)} problem(s): " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
                   err=True)
        sys.exit(1)  # not typer.Exit: bot.cli.main runs click with standalone_mode=False, which drops it
    typer.echo(f"ok: {summary['examples']} examples, {summary['intents']} intents in {summary['files']} files; "
               f"checked against {summary['eval_sentences']} evaluation sentences")


@app.command()
def inbox(
    since: Optional[str] = typer.Option(None, "--since", help="Only messages from this day on (YYYY-MM-DD)."),
    threshold: float = typer.Option(0.6, "--threshold", help="Confidence below which a message is listed."),
    out: Path = typer.Option(Path("var/nlu_inbox.tsv"), "--out", help="TSV to write (relative to the project)."),
    url: Optional[str] = typer.Option(None, "--url", help="Tracker store URL (default: BOT_TRACKER_URL, "
                                      "else sqlite:///var/tracker.db)."),
) -> None:
    """Write fallback / low-confidence user messages from the tracker store to a TSV to label."""
    from bot import clock
    from bot.config import PROJECT_ROOT
    from bot.nlu.trainer import inbox as run_inbox

    day = clock.parse_date(since, what="--since") if since else None
    target = out if out.is_absolute() else PROJECT_ROOT / out
    rows = run_inbox(target, url=url, since=day, threshold=threshold)
    typer.echo(f"{len(rows)} message(s) to review written to {target}; fill the `intent` column, "
               f"then `bot nlu import {target}`")


@app.command("eval")
def eval_(
    data: Optional[Path] = typer.Option(None, "--data", help="Evaluation TSV (text, intent) or Rasa YAML; "
                                        "default ../shared/eval/real_borrower_questions.tsv."),
    cross_validation: int = typer.Option(0, "--cross-validation", metavar="N",
                                         help="Stratified N-fold cross-validation over data/nlu instead."),
    model: Optional[Path] = typer.Option(None, "--model", help="Trained model (default: the one for the "
                                         "current data, trained if missing)."),
    out: Path = typer.Option(contract.REPORTS_DIR, "--out", help="Report directory."),
    compare: Optional[Path] = typer.Option(None, "--compare", help="A previous nlu_eval.json / nlu_cv.json."),
    data_dir: Path = _DATA_DIR,
    config: Optional[Path] = typer.Option(None, "--config", help="NLU config for --cross-validation "
                                          "(default config.yml)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="With --cross-validation: override DIET's "
                                         "epochs in a temporary copy of the config (quicker folds)."),
    baseline_only: bool = typer.Option(False, "--baseline-only", help="Skip the Rasa model."),
    no_plot: bool = typer.Option(False, "--no-plot", help="Do not draw the confusion matrix PNG."),
) -> None:
    """Per-intent P/R/F1, confusions and a confusion-matrix PNG for the model and the baseline."""
    import logging

    from bot.nlu import evaluation

    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    if cross_validation:
        if model is not None or data is not None:
            typer.echo("note: --model and --data are ignored with --cross-validation", err=True)
        report = evaluation.cross_validate(cross_validation, nlu_dir=data_dir, config=config, out_dir=out,
                                           compare=compare, use_model=not baseline_only, plot=not no_plot,
                                           epochs=epochs)
    else:
        report = evaluation.evaluate(model, data, out, compare=compare, nlu_dir=data_dir,
                                     use_model=not baseline_only, plot=not no_plot)
    evaluation.print_summary(report)


@app.command()
def latency(
    data: Optional[Path] = typer.Option(None, "--data", help="TSV (text, intent) whose texts are parsed; "
                                        "default ../shared/eval/real_borrower_questions.tsv."),
    model: Optional[Path] = typer.Option(None, "--model", help="Trained model (default: the one for the "
                                         "current data, trained if missing)."),
    n: int = typer.Option(300, "--n", min=1, max=100000, help="Texts to time (after the warm-up)."),
    warmup: int = typer.Option(20, "--warmup", min=0, max=1000, help="Parses before timing starts."),
    port: int = typer.Option(5695, "--port", help="Port for the temporary Rasa server."),
) -> None:
    """Time POST /model/parse on a real Rasa server, one client: p50/p95/p99 per message."""
    from bot.nlu import evaluation
    from bot.nlu.latency import measure

    texts = list(evaluation.read_eval_tsv(data or contract.DEFAULT_EVAL_FILE).texts)
    texts = (texts * (n // max(len(texts), 1) + 1))[:n] if texts else []
    result = measure(model or evaluation.default_model(), texts, warmup=warmup, port=port)
    typer.echo(f"/model/parse, one client, {result['n']} messages after {result['warmup']} warm-up: "
               f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, "
               f"mean {result['mean_ms']} ms, max {result['max_ms']} ms")
