"""bot.nlu.components.DistressSafetyNet: a distress phrase makes the message express_distress,
whatever the model ranked first; without one the model's answer is untouched. Also the other rules
that may overrule the model after it: NameAloneIsIdentity, UnsureEndingFallsBack."""
import asyncio

import datetime as dt

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import DistressSafetyNet


def _message(text: str, ranking: list) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]}, add_to_output=True)
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking], add_to_output=True)
    return message


def test_a_distress_phrase_overrides_the_model():
    message = _message("生意赔光了 活着真累", [("inform_hardship", 0.71), ("express_distress", 0.2), ("deny", 0.09)])
    DistressSafetyNet().process([message])
    assert message.get("intent") == {"name": "express_distress", "confidence": 1.0}
    assert [(r["name"], r["confidence"]) for r in message.get("intent_ranking")] == [
        ("express_distress", 1.0), ("inform_hardship", 0.71), ("deny", 0.09)]
    assert message.get("distress_phrase") == "活着真累"


def test_it_overrides_a_fallback_too():
    message = _message("我准备烧炭了", [("nlu_fallback", 0.2), ("inform_hardship", 0.15)])
    DistressSafetyNet().process([message])
    assert message.get("intent")["name"] == "express_distress"


@pytest.mark.parametrize("text", ["我失业了 能分期吗", "你去死吧", "", "/greet"])
def test_other_messages_keep_the_models_answer(text):
    ranking = [("inform_hardship", 0.8), ("express_distress", 0.1)]
    message = _message(text, ranking)
    DistressSafetyNet().process([message])
    assert message.get("intent") == {"name": "inform_hardship", "confidence": 0.8}
    assert [(r["name"], r["confidence"]) for r in message.get("intent_ranking")] == ranking
    assert message.get("distress_phrase") is None


def test_a_message_without_a_ranking_is_handled():
    message = Message(data={"text": "我不想活了"})
    DistressSafetyNet().process([message])
    assert message.get("intent")["name"] == "express_distress"
    assert [r["name"] for r in message.get("intent_ranking")] == ["express_distress"]


def test_the_project_pipeline_runs_it_last(project_agent):
    """config.yml: after the FallbackClassifier, so nothing undoes it; the trained model's parse
    carries the phrase."""
    import yaml

    from bot.config import PROJECT_ROOT

    pipeline = [c["name"] for c in yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]]
    assert pipeline[-1] == "bot.nlu.components.DistressSafetyNet"
    assert pipeline.index("FallbackClassifier") < pipeline.index("bot.nlu.components.DistressSafetyNet")
    parsed = asyncio.run(project_agent.parse_message("我现在在天台上 欠太多了"))
    assert parsed["intent"]["name"] == "express_distress" and parsed["distress_phrase"]


@pytest.mark.parametrize("text", ["烦死了", "笑死我了", "今天忙死了 晚点说", "吓死人了"])
def test_only_everyday_death_words_give_way_to_the_next_intent(text):
    """Found probing short replies: 「烦死了」, 「笑死」 were express_distress and got the crisis lines."""
    message = _message(text, [("express_distress", 0.6), ("insult", 0.3), ("out_of_scope", 0.1)])
    DistressSafetyNet().process([message])
    assert message.get("intent") == {"name": "insult", "confidence": 0.3}
    assert [r["name"] for r in message.get("intent_ranking")] == ["insult", "out_of_scope"]


@pytest.mark.parametrize("text", ["累死了 不想活了", "气死我了 死了算了", "我死了你们就高兴了", "烦死了 我要去死"])
def test_a_death_word_beside_distress_stays_distress(text):
    message = _message(text, [("express_distress", 0.6), ("insult", 0.3)])
    DistressSafetyNet().process([message])
    assert message.get("intent")["name"] == "express_distress"


