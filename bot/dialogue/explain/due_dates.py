"""When to pay: the due date, the cutoff on the due day, the grace period, whether paying now is in
time, and the due day that stays fixed (wages after it, asked to move it)."""
from __future__ import annotations

import re
from decimal import Decimal

from bot.clock import cn_date
from bot.dialogue.explain.autodebit import WILL_IT
from bot.dialogue.explain.wording import installment_name
from bot.ledger.money import yuan
from bot.ledger.rules import GRACE_DAYS, last_grace_day
from bot.ledger.statement import Statement
from bot.promises.rules import MAX_PROMISE_DAYS
from bot.services.account import LoanView


def due_date(view: LoanView) -> str:
    st = view.statement
    if st.settled:
        return "您的借款已经结清，没有后续还款日。"
    text = []
    overdue = st.overdue_installments
    if overdue:
        first = overdue[0]
        text.append(f"{installment_name(view, first.number)}本应在{cn_date(first.due_date)}还款，已逾期{first.days_overdue(st.as_of)}天。")
        for inst in st.due_today_installments:  # L005 on 12-01: installment 7 falls due the day installment 6 is 30 days late
            text.append(f"{installment_name(view, inst.number)}今天（{cn_date(inst.due_date)}）到期，应还{yuan(inst.owed(st.as_of))}元。")
        # compliance rule 10: with a dispute open, collection pauses, and so does urging to pay
        if st.in_grace and not view.dispute_open:
            # found live (B002, the grace period's last day): 「現在還是今天扣嗎」 was told 「建议尽快还上」, not
            # that today was the last day without penalty
            last = last_grace_day(first.due_date)
            when = "今天" if last == st.as_of else f"{cn_date(last)}当天或之前"
            text.append(f"现在还在{GRACE_DAYS}天宽限期内，{when}还清{yuan(st.amount_due_now)}元不收罚息。")
        else:
            text.append(f"目前到期应还共{yuan(st.amount_due_now)}元" + ("。" if view.dispute_open else "，建议尽快还上。"))
    elif st.amount_due_now > 0:
        text.append(f"今天是还款日，应还{yuan(st.amount_due_now)}元，今天之内还上不算逾期。")
    nxt = st.next_installment
    if nxt is not None:
        text.append(f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(st.as_of))}元。")
    later = [i for i in st.installments if i.due_date > st.as_of]
    if len(later) > 1 and len({i.due_date.day for i in later}) == 1:
        # found live (B003, a 60-month plan just accepted): 「以后每个月几号还」 got only the next date
        text.append(f"以后每月{later[0].due_date.day}日还款，最后一期在{cn_date(later[-1].due_date)}。")
    text.append("自动扣款在还款日当天进行，请在当天扣款前把钱存进还款卡。" if view.loan.autodebit
                else "您还没有开通自动还款，需要在还款日前主动还款。")
    return "".join(text)


#: 「几点前还算按时」, 「晚上12点前还都可以吗」: what time of the due day still counts
_CUTOFF = re.compile(r"几点|截止|截至|[\d零一二两三四五六七八九十]+点(之?前|以前)|当天.{0,3}(算|可以|行)")
DUE_DAY_CUTOFF = f"还款日当天24点前还上都算按时还款；过了当天算逾期，{GRACE_DAYS}天宽限期内还清不收罚息。"


def asks_about_cutoff(text: str) -> bool:
    return bool(text) and _CUTOFF.search(text) is not None


#: 「国庆放假那几天会扣款吗」, 「20号是周日 会不会顺延」: the due day on a weekend or a holiday (found by a probe:
#: the due-date paragraph, no answer). ledger.md moves no due date: it is due that day, overdue the next
_HOLIDAY = re.compile(r"周末|周六|周日|星期六|星期天|星期日|礼拜六|礼拜天|礼拜日|节假日|假期|放假|过节|顺延|国庆|春节|元旦|五一|中秋|端午|清明")
HOLIDAY_RULE = (f"还款日遇到周末或节假日不顺延：开通了自动还款的当天照常扣款，App节假日也能随时主动还款；"
                f"万一当天没还上，{GRACE_DAYS}天宽限期内还清不收罚息。")
#: for a borrower with no autodebit (found by a probe: B005 was told 「当天照常自动扣款」)
HOLIDAY_RULE_NO_AUTODEBIT = (f"还款日遇到周末或节假日不顺延，您没有开通自动还款，请在还款日当天或之前在App主动还款，节假日也能操作；"
                             f"万一当天没还上，{GRACE_DAYS}天宽限期内还清不收罚息。")


def holiday_rule(view: LoanView | None) -> str:
    return HOLIDAY_RULE_NO_AUTODEBIT if view is not None and not view.loan.autodebit else HOLIDAY_RULE


#: the words that make a holiday question one about paying (「国庆放假你们上班吗」 is about the desk's hours)
PAYMENT_WORDS = re.compile(r"扣|还款|还钱|到期|顺延|那期|这期|账单")


def asks_about_holiday(text: str) -> bool:
    return bool(text) and _HOLIDAY.search(text) is not None


