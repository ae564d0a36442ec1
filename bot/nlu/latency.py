"""``bot nlu latency``: how long ``POST /model/parse`` takes on a real Rasa server, one client.

The server runs the trained model alone (``rasa run --enable-api``, started in a scratch folder so
no endpoints are read: parsing needs no tracker store or action server). After a warm-up, the
texts are parsed one after another and each request is timed on the client.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Sequence

import requests

from bot.bench.run import percentile
from bot.errors import BotError
from bot.serve import rasa_has_model, stop_process_groups


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not rasa_has_model(url):
        if proc.poll() is not None:
            raise BotError(f"rasa exited with code {proc.returncode} while loading the model")
        if time.monotonic() > deadline:
            raise BotError(f"rasa did not load the model within {timeout:.0f} s")
        time.sleep(0.5)


def measure(model: Path, texts: Sequence[str], *, warmup: int = 20, port: int = 5695,
            timeout: float = 180) -> dict:
    """Per-request latency of /model/parse in milliseconds: p50, p95, p99, mean, max."""
    if not texts:
        raise BotError("no texts to parse")
    if not Path(model).is_file() or not tarfile.is_tarfile(model):
        raise BotError(f"{model} is not a Rasa model (a .tar.gz from rasa train)")
    with tempfile.TemporaryDirectory(prefix="bot-nlu-latency-") as scratch:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
        log = open(Path(scratch) / "rasa.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--enable-api", "--interface", "127.0.0.1",
                                 "--port", str(port), "--model", str(Path(model).resolve())],
                                cwd=scratch, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, proc, timeout)
            http = requests.Session()
            for text in list(texts)[:warmup]:
                http.post(f"{url}/model/parse", json={"text": text}, timeout=30).raise_for_status()
            timings = []
            for text in texts:
                t0 = time.perf_counter()
                http.post(f"{url}/model/parse", json={"text": text}, timeout=30).raise_for_status()
                timings.append((time.perf_counter() - t0) * 1000)
        finally:
            stop_process_groups([proc])
            log.close()
    return {"n": len(timings), "warmup": min(warmup, len(texts)),
            **{f"p{int(q * 100)}_ms": round(percentile(timings, q), 1) for q in (0.5, 0.95, 0.99)},
            "mean_ms": round(sum(timings) / len(timings), 1), "max_ms": round(max(timings), 1)}
