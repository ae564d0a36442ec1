"""Trainer tooling (bot/nlu/trainer.py, `bot nlu add/lint/import/inbox`) on small tmp data sets."""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.nlu import contract, trainer
from bot.nlu.trainer import (
    EvalIndex,
    EvalLeak,
    ExampleConflict,
    InvalidExample,
    UnknownIntent,
    add_example,
    import_tsv,
    lint,
    mask_digits,
    read_inbox,
    read_tsv,
    text_key,
)

ROOT = Path(__file__).resolve().parents[2]
BOT = [sys.executable, "-c", "from bot.cli import main; main()"]

CHITCHAT = """version: "3.1"

# Small talk. Keep this comment.
nlu:
- intent: greet
  examples: |
    - 在吗
    - 你好

- intent: goodbye
  examples: |
    - 再见
    - 拜拜
    - 再见

- synonym: job_loss
  examples: |
    - 失业
"""

ACCOUNT = """version: "3.1"
nlu:
- intent: ask_balance
  examples: |
    - 这期要还多少
    - 我还欠多少
- intent: promise_to_pay
  # how the borrower commits
  examples: |
    - 我[15号](date)还
    - [月底](date)前还[三千](amount)
"""

EVAL = (
    "text\tintent\tsource\n"
    "罚息怎么算的呢\task_penalty\tunit-test\n"
    "\n"
    "我想问一下怎么提前还款啊\task_early_repayment\tunit-test\n"
    "a\tb\tc\td\n"
)


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    root = tmp_path / "nlu"
    root.mkdir()
    (root / "chitchat.yml").write_text(CHITCHAT, encoding="utf-8")
    (root / "account.yml").write_text(ACCOUNT, encoding="utf-8")
    return root


@pytest.fixture
def eval_dir(tmp_path: Path) -> Path:
    root = tmp_path / "eval"
    root.mkdir()
    (root / "real.tsv").write_text(EVAL, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


def _click_version() -> tuple:
    from importlib.metadata import version

    return tuple(int(x) for x in version("click").split(".")[:2])


# typer 0.7 parses options wrongly under click >= 8.2; constraints.txt pins click 8.1.7
cli = pytest.mark.skipif(_click_version() >= (8, 2), reason="typer 0.7 needs click < 8.2 (locked: 8.1.7)")


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*BOT, *args], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, **(env or {})})


# ---------------------------------------------------------------------------- keys, masks, TSV


def test_contract_has_the_29_intents():
    assert len(contract.INTENTS) == len(set(contract.INTENTS)) == 29
    assert {"greet", "express_distress", "insult", "out_of_scope"} <= set(contract.INTENTS)


def test_text_key_ignores_script_width_case_and_punctuation():
    assert text_key("罰息怎麼算？") == text_key("罚息怎么算") == "罚息怎么算"
    assert text_key("ＯＫ， 好的!") == text_key("ok好的")
    assert text_key("！！！") == ""


def test_mask_digits():
    assert mask_digits("卡号6222021234567890扣款") == "卡号****************扣款"
    assert mask_digits("手机 138 1234 5678") == "手机 *** **** ****"
    assert mask_digits("还3000 15号") == "还3000 15号"  # amounts and dates stay
    assert mask_digits("身份证后四位1234") == "身份证后四位1234"
    assert mask_digits("１２３４５６７") == "*******"  # full-width digits too


