"""The contract's precedence where a rule applies it: "inform_hardship > the questions", "request_human > …"
(bot/nlu/precedence.py and its components)."""
import datetime as dt

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import HardshipPrecedence, HumanRequestPrecedence, ThirdPartyPrecedence
from bot.nlu.entities import extract
from bot.nlu.precedence import (QUESTION_BEHIND_HARDSHIP_MIN, QUESTION_INTENTS, QUESTION_KEY, outranking_hardship,
                                 outranking_human_request, outranking_third_party, question_behind_hardship)

TODAY = dt.date(2026, 12, 1)


def entities_of(text):
    return [{"entity": e.entity, "start": e.start, "end": e.end, "value": e.value} for e in extract(text, TODAY)]


def test_the_questions_are_the_contract_s():
    assert QUESTION_INTENTS == {"ask_balance", "ask_due_date", "ask_overdue_reason", "ask_penalty", "ask_credit_impact",
                                "ask_consequences", "ask_early_repayment", "how_to_pay"}


@pytest.mark.parametrize("text, intent, category", [
    ("我失业了 会不会被起诉", "ask_consequences", "job_loss"),
    ("住院了 罚息怎么算", "ask_penalty", "illness"),
    ("老家发洪水了 会上征信吗", "ask_credit_impact", "disaster"),
    ("我妈住院了 这个月还多少", "ask_balance", "family_emergency"),
    # why they are late: forgetting to pay (hardship_type forgot) outranks the question too
    ("忘了还款 会上征信吗", "ask_credit_impact", "forgot"),
    ("这个月忘记还了 逾期了咋办", "ask_consequences", "forgot"),
    ("还款日给忘了 晚了两天 罚息多少", "ask_penalty", "forgot"),
    ("我记错还款日了 现在还要还多少", "ask_balance", "forgot"),
    ("这期忘还了 会怎么样", "ask_consequences", "forgot"),
])
def test_a_question_with_a_cannot_pay_hardship_is_inform_hardship(text, intent, category):
    assert outranking_hardship(intent, entities_of(text), text) == category


@pytest.mark.parametrize("text, intent", [
    ("我失业了能分期吗", "request_installment"),  # higher than inform_hardship: unchanged
    ("我忘了还款日是哪天", "ask_due_date"),  # forgetting the date is asking it
    ("怕忘了 几号扣款", "ask_due_date"),
    ("密码忘记了怎么还款", "how_to_pay"),  # forgetting a password is not forgetting to pay
    ("我忘了还有一笔 罚息怎么算", "ask_penalty"),  # 还有: "there is still"
    ("我还忘了问 罚息怎么算", "ask_penalty"),  # 还: "also"
    ("我没有忘记还款 怎么显示逾期", "ask_overdue_reason"),  # negated
    ("提前还款是不是亏了", "ask_early_repayment"),  # 亏了 also means "a bad deal"
    ("没有失业 就是忘了 罚息怎么算", "ask_penalty"),  # negated
    ("罚息怎么算", "ask_penalty"),
])
def test_otherwise_the_model_s_intent_stands(text, intent):
    assert outranking_hardship(intent, entities_of(text), text) is None


def test_the_component_keeps_the_question_for_the_dialogue():
    text = "我失业了 会不会被起诉"
    message = Message(data={"text": text, "intent": {"name": "ask_consequences", "confidence": 0.8},
                            "intent_ranking": [{"name": "ask_consequences", "confidence": 0.8},
                                               {"name": "inform_hardship", "confidence": 0.15}],
                            "entities": entities_of(text)})
    HardshipPrecedence({}).process([message])
    assert message.get("intent") == {"name": "inform_hardship", "confidence": 0.8}
    assert [r["name"] for r in message.get("intent_ranking")] == ["inform_hardship", "ask_consequences"]
    assert message.get(QUESTION_KEY) == "ask_consequences"
    other = Message(data={"text": "/ask_penalty", "intent": {"name": "ask_penalty", "confidence": 1.0}, "entities": []})
    HardshipPrecedence({}).process([other])
    assert other.get("intent")["name"] == "ask_penalty" and other.get(QUESTION_KEY) is None


