"""Personalised plans (分期): the menu, a plan's terms and interest, a plan already running, and an
amount per month (a budget, not what the borrower earns)."""
from __future__ import annotations

import re
from decimal import Decimal

from bot.clock import cn_date
from bot.dialogue.explain.wording import pct
from bot.ledger.money import yuan
from bot.plans.offers import PlanOffer
from bot.plans.rules import HARDSHIP_TERMS, MAX_TERM_MONTHS
from bot.services.account import LoanView


#: 「一个月只能还500」, 「每月最多1000」: an amount per month, a budget for a plan
_PER_MONTH = re.compile(r"每个?月|一个月|月供|按月")


#: 「一个月就挣三千」, 「工资才2000」, 「到手4000」: the amount after these is what the borrower earns
_INCOME_BEFORE = re.compile(r"(挣|赚|收入|工资|月薪|薪水|薪资|到手)(了)?(一个月|每个?月|一月)?"
                            r"(才|就|只有|只|也就|大概|差不多|一共|是)?(有)?$")


def is_income(text: str, start: int | None) -> bool:
    """Whether the amount at ``start`` of ``text`` is what the borrower earns, not what they can pay."""
    if not text or not isinstance(start, int) or start <= 0:
        return False
    return _INCOME_BEFORE.search(text[max(0, start - 8):start].rstrip()) is not None


#: 「房租就要两千多」, 「孩子学费一个月一千」: what the borrower spends, not what they can pay
_EXPENSE_BEFORE = re.compile(r"(房租|房贷|车贷|生活费|学费|医药费|药费|花销|开销|花费|开支|要交|要花|得花|得交|欠别人|别的贷款)"
                             r"\S{0,6}$")
#: 「每个月最多能还个五六百」, 「一个月只能还500」: what the borrower can pay a month
_BUDGET_BEFORE = re.compile(r"(每个?月|一个月|月供|按月)\S{0,6}(还|拿出|出|付|交|凑)\S{0,2}$")


def is_expense(text: str, start: int | None) -> bool:
    """Whether the amount at ``start`` of ``text`` is what the borrower spends (rent, fees, other loans)."""
    if not text or not isinstance(start, int) or start <= 0:
        return False
    return _EXPENSE_BEFORE.search(text[max(0, start - 10):start]) is not None


def is_budget(text: str, start: int | None) -> bool:
    """Whether the amount at ``start`` of ``text`` is said as what the borrower can pay a month."""
    if not text or not isinstance(start, int) or start <= 0:
        return False
    return _BUDGET_BEFORE.search(text[max(0, start - 12):start]) is not None


def per_month(text: str) -> bool:
    return bool(text) and _PER_MONTH.search(text) is not None


#: 「能不能少还点」 names nothing to waive: it may as well mean a smaller monthly amount
_PAY_LESS = re.compile(r"少还|少给|少交|少扣|少点|少一点|少一些|便宜")
_WAIVER_WORDS = re.compile(r"息|费|违约金|本金|减免|免除|免掉|免了|打折|折扣|挂账|优惠|零头|抹")


def asks_to_pay_less(text: str) -> bool:
    """A request to pay less that names no penalty, interest or fee to waive."""
    return bool(text) and _PAY_LESS.search(text) is not None and _WAIVER_WORDS.search(text) is None


#: the three ways to pay less, when the borrower did not say which (a waiver needs a person)
PAY_LESS_WAYS = ("想少还一些，有这几种办法：\n1. 申请个性化分期，把每个月要还的钱降下来；\n"
                 "2. 约定一个还款日期，先还一部分；\n3. 如果是想减免罚息或利息，需要工作人员审核，我可以帮您转人工。"
                 "您想怎么办？")


#: asked for a plan, or to change or cancel one, while a plan runs
PLAN_CHANGE_BY_A_PERSON = "同一笔借款不能再办理新的分期方案；如果需要调整或取消现有方案，请转人工客服，由工作人员和您商量。"


#: 「我现在有分期方案吗」, 「我的分期方案办了吗」, 「分期办好了没」: whether a plan is set up
_PLAN_STATUS = re.compile(r"(现在有|已经有|办了|办好|开通|生效|成功)(了)?(分期|方案)(方案)?(吗|没|么)|(分期|方案).{0,4}(办了|办好|生效|成功|通过)(了)?(吗|没|么)"
                          r"|(有没有|有无)(办过|办了|在执行的|正在执行的)(的)?(分期|方案)")


def asks_plan_status(text: str) -> bool:
    return bool(text) and _PLAN_STATUS.search(text) is not None


def plan_active_again(view: LoanView) -> str:
    """A new plan asked for again while one runs (found live, B003: 「48期」, 「还是36期吧」 each got the same
    paragraph of figures): the plan in a line, and who can change it."""
    p = view.active_plan
    return f"您已经有一个{p.term_months}期的分期方案（每月{yuan(p.monthly_payment)}元）在执行。" + PLAN_CHANGE_BY_A_PERSON


#: 「分期的还款计划发我看看」, 「每期什么时候还多少」: the running plan's schedule asked for
_ASKS_SCHEDULE = re.compile(r"计划|明细|安排|时间表|每期|每个月.{0,4}(几号|哪天|多少)|还款表")


def asks_for_schedule(text: str) -> bool:
    return bool(text) and _ASKS_SCHEDULE.search(text) is not None


