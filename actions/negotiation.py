"""Plans, promises, extensions, fee waivers, hardship and the yes/no that confirms them."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from bot.dialogue import consent, explain
from bot.dialogue.later import wants_to_talk_later
from bot.dialogue.missed_promise import missed_at
from bot.dialogue.refusal import refuses_to_pay
from bot.errors import RuleViolation
from bot.ledger.money import yuan
from bot.nlu.normalise import normalise
from bot.nlu.precedence import QUESTION_KEY
from bot.plans.offers import make_offer, pick_affordable
from bot.plans.rules import QUALIFYING_HARDSHIPS
from bot.promises.rules import remainder
from bot.services import cases, plans, promises
from bot.handoff.queue import request_handoff, withdraw
from actions.account import QUESTION_ANSWERS
from actions.escalation import CASE_ACTIONS, TAKES_BACK
from actions.common import (NEVER_AMENDS, REGISTRY, CONFIRM_BUTTONS, HOW_TO_PAY_BUTTON, HUMAN_BUTTON, PLAN_BUTTON, PROMISE_BUTTON,
                            BotAction, Turn, calendar_date, decimal_amount, kept_message)


def _int(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _budget(turn: Turn, after: int | None = None) -> str | Decimal | None:
    """What the borrower can pay a month: the amount said as what they can pay (「每个月最多能还个五六百」), else
    the first amount (from ``after`` on) that is not what they earn or spend (found live, B003: 「我现在一个月就挣
    三千 房租都交不起」 was offered the plan for 3000 a month; found by a probe: 「每个月房租就要两千多 … 每个月最多
    能还个五六百」 got the plan for 2000)."""
    found = [e for e in turn.message.get("entities") or []
             if e.get("entity") == "amount" and e.get("value") not in (None, "")
             and (after is None or int(e.get("start") or 0) >= after)]
    for e in found:
        if explain.is_budget(turn.text, e.get("start")):
            return _amount(e.get("value"))
    for e in found:
        start = e.get("start")
        if not explain.is_income(turn.text, start) and not explain.is_expense(turn.text, start):
            return _amount(e.get("value"))
    return None


def _amount(value) -> str | Decimal | None:
    return value if value in ("all", "half") else decimal_amount(value)


def _text(value) -> str | None:
    return None if value is None else str(value)


def _day_given(values: list) -> Any:
    """The day a promise names: the first that is a calendar day, else the first said. 「我发工资就还 15号」
    (found live) was asked which day 「发工资」 is, though 15号 followed."""
    return next((v for v in values if calendar_date(v) is not None), values[0] if values else None)


def _term_buttons(terms) -> list[dict]:
    return [{"title": f"{t}期", "payload": f'/request_installment{{"installment_count": {t}}}'} for t in terms]


def record_hardship(turn: Turn, category: str) -> str:
    """Compliance rule 3: only the category is stored, and the borrower is told why; the category
    recorded (an unknown one is 'other'). Once a conversation per category: 「公司说月底补发」 after 「工资没发」
    (found live, B001) was recorded and told again."""
    if cases.hardship_recorded(turn.session, turn.borrower_id, category, turn.conversation_id):
        return cases.hardship_category(category)
    recorded = cases.record_hardship(turn.session, turn.borrower_id, category, turn.conversation_id)
    if explain.says_someone_died(turn.text):
        # 「我老公上个月车祸去世了」 (found by a probe: straight to the category and the plan list): condolence first
        turn.say("utter_account_answer", answer=explain.CONDOLENCE)
    turn.say("utter_hardship_recorded", category=explain.hardship_label(recorded))
    return recorded


def _drop_plan_read_back(turn: Turn) -> None:
    """The menu or a term not offered asks for a term again: a plan read back before is no longer the one
    a 「确认」 accepts (found live, B005: 「太长了 24期吧」 after the 60-month read-back got the menu, and
    「好的 确认」 then accepted 60 months)."""
    if turn.tracker.get_slot("pending_confirmation") == "plan":
        turn.set("pending_confirmation", None)
        turn.set("plan_term", None)


def say_plan_menu(turn: Turn, options, hardship: bool, *more_buttons: dict) -> None:
    """The plan menu; the short answer when the same menu was sent already (found live, B003: 「那能分多少期」
    got the six lines again)."""
    buttons = [*_term_buttons(options.eligibility.terms), *more_buttons]
    menu = explain.plan_menu(list(options.offers), hardship)
    _drop_plan_read_back(turn)
    if turn.said_text(menu):
        turn.say("utter_account_answer", answer=explain.plan_menu_again(list(options.offers)), buttons=buttons)
    else:
        turn.say("utter_plan_menu", buttons=buttons, menu=menu)


class ActionOfferPlans(BotAction):
    collection = True
    resumes_flow = False
    action_name = "action_offer_plans"
    about_our_loan = True
    needs_verification = True

    def handle(self, turn: Turn) -> None:
        if turn.tracker.get_slot("pending_confirmation") == "plan" and consent.chooses_the_term(
                _answer_to_read_back(turn), _int(turn.tracker.get_slot("plan_term"))):
            ActionHandleConfirmation().handle(turn)  # 「就60期吧」 right after the 60-month disclosure: yes
            return
        view = turn.own_loan() if explain.asks_plan_status(turn.text) else None
        if view is not None and view.active_plan is None:
            # 「我现在有分期方案吗」, 「我的分期方案办了吗」 (found by a probe: the options again): none is set up
            term = _int(turn.tracker.get_slot("plan_term"))
            waiting = turn.tracker.get_slot("pending_confirmation") == "plan" and term
            turn.say("utter_account_answer", answer="您目前没有办理分期方案。" + (
                f"刚才的{term}期方案还没有确认办理，回复“确认”就可以办理。" if waiting else
                "如果需要，可以告诉我想分几期，或者每个月能还多少，我给您看方案。"))
            return
        amount = _budget(turn)
        if isinstance(amount, Decimal) and amount > 0 and explain.prepays_principal(turn.text):
            view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
            if view is not None and not view.statement.settled:
                # 「我想多还5000冲本金 以后每期能少点吗」 (found live: offered a plan for the whole loan): what
                # paying that much early does
                same = explain.SAME_INSTALLMENTS if explain.asks_smaller_installments(turn.text) else ""
                turn.say("utter_account_answer", answer=same + explain.partial_prepayment(view, amount))
                return
        category = turn.entity("hardship_type")
        if category and not cases.hardship_recorded(turn.session, turn.borrower_id, category, turn.conversation_id):
            # 「我失业了 每个月最多还1000」, 「我失业了能分期吗」: request_installment by the contract's precedence,
            # and the hardship declared all the same (found live: not recorded, so a borrower under 90 days
            # late was offered the short terms; ledger.md: a declared hardship gets the long ones)
            record_hardship(turn, category)
        self.offer(turn)

    def offer(self, turn: Turn, after: int | None = None) -> None:
        """The plans for this borrower: the term or budget they named picks, else the menu. With
        ``after``, only what the message says from that offset on counts (what comes before it told
        of a missed promise, bot/dialogue/missed_promise.py). Once plans are offered, a promise read back
        before is no longer what a 「确认」 accepts (found by a probe: 「能分期吗」 after a promise read-back left it
        waiting, and 「每个月最多还1500」 then amended it); a plan refused leaves it standing."""
        options = plans.plan_options(turn.session, turn.borrower_id, turn.today, verified=True)
        if options is None:
            turn.say("utter_no_loan")
            return
        if not options.eligibility.eligible:
            if options.eligibility.reason_code == "plan_active" and explain.asks_for_schedule(turn.text):
                turn.say("utter_account_answer", answer=explain.plan_schedule(options.view))
                return
            if options.eligibility.reason_code == "plan_active":  # the plan's figures, and who can change it
                full = explain.balance(options.view) + explain.PLAN_CHANGE_BY_A_PERSON
                turn.say("utter_account_answer", buttons=[HUMAN_BUTTON],
                         answer=explain.plan_active_again(options.view) if turn.said_text(full) else full)
            else:
                turn.say("utter_plan_declined", buttons=[HUMAN_BUTTON], reason=options.eligibility.reason)
            return
        if turn.tracker.get_slot("pending_confirmation") == "promise":
            turn.set("pending_confirmation", None)
        terms = options.eligibility.terms
        count = _int(turn.entity("installment_count", after=after))
        budget = _budget(turn, after)
        if count is not None:
            if count not in terms:
                _drop_plan_read_back(turn)
                if explain.says_a_wait_in_months(turn.text) and options.view.statement.amount_due_now > 0:
                    # 「大概两个月吧」 after the ways to pay later (found live): how long, not a term
                    turn.say("utter_account_answer", buttons=[*_term_buttons(terms), HUMAN_BUTTON],
                             answer=explain.wait_too_long(count, turn.today, terms))
                    return
                turn.say("utter_plan_term_invalid", buttons=[*_term_buttons(terms), HUMAN_BUTTON],
                         terms="、".join(f"{t}期" for t in terms),
                         why=explain.why_not_this_term(count, terms, options.view.statement.days_overdue))
                return
            self._disclose(turn, make_offer(options.view.statement.payoff, options.view.apr, count, turn.today))
            return
        if isinstance(budget, Decimal) and budget > 0:
            pick = pick_affordable(list(options.offers), budget)
            if pick.fits:
                turn.say("utter_plan_affordable", budget=yuan(budget))
                self._disclose(turn, pick.offer)
            else:
                turn.say("utter_plan_not_affordable", buttons=_term_buttons([pick.offer.term_months]),
                         budget=yuan(budget), disclosure=explain.plan_disclosure(pick.offer))
                request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "no_affordable_plan")
                turn.say("utter_handoff_wait", wait_hint=_wait_hint())
            return
        say_plan_menu(turn, options, options.hardship in QUALIFYING_HARDSHIPS)

    @staticmethod
    def _disclose(turn: Turn, offer) -> None:
        turn.say("utter_plan_disclosure", buttons=CONFIRM_BUTTONS, disclosure=explain.plan_disclosure(offer))
        turn.set("plan_term", offer.term_months)
        turn.set("pending_confirmation", "plan")


class ActionProposePromise(BotAction):
    collection = True
    resumes_flow = False
    """'15号还两千': parse, validate, read back for confirmation."""

    action_name = "action_propose_promise"
    about_our_loan = True
    needs_verification = True

    def handle(self, turn: Turn) -> None:
        if turn.entity("date") is None and explain.asks_how(turn.text):
            # 「那剩下的387怎么还」 (found live, B007) was asked 「这387.00元您打算哪天还？」: how is asked
            REGISTRY["action_answer_how_to_pay"].handle(turn)
            return
        missed = missed_at(turn.text)
        if missed is not None:  # 「上次说20号还 没还上」: that 20号 is the promise missed, not a new one
            dates, amounts = turn.entity_values("date", after=missed), turn.entity_values("amount", after=missed)
            if not dates and _promise_missed_answered(turn):
                return
            propose_promise(turn, _day_given(dates), amounts[0] if amounts else None)
            return
        if turn.entity("date") is None and explain.per_month(turn.text) and isinstance(_budget(turn), Decimal):
            # 「我一个月只能还800」 (found live, B003, overdue) was asked which day to pay 800: a monthly budget is
            # a plan question (ledger.md: the shortest term within it), also while a promise is read back (found
            # by a probe: 「每个月最多还1500」 after the plan options became a promise of 1500 by the earlier day)
            ActionOfferPlans().offer(turn)
            return
        if _part_now_rest_later(turn):
            # 「那我先还一千 剩下的下周五还」 (found live, B005): the one date is the rest's; the part is paid now
            propose_promise(turn, turn.today.isoformat(), turn.entity("amount"))
            return
        propose_promise(turn, _day_given(turn.entity_values("date")), turn.entity("amount"))


def _part_now_rest_later(turn: Turn) -> bool:
    """An amount before the rest is named, and the only dates after it: 「先还一千 剩下的下周五还」."""
    rest_at = explain.rest_said_at(turn.text)
    if rest_at is None:
        return False
    found = [e for e in turn.message.get("entities") or [] if e.get("entity") in ("date", "amount")]
    before = [e for e in found if int(e.get("start") or 0) < rest_at]
    return (any(e["entity"] == "amount" for e in before) and not any(e["entity"] == "date" for e in before)
            and any(e["entity"] == "date" and calendar_date(e.get("value")) is not None for e in found if e not in before))


# the actions whose last reply was about a promise in progress (asked its date, or read it back)
PROMISE_ACTIONS = ("action_propose_promise", "action_handle_extension")
#: 「只能还一千」 / 「先还800吧」: a short message that pays an amount (还 / 付 / 转 / 交 / 存 before it)
SHORT_AMENDMENT = 14
_PAY_VERB_BEFORE = re.compile(r"(还|付|转|交|存)\s?$")


def promise_in_progress(turn: Turn) -> bool:
    """A promise is read back and waits for a yes, or the bot just asked for its date."""
    return turn.tracker.get_slot("pending_confirmation") == "promise" or turn.previous_action in PROMISE_ACTIONS


#: words that say nothing beside a date given as an answer: 「那就12.15号吧」, 「改到下周五行吗」
_FILLER = re.compile(r"[\s,，.。!！?？~～]|那|就|改|成|到|吧|呢|行|吗|好|的|可以|还|啊|呀|嗯|哦|在|前|之前")


#: a correction's words around the amount corrected to: 「不对 是2000」, 「不是 我说的是两千块」
_CORRECTION = re.compile(r"不对|不是|我说的是|我是说|说的是|我说|是")


def _little_but(text: str, entities: list, kinds: tuple, also: re.Pattern | None = None) -> bool:
    """True when ``text`` holds little besides entities of ``kinds`` and filler words (and words of
    ``also``): an answer (「12.15号」), not a question that names a date (「12月15号罚息多少」)."""
    spans = sorted((int(e.get("start") or 0), int(e.get("end") or 0)) for e in entities if e.get("entity") in kinds)
    rest, at = [], 0
    for start, end in spans:
        rest.append(text[at:start])
        at = max(at, end)
    rest.append(text[at:])
    rest_text = "".join(rest) if also is None else also.sub("", "".join(rest))
    return len(_FILLER.sub("", rest_text)) <= 2


def amend_read_back(turn: Turn) -> bool:
    """While a promise is read back, a short 「只能还一千」 changes its amount whatever intent the NLU
    gave it (found live: read as how_to_pay, it got the ways to pay, and the 确认 that followed
    recorded the whole 2163.55 the borrower had just said they could not pay). Likewise a short
    message with a date answers the bot's 「您打算哪天还？」 or changes the date read back (found live:
    「12.15号」 was read as inform_identity and got 「您已经验证过身份了」). True when it answered."""
    intent = turn.latest_intent
    if (not turn.verified or turn.tracker.get_slot("distress")  # rule 9: no promise is read back in distress
            or intent in NEVER_AMENDS or len(normalise(turn.text).replace(" ", "")) > SHORT_AMENDMENT):
        return False
    text = turn.text
    if explain.per_month(text):
        return False  # 「每个月最多还1500」 is a monthly budget for a plan, never a one-off promise's amount
    entities = (turn.tracker.latest_message or {}).get("entities") or []
    paid = next((e.get("value") for e in entities
                 if e.get("entity") == "amount" and _PAY_VERB_BEFORE.search(text[:int(e.get("start") or 0)])), None)
    date = next((e.get("value") for e in entities if e.get("entity") == "date"), None)
    if (turn.tracker.get_slot("pending_confirmation") == "plan" and date is None
            and any(e.get("entity") == "amount" for e in entities) and _little_but(text, entities, ("amount",))):
        # 「4k呢」 while a plan chosen for a monthly budget is read back (found by a probe: 「刚才的内容还需要您确认」):
        # another budget, so the plan that fits it
        ActionOfferPlans().offer(turn)
        return True
    if date is not None and promise_in_progress(turn) and _little_but(text, entities, ("date", "amount")):
        propose_promise(turn, date, paid)
        return True
    if turn.tracker.get_slot("pending_confirmation") != "promise":
        return False
    if paid is None and _little_but(text, entities, ("amount",), also=_CORRECTION):
        # a bare amount, or one corrected to, while a promise is read back (found live: 「200」 was read as
        # inform_identity and 「不对 是2000」 too; the 确认 that followed recorded the amount read back)
        paid = next((e.get("value") for e in entities if e.get("entity") == "amount"), None)
    if paid is not None:
        propose_promise(turn, None, paid)
        return True
    return False


def _promise_missed_answered(turn: Turn, thanked: bool = False) -> bool:
    """A missed promise told with no new date (「我上个月20号说还1100 结果没还上 不好意思」): no blame, the
    promise on record, what is due, and the ways on, instead of a bare 「您打算哪天还？」 (found live).
    A date said next still goes to the promise (this action asked). True when it answered."""
    view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
    if view is None or view.statement.settled or view.statement.amount_due_now <= 0:
        return False
    turn.set("promise_amount", None)
    turn.say("utter_account_answer", answer=explain.promise_missed(view, thanked=thanked),
             buttons=[PROMISE_BUTTON, PLAN_BUTTON, HUMAN_BUTTON])
    return True


def _nothing_due_answered(turn: Turn, raw_amount) -> bool:
    """Nothing is due, so there is nothing to promise: found live (B004, current), 「那我先还5000行不行」
    after the payoff was given was asked for a date, only to hear then that no promise was needed.
    An amount gets what paying it early would do; without one, the next due date and the ways on.
    True when it answered."""
    view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
    if view is None or view.statement.settled or view.statement.amount_due_now > 0:
        return False
    amount = _amount(raw_amount)
    if isinstance(amount, Decimal) and explain.per_month(turn.text):
        # 「我一个月只能还500」 (found live, B003 on a plan) got what paying 500 today would do: a monthly
        # budget is a plan question (a running plan is changed by a person; a current loan needs a reason)
        ActionOfferPlans().offer(turn)
    elif amount == "all":  # 「全部还掉」 with nothing due: the whole loan
        turn.say("utter_account_answer", answer=explain.early_repayment(view))
    elif isinstance(amount, Decimal) and amount > 0:
        turn.say("utter_account_answer", answer=explain.partial_prepayment(view, amount))
    else:
        turn.say("utter_account_answer", answer=explain.nothing_to_extend(view), buttons=[PLAN_BUTTON, HUMAN_BUTTON])
    return True


def _rest_dated(turn: Turn, raw_date) -> bool:
    """「剩下的月底还」 while a promise for part of what is due is read back (found live, B005: 1400 today
    was read back, and the date of the rest became the date of the 1400): the read-back stands, and the
    rest is the next promise, as when both are said at once. True when it answered."""
    later, pending = calendar_date(raw_date), calendar_date(turn.tracker.get_slot("promise_date"))
    amount = _amount(turn.tracker.get_slot("promise_amount"))
    if (turn.tracker.get_slot("pending_confirmation") != "promise" or later is None or pending is None
            or later <= pending or not isinstance(amount, Decimal)):
        return False
    view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
    rest = remainder(amount, view.statement.amount_due_now) if view is not None else None
    if rest is None:
        return False
    turn.say("utter_promise_second_part", date=explain.cn_date(later), amount=yuan(rest))
    turn.set("promise_next_date", later.isoformat())
    turn.say("utter_promise_readback", buttons=CONFIRM_BUTTONS, date=explain.cn_date(pending), amount=yuan(amount))
    return True


def propose_promise(turn: Turn, raw_date, raw_amount, rest_of_a_part: bool = False) -> None:
    """Check and read back a promise. ``rest_of_a_part``: the rest's read-back right after the part was
    recorded; what would be due by then if nothing were paid is not said (the part just promised would be)."""
    in_progress = promise_in_progress(turn)
    if in_progress and raw_date is not None and explain.asks_about_rest(turn.text) and _rest_dated(turn, raw_date):
        return
    if raw_amount in (None, "all") and not in_progress and explain.asks_about_rest(turn.text):
        # 「剩下的下周五还」 after 500 of 2163.55 was promised (found live, B006): the rest, 1663.55, not the
        # whole amount again (nor for 「剩下的月底前还清」: all of the rest, found live); and nothing, when the
        # promises made already cover what is due
        view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
        if view is not None and view.open_promises:
            rest = explain.rest_beyond_promises(view)
            if rest is None:
                turn.say("utter_account_answer", answer=explain.promises_cover(view))
                return
            raw_amount = rest
    if in_progress:
        # 「先还一半」 → 哪天？ → 「下周五」, or a read-back answered 「改成下周五吧」 / 「只能还一千」: what was
        # already given stands (the slots hold it since the bot asked or read back), not the whole amount due
        raw_amount = raw_amount if raw_amount is not None else turn.tracker.get_slot("promise_amount")
        raw_date = raw_date if raw_date is not None else turn.tracker.get_slot("promise_date")
    date = calendar_date(raw_date)
    if raw_date is not None and date is None:
        turn.say("utter_promise_date_unclear", date_text=str(raw_date)[:20])
        return
    if date is None and _nothing_due_answered(turn, raw_amount):
        return
    if date is None:
        # the amount already given is not asked for again (found live: 「我现在就只有900」 got 「…以及金额」)
        amount = _amount(raw_amount)
        what = ("这一半" if amount == "half" else "全部" if amount == "all" else
                f"这{yuan(amount)}元" if isinstance(amount, Decimal) else "")
        turn.say("utter_ask_promise_date", what=what, and_amount="" if what else "，以及金额")
        # kept for the date that follows; cleared when none was given, so no earlier amount comes back
        turn.set("promise_amount", str(raw_amount) if _amount(raw_amount) is not None else None)
        return
    amount_value = _amount(raw_amount) if raw_amount is not None else "all"
    if amount_value is None:
        turn.say("utter_promise_amount_unclear")
        return
    check = promises.check(turn.session, turn.borrower_id, date, amount_value, turn.today)
    if check.reason_code == "nothing_due":
        # 「那我20号那天钱不够怎么办」 (B004, current) was told 「不需要做还款承诺」: the next due date, and what
        # can be done if it cannot be paid then, as when asked to pay later
        view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
        if view is not None and not view.statement.settled and raw_amount == "all":
            # 「那我下周一全部还掉」 (found live, B004, after the payoff): nothing is due, so 全部 is the whole loan
            turn.say("utter_account_answer", answer=explain.payoff_on(view, date))
            return
        paying = _amount(raw_amount)
        if view is not None and not view.statement.settled and isinstance(paying, Decimal) and paying > 0:
            # 「那我下礼拜三还2千5」 with nothing due (found by a probe, B001 on a plan: told the due day cannot move):
            # nothing is due before the next installment, and what paying that much early does
            nxt = view.statement.next_installment
            when = f"，下一期{explain.cn_date(nxt.due_date)}才到期" if nxt is not None else ""
            turn.say("utter_account_answer", answer=f"您目前没有到期未还的款项{when}，不需要约定还款。想提前还的话，"
                                                    + explain.partial_prepayment(view, paying))
            return
        if view is not None and not view.statement.settled:
            turn.say("utter_account_answer", answer=explain.nothing_to_extend(view, date), buttons=[PLAN_BUTTON, HUMAN_BUTTON])
            return
    if not check.ok:
        turn.say("utter_promise_declined", buttons=[PLAN_BUTTON, HUMAN_BUTTON],
                 reason=check.reason)
        return
    view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
    recorded = promises.same_open(view, check.date, check.amount)
    if recorded is not None:  # the same day and amount already on record: said so, not recorded twice
        turn.say("utter_account_answer", answer=explain.promise_already_recorded(recorded))
        second = _second_part(turn, check.date, check.amount, view)
        if second is not None:  # 「今天先还一千 剩下的下周五还」: the second part is read back
            propose_promise(turn, second[0].isoformat(), str(second[1]), rest_of_a_part=True)
        elif turn.tracker.get_slot("pending_confirmation") == "promise":
            turn.set("pending_confirmation", None)
        return
    replaced = promises.replaced_by(view, check.amount)
    if replaced:  # the promises on record never add up to more than is due now: the borrower is told
        listed = "、".join(f"{explain.cn_date(p.promised_date)}还{yuan(p.amount)}元" for p in replaced)
        turn.say("utter_account_answer", answer=f"您原来约定的{listed}，会改为下面这笔（约定的总额不超过目前到期应还的"
                                                f"{yuan(view.statement.amount_due_now)}元）。")
    disputed = view is not None and view.dispute_open  # rule 10: a promise is taken, but nothing is pressed
    if (view is not None and not disputed and view.broken_promises and not turn.said_before("utter_promise_previous_broken")
            and not any(turn.said_text(explain.promise_missed(view, thanked)) for thanked in (False, True))):
        # (found live, B006: told with the hardship 「没关系。我们看到您之前约定…」, then again at the read-back)
        last = view.broken_promises[-1]  # said once a conversation: a second read-back does not repeat it
        turn.say("utter_promise_previous_broken", amount=yuan(last.amount), date=explain.cn_date(last.promised_date))
    same_date = in_progress and turn.tracker.get_slot("promise_date") == check.date.isoformat()
    grows = explain.due_grows(view.statement, view.statement_on(check.date)) if view is not None else None
    if grows is not None and not same_date and not rest_of_a_part and not disputed:  # the first read-back only
        turn.say("utter_account_answer", answer=grows)
    if view is not None and check.date == turn.today and explain.asks_yes_no(turn.text):
        # 「那我今天把387.84还了就行了吗」 (found live, B007) asks whether that is enough: answered, then read back
        turn.say("utter_account_answer", answer=explain.enough_today(view, check.amount))
    second = _second_part(turn, check.date, check.amount, view)
    if second is not None:
        # 「明天先还500 剩下的15号还」: one promise at a time, the second part is not dropped silently
        turn.say("utter_promise_second_part", date=explain.cn_date(second[0]), amount=yuan(second[1]))
    turn.set("promise_next_date", second[0].isoformat() if second is not None else None)
    # the amount said for that day, kept for its read-back; none: the rest then (what is due less the part)
    turn.set("promise_next_amount", str(second[1]) if second is not None and second[2] else None)
    turn.say("utter_promise_readback", buttons=CONFIRM_BUTTONS, date=explain.cn_date(check.date), amount=yuan(check.amount))
    turn.set("promise_date", check.date.isoformat())
    turn.set("promise_amount", str(check.amount))
    turn.set("pending_confirmation", "promise")


def _second_part(turn: Turn, first: dt.date, part: Decimal, view) -> tuple[dt.date, Decimal, bool] | None:
    """The second promise a message names beside the first (「明天先还500 剩下的15号还」): its day, its amount (the
    one said for that day, 「今天先还一千 月底再还一千」: 1000, found by a probe, the rest 14141.35 was read back; else
    the rest, what is due less the part; never more than the rest), and whether that amount was said. None
    without a later day or a rest."""
    later = _later_date(turn, first)
    rest = remainder(part, view.statement.amount_due_now) if view is not None and later is not None else None
    if rest is None:
        return None
    named = _amount_said_for(turn, later)
    return (later, min(named, rest), True) if named is not None else (later, rest, False)


def _later_date(turn: Turn, first: dt.date) -> dt.date | None:
    """A second, later date in the same message (「明天先还500 剩下的15号还」), if any."""
    return next((day for day in turn.days() if day > first), None)


def _amount_said_for(turn: Turn, day: dt.date) -> Decimal | None:
    """The amount named after ``day`` in the message, before any other date (「今天先还一千 月底再还一千」: the
    second 一千), or None (「剩下的下周五还」, 「月底全部还清」: the rest)."""
    found = sorted((e for e in turn.message.get("entities") or [] if e.get("entity") in ("date", "amount")),
                   key=lambda e: int(e.get("start") or 0))
    at = next((i for i, e in enumerate(found) if e["entity"] == "date" and calendar_date(e.get("value")) == day), None)
    if at is None:
        return None
    for e in found[at + 1:]:
        if e["entity"] == "date":
            return None
        amount = _amount(e.get("value"))
        return amount if isinstance(amount, Decimal) and amount > 0 else None
    return None


class ActionHandleExtension(BotAction):
    collection = True
    resumes_flow = False
    """Paying later becomes a promise within 30 days, or a plan; the due date itself can't move."""

    action_name = "action_handle_extension"
    about_our_loan = True
    needs_verification = True

    def before_verification(self, turn: Turn) -> str | None:
        return explain.general_rule("request_extension")

    def handle(self, turn: Turn) -> None:
        view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
        category = turn.entity("hardship_type")
        if category and view is not None and not view.statement.settled:
            # 「我住院了 能晚点还吗」: request_extension by the contract's precedence, and the hardship declared all
            # the same, as with a plan asked for (found by a probe: not recorded, so no long terms were offered)
            record_hardship(turn, category)
        if explain.asks_about_grace(turn.text):
            # 「宽限期是什么意思」 (found live, B002 in grace): request_extension as the data labels it, and the
            # question answered before the ways to pay later
            turn.say("utter_account_answer", answer=explain.grace_period(view))
        elif view is not None and view.statement.in_grace:
            turn.say("utter_account_answer", answer=explain.later_in_grace(view.statement))
        if view is not None and view.statement.settled:  # found live (B008): offered a plan for a settled loan
            turn.say("utter_account_answer", answer=explain.balance(view))
            return
        if view is not None and explain.asks_to_move_due_day(turn.text):
            # the day of every month asked to move: it cannot, and no promise is made of it (with nothing due
            # too: found live, B004's 「改到25号」 got the next due date)
            turn.say("utter_account_answer", answer=explain.due_day_fixed(view), buttons=[PLAN_BUTTON, HUMAN_BUTTON])
            return
        if view is not None and view.statement.amount_due_now == 0:  # nothing to pay later
            turn.say("utter_account_answer", answer=explain.nothing_to_extend(view, next(iter(turn.days()), None)),
                     buttons=[PLAN_BUTTON, HUMAN_BUTTON])
            return
        if explain.asks_to_pay_part(turn.text) and turn.entity("date") is None:
            # found live (B006): 「这个月能不能先还一部分」 was told the due date cannot move
            turn.say("utter_account_answer", answer=explain.paying_part(view), buttons=[PROMISE_BUTTON, PLAN_BUTTON])
            return
        raw_date = turn.entity("date")
        if raw_date is not None:
            if not promise_in_progress(turn):  # a promise already being made is not told the due date stays
                turn.say("utter_extension_as_promise")
            propose_promise(turn, raw_date, turn.entity("amount"))
            return
        turn.say("utter_extension_options", buttons=[PROMISE_BUTTON, PLAN_BUTTON, HUMAN_BUTTON])


