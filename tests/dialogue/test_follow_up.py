"""A short "how long?" after a reply that named something to wait for (bot/dialogue/follow_up.py)."""
import pytest

from bot.dialogue.explain import CERTIFICATE_HOW, POSTING
from bot.dialogue.follow_up import asks_how_long, how_long

WAITS = {"dispute_days": 5, "complaint_days": 15, "complex_days": 30}


@pytest.mark.parametrize("text", ["要几天", "多久啊", "要多长时间", "什么时候能好", "要等多少天"])
def test_short_how_long_questions(text):
    assert asks_how_long(text)


@pytest.mark.parametrize("text", ["", "好的", "还款日是什么时候 我想先还一部分可以吗", "3512",
                                  # a subject of its own (found live, B008, after the certificate's wait)
                                  "征信上啥时候能更新", "罚息什么时候停", "分期要等几天"])
def test_anything_else_is_not_one(text):
    assert not asks_how_long(text)


def test_the_wait_comes_from_the_reply_before():
    assert how_long("您的微粒贷借款已经结清，可以申请结清证明：" + CERTIFICATE_HOW, **WAITS) == CERTIFICATE_HOW
    verified = how_long("已为您登记异议，编号YY1。核实期间这笔借款的催收会暂停。", **WAITS)
    assert verified == "异议一般会在5个工作日内核实完，工作人员会联系您；核实期间这笔借款的催收暂停。"
    # unverified, the reply named no loan and promised no pause (rule 1): nor does the wait
    assert how_long("已为您登记异议，编号YY1。工作人员会在5个工作日内联系您", **WAITS).endswith("工作人员会联系您。")
    assert how_long("已为您登记投诉，编号TS1。", **WAITS) == "投诉会在15日内答复您，情况复杂的不超过30日。"
    assert how_long("您目前应还2794.19元。", **WAITS) is None
    assert how_long(None, **WAITS) is None


def test_how_long_a_payment_takes_to_show_whatever_came_before():
    """Found live (B006): 「要几天能显示」 after a promise was recorded got the reply to paying later."""
    assert how_long("好的，已记录：2026年12月15日当天或之前还2163.55元。", **WAITS, text="要几天能显示") == POSTING
    assert how_long(None, **WAITS, text="多久到账") == POSTING
    assert how_long(None, **WAITS, text="借款多久到账") is None
    assert how_long(None, **WAITS, text="征信多久更新") is None
