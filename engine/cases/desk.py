"""The case desk: what the case commands (and any other front end) do with a store, as data.

Opening a case of a validated item, acting on a step, the list of cases, a department's
queue and one case's flow are computed here and returned as rows; the CLI only prints them.
Each row carries its warning level (engine/cases/clocks.py): the case's own ladder (its
definition's, else the default) unless the caller passes one (``--ladder FILE``).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.cases.machine import Case, Event, StepState, by_urgency, open_case
from engine.cases.store import Store, load_case, transact
from engine.i18n import _

if TYPE_CHECKING:
    from engine.cases.clocks import Ladder
    from engine.flow.analysis import Analysis
    from engine.workdays.calendar import WorkCalendar

OPEN_STATES = (StepState.WAITING, StepState.READY, StepState.ACCEPTED)


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


def open_new(store: Store, analysis: Analysis, applicant: str, on: date, calendar: WorkCalendar | None) -> Case:
    """Open a case of the analysed item and store it; the case has its new id."""
    case = open_case(analysis, applicant, on, calendar)
    case.id = store.create_case(case.events)
    return case


def act(store: Store, case_id: str, action: str, *, step: str | None, department: str | None, on: date,
        reason: str | None = None, calendar: WorkCalendar | None = None,
        procedure: str | None = None) -> tuple[Case, Event]:
    """Check and record one move on a stored case (retrying on a concurrent writer)."""
    def move(case: Case) -> Event:
        return case.fire(action, step=step, department=department, on=on, reason=reason, calendar=calendar,
                         procedure=procedure)
    return transact(store, case_id, move)


@dataclass(frozen=True)
class CaseRow:
    case: str
    item: str
    name: str
    applicant: str
    state: str
    opened_on: str
    next_deadline: str | None
    overdue: list[str]
    provisional: bool = False  # the next deadline read a year with no official holiday arrangement
    level: str | None = None
    simulated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def cases(store: Store) -> Iterator[Case]:
    for case_id in store.list_cases():
        yield load_case(store, case_id)


def case_rows(store: Store, on: date, overdue_only: bool = False, calendar: WorkCalendar | None = None,
              ladder: Ladder | None = None) -> list[CaseRow]:
    """Every case with its state, next deadline and level (with a *calendar*); with *overdue_only*,
    those late on *on*. Simulated cases are marked."""
    from engine.cases.calendar_review import is_provisional

    rows = []
    for case in cases(store):
        late = case.overdue(on)
        if overdue_only and not late:
            continue
        open_ = [r.deadline for r in case.steps.values() if r.state in OPEN_STATES]
        nxt = min(open_) if open_ and not case.state.closed else None
        level = levels(case, on, calendar, ladder).case if calendar is not None else None
        rows.append(CaseRow(str(case.id), case.item["id"], case.item["name"], case.applicant, case.state.value,
                            case.opened_on.isoformat(), nxt.isoformat() if nxt else None, [r.id for r in late],
                            nxt is not None and is_provisional(case, nxt), level, case.simulated))
    return rows


@dataclass(frozen=True)
class QueueRow:
    case: str
    item: str
    applicant: str
    step: str
    name: str
    action: str
    deadline: str
    overdue: bool
    provisional: bool = False  # the deadline read a year with no official holiday arrangement
    legal_deadline: str | None = None
    level: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def queue(store: Store, department: str, on: date, calendar: WorkCalendar | None = None,
          ladder: Ladder | None = None) -> list[QueueRow]:
    """What *department* must do now (accept ready steps, approve accepted ones), most urgent first,
    with each step's level (with a *calendar*)."""
    from engine.cases.calendar_review import is_provisional

    pairs, actions, found = [], {}, {}
    for case in cases(store):
        todo = case.todo(department)
        if todo and calendar is not None:
            found[case.id] = levels(case, on, calendar, ladder).steps
        for action, run in todo:
            pairs.append((case, run))
            actions[(case.id, run.id)] = action
    return [QueueRow(str(c.id), c.item["id"], c.applicant, r.id, r.name, actions[(c.id, r.id)],
                     r.deadline.isoformat(), r.deadline < on, is_provisional(c, r.deadline), _iso(r.legal_deadline),
                     found.get(c.id, {}).get(r.id)) for c, r in by_urgency(pairs)]


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


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
            notes.append(f"overdue on {on}")
        if r.state is StepState.RETURNED:
            notes.append(f"补正 since {r.returned_on}: {r.reason}")
        pause = r.open_pause
        if r.state is StepState.SUSPENDED and pause is not None:
            notes.append(_("特别程序 {procedure} since {on}: {reason}").format(
                procedure=pause.procedure, on=pause.start, reason=pause.reason))
        if r.legal_deadline is not None and r.legal_deadline < on and r.id in found:
            notes.append(_("past the legal deadline on {on}").format(on=on))
        if r.paused_days:
            notes.append(f"paused {r.paused_days} wd")
        if r.state is StepState.REFUSED:
            notes.append(f"不予许可: {r.reason}")
        rows.append(FlowRow(r.id, r.name, r.department, r.state.value, list(r.needs), r.planned.isoformat(),
                            r.deadline.isoformat(), notes, _iso(r.legal_deadline), found.get(r.id)))
    return rows
