"""Borrower-facing wording built from ledger facts (Rasa-free, tested with plain pytest).

Actions pass these strings into domain responses; the NLG filters every message before it leaves.
"""
