"""Account answers, personalised from the ledger as of the bot's clock (after verification)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Callable

from bot.dialogue import explain
from bot.dialogue.missed_promise import missed_at
from bot.handoff.queue import request_handoff, wait_hint
from bot.plans.offers import make_offer
from bot.services import cases
from bot.services.plans import collectible_loan, plan_options
from actions.common import HOW_TO_PAY_BUTTON, HUMAN_BUTTON, REGISTRY, BotAction, Turn, decimal_amount

#: What answers each question of the contract. The first five need the borrower's loan; the rest
#: have a general answer for anyone (``None``: before verification), personalised once verified.
QUESTION_ANSWERS: dict[str, Callable] = {
    "ask_balance": explain.balance,
    "ask_due_date": explain.due_date,
    "ask_overdue_reason": explain.overdue_reason,
    "ask_penalty": explain.penalty,
    "ask_early_repayment": explain.early_repayment,
    "ask_credit_impact": explain.credit_impact,
    "ask_consequences": explain.consequences,
    "how_to_pay": explain.how_to_pay,
}


def dispute_answered(turn: Turn, view=None) -> bool:
    """With a dispute open on the borrower's loan, a question about its check or about collection
    meanwhile gets where it stands (compliance rule 10; found live: 「那核实要多久」 was out of scope,
    「核实期间还会催我吗」 got the consequences and 「可以申请分期」). True when it answered."""
    if not explain.asks_about_dispute(turn.text):
        return False
    if turn.verified:
        view = view or collectible_loan(turn.session, turn.borrower_id, turn.today)
        if view is None or not view.dispute_open:
            return False
    elif turn.tracker.get_slot("third_party") or cases.open_in_conversation(
            turn.session, turn.conversation_id, "dispute") is None:
        return False  # unverified: only a dispute this conversation opened (「有人冒用我身份证」, then 「咋证明」)
    from bot.compliance.policy import POLICY

    turn.say("utter_account_answer", buttons=[HUMAN_BUTTON], answer=explain.dispute_status(
        POLICY.dispute_review_working_days, turn.text, verified=turn.verified))
    return True


def case_number_answered(turn: Turn) -> bool:
    """「工单号多少」 with a dispute or complaint open: its reference (found live, right after a complaint:
    read as ask_balance and told the debt). True when it answered."""
    if not turn.verified or not explain.asks_case_number(turn.text):
        return False
    open_cases = cases.open_cases_of(turn.session, turn.borrower_id)
    if not open_cases:
        return False
    turn.say("utter_account_answer", buttons=[HUMAN_BUTTON], answer=explain.case_numbers(
        [(case.kind, case.reference, case.opened_at.date()) for case in open_cases]))
    return True


def someone_else_answered(turn: Turn) -> bool:
    """「帮我查下张伟欠多少」 from a borrower verified as someone else (found by a probe, verified as B007: the
    borrower's own figures, with no word that 张伟's could not be given). True when it answered."""
    if not turn.verified:
        return False
    from bot.db import models as m
    from bot.nlu.entities import looks_like_a_name

    row = turn.session.get(m.Borrower, turn.borrower_id)
    if row is None:
        return False
    names = [str(v) for v in turn.entity_values("person_name") if v]
    names += [m_.group(1) for m_ in _ASKS_ABOUT_NAMED.finditer(turn.text or "") if looks_like_a_name(m_.group(1))]
    tails = [str(v).upper() for v in turn.entity_values("id_last4") if v]
    other_name = any(name != row.name and name not in row.name for name in names)
    other_tail = any(tail != str(row.id_last4).upper() for tail in tails)
    if not (other_name or other_tail):
        return False
    turn.say("utter_only_own_account")  # compliance rule 2: nobody's affairs but their own
    return True


#: 「帮我查下张伟欠多少」, 「查查王强的账」: a name asked about
_ASKS_ABOUT_NAMED = re.compile(r"(?:查|问)(?:一下|一查|下|查)?([\u4e00-\u9fff]{2,3}?)(?:的|还|欠|借|有|账|现在|目前|这个|那个|多少)")


def loan_state_answered(turn: Turn, view) -> bool:
    """What the loan's state answers whatever the question: a dispute open (its check, proof offered),
    a settled loan still chased, the promises on record asked for. True when it answered."""
    return dispute_answered(turn, view) or still_collected_answered(turn, view) or promises_listed(turn, view)


def promises_listed(turn: Turn, view) -> bool:
    """「我的还款承诺有哪些」 (found by a probe: read as how_to_pay, the ways to pay twice): the promises on record."""
    if view is None or not explain.asks_for_promises_listed(turn.text):
        return False
    turn.say("utter_account_answer", answer=explain.promises_on_record(view))
    return True


def still_collected_answered(turn: Turn, view) -> bool:
    """A settled borrower who says they are still chased (「为啥还给我发催收短信」, found live: told it is
    settled, again): no collection from us, what it may be, and a person. True when it answered."""
    if view is None or not view.statement.settled:
        return False
    if explain.says_still_collected(turn.text):
        turn.say("utter_account_answer", answer=explain.STILL_COLLECTED_WHEN_SETTLED, buttons=[HUMAN_BUTTON])
        return True
    if explain.says_still_shown_owing(turn.text):  # 「为啥app还显示我欠钱」: a check offered (found by a probe)
        turn.say("utter_account_answer", answer=explain.STILL_SHOWN_WHEN_SETTLED, buttons=[HUMAN_BUTTON])
        return True
    return False


class _QuestionAnswer(BotAction):
    question = ""  # a key of QUESTION_ANSWERS
    about_our_loan = True

    def explain(self, view) -> str:
        return QUESTION_ANSWERS[self.question](view)

    def answer(self, turn: Turn, view) -> str:
        """What to say; a subclass may read the message (an amount, what it asks about)."""
        return self.explain(view)

    @staticmethod
    def once(turn: Turn, full: str, again: Callable[[], str | None]) -> str:
        """``full``, unless the bot already sent it in this conversation: then ``again()``, the short
        answer (found live: the same long paragraph given two and three times), if it has one."""
        return (turn.said_text(full) and again()) or full

    def owed_too(self, turn: Turn, view, said: str) -> str:
        """``said``, and what is owed, or when the next payment falls due, when the message asks that too
        (found live: 「我到底欠多少 罚息凭什么这么多」 got the penalty and not what is owed); the penalty's
        computation and the credit report likewise (found by a probe: 「罚息怎么算的 还有会不会上征信」 got the
        credit report only)."""
        if view is None:
            return said
        if self.question != "ask_penalty" and explain.asks_penalty_too(turn.text):
            penalty = explain.penalty(view)
            said += penalty if penalty not in said else ""
        if self.question != "ask_credit_impact" and explain.asks_credit_too(turn.text) and "征信" not in said:
            said += explain.credit_impact(view)
        if self.question != "ask_balance" and explain.asks_balance_too(turn.text):
            said += explain.owed_now(view, said)
        if self.question != "ask_due_date" and explain.asks_due_date_too(turn.text):
            said += explain.next_due(view, said)  # 「我欠多少 啥时候还 罚息咋算」 (found live: no due date)
        if self.question != "how_to_pay" and explain.asks_how_too(turn.text) and "App“还款”页面" not in said:
            said += explain.HOW_TO_PAY_SHORT  # 「啥时候扣 app里咋还」 (found live: only the due date)
        return said


class _LoanAnswer(_QuestionAnswer):
    collection = True
    needs_verification = True
    response = "utter_account_answer"

    def handle(self, turn: Turn) -> None:
        if case_number_answered(turn) or someone_else_answered(turn):
            return
        view = collectible_loan(turn.session, turn.borrower_id, turn.today)
        if loan_state_answered(turn, view):  # 「会被催收吗」: the loan loaded once
            return
        if view is None:
            turn.say("utter_no_loan")
            return
        said = self.owed_too(turn, view, self.answer(turn, view))
        if view.dispute_open and "异议" not in said:
            said += explain.UNDER_DISPUTE
        turn.say(self.response, answer=said)

    def before_verification(self, turn: Turn) -> str | None:
        return explain.general_rule(self.question)

def _plan_read_back(turn: Turn, view):
    """The plan read back and waiting for the borrower's yes, as offered (the term in ``plan_term``), or None."""
    term = turn.tracker.get_slot("plan_term")
    if turn.tracker.get_slot("pending_confirmation") != "plan" or not isinstance(term, (int, float)):
        return None
    return make_offer(view.statement.payoff, view.apr, int(term), turn.today)


