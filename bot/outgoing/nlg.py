"""The one NLG: fills domain responses, then applies the outgoing guardrails before anything is sent.

Configured in endpoints.yml (``nlg: type: bot.outgoing.nlg.GuardedNLG``). Custom actions dispatch
only response names (never raw text), so every bot message — rule responses and action answers —
is generated here:
- compliance rule 5: the content filter; a blocked message is replaced by the safe fallback and
  the block is audited with its category;
- compliance rule 9: once a conversation is in distress handling, collection responses are
  suppressed for the rest of it.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from bot.compliance.content_filter import check
from bot.compliance.distress_signals import FOLLOWUP_RESPONSE
from bot import hotpath
from bot.compliance.masking import install as install_log_masking

log = logging.getLogger(__name__)

#: Responses that talk about money owed, plans or promises, or offer them (the greeting's and the
#: out-of-scope reply's list of what the bot can do): never sent after a distress message.
#: tests/outgoing/test_guarded_nlg.py checks every response of domain.yml against this.
COLLECTION_RESPONSES = frozenset({
    "utter_account_answer", "utter_plan_menu", "utter_plan_disclosure", "utter_plan_affordable",
    "utter_plan_not_affordable", "utter_plan_term_invalid", "utter_plan_accepted", "utter_promise_readback",
    "utter_promise_previous_broken", "utter_extension_as_promise", "utter_extension_options",
    "utter_ask_promise_date", "utter_promise_second_part", "utter_fee_waiver", "utter_hardship_options", "utter_greet",
    "utter_out_of_scope", "utter_forgot_options", "utter_hardship_later", "utter_hardship_ask_what",
})
DISTRESS_SAFE_RESPONSE = FOLLOWUP_RESPONSE


class GuardedNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config=None, domain=None, responses=None):
        super().__init__(responses if responses is not None else domain.responses)
        install_log_masking()  # compliance rule 4, in the Rasa server's logs
        hotpath.install()  # Rasa's per-turn work without its waste (bot/hotpath.py)

    async def generate(self, utter_action: str, tracker, output_channel: str, **kwargs: Any):
        if tracker.get_slot("distress") and utter_action in COLLECTION_RESPONSES:
            _audit("distress_suppressed", tracker.sender_id, {"response": utter_action})
            utter_action = DISTRESS_SAFE_RESPONSE
            kwargs = {**_policy_numbers(), **kwargs}
        message = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if not message or not message.get("text"):
            return message
        verdict = check(message["text"])
        if not verdict.allowed:
            log.warning("blocked outgoing %s: %s", utter_action, verdict.category)
            _audit("content_blocked", tracker.sender_id, {"response": utter_action, "category": verdict.category})
            message = {"text": verdict.safe_text, "buttons": [{"title": "转人工", "payload": "/request_human"}]}
        return message


def _policy_numbers() -> dict:
    from bot.compliance.policy import POLICY

    return {"crisis": POLICY.crisis_hotline, "police": POLICY.police_line, "ambulance": POLICY.ambulance_line}


def _audit(action: str, conversation_id: str, detail: dict) -> None:
    """Best effort from the Rasa server: a failing audit write is logged, never breaks a reply."""
    try:
        from bot.db.session import session_scope
        from bot.services import audit

        with session_scope() as session:
            audit.record(session, action, conversation_id=conversation_id, detail=detail)
    except Exception:  # pragma: no cover - logged
        log.exception("audit write failed for %s", action)
