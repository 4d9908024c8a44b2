"""The case desk: what the case commands (and any other front end) do with a store, as data.

Opening a case of a validated item, acting on a step, receiving materials, a correction, the
list of cases, a department's queue and one case's flow are computed here and returned as rows;
the CLI and the workspace (engine/server/) only present them. Every move records who made it
(`actor`) beside its payload; business dates after today are refused.
Each row and step carries its warning level on the two clocks (engine/cases/clocks.py): the
case's own ladder (its definition's, else the default) unless the caller passes one (``--ladder``).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.cases.machine import Case, Event, StepState, TransitionError
from engine.cases.opening import open_case
from engine.cases.projection import CaseQuery, CaseRow, Grade, QueueRow
from engine.cases.store import Store, load_case, transact
from engine.i18n import _
from engine.units import day_or_none, iso_or_none

if TYPE_CHECKING:
    from engine.cases.clocks import Ladder
    from engine.flow.analysis import Analysis
    from engine.workdays.calendar import WorkCalendar

__all__ = ["CaseRow", "FlowRow", "QueueRow", "act", "case_doc", "case_rows", "cases", "correct", "date_warnings",
           "flow_rows", "not_in_future", "open_new", "queue", "receive"]

OPEN_STATES = (StepState.WAITING, StepState.READY, StepState.ACCEPTED)
COUNTING = ("open", "resubmit", "resume")  # moves whose day starts a count of working days (as the CLI words it)
Actor = dict[str, Any]


@dataclass(frozen=True)
class Levels:
    """Warning levels of one case on one day: the case's and each open step's (None: no level)."""
    case: str | None
    steps: dict[str, str | None]


def levels(case: Case, on: date, calendar: WorkCalendar, ladder: Ladder | None = None) -> Levels:
    """The ladder's levels on *on*. A closed case, a finished step and a paused one (补正, 特别程序, or
    after such a step) have none; the case's own clocks count only while no step is paused (the
    pause will move them), and the case's level is the worst of its own and its steps'."""
    lad = ladder or case.ladder
    if case.state.closed:
        return Levels(None, {})
    paused = case.paused_steps()
    steps = {r.id: lad.level(r.deadline, r.legal_deadline, on, calendar)
             for r in case.steps.values() if r.state in OPEN_STATES and r.id not in paused}
    own = None if paused else lad.level(case.committed_deadline, case.legal_deadline, on, calendar)
    return Levels(lad.worst([own, *steps.values()]), steps)


def case_view(case: Case, on: date, calendar: WorkCalendar, ladder: Ladder | None = None) -> dict[str, Any]:
    """`case show --format json`: :func:`case_doc` with the levels on *on* and the ladder used."""
    found = levels(case, on, calendar, ladder)
    out = case_doc(case, on)
    out["level"] = found.case
    out["ladder"] = (ladder or case.ladder).as_dict()
    for step in out["steps"]:
        step["level"] = found.steps.get(step["id"])
    return out


def current_date() -> date:
    """Today, as the date rule reads it (the one place tests move the clock)."""
    return date.today()


def not_in_future(on: date, today: date | None = None) -> None:
    """Refuse a business date after today (a mistyped year would freeze the case for everyone)."""
    today = today or current_date()
    if on > today:
        raise TransitionError(_("{on} is in the future (today is {today}): record a move on the day it "
                                "happens, or earlier").format(on=on, today=today))


def date_warnings(on: date, calendar: WorkCalendar | None, action: str = "open", event: Event | None = None) -> list[str]:
    """The warning about a business date that is a rest day (engine.workdays.sanity), as a list. The
    day starts a count for an opening, the end of a pause, and an acceptance that started a legal clock
    (`event`, the acceptance, says whether it did)."""
    if calendar is None:
        return []
    from engine.workdays.errors import CalendarError
    from engine.workdays.sanity import rest_day_warning

    try:
        counts = action in COUNTING or (action == "accept" and event is not None and "legal_deadline" in event.payload)
        warning = rest_day_warning(calendar, on, counts=counts)
    except CalendarError:  # a year without a calendar: the move itself reports it where it matters
        return []
    return [warning] if warning else []


def open_new(store: Store, analysis: Analysis, applicant: str, on: date, calendar: WorkCalendar | None, *,
             actor: Actor | None = None, today: date | None = None) -> Case:
    """Open a case of the analysed item and store it (with its projection); the case has its new id."""
    not_in_future(on, today)
    case = open_case(analysis, applicant, on, calendar)
    if actor is not None:
        case.events[0] = Event(1, "opened", case.events[0].payload, actor=actor)
    case.id = store.create_case(case.events, case)
    return case


def act(store: Store, case_id: str, action: str, *, step: str | None, department: str | None, on: date,
        reason: str | None = None, calendar: WorkCalendar | None = None, actor: Actor | None = None,
        today: date | None = None, procedure: str | None = None) -> tuple[Case, Event]:
    """Check and record one move on a stored case (retrying on a concurrent writer)."""
    not_in_future(on, today)

    def move(case: Case) -> Event:
        return case.fire(action, step=step, department=department, on=on, reason=reason, calendar=calendar,
                         procedure=procedure)
    return transact(store, case_id, move, actor=actor)


def receive(store: Store, case_id: str, materials: Iterable[str], *, on: date, actor: Actor | None = None,
            today: date | None = None) -> tuple[Case, Event]:
    """Record materials the window received (the case's checklist)."""
    not_in_future(on, today)
    wanted = list(materials)
    return transact(store, case_id, lambda case: case.receive(wanted, on), actor=actor)


def correct(store: Store, case_id: str, target: int, *, reason: str, calendar: WorkCalendar, on: date | None = None,
            void: bool = False, actor: Actor | None = None, today: date | None = None) -> tuple[Case, Event]:
    """Record a supervisor's correction of event #target: a new business date `on`, or annulled (`void`)."""
    from engine.cases.corrections import correction

    day = today or current_date()

    def fix(case: Case) -> Event:
        event = correction(case, target, reason=reason, today=day, calendar=calendar, on=on, void=void)
        case.apply(event)
        return event
    return transact(store, case_id, fix, actor=actor)


def cases(store: Store) -> Iterator[Case]:
    for case_id in store.list_cases():
        yield load_case(store, case_id)


def case_rows(store: Store, on: date, overdue_only: bool = False, calendar: WorkCalendar | None = None,
              ladder: Ladder | None = None) -> list[CaseRow]:
    """Every case with its state, next deadline and (with a *calendar*) its warning level; with
    *overdue_only*, those late on *on* (from the projection)."""
    return store.case_page(CaseQuery(on=on, overdue=overdue_only, grade=grader(on, calendar, ladder))).rows




def queue(store: Store, department: str, on: date, calendar: WorkCalendar | None = None,
          ladder: Ladder | None = None) -> list[QueueRow]:
    """What *department* must do now (accept ready steps, approve accepted ones), most urgent first,
    with (given a *calendar*) each step's warning level."""
    return store.queue_page(department, on, grade=grader(on, calendar, ladder)).rows


def grader(on: date, calendar: WorkCalendar | None, ladder: Ladder | None = None) -> Grade | None:
    """The level on *on* of something due on (committed, legal) under a case's pinned ladder (its JSON
    text, or None: the default), or under *ladder* for every case; None without a calendar."""
    if calendar is None:
        return None
    from engine.cases.clocks import ladder_of

    ladders: dict[str | None, Ladder] = {}

    def grade(committed: str | None, legal: str | None, pinned: str | None) -> str | None:
        lad = ladder or ladders.get(pinned)
        if lad is None:
            lad = ladders[pinned] = ladder_of(None, json.loads(pinned) if pinned else None)
        return lad.level(day_or_none(committed), day_or_none(legal), on, calendar)
    return grade


@dataclass(frozen=True)
class FlowRow:
    step: str
    name: str
    department: str
    state: str
    needs: list[str]
    planned: str
    deadline: str
    notes: list[str]
    legal_deadline: str | None = None
    level: str | None = None


def case_doc(case: Case, on: date) -> dict[str, Any]:
    """The case as JSON: :meth:`Case.as_dict` plus which dates are provisional (``provisional_years``,
    and ``provisional`` on each step whose planned date or deadline read such a year)."""
    from engine.cases.calendar_review import provisional_steps, provisional_years

    doc = case.as_dict(on)
    marked = set(provisional_steps(case))
    for step in doc["steps"]:
        step["provisional"] = step["id"] in marked
    doc["provisional_years"] = provisional_years(case)
    return doc


def flow_rows(case: Case, on: date, calendar: WorkCalendar | None = None,
              ladder: Ladder | None = None) -> list[FlowRow]:
    """One row per step of the case: its state, plan, deadlines, level (with a *calendar*) and what
    to know about it on *on*."""
    from engine.cases.calendar_review import provisional_steps

    late = {r.id for r in case.overdue(on)}
    marked = set(provisional_steps(case))
    found = levels(case, on, calendar, ladder).steps if calendar is not None else {}
    rows = []
    for r in case.steps.values():
        notes = []
        if r.id in marked:
            notes.append(_("provisional date"))
        if r.id in late:
            notes.append(_("overdue on {date}").format(date=on))
        if r.state is StepState.RETURNED:
            notes.append(_("补正 since {date}: {reason}").format(date=r.returned_on, reason=r.reason))
        pause = r.open_pause
        if r.state is StepState.SUSPENDED and pause is not None:
            notes.append(_("特别程序 {procedure} since {on}: {reason}").format(
                procedure=pause.procedure, on=pause.start, reason=pause.reason))
        if r.legal_deadline is not None and r.legal_deadline < on and r.id in found:
            notes.append(_("past the legal deadline on {on}").format(on=on))
        if r.paused_days:
            notes.append(_("paused {n} wd").format(n=r.paused_days))
        if r.state is StepState.REFUSED:
            notes.append(_("不予许可: {reason}").format(reason=r.reason))
        rows.append(FlowRow(r.id, r.name, r.department, r.state.value, list(r.needs), r.planned.isoformat(),
                            r.deadline.isoformat(), notes, iso_or_none(r.legal_deadline), found.get(r.id)))
    return rows
