"""Verification on request, and the two-stage fallback."""
from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted

from bot.db.session import session_scope
from bot.dialogue import explain
from bot.dialogue.missed_promise import missed_at
from bot.handoff.queue import held_by_collector, open_reason, request_handoff, service_hours, wait_hint
from bot.services.plans import collectible_loan
from actions.account import case_number_answered, dispute_answered
from actions.common import (CASE_QUESTIONS, CONFIRM_BUTTONS, HUMAN_BUTTON, PLAN_BUTTON, PROMISE_BUTTON, BotAction,
                            Turn, ask_for_verification)

#: Button labels for the intents the fallback may suggest.
INTENT_LABELS = {
    "ask_balance": "查询应还金额", "ask_due_date": "查询还款日", "ask_overdue_reason": "为什么逾期",
    "ask_penalty": "罚息怎么算", "ask_credit_impact": "对征信的影响", "ask_consequences": "不还会怎样",
    "how_to_pay": "怎么还款", "ask_early_repayment": "提前还清", "request_installment": "申请分期",
    "request_extension": "晚几天还", "request_fee_waiver": "减免罚息", "promise_to_pay": "约定还款时间",
    "inform_paid": "我已经还了", "inform_hardship": "我遇到了困难", "request_human": "转人工",
    "complain": "投诉", "dispute_debt": "对欠款有异议", "stop_contact": "不要再联系我",
    "inform_identity": "验证身份", "not_borrower": "我不是本人", "greet": "打招呼", "goodbye": "结束对话",
    "thank": "谢谢", "affirm": "是的", "deny": "不是", "bot_challenge": "你是机器人吗", "out_of_scope": "其他问题",
}


class ActionVerify(BotAction):
    """inform_identity: the identity step ran in the base class; prompt for what is missing."""
    resumes_flow = False

    action_name = "action_verify"
    quiet_after_identity_prompt = True
    asks_identity = True

    def handle(self, turn: Turn) -> None:
        if turn.verified:
            date = turn.entity("date")
            if date is not None and not any(turn.entity(e) for e in ("id_last4", "birth_date", "phone_last4")) \
                    and (explain.names_paying(turn.text) or turn.entity("amount") is not None):  # 「10号 2000」 too
                # 「12月10日还2000块」 once verified (found live: inform_identity at 0.54, 「您已经验证过身份了」,
                # and the promise was lost): a day to pay on is a promise
                from actions.negotiation import propose_promise  # negotiation imports this package's modules

                propose_promise(turn, date, turn.entity("amount"))
                return
            turn.say("utter_already_verified")
            return
        if not any(turn.entity(e) for e in ("id_last4", "birth_date", "phone_last4")):
            ask_for_verification(turn, pending=None, why=False)


def bereaved_followup(turn: Turn) -> bool:
    """A relative who told of the borrower's death and was handed to a person, asking what next (「我需要提供
    什么材料」; found by a probe: the menu of balance and installment services): what the person will go through
    with them. True when it answered."""
    if not turn.tracker.get_slot("third_party") or open_reason(turn.session, turn.conversation_id) != "bereavement":
        return False
    turn.say("utter_account_answer", answer=explain.BEREAVED_NEXT)
    return True


class ActionTwoStageFallback(BotAction):
    """First miss: offer the two most likely intents as buttons. Second miss in a row: a person."""
    resumes_flow = False

    action_name = "action_two_stage_fallback"
    quiet_after_identity_prompt = True

    def handle(self, turn: Turn) -> None:
        if bereaved_followup(turn):
            return
        if turn.verified and not turn.tracker.get_slot("distress") and missed_at(turn.text) is not None:
            # 「上次说好的没还上」 (found live, B006): no intent of the contract says it, and it fell back;
            # what the borrower tells is plain: the promise was missed. No blame, and the ways on (not
            # in distress handling, rule 9: no collection talk then)
            view = collectible_loan(turn.session, turn.borrower_id, turn.today)
            if view is not None and not view.statement.settled:
                turn.set("fallback_count", 0)
                turn.say("utter_account_answer", answer=explain.promise_missed(view),
                         buttons=[PROMISE_BUTTON, PLAN_BUTTON, HUMAN_BUTTON])
                return
        misses = int(turn.tracker.get_slot("fallback_count") or 0) + 1
        if misses >= 2:
            turn.set("fallback_count", 0)
            request_handoff(turn.session, turn.conversation_id, turn.borrower_id, "two_fallbacks")
            turn.say("utter_handoff", wait_hint=wait_hint())
            return
        turn.set("fallback_count", misses)
        ranking = (turn.tracker.latest_message or {}).get("intent_ranking") or []
        pending = turn.verified and turn.tracker.get_slot("pending_confirmation")
        # with a plan or promise read back, a guessed 是的/不是 button would answer it: a yes binds only
        # from the read-back's own buttons (bot/dialogue/consent.py), so those are offered again instead
        guesses = [r["name"] for r in ranking if r.get("name") in INTENT_LABELS
                   and not (pending and r["name"] in ("affirm", "deny"))]
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in guesses[:2]]
        buttons.append({"title": "转人工", "payload": "/request_human"})
        turn.say("utter_ask_rephrase", buttons=buttons)
        if pending:
            turn.say("utter_resume_confirmation", buttons=CONFIRM_BUTTONS)


