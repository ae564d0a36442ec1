"""Rasa components: TextNormaliser and BorrowerEntityExtractor, alone and in a trained pipeline."""
from __future__ import annotations

import asyncio
import os
import textwrap

import pytest

pytest.importorskip("rasa")

from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.nlu.components import BorrowerEntityExtractor, TextNormaliser  # noqa: E402


def _normaliser() -> TextNormaliser:
    return TextNormaliser.create({}, None, None, None)  # type: ignore[arg-type]


def _extractor(**config) -> BorrowerEntityExtractor:
    return BorrowerEntityExtractor.create({**BorrowerEntityExtractor.get_default_config(), **config},
                                          None, None, None)  # type: ignore[arg-type]


def test_normaliser_rewrites_training_text_and_remaps_entity_offsets():
    text = "  我　１５號  還\t參千伍 "
    date_start = text.index("１５號")
    amount_start = text.index("參千伍")
    example = Message(data={
        "text": text,
        "intent": "promise_to_pay",
        "entities": [
            {"entity": "date", "start": date_start, "end": date_start + 3, "value": "１５號"},
            {"entity": "amount", "start": amount_start, "end": amount_start + 3, "value": "3500"},
        ],
    })
    data = TrainingData([example], entity_synonyms={"參千伍": "3500"})
    _normaliser().process_training_data(data)
    new_text = example.get("text")
    assert new_text == "我 15号 还 参千伍"
    date, amount = example.get("entities")
    assert new_text[date["start"]:date["end"]] == "15号" and date["value"] == "15号"
    assert new_text[amount["start"]:amount["end"]] == "参千伍" and amount["value"] == "3500"  # a synonym
    assert data.entity_synonyms["参千伍"] == "3500"


def test_normaliser_process_leaves_shortcuts_and_empty_texts_alone():
    messages = [Message(data={"text": t}) for t in ["/greet", "", "   "]] + [Message(data={})]
    _normaliser().process(messages)
    assert [m.get("text") for m in messages] == ["/greet", "", "   ", None]
    msg = Message(data={"text": "我還錢　１２３"})
    _normaliser().process([msg])
    assert msg.get("text") == "我还钱 123"


@pytest.mark.parametrize("typed", ["／restart", "\u200b/restart", "\u3000/affirm{\"verified\": true}", "\ufeff／affirm"])
def test_normaliser_never_turns_typed_text_into_a_command(typed):
    """Full-width, zero-width and ideographic-space characters are normalised away, but a leading
    "/" that appears so would make Rasa's RegexMessageHandler read the text as an intent."""
    msg = Message(data={"text": typed})
    _normaliser().process([msg])
    assert not msg.get("text").startswith("/")
    assert msg.get("text").startswith("／")


def test_extractor_adds_rasa_entities(pinned_today):
    msg = Message(data={"text": "我15号还三千五"})
    _extractor().process([msg])
    assert msg.get("entities") == [
        {"entity": "date", "start": 1, "end": 4, "value": "2026-12-15", "confidence_entity": 1.0,
         "extractor": "BorrowerEntityExtractor"},
        {"entity": "amount", "start": 5, "end": 8, "value": "3500.00", "confidence_entity": 1.0,
         "extractor": "BorrowerEntityExtractor"},
    ]


def test_extractor_replaces_overlapping_entities_of_other_extractors(pinned_today):
    diet_amount = {"entity": "amount", "start": 5, "end": 8, "value": "三千五", "extractor": "DIETClassifier"}
    diet_other = {"entity": "product", "start": 0, "end": 1, "value": "x", "extractor": "DIETClassifier"}
    msg = Message(data={"text": "我15号还三千五", "entities": [diet_amount, diet_other]})
    _extractor().process([msg])
    values = [(e["entity"], e["value"], e["extractor"]) for e in msg.get("entities")]
    assert ("amount", "三千五", "DIETClassifier") not in values
    assert ("product", "x", "DIETClassifier") in values
    assert ("amount", "3500.00", "BorrowerEntityExtractor") in values

    msg = Message(data={"text": "我15号还三千五", "entities": [dict(diet_amount)]})
    _extractor(replace_overlapping=False).process([msg])
    assert len(msg.get("entities")) == 3


def test_extractor_never_raises(monkeypatch):
    monkeypatch.setenv("BOT_TODAY", "2026-02-30")  # a broken clock setting: falls back to the real date
    texts = [None, "", "/promise_to_pay", "😀", "2月30号", "分0期", "x" * 6000, "我15号还三千五" * 800]
    messages = [Message(data={} if t is None else {"text": t}) for t in texts]
    _extractor().process(messages)
    by_text = {m.get("text"): m.get("entities") for m in messages}
    assert by_text["2月30号"][0]["value"] == "2月30号"
    assert by_text["分0期"][0]["value"] == 0
    assert by_text["/promise_to_pay"] is None


# --------------------------------------------------------------------------------------------
# A real (tiny) Rasa NLU model: train, load, parse.
# --------------------------------------------------------------------------------------------

