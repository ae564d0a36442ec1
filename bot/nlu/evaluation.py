"""NLU evaluation: the trained Rasa model against an evaluation set, beside a simple baseline.

Two modes:

* ``evaluate()`` (``bot nlu eval``): predictions of one trained model on a labelled set - by
  default ``../shared/eval/real_borrower_questions.tsv`` (TSV: text, intent, source), or Rasa
  YAML (a file or directory, "training-data mode", which also scores entities) - and of the
  baseline (TF-IDF char 1-3-grams + LinearSVC) trained on ``data/nlu``.
* ``cross_validate()`` (``bot nlu eval --cross-validation N``): stratified N-fold over
  ``data/nlu``; each fold trains a Rasa NLU model and the baseline on the same split.

Metrics: accuracy, macro-F1 over the intents present in the gold labels, per-intent
precision/recall/F1/support, top confusions, entity F1 (type + start/end) when the gold data is
annotated, and a confusion-matrix PNG. A prediction of ``nlu_fallback`` is always wrong and has
its own column in the matrix. ``compare=previous.json`` adds F1 deltas against an earlier report.

Reports go to ``reports/``: ``nlu_eval.{md,json}`` + ``confusion_matrix.png`` (or
``nlu_cv.{md,json}`` + ``nlu_cv_confusion_matrix.png``). Example texts of confusions appear only
in the Markdown (for humans), never in the JSON.
"""
from __future__ import annotations

import json
import logging
import math
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from bot.config import PROJECT_ROOT
from bot.errors import BotError
from bot.nlu import contract
from bot.nlu.precedence import after_precedence, explained_hardship
from bot.nlu.trainer import EvalIndex, _base_normalise, _rel, read_tsv

logger = logging.getLogger(__name__)

FALLBACK = contract.FALLBACK_INTENT


# --------------------------------------------------------------------------------------------
# Data


@dataclass
class LabelledSet:
    """Texts with gold intents (and gold entities when the source is annotated Rasa data)."""

    path: Path
    texts: list
    intents: list
    entities: Optional[list] = None  # per text: list of {"entity", "start", "end"} or None
    bad_rows: list = field(default_factory=list)  # (line, reason)

    def __len__(self) -> int:
        return len(self.texts)


def read_eval_tsv(path: Path) -> LabelledSet:
    """A TSV evaluation set (text, intent[, source]); bad rows are reported, not fatal."""
    tsv = read_tsv(Path(path), required=("text", "intent"), positional=("text", "intent", "source"))
    data = LabelledSet(Path(path), [], [], None, list(tsv.bad))
    for row in tsv.rows:
        intent = row.fields.get("intent", "").strip()
        if not intent:
            data.bad_rows.append((row.line, "empty intent"))
        elif intent not in contract.INTENTS:
            data.bad_rows.append((row.line, f"intent {intent!r} is not in the contract"))
        else:
            data.texts.append(row.fields["text"])
            data.intents.append(intent)
    data.bad_rows.sort()
    if not data.texts:
        raise BotError(f"{path}: no usable rows (need columns text and intent)")
    return data


_QUIETED = False


