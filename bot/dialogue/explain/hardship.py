"""A borrower who cannot pay now: hard times, short of money, a wait too long, paying later in the grace
days or with nothing due, what to do now, and the hardship categories' names."""
from __future__ import annotations

import datetime as dt
import re

from bot.clock import cn_date
from bot.dialogue.explain.due_dates import due_date, grace_left
from bot.ledger.money import yuan
from bot.ledger.rules import GRACE_DAYS, last_grace_day
from bot.ledger.statement import Statement
from bot.promises.rules import MAX_PROMISE_DAYS
from bot.services.account import LoanView


#: 「大概两个月吧」, 「要三个月以后」: how long the borrower needs, said in months, not a plan's term (no 分 / 期)
_A_WAIT_IN_MONTHS = re.compile(r"(\d{1,2}|[两二三四五六七八九十]{1,3})\s?个\s?月")


def says_a_wait_in_months(text: str) -> bool:
    return bool(text) and _A_WAIT_IN_MONTHS.search(text) is not None and "期" not in text and "分" not in text


def wait_too_long(months: int, today: dt.date, terms) -> str:
    """Found live (B003, out of work): after the ways to pay later, 「大概两个月吧」 was read as a 2-month plan
    and told which terms there are. A wait of months is past what can be promised; what can be done."""
    latest = today + dt.timedelta(days=MAX_PROMISE_DAYS)
    return (f"{months}个月后再还超过了能约定的时间：还款日期最晚可以约定到{cn_date(latest)}。这段时间如果确实还不上，"
            f"可以申请个性化分期，把欠款分成每月较少的金额（可选{'、'.join(str(t) for t in terms)}期），"
            "或者转人工，由工作人员和您商量。")


def later_in_grace(st: Statement) -> str:
    """Asked to pay later while in the grace days (found live, B002 on the last one: 「晚几天还行吗」 got
    only the ways to pay later): what waiting past the last grace day costs."""
    return grace_left(st) + "晚于这一天，罚息会从还款日次日起算。"


#: a plain no that tells of hard times: 「我没说不还 就是最近困难」, 「手头紧」
_HARD_TIMES = re.compile(r"困难|难处|手头紧|周转不开|周转不过来")


def tells_of_hard_times(text: str) -> bool:
    return bool(text) and _HARD_TIMES.search(text) is not None


#: 「那我20号卡里没钱怎么办」: short of money when a payment falls due
_SHORT_OF_MONEY = re.compile(r"没钱|钱不够|余额不足|还不上|还不起|凑不齐|凑不够|不够扣")


def says_short_of_money(text: str) -> bool:
    return bool(text) and _SHORT_OF_MONEY.search(text) is not None


def short_on_the_due_day(view: LoanView) -> str | None:
    """Nothing due now, and the borrower fears being short on the next due day (found live, B004:
    「那我20号卡里没钱怎么办」 got the list of ways to pay): what happens then, and what can be done.
    None without a next installment."""
    nxt = view.statement.next_installment
    if nxt is None:
        return None
    last = last_grace_day(nxt.due_date)
    return (f"万一{cn_date(nxt.due_date)}扣款时卡里的钱不够{yuan(nxt.owed(view.statement.as_of))}元，扣款会失败，这一期就算逾期："
            f"{GRACE_DAYS}天宽限期内（{cn_date(last)}当天或之前）还清不收罚息。到时如果还是还不上，可以跟我约定一个还款日期、"
            "看看个性化分期，或者转人工客服。")


def paying_late_on(view: LoanView, day: dt.date) -> str:
    """What paying the next installment on ``day``, after its due date, means: within the grace days no
    penalty; past them penalty from the day after the due date, to the fen by ``day`` (found by a probe:
    B004's 「20号我可能还不上 能晚5天吗 25号还」 was told only that the grace days are free); "" if ``day``
    is not after the next due date."""
    nxt = view.statement.next_installment
    if nxt is None or day <= nxt.due_date:
        return ""
    late = (day - nxt.due_date).days
    free_until = last_grace_day(nxt.due_date)
    if late <= GRACE_DAYS:
        return (f"{cn_date(day)}还，这一期会逾期{late}天，还在{GRACE_DAYS}天宽限期内，那天前还清不收罚息。")
    then = view.statement_on(day)
    return (f"{cn_date(day)}再还，这一期会逾期{late}天，超过{GRACE_DAYS}天宽限期：罚息从"
            f"{cn_date(nxt.due_date + dt.timedelta(days=1))}起算，到那天罚息{yuan(then.penalty_due)}元，应还"
            f"{yuan(then.amount_due_now)}元，逾期记录也可能报送征信；{cn_date(free_until)}当天或之前还清不收罚息。")


def nothing_to_extend(view: LoanView, day: dt.date | None = None) -> str:
    """Asked to pay later with nothing due: when the next payment falls due, and what can be done
    if it cannot be paid then (a promise needs something due, so not that); with the ``day`` named,
    what paying then means first."""
    late = paying_late_on(view, day) if day is not None else ""
    return (late + "您目前没有到期未还的款项。" + due_date(view)
            + f"还款日本身不能修改；万一当天没扣成功，{GRACE_DAYS}天宽限期内还清这一期不收罚息。"
              "如果到时确实还不上，可以看看个性化分期（遇到失业、疾病等困难可以选更长的期数），"
              "或者转人工客服帮您看看其他办法。")


#: 「行吧 那你说怎么办」, 「那咋弄」, 「有什么办法」: the borrower asks what they can do now
_WHAT_TO_DO = re.compile(r"怎么办|咋办|怎么弄|咋弄|怎么搞|咋整|怎么处理|有什么办法|有啥办法|你说呢|你看着办|那怎么")


def asks_what_to_do(text: str) -> bool:
    return bool(text) and _WHAT_TO_DO.search(text) is not None


def ways_on(view: LoanView) -> str:
    """What an overdue borrower can do now, in the order a bank would offer it (no pressure, rule 13)."""
    st = view.statement
    return (f"您目前到期应还{yuan(st.amount_due_now)}元。可以这样处理：1）能还上的话，在App“还款”页面主动还款；"
            f"2）暂时还不上，和我约定一个{MAX_PROMISE_DAYS}天内能做到的还款日期；3）一次还不上，可以申请个性化分期；"
            "4）想和工作人员商量，可以转人工。您选一个就好。")


def hardship_label(category: str) -> str:
    return {"job_loss": "失业", "illness": "生病或住院", "business_failure": "生意困难", "income_drop": "收入减少",
            "family_emergency": "家庭变故", "disaster": "受灾", "forgot": "忘记还款", "other": "其他困难"}.get(category, "其他困难")


#: a death in the family (the borrower's own: 「我老公上个月车祸去世了」); compliance rule 13: care before figures
#: (also how a relative telling of the borrower's death is known: actions/escalation.py, the third-party action)
_SOMEONE_DIED = re.compile(r"去世|过世|离世|病逝|病故|逝世|身故|走了(?!.{0,2}(吗|吧|啊))|不在了|人没了|丧事|办后事")
CONDOLENCE = "听到这个消息很难过，请您节哀，也多保重身体。还款的事不急在这一时，我们可以慢慢商量。"


def says_someone_died(text: str) -> bool:
    return bool(text) and _SOMEONE_DIED.search(text) is not None


#: what a relative who told of the borrower's death hears when they ask what happens next
BEREAVED_NEXT = ("工作人员会联系您，说明需要准备的材料（一般是借款人的死亡证明、您与借款人关系的证明和您的身份证件）和后续怎么办理。"
                 "这些材料请交给工作人员，不要在这里发送；在这里也不需要您做任何决定或付款。")
