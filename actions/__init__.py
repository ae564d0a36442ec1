"""Rasa SDK actions: thin. Each reads the tracker, calls bot.services, and dispatches a response.

Split by concern: verification/conversation (common.py, conversation.py), account answers
(account.py), plans/promises/hardship (negotiation.py), stop rules and handoff (escalation.py).
"""
from bot.compliance.masking import install as _mask_logs

_mask_logs()  # compliance rule 4: no full ID, phone or card number in the action server's logs

from actions import account, conversation, escalation, negotiation  # noqa: F401  (registers the actions)
