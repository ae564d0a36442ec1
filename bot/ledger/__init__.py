"""Ledger rules from ledger.md as pure functions: money, schedules, penalty, allocation, balances.

Nothing here touches a database or Rasa; ``bot.db`` persists what these functions compute.
"""
