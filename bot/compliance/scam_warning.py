"""Repayment fraud: someone asks the borrower to pay into a personal account. Not a numbered rule of
compliance.md, but what a bank owes its borrowers: a borrower asking whether to pay a person is told
plainly not to, and where the bank does take money (found live: 「有人加我微信说是你们催收 让我转到他个人
账户 可以吗」 was asked 「您是要投诉吗」, and on 「不要」 never got an answer)."""
from __future__ import annotations

import re

#: a person's account, wallet or payment code, or paying a person who got in touch
_PERSONAL = re.compile(
    r"(个人|私人|私下)(的)?(账户|帐户|账号|帐号|银行卡|卡号?|微信|支付宝|收款码|二维码)"
    r"|(转|汇|打钱|打款)(钱|款|账)?(给|到)(你们的?)?(他|她|对方|那个人|催收员?|业务员|工作人员|客服|专员|经理)"
    r"|打(给|到)(你们的?)?(他|她|对方|那个人|催收员?|业务员|工作人员|客服|专员|经理)的?(个人|私人|卡|银行卡|账户|微信|支付宝)"
    r"|(扫|加)(他|她|对方)的?(码|二维码|收款码|微信)"
    r"|加我微信.{0,12}(转|还|付|打)"
)
#: a transfer or a payment said around it (「他的卡」 alone is paying with someone's card: how to pay)
_PAYING = re.compile(r"转|汇|打钱|打款|打到|打给|还|付|交|扫")
#: the other shapes of the same fraud (found live in a second round): a "safe" or "designated" account, a
#: fake court or police asking for money, a fee to clean a credit record
_OTHER_FRAUD = re.compile(
    r"安全账户|指定账户|监管账户|核查账户|验资账户|冻结账户"
    r"|(洗白|修复|消除|删除|铲除|清除|撤销)(征信|逾期记录|不良记录|黑名单|逾期)"
    r"|(法院|公安|警察|检察院|律师).{0,12}(转|汇|打钱|交钱|付钱).{0,8}(账户|卡|撤诉|撤案|解冻)"
    r"|(交|付|缴|转)\d*(块|元)?(手续费|保证金|解冻费|服务费|工本费|认证费).{0,10}(征信|贷款|额度|撤诉|下款)")

SCAM_WARNING = ("请不要转这笔钱：不要转到任何个人账户、所谓的“安全账户”“指定账户”，也不要扫别人发来的收款码，"
                "更不要为“修复征信”“撤诉”付费。我们只通过App“还款”页面、绑定银行卡自动扣款等官方渠道收款，工作人员和法院"
                "都不会让您这样转账，征信记录也没有人能花钱删除。对方很可能是诈骗：请保留聊天记录和对方账号，"
                "可以拨打全国反诈专线96110或报警。需要的话我可以为您转人工核实。")

#: the money already gone (「我是用微信转账转给你们客服的」, 「已经打到他卡上了」): "don't pay" comes too late
_ALREADY_PAID = re.compile(r"(已经|已|刚刚|刚|早就)\S{0,8}(转|汇|打|付|还|扫)|(转|汇|打|付|还|扫)\S{0,6}(了|过)|的[。!！]?\s*$")
SCAM_WARNING_PAID = ("我们不会通过任何个人的微信、支付宝或银行卡收款，转给个人的钱不会进入您的借款账户，对方很可能是诈骗。"
                     "请马上保留聊天记录、转账凭证和对方账号，拨打全国反诈专线96110或报警。以后请只通过App“还款”页面或"
                     "绑定银行卡自动扣款还款。需要的话我可以为您转人工核实这笔钱。")


def scam_warning_for(text: str | None) -> str:
    """The warning for the message: don't pay, or, when the money is already gone, what to do now."""
    return SCAM_WARNING_PAID if text and _ALREADY_PAID.search(text) else SCAM_WARNING


def asks_to_pay_a_person(text: str | None) -> bool:
    """Whether the message is about paying into a person's own account (「让我转到他个人账户」)."""
    if not text:
        return False
    return _OTHER_FRAUD.search(text) is not None or (_PERSONAL.search(text) is not None
                                                      and _PAYING.search(text) is not None)
