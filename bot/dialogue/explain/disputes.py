"""An open dispute (compliance rule 10): where it stands, and proof offered."""
from __future__ import annotations

import re


#: 「那核实要多久」, 「核实期间还会催我吗」: the check of an open dispute, or collection meanwhile
_ABOUT_DISPUTE = re.compile(r"核实|异议|审核|进度|调查|查清|催")
#: 「我有转账记录」 after a dispute (found live: read as a payment claim, told 「账户状态正常」): proof offered
_DISPUTE_PROOF = re.compile(r"转账记录|还款记录|凭证|截图|证据|回单|流水|收据|材料")


def asks_about_dispute(text: str) -> bool:
    return bool(text) and (_ABOUT_DISPUTE.search(text) is not None or _DISPUTE_PROOF.search(text) is not None)


def dispute_status(days: int, text: str = "") -> str:
    """Where an open dispute stands (compliance rule 10): paused, checked by a person, and when; with proof
    offered, how to give it."""
    if text and _DISPUTE_PROOF.search(text):
        return ("好的，请保留好这些材料（转账记录截图、银行回单等）。工作人员核实时会联系您，您可以交给他们；也可以转人工，"
                f"现在就把材料交给工作人员。核实期间这笔借款的催收暂停，工作人员会在{days}个工作日内联系您。")
    return (f"您对这笔借款的异议正在核实中。核实期间这笔借款的催收暂停，不会给您发催收提醒。工作人员会在{days}个工作日内"
            "核实并联系您；您也可以补充能说明情况的材料，或转人工询问进度。")
