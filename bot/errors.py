"""Errors the core raises on purpose; the CLI and channels turn them into one-line messages."""


class BotError(Exception):
    """Base class: a problem that is the caller's input or setup, not a bug."""


class ConfigError(BotError):
    """A setting (environment variable, config file) is missing or malformed."""


class NotFound(BotError):
    """An id (borrower, loan, plan, case) that does not exist."""


class RuleViolation(BotError):
    """A request that a ledger or compliance rule forbids; the message says why in plain words."""
