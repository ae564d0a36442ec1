"""Stop rules (compliance 2, 9–12) and handoff to a person."""
from __future__ import annotations

import re

from bot.compliance.distress_signals import FOLLOWUP_RESPONSE, MODEL_ALONE_FROM, PHRASE_KEY as DISTRESS_PHRASE_KEY
from bot.dialogue import consent, explain
from bot.handoff.queue import request_handoff, wait_hint
from bot.nlu.precedence import THE_BORROWER, disowns_the_account
from bot.services import cases
from bot.services.plans import collectible_loan
from actions.common import (CONFIRM_BUTTONS, FAMILY_WORDS, HUMAN_BUTTON, REGISTRY, BotAction, Turn, ask_for_verification,
                            forget_identity)

#: below this intent confidence a dispute or a complaint is asked about before its case is opened (typed
#: ones such as 「这钱不是我借的」, 「我要投诉」 parse at 0.9 and more with the project model; a button's
#: payload at 1.0). Found live: 「我只有1500」 opened a dispute at 0.52, 「那你们再扣一次呗」 a complaint at 0.21
CONFIRM_CASE_BELOW = 0.6


class _CaseAction(BotAction):
    """Opens a case (``kind``) at once when the model is sure of the intent; else asks first, and
    ``action_handle_confirmation`` opens it on a yes (``pending_confirmation`` = ``kind``)."""

    kind = ""
    buttons = CONFIRM_BUTTONS
    #: a dispute or a complaint is a case with a reference, which may be asked after or taken back
    files_a_case = True

    def handle(self, turn: Turn) -> None:
        if self.taken_back(turn) or self.already_open(turn):
            return
        if not self.sure(turn):
            waiting = turn.tracker.get_slot("pending_confirmation")
            if waiting in ("plan", "promise"):  # asked again if this was not meant (ActionHandleConfirmation)
                turn.set("read_back_before_question", waiting)
            turn.set("pending_confirmation", self.kind)
            turn.say(f"utter_{self.kind}_confirm", buttons=self.buttons)
            return
        self.open(turn)

    def sure(self, turn: Turn) -> bool:
        return turn.latest_confidence >= CONFIRM_CASE_BELOW

    def taken_back(self, turn: Turn) -> bool:
        """「那个异议不要了 是我记错了」 (found live: dispute_debt at 0.79 while the bot asked whether a dispute was
        meant, and a dispute was opened): the question answered no; a case already open is a person's to
        withdraw. True when it answered."""
        if not self.files_a_case or not TAKES_BACK.search(turn.text):
            return False
        if turn.tracker.get_slot("pending_confirmation") == self.kind:
            turn.set("pending_confirmation", None)
            self.not_meant(turn)
            return True
        open_here = [c for c in cases.open_cases_of(turn.session, turn.borrower_id, self.kind)] if turn.verified else []
        if not open_here:
            self.not_meant(turn)
            return True
        turn.say(f"utter_{self.kind}_called_off")
        if self.kind == "dispute":
            request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "dispute")
            turn.say("utter_handoff_wait", wait_hint=wait_hint("dispute"))
        return True

    def already_open(self, turn: Turn) -> bool:
        """A case of this kind the borrower opened in an earlier conversation is still open: where it
        stands, and no second case (found live: 「我的异议处理得咋样了」 opened a second dispute). True when
        it answered."""
        if not self.files_a_case or not turn.verified:
            return False
        if self.kind == "complaint" and not ASKS_HOW_IT_STANDS.search(turn.text):
            return False  # a new complaint gets its own ticket (found live: a collector's threat folded into an old one)
        earlier = [case for case in cases.open_cases_of(turn.session, turn.borrower_id, self.kind)
                   if case.conversation_id != turn.conversation_id]
        if not earlier:
            return False
        from bot.compliance.policy import POLICY

        days = POLICY.dispute_review_working_days if self.kind == "dispute" else POLICY.complaint_answer_days
        turn.set("pending_confirmation", None)
        turn.say("utter_account_answer", buttons=[HUMAN_BUTTON], answer=explain.case_already_open(
            self.kind, earlier[0].reference, earlier[0].opened_at.date(), days))
        return True

    def is_yes(self, turn: Turn) -> bool:
        """Whether the answer to ``utter_<kind>_confirm`` means it."""
        return consent.is_clear_yes(turn.latest_intent, turn.latest_confidence)

    def not_meant(self, turn: Turn) -> None:
        turn.say("utter_not_done")

    def open(self, turn: Turn) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


#: a case asked after, not a new one told: 「我上午投诉的处理到哪了」, 「投诉有结果了吗」
ASKS_HOW_IT_STANDS = re.compile(r"进度|进展|处理得?(怎么样|咋样|到哪|如何)|到哪了|结果|答复|回复了?吗|工单|编号|受理")
#: taking back a dispute or complaint: 「那个异议不要了 是我记错了」, 「异议撤销吧」, 「不投诉了」
TAKES_BACK = re.compile(r"不要了|记错|搞错|弄错|想起来了|撤销|撤回|不投诉|不提异议")