class ActionHandleFeeWaiver(BotAction):
    collection = True
    resumes_flow = False
    action_name = "action_handle_fee_waiver"
    about_our_loan = True

    def handle(self, turn: Turn) -> None:
        if explain.asks_to_pay_part(turn.text):
            # 「能不能先还个利息」 (found live) asks to pay a part, not to have anything waived
            view = turn.own_loan()
            turn.say("utter_account_answer", answer=explain.paying_part(view), buttons=[PROMISE_BUTTON, PLAN_BUTTON])
            return
        if explain.asks_to_pay_less(turn.text):
            # 「这个月手头有点紧 能不能少还点」 (found live, not verified) was handed to a person as a waiver;
            # it names nothing to waive and may mean a smaller monthly amount: the ways, the borrower chooses
            turn.say("utter_account_answer", answer=explain.PAY_LESS_WAYS, buttons=[PLAN_BUTTON, PROMISE_BUTTON, HUMAN_BUTTON])
            return
        turn.say("utter_fee_waiver")
        request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "fee_waiver")
        turn.say("utter_handoff", wait_hint=_wait_hint())


def _wait_hint(reason: str | None = None) -> str:
    from bot.handoff.queue import wait_hint

    return wait_hint(reason)


class ActionRecordHardship(BotAction):
    collection = True
    resumes_flow = False
    """Rule 3: only a category is stored, after telling the borrower why; rule 13: no pressure."""

    action_name = "action_record_hardship"

    def handle(self, turn: Turn) -> None:
        if not turn.entity("hardship_type") and not any(ch.isalnum() for ch in turn.text or ""):
            # found live: 「😭😭😭」, read as inform_hardship, was recorded as a hardship (其他困难) and got the
            # options; tears say nothing of what happened: ask, record nothing
            turn.say("utter_hardship_ask_what", buttons=[HUMAN_BUTTON])
            return
        category = turn.entity("hardship_type") or turn.tracker.get_slot("hardship_type") or "other"
        if not turn.verified:
            turn.say("utter_hardship_heard")
            from actions.common import ask_next_factor

            turn.set("pending_action", self.action_name)
            turn.set("pending_message", kept_message(turn.tracker.latest_message or {}))
            # found live: 「我是王强 身份证尾号771x」, then 「我真的没钱 生意黄了」 was asked for the ID tail again
            ask_next_factor(turn, has_id=bool(turn.tracker.get_slot("id_last4")))
            return
        recorded = record_hardship(turn, category)
        # 「我失业了 会不会被起诉」: inform_hardship by the contract's precedence, the question answered too
        question = turn.message.get(QUESTION_KEY)
        view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today) if question in QUESTION_ANSWERS else None
        if view is not None:
            turn.say("utter_account_answer", answer=QUESTION_ANSWERS[question](view))
        if recorded == "forgot":  # can pay, just late: paying now or a date, not years of a plan's interest
            turn.say("utter_forgot_options", buttons=[HOW_TO_PAY_BUTTON, PROMISE_BUTTON])
            return
        if wants_to_talk_later(turn.text):  # 「我现在在医院 过几天再说」: the ways offered, not a menu pressed
            turn.say("utter_hardship_later", buttons=[PLAN_BUTTON, PROMISE_BUTTON, HUMAN_BUTTON])
            return
        missed = missed_at(turn.text)
        if missed is not None and not turn.entity_values("amount", after=missed) and _promise_missed_answered(
                turn, thanked=True):
            # found live (B006): 「上次答应的1100我还没还 这个月实在周转不开」 took the missed promise's 1100 for
            # a monthly budget and offered a plan of 652.99 a month; it is the promise on record, told again
            return
        options = plans.plan_options(turn.session, turn.borrower_id, turn.today, verified=True)
        if options is not None and options.eligibility.eligible and (
                isinstance(_budget(turn, missed), Decimal)
                or turn.entity("installment_count", after=missed) is not None):
            # 「我现在真的没钱 每个月只能还500」 got the whole menu: the budget or term picks, as when asked
            # for a plan (ledger.md: the shortest term within it, else the longest and a person)
            ActionOfferPlans().offer(turn, after=missed)
        elif options is not None and options.eligibility.eligible:
            say_plan_menu(turn, options, recorded in QUALIFYING_HARDSHIPS, HUMAN_BUTTON)
        else:
            turn.say("utter_hardship_options", buttons=[PROMISE_BUTTON, HUMAN_BUTTON])


