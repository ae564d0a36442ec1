"""The intent and entity contract of ``../shared/spec/intents.md``, in one place.

Evaluation sets are labelled with these names, so renaming or merging one breaks every
evaluation. The trainer tooling (``bot nlu add/lint/import``) refuses anything else.
"""
from __future__ import annotations

from pathlib import Path

from bot.config import PROJECT_ROOT

#: The 29 intents, in the order of the spec's table.
INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "request_human",
    "out_of_scope",
    "inform_identity",
    "ask_balance",
    "ask_due_date",
    "ask_overdue_reason",
    "ask_penalty",
    "ask_credit_impact",
    "ask_consequences",
    "how_to_pay",
    "ask_early_repayment",
    "request_installment",
    "request_extension",
    "request_fee_waiver",
    "promise_to_pay",
    "inform_paid",
    "inform_hardship",
    "not_borrower",
    "dispute_debt",
    "complain",
    "stop_contact",
    "express_distress",
    "insult",
)

#: Entity types of the contract.
ENTITIES: tuple[str, ...] = (
    "amount",
    "date",
    "installment_count",
    "id_last4",
    "phone_last4",
    "birth_date",
    "person_name",
    "relation",
    "hardship_type",
)

#: What the FallbackClassifier predicts; never a correct answer in an evaluation.
FALLBACK_INTENT = "nlu_fallback"

#: ``bot nlu lint`` flags contract intents with fewer training examples than this.
MIN_EXAMPLES = 40

#: Char 3-gram Jaccard similarity at or above which a training example counts as a copy of an
#: evaluation sentence.
NEAR_DUPLICATE_JACCARD = 0.8

#: Where the training data and the evaluation sets live.
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
DEFAULT_EVAL_FILE = EVAL_DIR / "real_borrower_questions.tsv"
REPORTS_DIR = PROJECT_ROOT / "reports"


def eval_files(eval_dir: Path = EVAL_DIR) -> list[Path]:
    """Every evaluation set (``*.tsv``) that training data must not copy from."""
    if eval_dir.is_file():
        return [eval_dir]
    if not eval_dir.is_dir():
        return []
    return sorted(eval_dir.glob("*.tsv"))