#: the case actions by what ``pending_confirmation`` holds while one is asked about
CASE_ACTIONS: dict[str, type[_CaseAction]] = {}

#: a declared third party asking for the borrower (「你们别老给她打电话了」: precedence.THE_BORROWER), not for
#: themselves (「别再打给我了」)
FOR_THEMSELVES = re.compile(r"(?:打给|打|联系|找|骚扰|打扰|发给|发|催)我|我的(?:电话|手机|号)")


def _loan_id(turn: Turn) -> str | None:
    if not turn.verified:
        return None
    view = collectible_loan(turn.session, turn.borrower_id, turn.today)
    return view.loan.id if view else None


class ActionHandoff(BotAction):
    resumes_flow = False
    action_name = "action_handoff"

    def handle(self, turn: Turn) -> None:
        # a borrower in distress asking for a person is served first (rule 9; found by a probe: queued 普通)
        reason = "distress" if turn.tracker.get_slot("distress") else "request_human"
        request_handoff(turn.session, turn.conversation_id, turn.borrower_id, reason)
        turn.say("utter_handoff", wait_hint=wait_hint(reason))


#: the model alone (no distress phrase of bot/compliance/distress_signals.py in the message) is taken at its
#: word from here; below, the bot asks how the borrower is, with the crisis line, before the crisis reply.
#: Found live: 「对了 我换了手机号 要跟你们说吗」, express_distress at 0.22, got the crisis reply and an urgent
#: handoff. Out of fold (bot nlu eval --cross-validation 5, reports/nlu_cv_errors.tsv) every express_distress
#: the model gave a message without a distress phrase was wrong, up to 0.86 (「世界杯谁赢了」; 「我走了」 0.77),
#: and 163 of the 166 distress training examples hold a phrase
DISTRESS_MODEL_ALONE_FROM = MODEL_ALONE_FROM
DISTRESS_BUTTONS = [{"title": "是的，我很难受", "payload": "/affirm"}, {"title": "不是", "payload": "/deny"}]


class ActionHandleDistress(_CaseAction):
    """Rule 9: care first; collection stops for the rest of the conversation; urgent handoff. When only
    the model, unsure, says distress: asked first, the crisis line given (``DISTRESS_MODEL_ALONE_FROM``)."""
    resumes_flow = False

    action_name = "action_handle_distress"
    kind = "distress"
    files_a_case = False
    warns_of_scams = False
    buttons = DISTRESS_BUTTONS

    def sure(self, turn: Turn) -> bool:
        return bool(turn.message.get(DISTRESS_PHRASE_KEY) or turn.latest_confidence >= DISTRESS_MODEL_ALONE_FROM
                    or turn.tracker.get_slot("distress") or turn.tracker.get_slot("pending_confirmation") == self.kind)

    def is_yes(self, turn: Turn) -> bool:
        return turn.latest_intent in ("affirm", "express_distress")  # asked how they are: any yes is taken

    def not_meant(self, turn: Turn) -> None:
        turn.say("utter_distress_not_meant")

    def open(self, turn: Turn) -> None:
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

    def sure(self, turn: Turn) -> bool:
        """A question whether there is a debt (「我在你们这借过钱吗」) is asked about first, however sure the
        model is: a case pauses collection and calls a person."""
        return super().sure(turn) and not explain.asks_if_borrowed(turn.text)

    def open(self, turn: Turn) -> None:
        case = cases.open_case(turn.session, self.kind, borrower_id=turn.borrower_id, loan_id=_loan_id(turn),
                               conversation_id=turn.conversation_id)
        from bot.compliance.policy import POLICY

        # unverified (a stolen identity is never verified): no loan is named, none is paused yet
        turn.say("utter_dispute_opened" if case.loan_id else "utter_dispute_opened_unverified",
                 reference=case.reference, days=POLICY.dispute_review_working_days,
                 how=explain.HOW_DISPUTE_CHECKED)  # rule 10: how it is checked, and when
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
        correction = explain.threat_corrected(turn.text)
        if correction:  # 「催收员说不还就通知我单位 还说要让我坐牢」: the threat is not left standing
            turn.say("utter_account_answer", answer=correction)
        # found by a probe: a wife who said so, complaining, was asked 「您还希望继续办理还款相关的事情吗？」
        turn.say("utter_complaint_opened" if turn.verified else "utter_complaint_opened_unverified",
                 reference=case.reference)
        request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "complaint")
        turn.say("utter_handoff_wait", wait_hint=wait_hint("complaint"))


CASE_ACTIONS.update({action.kind: action for action in (ActionOpenDispute, ActionOpenComplaint, ActionHandleDistress)})