def _named_amount(turn: Turn):
    """The first positive amount the message names, or None."""
    return next((a for a in map(decimal_amount, turn.entity_values("amount")) if a is not None and a > 0), None)


class ActionAnswerBalance(_LoanAnswer):
    action_name = "action_answer_balance"
    question = "ask_balance"

    def answer(self, turn: Turn, view) -> str:
        """「那剩下的呢」 after part of what is due was promised (found live, read as ask_balance: the
        whole balance again): the rest beyond the open promises."""
        if explain.asks_about_rest(turn.text) and view.open_promises:
            rest = explain.promise_rest(view)
            if rest is not None:
                return rest
        if (explain.asks_if_paid(turn.text) and not view.statement.settled and view.statement.amount_due_now > 0
                and not any(day > turn.today for day in turn.days())):
            # 「今天还2781.86是不是就不逾期了」 (found by a probe: the balance, and no yes or no)
            return explain.if_paid_today(view, _named_amount(turn))
        if explain.asks_how_many_left(turn.text):  # 「我还有几期没还」: the installments, not only the amount
            return explain.installments_left(view)
        if explain.asks_to_pay_part(turn.text):  # 「现在能还多少算多少吗」: yes, and where a part goes
            return explain.paying_part(view)
        day = self.later_day(turn, view)
        paid = explain.amount_paid(turn.text, turn.message.get("entities") or []) if day is not None else None
        if paid is not None:  # 「那20号还完2000还剩多少」: what that day finds, less what is paid then
            return explain.owed_on_after_paying(view, day, paid)
        return explain.owed_on(view, day) if day is not None else self.explain(view)

    @staticmethod
    def later_day(turn: Turn, view):
        """The later day asked about: a date in the message (「12月8号那天要还多少」), or the day of the
        open promise when the message points at it (「到时候扣多少」); None for today or a past day."""
        day = next(iter(turn.days()), None)
        if day is None and view.open_promises and explain.refers_to_then(turn.text):
            day = max(view.open_promises, key=lambda p: p.id).promised_date
        return day if day is not None and day > turn.today else None


