"""Working days, shares and dates as users write them and read them: one helper for each.

Time limits are working days in halves (0.5, 1, 1.5 ...): shown without a trailing ``.0``
(``2`` not ``2.0``), written to JSON as an integer when whole. Dates are ISO ``YYYY-MM-DD``;
an impossible date (2021-02-30) is "no such day", not "the wrong format".
"""
from __future__ import annotations

import calendar
import re
from datetime import date

from engine.errors import UsageError
from engine.i18n import _

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def days_text(x: float) -> str:
    """A number of working days as shown to people: 2, 0.5, 10.5."""
    return f"{x:g}"


def positive_number(value: object) -> float | None:
    """A number of days as a definition gives it: a positive int or float (not a bool), else None."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None


def percent(x: float) -> str:
    """A share (0.303) as a percentage with one decimal (30.3%)."""
    return f"{x * 100:.1f}%"


def json_number(x: float) -> float | int:
    """2.0 → 2 in JSON, 0.5 stays 0.5."""
    return int(x) if float(x).is_integer() else x


def day_or_none(text: str | None) -> date | None:
    """A stored ISO date, or None where none is stored."""
    return date.fromisoformat(text) if text else None


def iso_or_none(d: date | None) -> str | None:
    """A date as stored (ISO), or None."""
    return d.isoformat() if d is not None else None


def parse_date(text: str, what: str = "date") -> date:
    """An ISO date ``YYYY-MM-DD``; :class:`~engine.errors.UsageError` says whether the text has
    the wrong form or names no real day (and why: the month's length, a month 13)."""
    m = _ISO_DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise UsageError(_("'{text}' is not a {what}: write YYYY-MM-DD, e.g. 2021-09-29").format(text=text, what=what))
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        raise UsageError(_("{text}: no such day (there is no month {month})").format(text=text, month=month))
    if year < 1:
        raise UsageError(_("{text}: no such day (years start at 0001)").format(text=text))
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise UsageError(_("{text}: no such day ({year}-{month:02d} has {last} days)").format(
            text=text, year=year, month=month, last=last))
    return date(year, month, day)