def _hardship(text: str, words: str) -> list[dict]:
    start = text.index(words)
    return [{"entity": "hardship_type", "value": "job_loss", "start": start, "end": start + len(words)}]


def test_the_question_behind_a_hardship_is_read_without_its_words():
    seen = []

    def classify(rest):
        seen.append(rest)
        return {"ask_consequences": 0.97, "inform_hardship": 0.02, "greet": 0.01}

    text = "我失业了 会不会被起诉"
    assert question_behind_hardship(text, _hardship(text, "失业"), classify) == "ask_consequences"
    assert seen == ["我了 会不会被起诉"]  # the hardship words are what is taken out


def test_no_question_behind_a_hardship_when_unsure_too_short_or_no_hardship():
    sure = lambda rest: {"ask_due_date": 0.99}  # noqa: E731
    unsure = lambda rest: {"ask_due_date": QUESTION_BEHIND_HARDSHIP_MIN - 0.01, "inform_hardship": 0.2}  # noqa: E731
    text = "我失业了 会不会被起诉"
    assert question_behind_hardship(text, _hardship(text, "失业"), unsure) is None
    text = "疫情期间店关了"  # leaves 期间: too little to read a question from
    assert question_behind_hardship(text, _hardship(text, "疫情") + _hardship(text, "店关了"), sure) is None
    assert question_behind_hardship("还款日是哪天", [], sure) is None  # no hardship: the model's question stands
    not_a_question = lambda rest: {"request_fee_waiver": 0.99, "ask_penalty": 0.01}  # noqa: E731
    text = "没工作了 利息能不能少点"
    assert question_behind_hardship(text, _hardship(text, "没工作"), not_a_question) is None


# "request_human > inform_paid > … > the rest"

@pytest.mark.parametrize("text, intent", [
    ("我已经还过了 给我转人工", "inform_paid"),
    ("你是不是机器人啊 我要找真人", "bot_challenge"),
    ("说了你也不懂 换个人来", "out_of_scope"),
    ("罚息到底咋算的 转人工客服", "ask_penalty"),
    ("我下周还 你帮我接一下人工", "promise_to_pay"),
    ("麻烦真人回复一下", "nlu_fallback"),
    ("Can I talk to a real person", "request_installment"),
])
def test_a_person_asked_for_in_so_many_words_is_request_human(text, intent):
    assert outranking_human_request(intent, text)


@pytest.mark.parametrize("text, intent", [
    ("不用转人工 你告诉我就行", "ask_balance"),  # declined
    ("别给我转客服 我就问个事", "how_to_pay"),
    ("你们是真人还是机器", "bot_challenge"),  # asks, asks for no one
    ("客服电话永远打不通", "complain"),  # the intents above it keep theirs
    ("找人工也没用 你们天天骚扰我家人", "complain"),
    ("这钱不是我借的 转人工", "dispute_debt"),
    ("不想活了 转人工也没用", "express_distress"),
    ("打错了 找客服去吧", "not_borrower"),
    ("人工客服态度太差", "insult"),  # no one asked for
])
def test_otherwise_the_model_s_intent_stands_for_a_person_too(text, intent):
    assert not outranking_human_request(intent, text)