def _quiet_rasa() -> None:
    """Rasa's per-message debug lines (structlog) would print every evaluation text: silence them."""
    global _QUIETED
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("rasa", "tensorflow", "absl", "matplotlib", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if _QUIETED:
        return
    _QUIETED = True
    try:
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)
    except Exception:  # pragma: no cover - older/newer Rasa without structlog config
        pass
    for name in ("rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)


def load_rasa_data(path: Path):
    """Rasa TrainingData of a YAML file or directory (entity markup parsed by Rasa)."""
    _quiet_rasa()
    from rasa.shared.nlu.training_data.loading import load_data

    path = Path(path)
    if not path.exists():
        raise BotError(f"training data {path} does not exist")
    try:
        return load_data(str(path))
    except Exception as exc:  # YAML / schema errors from Rasa
        raise BotError(f"cannot load Rasa data from {path}: {exc}") from None


def labelled_from_rasa(path: Path) -> LabelledSet:
    data = load_rasa_data(path)
    examples = [m for m in data.intent_examples if m.get("text")]
    if not examples:
        raise BotError(f"{path}: no intent examples")
    return LabelledSet(Path(path), [m.get("text") for m in examples], [m.get("intent") for m in examples],
                       [_gold_entities(m) for m in examples])


def _gold_entities(message) -> list:
    return [{"entity": e["entity"], "start": e["start"], "end": e["end"]}
            for e in (message.get("entities") or []) if "start" in e and "end" in e]


def load_eval_data(path: Path) -> LabelledSet:
    path = Path(path)
    if path.is_dir() or path.suffix in {".yml", ".yaml"}:
        return labelled_from_rasa(path)
    if not path.exists():
        raise BotError(f"evaluation data {path} does not exist")
    return read_eval_tsv(path)


# --------------------------------------------------------------------------------------------
# Metrics


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _label_order(labels: Sequence[str]) -> list:
    order = {name: i for i, name in enumerate(contract.INTENTS)}
    return sorted(set(labels), key=lambda x: (x == FALLBACK, order.get(x, len(order)), x))


def intent_metrics(gold: Sequence[str], pred: Sequence[str], texts: Optional[Sequence[str]] = None,
                   top: int = 10, examples_per_confusion: int = 2) -> dict:
    """Accuracy, macro-F1 over the gold intents, per-intent P/R/F1/support, confusions, matrix.

    ``nlu_fallback`` (or any label not equal to the gold one) counts as wrong.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predictions")
    n = len(gold)
    gold_counts = Counter(gold)
    pred_counts = Counter(pred)
    correct = Counter(g for g, p in zip(gold, pred) if g == p)
    per_intent = {}
    for label in _label_order(gold_counts):
        p, r, f = _prf(correct[label], pred_counts[label], gold_counts[label])
        per_intent[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                             "support": gold_counts[label], "predicted": pred_counts[label]}
    macro = sum(v["f1"] for v in per_intent.values()) / len(per_intent) if per_intent else 0.0
    weighted = sum(v["f1"] * v["support"] for v in per_intent.values()) / n if n else 0.0

    pairs = Counter((g, p) for g, p in zip(gold, pred) if g != p)
    examples: dict = defaultdict(list)
    if texts is not None:
        for text, g, p in zip(texts, gold, pred):
            if g != p and len(examples[(g, p)]) < examples_per_confusion:
                examples[(g, p)].append(text)
    confusions = []
    for (g, p), count in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        item = {"gold": g, "predicted": p, "count": count}
        if texts is not None:
            item["examples"] = examples[(g, p)]
        confusions.append(item)

    rows = _label_order(gold_counts)
    cols = _label_order(set(gold_counts) | set(pred_counts))
    if FALLBACK not in cols:
        cols.append(FALLBACK)
    matrix = Counter(zip(gold, pred))
    return {
        "n": n,
        "accuracy": round(sum(correct.values()) / n, 4) if n else 0.0,
        "macro_f1": round(macro, 4),
        "weighted_f1": round(weighted, 4),
        "fallback_rate": round(pred_counts[FALLBACK] / n, 4) if n else 0.0,
        "per_intent": per_intent,
        "predicted_outside_gold": {label: c for label, c in sorted(pred_counts.items())
                                   if label not in gold_counts},
        "top_confusions": confusions,
        "confusion_matrix": {"rows": rows, "columns": cols,
                             "counts": [[matrix[(r, c)] for c in cols] for r in rows]},
    }


def _entity_set(entities: Optional[Sequence[dict]]) -> set:
    return {(e["entity"], int(e["start"]), int(e["end"])) for e in (entities or [])
            if e.get("entity") and e.get("start") is not None and e.get("end") is not None}


def entity_metrics(gold: Sequence[Optional[Sequence[dict]]], pred: Sequence[Optional[Sequence[dict]]]) -> dict:
    """Micro P/R/F1 over (entity type, start, end), overall and per entity type (exact spans)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold entity lists but {len(pred)} predicted")
    tp: Counter = Counter()
    n_gold: Counter = Counter()
    n_pred: Counter = Counter()
    for g, p in zip(gold, pred):
        gs, ps = _entity_set(g), _entity_set(p)
        for ent in gs:
            n_gold[ent[0]] += 1
        for ent in ps:
            n_pred[ent[0]] += 1
        for ent in gs & ps:
            tp[ent[0]] += 1
    per_type = {}
    for kind in sorted(set(n_gold) | set(n_pred)):
        p, r, f = _prf(tp[kind], n_pred[kind], n_gold[kind])
        per_type[kind] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                          "support": n_gold[kind], "predicted": n_pred[kind]}
    p, r, f = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "support": sum(n_gold.values()), "predicted": sum(n_pred.values()), "per_type": per_type}


# --------------------------------------------------------------------------------------------
# Baseline


def _baseline_preprocess(text: str) -> str:
    return _base_normalise(text).lower()


class Baseline:
    """TF-IDF over char 1-3-grams + LinearSVC: the floor any real model must beat."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        self.pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), preprocessor=_baseline_preprocess,
                            sublinear_tf=True),
            LinearSVC(),
        )

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> "Baseline":
        if len(set(intents)) < 2:
            raise BotError(f"the baseline needs at least 2 intents in the training data, got {len(set(intents))}")
        self.pipeline.fit(list(texts), list(intents))
        return self

    def predict(self, texts: Sequence[str]) -> list:
        return [str(x) for x in self.pipeline.predict(list(texts))] if texts else []


def training_examples(nlu_dir: Path = contract.NLU_DIR) -> tuple[list, list]:
    """(plain texts, intents) of data/nlu, entity markup stripped by Rasa's loader."""
    data = load_rasa_data(nlu_dir)
    examples = [m for m in data.intent_examples if m.get("text")]
    return [m.get("text") for m in examples], [m.get("intent") for m in examples]


# --------------------------------------------------------------------------------------------
# Rasa predictions


ENSEMBLE_PARTS = "_ensemble_parts"


def _parse_all(model_path: Path, texts: Sequence[str]) -> list:
    """Load the model once and parse every text in one event loop. Where the n-gram ensemble
    combined DIET's ranking with its own, the parse also carries both under ``ENSEMBLE_PARTS``."""
    import asyncio

    _quiet_rasa()
    from rasa.core.agent import Agent

    from bot.nlu.intent_ensemble import CharNgramIntentClassifier

    async def run() -> list:
        agent = Agent.load(str(model_path))
        if not agent.is_ready():
            raise BotError(f"{model_path} did not load as a Rasa model")
        out = []
        parts: list = []
        CharNgramIntentClassifier.observer = lambda _text, diet, ngram: parts.append((diet, ngram))
        for text in texts:
            parts.clear()
            parsed = await agent.parse_message(text)
            if parts:  # the two opinions the ensemble combined, for the weight sweep
                parsed = {**parsed, ENSEMBLE_PARTS: {"diet": parts[-1][0], "ngram": parts[-1][1]}}
            out.append(parsed)
        return out

    try:
        return asyncio.run(run())
    finally:
        CharNgramIntentClassifier.observer = None


