"""``bot nlu latency`` against a real Rasa server loading the trained model."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.nlu.latency import measure
from tests.conftest import ROOT


def test_the_command_times_real_parses(tmp_path):
    data = tmp_path / "texts.tsv"
    data.write_text("text\tintent\n我还欠多少钱\task_balance\n罚息怎么算\task_penalty\n不还会怎样\task_consequences\n",
                    encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).parent / "bot"), "nlu", "latency", "--data", str(data), "--n", "7",
                           "--warmup", "2", "--port", "5696"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r"7 messages after 2 warm-up: p50 ([\d.]+) ms, p95 ([\d.]+) ms, p99 ([\d.]+) ms, "
                      r"mean ([\d.]+) ms, max ([\d.]+) ms", done.stdout)
    assert found, done.stdout
    p50, p95, p99, _mean, most = map(float, found.groups())
    assert 0 < p50 <= p95 <= p99 <= most < 5000


def test_a_file_that_is_no_model_is_a_clear_error(tmp_path):
    fake = tmp_path / "model.tar.gz"
    fake.write_bytes(b"not a model")
    with pytest.raises(BotError, match="is not a Rasa model"):
        measure(fake, ["你好"], warmup=0, port=5697, timeout=120)
    with pytest.raises(BotError, match="is not a Rasa model"):
        measure(tmp_path / "missing.tar.gz", ["你好"], warmup=0, port=5697, timeout=120)
