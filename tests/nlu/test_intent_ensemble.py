"""CharNgramIntentClassifier: trained, persisted and loaded through Rasa's own model storage,
and combining DIET's ranking with its own probabilities as documented."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse._compressed as compressed
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_ensemble import CharNgramIntentClassifier, LexiconMatches, combine_rankings, digits_masked

EXAMPLES = {
    "ask_penalty": ["罚息多少", "逾期罚息怎么算", "罚息是多少钱", "利息和罚息一共多少", "罚息太高了吧"],
    "ask_due_date": ["哪天还款", "还款日是几号", "最后还款日是哪天", "几号扣款", "下次还款是什么时候"],
    "how_to_pay": ["怎么还款", "用什么方式还钱", "在哪里还款", "怎么主动还款", "可以用微信还吗"],
}


def _training_data() -> TrainingData:
    return TrainingData([Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts])


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage")


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _loaded(storage, config: dict, resource: str = "ensemble") -> CharNgramIntentClassifier:
    """What Rasa's model loading gives for what was stored under ``resource``."""
    return CharNgramIntentClassifier.load(config, storage, Resource(resource), _context())


def _trained(storage, **config) -> CharNgramIntentClassifier:
    component = CharNgramIntentClassifier.create({**CharNgramIntentClassifier.get_default_config(), **config},
                                                 storage, Resource("ensemble"), _context())
    component.train(_training_data())
    return component


def _diet_said(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    return message


def test_the_ranking_is_the_weighted_average(storage):
    component = _trained(storage, weight=0.5)
    diet = [("ask_due_date", 0.6), ("ask_penalty", 0.3), ("how_to_pay", 0.1)]
    message = component.process([_diet_said("罚息怎么这么多", diet)])[0]
    own = dict(zip(component.model.classes_, component.model.predict_proba(["罚息怎么这么多"])[0]))
    ranking = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY)}
    for name, diet_confidence in diet:
        assert ranking[name] == pytest.approx(0.5 * diet_confidence + 0.5 * own[name])
    assert message.get(INTENT)["name"] == max(ranking, key=ranking.get)
    assert message.get(INTENT)["confidence"] == pytest.approx(max(ranking.values()))
    # the n-gram model is sure about 罚息: together they overrule DIET's ask_due_date
    assert message.get(INTENT)["name"] == "ask_penalty"


def test_weight_one_keeps_diet(storage):
    component = _trained(storage, weight=1.0)
    message = component.process([_diet_said("罚息怎么这么多", [("ask_due_date", 0.6), ("ask_penalty", 0.4)])])[0]
    assert message.get(INTENT) == {"name": "ask_due_date", "confidence": pytest.approx(0.6)}


def test_combine_rankings_weighs_both_sides_and_keeps_the_best_few():
    diet = [("a", 0.8), ("b", 0.2)]
    ngram = [("a", 0.1), ("b", 0.3), ("c", 0.6)]
    assert combine_rankings(diet, ngram, 1.0) == [("a", 0.8), ("b", 0.2), ("c", 0.0)]
    assert [n for n, _ in combine_rankings(diet, ngram, 0.0)] == ["c", "b", "a"]
    half = dict(combine_rankings(diet, ngram, 0.5))
    assert half == {"a": pytest.approx(0.45), "b": pytest.approx(0.25), "c": pytest.approx(0.3)}
    assert combine_rankings(diet, ngram, 0.5, ranking_length=2) == [("a", pytest.approx(0.45)), ("c", pytest.approx(0.3))]


def test_the_observer_sees_both_opinions_it_combined(storage, monkeypatch):
    component = _trained(storage, weight=0.5)
    seen = []
    monkeypatch.setattr(CharNgramIntentClassifier, "observer", lambda text, diet, ngram: seen.append((text, diet, ngram)))
    diet = [("ask_due_date", 0.6), ("ask_penalty", 0.4)]
    message = component.process([_diet_said("罚息怎么这么多", diet)])[0]
    (text, seen_diet, ngram), = seen
    assert text == "罚息怎么这么多" and seen_diet == diet
    assert dict(ngram) == pytest.approx(dict(zip(component.model.classes_,
                                                component.model.predict_proba(["罚息怎么这么多"])[0])))
    final = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY)}
    assert final == pytest.approx(dict(combine_rankings(seen_diet, ngram, 0.5)))


def test_persisted_and_loaded_through_rasas_storage(storage):
    trained = _trained(storage)
    loaded = _loaded(storage, trained.component_config)
    texts = ["怎么还钱", "几号还", "罚息"]
    assert list(loaded.model.predict(texts)) == list(trained.model.predict(texts))


def test_weights_are_kept_so_a_prediction_copies_nothing(storage, monkeypatch):
    """SciPy copies a non-contiguous dense operand on every sparse product; after training and
    after loading, ``coef_.T`` must be C-contiguous so no message pays for that copy, and the
    probabilities must be exactly those of the row-major weights scikit-learn produced."""
    trained = _trained(storage)
    loaded = _loaded(storage, trained.component_config)
    texts = ["怎么还钱", "几号还", "罚息多少"]
    for component in (trained, loaded):
        assert component.model[-1].coef_.T.flags.c_contiguous
    copied = []
    scipy_mul = compressed._cs_matrix._mul_multivector

    def watching(self, other):
        copied.append(not other.flags.c_contiguous)
        return scipy_mul(self, other)

    monkeypatch.setattr(compressed._cs_matrix, "_mul_multivector", watching)
    fast = loaded.model.predict_proba(texts)
    assert copied == [False]
    loaded.model[-1].coef_ = np.ascontiguousarray(loaded.model[-1].coef_)
    assert np.array_equal(fast, loaded.model.predict_proba(texts))
    assert copied == [False, True]