def predict_rasa(model_path: Path, texts: Sequence[str]) -> list:
    """Per text: {"intent", "confidence", "entities"} from the trained model."""
    model_path = Path(model_path)
    if not model_path.exists():
        raise BotError(f"model {model_path} does not exist")
    from bot.nlu.components import DistressSafetyNet, HumanRequestPrecedence, ThirdPartyPrecedence

    out = []
    for parsed in _parse_all(model_path, texts):
        intent = parsed.get("intent") or {}
        ranked = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != FALLBACK]
        best = ranked[0] if ranked else {}
        out.append({
            "intent": intent.get("name") or FALLBACK,
            "confidence": float(intent.get("confidence") or 0.0),
            # the classifiers' own answer, before the FallbackClassifier's threshold
            "best_intent": best.get("name") or FALLBACK,
            "best_confidence": float(best.get("confidence") or 0.0),
            "second_confidence": float(ranked[1].get("confidence") or 0.0) if len(ranked) > 1 else None,
            "entities": [{"entity": e.get("entity"), "start": e.get("start"), "end": e.get("end"),
                          "extractor": e.get("extractor")} for e in parsed.get("entities") or []],
        })
        if parsed.get(ENSEMBLE_PARTS):
            out[-1]["ensemble"] = parsed[ENSEMBLE_PARTS]
        if parsed.get(DistressSafetyNet.PHRASE_KEY):  # decided after the ensemble and the fallback
            out[-1]["distress_phrase"] = parsed[DistressSafetyNet.PHRASE_KEY]
        if parsed.get(HumanRequestPrecedence.RULE_KEY) or parsed.get(ThirdPartyPrecedence.RULE_KEY):
            out[-1]["precedence_rule"] = True  # a person asked for, someone else's words: decided after the fallback
        hardship = explained_hardship(parsed.get("entities") or [], parsed.get("text") or "")
        if hardship:  # HardshipPrecedence: a question with it is inform_hardship (replayed by the sweep)
            out[-1]["hardship"] = hardship
    return out


def default_model() -> Path:
    """The model for the current data (``bot.training.ensure_model()``, trains when missing)."""
    missing = [name for name in ("config.yml", "domain.yml") if not (PROJECT_ROOT / name).exists()]
    if missing:
        raise BotError(f"cannot train a model: {', '.join(missing)} missing at {PROJECT_ROOT} "
                       "(pass --model PATH, or --baseline-only)")
    from bot import training

    target = training.model_path()
    if not target.exists():
        logger.warning("no model for the current data; training %s (this takes a few minutes)", target.name)
    try:
        return training.ensure_model()
    except subprocess.CalledProcessError as exc:
        raise BotError(f"training failed (exit {exc.returncode}); see the rasa output above") from None


# --------------------------------------------------------------------------------------------
# Comparison with a previous report


def load_report(path: Path) -> dict:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BotError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BotError(f"{path} is not a JSON report: {exc}") from None
    if not isinstance(report, dict) or not any(isinstance(report.get(k), dict) for k in ("model", "baseline")):
        raise BotError(f"{path} is not a `bot nlu eval` report (no model/baseline metrics)")
    return report


def compare_reports(current: dict, previous: dict) -> dict:
    """Deltas (current - previous) of the overall figures and of each intent's F1."""
    out: dict = {}
    for side in ("model", "baseline"):
        cur, prev = current.get(side), previous.get(side)
        if not isinstance(cur, dict) or not isinstance(prev, dict):
            continue
        overall = {}
        for metric in ("accuracy", "macro_f1", "weighted_f1", "fallback_rate"):
            if isinstance(cur.get(metric), (int, float)) and isinstance(prev.get(metric), (int, float)):
                overall[metric] = {"previous": prev[metric], "current": cur[metric],
                                   "delta": round(cur[metric] - prev[metric], 4)}
        per_intent = {}
        cur_pi, prev_pi = cur.get("per_intent") or {}, prev.get("per_intent") or {}
        for intent in _label_order(set(cur_pi) | set(prev_pi)):
            c = (cur_pi.get(intent) or {}).get("f1")
            p = (prev_pi.get(intent) or {}).get("f1")
            per_intent[intent] = {"previous": p, "current": c,
                                  "delta": round(c - p, 4) if c is not None and p is not None else None}
        out[side] = {"overall": overall, "per_intent_f1": per_intent}
    cur_ent = ((current.get("entities") or {}).get("model") or {}).get("f1")
    prev_ent = ((previous.get("entities") or {}).get("model") or {}).get("f1")
    if cur_ent is not None and prev_ent is not None:
        out["entity_f1"] = {"previous": prev_ent, "current": cur_ent, "delta": round(cur_ent - prev_ent, 4)}
    cv_cur, cv_prev = current.get("cv") or {}, previous.get("cv") or {}
    if cv_cur and cv_prev:
        out["cv_mean_macro_f1"] = {
            side: {"previous": cv_prev["mean_macro_f1"].get(side), "current": cv_cur["mean_macro_f1"].get(side),
                   "delta": round(cv_cur["mean_macro_f1"][side] - cv_prev["mean_macro_f1"][side], 4)}
            for side in ("model", "baseline")
            if cv_cur["mean_macro_f1"].get(side) is not None and cv_prev["mean_macro_f1"].get(side) is not None
        }
    out["previous_created"] = previous.get("created")
    out["previous_mode"] = previous.get("mode")
    return out


# --------------------------------------------------------------------------------------------
# Output: JSON, Markdown, PNG


def _cjk_font() -> Optional[str]:
    """A font family with Chinese glyphs known to matplotlib, if one is installed."""
    if not shutil.which("fc-list"):
        return None
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                                 timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for line in listing.splitlines():
        for family in line.split(","):
            family = family.strip()
            if family in known:
                return family
    return None


