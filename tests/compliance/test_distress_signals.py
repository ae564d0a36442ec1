"""Compliance rule 9's safety net (bot/compliance/distress_signals.py): it catches what borrowers
in distress say, and nothing a borrower says about anything else in the training data."""
import pytest

from bot.compliance.distress_signals import distress_phrase
from bot.nlu.normalise import normalise
from bot.nlu.trainer import load_nlu

#: written for this test, not in data/nlu
SAID_IN_DISTRESS = [
    "欠的钱太多了 我今晚就去跳楼", "还款压力太大 我已经写好遗书了", "真的活不下去了 别再打了",
    "我现在站在桥上", "老婆跟我离婚了 活着没意思", "網貸逼得我想自殺", "要不我死了算了", "我买了一瓶安眠药",
    "我已经彻底绝望了", "求你们了 救救我", "感觉自己走投无路了", "每天晚上都想死",
]
ORDINARY = [
    "app崩溃了 还不了款", "我走了 拜拜", "公司资金链撑不住了 这个月晚点还", "你去死吧", "笑死我了 罚息这么多",
    "加班累死了 明天再还", "手机死机了 刚才没付成功", "我在河北 能线下还款吗", "我家住顶楼 网不好", "天天催 烦死了",
    "我失业了 能分期吗", "希望能减免点罚息", "活期账户里的钱能直接扣吗", "等我发了工资就还", "",
    "我最后一次还款是三月份", "以后事情多了再说", "公司资金真的撑不住了 晚点还", "我爸去世了 人死债消吗",
]


@pytest.mark.parametrize("text", SAID_IN_DISTRESS)
def test_distress_is_caught(text):
    assert distress_phrase(normalise(text)) is not None


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_repayment_talk_is_not(text):
    assert distress_phrase(normalise(text)) is None


def test_no_training_example_of_another_intent_matches_and_nearly_every_distress_one_does():
    examples = load_nlu().examples
    false_hits = [(e.intent, e.plain) for e in examples
                  if e.intent != "express_distress" and distress_phrase(normalise(e.plain))]
    distress = [e.plain for e in examples if e.intent == "express_distress"]
    caught = [t for t in distress if distress_phrase(normalise(t))]
    assert false_hits == []
    assert len(distress) >= 100 and len(caught) / len(distress) >= 0.95, (len(caught), len(distress))


def test_death_words_as_everyday_intensifiers():
    from bot.compliance.distress_signals import only_everyday_death_words

    for text in ("烦死了", "气死我了", "笑死", "急死人了", "困死了 先睡了", "疼死我了"):
        assert only_everyday_death_words(text), text
    for text in ("", "好的", "我不想活了", "累死了 不想活了", "气死我了 死了算了", "我死了算了", "死给你们看", "去死"):
        assert not only_everyday_death_words(text), text
