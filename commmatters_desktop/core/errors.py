"""Errors a user can read.

Anything raised as a :class:`UserError` carries a one-line message that says what went wrong
and what to do; the CLI prints it and the window shows it. Anything else is a bug.
"""

from __future__ import annotations


class UserError(Exception):
    """A refusal or failure explained in words a ward officer understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RuleViolation(UserError):
    """A lifecycle rule refused the change; ``blockers`` lists each reason separately."""

    def __init__(self, message: str, blockers: list[str] | None = None) -> None:
        super().__init__(message)
        self.blockers = blockers or []


class ValidationError(UserError):
    """A value the user typed is not acceptable (empty title, date in the wrong form, ...)."""


class NotFound(UserError):
    """The ward, priority or action named does not exist (or was deleted)."""
