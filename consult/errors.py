"""Errors a user can cause and fix.

Everything raised as a `ConsultError` reaches the user as one plain line (on the
command line `error: …` with exit code 2, in the app a message box); anything else
is a bug, logged with its traceback and reported as an internal error.
"""

from __future__ import annotations


class ConsultError(Exception):
    """Bad input or an unusable environment, described so the user can act on it."""


class InvalidField(ConsultError):
    """A value that fails validation; the message starts with the field's path."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)


class PermissionDenied(ConsultError):
    """The signed-in user's role does not allow the action."""


class StaleRecord(ConsultError):
    """The record was saved again since it was read (optimistic locking).

    `author` says who saved it, in words ("Mara Quinn (mara) on WS-2", "you, in another
    window on WS-1"), or is empty when the audit trail does not say.
    """

    def __init__(self, message: str, author: str = "") -> None:
        super().__init__(message)
        self.author = author
