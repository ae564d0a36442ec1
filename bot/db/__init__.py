"""Persistence: SQLAlchemy models, sessions, the repository and the demo seed.

The ledger rules themselves live in ``bot.ledger``/``bot.plans``/``bot.promises``; this package only
stores and loads what they compute.
"""