class ActionStopContact(BotAction):
    """Rule 12: opt-out of proactive messages; requests about family/employer are confirmed."""
    resumes_flow = False

    action_name = "action_stop_contact"

    def handle(self, turn: Turn) -> None:
        if turn.tracker.get_slot("distress") and not CONTACT_WORDS.search(turn.text):
            # 「你们别管我了」 right after 「我不想活了」 is despair, not a contact preference (found by a probe: an
            # opt-out was recorded and confirmed drily); care, and nothing recorded (rule 9)
            turn.say(FOLLOWUP_RESPONSE)
            return
        if (turn.tracker.get_slot("third_party") and not turn.verified
                and any(word in turn.text for word in THE_BORROWER) and not FOR_THEMSELVES.search(turn.text)):
            # rule 2: a relative's 「你们别老给她打电话了」 (found live: 「已记录：我们将不再主动给您发送提醒消息」)
            # changes nothing on anyone's account; only the borrower can ask that
            turn.say("utter_third_party_no_verification")
            return
        if turn.tracker.get_slot("third_party") and not turn.verified:
            # rule 12 for someone who is not the borrower (「打错了」 then 「别再发了」): there is no account to
            # record it on, so a person is asked to stop messages to this number (found by a probe: 「已记录」
            # and nothing recorded anywhere)
            request_handoff(turn.session, turn.conversation_id, None, "wrong_number")
            turn.say("utter_account_answer", answer=explain.WRONG_NUMBER_STOP)
            return
        about_others = any(word in turn.text for word in FAMILY_WORDS)
        if not turn.verified and not about_others and not turn.tracker.get_slot("third_party"):
            # the opt-out is recorded for a borrower (rule 12), and unverified there is none (found live: 「退订」
            # before verifying was told 「已记录」); it is recorded once they have verified
            turn.say("utter_stop_contact_needs_identity")
            ask_for_verification(turn, pending=self.action_name, why=False)
            return
        cases.opt_out(turn.session, turn.borrower_id, "family" if about_others else "proactive", turn.conversation_id)
        complained = cases.open_in_conversation(turn.session, turn.conversation_id, "complaint")
        if about_others and complained is not None:
            # 「还打到我单位去了 我要投诉」, then 「以后别给我单位和我爸妈打电话」 (found by a probe: 「请放心，我们不会
            # 联系您的…单位」, flatly against what the borrower had just reported): recorded, and the report kept
            turn.say("utter_account_answer", answer=(
                "已记录：以后不会联系您的家人、同事或单位，也不会向他们透露您的借款信息。您反映的已经联系过的情况，"
                f"已经在投诉（编号{complained.reference}）里登记，会核实处理并答复您。"))
            return
        if about_others and explain.reports_contact(turn.text):
            # 「你们别再给我爸妈打电话了 也别打我单位」 reports calls already made (found by a probe: told flatly 「我们
            # 不会联系您的家人」): recorded, the report taken seriously, and a complaint offered (rule 11)
            turn.say("utter_account_answer", answer=explain.CONTACT_REPORTED, buttons=[COMPLAIN_BUTTON, HUMAN_BUTTON])
            return
        turn.say("utter_no_third_party_contact" if about_others else "utter_stop_contact")
        if turn.verified and turn.entity("date") is not None and explain.says_when_paying(turn.text):
            # 「以后别给我发短信了 烦死了 我月底还」 (found by a probe: the opt-out recorded, the promise dropped)
            REGISTRY["action_propose_promise"].handle(turn)


COMPLAIN_BUTTON = {"title": "我要投诉", "payload": "/complain"}


#: a request about calls or messages in so many words (「别打电话了」, 「退订」): an opt-out even in distress
CONTACT_WORDS = re.compile(r"电话|打来|打给|打我|短信|消息|信息|提醒|通知|联系|退订|骚扰|催收|催我|微信|打了")


class ActionHandleThirdParty(BotAction):
    """Rule 2: a third party learns nothing, not even that a debt exists; factors given with it
    (「我是他老婆 他身份证9150 手机6006」) are not tried."""
    resumes_flow = False
    verifies = False

    action_name = "action_handle_third_party"

    def handle(self, turn: Turn) -> None:
        if turn.verified and not disowns_the_account(turn.message.get("entities") or [], turn.text):
            # a verified borrower asking after someone else's debt (found live: 「她欠多少」 then locked B004
            # out of his own loan) or only the model's guess (「我老公跑了 钱都是他花的」 was not_borrower at
            # 0.42): that person's account stays closed, the borrower's own stays open
            turn.say("utter_only_own_account")
            return
        turn.set("third_party", True)
        turn.set("verified", False)
        turn.set("borrower_id", None)
        turn.set("pending_confirmation", None)
        forget_identity(turn)  # factors given with it are not kept either
        if explain.says_someone_died(turn.text):
            # 「我老公去世了 他的贷款要我还吗」 (found live: 「请他本人…联系我们。打扰您了」): condolence, and a person, who
            # handles a deceased borrower's affairs with the family; still nothing about the account here
            turn.say("utter_bereaved")
            request_handoff(turn.session, turn.conversation_id, None, "bereavement")
            turn.say("utter_handoff_wait", wait_hint=wait_hint("bereavement"))
            return
        turn.say("utter_not_borrower")
