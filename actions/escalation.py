"""Stop rules (compliance 2, 9–12) and handoff to a person."""
from __future__ import annotations

from bot.handoff.queue import request_handoff, wait_hint
from bot.services import cases
from bot.services.plans import collectible_loan
from actions.common import CONFIRM_BUTTONS, BotAction, Turn

#: below this intent confidence a dispute or a complaint is asked about before its case is opened (typed
#: ones such as 「这钱不是我借的」, 「我要投诉」 parse at 0.9 and more with the project model; a button's
#: payload at 1.0). Found live: 「我只有1500」 opened a dispute at 0.52, 「那你们再扣一次呗」 a complaint at 0.21
CONFIRM_CASE_BELOW = 0.6


class _CaseAction(BotAction):
    """Opens a case (``kind``) at once when the model is sure of the intent; else asks first, and
    ``action_handle_confirmation`` opens it on a clear yes (``pending_confirmation`` = ``kind``)."""

    kind = ""

    def handle(self, turn: Turn) -> None:
        if turn.latest_confidence < CONFIRM_CASE_BELOW:
            turn.set("pending_confirmation", self.kind)
            turn.say(f"utter_{self.kind}_confirm", buttons=CONFIRM_BUTTONS)
            return
        self.open(turn)

    def open(self, turn: Turn) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


#: the case actions by what ``pending_confirmation`` holds while one is asked about
CASE_ACTIONS: dict[str, type[_CaseAction]] = {}

FAMILY_WORDS = ("家人", "家里", "父母", "老婆", "老公", "孩子", "单位", "公司", "领导", "同事", "朋友", "通讯录", "紧急联系人")


def _loan_id(turn: Turn) -> str | None:
    if not turn.verified:
        return None
    view = collectible_loan(turn.session, turn.borrower_id, turn.today)
    return view.loan.id if view else None


class ActionHandoff(BotAction):
    resumes_flow = False
    action_name = "action_handoff"

    def handle(self, turn: Turn) -> None:
        request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "request_human")
        turn.say("utter_handoff", wait_hint=wait_hint())


class ActionHandleDistress(BotAction):
    """Rule 9: care first; collection stops for the rest of the conversation; urgent handoff."""
    resumes_flow = False

    action_name = "action_handle_distress"

    def handle(self, turn: Turn) -> None:
        turn.set("distress", True)
        turn.set("pending_confirmation", None)
        turn.say("utter_distress")
        request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "distress")
        turn.say("utter_handoff_wait", wait_hint=wait_hint("distress"))


class ActionOpenDispute(_CaseAction):
    """Rule 10: a dispute case with an id; collection on the loan pauses; a person is involved."""
    resumes_flow = False

    action_name = "action_open_dispute"
    kind = "dispute"

    def open(self, turn: Turn) -> None:
        case = cases.open_case(turn.session, self.kind, borrower_id=turn.borrower_id, loan_id=_loan_id(turn),
                               conversation_id=turn.conversation_id)
        from bot.compliance.policy import POLICY

        # unverified (a stolen identity is never verified): no loan is named, none is paused yet
        turn.say("utter_dispute_opened" if case.loan_id else "utter_dispute_opened_unverified",
                 reference=case.reference, days=POLICY.dispute_review_working_days)
        request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "dispute")
        turn.say("utter_handoff_wait", wait_hint=wait_hint("dispute"))


class ActionOpenComplaint(_CaseAction):
    """Rule 11: a complaint ticket with an id, answer times, and the regulator's hotline."""
    resumes_flow = False

    action_name = "action_open_complaint"
    kind = "complaint"

    def open(self, turn: Turn) -> None:
        case = cases.open_case(turn.session, self.kind, borrower_id=turn.borrower_id, loan_id=_loan_id(turn),
                               conversation_id=turn.conversation_id)
        turn.say("utter_complaint_opened", reference=case.reference)
        request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "complaint")
        turn.say("utter_handoff_wait", wait_hint=wait_hint("complaint"))


CASE_ACTIONS.update({action.kind: action for action in (ActionOpenDispute, ActionOpenComplaint)})


class ActionStopContact(BotAction):
    """Rule 12: opt-out of proactive messages; requests about family/employer are confirmed."""
    resumes_flow = False

    action_name = "action_stop_contact"

    def handle(self, turn: Turn) -> None:
        about_others = any(word in turn.text for word in FAMILY_WORDS)
        cases.opt_out(turn.session, turn.borrower_id, "family" if about_others else "proactive", turn.conversation_id)
        turn.say("utter_no_third_party_contact" if about_others else "utter_stop_contact")


class ActionHandleThirdParty(BotAction):
    """Rule 2: a third party learns nothing, not even that a debt exists."""
    resumes_flow = False

    action_name = "action_handle_third_party"

    def handle(self, turn: Turn) -> None:
        turn.set("third_party", True)
        turn.set("verified", False)
        turn.set("borrower_id", None)
        turn.set("pending_action", None)
        turn.set("pending_message", None)
        turn.set("pending_confirmation", None)
        turn.say("utter_not_borrower")