def test_the_human_request_component_overrules_and_marks_it():
    message = Message(data={"text": "我已经还了 转人工", "intent": {"name": "inform_paid", "confidence": 0.97},
                            "intent_ranking": [{"name": "inform_paid", "confidence": 0.97},
                                               {"name": "request_human", "confidence": 0.02}], "entities": []})
    HumanRequestPrecedence({}).process([message])
    assert message.get("intent") == {"name": "request_human", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["request_human", "inform_paid"]
    assert message.get(HumanRequestPrecedence.RULE_KEY) is True
    complaint = Message(data={"text": "你们催收太过分了 我要找客服投诉", "intent": {"name": "complain", "confidence": 0.9},
                              "entities": []})
    HumanRequestPrecedence({}).process([complaint])
    assert complaint.get("intent")["name"] == "complain" and complaint.get(HumanRequestPrecedence.RULE_KEY) is None


# "not_borrower > …" (compliance rule 2)

@pytest.mark.parametrize("text, intent", [
    ("你好 我是周杰的媳妇", "greet"),  # found live (B006's wife, as a greeting): then told his debt
    ("我是孙悦她妈", "inform_identity"),
    ("我就是他妈 你跟我说", "inform_identity"),
    ("她欠你们多少钱啊", "ask_balance"),
    ("他的身份证后四位是3306", "inform_identity"),
    ("我是借款人的哥哥 能帮他分期吗", "request_installment"),
    # the person named, disowned (「我不是孙悦」 was deny at 0.43)
    ("我不是孙悦", "deny"),
    ("我不是王强本人 你们找错了", "deny"),
    ("我不是他", "deny"),
    # asking on someone's behalf (found live: both were then verified with the borrower's factors and told the debt)
    ("我老婆让我问下还多少", "ask_balance"),
    ("我帮我妈查一下欠款", "ask_balance"),
    ("替我老公问问还差多少", "ask_balance"),
    ("他让我问问能不能分期", "request_installment"),
    # found live in a second round: each then verified with the borrower's factors and told the debt
    ("帮俺娘看看还差多少钱", "ask_balance"),
    ("老公的微粒贷还欠多少", "ask_balance"),
    ("我闺女在外地 让我帮她还 还多少", "ask_balance"),
])
def test_someone_speaking_for_another_is_not_borrower(text, intent):
    assert outranking_third_party(intent, entities_of(text), text)


@pytest.mark.parametrize("text, intent", [
    ("用我老婆的卡还行吗", "how_to_pay"),  # paying with a relative's card
    ("用他的卡还可以吗", "how_to_pay"),
    ("他们天天给我打电话", "complain"),
    ("催收的说我欠五千", "ask_balance"),
    ("我老公帮我还了", "inform_paid"),
    ("我是本人 身份证3512", "inform_identity"),
    ("她借的钱凭什么让我还", "dispute_debt"),  # above not_borrower: unchanged
    ("我是他妈 他说不想活了", "express_distress"),
    ("我是单亲妈妈 这个月实在还不上", "inform_hardship"),  # who she is, not whose
    ("我是两个孩子的妈妈 压力太大了", "inform_hardship"),
    ("我还有其他贷款 能分期吗", "request_installment"),  # 其他, not 他
    ("我不是不想还", "inform_hardship"),  # not a person disowned
    ("我不是故意的", "deny"),
    ("我不是本人 身份证3512", "inform_identity"),  # the model's not_borrower is for 本人 alone; no name here
    ("我帮我妈交住院费 没钱还了", "inform_hardship"),  # an errand for a relative, not an enquiry
    ("我和老婆商量一下再还", "promise_to_pay"),
    ("我老婆让我还钱 我没钱", "inform_hardship"),
    ("我老婆让我问下我自己还欠多少", "ask_balance"),  # found live: their own loan, and they were shut out
    ("我老公的卡能还吗", "how_to_pay"),
    ("我老公帮我还了一部分", "inform_paid"),
])
def test_otherwise_the_model_s_intent_stands_for_someone_else_too(text, intent):
    assert not outranking_third_party(intent, entities_of(text), text)


def test_the_third_party_component_overrules_and_marks_it():
    text = "你好 我是赵磊的老婆"
    message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.76}, "entities": entities_of(text)})
    ThirdPartyPrecedence({}).process([message])
    assert message.get("intent") == {"name": "not_borrower", "confidence": 1.0}
    assert message.get(ThirdPartyPrecedence.RULE_KEY) is True
