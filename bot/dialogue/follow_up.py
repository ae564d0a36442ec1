"""A short "how long?" right after an answer that named something to wait for (「要几天」).

Found live (B008): 「那我之前的结清证明在哪里下载」 was answered, then 「要几天」 was read as
request_extension and got the next due date and a plan offer, for a settled loan. Such a message
says nothing of what it asks about; the bot's own last reply does. The waits are the bot's own
figures: the certificate's, the review of a dispute and the answer to a complaint (compliance
policy), each said in that reply.
"""
from __future__ import annotations

import re

from bot.dialogue.explain import CERTIFICATE_HOW, DUE_DAY_WHY, POSTING
from bot.nlu.normalise import normalise

#: 要几天 / 多久 / 多长时间 / 什么时候能好 / 啥时候有结果; short, and asking nothing else
HOW_LONG = re.compile(r"几天|多久|多长时间|多少天|什么时候|啥时候|几时|要等")
SHORT = 10
#: a message naming a subject of its own asks about that (found live, B008: 「征信上啥时候能更新」
#: after the certificate was answered with the certificate's wait again)
OWN_SUBJECT = re.compile(r"征信|信用|记录|罚息|利息|还款日|扣款|分期|额度|逾期|借款|贷款")


def asks_how_long(text: str | None) -> bool:
    plain = normalise(text or "").replace(" ", "")
    return (0 < len(plain) <= SHORT and HOW_LONG.search(plain) is not None
            and OWN_SUBJECT.search(plain) is None)


#: 「要几天能显示」, 「多久到账」: how long a payment takes to show, whatever came before
_POSTING = re.compile(r"显示|到账|入账")
#: a loan paid out, not a payment: 「借款多久到账」 is not this bot's to answer
_LENDING = re.compile(r"借款|放款|下款|贷款到")


def how_long(last_reply: str | None, *, dispute_days: int, complaint_days: int, complex_days: int,
             text: str = "") -> str | None:
    """The wait the bot's ``last_reply`` named, said again on its own (or, asked how long a payment
    takes to show, that); None when it named none."""
    plain = normalise(text or "")
    if _POSTING.search(plain) and not _LENDING.search(plain):
        return POSTING  # found live: 「要几天能显示」 after a promise was recorded got the extension reply
    if not last_reply:
        return None
    if "结清证明" in last_reply and "工作日" in last_reply:
        return CERTIFICATE_HOW
    if "登记异议" in last_reply:  # the pause only where the reply said it (an unverified dispute names no loan)
        paused = "；核实期间这笔借款的催收暂停。" if "催收会暂停" in last_reply else "。"
        return f"异议一般会在{dispute_days}个工作日内核实完，工作人员会联系您" + paused
    if "登记投诉" in last_reply:
        return f"投诉会在{complaint_days}日内答复您，情况复杂的不超过{complex_days}日。"
    return None


#: 「为什么不能改」, 「凭什么不行」: why not, right after the bot said something cannot be done
WHY_NOT = re.compile(r"(为什么|为啥|凭什么|咋就|怎么就|怎么)(不能|不可以|不行|改不了|不让)")


def why_not(last_reply: str | None, text: str | None) -> str | None:
    """Why the due day cannot move, asked right after the bot said so (found live, B004: 「为什么不能改」 was out
    of scope); None for anything else."""
    plain = normalise(text or "").replace(" ", "")
    if not last_reply or not (0 < len(plain) <= SHORT and WHY_NOT.search(plain)):
        return None
    if "还款日本身不能修改" in last_reply or "不能单独修改" in last_reply:
        return DUE_DAY_WHY
    return None
