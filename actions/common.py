"""The base every action shares: a database session, the identity step, the verification gate.

Compliance rule 1 lives here: an action with ``needs_verification`` answers nothing about any loan
until the conversation is verified; it asks for the factors instead and remembers the question,
which is answered as soon as verification passes.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot import clock
from bot.compliance.distress_signals import FOLLOWUP_RESPONSE
from bot.compliance.scam_warning import asks_to_pay_a_person, scam_warning_for
from bot.db.session import session_scope
from bot.dialogue import explain
from bot.nlu.normalise import normalise
from bot.nlu.precedence import QUESTION_KEY
from bot.services import verification
from bot.services.verification import Factors

log = logging.getLogger(__name__)
IDENTITY_ENTITIES = ("id_last4", "birth_date", "phone_last4")
REGISTRY: dict[str, "BotAction"] = {}


@dataclass
class Turn:
    """One action run: what the borrower said, who they are, and what we say back."""

    dispatcher: CollectingDispatcher
    tracker: Tracker
    session: Session
    events: list[EventType] = field(default_factory=list)
    verified_now: str | None = None  # the borrower verified during this very turn
    #: while a request deferred for verification is answered: the message that made it (its text and
    #: entities), so 「15号还两千」 → verify → is not asked 哪天还 again
    deferred: dict | None = None
    _plan_possible: bool | None = None

    @property
    def conversation_id(self) -> str:
        return self.tracker.sender_id

    @property
    def today(self) -> dt.date:
        return clock.today()

    @property
    def borrower_id(self) -> str | None:
        if self.verified_now:
            return self.verified_now
        return self.tracker.get_slot("borrower_id") if self.tracker.get_slot("verified") else None

    @property
    def verified(self) -> bool:
        return self.borrower_id is not None

    def own_loan(self):
        """The verified borrower's collectible loan (a ``LoanView``); None before verification, or with none."""
        if not self.verified:
            return None
        from bot.services.plans import collectible_loan

        return collectible_loan(self.session, self.borrower_id, self.today)

    @property
    def message(self) -> dict:
        """The message being answered: the latest one, or the deferred request's while it is answered."""
        return self.deferred if self.deferred is not None else (self.tracker.latest_message or {})

    @property
    def latest_intent(self) -> str | None:
        """The intent the NLU gave the latest message (not a deferred one's)."""
        return ((self.tracker.latest_message or {}).get("intent") or {}).get("name")

    @property
    def latest_confidence(self) -> float:
        """How sure the NLU was of ``latest_intent`` (a button's payload: 1.0)."""
        try:
            return float(((self.tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)
        except (TypeError, ValueError):
            return 0.0

    @property
    def text(self) -> str:
        return self.message.get("text") or ""

    @property
    def previous_action(self) -> str | None:
        """The last action the bot ran before the latest message (action_listen aside; rasa_sdk skips
        reverted events)."""
        event = self.tracker.get_last_event_for("action", exclude=["action_listen"])
        return event.get("name") if event else None

    @property
    def previous_answer(self) -> str | None:
        """The action whose reply the borrower last heard: the previous action, or, when that action
        verified the borrower, the question it answered then (found live: 「你好 我想提前还款」, the
        factors, then 「有违约金吗」, whose previous action was the verification)."""
        events = list(self.tracker.events or [])
        last = next((i for i in range(len(events) - 1, -1, -1)
                     if events[i].get("event") == "action" and events[i].get("name") != "action_listen"), None)
        if last is None:
            return None
        after = events[last + 1:]
        if not any(e.get("event") == "slot" and e.get("name") == "verified" and e.get("value") is True for e in after):
            return events[last].get("name")
        pending = next((e.get("value") for e in reversed(events[:last])
                        if e.get("event") == "slot" and e.get("name") == "pending_action"), None)
        return pending or events[last].get("name")

    def said_before(self, response: str) -> bool:
        """Whether the bot already sent ``response`` in this conversation (Rasa keeps the response name
        in each bot event's metadata)."""
        return any(e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action") == response
                   for e in self.tracker.events or [])

    @property
    def last_said(self) -> str | None:
        """What the bot said in reply to the borrower's previous message: its messages between that
        message and the latest one, joined (a complaint's ticket, then the wait for a person, is one
        reply). With no user message on record, every bot message."""
        said = [e.get("text") or "" for e in self._last_reply()]
        return "\n".join(said) or None

    def replied_with(self, response: str) -> bool:
        """Whether the bot's reply to the borrower's previous message included ``response``."""
        return any((e.get("metadata") or {}).get("utter_action") == response for e in self._last_reply())

    def _last_reply(self) -> list[dict]:
        """The bot events between the borrower's previous message and the latest one (with no user message
        on record, every bot event)."""
        events = list(self.tracker.events or [])
        users = [i for i, e in enumerate(events) if e.get("event") == "user"]
        start, end = (users[-2] if len(users) >= 2 else -1), (users[-1] if users else len(events))
        return [e for e in events[start + 1:end] if e.get("event") == "bot"]

    def said_within(self, fragment: str) -> bool:
        """Whether a message the bot already sent in this conversation contains ``fragment``."""
        return bool(fragment) and any(e.get("event") == "bot" and fragment in (e.get("text") or "")
                                      for e in self.tracker.events or [])

    def said_text(self, text: str) -> bool:
        """Whether the bot already sent exactly ``text`` in this conversation."""
        return any(e.get("event") == "bot" and e.get("text") == text for e in self.tracker.events or [])

    def entity_values(self, name: str, after: int | None = None) -> list[Any]:
        """Every value of entity ``name`` in the latest message, in order (empty values skipped);
        with ``after``, only those that start at or after that offset of the text."""
        return [ent.get("value") for ent in self.message.get("entities") or []
                if ent.get("entity") == name and ent.get("value") not in (None, "")
                and (after is None or int(ent.get("start") or 0) >= after)]

    def days(self) -> list[dt.date]:
        """The calendar days the message names, in order (a date entity that is not a day, 「发工资」, left out)."""
        return [day for day in map(calendar_date, self.entity_values("date")) if day is not None]

    def entity(self, name: str, after: int | None = None) -> Any:
        values = self.entity_values(name, after=after)
        return values[0] if values else None

    def say(self, response: str, buttons: list[dict] | None = None, **variables: Any) -> None:
        """Dispatch a domain response; the Rasa server's NLG fills it and filters it (rule 5).
        The compliance numbers (hotlines, answer times, lockout) are always available to templates.
        A 看看分期 button is left out where no plan can be had (found live: offered with a dispute open,
        a plan running, the loan settled, and refused once clicked)."""
        if buttons and PLAN_BUTTON in buttons and not self.plan_possible():
            buttons = [b for b in buttons if b != PLAN_BUTTON]
        self.dispatcher.utter_message(response=response, buttons=buttons or [], **{**policy_variables(), **variables})

    def plan_possible(self) -> bool:
        """False when the verified borrower's loan can have no plan however asked (a dispute open, a plan
        running, settled); asked once a turn."""
        if self._plan_possible is None:
            self._plan_possible = True
            if self.verified:
                from bot.services.plans import plan_eligibility

                found = plan_eligibility(self.session, self.borrower_id, self.today, verified=True)
                self._plan_possible = found is None or found[1].reason_code not in NO_PLAN_WHATEVER
        return self._plan_possible

    def set(self, slot: str, value: Any) -> None:
        self.events.append(SlotSet(slot, value))


def calendar_date(value: Any) -> dt.date | None:
    """A date entity's value as a day, or None for what is not one (「发工资」, a day like 2月30号)."""
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def decimal_amount(value: Any) -> Decimal | None:
    """An amount entity's or slot's value as a finite Decimal, or None (「all」, 「half」, text, nothing)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return amount if amount.is_finite() else None


def policy_variables() -> dict[str, Any]:
    """Numbers the response texts quote, from the one place each lives (bot/compliance/policy.py,
    bot/promises/rules.py)."""
    from bot.compliance.policy import POLICY
    from bot.promises.rules import MAX_PROMISE_DAYS

    return {"promise_days": MAX_PROMISE_DAYS, "minutes": POLICY.verify_lockout_minutes, "crisis": POLICY.crisis_hotline,
            "police": POLICY.police_line, "ambulance": POLICY.ambulance_line, "answer_days": POLICY.complaint_answer_days,
            "complex_days": POLICY.complaint_answer_days_complex, "hotline": POLICY.regulator_hotline}


class BotAction(Action):
    """Subclasses set ``action_name`` and implement ``handle``; account answers set
    ``needs_verification``."""

    action_name: str = ""
    needs_verification = False
    #: the action that takes identity factors (inform_identity): refused to a declared third party
    asks_identity = False
    #: conversation-level actions stay quiet when the identity step already answered this turn
    quiet_after_identity_prompt = False
    #: False for the actions that steer a flow themselves (verification, plans, promises, stop rules);
    #: after any other action, an interrupted flow resumes (the pending factor or confirmation is asked again)
    resumes_flow = True
    #: plans, promises, extensions, waivers and account figures. Once the conversation is in
    #: distress handling (compliance rule 9) such an action does nothing: no plan or promise is
    #: created, nothing pending stays pending, and the borrower gets the distress follow-up. The
    #: outgoing NLG suppresses collection texts too, but not the buttons an action attaches, and
    #: a text filter cannot undo a plan the ledger has accepted.
    collection = False
    #: False where the message says the writer is not the borrower: factors in it are never tried
    verifies = True
    #: paying into a person's account asked about, whatever the intent, gets the fraud warning first
    #: (bot/compliance/scam_warning.py); not where distress is cared for
    warns_of_scams = True
    #: questions and requests about the borrower's loan: a message about another company's product
    #: (「花呗能分期吗」) is told whose it is instead (bot/dialogue/explain/other_lenders.py)
    about_our_loan = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.action_name:
            REGISTRY[cls.action_name] = cls()

    def name(self) -> str:
        return self.action_name

    def handle(self, turn: Turn) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def before_verification(self, turn: Turn) -> str | None:
        """What anyone may be told at once, before the identity questions (a rule, nothing of an
        account: compliance rule 1); None: the question waits for verification."""
        return None

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        try:
            with session_scope() as session:
                turn = Turn(dispatcher, tracker, session)
                if self.collection and tracker.get_slot("distress"):
                    if tracker.get_slot("pending_confirmation") is not None:
                        turn.set("pending_confirmation", None)
                    turn.say(FOLLOWUP_RESPONSE)
                    return turn.events
                if self.warns_of_scams and asks_to_pay_a_person(turn.text):
                    turn.say("utter_account_answer", answer=scam_warning_for(turn.text), buttons=[HUMAN_BUTTON])
                    return turn.events
                if self.warns_of_scams and explain.borrows_to_repay(turn.text):
                    # 「我去网贷借点钱还你们行不」 whatever it was read as (found live: out of scope, how to pay, an
                    # insult): never urged (rule 5), and the ways that need no new debt
                    turn.say("utter_account_answer", answer=explain.BORROWING_TO_REPAY,
                             buttons=[PLAN_BUTTON, PROMISE_BUTTON, HUMAN_BUTTON])
                    return turn.events
                if third_party_step(turn, self.needs_verification or self.asks_identity):
                    return turn.events
                if self.action_name != "action_open_complaint" and explain.about_the_regulator(turn.text):
                    # 「12378是啥」, 「我已经打了12378了」 (found by a probe: 「您已经验证过身份了」, and a payment check
                    # with the amount due): what the line is, and the borrower's own complaint (rule 11)
                    from bot.compliance.policy import POLICY
                    from bot.services import cases

                    case = cases.open_in_conversation(turn.session, turn.conversation_id, "complaint")
                    turn.say("utter_account_answer", answer=explain.regulator_answer(
                        POLICY.regulator_hotline, POLICY.complaint_answer_days, case.reference if case else None))
                    return turn.events
                if self.action_name not in AMENDS_ITSELF:
                    from actions.negotiation import amend_read_back  # negotiation imports this module

                    if amend_read_back(turn):
                        return turn.events
                if follow_up_answered(turn):
                    return turn.events
                step = identity_step(turn) if self.verifies else None
                others = explain.other_lenders_named(turn.text) if self.about_our_loan else []
                handle = (lambda t: t.say("utter_account_answer", answer=explain.not_our_product(others))) if others \
                    else self.handle  # 「花呗能分期吗」: whose product it is, not a plan for the borrower's loan
                if step == PASSED:
                    pending = tracker.get_slot("pending_action")
                    turn.set("pending_action", None)
                    if pending and pending in REGISTRY and pending != self.action_name:
                        turn.deferred = deferred_message(tracker.get_slot("pending_message"))
                        if turn.deferred is not None:
                            turn.set("pending_message", None)
                        REGISTRY[pending].handle(turn)
                        turn.deferred = None
                    if others or not self.quiet_after_identity_prompt:
                        handle(turn)
                elif step == RESPONDED:  # asked for the next factor, or said it failed
                    if self.needs_verification and not others:  # 「15号还两千 身份证3512」: answered once verified
                        keep_pending(turn, self.action_name)
                    elif others or not self.quiet_after_identity_prompt:
                        handle(turn)
                elif others:
                    handle(turn)
                elif self.needs_verification and not turn.verified:
                    rule = None if turn.tracker.get_slot("third_party") else self.before_verification(turn)
                    if rule:
                        turn.say("utter_account_answer", answer=rule)
                    ask_for_verification(turn, pending=self.action_name, why=not rule)
                else:
                    self.handle(turn)
                if step != RESPONDED:
                    others_not_to_be_called(turn, self.action_name)
                if self.resumes_flow and step is None:
                    resume_flow(turn)
                if self.action_name != "action_two_stage_fallback" and tracker.get_slot("fallback_count"):
                    turn.set("fallback_count", 0)
                return turn.events
        except Exception:  # never crash the conversation: apologise and offer a person
            log.exception("action %s failed", self.action_name)
            dispatcher.utter_message(response="utter_technical_problem")
            return []


#: 「还有别再打电话到我单位去了」 inside a message about something else (found by a probe: a long hardship message's
#: request was ignored; compliance rule 12 says it is confirmed)
#: family and work, as borrowers name them (rule 12: the bank contacts neither); the stop-contact action reads
#: them too (actions/escalation.py)
FAMILY_WORDS = ("家人", "家里", "父母", "爸妈", "爸爸", "妈妈", "我爸", "我妈", "老婆", "老公", "媳妇", "孩子", "儿子", "女儿",
                "亲戚", "单位", "公司", "领导", "同事", "老板", "朋友", "通讯录", "紧急联系人")
_NO_CALLS_TO_OTHERS = re.compile(r"(别|不要|不准|不许|不能)再?[^，。]{0,3}(打电话|打|联系|找|发短信|发信息|催)[^，。]{0,3}"
                                 "(" + "|".join(FAMILY_WORDS) + ")")


def others_not_to_be_called(turn: Turn, action_name: str) -> None:
    """Rule 12 beside whatever else a verified borrower's message asks: the family and work opt-out is
    recorded and confirmed (the stop-contact action does this for a message that asks nothing else)."""
    if action_name == "action_stop_contact" or not turn.verified or not turn.borrower_id:
        return
    if not _NO_CALLS_TO_OTHERS.search(turn.text or ""):
        return
    from bot.services import cases

    cases.opt_out(turn.session, turn.borrower_id, "family", turn.conversation_id)
    turn.say("utter_no_third_party_contact")


#: what outranks any promise in progress or short follow-up: a person asked for, distress (rule 9), a
#: dispute, a complaint, stopping contact, someone not the borrower. 「15号去死」 is distress, never a
#: date for a promise
NEVER_AMENDS = frozenset({"express_distress", "request_human", "dispute_debt", "complain", "stop_contact",
                          "not_borrower"})


def follow_up_answered(turn: Turn) -> bool:
    """「要几天」 right after a reply that named something to wait for (bot/dialogue/follow_up.py): that
    wait, whatever intent the NLU gave the message. True when it answered."""
    from bot.dialogue import follow_up

    if turn.latest_intent in NEVER_AMENDS:
        return False
    why = follow_up.why_not(turn.last_said, turn.text)  # 「为什么不能改」 right after the due day was said to stay
    if why is not None:
        turn.say("utter_account_answer", answer=why)
        return True
    if not follow_up.asks_how_long(turn.text):
        return False
    from bot.compliance.policy import POLICY

    said = follow_up.how_long(turn.last_said, dispute_days=POLICY.dispute_review_working_days,
                              complaint_days=POLICY.complaint_answer_days,
                              complex_days=POLICY.complaint_answer_days_complex, text=turn.text)
    if said is None:
        return False
    turn.say("utter_account_answer", answer=said)
    return True


#: the actions that read a changed amount or date themselves (a promise's own flow, and yes/no)
AMENDS_ITSELF = ("action_propose_promise", "action_handle_extension", "action_handle_confirmation")

BARE_ID_TAIL = re.compile(r"^[0-9]{3}[0-9Xx]$")
BARE_PHONE_TAIL = re.compile(r"^[0-9]{4}$")


def _bare_answer(turn: Turn) -> dict[str, str]:
    """A bare '3512' answering our own prompt is the factor we asked for (NLU alone can't know)."""
    from bot.nlu.entities import TAIL_PAIR_ALONE  # here, as bot/nlu/precedence.py: not at the server's start

    asked = turn.tracker.get_slot("requested_factor")
    plain = normalise(turn.text).strip()
    pair = TAIL_PAIR_ALONE.match(plain)
    if pair and asked in (None, "id_last4") and not turn.tracker.get_slot("id_last4"):
        # 「2048 4004」: the two tails in the order the bot asks for them (found live, 「刘洋 2048 4004」 was
        # two amounts and got the out-of-scope reply)
        return {"id_last4": pair["id"].upper(), "phone_last4": pair["phone"]}
    text = plain.replace(" ", "")
    if asked == "id_last4" and BARE_ID_TAIL.match(text):
        return {"id_last4": text.upper()}
    if asked is None and BARE_ID_TAIL.match(text) and text[-1] in "Xx":  # 771X unprompted: only an ID ends so
        return {"id_last4": text.upper()}
    if (asked is None and BARE_ID_TAIL.match(text) and not turn.tracker.get_slot("id_last4")
            and turn.latest_intent in ("inform_identity", "out_of_scope", "nlu_fallback")):
        # found live: 「你好 我是赵磊」, then 「9150」 (read as 9150 yuan) was asked for the ID tail; the
        # ID tail is the factor the bot asks for first, so a bare one unasked for is taken as it
        return {"id_last4": text.upper()}
    if asked == "second_factor" and BARE_PHONE_TAIL.match(text):
        return {"phone_last4": text}
    corrected = CORRECTED_TAIL.match(plain)
    if corrected and turn.replied_with("utter_verification_failed"):
        # 「不对 是3512」 right after a failed attempt (found by a probe: read as 3512 yuan, and verification started
        # over asking for the ID tail): the tail they meant, the ID's unless they say it is the phone's
        value = corrected["v"].upper()
        if corrected["phone"]:
            return {"phone_last4": value} if value.isdigit() else {}
        return {"id_last4": value}
    return {}


#: a tail corrected: 「不对 是3512」, 「错了 应该是771X」, 「手机尾号打错了 是1001」
CORRECTED_TAIL = re.compile(r"^(?P<phone>.{0,4}(?:手机|电话).{0,4})?(?:不对|错了|说错了|打错了|写错了|输错了|搞错了)"
                            r"[,，。!！\s]*(?:是|应该是|改成|改为|正确的是)?\s*(?P<v>\d{3}[\dXx])$")


def _factors(turn: Turn) -> tuple[Factors, bool]:
    """Identity factors from slots (filled from entities of this and earlier messages)."""
    tracker = turn.tracker
    bare = _bare_answer(turn)
    given_now = bool(bare) or any(turn.entity(name) for name in IDENTITY_ENTITIES)
    slot = lambda name: bare.get(name) or tracker.get_slot(name)  # noqa: E731
    factors = verification.factors_from(slot("id_last4"), tracker.get_slot("birth_date"), slot("phone_last4"))
    return factors, given_now


PASSED, RESPONDED = "passed", "responded"


def third_party_step(turn: Turn, needs_verification: bool) -> bool:
    """Compliance rule 2: someone who said they are not the borrower (「我是他老婆」) is never verified
    in that conversation, nor told anything about an account, whatever factors they give next.
    Found live: the wife gave her husband's ID tail and birth date and was told his debt.
    True when it answered."""
    if not turn.tracker.get_slot("third_party") or turn.verified:
        return False
    if not needs_verification and not _factors(turn)[1]:
        return False  # greetings, thanks, goodbyes, complaints: as usual
    forget_identity(turn)
    turn.say("utter_third_party_no_verification")
    return True


def forget_identity(turn: Turn) -> None:
    """Rule 2: nothing a declared third party gave is kept, no factor and no request waiting for
    verification (rule 1: factors are used once)."""
    for name in IDENTITY_ENTITIES + ("requested_factor", "pending_action", "pending_message"):
        if turn.tracker.get_slot(name) is not None:
            turn.set(name, None)


def identity_step(turn: Turn) -> str | None:
    """If this message carries identity factors and we're not verified, try to verify.
    Returns PASSED, RESPONDED (we asked for more or said it failed) or None (nothing to do)."""
    if turn.verified:
        return None
    factors, given_now = _factors(turn)
    if not given_now:
        return None
    if not factors.complete:
        for name, value in (("id_last4", factors.id_last4), ("phone_last4", factors.phone_last4)):
            if value:
                turn.set(name, value)  # keep what was given until the other factor arrives
        ask_next_factor(turn, has_id=bool(factors.id_last4))
        return RESPONDED
    turn.set("requested_factor", None)
    result = verification.verify(turn.session, turn.conversation_id, factors)
    for slot in IDENTITY_ENTITIES:  # factors are used once, never kept
        turn.set(slot, None)
    if result.status == "passed":
        turn.set("verified", True)
        turn.set("borrower_id", result.borrower_id)
        turn.verified_now = result.borrower_id
        turn.say("utter_verification_passed")
        return PASSED
    if result.status == "locked":
        turn.say("utter_verification_locked", until=_clock_time(result.locked_until))
        from bot.handoff.queue import request_handoff, wait_hint

        request_handoff(turn.session, turn.conversation_id, None, "verification_locked")
        turn.say("utter_handoff_wait", wait_hint=wait_hint("verification_locked"))
    else:
        turn.say("utter_verification_failed", attempts_left=result.attempts_left)
    return RESPONDED


def _clock_time(moment: dt.datetime | None) -> str:
    """When a verification lock ends, as the borrower reads it (found by a probe: never said): 「14:05」, or
    「明天08:30」 past midnight."""
    if moment is None:
        return "稍后"
    return ("明天" if moment.date() > clock.now().date() else "") + f"{moment:%H:%M}"


def ask_for_verification(turn: Turn, pending: str | None, why: bool = True) -> None:
    """Ask for the factor still missing; ``why``: first say that the account needs it (not to
    someone who is giving their identity: 「我叫张伟」 was told 「查询借款信息前需要先验证身份」)."""
    locked = verification.lock_state(turn.session, turn.conversation_id)
    if locked:
        turn.say("utter_verification_locked", until=_clock_time(locked.locked_until))
        return
    if pending:
        keep_pending(turn, pending)
    if why:
        turn.say("utter_need_verification")
    ask_next_factor(turn, has_id=bool(turn.tracker.get_slot("id_last4")))


CONFIRM_BUTTONS = [{"title": "确认", "payload": "/affirm"}, {"title": "不要", "payload": "/deny"}]
HUMAN_BUTTON = {"title": "转人工", "payload": "/request_human"}
PLAN_BUTTON = {"title": "看看分期", "payload": "/request_installment"}
#: why a loan can have no plan however it is asked (bot/plans/offers.py:check_eligibility)
NO_PLAN_WHATEVER = ("dispute_open", "plan_active", "settled")
PROMISE_BUTTON = {"title": "约定还款日期", "payload": "/promise_to_pay"}
HOW_TO_PAY_BUTTON = {"title": "怎么还款", "payload": "/how_to_pay"}

#: what a deferred request keeps of its message: its text and the entities that shape the answer
#: (never identity factors: those are used once, rule 1)
KEPT_ENTITIES = ("date", "amount", "installment_count", "hardship_type")
MAX_KEPT_TEXT = 500


def kept_message(message: dict) -> dict:
    kept = {"text": str(message.get("text") or "")[:MAX_KEPT_TEXT],
            "entities": [{k: e.get(k) for k in ("entity", "value", "start", "end")}
                         for e in message.get("entities") or [] if e.get("entity") in KEPT_ENTITIES]}
    if isinstance(message.get(QUESTION_KEY), str):  # 「我失业了 会不会被起诉」: the question is answered too
        kept[QUESTION_KEY] = message[QUESTION_KEY]
    return kept


#: asking after an opt-out that waits for verification: 「我刚才说的退订记上了吗」
ABOUT_THE_OPT_OUT = re.compile(r"退订|提醒|别再|不要再|短信")


def keep_pending(turn: Turn, action: str) -> None:
    """Keep the request to answer once verified. The same request said again adds to what was kept
    (found live, B001 unverified: 「我先还1000行不」 then 「下周三吧」 was read back as a promise of the
    whole 2794.19 on 12-09): one message, the texts joined, a newer entity replacing one of its kind."""
    if (turn.tracker.get_slot("pending_action") == "action_stop_contact" and action != "action_stop_contact"
            and ABOUT_THE_OPT_OUT.search(turn.text)):
        return  # 「我刚才说的退订记上了吗」 (found live, read as inform_paid): the opt-out waits, not a payment check
    message = kept_message(turn.tracker.latest_message or {})
    earlier = deferred_message(turn.tracker.get_slot("pending_message"))
    if (earlier is not None and turn.tracker.get_slot("pending_action") == action and earlier["text"]
            and len(earlier["text"]) + len(message["text"]) < MAX_KEPT_TEXT):
        message = joined_messages(earlier, message)
    turn.set("pending_action", action)
    turn.set("pending_message", message)


def joined_messages(earlier: dict, later: dict) -> dict:
    """``earlier`` then ``later`` as one kept message: offsets of ``later`` moved past the earlier
    text, and an earlier entity dropped where ``later`` has one of the same kind."""
    shift = len(earlier["text"]) + 1
    newer_kinds = {e.get("entity") for e in later["entities"]}
    moved = [{**e, "start": e["start"] + shift if isinstance(e.get("start"), int) else e.get("start"),
              "end": e["end"] + shift if isinstance(e.get("end"), int) else e.get("end")} for e in later["entities"]]
    joined = {**earlier, **later, "text": f"{earlier['text']} {later['text']}",
              "entities": [e for e in earlier["entities"] if e.get("entity") not in newer_kinds] + moved}
    return kept_message(joined)


def deferred_message(value: Any) -> dict | None:
    """The kept message back from its slot, read through ``kept_message`` again; anything malformed
    is no message."""
    if not isinstance(value, dict) or not isinstance(value.get("entities"), list):
        return None
    return kept_message({**value, "entities": [e for e in value["entities"] if isinstance(e, dict)]})


#: what ``pending_confirmation`` holds while the bot asks whether a dispute, a complaint or distress was
#: meant (actions/escalation.py): a guess of the bot's, not a request of the borrower's
CASE_QUESTIONS = ("dispute", "complaint", "distress")


def resume_flow(turn: Turn) -> None:
    """After answering a side question, come back to what was left open. Asked whether a dispute
    was meant, a borrower who goes on to something else has answered: no (found live, B008: 「我的
    贷款是不是结清了」 was asked 「您是要提出异议吗」, and every answer after it ended 「刚才的内容还需要您确认」)."""
    touched = {e.get("name") for e in turn.events if e.get("event") == "slot"}
    pending = turn.tracker.get_slot("pending_confirmation")
    if pending in CASE_QUESTIONS and "pending_confirmation" not in touched:
        turn.set("pending_confirmation", None)
    elif turn.verified and pending and "pending_confirmation" not in touched:
        turn.say("utter_resume_confirmation", buttons=CONFIRM_BUTTONS)
    elif not turn.verified and turn.tracker.get_slot("requested_factor") and "requested_factor" not in touched:
        ask_next_factor(turn, has_id=bool(turn.tracker.get_slot("id_last4")))


def ask_next_factor(turn: Turn, *, has_id: bool) -> None:
    turn.say("utter_ask_birth_date" if has_id else "utter_ask_id_last4")
    turn.set("requested_factor", "second_factor" if has_id else "id_last4")
