"""The error of the working-day calendar (kept apart so that every workdays module can raise it)."""
from __future__ import annotations

from engine.errors import LianbanError

__all__ = ["CalendarError"]


class CalendarError(LianbanError):
    """A year the calendar does not cover, or a bad calendar file. The message is user-facing.

    For a bad file, *line*, *col* and *reason* locate the problem (``validate`` reports them
    as finding E403); the message then reads ``path:line:col: reason``.
    """

    def __init__(self, message: str, line: int | None = None, col: int | None = None,
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.line, self.col, self.reason = line, col, reason or message


PROVISIONAL = "provisional"