#: 「没了」, 「没有了」, 「暂时没有」: nothing more to ask (found live: answered 「还有什么可以帮您？」)
_NOTHING_MORE = re.compile(r"^(暂时|目前|先)?(没|没有|没啥|没什么|没别的)(别的|其他的?|事|问题)?(了|啦)?(吧|哈)?$")


def _promise_rest(turn: Turn, unasked: bool = False) -> tuple[str, bool] | None:
    """What is due beyond the borrower's open promises, to say, and whether it may be pressed (buttons to
    promise it or look at plans: not while a dispute is open, rule 10); None without an open promise or a
    rest, and, ``unasked``, while a dispute is open on the loan."""
    view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
    if view is None or not view.open_promises or (unasked and view.dispute_open):
        return None
    text = explain.promise_rest(view)
    return (text, not view.dispute_open) if text is not None else None


def _propose_the_rest(turn: Turn, part: Decimal) -> bool:
    """The rest's day was said with the part (「先还一千 剩下的下周五还」): once the part is recorded, the rest is
    read back for that day (found live, B005: the borrower was asked to say again what they had said). The
    rest is what the part's read-back named: what is due less the part. True when it was read back."""
    later = calendar_date(turn.tracker.get_slot("promise_next_date"))
    named = _amount(turn.tracker.get_slot("promise_next_amount"))
    turn.set("promise_next_date", None)
    turn.set("promise_next_amount", None)
    if later is None:
        return False
    view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
    rest = remainder(part, view.statement.amount_due_now) if view is not None else None
    if rest is None or rest <= 0:
        return False
    amount = min(named, rest) if isinstance(named, Decimal) and named > 0 else rest
    propose_promise(turn, later.isoformat(), str(amount), rest_of_a_part=True)
    return True