def test_read_tsv_reports_bad_rows(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("\ufefftext\tintent\n\n你好\tgreet\n\tgreet\na\tb\tc\n再见\n", encoding="utf-8")
    tsv = read_tsv(path, required=("text", "intent"), positional=("text", "intent"))
    assert [(r.line, r.fields["text"], r.fields["intent"]) for r in tsv.rows] == [(3, "你好", "greet"), (6, "再见", "")]
    assert [line for line, _ in tsv.bad] == [4, 5]


def test_eval_index_exact_near_and_far(eval_dir):
    index = EvalIndex.from_files(contract.eval_files(eval_dir))
    assert len(index) == 2
    assert index.match("罰息怎麼算的呢？").kind == "exact"
    near = index.match("我想问一下怎么提前还款")
    assert near.kind == "near" and near.score >= 0.8 and near.eval_line == 4
    assert index.match("罚息怎么算") is None  # 3 of 5 grams: Jaccard 0.6


# ---------------------------------------------------------------------------- add


def test_add_appends_sorted_and_keeps_the_rest_of_the_file(nlu_dir, eval_dir):
    outcome = add_example("ask_balance", "  还剩多少钱 ", nlu_dir=nlu_dir, eval_dir=eval_dir)
    assert outcome.status == "added" and outcome.path == nlu_dir / "account.yml"
    block = "".join(f"    - {t}\n" for t in sorted(["这期要还多少", "我还欠多少", "还剩多少钱"]))
    # only the block changed: the examples sorted (code point order), everything else byte-identical
    expected = ACCOUNT.replace("    - 这期要还多少\n    - 我还欠多少\n", block)
    assert (nlu_dir / "account.yml").read_text(encoding="utf-8") == expected
    assert (nlu_dir / "chitchat.yml").read_text(encoding="utf-8") == CHITCHAT


def test_add_keeps_markup_and_rasa_reads_the_result(nlu_dir, eval_dir):
    add_example("promise_to_pay", "[下周五](date)还[2000](amount)", nlu_dir=nlu_dir, eval_dir=eval_dir)
    text = (nlu_dir / "account.yml").read_text(encoding="utf-8")
    assert "  # how the borrower commits\n  examples: |\n" in text
    assert "    - [下周五](date)还[2000](amount)\n" in text and "    - 我[15号](date)还\n" in text
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(nlu_dir))
    found = {m.get("text"): m for m in data.intent_examples}
    assert [(e["entity"], e["start"], e["end"]) for e in found["下周五还2000"].get("entities")] == [
        ("date", 0, 3), ("amount", 4, 8)]
    assert len(data.entity_synonyms) == 1


def test_add_deduplicates_the_block(nlu_dir, eval_dir):
    add_example("goodbye", "先这样", nlu_dir=nlu_dir, eval_dir=eval_dir)
    text = (nlu_dir / "chitchat.yml").read_text(encoding="utf-8")
    assert text.count("    - 再见\n") == 1
    assert "- intent: goodbye\n  examples: |\n    - 先这样\n    - 再见\n    - 拜拜\n\n- synonym" in text


def test_add_same_text_twice_is_a_no_op(nlu_dir, eval_dir):
    before = snapshot(nlu_dir)
    outcome = add_example("greet", "你好", nlu_dir=nlu_dir, eval_dir=eval_dir)
    assert outcome.status == "present"
    assert snapshot(nlu_dir) == before


def test_add_creates_a_file_for_an_intent_without_data(nlu_dir, eval_dir):
    add_example("insult", "滚", nlu_dir=nlu_dir, eval_dir=eval_dir)
    assert (nlu_dir / "insult.yml").read_text(encoding="utf-8") == (
        'version: "3.1"\nnlu:\n- intent: insult\n  examples: |\n    - 滚\n')


@pytest.mark.parametrize("intent,text,error", [
    ("nlu_fallback", "你好呀", UnknownIntent),
    ("ask_ballance", "还欠多少", UnknownIntent),
    ("goodbye", "你好！", ExampleConflict),  # same normalised text as greet's 你好
    ("greet", "[你好](greeting)", InvalidExample),  # entity type not in the contract
    ("greet", "  ", InvalidExample),
    ("greet", "你好\n再见", InvalidExample),
    ("ask_penalty", "罚息怎么算的呢", EvalLeak),  # exact copy
    ("ask_penalty", "罰息怎麼算的呢？", EvalLeak),  # copy once normalised
    ("ask_early_repayment", "我想问一下怎么提前还款", EvalLeak),  # near-duplicate
])
def test_add_refuses(nlu_dir, eval_dir, intent, text, error):
    before = snapshot(nlu_dir)
    with pytest.raises(error):
        add_example(intent, text, nlu_dir=nlu_dir, eval_dir=eval_dir)
    assert snapshot(nlu_dir) == before


def test_add_keeps_crlf_line_endings(nlu_dir, eval_dir):
    (nlu_dir / "account.yml").write_bytes(ACCOUNT.replace("\n", "\r\n").encode())
    add_example("ask_balance", "还剩多少钱", nlu_dir=nlu_dir, eval_dir=eval_dir)
    raw = (nlu_dir / "account.yml").read_bytes().decode()
    assert "\r\n    - 还剩多少钱\r\n" in raw and raw.count("\n") == raw.count("\r\n")