class ActionAnswerDueDate(_LoanAnswer):
    action_name = "action_answer_due_date"
    question = "ask_due_date"

    def answer(self, turn: Turn, view) -> str:
        """「今天是还款日吗 几点前还算按时」 (found live, B005): the time answered first; asked again
        (「晚上12点前还都可以吗」 got the same paragraph), the time alone."""
        if explain.asks_if_debited(turn.text):  # 「这个月扣款了吗」: whether it ran, then when the next runs
            return explain.debit_status(view)
        if explain.asks_about_promises(turn.text):  # 「我约的啥时候还来着」: the promises on record
            return explain.promises_on_record(view)
        offer = _plan_read_back(turn, view)
        if offer is not None:  # 「每个月几号扣」 while a plan is read back: the plan's days, not the loan's
            return explain.plan_due_dates(offer)
        full = self.explain(view)
        if explain.asks_if_debited_again(turn.text) and not view.statement.settled:
            return explain.debited_again(view)  # found by a probe: 「那它还会再扣吗」 got the due dates
        if explain.asks_about_holiday(turn.text) and not view.statement.settled:
            return explain.holiday_rule(view) + full  # 「国庆放假会扣款吗」: the rule, then this loan's days
        if explain.wages_after_due_day(turn.text) and not view.statement.settled:
            return explain.due_day_fixed(view)  # 「我每月25号发工资 20号扣不到钱怎么办」 (found live, B004)
        in_time = explain.in_time(view) if explain.asks_if_in_time(turn.text) else None
        if in_time is not None:  # 「今天还来得及吗」
            return in_time
        if not explain.asks_about_cutoff(turn.text) or view.statement.settled:
            return full
        with_time = explain.DUE_DAY_CUTOFF + full
        return explain.DUE_DAY_CUTOFF if turn.said_text(with_time) or turn.said_text(full) else with_time


class ActionAnswerOverdueReason(_LoanAnswer):
    action_name = "action_answer_overdue_reason"
    question = "ask_overdue_reason"

    def handle(self, turn: Turn) -> None:
        """Asked again once answered (found live: 「我卡里明明有钱啊」 got the same paragraph twice):
        the bank's record, how to have it checked, and a person."""
        view = collectible_loan(turn.session, turn.borrower_id, turn.today)
        if view is None:
            turn.say("utter_no_loan")
            return
        if explain.asks_if_debited(turn.text):  # 「这个月的扣了没」: what became of the latest debit, and the next
            turn.say(self.response, answer=explain.debit_status(view))
            return
        full = self.answer(turn, view)
        said = self.once(turn, full, lambda: explain.overdue_reason_questioned(view))
        turn.say(self.response, answer=self.owed_too(turn, view, said),
                 buttons=[HUMAN_BUTTON, HOW_TO_PAY_BUTTON] if said != full else [])