def plot_confusion(metrics: dict, path: Path, title: str) -> Path:
    """Confusion matrix (rows gold, columns predicted incl. nlu_fallback), row-normalised colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    if font:
        matplotlib.rcParams["font.sans-serif"] = [font] + list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["axes.unicode_minus"] = False
    cm = metrics["confusion_matrix"]
    rows, cols, counts = cm["rows"], cm["columns"], cm["counts"]
    shares = [[c / sum(row) if sum(row) else 0.0 for c in row] for row in counts]
    width = max(6.0, 0.42 * len(cols) + 3)
    height = max(5.0, 0.38 * len(rows) + 2.5)
    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=8)
    for tick, label in zip(ax.get_xticklabels(), cols):
        if label == FALLBACK:
            tick.set_color("firebrick")
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            if value:
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                        color="white" if shares[i][j] > 0.5 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="share of gold row")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _strip_examples(report: dict) -> dict:
    """A copy of the report without example texts (the JSON never holds sentences)."""
    clean = json.loads(json.dumps(report, ensure_ascii=False, default=str))
    for side in ("model", "baseline"):
        for item in ((clean.get(side) or {}).get("top_confusions") or []):
            item.pop("examples", None)
    return clean


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _delta(value: Optional[float]) -> str:
    if value is None:
        return "–"
    return f"{value:+.3f}"


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_markdown(report: dict, path: Path) -> Path:
    model, base = report.get("model"), report.get("baseline")
    comp = report.get("comparison") or {}
    title = "NLU cross-validation" if report["mode"] == "cv" else "NLU evaluation"
    lines = [f"# {title}", ""]
    lines.append(f"- created: {report['created']}")
    lines.append(f"- data: `{report['data']}` ({report['n']} examples"
                 + (f", {len(report.get('bad_rows') or [])} bad rows skipped" if report.get("bad_rows") else "") + ")")
    lines.append(f"- training data: `{report['train_data']}` ({report['train_examples']} examples)")
    if report.get("model_path"):
        lines.append(f"- model: `{report['model_path']}`")
    if report.get("config"):
        lines.append(f"- config: `{report['config']}`")
    leak = report.get("leakage")
    if leak:
        lines.append(f"- overlap of the evaluation data with the training data: {leak['exact']} exact, "
                     f"{leak['near']} near (3-gram Jaccard ≥ {contract.NEAR_DUPLICATE_JACCARD})")
    timing = report.get("timing") or {}
    if timing:
        lines.append("- timing: " + ", ".join(f"{k} {v:.1f}s" for k, v in timing.items()))
    lines.append("")

    lines += ["## Summary", "", "| metric | Rasa model | baseline (char TF-IDF + LinearSVC) |"
              + (" Δ model | Δ baseline |" if comp else ""),
              "|---|---|---|" + ("---|---|" if comp else "")]
    for metric in ("accuracy", "macro_f1", "weighted_f1", "fallback_rate"):
        row = f"| {metric} | {_fmt((model or {}).get(metric))} | {_fmt((base or {}).get(metric))} |"
        if comp:
            dm = ((comp.get("model") or {}).get("overall") or {}).get(metric, {}).get("delta")
            db = ((comp.get("baseline") or {}).get("overall") or {}).get(metric, {}).get("delta")
            row += f" {_delta(dm)} | {_delta(db)} |"
        lines.append(row)
    ents = (report.get("entities") or {}).get("model")
    if ents:
        row = f"| entity_f1 | {_fmt(ents['f1'])} | – |"
        if comp:
            row += f" {_delta((comp.get('entity_f1') or {}).get('delta'))} | – |"
        lines.append(row)
    cv = report.get("cv")
    if cv:
        row = (f"| mean macro_f1 over {cv['folds_n']} folds | {_fmt(cv['mean_macro_f1'].get('model'))} "
               f"± {_fmt(cv['std_macro_f1'].get('model'))} | {_fmt(cv['mean_macro_f1'].get('baseline'))} "
               f"± {_fmt(cv['std_macro_f1'].get('baseline'))} |")
        if comp:
            cvd = comp.get("cv_mean_macro_f1") or {}
            row += f" {_delta((cvd.get('model') or {}).get('delta'))} | {_delta((cvd.get('baseline') or {}).get('delta'))} |"
        lines.append(row)
    lines.append("")

    if cv:
        lines += ["## Folds", "", "| fold | train | test | model macro_f1 | baseline macro_f1 | seconds |",
                  "|---|---|---|---|---|---|"]
        for fold in cv["folds"]:
            lines.append(f"| {fold['fold']} | {fold['train']} | {fold['test']} | {_fmt(fold.get('model_macro_f1'))} "
                         f"| {_fmt(fold.get('baseline_macro_f1'))} | {fold['seconds']:.1f} |")
        lines.append("")
    if report.get("fallback_sweep"):
        lines += ["## Fallback threshold on held-out data", "",
                  "The FallbackClassifier's threshold and ambiguity threshold applied to the pooled "
                  "held-out predictions (choose them here, not on the evaluation set).", "",
                  "| threshold | ambiguity | macro_f1 | accuracy | fallback rate |", "|---|---|---|---|---|"]
        lines += [f"| {r['threshold']:.2f} | {r['ambiguity']:.2f} | {_fmt(r['macro_f1'])} | {_fmt(r['accuracy'])} "
                  f"| {_fmt(r['fallback_rate'])} |" for r in report["fallback_sweep"]]
        lines.append("")

    if report.get("ensemble_sweep"):
        best = {}
        for r in report["ensemble_sweep"]:
            if r["weight"] not in best or r["macro_f1"] > best[r["weight"]]["macro_f1"]:
                best[r["weight"]] = r
        lines += ["## Ensemble weight on held-out data", "",
                  "DIET's share of the combined intent confidence (CharNgramIntentClassifier `weight`; "
                  "0 = n-gram classifier only, 1 = DIET only), each with its best fallback threshold "
                  "(ambiguity off) on the pooled held-out parses; every pair is in the JSON report.", "",
                  "| weight | threshold | macro_f1 | accuracy | fallback rate |", "|---|---|---|---|---|"]
        lines += [f"| {w:.1f} | {r['threshold']:.2f} | {_fmt(r['macro_f1'])} | {_fmt(r['accuracy'])} "
                  f"| {_fmt(r['fallback_rate'])} |" for w, r in sorted(best.items())]
        lines.append("")

    main = model or base
    lines += ["## Per intent", "",
              "| intent | support | model P | model R | model F1 | baseline P | baseline R | baseline F1 |"
              + (" Δ F1 (model) |" if comp else ""),
              "|---|---|---|---|---|---|---|---|" + ("---|" if comp else "")]
    comp_pi = ((comp.get("model") or comp.get("baseline") or {}).get("per_intent_f1")) or {}
    for intent, m in main["per_intent"].items():
        mm = (model or {}).get("per_intent", {}).get(intent, {})
        bb = (base or {}).get("per_intent", {}).get(intent, {})
        row = (f"| {intent} | {m['support']} | {_fmt(mm.get('precision'))} | {_fmt(mm.get('recall'))} "
               f"| {_fmt(mm.get('f1'))} | {_fmt(bb.get('precision'))} | {_fmt(bb.get('recall'))} "
               f"| {_fmt(bb.get('f1'))} |")
        if comp:
            row += f" {_delta((comp_pi.get(intent) or {}).get('delta'))} |"
        lines.append(row)
    lines.append("")

    for side, metrics in (("Rasa model", model), ("baseline", base)):
        if not metrics:
            continue
        lines += [f"## Top confusions: {side}", "", "| gold → predicted | count | examples |", "|---|---|---|"]
        for item in metrics["top_confusions"]:
            examples = " / ".join(f"「{_md_escape(t)}」" for t in item.get("examples") or [])
            lines.append(f"| {item['gold']} → {item['predicted']} | {item['count']} | {examples} |")
        outside = metrics.get("predicted_outside_gold") or {}
        if outside:
            lines.append("")
            lines.append("Predicted labels absent from the gold data: "
                         + ", ".join(f"{k} ×{v}" for k, v in outside.items()))
        lines.append("")

    if ents:
        lines += ["## Entities (model; exact type + span)", "", "| entity | support | predicted | P | R | F1 |",
                  "|---|---|---|---|---|---|"]
        for kind, m in ents["per_type"].items():
            lines.append(f"| {kind} | {m['support']} | {m['predicted']} | {_fmt(m['precision'])} "
                         f"| {_fmt(m['recall'])} | {_fmt(m['f1'])} |")
        lines.append(f"| **all** | {ents['support']} | {ents['predicted']} | {_fmt(ents['precision'])} "
                     f"| {_fmt(ents['recall'])} | {_fmt(ents['f1'])} |")
        lines.append("")

    if report.get("bad_rows"):
        lines += ["## Skipped rows", ""]
        lines += [f"- line {line}: {reason}" for line, reason in report["bad_rows"]]
        lines.append("")
    if report.get("confusion_png"):
        lines += ["## Confusion matrix", "", f"![confusion matrix]({Path(report['confusion_png']).name})", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_outputs(report: dict, out_dir: Path, stem: str, png_name: str, plot: bool = True) -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    main = report.get("model") or report.get("baseline")
    if plot and main:
        who = "Rasa model" if report.get("model") else "baseline"
        title = f"{who}: {Path(report['data']).name} (n={report['n']}, macro-F1 {main['macro_f1']:.3f})"
        report["confusion_png"] = str(plot_confusion(main, out_dir / png_name, title))
    md = write_markdown(report, out_dir / f"{stem}.md")
    js = out_dir / f"{stem}.json"
    js.write_text(json.dumps(_strip_examples(report), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report["outputs"] = {"markdown": str(md), "json": str(js), "png": report.get("confusion_png")}
    return report


def _now() -> str:
    from bot import clock

    return clock.now().isoformat(timespec="seconds")


def _leakage(eval_texts: Sequence[str], train_texts: Sequence[str]) -> dict:
    """How many evaluation texts are exact / near copies of a training example."""
    index = EvalIndex((text, Path("train"), i) for i, text in enumerate(train_texts))
    kinds = Counter()
    for text in eval_texts:
        leak = index.match(text)
        if leak is not None:
            kinds[leak.kind] += 1
    return {"exact": kinds["exact"], "near": kinds["near"]}


# --------------------------------------------------------------------------------------------
# Entry points


def evaluate(model_path: Optional[Path] = None, data_path: Optional[Path] = None,
             out_dir: Optional[Path] = None, *, compare: Optional[Path] = None,
             nlu_dir: Path = contract.NLU_DIR, use_model: bool = True, baseline: bool = True,
             plot: bool = True) -> dict:
    """Evaluate the Rasa model (default: ``ensure_model()``) and the baseline on ``data_path``.

    ``data_path``: a TSV (text, intent[, source]; default the real borrower questions) or Rasa
    YAML (file or directory; entities are then scored too). ``use_model=False`` evaluates the
    baseline only. Writes ``nlu_eval.md``/``nlu_eval.json``/``confusion_matrix.png`` to
    ``out_dir`` (default ``reports/``) and returns the report dict (with ``outputs``).
    """
    started = time.monotonic()
    timing: dict = {}
    data = load_eval_data(Path(data_path) if data_path else contract.DEFAULT_EVAL_FILE)
    previous = load_report(Path(compare)) if compare else None
    train_texts, train_intents = training_examples(Path(nlu_dir))
    report: dict = {
        "mode": "eval", "created": _now(), "data": _rel(data.path), "n": len(data),
        "bad_rows": data.bad_rows, "train_data": _rel(Path(nlu_dir)), "train_examples": len(train_texts),
        "gold_intents": len(set(data.intents)), "model": None, "baseline": None,
        "leakage": _leakage(data.texts, train_texts),
    }
    if baseline:
        t0 = time.monotonic()
        predicted = Baseline().fit(train_texts, train_intents).predict(data.texts)
        timing["baseline"] = time.monotonic() - t0
        report["baseline"] = intent_metrics(data.intents, predicted, data.texts)
    if use_model:
        path = Path(model_path) if model_path else default_model()
        report["model_path"] = _rel(path)
        t0 = time.monotonic()
        parsed = predict_rasa(path, data.texts)
        timing["model_parse"] = time.monotonic() - t0
        report["model"] = intent_metrics(data.intents, [p["intent"] for p in parsed], data.texts)
        if data.entities is not None:
            report["entities"] = {"model": entity_metrics(data.entities, [p["entities"] for p in parsed])}
    if not report["model"] and not report["baseline"]:
        raise BotError("nothing to evaluate (both the model and the baseline are switched off)")
    if previous is not None:
        report["comparison"] = compare_reports(report, previous)
    timing["total"] = time.monotonic() - started
    report["timing"] = {k: round(v, 2) for k, v in timing.items()}
    return write_outputs(report, Path(out_dir) if out_dir else contract.REPORTS_DIR, "nlu_eval",
                         "confusion_matrix.png", plot=plot)


def _config_with_epochs(config: Path, epochs: int, tmp_dir: Path) -> Path:
    """A copy of ``config`` whose trainable pipeline components run ``epochs`` epochs."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    content = yaml.load(config.read_text(encoding="utf-8")) or {}
    changed = 0
    for component in content.get("pipeline") or []:
        if isinstance(component, dict) and (
                "epochs" in component or component.get("name") in {"DIETClassifier", "ResponseSelector", "TEDPolicy"}):
            component["epochs"] = epochs
            changed += 1
    if not changed:
        logger.warning("--epochs: no trainable component in %s; training as configured", config)
    target = tmp_dir / "config.yml"
    with target.open("w", encoding="utf-8") as handle:
        yaml.dump(content, handle)
    return target