def test_files_with_odd_line_breaks_are_reported_not_edited(nlu_dir, eval_dir):
    (nlu_dir / "odd.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - 哈\u2028喽\n", encoding="utf-8")
    problems, _ = lint(nlu_dir, eval_dir=eval_dir, min_examples=0)
    assert [p.kind for p in problems if p.where.endswith("odd.yml")] == ["odd-line-break"]
    with pytest.raises(BotError, match="U\\+2028"):
        add_example("greet", "哈喽", nlu_dir=nlu_dir, eval_dir=eval_dir)
    (nlu_dir / "odd.yml").unlink()
    with pytest.raises(InvalidExample):
        add_example("greet", "哈\u2028喽", nlu_dir=nlu_dir, eval_dir=eval_dir)


def test_add_refuses_when_a_file_does_not_parse(nlu_dir, eval_dir):
    (nlu_dir / "broken.yml").write_text("nlu:\n- intent: greet\n  examples: [unclosed\n", encoding="utf-8")
    with pytest.raises(BotError, match="does not parse"):
        add_example("greet", "哈喽", nlu_dir=nlu_dir, eval_dir=eval_dir)


@cli
def test_cli_add_exit_codes(nlu_dir, eval_dir):
    ok = run_cli("nlu", "add", "ask_balance", "一共欠多少", "--data-dir", str(nlu_dir), "--eval-dir", str(eval_dir))
    assert ok.returncode == 0, ok.stderr
    assert "added to" in ok.stdout
    bad = run_cli("nlu", "add", "ask_money", "一共欠多少", "--data-dir", str(nlu_dir), "--eval-dir", str(eval_dir))
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: unknown intent 'ask_money'")
    assert len(bad.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------------------- lint


def test_lint_finds_every_kind_of_problem(nlu_dir, eval_dir):
    (nlu_dir / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_penalty\n  examples: |\n    - 罚息怎么算的呢?\n'
        "    - 我想问一下怎么提前还款\n- intent: greetings\n  examples: |\n    - 哈喽\n"
        "- intent: deny\n  examples: |\n    - 你好\n", encoding="utf-8")
    problems, summary = lint(nlu_dir, eval_dir=eval_dir, min_examples=2)
    kinds = {p.kind for p in problems}
    assert kinds == {"duplicate", "conflict", "eval-leak", "eval-near-duplicate", "too-few-examples",
                     "unknown-intent"}
    dup = next(p for p in problems if p.kind == "duplicate")
    assert dup.where.endswith("chitchat.yml:14") and "repeats" in dup.message
    conflict = next(p for p in problems if p.kind == "conflict")
    assert "deny and greet" in conflict.message
    few = {p.message.split()[0] for p in problems if p.kind == "too-few-examples"}
    assert "insult" in few and "ask_balance" not in few and "ask_penalty" not in few
    assert summary["examples"] == 13  # the repeated line counts (it is in the file)


def test_lint_ok_when_clean(nlu_dir, eval_dir):
    (nlu_dir / "chitchat.yml").write_text(CHITCHAT.replace("    - 拜拜\n    - 再见\n", "    - 拜拜\n"), encoding="utf-8")
    # traditional / punctuation variants inside one intent are deliberate, not duplicates
    (nlu_dir / "account.yml").write_text(ACCOUNT.replace("    - 我还欠多少\n", "    - 我还欠多少\n    - 我還欠多少？\n"),
                                         encoding="utf-8")
    problems, _ = lint(nlu_dir, eval_dir=eval_dir, min_examples=0)
    assert problems == []


@cli
def test_cli_lint_exit_codes(nlu_dir, eval_dir):
    failing = run_cli("nlu", "lint", "--data-dir", str(nlu_dir), "--eval-dir", str(eval_dir), "--min-examples", "1")
    assert failing.returncode == 1
    assert "duplicate" in failing.stdout and "too-few-examples" in failing.stdout
    (nlu_dir / "chitchat.yml").write_text(CHITCHAT.replace("    - 拜拜\n    - 再见\n", "    - 拜拜\n"), encoding="utf-8")
    passing = run_cli("nlu", "lint", "--data-dir", str(nlu_dir), "--eval-dir", str(eval_dir), "--min-examples", "0")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert passing.stdout.startswith("ok: 8 examples, 4 intents in 2 files")


def test_lint_is_fast_on_a_realistic_size(tmp_path):
    import random
    import time

    rng = random.Random(7)
    chars = "我你他还款逾期罚息怎么算多少钱能不能分期延期征信影响提前结清借呗花呗微粒贷为什么扣款失败"

    def sentence() -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randint(4, 20)))

    eval_rows = "".join(f"{sentence()}\tgreet\tx\n" for _ in range(400))
    (tmp_path / "e.tsv").write_text("text\tintent\tsource\n" + eval_rows, encoding="utf-8")
    root = tmp_path / "data"
    root.mkdir()
    body = "".join(f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {sentence()}\n" for _ in range(80))
                   for intent in contract.INTENTS)
    (root / "all.yml").write_text('version: "3.1"\nnlu:\n' + body, encoding="utf-8")
    started = time.monotonic()
    problems, summary = lint(root, eval_dir=tmp_path / "e.tsv")
    assert summary["examples"] == 29 * 80
    assert time.monotonic() - started < 10