class ActionAnswerPenalty(_LoanAnswer):
    action_name = "action_answer_penalty"
    question = "ask_penalty"

    def answer(self, turn: Turn, view) -> str:
        """Asked about interest (利息, 利率, not 罚息): the plan's while one waits for confirmation,
        else the loan's contract rate; the penalty computation otherwise."""
        if turn.previous_answer == "action_answer_early_repayment" and explain.asks_about_fee(turn.text):
            # 「有违约金吗」 right after the payoff (found live, B004) got how the penalty is computed
            return explain.early_repayment_again(view)
        if turn.previous_answer == "action_answer_early_repayment" and explain.asks_why_so_much(turn.text):
            return explain.payoff_why(view)  # 「为啥这么多」 right after the payoff: what it is made of
        paid = explain.amount_paid(turn.text, turn.message.get("entities") or [])
        if paid is not None:  # 「一千块还进去以后罚息还涨吗」: what is left overdue, and a day's penalty then
            return explain.penalty_after_paying(view, paid)
        later = next((day for day in turn.days() if day > turn.today), None)
        if later is not None and view.statement.amount_due_now > 0 and not explain.asks_about_interest(turn.text):
            # 「我明天再还会有罚息吗」 (found by a probe, B002 on the last grace day: told 「现在还清不收罚息」):
            # what that day will find, and, in the grace days, the last day free of penalty
            grows = explain.due_grows(view.statement, view.statement_on(later))
            grace = explain.grace_left(view.statement) if view.statement.in_grace else ""
            if grows is not None:
                return grace + grows
        per_day = explain.penalty_per_day(view) if explain.asks_per_day(turn.text) else None
        if per_day is not None:  # 「逾期一天多少利息」 (found by a probe): a day's penalty, to the fen
            return per_day
        if explain.asks_why_so_much(turn.text) and "罚" not in turn.text and not explain.asks_about_interest(turn.text):
            why = explain.amount_due_why(view)  # 「为啥这么多」: what the amount due is made of
            if why is not None:
                return why
        if not explain.asks_about_interest(turn.text):
            return self.explain(view)
        offer = _plan_read_back(turn, view)
        if offer is not None:
            return explain.plan_interest(offer, view.apr)
        named = _offered_term(turn, turn.entity("installment_count"))
        if named is not None:  # 「那12期的利息是多少」 after the plans were shown: that plan's interest
            return explain.plan_interest(make_offer(view.statement.payoff, view.apr, named, turn.today), view.apr)
        return explain.loan_interest(view, turn.text)


def _offered_term(turn: Turn, count) -> int | None:
    """``count`` when it is a term this borrower is offered now, else None."""
    try:
        term = int(float(count))
    except (TypeError, ValueError):
        return None
    options = plan_options(turn.session, turn.borrower_id, turn.today, verified=True)
    if options is None or not options.eligibility.eligible or term not in options.eligibility.terms:
        return None
    return term


class ActionAnswerEarlyRepayment(_LoanAnswer):
    action_name = "action_answer_early_repayment"
    question = "ask_early_repayment"

    def answer(self, turn: Turn, view) -> str:
        """「我想提前还3000」: what that amount would do; 「下个月的能先还吗」: the next installment (not when it
        is all paid at once: 「下周一次性还完 下个月那期的利息还要付吗」); the payoff otherwise, and in short once
        it was given."""
        try:
            amount = Decimal(str(turn.entity("amount")))
        except (InvalidOperation, ValueError):  # none, 一半 / 全部, or unreadable
            amount = Decimal("0")
        if amount > 0:  # 「以后每期能少点吗」 with it (found live: never answered): the installments stay the same
            same = explain.SAME_INSTALLMENTS if explain.asks_smaller_installments(turn.text) else ""
            return same + explain.partial_prepayment(view, amount)
        if explain.asks_about_next_installment(turn.text) and turn.entity("amount") != "all":
            nxt = explain.next_installment_early(view)
            if nxt is not None:
                return nxt
        if view.statement.settled:
            return self.explain(view)
        if turn.entity("amount") is None and explain.asks_to_prepay_part(turn.text):
            return explain.prepaying_part(view)  # 「只提前还一部分可以吗」 (found by a probe: the payoff again)
        day = next(iter(turn.days()), None)
        if day is not None and day > turn.today:  # 「如果下周一全部还清要多少」 (found live, B004: got today's figure)
            return explain.payoff_on(view, day, asked=True)
        return self.once(turn, self.explain(view), lambda: explain.early_repayment_again(view))