def test_a_name_alone_is_the_borrower_saying_who_they_are():
    """Found live: 「王强」 as a first message was read as an insult (0.48)."""
    from bot.nlu.components import NameAloneIsIdentity

    message = _message("王强", [("insult", 0.48), ("inform_identity", 0.3)])
    message.set("entities", [{"entity": "person_name", "value": "王强", "start": 0, "end": 2}], add_to_output=True)
    NameAloneIsIdentity().process([message])
    assert message.get("intent") == {"name": "inform_identity", "confidence": 1.0}
    for text, entities in (("王强 你好", [{"entity": "person_name", "value": "王强", "start": 0, "end": 2}]),
                           ("王八", [])):
        other = _message(text, [("insult", 0.6), ("greet", 0.2)])
        other.set("entities", entities, add_to_output=True)
        NameAloneIsIdentity().process([other])
        assert other.get("intent")["name"] == "insult", text


@pytest.mark.parametrize("text, intent, chosen", [
    ("一年的", "insult", True),  # found live after a plan list: an insult at 0.20
    ("半年", "nlu_fallback", True),  # found live: fell back
    ("两年吧", "affirm", True),
    ("就12个月的那个", "out_of_scope", True),
    ("不要一年的", "deny", False),  # a refusal stays one
    ("一年以后再说", "deny", False),
    ("我逾期半年了", "ask_consequences", False),
])
def test_a_term_alone_is_choosing_that_term(text, intent, chosen):
    from bot.nlu.components import TermAloneIsInstallment
    from bot.nlu.entities import extract

    message = _message(text, [(intent, 0.2), ("affirm", 0.1)])
    message.set("entities", [{"entity": e.entity, "value": e.value, "start": e.start, "end": e.end}
                             for e in extract(text, dt.date(2026, 12, 1))], add_to_output=True)
    TermAloneIsInstallment().process([message])
    assert (message.get("intent")["name"] == "request_installment") is chosen, text


def test_an_unsure_goodbye_asks_what_was_meant_instead_of_ending():
    """Found live: 「再少点呢」 was goodbye at 0.3 and the borrower was seen off."""
    from bot.nlu.components import UnsureEndingFallsBack

    unsure = _message("再少点呢", [("goodbye", 0.3), ("request_installment", 0.25), ("deny", 0.1)])
    UnsureEndingFallsBack().process([unsure])
    assert unsure.get("intent") == {"name": "nlu_fallback", "confidence": 0.5}
    # the two-stage fallback offers the likeliest intents from the ranking: goodbye is still one of them
    assert [r["name"] for r in unsure.get("intent_ranking")] == ["nlu_fallback", "goodbye", "request_installment", "deny"]

    sure = _message("好的 拜拜", [("goodbye", 0.93), ("thank", 0.05)])
    UnsureEndingFallsBack().process([sure])
    assert sure.get("intent") == {"name": "goodbye", "confidence": 0.93}

    other = _message("嗯", [("affirm", 0.3), ("goodbye", 0.2)])
    UnsureEndingFallsBack().process([other])
    assert other.get("intent")["name"] == "affirm"

    stricter = _message("先这样", [("goodbye", 0.62)])
    UnsureEndingFallsBack({"threshold": 0.7}).process([stricter])
    assert stricter.get("intent") == {"name": "nlu_fallback", "confidence": 0.7}



@pytest.mark.parametrize("text, identity", [("88年", True), ("1988年的", True), ("88年生", True),
                                            ("88", False), ("886", False), ("明年", False), ("88年还不上了", False)])
def test_a_year_alone_is_a_birth_year_given(text, identity):
    """Found live during verification: 「88年」 was goodbye at 0.57 (88 is 拜拜) and the exchange ended."""
    from bot.nlu.components import YearAloneIsIdentity

    message = _message(text, [("goodbye", 0.57), ("inform_identity", 0.3)])
    YearAloneIsIdentity().process([message])
    assert (message.get("intent")["name"] == "inform_identity") is identity, text
