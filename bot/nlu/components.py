"""Rasa 3.6 graph components for the borrower NLU.

``TextNormaliser`` is registered as a MESSAGE_TOKENIZER: in the default recipe only tokenizer and
featurizer types get a ``process_training_data`` node in the training graph *and* a ``process``
node in the prediction graph, in pipeline order. It does not subclass ``Tokenizer`` (it sets no
tokens), so Rasa's "only one tokenizer" check still sees just the JiebaTokenizer. Put it first.

It rewrites the message TEXT with ``bot.nlu.normalise``, except that typed text never comes out
starting with "/" (Rasa's RegexMessageHandler would obey it as an intent with entities): such a
"/" is written as ``COMMAND_LOOKALIKE``, as the channels' guard does. Whitespace collapsing
changes lengths, so entity annotations of training examples are re-mapped onto the normalised
text (and an annotation's value is rewritten when it was just the annotated text). At inference
the parse result's ``text`` and every entity offset refer to the normalised text.

``BorrowerEntityExtractor`` (ENTITY_EXTRACTOR, not trainable) adds the rule-based entities of
``bot.nlu.entities.extract`` with ``bot.clock.today()`` as the reference date. Entities of the
same contract types found by other extractors (e.g. DIET) that overlap one of ours are dropped,
so slots get the normalised value. It never raises: a failure is logged and the message passes
through unchanged.

``HardshipPrecedence`` (INTENT_CLASSIFIER, not trainable, after the FallbackClassifier) applies
the contract's "inform_hardship > the questions" (``bot.nlu.precedence``): a question with a
cannot-pay hardship entity, or words of forgetting to pay, becomes inform_hardship, the question
kept as ``question_intent``.

``HumanRequestPrecedence`` (INTENT_CLASSIFIER, not trainable, after HardshipPrecedence) applies the
contract's "request_human > inform_paid > … > the rest": a message asking for a person in so many words
(「我已经还了 转人工」) is request_human unless the model said an intent above it.

``ThirdPartyPrecedence`` (INTENT_CLASSIFIER, not trainable, after HumanRequestPrecedence) applies
"not_borrower > …" (compliance rule 2): 「我是赵磊的老婆」 or 「他欠你们多少钱」 is not_borrower unless the
model said distress or a dispute.

``NameAloneIsIdentity`` (INTENT_CLASSIFIER, not trainable, after HardshipPrecedence) makes a message
that is nothing but a name (「王强」, the person_name entity spanning it) inform_identity.

``UnsureEndingFallsBack`` (INTENT_CLASSIFIER, not trainable, after NameAloneIsIdentity) makes an
intent that ends the conversation (goodbye) nlu_fallback when its confidence is below its own
threshold (config.yml), so the borrower is asked what they meant rather than seen off.

``DistressSafetyNet`` (INTENT_CLASSIFIER, not trainable, last in the pipeline, after the
FallbackClassifier) makes a message express_distress whenever it holds one of the phrases of
``bot.compliance.distress_signals`` (compliance rule 9), whatever the model said, and records the
phrase as ``distress_phrase`` in the parse result. The contract's precedence puts express_distress
above every intent, so this never overrides a higher one. The one thing it takes away: a message the
model read as express_distress whose only sign is 死 as an everyday intensifier (「烦死了」, 「笑死」)
and no distress phrase gets the model's next intent.
"""
from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.compliance.distress_signals import PHRASE_KEY, distress_phrase, only_everyday_death_words
from bot.nlu import entities as borrower_entities
from bot.nlu.contract import FALLBACK_INTENT
from bot.nlu.normalise import COMMAND_LOOKALIKE, normalise, normalise_with_offsets
from bot.nlu.precedence import (HARDSHIP_INTENT, HUMAN_INTENT, QUESTION_KEY, THIRD_PARTY_INTENT, outranking_hardship,
                                 outranking_human_request, outranking_third_party)

logger = logging.getLogger(__name__)


def _skip(text: Any) -> bool:
    """Nothing to do for empty texts and ``/intent{...}`` shortcuts (RegexMessageHandler's)."""
    return not isinstance(text, str) or not text or text.startswith(INTENT_MESSAGE_PREFIX)


