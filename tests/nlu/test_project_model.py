"""The project's trained model (config.yml, data/nlu) on messages that once misled it.

Written here, not taken from ../shared/eval. Which digits a number has must not decide the
intent: an amount of 9999 or 1999 is not a birth year or an ID tail (the n-gram classifier's
``mask_digits``, bot/nlu/intent_ensemble.py)."""
import asyncio

import pytest


@pytest.fixture
def agent(project_agent):
    return project_agent


@pytest.mark.parametrize("text, intent", [
    ("我明天还9999元", "promise_to_pay"),
    ("我明天还99999999元", "promise_to_pay"),
    ("我月底还1999", "promise_to_pay"),
    ("我已经还了9999元", "inform_paid"),
    ("手机尾号9999", "inform_identity"),
    ("身份证后四位1999", "inform_identity"),
    ("1999年9月9日", "inform_identity"),
])
def test_numbers_do_not_decide_the_intent(agent, text, intent):
    assert asyncio.run(agent.parse_message(text))["intent"]["name"] == intent


@pytest.mark.parametrize("text", ["我不还了", "不想还了 你们告吧", "这笔钱我不打算还"])
def test_a_refusal_to_pay_is_not_a_payment_claim(agent, text):
    """「还了」 is how payment claims end; 「我不还了」 was inform_paid at 0.86, and the bot answered
    a refusal with 'no payment found in the last 7 days'. A refusal is deny (the contract: "no,
    refuses"); the dialogue answers it as such."""
    assert asyncio.run(agent.parse_message(text))["intent"]["name"] not in ("inform_paid", "promise_to_pay")


@pytest.mark.parametrize("text", ["我是孙悦", "我是王强", "我是本人 孙悦", "我是刘芳芳"])
def test_a_borrower_giving_their_name_is_not_turned_away(agent, text):
    """「我是孙悦」 was not_borrower at 0.62 (「我是」 opens 「我是他老婆」 and the other third parties), and
    the bot told the borrower it could not discuss the account with anyone but the borrower."""
    assert asyncio.run(agent.parse_message(text))["intent"]["name"] == "inform_identity"


@pytest.mark.parametrize("text", ["我是他老婆", "我是孙悦的妈妈", "我不是孙悦"])
def test_third_parties_still_are(agent, text):
    assert asyncio.run(agent.parse_message(text))["intent"]["name"] == "not_borrower"