#: 「扣款失败了还会再扣吗」, 「11号那次为啥又扣一次」: whether, and why, a failed debit is tried again
#: (what the bank will do, autodebit.WILL_IT, or a second attempt already seen)
_DEBITED_AGAIN = re.compile(WILL_IT.pattern + r"|还(再|重新)(扣|划)|又扣|再扣一次|扣了两次|扣两次|第二次扣")


def asks_if_debited_again(text: str) -> bool:
    return bool(text) and _DEBITED_AGAIN.search(text) is not None


def debited_again(view: LoanView) -> str:
    """The failed attempts on record (a second one is a retry), and no promise of another: the ledger
    has no retry rule, so paying in the App is the way not to wait."""
    st = view.statement
    failed = view.failed_debits(st.overdue_installments[0].due_date) if st.overdue_installments else []
    text = ""
    if len(failed) > 1:
        days = "、".join(f"{a.attempted_on.month}月{a.attempted_on.day}日" for a in failed)
        text = f"您的记录里{days}各扣过一次：第一次没扣成功后，系统又尝试过，都没有成功。"
    if st.amount_due_now > 0 and view.dispute_open:  # collection paused (rule 10): no urging to pay
        return text + "之后是否、哪天再自动扣款没法保证。"
    if st.amount_due_now > 0:
        return text + (f"之后是否、哪天再自动扣款没法保证，请不要等自动扣款：在App“还款”页面主动还款"
                       f"{yuan(st.amount_due_now)}元，马上就能还上。")
    nxt = st.next_installment
    if nxt is None or not view.loan.autodebit:
        return text + "您目前没有到期未还的款项，按时还款即可。"
    # 「要是那天卡里钱不够 会再扣一次吗」 (found by a probe: read as ask_consequences, it got the lawful consequences)
    return text + (f"您目前没有到期未还的款项，下次在{cn_date(nxt.due_date)}还款日当天自动扣款。万一那天卡里钱不够没扣成功，"
                   f"之后是否再扣没法保证，请在{cn_date(last_grace_day(nxt.due_date))}当天或之前在App“还款”页面主动还清，"
                   f"{GRACE_DAYS}天宽限期内不收罚息。")


#: 「宽限期是什么意思」, 「宽限期有几天」, 「有没有宽限期」: the grace period asked about, not asked for
_ASKS_GRACE = re.compile(r"宽限期.{0,6}(什么|几天|多久|多长|意思|怎么算|算不算|还算|有吗|吗)|有没有宽限期|有宽限期吗")


def asks_about_grace(text: str) -> bool:
    return bool(text) and _ASKS_GRACE.search(text) is not None


def grace_period(view: LoanView | None) -> str:
    """What the grace period is (ledger.md), and where this borrower stands in it."""
    text = (f"宽限期是还款日之后的{GRACE_DAYS}天：这{GRACE_DAYS}天内把到期的一期还清，不收罚息；超过{GRACE_DAYS}天，"
            "罚息从还款日次日起算。宽限期不改变还款日。")
    st = view.statement if view is not None else None
    if st is not None and st.in_grace:
        text += grace_left(st)
    elif st is not None and st.overdue_installments:
        text += f"您已逾期{st.days_overdue}天，已经过了宽限期，罚息在按天计算。"
    return text


def grace_left(st: Statement) -> str:
    """Where a borrower in the grace days stands: the last day to pay without penalty, and the amount."""
    first = st.overdue_installments[0]
    last = last_grace_day(first.due_date)
    return f"您这一期{cn_date(first.due_date)}到期，现在还在宽限期内，{cn_date(last)}当天或之前还清{yuan(st.amount_due_now)}元就不收罚息。"


#: 「现在换卡来得及吗」, 「今天还赶得上吗」: whether paying now is still in time
_IN_TIME = re.compile(r"来得及|来不来得及|赶得上|赶不赶得上|还赶趟|晚不晚|晚了吗")


def asks_if_in_time(text: str) -> bool:
    return bool(text) and _IN_TIME.search(text) is not None


def in_time(view: LoanView) -> str | None:
    """Whether paying now is in time (found live, B002 on the grace's last day: 「那我现在换卡来得及吗」 got
    the list of ways to pay): in grace, the last day and the amount; due today, by midnight; later, that
    the penalty stops once the overdue principal is paid. None when nothing is due."""
    st = view.statement
    if st.settled or st.amount_due_now <= 0:
        return None
    act = "在App“还款”页面用本人的银行卡（包括新换绑的卡）主动还款，不用等自动扣款。"
    if st.in_grace:
        return "来得及。" + grace_left(st) + act
    if not st.overdue_installments:
        return f"来得及。今天24点前还上{yuan(st.amount_due_now)}元都算按时还款，" + act
    today = "".join(f"{installment_name(view, i.number)}今天到期，今天之内还上这一期不算逾期。" for i in st.due_today_installments)
    return (f"您已逾期{st.days_overdue}天，已经过了宽限期，罚息目前{yuan(st.penalty_due)}元。现在还上{yuan(st.amount_due_now)}元，"
            "罚息就不再增加，越早还越好；" + act + today)


