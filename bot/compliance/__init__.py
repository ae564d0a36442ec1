"""Compliance core of 还款助手: pure functions and small dataclasses, no Rasa, no database.

- ``content_filter.check``   — rule 5, forbidden content in every outgoing message
- ``masking``                — rule 4, masking of IDs, phones, cards and addresses (+ log filter)
- ``policy.POLICY``          — the numbers of every rule, with sources, overridable by env
- ``reminders.decide``       — rule 14, whether/when a proactive reminder may be sent
See README.md in this folder for the rule → code → test table.
"""
