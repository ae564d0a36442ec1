"""bot/nlu/evaluation.py without training a Rasa model: metrics on hand-made predictions, the
baseline on a tiny set, and the report pipeline with a stand-in for the model's parser."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.nlu import evaluation
from bot.nlu.evaluation import (
    FALLBACK,
    Baseline,
    compare_reports,
    entity_metrics,
    intent_metrics,
    read_eval_tsv,
)

# ---------------------------------------------------------------------------- intent metrics


def test_intent_metrics_by_hand():
    gold = ["greet", "greet", "ask_balance", "ask_balance", "complain"]
    pred = ["greet", "ask_balance", "ask_balance", FALLBACK, "complain"]
    texts = ["t1", "t2", "t3", "t4", "t5"]
    m = intent_metrics(gold, pred, texts)
    assert m["n"] == 5 and m["accuracy"] == 0.6
    assert m["per_intent"]["greet"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2, "predicted": 1}
    assert m["per_intent"]["ask_balance"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2,
                                              "predicted": 2}
    assert m["per_intent"]["complain"]["f1"] == 1.0
    assert m["macro_f1"] == round((2 / 3 + 0.5 + 1.0) / 3, 4)
    assert m["fallback_rate"] == 0.2
    assert m["top_confusions"] == [
        {"gold": "ask_balance", "predicted": FALLBACK, "count": 1, "examples": ["t4"]},
        {"gold": "greet", "predicted": "ask_balance", "count": 1, "examples": ["t2"]},
    ]
    cm = m["confusion_matrix"]
    assert cm["rows"] == ["greet", "ask_balance", "complain"]  # contract order
    assert cm["columns"] == ["greet", "ask_balance", "complain", FALLBACK]  # fallback: own, last column
    assert cm["counts"] == [[1, 1, 0, 0], [0, 1, 0, 1], [0, 0, 1, 0]]


def test_macro_f1_is_over_gold_intents_only():
    m = intent_metrics(["greet", "greet"], ["greet", "insult"])
    assert list(m["per_intent"]) == ["greet"]
    assert m["macro_f1"] == round(2 * 1.0 * 0.5 / 1.5, 4)
    assert m["predicted_outside_gold"] == {"insult": 1}
    assert FALLBACK in m["confusion_matrix"]["columns"]  # always present, even when never predicted


def test_fallback_is_always_wrong():
    m = intent_metrics(["greet"] * 4, [FALLBACK] * 4)
    assert m["accuracy"] == 0.0 and m["macro_f1"] == 0.0 and m["fallback_rate"] == 1.0


def test_top_confusions_are_capped_and_ordered():
    gold = ["greet"] * 3 + ["deny"] * 2 + ["thank"]
    pred = ["affirm"] * 3 + ["affirm"] * 2 + ["affirm"]
    m = intent_metrics(gold, pred, [f"x{i}" for i in range(6)], top=2)
    assert [(c["gold"], c["count"], len(c["examples"])) for c in m["top_confusions"]] == [("greet", 3, 2), ("deny", 2, 2)]


def test_lengths_must_match():
    with pytest.raises(ValueError):
        intent_metrics(["greet"], [])


def test_entity_metrics_exact_type_and_span():
    gold = [[{"entity": "amount", "start": 0, "end": 4}, {"entity": "date", "start": 5, "end": 8}], [], None]
    pred = [[{"entity": "amount", "start": 0, "end": 4}, {"entity": "date", "start": 5, "end": 7}],
            [{"entity": "amount", "start": 1, "end": 2}], []]
    m = entity_metrics(gold, pred)
    assert (m["precision"], m["recall"], m["support"], m["predicted"]) == (round(1 / 3, 4), 0.5, 2, 3)
    assert m["f1"] == 0.4
    assert m["per_type"]["amount"]["precision"] == 0.5 and m["per_type"]["amount"]["recall"] == 1.0
    assert m["per_type"]["date"]["f1"] == 0.0


def test_compare_reports_deltas():
    prev = {"created": "then", "mode": "eval",
            "model": {"accuracy": 0.5, "macro_f1": 0.4, "per_intent": {"greet": {"f1": 0.5}, "deny": {"f1": 0.2}}}}
    cur = {"model": {"accuracy": 0.75, "macro_f1": 0.5, "per_intent": {"greet": {"f1": 0.8}, "thank": {"f1": 1.0}}},
           "baseline": {"accuracy": 0.6}}
    c = compare_reports(cur, prev)
    assert c["model"]["overall"]["accuracy"]["delta"] == 0.25
    assert c["model"]["overall"]["macro_f1"]["delta"] == 0.1
    assert c["model"]["per_intent_f1"]["greet"]["delta"] == 0.3
    assert c["model"]["per_intent_f1"]["deny"] == {"previous": 0.2, "current": None, "delta": None}
    assert c["model"]["per_intent_f1"]["thank"]["previous"] is None
    assert "baseline" not in c  # nothing to compare against


# ---------------------------------------------------------------------------- data and baseline


def test_read_eval_tsv_is_robust(tmp_path):
    path = tmp_path / "e.tsv"
    path.write_text("text\tintent\tsource\n\n我还欠多少\task_balance\ts\n多出字段\tgreet\ts\textra\n"
                    "没有标签\t\ts\n这是啥\tnot_an_intent\ts\n  \n罚息咋算\task_penalty\n", encoding="utf-8")
    data = read_eval_tsv(path)
    assert data.texts == ["我还欠多少", "罚息咋算"] and data.intents == ["ask_balance", "ask_penalty"]
    assert [line for line, _ in data.bad_rows] == [4, 5, 6]


def test_read_eval_tsv_without_usable_rows(tmp_path):
    path = tmp_path / "e.tsv"
    path.write_text("text\tintent\n", encoding="utf-8")
    with pytest.raises(BotError):
        read_eval_tsv(path)


TINY = {
    "ask_balance": ["我还欠多少", "还欠多少钱", "这期要还多少", "一共还差多少钱", "剩下多少没还"],
    "ask_due_date": ["还款日是哪天", "几号扣款", "啥时候还", "什么时候扣钱", "每月几号还款"],
    "request_human": ["转人工", "我要找客服", "人工客服", "找个真人", "让你们经理跟我说"],
}


def test_baseline_trains_and_predicts_on_a_tiny_set():
    texts = [t for ts in TINY.values() for t in ts]
    intents = [i for i, ts in TINY.items() for _ in ts]
    model = Baseline().fit(texts, intents)
    assert model.predict(["我还欠你们多少", "哪天扣款", "转人工客服"]) == ["ask_balance", "ask_due_date", "request_human"]
    assert model.predict([]) == []
    with pytest.raises(BotError):
        Baseline().fit(["a", "b"], ["greet", "greet"])


# ---------------------------------------------------------------------------- reports


def write_nlu(root: Path) -> Path:
    root.mkdir()
    body = "".join(f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {t}\n" for t in texts)
                   for intent, texts in TINY.items())
    body += "- intent: promise_to_pay\n  examples: |\n" + "".join(
        f"    - [{d}](date)还\n" for d in ("15号", "明天", "月底", "下周五", "后天"))
    (root / "nlu.yml").write_text('version: "3.1"\nnlu:\n' + body, encoding="utf-8")
    return root


@pytest.fixture
def tiny(tmp_path):
    nlu = write_nlu(tmp_path / "nlu")
    data = tmp_path / "eval.tsv"
    data.write_text("text\tintent\tsource\n我到底还欠多少\task_balance\tt\n哪天扣款啊\task_due_date\tt\n"
                    "给我转人工\trequest_human\tt\n你们太坑了\tcomplain\tt\nbroken row\n", encoding="utf-8")
    return nlu, data, tmp_path / "reports"


def fake_parser(answers: dict):
    """Stands in for Agent.load + parse_message: text -> (intent, confidence, entities)."""

    def parse_all(model_path, texts):
        out = []
        for text in texts:
            intent, conf, ents = answers.get(text, (FALLBACK, 0.3, []))
            out.append({"text": text, "intent": {"name": intent, "confidence": conf},
                        "entities": [dict(e, extractor="X") for e in ents]})
        return out

    return parse_all


def test_evaluate_baseline_only_writes_reports(tiny):
    nlu, data, out = tiny
    report = evaluation.evaluate(None, data, out, nlu_dir=nlu, use_model=False)
    assert report["model"] is None and report["n"] == 4
    assert report["bad_rows"] == [(6, "empty intent")]  # the one-column row has no label
    assert report["baseline"]["per_intent"]["complain"]["recall"] == 0.0
    assert report["leakage"] == {"exact": 0, "near": 0}
    md = (out / "nlu_eval.md").read_text(encoding="utf-8")
    js = json.loads((out / "nlu_eval.json").read_text(encoding="utf-8"))
    assert (out / "confusion_matrix.png").stat().st_size > 1000
    assert "你们太坑了" in md  # examples for humans in the Markdown ...
    assert "你们太坑了" not in json.dumps(js, ensure_ascii=False)  # ... never in the JSON
    assert js["baseline"]["top_confusions"][0]["gold"] == "complain"


def test_evaluate_with_a_model_and_compare(tiny, monkeypatch, tmp_path):
    nlu, data, out = tiny
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"stand-in")
    monkeypatch.setattr(evaluation, "_parse_all", fake_parser({
        "我到底还欠多少": ("ask_balance", 0.9, []),
        "哪天扣款啊": ("ask_due_date", 0.8, []),
        "给我转人工": ("request_human", 0.95, []),
    }))
    first = evaluation.evaluate(model, data, out, nlu_dir=nlu)
    assert first["model"]["accuracy"] == 0.75 and first["model"]["fallback_rate"] == 0.25
    assert first["model"]["top_confusions"][0]["predicted"] == FALLBACK
    previous = out / "previous.json"
    (out / "nlu_eval.json").rename(previous)

    monkeypatch.setattr(evaluation, "_parse_all", fake_parser({"我到底还欠多少": ("ask_balance", 0.9, [])}))
    second = evaluation.evaluate(model, data, out, nlu_dir=nlu, compare=previous)
    comp = second["comparison"]["model"]
    assert comp["overall"]["accuracy"]["delta"] == -0.5
    assert comp["per_intent_f1"]["ask_due_date"]["delta"] == -1.0
    assert comp["per_intent_f1"]["ask_balance"]["delta"] == 0.0
    assert second["comparison"]["baseline"]["overall"]["macro_f1"]["delta"] == 0.0
    md = (out / "nlu_eval.md").read_text(encoding="utf-8")
    assert "Δ model" in md and "-1.000" in md


def test_evaluate_on_annotated_yaml_scores_entities(tmp_path, monkeypatch):
    nlu = write_nlu(tmp_path / "nlu")
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"stand-in")
    answers = {f"{d}还": ("promise_to_pay", 0.9, [{"entity": "date", "start": 0, "end": len(d)}])
               for d in ("15号", "明天", "月底")}
    answers["后天还"] = ("promise_to_pay", 0.9, [{"entity": "date", "start": 0, "end": 1}])  # wrong span
    monkeypatch.setattr(evaluation, "_parse_all", fake_parser(answers))
    report = evaluation.evaluate(model, nlu, tmp_path / "r", nlu_dir=nlu, plot=False)
    ents = report["entities"]["model"]
    assert (ents["support"], ents["predicted"]) == (5, 4)
    assert ents["precision"] == 0.75 and ents["recall"] == 0.6
    assert not (tmp_path / "r" / "confusion_matrix.png").exists()


def test_cross_validation_with_baseline_and_stand_in_model(tmp_path, monkeypatch):
    nlu = write_nlu(tmp_path / "nlu")
    calls = []

    def fake_fold(data, train, texts, config, fold):
        calls.append((fold, len(train), len(texts)))
        return [{"intent": "ask_balance", "confidence": 0.9, "entities": [], "best_intent": "ask_balance",
                 "best_confidence": 0.9, "ensemble": {"diet": [["ask_balance", 0.9]], "ngram": [["ask_due_date", 1.0]]}}
                for _ in texts]

    monkeypatch.setattr(evaluation, "_train_and_parse_fold", fake_fold)
    config = tmp_path / "config.yml"
    config.write_text("language: zh\npipeline: []\n", encoding="utf-8")
    report = evaluation.cross_validate(5, nlu_dir=nlu, config=config, out_dir=tmp_path / "r")
    assert [c[0] for c in calls] == [1, 2, 3, 4, 5]
    assert all(train + test == 20 for _, train, test in calls)
    cv = report["cv"]
    assert cv["folds_n"] == 5 and len(cv["folds"]) == 5
    assert cv["mean_macro_f1"]["model"] == pytest.approx(0.1, abs=0.01)  # always ask_balance: F1 0.4 / 4 intents
    assert 0.0 <= cv["mean_macro_f1"]["baseline"] <= 1.0
    assert report["model"]["n"] == 20 and report["entities"]["model"]["support"] == 5
    assert (tmp_path / "r" / "nlu_cv.md").exists() and (tmp_path / "r" / "nlu_cv.json").exists()
    assert (tmp_path / "r" / "nlu_cv_confusion_matrix.png").exists()
    sweep = {row["threshold"]: row for row in report["fallback_sweep"]}
    assert sweep[0.5]["fallback_rate"] == 0.0 and sweep[0.5]["macro_f1"] == pytest.approx(0.1, abs=0.01)
    assert "## Fallback threshold on held-out data" in (tmp_path / "r" / "nlu_cv.md").read_text(encoding="utf-8")
    weights = {(row["weight"], row["threshold"]): row for row in report["ensemble_sweep"]}
    assert weights[1.0, 0.0]["macro_f1"] == pytest.approx(0.1, abs=0.01)  # DIET's ask_balance everywhere
    assert weights[0.0, 0.0]["accuracy"] == pytest.approx(0.25)  # the n-gram side's ask_due_date everywhere
    assert "## Ensemble weight on held-out data" in (tmp_path / "r" / "nlu_cv.md").read_text(encoding="utf-8")
    # every example the stand-in got wrong (all but the ask_balance ones) is listed for the trainer
    rows = [line.split("\t") for line in (tmp_path / "r" / "nlu_cv_errors.tsv").read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["text", "gold", "predicted", "confidence", "baseline"]
    assert len(rows) - 1 == 15 and {r[1] for r in rows[1:]} == {"ask_due_date", "promise_to_pay", "request_human"}
    assert all(r[2] == "ask_balance" and r[3] == "0.900" for r in rows[1:])


def test_fallback_sweep_by_hand():
    gold = ["a", "b", "b", "c"]
    parsed = [{"intent": "a", "best_intent": "a", "best_confidence": 0.9, "second_confidence": 0.05},
              {"intent": "b", "best_intent": "b", "best_confidence": 0.35, "second_confidence": 0.3},
              {"intent": "a", "best_intent": "a", "best_confidence": 0.2, "second_confidence": 0.1},
              {"intent": "c", "best_intent": "c", "best_confidence": 0.5, "second_confidence": None}]
    rows = {(r["threshold"], r["ambiguity"]): r
            for r in evaluation.fallback_sweep(gold, parsed, thresholds=(0.0, 0.3, 0.4, 0.6), ambiguities=(0.0, 0.1))}
    assert rows[0.0, 0.0]["accuracy"] == 0.75 and rows[0.0, 0.0]["fallback_rate"] == 0.0
    assert rows[0.3, 0.0]["accuracy"] == 0.75 and rows[0.3, 0.0]["fallback_rate"] == 0.25  # the wrong "a" falls back
    assert rows[0.4, 0.0]["accuracy"] == 0.5 and rows[0.4, 0.0]["fallback_rate"] == 0.5  # so does the right "b"
    assert rows[0.6, 0.0]["accuracy"] == 0.25 and rows[0.6, 0.0]["fallback_rate"] == 0.75
    assert rows[0.3, 0.0]["macro_f1"] > rows[0.6, 0.0]["macro_f1"]
    # ambiguity 0.1: "b" (0.35 vs 0.30) and the wrong "a" (0.2 vs 0.1, a tie at the edge: kept) ...
    assert rows[0.0, 0.1]["fallback_rate"] == 0.25 and rows[0.0, 0.1]["accuracy"] == 0.5


def test_ensemble_sweep_recombines_both_opinions_with_each_weight():
    gold = ["a", "b", "b"]
    parsed = [
        # DIET right, n-gram wrong
        {"intent": "a", "ensemble": {"diet": [["a", 0.9], ["b", 0.1]], "ngram": [["a", 0.2], ["b", 0.8]]}},
        # DIET wrong and unsure, n-gram right
        {"intent": "a", "ensemble": {"diet": [["a", 0.5], ["b", 0.4]], "ngram": [["a", 0.1], ["b", 0.9]]}},
        # no ensemble: taken at its word
        {"intent": "b", "best_intent": "b", "best_confidence": 0.7, "second_confidence": 0.2},
    ]
    rows = {(r["weight"], r["threshold"]): r
            for r in evaluation.ensemble_sweep(gold, parsed, weights=(0.0, 0.5, 1.0), thresholds=(0.0, 0.6))}
    assert rows[1.0, 0.0]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)  # DIET alone: the second is wrong
    assert rows[0.0, 0.0]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)  # n-gram alone: the first is wrong
    assert rows[0.5, 0.0]["accuracy"] == 1.0  # 0.55 vs 0.45 and 0.3 vs 0.65: both right
    assert rows[0.5, 0.6]["fallback_rate"] == pytest.approx(1 / 3, abs=1e-4)  # only the 0.55 falls back
    assert evaluation.ensemble_sweep(gold, [{"intent": "a"}] * 3) == []


def test_ensemble_sweep_takes_the_distress_nets_answer_at_its_word():
    """The net runs after the ensemble and the fallback: no weight or threshold undoes it."""
    parsed = [{"intent": "express_distress", "best_intent": "express_distress", "best_confidence": 1.0,
               "second_confidence": 0.6, "distress_phrase": "不想活",
               "ensemble": {"diet": [["inform_hardship", 0.9]], "ngram": [["inform_hardship", 0.8]]}}]
    rows = evaluation.ensemble_sweep(["express_distress"], parsed, weights=(0.0, 1.0), thresholds=(0.0, 0.4))
    assert [r["accuracy"] for r in rows] == [1.0] * 4


def test_fallback_sweep_takes_a_final_answer_at_its_word():
    parsed = [{"intent": FALLBACK, "confidence": 0.2}, {"intent": "a", "confidence": 0.1}]
    rows = evaluation.fallback_sweep(["a", "a"], parsed, thresholds=(0.0, 0.5), ambiguities=(0.0,))
    assert [r["fallback_rate"] for r in rows] == [0.5, 0.5]


def test_cross_validation_needs_enough_data(tmp_path):
    nlu = write_nlu(tmp_path / "nlu")
    with pytest.raises(BotError):
        evaluation.cross_validate(1, nlu_dir=nlu, use_model=False, out_dir=tmp_path / "r")
    with pytest.raises(BotError, match="does not exist"):
        evaluation.cross_validate(3, nlu_dir=nlu, config=tmp_path / "missing.yml", out_dir=tmp_path / "r")


def test_compare_with_a_bad_file(tiny, tmp_path):
    nlu, data, out = tiny
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BotError, match="not a JSON report"):
        evaluation.evaluate(None, data, out, nlu_dir=nlu, use_model=False, compare=bad)


def test_cross_validation_epochs_override_uses_a_config_copy(tmp_path, monkeypatch):
    nlu = write_nlu(tmp_path / "nlu")
    config = tmp_path / "config.yml"
    original = ("language: zh\npipeline:\n- name: JiebaTokenizer\n- name: DIETClassifier\n  epochs: 60\n"
                "policies:\n- name: RulePolicy\n")
    config.write_text(original, encoding="utf-8")
    seen = []

    def fake_fold(data, train, texts, train_config, fold):
        from ruamel.yaml import YAML

        seen.append(YAML(typ="safe").load(train_config.read_text(encoding="utf-8")))
        return [{"intent": FALLBACK, "confidence": 0.1, "entities": []} for _ in texts]

    monkeypatch.setattr(evaluation, "_train_and_parse_fold", fake_fold)
    report = evaluation.cross_validate(2, nlu_dir=nlu, config=config, out_dir=tmp_path / "r", epochs=3, plot=False)
    assert [c["pipeline"][1] for c in seen] == [{"name": "DIETClassifier", "epochs": 3}] * 2
    assert config.read_text(encoding="utf-8") == original
    assert "epochs overridden: 3" in report["config"]
    assert report["model"]["fallback_rate"] == 1.0 and report["cv"]["mean_macro_f1"]["model"] == 0.0


def test_ensemble_sweep_replays_the_hardship_precedence():
    """A question recombined from both opinions becomes inform_hardship when the parse found a
    cannot-pay hardship (bot/nlu/precedence.py), as HardshipPrecedence does after the ensemble."""
    parsed = [{"intent": "inform_hardship", "hardship": "job_loss",
               "ensemble": {"diet": [["ask_consequences", 0.7], ["inform_hardship", 0.3]],
                            "ngram": [["ask_consequences", 0.6], ["inform_hardship", 0.4]]}},
              {"intent": "ask_penalty",  # no hardship found: the question stands
               "ensemble": {"diet": [["ask_penalty", 0.8]], "ngram": [["ask_penalty", 0.9]]}}]
    rows = evaluation.ensemble_sweep(["inform_hardship", "ask_penalty"], parsed, weights=(0.0, 1.0), thresholds=(0.0,))
    assert [r["accuracy"] for r in rows] == [1.0, 1.0]