@pytest.mark.parametrize("text, ranking", [
    ("/greet", [("greet", 1.0)]),  # a button payload: Rasa's own intent, untouched
    ("罚息", None),  # nothing ranked by DIET
    ("   ", [("how_to_pay", 0.5)]),
])
def test_messages_it_must_not_touch(storage, text, ranking):
    component = _trained(storage)
    message = Message(data={TEXT: text})
    if ranking:
        message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
        message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    before = (message.get(INTENT), message.get(INTENT_RANKING_KEY))
    component.process([message])
    assert (message.get(INTENT), message.get(INTENT_RANKING_KEY)) == before


def test_untrained_or_unloadable_passes_through(storage):
    loaded = _loaded(storage, {}, resource="never-trained")
    message = loaded.process([_diet_said("罚息", [("ask_penalty", 0.7)])])[0]
    assert message.get(INTENT) == {"name": "ask_penalty", "confidence": 0.7}


def test_edge_padded_ngrams_when_configured(storage):
    plain = _trained(storage).model[0]
    padded = _trained(storage, analyzer="char_wb").model[0]
    assert " 罚" in padded.vocabulary_ and "钱 " in padded.vocabulary_  # a message's first and last characters
    assert " 罚" not in plain.vocabulary_
    with pytest.raises(ValueError, match="analyzer must be char or char_wb"):
        _trained(storage, analyzer="word")


def test_a_weight_outside_zero_to_one_is_refused(storage):
    with pytest.raises(ValueError, match="weight"):
        CharNgramIntentClassifier({"weight": 1.5}, storage, Resource("x"))


def test_digits_masked():
    assert digits_masked("我明天还9999元 ABC") == "我明天还0000元 abc"
    assert digits_masked("分12期") == "分00期"
    assert digits_masked("") == ""


def test_masked_digits_when_configured(storage):
    """With mask_digits a number is seen by its shape and its neighbours, not its digits:
    「明天还9999元」 is no longer pulled towards the birth years of the identity examples, and the
    setting survives Rasa's storage."""
    numbers = TrainingData([Message(data={TEXT: t, INTENT: i}) for i, texts in {
        "inform_identity": ["我是1999年出生的", "生日1999年9月", "尾号9999"],
        "promise_to_pay": ["明天还3000元", "月底还2000元", "下周还5000元"],
    }.items() for t in texts])

    def trained(**config):
        component = CharNgramIntentClassifier.create({**CharNgramIntentClassifier.get_default_config(), **config},
                                                     storage, Resource("ensemble"), _context())
        component.train(numbers)
        return component

    texts = ["明天还9999元", "明天还3000元"]
    plain = trained().model
    identity = list(plain.classes_).index("inform_identity")
    p_9999, p_3000 = plain.predict_proba(texts)[:, identity]
    assert p_9999 > p_3000 + 0.1  # the digits 9 pull towards identity
    trained(mask_digits=True)
    masked = _loaded(storage, {**CharNgramIntentClassifier.get_default_config(), "mask_digits": True}).model
    assert not any(ch in term for term in masked[0].vocabulary_ for ch in "123456789")
    a, b = masked.predict_proba(texts)
    assert np.allclose(a, b) and masked.classes_[a.argmax()] == "promise_to_pay"


def test_lookup_words_reach_the_ngram_classifier(storage):
    """With lookup_features a word of a lookup table that no example has (饭桶) counts as that
    table's other words do, and the words survive Rasa's storage; without it, only its characters
    count, and they say nothing."""
    data = TrainingData(
        [Message(data={TEXT: t, INTENT: i}) for i, texts in {
            "insult": ["你个白痴", "蠢货一个", "傻瓜吧你", "白痴机器人", "真是蠢货"],
            "out_of_scope": ["今天天气咋样", "怎么借钱", "额度多少", "你喜欢吃什么", "推荐个电影"],
        }.items() for t in texts],
        lookup_tables=[{"name": "abuse_word", "elements": ["白痴", "蠢货", "傻瓜", "饭桶"]}])

    def insult_probability(**config) -> float:
        component = CharNgramIntentClassifier.create({**CharNgramIntentClassifier.get_default_config(), **config},
                                                     storage, Resource("ensemble"), _context())
        component.train(data)
        model = _loaded(storage, {**CharNgramIntentClassifier.get_default_config(), **config}).model
        return float(model.predict_proba(["饭桶"])[0][list(model.classes_).index("insult")])

    assert insult_probability() < 0.6
    assert insult_probability(lookup_features=True) > 0.8
    assert insult_probability(lookup_features=["abuse_word"]) > 0.8
    assert insult_probability(lookup_features=["farewell_word"]) < 0.6  # only the tables named


def test_lexicon_matches_one_column_per_table():
    lexicon = LexiconMatches({"farewell_word": ["拜拜", "Bye"], "agree_word": ["好的"], "empty": []})
    matrix = lexicon.transform(["好的 BYE", "你好", ""]).toarray()
    assert list(lexicon.get_feature_names_out()) == ["lookup:agree_word", "lookup:farewell_word"]
    assert matrix.tolist() == [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]
    restored = pickle.loads(pickle.dumps(lexicon))
    assert restored.transform(["拜拜"]).toarray().tolist() == [[0.0, 1.0]]
