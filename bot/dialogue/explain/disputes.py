"""An open dispute (compliance rule 10): where it stands, and proof offered; an open case asked after."""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

from bot.clock import cn_date


#: 「那核实要多久」, 「核实期间还会催我吗」: the check of an open dispute, or collection meanwhile
#: 「那我还要还吗」 (found live: read as how_to_pay and told the ways to pay): whether to pay meanwhile
#: 「那我要咋证明 你们多久给我答复」, 「核实期间会不会上征信」 (found by a probe: the settlement certificate, and the
#: status without a word on the credit report)
_ABOUT_DISPUTE = re.compile(r"核实|异议|审核|进度|调查|查清|催|还要还|要不要还|需不需要还|用不用还|还用还|不用还了?吗|还得还"
                            r"|证明|答复|回复|结果|多久|多长时间|几天")
_ABOUT_CREDIT = re.compile(r"征信|上报|报送|黑名单|信用记录")
#: how a dispute is checked (rule 10: the borrower is told how and when)
HOW_DISPUTE_CHECKED = ("工作人员会核对借款合同、放款和还款记录，必要时联系您核实身份；您可以把能说明情况的材料（转账记录、报案回执、"
                "身份证明等）交给工作人员。")
_CREDIT_MEANWHILE = "核实期间这笔记录在征信上如何处理，工作人员核实后会告诉您；如果核实确认有误，会按规定更正。"
#: 「我有转账记录」 after a dispute (found live: read as a payment claim, told 「账户状态正常」): proof offered
_DISPUTE_PROOF = re.compile(r"转账记录|还款记录|凭证|截图|证据|回单|流水|收据|材料")


def asks_about_dispute(text: str) -> bool:
    return bool(text) and (_ABOUT_DISPUTE.search(text) is not None or _DISPUTE_PROOF.search(text) is not None)


def dispute_status(days: int, text: str = "", verified: bool = True) -> str:
    """Where an open dispute stands (compliance rule 10): paused, checked by a person, how and when; with
    proof offered, how to give it; the credit report, when asked. ``verified`` False: no loan is named
    (rule 1: a dispute by someone not verified, 「有人冒用我身份证」)."""
    credit = _CREDIT_MEANWHILE if text and _ABOUT_CREDIT.search(text) else ""
    if not verified:
        return (f"您提出的异议已经登记，正在核实中。{HOW_DISPUTE_CHECKED}工作人员会在{days}个工作日内联系您；如果确实不是您本人"
                "办理的，会按规定停止向您催收。" + credit)
    if text and _DISPUTE_PROOF.search(text):
        return ("好的，请保留好这些材料（转账记录截图、银行回单等）。工作人员核实时会联系您，您可以交给他们；也可以转人工，"
                f"现在就把材料交给工作人员。核实期间这笔借款的催收暂停，工作人员会在{days}个工作日内联系您。" + credit)
    how = HOW_DISPUTE_CHECKED if text and re.search(r"证明|怎么核实|如何核实|咋核实", text) else ""
    return (f"您对这笔借款的异议正在核实中。核实期间这笔借款的催收暂停，不会给您发催收提醒。{how}工作人员会在{days}个工作日内"
            "核实并联系您；您也可以补充能说明情况的材料，或转人工询问进度。" + credit)


#: 「工单号多少」, 「我的投诉编号是多少来着」 (found live, right after a complaint: read as ask_balance, told the debt)
_CASE_NUMBER = re.compile(r"工单|编号|单号|投诉号|受理号|案件号|流水号")
_KIND_NAMES = {"dispute": "异议", "complaint": "投诉"}


def asks_case_number(text: str) -> bool:
    return bool(text) and _CASE_NUMBER.search(text) is not None


def case_numbers(cases: Iterable[tuple[str, str, dt.date]]) -> str:
    """The open cases' references: (kind, reference, day opened) each."""
    parts = [f"{_KIND_NAMES.get(kind, kind)}编号{reference}（{cn_date(opened)}登记）" for kind, reference, opened in cases]
    return "您目前在处理中的" + "，".join(parts) + "。需要询问进度或补充情况，可以转人工。"


def case_already_open(kind: str, reference: str, opened: dt.date, days: int) -> str:
    """Asked again in a later conversation (found live: 「我的异议处理得咋样了」 opened a second dispute, 「我上午
    投诉的处理到哪了」 a second complaint): where the open one stands, and no second case."""
    if kind == "dispute":
        return (f"您的异议已经登记过了，编号{reference}（{cn_date(opened)}登记），正在核实中。核实期间这笔借款的催收暂停，"
                f"工作人员会在{days}个工作日内核实并联系您；您也可以补充材料，或转人工询问进度。")
    return (f"您的投诉已经登记过了，编号{reference}（{cn_date(opened)}登记），正在处理中，我们会在{days}日内答复您。"
            "需要询问进度、补充情况，或者是另一件事要投诉，可以转人工，工作人员会为您处理。")


#: 「我在你们这借过钱吗」, 「我怎么不记得借过钱」, 「我有没有欠你们钱」: asking whether there is a debt, not
#: contesting one (found live: each opened a dispute at once, unverified too, and it blocked plans)
_ASKS_IF_BORROWED = re.compile(r"(借过|借了|欠过|欠了|欠)(你们)?(钱|款)?(吗|没有|没|么)|有没有(在你们这)?(借|欠)|是不是(借|欠)"
                               r"|不记得(借|欠)|记不得(借|欠)|想不起来(借|欠)")


def asks_if_borrowed(text: str) -> bool:
    return bool(text) and _ASKS_IF_BORROWED.search(text) is not None


#: said beside any figure of a loan under dispute (compliance rule 10; found live: 「我欠多少」, 「啥时候扣款」 with a
#: dispute open answered as if nothing were contested)
UNDER_DISPUTE = "这笔借款的异议正在核实中，核实期间催收暂停，以上金额和日期仅供参考。"
