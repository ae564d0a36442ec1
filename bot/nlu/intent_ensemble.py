"""A second opinion on the intent: a linear classifier over character n-grams, averaged with DIET.

Measured (``bot nlu eval``, same data): the TF-IDF char 1-3-gram linear baseline scores higher
than DIET in cross-validation, DIET higher on the real borrower questions, and they err on
different sentences. ``CharNgramIntentClassifier`` runs after ``DIETClassifier`` and before the
``FallbackClassifier``: it trains a logistic regression on the normalised training texts and
replaces the message's intent ranking with ``weight × DIET + (1 − weight) × its own
probabilities``, so the fallback threshold applies to the combined confidence. Figures with and
without it: README, "Measured figures".

A message DIET did not rank (a ``/intent`` payload, an empty text) passes through unchanged.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY,
                                      PREDICTED_CONFIDENCE_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.precedence import QUESTION_KEY, question_behind_hardship

logger = logging.getLogger(__name__)
MODEL_FILE = "char_ngram_intents.joblib"


def prediction_ready(model: Any) -> Any:
    """Store the logistic regression's weights column-major, in place; returns the model.

    scikit-learn scores a message as ``X @ coef_.T``. With ``coef_`` row-major (as ``fit`` and
    joblib leave it) the transpose is not C-contiguous, and SciPy copies the whole weight matrix
    (29 × ~29,000 floats) for every message: 6.8 ms of a 7.4 ms prediction, measured on this
    machine. Column-major weights make the transpose contiguous; the arithmetic, and so every
    probability, is unchanged.
    """
    classifier = model[-1]
    classifier.coef_ = np.asfortranarray(classifier.coef_)
    return model


_DIGIT = re.compile(r"[0-9]")


def digits_masked(text: str) -> str:
    """The n-gram classifier's view of a text with ``mask_digits``: lower case, every ASCII digit
    a 0 (the normaliser has already made full-width digits ASCII). Which digits a number has says
    nothing about the intent, and they misled it: 「我明天还9999元」 scored inform_identity 0.81,
    its 99 being the bigram of birth years (1999, 99年) and ID tails; the words around a number
    (元, 年, 尾号, 期) say what it is."""
    return _DIGIT.sub("0", text.lower())


class LexiconMatches:
    """A scikit-learn transformer: one feature per lookup table of ``data/nlu/lookups.yml``, 1 when
    the (normalised, lower-cased) text contains one of its words. RegexFeaturizer gives DIET the
    same features; this gives them to the n-gram classifier too, which otherwise meets a rare
    word (饭桶, 掰掰, 莫得) only through its characters. Picklable: the model stores the words."""

    def __init__(self, tables: Optional[Dict[str, Sequence[str]]] = None) -> None:
        self.tables = {name: sorted({str(w).lower() for w in words if str(w).strip()})
                       for name, words in sorted((tables or {}).items())}
        self._compile()

    def _compile(self) -> None:
        self._patterns = [re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
                          for words in self.tables.values() if words]

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compile()

    def __getstate__(self) -> dict:
        return {"tables": self.tables}

    def fit(self, texts: Sequence[str], y: Any = None) -> "LexiconMatches":
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy import sparse

        rows, cols = [], []
        for i, text in enumerate(texts):
            lowered = (text or "").lower()
            for j, pattern in enumerate(self._patterns):
                if pattern.search(lowered):
                    rows.append(i)
                    cols.append(j)
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(self._patterns)))

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        return np.array([f"lookup:{name}" for name, words in self.tables.items() if words], dtype=object)


def lookup_tables_of(training_data: TrainingData) -> Dict[str, List[str]]:
    """The training data's lookup tables as {name: words} (Rasa's loader has read the elements)."""
    tables: Dict[str, List[str]] = {}
    for table in training_data.lookup_tables or []:
        elements = table.get("elements")
        if isinstance(elements, (list, tuple)):
            tables.setdefault(str(table.get("name")), []).extend(str(e) for e in elements)
    return tables


def combine_rankings(diet: Sequence[Tuple[str, float]], ngram: Sequence[Tuple[str, float]], weight: float,
                     ranking_length: int = 10) -> List[Tuple[str, float]]:
    """``weight`` × DIET's confidence + (1 − ``weight``) × the n-gram probability per intent, best
    first, the first ``ranking_length``. An intent missing from one side counts 0 there."""
    combined = {name: weight * float(c) for name, c in diet}
    for name, p in ngram:
        combined[str(name)] = combined.get(str(name), 0.0) + (1.0 - weight) * float(p)
    return sorted(combined.items(), key=lambda kv: kv[1], reverse=True)[:ranking_length]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CharNgramIntentClassifier(GraphComponent):
    #: When set, called with (text, DIET's ranking, the n-gram probabilities) for every message it
    #: combines. Only the evaluation sets it, to choose ``weight`` on held-out data
    #: (``bot nlu eval --cross-validation``, "Ensemble weight on held-out data").
    observer: Optional[Callable[[str, List[Tuple[str, float]], List[Tuple[str, float]]], None]] = None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "weight": 0.5,  # DIET's share of the combined confidence
            "C": 10.0,  # inverse regularisation of the logistic regression
            "analyzer": "char",  # scikit-learn's: "char", or "char_wb" (n-grams padded at the text's edges)
            "min_ngram": 1,
            "max_ngram": 3,
            "mask_digits": False,  # see digits_masked
            "lookup_features": False,  # see LexiconMatches: true for every lookup table, or a list of names
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "joblib"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Any = None) -> None:
        self.component_config = {**self.get_default_config(), **(config or {})}
        weight = float(self.component_config["weight"])
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"CharNgramIntentClassifier weight must be within 0..1, got {weight}")
        if self.component_config["analyzer"] not in ("char", "char_wb"):
            raise ValueError("CharNgramIntentClassifier analyzer must be char or char_wb, "
                             f"got {self.component_config['analyzer']!r}")
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CharNgramIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CharNgramIntentClassifier:
        import joblib

        try:
            with model_storage.read_from(resource) as folder:
                model = prediction_ready(joblib.load(folder / MODEL_FILE))
        except (ValueError, FileNotFoundError):  # trained on no intents: pass messages through
            logger.warning("CharNgramIntentClassifier has no trained model; DIET's ranking is kept")
            model = None
        return cls(config, model_storage, resource, model)

    # -- training ---------------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        intents = [m.get(INTENT) for m in examples]
        if len(set(intents)) < 2:
            logger.warning("CharNgramIntentClassifier needs at least 2 intents; not trained")
            return self._resource
        cfg = self.component_config
        features: Any = TfidfVectorizer(analyzer=str(cfg["analyzer"]),
                                        ngram_range=(int(cfg["min_ngram"]), int(cfg["max_ngram"])),
                                        sublinear_tf=True, preprocessor=digits_masked if cfg["mask_digits"] else None)
        tables = lookup_tables_of(training_data) if cfg["lookup_features"] else {}
        if isinstance(cfg["lookup_features"], (list, tuple)):
            tables = {name: words for name, words in tables.items() if name in cfg["lookup_features"]}
        if tables:
            features = make_union(features, LexiconMatches(tables))
        self.model = make_pipeline(
            features,
            # newton-cg: the same optimum as lbfgs (probabilities within 1e-4 on our data) in 17
            # iterations instead of 187 at C 300: 4.6 s instead of 21 s of every training
            LogisticRegression(C=float(cfg["C"]), solver="newton-cg", max_iter=5000),
        )
        self.model.fit([m.get(TEXT) for m in examples], intents)
        prediction_ready(self.model)
        self.persist()
        return self._resource

    def persist(self) -> None:
        import joblib

        with self._model_storage.write_to(self._resource) as folder:
            joblib.dump(self.model, folder / MODEL_FILE)

    # -- prediction -------------------------------------------------------------------------
    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            try:
                self._combine(message)
            except Exception:  # never lose the parse: DIET's answer stands
                logger.exception("CharNgramIntentClassifier failed; DIET's ranking is kept")
        return messages

    def _combine(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        ranking: Optional[List[Dict[Text, Any]]] = message.get(INTENT_RANKING_KEY)
        if not text.strip() or text.startswith(INTENT_MESSAGE_PREFIX) or not ranking:
            return
        diet = [(r[INTENT_NAME_KEY], float(r[PREDICTED_CONFIDENCE_KEY])) for r in ranking]
        ngram = [(str(name), float(p)) for name, p in zip(self.model.classes_, self.model.predict_proba([text])[0])]
        if CharNgramIntentClassifier.observer is not None:
            CharNgramIntentClassifier.observer(text, diet, ngram)
        ordered = combine_rankings(diet, ngram, float(self.component_config["weight"]),
                                   int(self.component_config["ranking_length"]))
        message.set(INTENT, {INTENT_NAME_KEY: ordered[0][0], PREDICTED_CONFIDENCE_KEY: ordered[0][1]},
                    add_to_output=True)
        message.set(INTENT_RANKING_KEY, [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: c} for n, c in ordered],
                    add_to_output=True)
        # 「我失业了 会不会被起诉」: the question behind the hardship, for the dialogue to answer too
        # (bot/nlu/precedence.py; the entity extractor runs before this component)
        question = question_behind_hardship(text, message.get(ENTITIES) or [], self._scores)
        if question is not None:
            message.set(QUESTION_KEY, question, add_to_output=True)

    def _scores(self, text: str) -> Dict[str, float]:
        return {str(n): float(p) for n, p in zip(self.model.classes_, self.model.predict_proba([text])[0])}
