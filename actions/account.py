"""Account answers, personalised from the ledger as of the bot's clock (after verification)."""
from __future__ import annotations

from bot.dialogue import explain
from bot.services.plans import collectible_loan
from actions.common import BotAction, Turn


class _LoanAnswer(BotAction):
    collection = True
    needs_verification = True
    response = "utter_account_answer"

    def explain(self, view) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, turn: Turn) -> None:
        view = collectible_loan(turn.session, turn.borrower_id, turn.today)
        if view is None:
            turn.say("utter_no_loan")
            return
        turn.say(self.response, answer=self.explain(view))


class ActionAnswerBalance(_LoanAnswer):
    action_name = "action_answer_balance"

    def explain(self, view):
        return explain.balance(view)


class ActionAnswerDueDate(_LoanAnswer):
    action_name = "action_answer_due_date"

    def explain(self, view):
        return explain.due_date(view)


class ActionAnswerOverdueReason(_LoanAnswer):
    action_name = "action_answer_overdue_reason"

    def explain(self, view):
        return explain.overdue_reason(view)


class ActionAnswerPenalty(_LoanAnswer):
    action_name = "action_answer_penalty"

    def explain(self, view):
        return explain.penalty(view)


class ActionAnswerEarlyRepayment(_LoanAnswer):
    action_name = "action_answer_early_repayment"

    def explain(self, view):
        return explain.early_repayment(view)


class _GeneralAnswer(BotAction):
    """Questions with a general, lawful answer for anyone, personalised once verified."""

    def explain(self, view) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, turn: Turn) -> None:
        view = collectible_loan(turn.session, turn.borrower_id, turn.today) if turn.verified else None
        turn.say("utter_account_answer", answer=self.explain(view))


class ActionAnswerCreditImpact(_GeneralAnswer):
    action_name = "action_answer_credit_impact"

    def explain(self, view):
        return explain.credit_impact(view)


class ActionAnswerConsequences(_GeneralAnswer):
    action_name = "action_answer_consequences"

    def explain(self, view):
        return explain.consequences(view)


class ActionAnswerHowToPay(_GeneralAnswer):
    action_name = "action_answer_how_to_pay"

    def explain(self, view):
        return explain.how_to_pay(view)


class ActionCheckPayment(BotAction):
    """inform_paid: look in the ledger and say what we find (a payment claim beats the question)."""

    collection = True
    action_name = "action_check_payment"
    needs_verification = True

    def handle(self, turn: Turn) -> None:
        view = collectible_loan(turn.session, turn.borrower_id, turn.today)
        if view is None:
            turn.say("utter_no_loan")
            return
        turn.say("utter_account_answer", answer=explain.payment_check(view))
