"""Regression floor on the real borrower questions (../shared/eval): the trained model, measured.

The floors sit under what the current model measures (macro-F1 0.722, accuracy 0.771 on
2026-12-01, baseline 0.683 / 0.748; 0.686-0.698 / 0.739-0.756 before the late-payer examples;
the training is seeded, the margin is for other machines' float arithmetic and for data
changes); issue 3's target of 0.90 is not met yet. A change that makes the NLU worse, or no
better than the n-gram baseline trained on the same data, fails CI.
"""
import pytest

from bot.nlu import contract
from bot.nlu.evaluation import evaluate

MACRO_F1_FLOOR = 0.70
ACCURACY_FLOOR = 0.75


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not contract.DEFAULT_EVAL_FILE.exists():
        pytest.fail(f"evaluation set missing: {contract.DEFAULT_EVAL_FILE}")
    from bot.training import ensure_model

    return evaluate(ensure_model(), contract.DEFAULT_EVAL_FILE, tmp_path_factory.mktemp("eval"), plot=False)


def test_macro_f1_floor(report):
    assert report["model"]["macro_f1"] >= MACRO_F1_FLOOR, report["model"]["macro_f1"]
    assert report["model"]["accuracy"] >= ACCURACY_FLOOR, report["model"]["accuracy"]


def test_the_model_beats_the_baseline(report):
    assert report["model"]["macro_f1"] > report["baseline"]["macro_f1"], (report["model"]["macro_f1"],
                                                                          report["baseline"]["macro_f1"])


def test_every_gold_intent_is_a_contract_intent(report):
    assert set(report["model"]["per_intent"]) <= set(contract.INTENTS)
