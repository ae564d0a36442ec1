"""The bare-Rasa baseline: a trivial rule-only bot with `rasa init`'s default pipeline.

Generated into ``var/bench/baseline-<hash>/`` and trained once (reused while the files are the
same). It runs as one plain ``rasa run`` with the open REST channel, in-memory tracker and lock
store, no action server: what Rasa itself costs per turn on this machine.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

INTENTS = {
    "greet": ["hello", "hi", "hey there", "good morning", "hello bot", "hi there"],
    "verify": ["my id ends with 1234", "id last four 5678 born 1988", "here is my id 4321", "my birthday is march 12",
               "id 9999 birthday 1990", "the last four digits are 2468"],
    "ask_balance": ["how much do I owe", "what is my balance", "how much is left", "what do I still owe",
                    "tell me my balance", "how much money do I owe you"],
    "ask_reason": ["why am I overdue", "why did the payment fail", "why is it late", "what went wrong with my payment",
                   "why overdue", "why was I charged late"],
    "ask_plan": ["I want installments", "can I pay in installments", "split my payment", "I need a payment plan",
                 "installment plan please", "can I pay monthly"],
    "choose": ["twelve months", "12 months please", "I choose 12", "the 12 month option", "six months", "pick 12"],
    "affirm": ["yes", "confirm", "yes please", "ok confirm", "sure", "that is right"],
    "goodbye": ["bye", "goodbye", "see you", "bye bye", "thanks bye", "have a nice day"],
}
#: the plain utterances a baseline conversation sends (8 turns, like the scripted one)
SCRIPT = ["hello", "id last four 3512 born 1988", "how much do I owe", "why am I overdue", "I want installments",
          "twelve months", "yes", "bye"]

CONFIG = """recipe: default.v1
assistant_id: baseline
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
"""


def _files() -> dict[str, str]:
    import yaml

    responses = {f"utter_{i}": [{"text": f"baseline reply to {i}"}] for i in INTENTS}
    domain = {"version": "3.1", "intents": list(INTENTS), "responses": responses,
              "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}}
    nlu = {"version": "3.1", "nlu": [{"intent": i, "examples": "".join(f"- {e}\n" for e in ex)} for i, ex in INTENTS.items()]}
    rules = {"version": "3.1", "rules": [{"rule": f"answer {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]}
                                         for i in INTENTS]}
    return {"config.yml": CONFIG, "domain.yml": yaml.safe_dump(domain, sort_keys=False),
            "data/nlu.yml": yaml.safe_dump(nlu, sort_keys=False), "data/rules.yml": yaml.safe_dump(rules, sort_keys=False),
            "credentials.yml": "rest:\n"}


def ensure_baseline_model() -> tuple[Path, Path]:
    """(project dir, model path); trains once per content hash."""
    files = _files()
    digest = hashlib.sha256("".join(k + v for k, v in sorted(files.items())).encode()).hexdigest()[:12]
    root = PROJECT_ROOT / "var" / "bench" / f"baseline-{digest}"
    model = root / "models" / "baseline.tar.gz"
    if model.exists():
        return root, model
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "rasa", "train", "--fixed-model-name", "baseline", "--out", "models",
                    "--config", "config.yml", "--domain", "domain.yml", "--data", "data"],
                   cwd=root, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return root, model