def plan_schedule(view: LoanView) -> str:
    """The running plan's installments (found live, B006: 「分期的还款计划发我看看」 was told only that no new
    plan can be made): every installment up to a year's, else the first three and the last; which are paid."""
    p = view.active_plan
    st = view.statement
    rows = [f"第{i.number}期{cn_date(i.due_date)}还{yuan(i.schedule.payment)}元" + ("（已还清）" if i.owed(st.as_of) == 0 else "")
            for i in st.installments]
    shown = rows if len(rows) <= 12 else [*rows[:3], "……", rows[-1]]  # a year in full (found live: 4-11 left out)
    return (f"您的{p.term_months}期分期方案（每月{yuan(p.monthly_payment)}元）还款计划：" + "；".join(shown).replace("；……；", "；……") + "。"
            "每期在还款日从还款卡自动扣款，也可以提前在App“还款”页面主动还。")


def last_payment_if_different(offer: PlanOffer) -> str:
    """「（最后一期2753.99元）」 when the last period, which absorbs the rounding, differs from the others: the
    full disclosure is exact to the fen (its total repayment counts the last period as it is)."""
    if len(offer.schedule) < 2 or offer.last_payment == offer.monthly_payment:
        return ""
    return f"（最后一期{yuan(offer.last_payment)}元）"


def plan_disclosure(offer: PlanOffer) -> str:
    return (f"{offer.term_months}期方案：分期金额{yuan(offer.amount)}元，每月还{yuan(offer.monthly_payment)}元"
            f"{last_payment_if_different(offer)}，"
            f"首期还款日{cn_date(offer.first_payment_date)}，年化利率（单利）{pct(offer.apr)}，"
            f"总利息{yuan(offer.total_interest)}元，总还款额{yuan(offer.total_repayment)}元，没有其他任何费用。")


def plan_interest(offer: PlanOffer, contract_apr: Decimal) -> str:
    """「这个利息怎么这么高」 asked about a plan just shown: its interest, not the penalty."""
    lower = f"，比原借款的{pct(contract_apr)}低" if offer.apr < contract_apr else ""
    return (f"这个{offer.term_months}期方案的年化利率（单利）是{pct(offer.apr)}{lower}。利息按每月还剩的本金计算："
            f"第一个月本金最多，利息{yuan(offer.schedule[0].interest)}元，以后逐月减少，{offer.term_months}期合计"
            f"{yuan(offer.total_interest)}元。期数越短，总利息越少；提前还款不收以后各期的利息，也没有手续费。")


def plan_due_dates(offer: PlanOffer) -> str:
    """「每个月几号扣」 while a plan is read back (found live, B001: got the loan's own 10th, the plan's day
    is the 1st): the plan's days, before it is confirmed."""
    first, last = offer.schedule[0].due_date, offer.schedule[-1].due_date
    return (f"这个{offer.term_months}期方案每月{first.day}日还款：首期{cn_date(first)}，最后一期{cn_date(last)}，"
            f"每期{yuan(offer.monthly_payment)}元{last_payment_if_different(offer)}。确认办理后，原来的还款日不再适用。")


def plan_menu(offers: list[PlanOffer], hardship: bool) -> str:
    head = "考虑到您的困难，可以选择更长的期数。" if hardship else ""
    lines = [f"{o.term_months}期：每月{yuan(o.monthly_payment)}元（年化利率（单利）{pct(o.apr)}，总利息{yuan(o.total_interest)}元，总还款额{yuan(o.total_repayment)}元）"
             for o in offers]
    amount = yuan(offers[0].amount) if offers else "0.00"
    return head + f"可以把目前需结清的{amount}元办理个性化分期，方案如下：\n" + "\n".join(lines) + "\n请选择一个期数，我会把完整条款给您确认。"


def plan_menu_again(offers: list[PlanOffer]) -> str:
    """The menu asked about again once shown (found live, B003: 「那能分多少期」 got all six lines again)."""
    if not offers:
        return "目前没有可以办理的分期方案。"
    longest = max(offers, key=lambda o: o.term_months)
    terms = "、".join(str(o.term_months) for o in offers)
    return (f"可以选的期数就是上面这几种：{terms}期。最长{longest.term_months}期，每月{yuan(longest.monthly_payment)}元；"
            "期数越长，每月还得越少，总利息越多。请选一个期数，我把完整条款给您确认。")


def why_not_this_term(asked: int, terms: tuple[int, ...] | list[int], days_overdue: int) -> str:
    """Why a term asked for is not offered, and the way to a longer one (found live: 「分24期行不」 got only
    「您可以选择的期数是：3期、6期、12期」, with no reason and no person)."""
    if asked > MAX_TERM_MONTHS:
        return f"分期最长{MAX_TERM_MONTHS}期。"
    if asked in HARDSHIP_TERMS and max(terms, default=0) < max(HARDSHIP_TERMS):
        return (f"可选的期数按逾期天数定，您目前逾期{days_overdue}天。如果遇到失业、生病、生意失败、收入下降等困难，"
                f"告诉我是哪一种，可以申请更长的期数（最长{max(HARDSHIP_TERMS)}期）；也可以转人工和工作人员商量。")
    if terms and asked < min(terms):
        return f"目前最短可以分{min(terms)}期；也可以转人工和工作人员商量。"
    return "期数只能从这几种里选；也可以转人工和工作人员商量。"