class _RuleComponent(GraphComponent):
    """What our untrained components share: nothing to load, any language, built from config."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return None

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self.component_config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TextNormaliser(_RuleComponent):
    """Rewrites TEXT to Simplified, half-width, single-spaced text (first in the pipeline)."""

    @staticmethod
    def required_packages() -> List[Text]:
        return ["opencc"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises every training example (and re-maps its entity annotations)."""
        for example in training_data.training_examples:
            self._normalise_message(example)
        if training_data.entity_synonyms:
            synonyms = dict(training_data.entity_synonyms)
            for original, value in list(synonyms.items()):
                key = normalise(original)
                if key and key not in synonyms:
                    synonyms[key] = value
            training_data.entity_synonyms = synonyms
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalises incoming messages."""
        for message in messages:
            try:
                self._normalise_message(message)
            except Exception:  # never block a parse because of normalisation
                logger.exception("TextNormaliser failed; message left unchanged")
        return messages

    @staticmethod
    def _normalise_message(message: Message) -> None:
        text = message.get(TEXT)
        if _skip(text):
            return
        new_text, offsets = normalise_with_offsets(text)
        if new_text.startswith(INTENT_MESSAGE_PREFIX):
            # typed text that normalises to a leading "/" (「／restart」, a zero-width space or an
            # ideographic space before "/affirm") must not become a command: Rasa's
            # RegexMessageHandler, last in the graph, would read the rewritten text as an intent
            # with entities, bypassing NLU and the channels' guard (bot/channels/common.py)
            new_text = COMMAND_LOOKALIKE + new_text[len(INTENT_MESSAGE_PREFIX):]
        if new_text == text or not new_text:
            return  # unchanged, or whitespace only (keep it: tokenizers expect some text)
        annotations = message.get(ENTITIES)
        if annotations:
            kept = offsets[:-1]  # original index of each normalised character (increasing)
            remapped = []
            for entity in annotations:
                entity = dict(entity)
                old_start = entity.get(ENTITY_ATTRIBUTE_START)
                old_end = entity.get(ENTITY_ATTRIBUTE_END)
                if isinstance(old_start, int) and isinstance(old_end, int):
                    new_start = bisect.bisect_left(kept, old_start)
                    new_end = bisect.bisect_left(kept, old_end)
                    if entity.get(ENTITY_ATTRIBUTE_VALUE) == text[old_start:old_end]:
                        entity[ENTITY_ATTRIBUTE_VALUE] = new_text[new_start:new_end]
                    entity[ENTITY_ATTRIBUTE_START] = new_start
                    entity[ENTITY_ATTRIBUTE_END] = new_end
                remapped.append(entity)
            message.set(ENTITIES, remapped)
        message.set(TEXT, new_text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class BorrowerEntityExtractor(_RuleComponent, EntityExtractorMixin):
    """Adds amount / date / installment_count / id & phone tails / birth_date / person_name /
    relation / hardship_type entities with normalised values."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # drop other extractors' entities of our types that overlap one of ours
            "replace_overlapping": True,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba", "cn2an", "opencc"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BorrowerEntityExtractor:
        try:
            borrower_entities.get_pipeline()  # build spaCy/jieba once, at load time
        except Exception:
            logger.exception("could not warm up the borrower entity pipeline")
        return cls(config)

    @staticmethod
    def _today() -> dt.date:
        from bot.clock import TZ, today

        try:
            return today()
        except Exception:  # e.g. a malformed BOT_TODAY; the clock's error is logged, parse goes on
            logger.exception("bot.clock.today() failed; using the real date")
            return dt.datetime.now(TZ).date()

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the rule-based entities to each message; never raises."""
        today: Optional[dt.date] = None
        for message in messages:
            try:
                text = message.get(TEXT)
                if _skip(text):
                    continue
                if today is None:
                    today = self._today()
                found = [
                    {
                        ENTITY_ATTRIBUTE_TYPE: e.entity,
                        ENTITY_ATTRIBUTE_START: e.start,
                        ENTITY_ATTRIBUTE_END: e.end,
                        ENTITY_ATTRIBUTE_VALUE: e.value,
                        ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
                    }
                    for e in borrower_entities.extract(text, today)
                ]
                if not found:
                    continue
                found = self.add_extractor_name(found)
                existing = message.get(ENTITIES) or []
                if self.component_config.get("replace_overlapping", True):
                    existing = [e for e in existing if not self._overlaps_ours(e, found)]
                message.set(ENTITIES, existing + found, add_to_output=True)
            except Exception:
                logger.exception("BorrowerEntityExtractor failed; no rule entities for this message")
        return messages

    def _overlaps_ours(self, entity: Dict[Text, Any], ours: List[Dict[Text, Any]]) -> bool:
        if entity.get(EXTRACTOR) == self.name:
            return False
        if entity.get(ENTITY_ATTRIBUTE_TYPE) not in borrower_entities.ENTITY_TYPES:
            return False
        start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
        if not isinstance(start, int) or not isinstance(end, int):
            return False
        return any(start < o[ENTITY_ATTRIBUTE_END] and o[ENTITY_ATTRIBUTE_START] < end for o in ours)


class _IntentRule(_RuleComponent):
    """A rule that may overrule the model's intent, applied to each message by ``_apply``; a bug
    in it is logged and the model's answer stands."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            try:
                if not _skip(message.get(TEXT)):
                    self._apply(message)
            except Exception:  # never lose the model's answer to a bug here
                logger.exception("%s failed; the model's intent is kept", type(self).__name__)
        return messages

    def _apply(self, message: Message) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _overrule(message: Message, intent_name: str, confidence: float) -> None:
        """``intent_name`` becomes the intent and heads the ranking."""
        top = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: confidence}
        ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != intent_name]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(top)] + ranking, add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class HardshipPrecedence(_IntentRule):
    """inform_hardship over a question when a cannot-pay hardship, or forgetting to pay, was found
    (bot/nlu/precedence.py)."""

    def _apply(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        question = intent.get(INTENT_NAME_KEY)
        if outranking_hardship(question, message.get(ENTITIES) or [], message.get(TEXT)) is None:
            return
        message.set(QUESTION_KEY, question, add_to_output=True)
        self._overrule(message, HARDSHIP_INTENT, intent.get(PREDICTED_CONFIDENCE_KEY, 1.0))


class _PrecedenceRule(_IntentRule):
    """``INTENT_NAME`` over the model's intent when ``outranks`` says the contract's precedence puts it
    higher (bot/nlu/precedence.py); the parse then carries ``RULE_KEY`` (the CV sweeps take it at its word)."""

    INTENT_NAME = ""
    RULE_KEY = ""

    def outranks(self, intent: Optional[str], message: Message) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _apply(self, message: Message) -> None:
        if not self.outranks((message.get(INTENT) or {}).get(INTENT_NAME_KEY), message):
            return
        message.set(self.RULE_KEY, True, add_to_output=True)
        self._overrule(message, self.INTENT_NAME, 1.0)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class HumanRequestPrecedence(_PrecedenceRule):
    """request_human over the intents below it when a person is asked for in so many words
    (「我已经还了 转人工」 was inform_paid)."""

    INTENT_NAME = HUMAN_INTENT
    RULE_KEY = "human_request"

    def outranks(self, intent: Optional[str], message: Message) -> bool:
        return outranking_human_request(intent, message.get(TEXT) or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ThirdPartyPrecedence(_PrecedenceRule):
    """not_borrower over the intents below it when the writer says whose relative they are or asks
    after another person's debt (compliance rule 2)."""

    INTENT_NAME = THIRD_PARTY_INTENT
    RULE_KEY = "third_party_words"

    def outranks(self, intent: Optional[str], message: Message) -> bool:
        return outranking_third_party(intent, message.get(ENTITIES) or [], message.get(TEXT) or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NameAloneIsIdentity(_IntentRule):
    """A message that is nothing but a name (the person_name entity is the whole text: 「王强」) is
    inform_identity, the borrower saying who they are (found live: read as an insult at 0.48)."""

    INTENT_NAME = "inform_identity"

    def _apply(self, message: Message) -> None:
        text = (message.get(TEXT) or "").strip()
        names = [e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) == "person_name"]
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if len(names) != 1 or names[0].get(ENTITY_ATTRIBUTE_VALUE) != text or intent == self.INTENT_NAME:
            return
        self._overrule(message, self.INTENT_NAME, 1.0)


#: a year alone, as a birth year is given when the date is asked for: 「88年」, 「1988年的」, 「88年生」
_YEAR_ALONE = re.compile(r"^\s*(19|20)?\d{2}\s?年\s?(生|出生|生的|的)?\s*[。.!！]?\s*$")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class YearAloneIsIdentity(_IntentRule):
    """A message that is only a year (「88年」) is inform_identity, a birth year given (found live during
    verification: goodbye at 0.57, 88 being 拜拜, and the exchange was ended)."""

    INTENT_NAME = "inform_identity"

    def _apply(self, message: Message) -> None:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if intent != self.INTENT_NAME and _YEAR_ALONE.match(message.get(TEXT) or ""):
            self._overrule(message, self.INTENT_NAME, 1.0)


#: what may stand around a term said alone: 「就12个月的那个」, 「一年的吧」, 「我选半年」 (not 了: 「一年了」 is how long)
_TERM_FILLER = re.compile(r"就行|可以|那个|这个|我要|我选|来个|给我|好了|[的吧呗啊呀嘛哦就要选分行\s,，.。!！~～]")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TermAloneIsInstallment(_IntentRule):
    """A message that is nothing but a term (an installment_count entity and filler words: 「一年的」,
    「半年」) is request_installment, the borrower choosing or asking for that term (found live, after a
    plan list: 「一年的」 was an insult at 0.20 and 「半年」 fell back; the term was extracted each time)."""

    INTENT_NAME = "request_installment"

    def _apply(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        terms = [e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) == "installment_count"]
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if len(terms) != 1 or intent == self.INTENT_NAME or not isinstance(terms[0].get("start"), int):
            return
        rest = text[:terms[0]["start"]] + text[terms[0]["end"]:]
        if _TERM_FILLER.sub("", rest):
            return
        self._overrule(message, self.INTENT_NAME, 1.0)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UnsureEndingFallsBack(_IntentRule):
    """An intent that ends the conversation (goodbye) needs more certainty than the
    FallbackClassifier's threshold: below ``threshold`` it becomes nlu_fallback, so the borrower is
    asked what they meant (the two likeliest intents as buttons) instead of being seen off. Found
    live: 「再少点呢」 (goodbye 0.3) got 「好的，祝您生活顺利」."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intents": ["goodbye"], "threshold": 0.5}

    def _apply(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        confidence = intent.get(PREDICTED_CONFIDENCE_KEY)
        if intent.get(INTENT_NAME_KEY) not in self.component_config["intents"] or confidence is None:
            return
        if confidence >= self.component_config["threshold"]:
            return
        logger.info("%s at %.2f is too unsure to end on: %s", intent.get(INTENT_NAME_KEY), confidence, FALLBACK_INTENT)
        self._overrule(message, FALLBACK_INTENT, self.component_config["threshold"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DistressSafetyNet(_IntentRule):
    """express_distress whenever a distress phrase is in the text (module docstring)."""

    INTENT_NAME = "express_distress"
    #: the key of the matched phrase in the parse result
    PHRASE_KEY = PHRASE_KEY

    def _apply(self, message: Message) -> None:
        phrase = distress_phrase(message.get(TEXT))
        if phrase is None:
            self._everyday_words(message)
            return
        message.set(self.PHRASE_KEY, phrase, add_to_output=True)
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) == self.INTENT_NAME:
            return
        logger.info("distress phrase %r: intent %s -> %s", phrase, intent.get(INTENT_NAME_KEY), self.INTENT_NAME)
        self._overrule(message, self.INTENT_NAME, 1.0)

    def _everyday_words(self, message: Message) -> None:
        """express_distress whose only sign is 死 as an everyday intensifier (「烦死了」, 「笑死」;
        ``only_everyday_death_words``) gives way to the model's next intent."""
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) != self.INTENT_NAME or not only_everyday_death_words(message.get(TEXT)):
            return
        ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != self.INTENT_NAME]
        if not ranking:
            return
        logger.info("only everyday 死 in %r: express_distress -> %s", message.get(TEXT), ranking[0].get(INTENT_NAME_KEY))
        message.set(INTENT, {INTENT_NAME_KEY: ranking[0][INTENT_NAME_KEY],
                             PREDICTED_CONFIDENCE_KEY: ranking[0].get(PREDICTED_CONFIDENCE_KEY, 0.0)}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
