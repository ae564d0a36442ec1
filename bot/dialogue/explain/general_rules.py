"""The rules anyone may be told before verification: they say nothing of any person's account
(compliance rule 1), so a borrower asking 「罚息怎么算」 or 「能晚几天还不」 is answered at once and then
asked to verify for their own figures (found by a probe: every such question got only 「查询借款信息前需要
先验证身份」, while the consequences or the credit report were answered)."""
from __future__ import annotations

from bot.dialogue.explain.autodebit import FAILURE_CODES
from bot.ledger.rules import GRACE_DAYS, PENALTY_MULTIPLIER
from bot.promises.rules import MAX_PROMISE_DAYS

_PENALTY = (f"罚息的规则：只按逾期未还的本金计算，不对利息和罚息再计息，按合同日利率的{PENALTY_MULTIPLIER}倍按天计；"
            f"还款日后{GRACE_DAYS}天以内（宽限期）还清这一期不收罚息，超过后从还款日次日起算。")
_EARLY = "可以提前还款，也可以一次性结清：还没到期的各期只还本金，不收这些期的利息，也不收违约金或手续费。"
_DUE = (f"开通了自动还款的，每期在合同约定的还款日从还款卡自动扣款，请在当天扣款前把钱存进还款卡（没开通的请在还款日"
        f"当天或之前在App主动还款）；还款日本身不能修改，"
        f"万一当天没扣成功，{GRACE_DAYS}天宽限期内还清这一期不收罚息。")
#: a rule, not a fact of anyone's account (found by a probe: 「自动扣款没有成功，常见的原因有」 to an unverified
#: 「我凭什么逾期」 read as a failed debit confirmed)
_WHY_FAILED = ("如果自动扣款不成功，常见的原因有："
               + "、".join(label for label, _ in FAILURE_CODES.values()) + "。")
_LATER = (f"还款日本身不能修改；还款日后{GRACE_DAYS}天以内（宽限期）还清不收罚息。如果暂时还不上，可以约定一个"
          f"{MAX_PROMISE_DAYS}天内的还款日期，或者申请个性化分期。")

#: by the question the action answers (an intent of the contract); what is not here needs the account
GENERAL_RULES: dict[str, str] = {
    "ask_penalty": _PENALTY,
    "ask_early_repayment": _EARLY,
    "ask_due_date": _DUE,
    "ask_overdue_reason": _WHY_FAILED,
    "request_extension": _LATER,
}
#: said after a rule, before the identity questions: why they are asked
#: (neutral: before verification not even that a loan exists is said, compliance rule 1; found by a probe:
#: 「您这笔借款的…」 presupposed one)
FOR_YOUR_FIGURES = "如需查询您自己的具体金额和日期，请先验证身份。"


def general_rule(question: str) -> str | None:
    """The rule for ``question`` that anyone may be told, or None if only the account answers it."""
    rule = GENERAL_RULES.get(question)
    return rule + FOR_YOUR_FIGURES if rule else None
