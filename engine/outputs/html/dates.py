"""Calendar dates on the site: a schedule's time points (working days after acceptance) as dates."""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.workdays.calendar import WorkCalendar

DateOf = Callable[[float], date]  # schedule time point (working days) -> calendar date


def workday_dates(calendar: WorkCalendar, start: date) -> DateOf:
    """Time *d* of a case accepted on *start*: ``add_workdays(start, ceil(d))`` of *calendar*
    (the acceptance day does not count; a half day ends on the day it falls in).  A year the
    calendar does not cover raises its CalendarError when that date is asked for."""

    def date_of(d: float) -> date:
        return calendar.add_workdays(start, math.ceil(d))

    return date_of
