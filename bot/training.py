"""Which model matches the current data: a fingerprint of everything training reads.

``make run`` and the tests train only when ``models/<fingerprint>.tar.gz`` is missing, so a model
is never stale and never retrained for nothing.
"""
from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

#: What a trained model depends on: config, domain, training data, and our NLU components' code
#: (not the trainer tooling next to them, which a model never loads).
INPUTS = ("config.yml", "domain.yml", "data", "bot/nlu")
NOT_INPUTS = ("bot/nlu/evaluation.py", "bot/nlu/trainer.py", "bot/nlu/latency.py")  # tools, not the model
MODELS = PROJECT_ROOT / "models"


def _files() -> list[Path]:
    found: list[Path] = []
    for name in INPUTS:
        path = PROJECT_ROOT / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                         and p.suffix in {".yml", ".yaml", ".txt", ".py", ".json"} and "demo" not in p.parts
                         and str(p.relative_to(PROJECT_ROOT)) not in NOT_INPUTS)
    return sorted(found)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in _files():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"{fingerprint()}.tar.gz"


def ensure_model(force: bool = False) -> Path:
    """Train (``rasa train``) unless a model for the current fingerprint exists."""
    target = model_path()
    if target.exists() and not force:
        return target
    MODELS.mkdir(exist_ok=True)
    with open(MODELS / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second caller waits for the first training, then reuses it
        if target.exists() and not force:
            return target
        _train(target)
    return target


def _train(target: Path) -> None:
    cmd = [sys.executable, "-m", "rasa", "train", "--fixed-model-name", target.name[: -len(".tar.gz")],
           "--out", str(MODELS), "--config", "config.yml", "--domain", "domain.yml", "--data", "data"]
    subprocess.run(cmd, cwd=PROJECT_ROOT, check=True)


if __name__ == "__main__":  # python -m bot.training [--print]
    if sys.argv[1:] == ["--print"]:
        print(model_path())
    else:
        print(ensure_model())