#: 「以后能不能换成每月15号扣」, 「还款日改到每个月25号」: the day of every month, not one later day
_EVERY_MONTH_DAY = re.compile(r"(以后|每个?月|每次|每期|往后).{0,6}(号|日)|(还款日|扣款日).{0,4}(改|换|调)")


def asks_to_move_due_day(text: str) -> bool:
    return bool(text) and _EVERY_MONTH_DAY.search(text) is not None


#: 「我每月25号发工资 20号扣不到钱怎么办」: wages come after the due day
_PAYDAY_AFTER_DUE = re.compile(r"(发工资|工资|发薪)[^。！？?]{0,12}(扣不到|扣不了|扣不上|不够|没钱|来不及|赶不上)"
                               r"|(扣不到|扣不了|扣不上|不够|没钱|来不及|赶不上)[^。！？?]{0,12}(发工资|工资|发薪)")


def wages_after_due_day(text: str) -> bool:
    return bool(text) and _PAYDAY_AFTER_DUE.search(text) is not None


#: what the grace days leave a borrower whose wages come after the due day
GRACE_AFTER_DUE_DAY = f"还款日后{GRACE_DAYS}天宽限期内还清这一期不收罚息。"
#: why the day of the month stays (asked right after it was said, bot/dialogue/follow_up.py)
DUE_DAY_WHY = ("还款日是借款合同约定的，每一期的利息都按这个日期计算，系统里没有单独修改还款日的办法。"
               "如果工资在还款日之后才到账，可以提前把钱存进还款卡；万一扣款没成功，" + GRACE_AFTER_DUE_DAY
               + "如果每个月都周转困难，可以申请个性化分期，或者转人工和您商量。")


def due_day_fixed(view: LoanView) -> str:
    """Found live (B001, a promise for 12-05 just recorded): 「以后能不能换成每月15号扣 我15号发工资」 was made
    a second promise of the same 2794.19 for 12-15. The day of the month stays; what can be done instead."""
    st = view.statement
    nxt = st.next_installment
    text = "还款日本身不能修改" + (f"，每期都在每月{nxt.due_date.day}日。" if nxt is not None else "。")
    text += ("如果工资在还款日之后才到账，" + ("可以提前把钱存进还款卡；万一扣款没成功，" if view.loan.autodebit
                                          else "可以提前把钱准备好，还款日当天主动还款；") + GRACE_AFTER_DUE_DAY)
    promises = view.open_promises
    if promises:
        last = promises[-1]
        text += f"您已经约定在{cn_date(last.promised_date)}前还{yuan(Decimal(str(last.amount)))}元，按约定还上就好。"
    elif st.amount_due_now > 0:
        text += f"这个月如果需要晚几天，可以和我约定一个{MAX_PROMISE_DAYS}天内的还款日期。"
    return text + "如果每个月都周转困难，可以申请个性化分期，或者转人工和您商量。"


#: 「我欠多少 啥时候还 罚息咋算」: when to pay asked beside another question (found live: the next due date was
#: left out)
_DUE_DATE_TOO = re.compile(r"(啥|什么|哪)(时候|天)(还|扣)|几号(还|扣)|还款日")


def asks_due_date_too(text: str) -> bool:
    return bool(text) and _DUE_DATE_TOO.search(text) is not None


def next_due(view: LoanView, said: str = "") -> str:
    """The next due day and its amount, in a sentence, unless ``said`` already gives it."""
    nxt = view.statement.next_installment
    if view.statement.settled or nxt is None or cn_date(nxt.due_date) in said:
        return ""
    return f"下一期还款日是{cn_date(nxt.due_date)}，应还{yuan(nxt.owed(view.statement.as_of))}元。"


#: asking after the opt-out just made: 「刚才说的退订记上了吗」, 「那我还款日你们也不提醒了？」 (found by a probe:
#: both read as payment claims, answered 「没有查到…还款入账」 / 「账户状态正常」)
_ABOUT_REMINDERS = re.compile(r"退订|提醒|(短信|消息|通知).{0,4}(不发|不再|停)|记上了吗.{0,2}$|别再发")
#: a payment said to be made (「我还了 别再发提醒了」): a claim to check, not a question about reminders
_PAID_CLAIM = re.compile(r"还了|已还|转了|付了|扣了|还过|还上了|还清了|转过去")


def asks_about_reminders(text: str) -> bool:
    """A question about the reminders or the opt-out, not a payment claim."""
    return bool(text) and _ABOUT_REMINDERS.search(text) is not None and _PAID_CLAIM.search(text) is None


def reminders_stopped(view: LoanView | None, recorded_on) -> str:
    """The opt-out on record, what it stops and what it does not, and (reminders being off) the next day to
    pay, so the borrower keeps it in mind themselves."""
    text = (f"已经记上了：{cn_date(recorded_on)}起不再主动给您发送提醒消息，还款日前的提醒也一起停止。"
            "您主动联系我们时，我仍会正常回复。")
    if view is None:
        return text
    st = view.statement
    if st.amount_due_now > 0:
        return text + f"请您自己留意还款：目前到期应还{yuan(st.amount_due_now)}元。"
    return text + (f"请您自己留意还款日：{next_due(view)}" if next_due(view) else "")
