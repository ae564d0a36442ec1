"""A borrower asked to pay a person is warned, whatever they asked it as."""
import pytest

from bot.compliance.content_filter import check
from bot.compliance.scam_warning import SCAM_WARNING, SCAM_WARNING_PAID, asks_to_pay_a_person, scam_warning_for


@pytest.mark.parametrize("text", [
    "有人加我微信说是你们催收 让我转到他个人账户 可以吗",  # found live: asked 「您是要投诉吗」, never answered
    "催收员让我把钱打到他私人银行卡上",
    "对方发了个收款码让我扫他的码还款",
    "可以转给你们工作人员的支付宝吗",
    "加我微信的人让我先还一部分给他",
    # found live in a second round: a complaint prompt, the credit-report text, the ways to pay
    "有个自称法院的打电话说我要被起诉了 让我先转3000到指定账户就撤诉",
    "有人说交2000手续费能帮我洗白征信 是你们的人吗",
    "对方让我转到安全账户",
    # found by a probe (B006): a payment claimed as made to a 客服 by WeChat transfer got a handoff to check it
    "我是用微信转账转给你们客服的",
    "钱打到你们经理的支付宝了",
])
def test_paying_a_person_is_recognised(text):
    assert asks_to_pay_a_person(text)


@pytest.mark.parametrize("text", [
    "能用我老公的卡还吗",  # paying with someone's card: a question of how to pay
    "用他的卡还可以吗",
    "怎么还款",
    "我个人情况比较困难",
    "支付宝能还不",
    "我打给他问问再说",  # a phone call
    "逾期记录多久能消除",  # a question about the record, no fee
    "法院会不会起诉我",
    "我想打给客服问问",  # a call, not a payment
    "",
])
def test_other_payments_are_not(text):
    assert not asks_to_pay_a_person(text)


def test_the_warning_itself_passes_the_content_filter():
    assert check(SCAM_WARNING).allowed


def test_money_already_sent_to_a_person_is_told_what_to_do_now():
    # found by a probe (B006): 「我是用微信转账转给你们客服的」 was told 「请不要转这笔钱」, too late
    for text in ("我是用微信转账转给你们客服的", "已经打到他私人银行卡上了", "钱转给催收员了"):
        assert scam_warning_for(text) == SCAM_WARNING_PAID, text
    for text in ("催收员让我把钱打到他私人银行卡上", "可以转给你们工作人员的支付宝吗"):
        assert scam_warning_for(text) == SCAM_WARNING, text
    assert check(SCAM_WARNING_PAID).allowed