class ActionAnswerBotChallenge(BotAction):
    """Rule 6: the bot says it is the bank's automated assistant and offers a person. Its 「继续」 button
    is a yes, so while a read-back waits for one it is left out and the read-back is asked again (found
    live, B007: 「等下 你是真人吗」 during a plan's read-back, then 继续, accepted the plan)."""

    action_name = "action_answer_bot_challenge"
    verifies = False

    def handle(self, turn: Turn) -> None:
        pending = turn.tracker.get_slot("pending_confirmation")
        waiting = turn.verified and pending and pending not in CASE_QUESTIONS
        turn.say("utter_iamabot_while_asking" if waiting else "utter_iamabot")


class ActionAnswerInsult(BotAction):
    """insult: no pressure, an offer to help. An action, not a bare response, so what the base class
    answers first whatever the intent (a fraud asked about, borrowing elsewhere to repay) reaches it too
    (found live: 「我去借高利贷还你们」, 高利贷 being an abuse word, got only the insult reply)."""

    action_name = "action_answer_insult"
    verifies = False

    def handle(self, turn: Turn) -> None:
        if explain.challenges_price(turn.text):
            # 「你们利息这么高 是不是高利贷」 (found by a probe: the soothing line only): the rate and the fees,
            # the borrower's own once verified, and how to contest them
            view = turn.own_loan()
            turn.say("utter_account_answer", answer=explain.price_facts(view), buttons=[HUMAN_BUTTON])
            return
        turn.say("utter_insult")


class ActionOutOfScope(BotAction):
    """out_of_scope: what the bot can do. Also reads a bare answer to a verification prompt
    (a lone '3512' often looks out of scope to the NLU)."""

    action_name = "action_out_of_scope"
    quiet_after_identity_prompt = True

    def handle(self, turn: Turn) -> None:
        if case_number_answered(turn) or dispute_answered(turn) or bereaved_followup(turn):
            return
        if explain.asks_about_hours(turn.text):  # found live: 「你们几点上班」 got 「这个问题我暂时帮不上忙」
            turn.say("utter_account_answer", answer=explain.service_hours_answer(*service_hours()))
            return
        if explain.asks_about_holiday(turn.text) and explain.PAYMENT_WORDS.search(turn.text):
            # 「元旦放假 1号那期能顺延吗」 (found by a probe, read as out of scope): the rule anyone may be told
            view = turn.own_loan()
            turn.say("utter_account_answer", answer=explain.holiday_rule(view))
            return
        if explain.says_phone_changed(turn.text):
            turn.say("utter_account_answer", answer=explain.PHONE_CHANGE, buttons=[HUMAN_BUTTON])
            return
        turn.say("utter_out_of_scope")


class ActionSessionStart(Action):
    """A new session (after 30 idle minutes) drops verification, as rule 1 wants, but must not end a
    collector's hold: Rasa would otherwise resume the bot while a person has the conversation."""

    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher, tracker, domain):
        events = [SessionStarted()]
        try:
            with session_scope() as session:
                if held_by_collector(session, tracker.sender_id):
                    events.append(ConversationPaused())
        except Exception:  # pragma: no cover - the session still starts
            import logging

            logging.getLogger(__name__).exception("could not check the handoff state of %s", tracker.sender_id)
        return events + [ActionExecuted("action_listen")]
