"""The service desk: its hours, a changed phone number, and the settlement certificate (结清证明)."""
from __future__ import annotations

import re

from bot.ledger.money import yuan
from bot.services.account import LoanView


def asks_for_certificate(text: str) -> bool:
    """结清证明 / 结清凭证: the settlement certificate, which the contract files under ask_credit_impact."""
    return "证明" in text or "结清凭证" in text


#: 「你们几点上班」, 「人工几点下班」: the hours people answer here
_HOURS = re.compile(r"几点(上班|下班|开门|关门)|(上班|工作|营业|服务|人工)时间|人工.{0,4}几点|几点.{0,4}人工")


def asks_about_hours(text: str) -> bool:
    return bool(text) and _HOURS.search(text) is not None


#: 「我换了手机号」, 「手机号换了要跟你们说吗」, 「预留手机号改一下」: the phone number on record
_PHONE_CHANGED = re.compile(r"(换|改|变更|修改|更换)(了)?(个)?(新)?(的)?(预留)?(手机号|手机号码|电话号码|号码)"
                            r"|(手机号|手机号码|电话号码|预留手机)\S{0,3}(换|改|变|停用|不用)")

#: found live: 「对了 我换了手机号 要跟你们说吗」 (then read as distress); the change itself is not the bot's
PHONE_CHANGE = ("换了手机号不影响还款，借款和还款卡都不变。修改预留手机号不在我这里办理，可以转人工客服帮您更新，"
                "以免错过还款提醒；在我这里验证身份时，也可以用出生日期代替手机尾号。")


def says_phone_changed(text: str) -> bool:
    return bool(text) and _PHONE_CHANGED.search(text) is not None


def service_hours_answer(start: int, end: int) -> str:
    return (f"人工客服的服务时间是每天{start}:00-{end}:00。我是自动还款助手，全天都可以回复您：查询应还金额和还款日、"
            "解释逾期和罚息、办理分期或约定还款时间。")


#: how a settlement certificate is had, and how long it takes (said wherever it comes up)
CERTIFICATE_HOW = "结清证明在App“借款记录”里申请开具，一般1-3个工作日可以下载，不收费用。"


def settlement_certificate(view: LoanView | None) -> str:
    how = CERTIFICATE_HOW
    if view is None:
        return "借款全部还清后可以开具结清证明：" + how + "验证身份后，我可以告诉您自己的借款是否已经结清。"
    if view.statement.settled:
        return f"您的{view.loan.product}借款已经结清，可以申请结清证明：" + how
    return (f"结清证明要在借款全部还清后才能开具。您今天一次性结清需要{yuan(view.statement.payoff)}元"
            "（不收提前还款手续费），还清后" + how)


#: 「我去网贷借点钱还你们行不」, 「找别的平台借钱来还可以吗」: borrowing elsewhere to repay (found live: out of scope,
#: 「这个问题我暂时帮不上忙」, to a borrower 169 days overdue who could have had a plan)
_BORROWS_TO_REPAY = re.compile(r"以贷养贷|借新还旧|以卡养卡"
                               r"|(网贷|借呗|花呗|别的平台|其他平台|别的贷款|小额贷|高利贷|口子).{0,4}(借|贷|套|刷|拆).{0,6}还"
                               r"|(借|贷|套|刷).{0,4}(网贷|借呗|花呗|信用卡|别的平台|其他平台|小额贷|高利贷|口子).{0,8}还"
                               r"|(信用卡|花呗|借呗).{0,2}套现.{0,8}还")


def borrows_to_repay(text: str) -> bool:
    return bool(text) and _BORROWS_TO_REPAY.search(text) is not None


#: never urging it (compliance rule 5 forbids 以贷养贷), and the ways that do not need it
BORROWING_TO_REPAY = ("不建议为了还这笔钱再去借网贷或别的贷款，那样利息更高，负担只会更重。如果一次还不上，可以办理个性化分期，"
                      "或者约定一个您能还上的日期；也可以转人工和工作人员商量。")


#: 「12378是啥」, 「我已经打了12378了」 (found by a probe, after a complaint: 「您已经验证过身份了」, and a payment check
#: quoting the amount due): the regulator's line asked about or said to be called
_REGULATOR = re.compile(r"12378|一二三七八|消费者投诉热线|银保监|金融监管总局|金融监督管理总局")


def about_the_regulator(text: str) -> bool:
    return bool(text) and _REGULATOR.search(text) is not None


def regulator_answer(hotline: str, answer_days: int, reference: str | None) -> str:
    """What the regulator's line is, and where the borrower's own complaint stands (rule 11): no money talk."""
    mine = (f"您在我们这里的投诉（编号{reference}）也在处理中，我们会在{answer_days}日内答复您。" if reference else
            f"您也可以在我这里直接投诉，我们会在{answer_days}日内答复。")
    return (f"{hotline}是国家金融监督管理总局的银行业保险业消费者投诉热线，对银行的服务不满意可以拨打它反映，"
            f"这是您的权利，不会影响您的借款处理。{mine}")


#: 「别再给我爸妈打电话了」, 「又打到我单位」: contact with family or work that the borrower says has happened
_REPORTED_CONTACT = re.compile(r"别再|不要再|不准再|又(打|找|联系|发)|还(打|找)|已经(打|找|联系)|打过|找过|联系过")
CONTACT_REPORTED = ("已记录：以后不会联系您的家人、同事或单位，也不会向他们透露您的借款信息。您说已经有人联系过他们，这不符合我们的"
                    "规定；需要的话，我可以为您登记投诉，由专人核实处理并答复您。")
#: what someone who is not the borrower hears when they ask for the messages to stop
WRONG_NUMBER_STOP = "好的，给您添麻烦了。我已经请工作人员核实这个号码，停止向它发送消息；您不需要提供任何个人信息。"


def reports_contact(text: str) -> bool:
    return bool(text) and _REPORTED_CONTACT.search(text) is not None