def _say_promise_rest(turn: Turn, rest: tuple[str, bool] | None) -> None:
    if rest is not None:
        text, pressed = rest
        turn.say("utter_account_answer", answer=text, buttons=[PROMISE_BUTTON, PLAN_BUTTON] if pressed else None)


def _ways_on(turn: Turn) -> bool:
    """Say what the borrower can do about what is due now; False (nothing said) when nothing is due."""
    view = plans.collectible_loan(turn.session, turn.borrower_id, turn.today)
    if view is None or view.statement.settled or view.statement.amount_due_now <= 0:
        return False
    turn.say("utter_account_answer", answer=explain.ways_on(view),
             buttons=[HOW_TO_PAY_BUTTON, PROMISE_BUTTON, PLAN_BUTTON, HUMAN_BUTTON])
    return True


def _answer_to_read_back(turn: Turn) -> consent.Answer:
    return consent.Answer(turn.latest_intent, turn.latest_confidence,
                          installment_count=_int(turn.entity("installment_count")),
                          date=_text(turn.entity("date")), amount=_text(turn.entity("amount")), text=turn.text)


class ActionHandleConfirmation(BotAction):
    collection = True
    resumes_flow = False
    """affirm/deny: answers what was last put to the borrower (a plan or a promise)."""

    action_name = "action_handle_confirmation"

    def handle(self, turn: Turn) -> None:
        pending = turn.tracker.get_slot("pending_confirmation")
        intent = turn.latest_intent
        if pending in CASE_ACTIONS:  # 「您是要提出异议吗？」 / 「您是要投诉吗？」 / 「您还好吗？」: the model was not sure
            turn.set("pending_confirmation", None)
            before = turn.tracker.get_slot("read_back_before_question")
            if before:
                turn.set("read_back_before_question", None)
            action = CASE_ACTIONS[pending]()
            if action.is_yes(turn):
                action.open(turn)
            else:
                action.not_meant(turn)
                if before in ("plan", "promise") and turn.verified:
                    # found live (B003): the 60-month plan read back, 「累了 毁灭吧」 asked about, 「不是 我是说60期
                    # 就行」: the read-back was dropped and 「确认」 then got 「还有什么可以帮您？」
                    turn.set("pending_confirmation", before)
                    turn.say("utter_resume_confirmation", buttons=CONFIRM_BUTTONS)
            return
        if pending is None or not turn.verified:
            if intent == "deny" and turn.previous_action == "action_handoff" and withdraw(turn.session,
                                                                                        turn.conversation_id):
                turn.say("utter_handoff_withdrawn")  # 「算了 不用了」 right after 转人工
            elif intent == "deny" and turn.previous_action == "action_open_complaint":
                # 「算了 不投诉了」 right after the ticket (found live: 「还有什么可以帮您？」): a ticket is a person's to
                # close (compliance rule 11), and how. A plain 「不用了」 answers the ticket's own question, whether
                # to go on about repaying (found live: it was told how to withdraw the complaint): rule 11, then no
                turn.say("utter_complaint_called_off" if TAKES_BACK.search(turn.text) else "utter_complaint_no_collection")
            elif intent == "deny" and explain.tells_of_hard_times(turn.text):
                # 「我没说不还 就是最近困难」 (found live): a hardship told, not a plain no
                ActionRecordHardship().handle(turn)
            elif intent == "deny" and refuses_to_pay(turn.text):
                view = turn.own_loan()
                turn.say("utter_account_answer", answer=explain.refusal(view),
                         buttons=[PLAN_BUTTON, PROMISE_BUTTON, HUMAN_BUTTON])
            elif turn.verified and explain.asks_about_rest(turn.text) and (rest := _promise_rest(turn)) is not None:
                _say_promise_rest(turn, rest)  # 「那剩下的呢」 after half was promised (found live), not 「还有什么可以帮您」
            elif intent == "affirm" and turn.verified and turn.entity("installment_count") is not None:
                # 「好吧 就60期」 after the menu (found live, B003): that term's disclosure, not 「还有什么可以帮您」
                ActionOfferPlans().handle(turn)
            elif intent == "affirm" and turn.verified and explain.asks_what_to_do(turn.text):
                # 「行吧 那你说怎么办」 after the consequences (found live): the ways on, not 「还有什么可以帮您」
                if not _ways_on(turn):
                    turn.say("utter_anything_else")
            elif intent == "deny" and _NOTHING_MORE.match((turn.text or "").strip()):
                turn.say("utter_goodbye")
            else:
                turn.say("utter_anything_else")
            return
        answer = _answer_to_read_back(turn)
        reading = consent.read_answer(pending, answer, term=_int(turn.tracker.get_slot("plan_term")),
                                      date=turn.tracker.get_slot("promise_date"),
                                      amount=turn.tracker.get_slot("promise_amount"))
        if reading == consent.UNCLEAR:  # a yes the model only guessed binds nothing: ask again
            turn.say("utter_resume_confirmation", buttons=CONFIRM_BUTTONS)
            return
        if reading == consent.OTHER_TERMS:  # 「那6期呢」: that one's disclosure, to confirm in turn
            if pending == "plan":
                ActionOfferPlans().handle(turn)
            else:
                propose_promise(turn, turn.entity("date") or turn.tracker.get_slot("promise_date"),
                                turn.entity("amount") or turn.tracker.get_slot("promise_amount"))
            return
        turn.set("pending_confirmation", None)
        if reading != consent.CLEAR_YES:
            if (pending == "plan" and turn.verified and turn.entity("date") is not None
                    and explain.says_when_paying(turn.text)):
                # 「算了 还是不分期了 我15号先还三千五吧」 (found by a probe: the plan declined, the promise dropped):
                # the promise read back instead
                turn.say("utter_account_answer", answer="好的，不办理分期。")
                propose_promise(turn, turn.entity("date"), turn.entity("amount"))
                return
            turn.say("utter_not_done")
            return
        try:
            if pending == "plan":
                term = _int(turn.tracker.get_slot("plan_term"))
                key = f"{turn.conversation_id}:plan:{term}:{turn.today.isoformat()}"
                plan, _ = plans.accept_plan(turn.session, turn.borrower_id, term, turn.today,
                                            conversation_id=turn.conversation_id, idempotency_key=key)
                schedule = "；".join(f"第{i.number}期{explain.cn_date(i.due_date)}还{yuan(i.principal + i.interest)}元"
                                    for i in plan.installments[:3])
                turn.say("utter_plan_accepted", term=plan.term_months, monthly=yuan(plan.monthly_payment),
                         first=explain.cn_date(plan.installments[0].due_date), total=yuan(plan.total_repayment),
                         schedule=schedule + ("……" if plan.term_months > 3 else ""))
            elif pending == "promise":
                date = calendar_date(turn.tracker.get_slot("promise_date"))
                amount = Decimal(str(turn.tracker.get_slot("promise_amount")))
                key = f"{turn.conversation_id}:promise:{date}:{amount}"
                promises.record(turn.session, turn.borrower_id, date, amount, turn.today,
                                conversation_id=turn.conversation_id, idempotency_key=key)
                turn.say("utter_promise_recorded", date=explain.cn_date(date), amount=yuan(amount))
                if not _propose_the_rest(turn, amount):
                    # 「只能还一半」: the other half is not forgotten; but not pressed while a dispute is open
                    # (rule 10: collection pauses; found by a probe, with a 约定还款日期 button)
                    _say_promise_rest(turn, _promise_rest(turn, unasked=True))
        except RuleViolation as exc:
            turn.say("utter_plan_declined", buttons=[HUMAN_BUTTON], reason=str(exc))