class _GeneralAnswer(_QuestionAnswer):
    """Questions with a general, lawful answer for anyone, personalised once verified."""

    def handle(self, turn: Turn) -> None:
        if turn.tracker.get_slot("third_party") and not turn.verified:
            # compliance rule 2: someone who said they are not the borrower is told only that the bank
            # cannot discuss anyone's affairs, and how the holder can reach it (found live: a wife's
            # 「我可以帮他还吗」 got the ways to pay, as if to the borrower)
            turn.say("utter_third_party_no_verification")
            return
        if someone_else_answered(turn):
            return
        view = turn.own_loan()
        if loan_state_answered(turn, view):
            return
        turn.say("utter_account_answer", answer=self.owed_too(turn, view, self.answer(turn, view)))


class ActionAnswerCreditImpact(_GeneralAnswer):
    action_name = "action_answer_credit_impact"
    question = "ask_credit_impact"

    def answer(self, turn: Turn, view) -> str:
        """「结清证明怎么开」 (the contract puts the settlement certificate here): how to get it first."""
        if explain.asks_for_certificate(turn.text):
            return explain.settlement_certificate(view)
        first = explain.credit_question_answered(turn.text)  # 「还完能不能删掉记录」, 「黑名单」 (found by a probe)
        if explain.asks_how_to_check_credit(turn.text):  # found live: 「怎么查我的征信报告」 got only the rules
            return first + explain.CREDIT_REPORT_HOW + self.explain(view)
        return first + self.explain(view)


class ActionAnswerConsequences(_GeneralAnswer):
    action_name = "action_answer_consequences"
    question = "ask_consequences"

    def answer(self, turn: Turn, view) -> str:
        """One consequence asked about (「会不会找我家里人」, 「你们上门吗」): that one first, and the whole
        answer only when the message asks the general question too (「不还会怎样 会找我家人吗」)."""
        paid = explain.amount_paid(turn.text, turn.message.get("entities") or []) if view is not None else None
        if paid is not None and explain.asks_if_paid(turn.text):
            # 「what if i pay 1000 now」 (found live, B003, read as ask_consequences) got the lawful consequences
            return explain.penalty_after_paying(view, paid)
        if view is not None and explain.asks_if_debited_again(turn.text):
            # 「要是卡里钱不够 会再扣一次吗」 (found by a probe, read as ask_consequences): what a failed debit leads to
            return explain.debited_again(view)
        one = explain.consequence_asked(turn.text)
        if (one is None and view is not None and view.statement.amount_due_now == 0 and not view.statement.settled
                and explain.says_short_of_money(turn.text)):
            # a current borrower: 「我要是20号卡里没钱会咋样」 (found by a probe, B004: the lawful consequences, lawsuits
            # and all): the grace days, the penalty after them, and what can be done
            short = explain.short_on_the_due_day(view)
            if short is not None:
                return short
        if (one is None and view is not None and missed_at(turn.text) is not None
                and not explain.asks_consequences_generally(turn.text) and view.statement.amount_due_now > 0):
            # 「上次不是说好20号还吗 我没还上 不好意思」 (found live, B006, read as ask_consequences) is an apology,
            # not a question: got the lawful consequences; no blame, the promise on record and the ways on
            return explain.promise_missed(view)
        fear = explain.criminal_fear_answer(turn.text)
        if one is None:
            return fear + self.explain(view)
        return one + self.explain(view) if explain.asks_consequences_generally(turn.text) else one