def cross_validate(folds: int, *, nlu_dir: Path = contract.NLU_DIR, config: Optional[Path] = None,
                   out_dir: Optional[Path] = None, compare: Optional[Path] = None, use_model: bool = True,
                   seed: int = 42, plot: bool = True, epochs: Optional[int] = None) -> dict:
    """Stratified ``folds``-fold CV over data/nlu: Rasa NLU (config.yml) and the baseline per fold.

    ``epochs`` overrides the epochs of DIET (and other trainable components) in a temporary copy
    of the config, to make a quick CV affordable; the report records it.
    """
    if folds < 2:
        raise BotError(f"--cross-validation needs at least 2 folds, got {folds}")
    if epochs is not None and epochs < 1:
        raise BotError(f"--epochs must be at least 1, got {epochs}")
    config = Path(config) if config else PROJECT_ROOT / "config.yml"
    if use_model and not config.exists():
        raise BotError(f"{config} does not exist (needed to train the Rasa folds; or use --baseline-only)")
    with tempfile.TemporaryDirectory(prefix="nlu_cv_config_") as tmp:
        train_config = _config_with_epochs(config, epochs, Path(tmp)) if (use_model and epochs) else config
        report = _cross_validate(folds, nlu_dir=Path(nlu_dir), config=config, train_config=train_config,
                                 out_dir=out_dir, compare=compare, use_model=use_model, seed=seed, plot=plot,
                                 epochs=epochs)
    return report


