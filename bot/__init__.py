"""还款助手 core: ledger, plans, guardrails, clock, config and the Rasa extensions.

Domain modules (money, ledger, plans, compliance) import nothing from Rasa.
"""
