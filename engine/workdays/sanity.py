"""Date sanity: a warning when a day of acceptance or a step's action falls on a rest day.

Acting on a Saturday or a holiday is allowed (a window may open for a weekend campaign), so
this is a warning, never an error; but it is often a typo, and it changes when the count
starts: the day of acceptance never counts, so the first working day after it is day 1
(docs/workdays.md).
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from engine.i18n import N_, _
from engine.workdays.errors import CalendarError

if TYPE_CHECKING:
    from engine.workdays.calendar import WorkCalendar

__all__ = ["rest_day", "rest_day_warning", "weekday_name"]

_WEEKDAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
                  N_("Sunday"))


def weekday_name(weekday: int) -> str:
    """Monday … Sunday (date.weekday() numbering), in the current language."""
    return _(_WEEKDAY_NAMES[weekday])


def rest_day(cal: WorkCalendar, day: date) -> str | None:
    """What kind of rest day *day* is ("a holiday (国庆节)", "a Saturday"), or None for a working day
    and for a day the calendar cannot tell (a year it does not cover)."""
    try:
        if cal.is_workday(day):
            return None
        name = cal.holiday_name(day)
        provisional = cal.is_provisional(day.year)
    except CalendarError:
        return None
    if name:
        what = _("a holiday ({name})").format(name=name)
    else:
        what = _("a {weekday}").format(weekday=weekday_name(day.weekday()))
    if provisional:
        what += _(" by the provisional {year} calendar").format(year=day.year)
    return what


def rest_day_warning(cal: WorkCalendar, day: date, *, counts: bool) -> str | None:
    """One line for a rest *day*, or None. *counts*: the day starts a count (opening a case,
    accepting or resubmitting a step, ``--start``), so the line says where the count begins."""
    what = rest_day(cal, day)
    if what is None:
        return None
    if counts:
        try:
            first = cal.add_workdays(day, 1)
        except CalendarError:
            return _("{day} is {what}, not a working day").format(day=day, what=what)
        return _("{day} is {what}, not a working day: the count starts from the next working day, {first}").format(
            day=day, what=what, first=first)
    return _("{day} is {what}, not a working day: is the date right?").format(day=day, what=what)