# ---------------------------------------------------------------------------- import


def test_import_all_or_nothing(nlu_dir, eval_dir, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("text\tintent\n还剩多少\task_balance\n你好呀\tgreeting\n[3k](money)\tpromise_to_pay\n",
                   encoding="utf-8")
    before = snapshot(nlu_dir)
    with pytest.raises(BotError) as info:
        import_tsv(bad, nlu_dir=nlu_dir, eval_dir=eval_dir)
    assert "2 bad row(s), nothing imported" in str(info.value)
    assert "line 3" in str(info.value) and "line 4" in str(info.value)
    assert snapshot(nlu_dir) == before


def test_import_adds_and_skips_with_reasons(nlu_dir, eval_dir, tmp_path):
    rows = [
        "text\tpredicted_intent\tconfidence\tsender_id\ttimestamp\tintent",
        "还剩多少\tnlu_fallback\t0.3\tu1\t\task_balance",          # added
        "我[20号](date)还\task_balance\t0.5\tu1\t\tpromise_to_pay",  # added, markup kept
        "哈喽\tgreet\t0.5\tu2\t\tgreet",                            # added
        "再见！\tgoodbye\t0.5\tu2\t\tgreet",                        # conflicts with goodbye
        "罚息怎么算的呢\task_penalty\t0.5\tu3\t\task_penalty",       # eval leak
        "可以\taffirm\t0.5\tu4\t\taffirm",                          # labelled twice in the file
        "可以！\taffirm\t0.5\tu4\t\tdeny",
        "你好\tgreet\t0.5\tu5\t\tgreet",                            # already there
        "随便说说\tnlu_fallback\t0.1\tu6\t\t",                       # unlabelled
    ]
    path = tmp_path / "inbox.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = import_tsv(path, nlu_dir=nlu_dir, eval_dir=eval_dir)
    assert [o.text for o in report.added] == ["还剩多少", "我[20号](date)还", "哈喽"]
    reasons = {o.line: o.reason for o in report.skipped}
    assert set(reasons) == {5, 6, 7, 8, 9}
    assert "already an example of goodbye" in reasons[5]
    assert "evaluation sentence" in reasons[6]
    assert "labelled affirm and deny in this file" in reasons[7] == reasons[8]
    assert "already an example of greet" in reasons[9]
    assert report.unlabelled == 1
    assert sorted(p.name for p in report.files) == ["account.yml", "chitchat.yml"]
    account = (nlu_dir / "account.yml").read_text(encoding="utf-8")
    assert "    - 还剩多少\n" in account and "    - 我[20号](date)还\n" in account
    assert "    - 哈喽\n" in (nlu_dir / "chitchat.yml").read_text(encoding="utf-8")


def test_import_dry_run_writes_nothing(nlu_dir, eval_dir, tmp_path):
    path = tmp_path / "in.tsv"
    path.write_text("text\tintent\n还剩多少\task_balance\n", encoding="utf-8")
    before = snapshot(nlu_dir)
    report = import_tsv(path, nlu_dir=nlu_dir, eval_dir=eval_dir, dry_run=True)
    assert len(report.added) == 1 and report.files == []
    assert snapshot(nlu_dir) == before


# ---------------------------------------------------------------------------- inbox

SCHEMA = """CREATE TABLE events (
    id INTEGER NOT NULL PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
)"""


def _ts(day: str, hour: int = 10) -> float:
    from bot.clock import TZ

    return dt.datetime.fromisoformat(f"{day} {hour:02d}:00").replace(tzinfo=TZ).timestamp()


def _user(sender: str, ts: float, text: str, intent: str, confidence: float) -> tuple:
    data = {"event": "user", "timestamp": ts, "text": text, "input_channel": "rest",
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": confidence},
                           "entities": [], "intent_ranking": [{"name": intent, "confidence": confidence}]}}
    return (sender, "user", ts, intent, None, json.dumps(data, ensure_ascii=False))