class ActionAnswerHowToPay(_GeneralAnswer):
    action_name = "action_answer_how_to_pay"
    question = "how_to_pay"

    def handle(self, turn: Turn) -> None:
        if (turn.verified and turn.entity("date") is not None and explain.says_when_paying(turn.text)
                and not turn.tracker.get_slot("third_party")):
            # 「行 那我明天用我自己另一张卡还」 (found live, B007) got the list of ways to pay again: a day said
            # with paying is a promise (the contract's promise_to_pay > how_to_pay)
            REGISTRY["action_propose_promise"].handle(turn)
            return
        super().handle(turn)

    def answer(self, turn: Turn, view) -> str:
        """「可以用我妈的卡还吗」: that question answered first (bot/dialogue/explain/paying.py); the ways once
        given, the short personal answer instead of the same paragraph again; 「怎么操作」 right after
        the payoff, how to repay early."""
        if (turn.previous_answer == "action_answer_early_repayment" and view is not None and not view.statement.settled
                and explain.specific_way_to_pay(view, turn.text) is None):
            return explain.HOW_TO_REPAY_EARLY
        full = explain.how_to_pay(view, turn.text)
        if view is None or view.statement.settled:
            return full
        in_time = explain.in_time(view) if explain.asks_if_in_time(turn.text) else None
        if in_time is not None:  # 「现在换卡来得及吗」
            return in_time
        if view.statement.amount_due_now == 0 and explain.says_short_of_money(turn.text):
            return explain.short_on_the_due_day(view) or full
        if explain.asks_to_change_card(turn.text) and explain.card_problem(view) is None:
            # 「我的卡换了 咋换绑」 (found by a probe, B004: told to keep money on the old card for the debit)
            return explain.change_card_how(view)
        if explain.says_card_is_set(turn.text):  # 「换好了」: what now, never the list of ways again
            return explain.how_to_pay_again(view, turn.text)
        if turn.said_text(full):
            return self.once(turn, full, lambda: explain.how_to_pay_again(view, turn.text))
        situation = explain.own_situation(view)
        if situation and situation in full and full != situation and turn.said_within(situation):
            # the card to see to and not to wait, said once (found live, B007: at the end of two answers in a row)
            return full.replace(situation, "")
        return full


class ActionCheckPayment(BotAction):
    """inform_paid: look in the ledger and say what we find (a payment claim beats the question)."""

    collection = True
    action_name = "action_check_payment"
    about_our_loan = True
    needs_verification = True

    def handle(self, turn: Turn) -> None:
        view = collectible_loan(turn.session, turn.borrower_id, turn.today)
        if view is None:
            turn.say("utter_no_loan")
            return
        if loan_state_answered(turn, view):  # 「我有转账记录」 in a dispute: how to give the proof
            return
        opted_out = cases.latest_opt_out(turn.session, turn.borrower_id) if explain.asks_about_reminders(turn.text) else None
        if opted_out is not None:  # 「刚才说的退订记上了吗」 asks after the opt-out, claims no payment
            turn.say("utter_account_answer", answer=explain.reminders_stopped(view, opted_out.recorded_at.date()))
            return
        if explain.asks_about_promises(turn.text) and view.open_promises and not explain.asks_if_debited(turn.text):
            # 「15号那个记上了吧」 asks after a promise (found by a probe: 「没有查到…还款入账」)
            turn.say("utter_account_answer", answer=explain.promises_on_record(view))
            return
        if explain.asks_if_debited(turn.text):  # 「上个月的扣成功了没」 asks about the debit, claims no payment
            turn.say("utter_account_answer", answer=explain.debit_status(view))
            return
        if explain.asks_if_paid(turn.text) and not view.statement.settled and view.statement.amount_due_now > 0:
            # 「今天还了是不是就不算逾期了」 (found live, B005) asks what paying would do, and got 「没有查到…还款入账」
            turn.say("utter_account_answer", answer=explain.if_paid_today(view, _named_amount(turn)))
            return
        said_days = [day for day in turn.days() if day < turn.today]  # 「我上个月20号就还了」: since that day
        period = explain.since_said(turn.text, turn.today) if not said_days else None  # 「上个月转了2000」
        checked = explain.payment_check(view, since=min(said_days) if said_days else period)
        not_found = checked.startswith(explain.PAYMENT_NOT_FOUND)
        claimed = _named_amount(turn)
        missing = explain.claimed_not_found(view, claimed, since=min(said_days) if said_days else period)
        if missing and not not_found:
            # 「我转了2000」 and 500 found (found by a probe, B007: the 500 reported, the 2000 never mentioned)
            turn.say("utter_account_answer", answer=checked + missing, buttons=[HUMAN_BUTTON])
            return
        if not_found and turn.said_text(checked):
            # the borrower insists, or offers proof (found live: 「我有转账截图」 got the same paragraph again,
            # with no button and no person): a person checks it
            turn.say("utter_account_answer", answer=explain.PAYMENT_TO_A_PERSON)
            request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "payment_check")
            turn.say("utter_handoff_wait", wait_hint=wait_hint("payment_check"))
            return
        turn.say("utter_account_answer", answer=checked, buttons=[HUMAN_BUTTON] if not_found else None)