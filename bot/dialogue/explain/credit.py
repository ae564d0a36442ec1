"""The credit report (征信): what paying or not does to it, the loan's record so far, and how to check it."""
from __future__ import annotations

import re

from bot.services.account import LoanView


#: how long a credit report keeps a bad record after the debt is settled (征信业管理条例 Art. 16: 5 years)
CREDIT_RECORD_YEARS = 5


def _record_so_far(view: LoanView) -> str:
    """「我以前有没有逾期过」 (found live, B008): the loan's own record, from its payments."""
    if view.active_plan is not None:
        return ""
    late = view.statement.paid_late
    if not late:
        return "您这笔借款到目前为止每一期都按时还上（或在宽限期内还清），没有逾期记录。"
    return f"您这笔借款有{len(late)}期是过了宽限期才还清的（{'、'.join(f'第{n}期' for n in late[:6])}），可能已被报送为逾期。"


def credit_impact(view: LoanView | None) -> str:
    base = ("按规定，借款的还款情况会报送中国人民银行征信中心。按时还款会留下良好记录；逾期记录可能会被报送，"
            f"结清后不良记录会从结清之日起保留{CREDIT_RECORD_YEARS}年后删除。结清后可以在App里申请结清证明。")
    if view is None:
        return base + "验证身份后，我可以告诉您自己账户的具体情况。"
    st = view.statement
    if st.settled:
        return base + _record_so_far(view) + "您的借款已经结清，可以申请结清证明。"
    if st.days_overdue == 0:
        return base + _record_so_far(view) + "您目前没有逾期，按时还款即可保持良好记录。"
    if view.dispute_open:  # compliance rule 10: collection pauses while a dispute is checked
        return base + "您对这笔借款的异议正在核实中，核实结果出来后，工作人员会告诉您对征信记录的处理。"
    if st.in_grace:
        return base + f"您目前逾期{st.days_overdue}天，还在宽限期内，尽快还清可以避免影响。"
    return base + f"您目前已逾期{st.days_overdue}天，尽快还款或办理分期可以减少对征信的影响。"


#: 「怎么查我的征信报告」, 「去哪打印征信」: where a credit report is had
_CHECK_CREDIT = re.compile(r"(查|看|打|调|拉|下载).{0,4}征信|征信报告|征信(怎么|在哪|哪里|去哪)(查|看|打)")


def asks_how_to_check_credit(text: str) -> bool:
    return bool(text) and _CHECK_CREDIT.search(text) is not None


#: where a personal credit report is had (the PBOC credit reference centre serves it, online or at its branches)
CREDIT_REPORT_HOW = "个人征信报告可以在中国人民银行征信中心的官方网站，或带身份证到当地人民银行分支机构查询。"


#: the credit report's particular questions (found by a probe: each got the whole paragraph and no answer):
#: deleting a record, a "blacklist", when it will show as settled
_DELETE_RECORD = re.compile(r"(删|消|撤|洗白|修复|抹|去掉|清除)\S{0,4}(记录|征信|污点)|(记录|征信)\S{0,4}(删|消除|撤销|去掉|修复)")
_BLACKLIST = re.compile(r"黑名单|黑户|拉黑")
_SHOWS_SETTLED = re.compile(r"(多久|多长时间|什么时候|啥时候|几天)\S{0,8}(显示|更新|变成|改成?)\S{0,4}(结清|正常|还清)")
RECORD_NOT_DELETED = (f"逾期记录是如实报送的，不能花钱或申请提前删除；结清后按规定从结清之日起保留{CREDIT_RECORD_YEARS}年后删除。"
                      "如果您认为记录有误，可以提出异议，核实有误会更正。所谓“征信修复”“洗白征信”的收费服务都是骗局。")
NO_BLACKLIST = "没有所谓的“黑名单”：逾期记录会报送中国人民银行征信中心，体现在您的个人征信报告里。"
SHOWS_SETTLED = "征信一般按月报送，结清后会在之后的报送中更新为结清，具体以征信中心的更新为准。"


def credit_question_answered(text: str) -> str:
    """The particular question first, when the message asks one; else ""."""
    if not text:
        return ""
    return "".join(answer for pattern, answer in ((_DELETE_RECORD, RECORD_NOT_DELETED), (_BLACKLIST, NO_BLACKLIST),
                                                   (_SHOWS_SETTLED, SHOWS_SETTLED)) if pattern.search(text))


#: 「罚息怎么算 会不会上征信」, 「不还会怎样 影响征信吗」: the credit report asked beside another question
_CREDIT_TOO = re.compile(r"征信|信用记录|黑名单|影响.{0,4}(贷款|买房|房贷|车贷|信用)")


def asks_credit_too(text: str) -> bool:
    return bool(text) and _CREDIT_TOO.search(text) is not None