@pytest.fixture
def tracker_db(tmp_path) -> Path:
    path = tmp_path / "tracker.db"
    conn = sqlite3.connect(path)
    conn.execute(SCHEMA)
    rows = [
        _user("u1", _ts("2026-11-20"), "我的卡号6222021234567890怎么扣不了", "nlu_fallback", 0.4),  # before --since
        ("u1", "action", _ts("2026-11-30"), None, "action_listen", json.dumps({"event": "action"})),
        _user("u1", _ts("2026-11-30"), "打我手机13812345678", "nlu_fallback", 0.4),
        _user("u2", _ts("2026-11-30", 11), "你好", "greet", 0.99),  # confident: not listed
        _user("u2", _ts("2026-11-30", 12), "能不能缓缓", "request_extension", 0.35),
        _user("u3", _ts("2026-11-30", 13), "/affirm", "affirm", 1.0 / 3),  # a button payload
        _user("u4", _ts("2026-12-01", 9), "能不能缓缓！", "request_extension", 0.5),  # same text, later
        _user("u4", _ts("2026-12-01", 10), "好的\t谢谢", "thank", 0.59),
    ]
    conn.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                     "VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return path


def test_read_inbox(tracker_db):
    rows = read_inbox(f"sqlite:///{tracker_db}", since=dt.date(2026, 11, 30), threshold=0.6)
    assert [(r.text, r.predicted_intent, r.sender_id) for r in rows] == [
        ("打我手机***********", "nlu_fallback", "u1"),
        ("能不能缓缓！", "request_extension", "u4"),  # listed once, at its latest occurrence
        ("好的 谢谢", "thank", "u4"),
    ]
    everything = read_inbox(f"sqlite:///{tracker_db}", threshold=0.0)
    assert [r.predicted_intent for r in everything] == ["nlu_fallback", "nlu_fallback"]
    assert everything[0].text == "我的卡号****************怎么扣不了"


@cli
def test_cli_inbox_writes_a_tsv_that_import_reads(tracker_db, tmp_path, nlu_dir, eval_dir):
    out = tmp_path / "inbox.tsv"
    done = run_cli("nlu", "inbox", "--since", "2026-11-30", "--out", str(out),
                   env={"BOT_TRACKER_URL": f"sqlite:///{tracker_db}"})
    assert done.returncode == 0, done.stderr
    assert "3 message(s)" in done.stdout
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == list(trainer.INBOX_COLUMNS)
    first = lines[1].split("\t")
    assert first[0] == "打我手机***********" and first[1] == "nlu_fallback" and first[2] == "0.400"
    assert first[3] == "u1" and first[4] == "2026-11-30T10:00:00+08:00" and first[5] == ""
    # the trainer labels one row, then imports the file
    parts = lines[2].split("\t")
    assert len(parts) == 6 and parts[0] == "能不能缓缓！"
    parts[-1] = "request_extension"
    lines[2] = "\t".join(parts)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_tsv(out, nlu_dir=nlu_dir, eval_dir=eval_dir)
    assert [o.text for o in report.added] == ["能不能缓缓！"] and report.unlabelled == 2


@cli
def test_inbox_errors_are_one_line(tmp_path):
    missing = run_cli("nlu", "inbox", "--out", str(tmp_path / "x.tsv"),
                      env={"BOT_TRACKER_URL": f"sqlite:///{tmp_path / 'nope.db'}"})
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(BotError, match="events table"):
        read_inbox(f"sqlite:///{empty}")
    with pytest.raises(BotError, match="not a valid date"):
        from bot import clock

        clock.parse_date("2026-13-01", what="--since")