def _cross_validate(folds: int, *, nlu_dir: Path, config: Path, train_config: Path, out_dir: Optional[Path],
                    compare: Optional[Path], use_model: bool, seed: int, plot: bool,
                    epochs: Optional[int]) -> dict:
    previous = load_report(Path(compare)) if compare else None
    started = time.monotonic()
    data = load_rasa_data(Path(nlu_dir))
    messages = [m for m in data.intent_examples if m.get("text")]
    intents = [m.get("intent") for m in messages]
    counts = Counter(intents)
    if len(counts) < 2:
        raise BotError("cross-validation needs at least 2 intents in the training data")
    too_small = sorted(k for k, v in counts.items() if v < folds)
    if too_small:
        logger.warning("intents with fewer examples than folds: %s", ", ".join(too_small))
    if min(counts.values()) < 2 or len(messages) < folds:
        raise BotError(f"too little data for {folds} folds (every intent needs at least 2 examples): "
                       + ", ".join(f"{k} {v}" for k, v in counts.items() if v < 2))

    import warnings

    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    pooled_gold, pooled_texts, pooled_model, pooled_base = [], [], [], []
    pooled_gold_ents, pooled_pred_ents, pooled_parsed = [], [], []
    fold_rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sklearn: a class with fewer members than folds
        splits = list(splitter.split(messages, intents))
    for i, (train_idx, test_idx) in enumerate(splits, start=1):
        t0 = time.monotonic()
        train = [messages[j] for j in train_idx]
        test = [messages[j] for j in test_idx]
        gold = [m.get("intent") for m in test]
        texts = [m.get("text") for m in test]
        row = {"fold": i, "train": len(train), "test": len(test)}
        base_pred = Baseline().fit([m.get("text") for m in train], [m.get("intent") for m in train]).predict(texts)
        row["baseline_macro_f1"] = intent_metrics(gold, base_pred)["macro_f1"]
        pooled_base.extend(base_pred)
        if use_model:
            parsed = _train_and_parse_fold(data, train, texts, train_config, i)
            model_pred = [p["intent"] for p in parsed]
            row["model_macro_f1"] = intent_metrics(gold, model_pred)["macro_f1"]
            pooled_model.extend(model_pred)
            pooled_parsed.extend(parsed)
            pooled_pred_ents.extend(p["entities"] for p in parsed)
            pooled_gold_ents.extend(_gold_entities(m) for m in test)
        pooled_gold.extend(gold)
        pooled_texts.extend(texts)
        row["seconds"] = round(time.monotonic() - t0, 1)
        fold_rows.append(row)
        logger.info("fold %d/%d: %s", i, folds, row)

    def mean_std(key: str) -> tuple[Optional[float], Optional[float]]:
        values = [r[key] for r in fold_rows if r.get(key) is not None]
        if not values:
            return None, None
        mean = sum(values) / len(values)
        return round(mean, 4), round(math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)), 4)

    m_mean, m_std = mean_std("model_macro_f1")
    b_mean, b_std = mean_std("baseline_macro_f1")
    report: dict = {
        "mode": "cv", "created": _now(), "data": _rel(Path(nlu_dir)), "n": len(messages), "bad_rows": [],
        "train_data": _rel(Path(nlu_dir)), "train_examples": len(messages), "config": (_rel(config) + (f" (epochs overridden: {epochs})" if epochs else "")) if use_model else None,
        "gold_intents": len(counts),
        "model": intent_metrics(pooled_gold, pooled_model, pooled_texts) if use_model else None,
        "baseline": intent_metrics(pooled_gold, pooled_base, pooled_texts),
        "cv": {"folds_n": folds, "seed": seed, "folds": fold_rows,
               "mean_macro_f1": {"model": m_mean, "baseline": b_mean},
               "std_macro_f1": {"model": m_std, "baseline": b_std}},
    }
    if use_model:
        report["entities"] = {"model": entity_metrics(pooled_gold_ents, pooled_pred_ents)}
        report["fallback_sweep"] = fallback_sweep(pooled_gold, pooled_parsed)
        report["ensemble_sweep"] = ensemble_sweep(pooled_gold, pooled_parsed)
    if previous is not None:
        report["comparison"] = compare_reports(report, previous)
    report["timing"] = {"total": round(time.monotonic() - started, 2),
                        "per_fold_mean": round(sum(r["seconds"] for r in fold_rows) / len(fold_rows), 2)}
    out = Path(out_dir) if out_dir else contract.REPORTS_DIR
    report = write_outputs(report, out, "nlu_cv", "nlu_cv_confusion_matrix.png", plot=plot)
    if use_model:
        errors = write_cv_errors(out / "nlu_cv_errors.tsv", pooled_texts, pooled_gold, pooled_parsed, pooled_base)
        report["outputs"]["errors"] = str(errors)
    return report