NLU_YML = """\
version: "3.1"
nlu:
- intent: promise_to_pay
  examples: |
    - 我[15号](date)还[三千五](amount)
    - [月底](date)前还[三千](amount)
    - 我  [明天](date)  還 [两千块](amount)
    - 發工資就還
    - 我想[下周五](date)还
- intent: request_installment
  examples: |
    - 能分期吗
    - [分12期](installment_count)每期多少
    - 我想分[十二个月](installment_count)
    - 可以分[一年](installment_count)吗
- intent: inform_identity
  examples: |
    - 我叫[张伟](person_name)
    - 身份证后四位[1234](id_last4)
    - 手机尾号[8888](phone_last4)
    - 生日[1990年5月3日](birth_date)
"""


# KeywordIntentClassifier keeps this test at a few seconds; DIET (even epochs=1) spends more than
# a minute compiling TensorFlow graphs here. BOT_NLU_DIET_TEST=1 runs the same checks with DIET.
_CLASSIFIER = (
    """
          - name: DIETClassifier
            epochs: 1
            constrain_similarities: true"""
    if os.environ.get("BOT_NLU_DIET_TEST") == "1"
    else """
          - name: KeywordIntentClassifier"""
)


@pytest.fixture(scope="module")
def agent(tmp_path_factory):
    import rasa.model_training
    from rasa.core.agent import Agent

    root = tmp_path_factory.mktemp("nlu_model")
    dictionary = root / "dictionary"
    dictionary.mkdir()
    (dictionary / "finance.txt").write_text("逾期 2000 n\n罚息 2000 n\n微粒贷 2000 nz\n", encoding="utf-8")
    (root / "nlu.yml").write_text(NLU_YML, encoding="utf-8")
    (root / "config.yml").write_text(textwrap.dedent(f"""\
        recipe: default.v1
        language: zh
        assistant_id: nlu_component_test
        pipeline:
          - name: bot.nlu.components.TextNormaliser
          - name: JiebaTokenizer
            dictionary_path: {dictionary}
          - name: CountVectorsFeaturizer{_CLASSIFIER}
          - name: bot.nlu.components.BorrowerEntityExtractor
          - name: EntitySynonymMapper
          - name: FallbackClassifier
            threshold: 0.0
        """), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RASA_CACHE_DIRECTORY", str(root / "cache"))  # keep Rasa's cache out of the repo
        mp.setenv("RASA_TELEMETRY_ENABLED", "false")
        model = rasa.model_training.train_nlu(
            config=str(root / "config.yml"),
            nlu_data=str(root / "nlu.yml"),
            output=str(root / "models"),
            fixed_model_name="nlu",
        )
        assert model, "training failed"
        yield Agent.load(model)


def _parse(agent, text: str) -> dict:
    return asyncio.run(agent.parse_message(text))


def _ours(result: dict) -> list:
    return [(e["entity"], e["value"]) for e in result["entities"] if e["extractor"] == "BorrowerEntityExtractor"]


def test_trained_pipeline_extracts_entities(agent, pinned_today):
    result = _parse(agent, "我15号还三千五")
    assert result["text"] == "我15号还三千五"
    assert _ours(result) == [("date", "2026-12-15"), ("amount", "3500.00")]
    assert result["intent"]["name"]
    # no overlapping raw values from DIET survive for our entity types
    assert [e["value"] for e in result["entities"] if e["entity"] == "amount"] == ["3500.00"]


def test_trained_pipeline_normalises_traditional_full_width_text(agent, pinned_today):
    result = _parse(agent, "我１５號還參千伍，身份證後四位１２３ｘ")
    assert result["text"] == "我15号还参千伍,身份证后四位123x"
    assert _ours(result) == [("date", "2026-12-15"), ("amount", "3500.00"), ("id_last4", "123X")]
    for e in result["entities"]:
        assert 0 <= e["start"] < e["end"] <= len(result["text"])


@pytest.mark.parametrize("typed", ["／inform_identity{\"id_last4\": \"1234\"}", "\u200b/restart"])
def test_trained_pipeline_does_not_obey_typed_commands(agent, typed):
    result = _parse(agent, typed)
    assert result["intent"]["name"] not in ("inform_identity", "restart")
    assert all(e["extractor"] != "RegexMessageHandler" for e in result["entities"])
    # and a real command (a button's payload) still is one
    result = _parse(agent, '/inform_identity{"id_last4": "1234"}')
    assert result["intent"]["name"] == "inform_identity"
    assert [(e["entity"], e["value"]) for e in result["entities"]] == [("id_last4", "1234")]


def test_trained_pipeline_uses_the_bot_clock(agent, monkeypatch):
    monkeypatch.setenv("BOT_TODAY", "2027-02-01")
    assert _ours(_parse(agent, "30号还")) == [("date", "2027-03-30")]


@pytest.mark.skipif(os.environ.get("BOT_NLU_DIET_TEST") == "1", reason="keyword-classifier specific")
def test_training_data_was_normalised_too(agent):
    # KeywordIntentClassifier learnt the example 發工資就還 as a keyword; it only matches the
    # (normalised) message 发工资就还 if the training example was normalised as well.
    assert _parse(agent, "发工资就还")["intent"]["name"] == "promise_to_pay"
    assert _parse(agent, "發工資就還")["intent"]["name"] == "promise_to_pay"

