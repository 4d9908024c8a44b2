"""Which of a case's dates are provisional, and which would move now that the calendar knows more.

A case pins the calendar source of every year its dates read (the ``opened`` event's
``calendar``: ``{"2027": {"kind": "provisional", ...}}``). A year pinned as provisional had no
official holiday arrangement when the case was opened: its dates count the statutory holidays
and weekends only. When that year becomes official (``lianban calendar import``, or a newer
chinesecalendar), :func:`review` replays the case's events under the current calendar, in a
copy, and lists the planned dates and deadlines that would move; the stored events never change.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from engine.cases.machine import ACTIONS, CORRECTED, RECEIVED, Case, Event
from engine.cases.opening import dated
from engine.workdays.calendar import PROVISIONAL
from engine.workdays.errors import CalendarError

if TYPE_CHECKING:
    from engine.workdays.calendar import WorkCalendar

__all__ = ["Move", "Review", "is_provisional", "provisional_steps", "provisional_years", "replay_with", "review"]


def provisional_years(case: Case) -> list[int]:
    """The years the case's dates read that were provisional when it was opened."""
    return sorted(int(y) for y, src in case.calendar.items() if isinstance(src, dict) and src.get("kind") == PROVISIONAL)


def is_provisional(case: Case, day: date) -> bool:
    """True when counting from the opening day to *day* read a provisional year."""
    years = provisional_years(case)
    return bool(years) and day > case.opened_on and any(
        (case.opened_on + timedelta(days=1)).year <= y <= day.year for y in years)


def provisional_steps(case: Case) -> list[str]:
    """The steps whose planned date or deadline is provisional, in flow order."""
    return [r.id for r in case.steps.values() if is_provisional(case, r.planned) or is_provisional(case, r.deadline)]


@dataclass(frozen=True)
class Move:
    step: str
    name: str
    field: str  # "deadline" or "planned"
    old: str
    new: str


@dataclass
class Review:
    provisional: list[int]  # pinned as provisional when the case was opened
    official: dict[int, str] = field(default_factory=dict)  # of those, the ones now official -> where from
    moves: list[Move] = field(default_factory=list)
    error: str | None = None  # the current calendar could not recount the case

    def as_dict(self) -> dict[str, Any]:
        return {"provisional_years": self.provisional, "now_official": {str(y): d for y, d in self.official.items()},
                "moves": [asdict(m) for m in self.moves], "error": self.error}


def replay_with(case: Case, cal: WorkCalendar) -> Case:
    """A copy of *case* whose dates are counted again with *cal*: the opened event's planned dates,
    deadlines and clocks, then every move (an acceptance's legal deadline, a pause's days and the
    dates it moved included), as corrected (annulled events left out, re-dated ones on their date)."""
    opened = replace(case.events[0], payload=case.effective(case.events[0]))
    steps, clocks = dated(opened.payload["steps"], opened.payload.get("clocks"), case.opened_on, cal)
    payload = {**opened.payload, "steps": steps}
    if clocks:  # the case's two clocks (absent from cases opened before them)
        payload["clocks"] = clocks
    copy = Case(Event(1, "opened", payload), case.id)
    action_of = {v: k for k, v in ACTIONS.items()}
    for event in case.events[1:]:
        if event.type == CORRECTED or event.seq in case.voided:
            continue
        p = case.effective(event)
        if event.type == RECEIVED:
            copy.receive(p.get("materials") or [], date.fromisoformat(p["on"]))
            continue
        copy.fire(action_of[event.type], step=p.get("step"), department=p.get("department"),
                  on=date.fromisoformat(p["on"]), reason=p.get("reason"), calendar=cal, procedure=p.get("procedure"))
    return copy


def review(case: Case, cal: WorkCalendar) -> Review:
    """The case's provisional years, those now official in *cal*, and the dates that would move."""
    result = Review(provisional_years(case))
    for year in result.provisional:
        try:
            if not cal.is_provisional(year):
                src = cal.source(year)
                result.official[year] = src.detail + (f" ({src.notice})" if src.notice else "")
        except CalendarError:
            continue  # the current calendar does not cover it at all: nothing to compare with
    if not result.official:
        return result
    try:
        now = replay_with(case, cal)
    except CalendarError as exc:
        result.error = str(exc)
        return result
    for sid, run in case.steps.items():
        other = now.steps[sid]
        for name, old, new in (("deadline", run.deadline, other.deadline), ("planned", run.planned, other.planned),
                               ("legal_deadline", run.legal_deadline, other.legal_deadline)):
            if old != new and old is not None and new is not None:
                result.moves.append(Move(sid, run.name, name, old.isoformat(), new.isoformat()))
    for name, old, new in (("case committed", case.committed_deadline, now.committed_deadline),
                           ("case legal", case.legal_deadline, now.legal_deadline)):
        if old != new and old is not None and new is not None:
            result.moves.append(Move("-", case.item["name"], name, old.isoformat(), new.isoformat()))
    return result