def write_cv_errors(path: Path, texts: Sequence[str], gold: Sequence[str], parsed: Sequence[dict],
                    baseline: Sequence[str]) -> Path:
    """Every training example the model got wrong out of fold, for a trainer to read (like Rasa's
    intent_errors.json): text, gold, predicted, confidence, the baseline's guess; the least sure
    first within each gold intent. Training data only: the evaluation set's errors are never listed."""
    rows = [(g, p.get("confidence") or 0.0, t, p.get("intent") or FALLBACK, b)
            for t, g, p, b in zip(texts, gold, parsed, baseline) if (p.get("intent") or FALLBACK) != g]
    rows.sort(key=lambda r: (r[0], r[1]))
    lines = ["text\tgold\tpredicted\tconfidence\tbaseline"]
    lines += [f"{_tsv_cell(t)}\t{g}\t{p}\t{c:.3f}\t{b}" for g, c, t, p, b in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _tsv_cell(text: str) -> str:
    return " ".join(str(text).split())


SWEEP_THRESHOLDS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
SWEEP_AMBIGUITY = (0.0, 0.05, 0.1)


def _falls_back(parsed: dict, fallback) -> bool:
    """Whether Rasa's own ``FallbackClassifier`` (``fallback``) turns this prediction into
    nlu_fallback, given the best and second-best confidences before it ran. A parser that gives
    only its final answer is taken at its word."""
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
    from rasa.shared.nlu.training_data.message import Message

    if "best_intent" not in parsed:
        return parsed["intent"] == FALLBACK
    best = {"name": parsed["best_intent"], "confidence": parsed["best_confidence"]}
    ranking = [best] + ([{"name": "second", "confidence": parsed["second_confidence"]}]
                        if parsed.get("second_confidence") is not None else [])
    message = Message(data={INTENT: dict(best), INTENT_RANKING_KEY: ranking})
    fallback.process([message])
    return message.get(INTENT)["name"] == FALLBACK


def fallback_sweep(gold: Sequence[str], parsed: Sequence[dict], thresholds: Sequence[float] = SWEEP_THRESHOLDS,
                   ambiguities: Sequence[float] = SWEEP_AMBIGUITY) -> list:
    """What the FallbackClassifier's ``threshold`` and ``ambiguity_threshold`` would give on
    held-out data: macro-F1, accuracy and fallback rate for each pair, decided by Rasa's own
    FallbackClassifier. Choose them on cross-validation, never on the evaluation set."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    rows = []
    for a in ambiguities:
        for t in thresholds:
            fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), "threshold": t,
                                           "ambiguity_threshold": a})
            pred = [FALLBACK if _falls_back(p, fallback) else p.get("best_intent", p["intent"]) for p in parsed]
            m = intent_metrics(gold, pred)
            rows.append({"threshold": t, "ambiguity": a, "macro_f1": m["macro_f1"], "accuracy": m["accuracy"],
                         "fallback_rate": m["fallback_rate"]})
    return rows


SWEEP_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
SWEEP_ENSEMBLE_THRESHOLDS = (0.0, 0.2, 0.25, 0.3, 0.4)


def ensemble_sweep(gold: Sequence[str], parsed: Sequence[dict], weights: Sequence[float] = SWEEP_WEIGHTS,
                   thresholds: Sequence[float] = SWEEP_ENSEMBLE_THRESHOLDS, ranking_length: int = 10) -> list:
    """What ``CharNgramIntentClassifier``'s ``weight`` (DIET's share) and the fallback threshold
    would give on held-out data: both opinions of each parse are combined again with every
    weight (``combine_rankings``, the component's own rule), then Rasa's FallbackClassifier
    decides; the hardship precedence (bot/nlu/precedence.py) is applied to the combined answer. A
    parse without both opinions, or one the distress safety net or the request for a person decided
    (they run after the fallback and overrule both), is taken at its word. Empty when no parse has both opinions."""
    from bot.nlu.intent_ensemble import combine_rankings

    if not any(p.get("ensemble") for p in parsed):
        return []
    rows = []
    for weight in weights:
        combined = []
        for p in parsed:
            parts = p.get("ensemble")
            if not parts or p.get("distress_phrase") or p.get("precedence_rule"):
                combined.append(p)
                continue
            ranking = combine_rankings(parts["diet"], parts["ngram"], weight, ranking_length)
            top = after_precedence(ranking[0][0], p.get("hardship"))  # the precedence rule, after the ensemble
            combined.append({"intent": top, "best_intent": top, "best_confidence": ranking[0][1],
                             "second_confidence": ranking[1][1] if len(ranking) > 1 else None})
        rows += [{"weight": weight, **row} for row in fallback_sweep(gold, combined, thresholds, ambiguities=(0.0,))]
    return rows


def _train_and_parse_fold(data, train: list, texts: Sequence[str], config: Path, fold: int) -> list:
    """Train a Rasa NLU model on ``train`` (a temp YAML) and parse ``texts`` with it."""
    _quiet_rasa()
    import rasa.model_training
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    with tempfile.TemporaryDirectory(prefix=f"nlu_cv_{fold}_") as tmp:
        train_data = TrainingData(training_examples=train, entity_synonyms=data.entity_synonyms,
                                  regex_features=data.regex_features, lookup_tables=data.lookup_tables,
                                  responses=data.responses)
        train_file = Path(tmp) / "nlu.yml"
        RasaYAMLWriter().dump(train_file, train_data)
        model = rasa.model_training.train_nlu(str(config), str(train_file), str(Path(tmp) / "models"),
                                              fixed_model_name=f"fold{fold}")
        if not model:
            raise BotError(f"fold {fold}: Rasa NLU training produced no model")
        return predict_rasa(Path(model), texts)


# --------------------------------------------------------------------------------------------
# Console summary


def print_summary(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    comp = report.get("comparison") or {}
    title = ("cross-validation" if report["mode"] == "cv" else "evaluation") + f": {Path(report['data']).name} (n={report['n']})"
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("Rasa model", justify="right")
    table.add_column("baseline", justify="right")
    if comp:
        table.add_column("Δ model", justify="right")
        table.add_column("Δ baseline", justify="right")
    model, base = report.get("model") or {}, report.get("baseline") or {}
    for metric in ("accuracy", "macro_f1", "fallback_rate"):
        row = [metric, _fmt(model.get(metric)), _fmt(base.get(metric))]
        if comp:
            row += [_delta(((comp.get(s) or {}).get("overall") or {}).get(metric, {}).get("delta"))
                    for s in ("model", "baseline")]
        table.add_row(*row)
    ents = (report.get("entities") or {}).get("model")
    if ents:
        table.add_row("entity_f1", _fmt(ents["f1"]), "–", *([_delta((comp.get("entity_f1") or {}).get("delta")), "–"]
                                                              if comp else []))
    cv = report.get("cv")
    if cv:
        table.add_row(f"mean macro_f1 ({cv['folds_n']} folds)", _fmt(cv["mean_macro_f1"].get("model")),
                      _fmt(cv["mean_macro_f1"].get("baseline")), *(["", ""] if comp else []))
    console.print(table)
    main = report.get("model") or report.get("baseline")
    worst = sorted(main["per_intent"].items(), key=lambda kv: (kv[1]["f1"], -kv[1]["support"]))[:5]
    console.print("weakest intents (" + ("model" if report.get("model") else "baseline") + "): "
                  + ", ".join(f"{k} {v['f1']:.2f} (n={v['support']})" for k, v in worst))
    side = "model" if (comp.get("model") and report.get("model")) else "baseline"
    changes = [(k, v["delta"]) for k, v in ((comp.get(side) or {}).get("per_intent_f1") or {}).items()
               if v.get("delta")]
    if changes:
        changes.sort(key=lambda kv: -abs(kv[1]))
        console.print(f"largest F1 changes ({side}): " + ", ".join(f"{k} {d:+.2f}" for k, d in changes[:6]))
    if report.get("bad_rows"):
        console.print(f"[yellow]{len(report['bad_rows'])} bad row(s) skipped[/yellow] (listed in the Markdown report)")
    leak = report.get("leakage") or {}
    if leak.get("exact") or leak.get("near"):
        console.print(f"[yellow]warning:[/yellow] {leak['exact']} evaluation text(s) are copies and {leak['near']} "
                      "near-copies of training examples (run `bot nlu lint`)")
    timing = report.get("timing") or {}
    outputs = report.get("outputs") or {}
    console.print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in timing.items()))
    console.print("reports: " + ", ".join(str(v) for v in outputs.values() if v))
