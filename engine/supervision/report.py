"""督办: how departments actually perform, computed from the case store in one pass.

:func:`supervise` streams the store's events (:meth:`Store.scan`), folds each case into
:class:`~engine.supervision.facts.CaseFacts` and adds it to a :class:`Supervisor`, which keeps
only aggregates: counts, and exact histograms per half working day for the quantiles. Memory
depends on the number of departments, steps and distinct durations, never on the number of
cases (the overdue list keeps its ``top`` worst entries). What each figure means is in
docs/supervision.md; the JSON contract is :meth:`Report.as_dict`.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.cases.clocks import Ladder, ladder_of
from engine.supervision.facts import OPEN_STEP_STATES, CaseFacts, Folder, StepFacts
from engine.supervision.tally import CaseTally, Tally
from engine.units import day_or_none

if TYPE_CHECKING:
    from engine.cases.store import Store
    from engine.workdays.calendar import WorkCalendar

__all__ = ["OMIT", "Overdue", "Period", "Report", "Supervisor", "supervise"]

OMIT = ("definition", "materials", "calendar", "applicant")  # parts of an 'opened' event a report never reads


@dataclass(frozen=True)
class Period:
    start: date | None  # None: from the first case
    end: date           # also the day "now" is judged on (overdue steps, levels)
    _first: str = field(init=False, repr=False, compare=False)
    _last: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_first", self.start.isoformat() if self.start else "")
        object.__setattr__(self, "_last", self.end.isoformat())

    def __contains__(self, day: str | None) -> bool:
        return day is not None and self._first <= day <= self._last


class Workdays:
    """Working days between ISO dates, each date looked up once (a report meets few distinct dates)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._anchor: date | None = None
        self._index: dict[str, int] = {}

    def index(self, day: str) -> int:
        found = self._index.get(day)
        if found is None:
            d = date.fromisoformat(day)
            if self._anchor is None:
                self._anchor = d
            found = self._index[day] = self.calendar.workdays_between(self._anchor, d)
        return found

    def between(self, start: str, end: str) -> int:
        known = self._index
        a, b = known.get(start), known.get(end)
        return (self.index(end) if b is None else b) - (self.index(start) if a is None else a)


@dataclass(frozen=True, order=True)
class Overdue:
    """An open step past its committed deadline on the report's day."""
    days_late: int           # working days past the committed deadline
    case: str = field(compare=False)
    item: str = field(compare=False)
    step: str = field(compare=False)
    name: str = field(compare=False)
    department: str = field(compare=False)
    deadline: str = field(compare=False)
    legal_deadline: str | None = field(compare=False)
    level: str | None = field(compare=False)
    case_on_time: bool = field(compare=False)  # the case's own committed deadline has not passed
    simulated: bool = field(compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"case": self.case, "item": self.item, "step": self.step, "name": self.name,
                "department": self.department, "deadline": self.deadline, "legal_deadline": self.legal_deadline,
                "days_late": self.days_late, "level": self.level, "case_on_time": self.case_on_time,
                "simulated": self.simulated}


@dataclass
class Report:
    period: Period
    department: str | None
    include_simulated: bool
    cases: CaseTally
    departments: dict[str, Tally]
    steps: dict[tuple[str, str, str], Tally]   # (item, step, department)
    names: dict[tuple[str, str, str], tuple[str, str]]  # -> (item name, step name)
    overdue: list[Overdue]
    overdue_total: int
    ladder: Ladder | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": "supervise",
            "from": self.period.start.isoformat() if self.period.start else None,
            "to": self.period.end.isoformat(),
            "department": self.department,
            "include_simulated": self.include_simulated,
            "cases": self.cases.as_dict(),
            "departments": [{"department": d, **t.as_dict()} for d, t in sorted(self.departments.items())],
            "steps": [{"item": k[0], "item_name": self.names[k][0], "step": k[1], "name": self.names[k][1],
                       "department": k[2], **t.as_dict()} for k, t in self.steps.items()],
            "overdue": [o.as_dict() for o in self.overdue],
            "overdue_total": self.overdue_total,
            "ladder": self.ladder.as_dict() if self.ladder else None,
        }


class Supervisor:
    """Adds up case facts. Feed it every case once (any order); :meth:`report` gives the figures."""

    def __init__(self, calendar: WorkCalendar, period: Period, *, department: str | None = None,
                 include_simulated: bool = False, ladder: Ladder | None = None, top: int = 50) -> None:
        self.period, self.department, self.include_simulated = period, department, include_simulated
        self.ladder, self.top = ladder, top
        self.workdays = Workdays(calendar)
        self.cases = CaseTally()
        self.steps: dict[tuple[str, str, str], Tally] = {}
        self.names: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.department_cases: dict[str, int] = {}
        self._overdue: list[tuple[int, int, int, Overdue]] = []  # a min-heap of the `top` worst
        self._overdue_seen = 0
        self._ladders: dict[str, Ladder] = {}
        self._asof = period.end.isoformat()

    def wants(self, simulated: bool) -> bool:
        """Whether a case is counted; a simulated one left out is counted as excluded."""
        if simulated and not self.include_simulated:
            self.cases.simulated_excluded += 1
            return False
        return True

    def add(self, f: CaseFacts) -> None:
        """Count one case (a simulated one only with include_simulated)."""
        if self.wants(f.simulated):
            self.take(f)

    def take(self, f: CaseFacts) -> None:
        """Count one case that :meth:`wants` accepted. (The hot loop of a report: one pass over the
        case's steps, with the rare parts behind cheap tests.)"""
        dept = self.department
        steps = [s for s in f.steps.values() if dept is None or s.department == dept]
        if not steps:
            return
        self._case(f)
        asof, first = self._asof, self.period._first
        paused = f.paused() if f.open else ()
        on_time_now = f.committed is not None and f.committed >= asof
        finished_on_time = f.state in ("completed", "refused") and f.committed is not None \
            and f.closed_on is not None and f.closed_on <= f.committed
        handled: set[str] = set()
        tallies = self.steps
        for s in steps:
            key = (f.item, s.id, s.department)
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally()
                self.names[key] = (f.item_name, s.name)
            done = s.finished_on
            if done is not None and first <= done <= asof:
                handled.add(s.department)
                self._decided(tally, s, done, finished_on_time)
            if s.corrections:
                tally.corrections += sum(1 for d in s.corrections if first <= d <= asof)
            if s.procedures:
                tally.procedures += sum(1 for d in s.procedures if first <= d <= asof)
            accepted = s.accepted_on
            if accepted is not None and accepted != s.ready_on and first <= accepted <= asof:
                self._gap(tally, f, s)
            if s.state in OPEN_STEP_STATES and f.open and s.id not in paused:
                self._open_step(tally, f, s, on_time_now)
        for name in handled:
            self.department_cases[name] = self.department_cases.get(name, 0) + 1

    def _case(self, f: CaseFacts) -> None:
        c, period = self.cases, self.period
        if f.simulated:
            c.simulated_included += 1
        else:
            c.real += 1
        if f.opened_on in period:
            c.opened += 1
        if f.closed_on is not None and f.closed_on in period:
            c.closed[f.state] = c.closed.get(f.state, 0) + 1
            if f.state != "withdrawn":
                c.committed.count(f.committed, f.closed_on)
                c.legal.count(f.legal, f.closed_on)
        if f.open:
            c.open_now += 1
            if not any(s.state in ("returned", "suspended") for s in f.steps.values()):
                c.overdue_committed += f.committed is not None and f.committed < self._asof
                c.overdue_legal += f.legal is not None and f.legal < self._asof

    def _decided(self, t: Tally, s: StepFacts, done: str, case_on_time: bool) -> None:
        t.decided += 1
        t.committed.counted += 1
        if done <= s.deadline:
            t.committed.on_time += 1
        elif case_on_time:
            t.late_in_cases_on_time += 1
        if s.legal_deadline is not None:
            t.legal.count(s.legal_deadline, done)
        h = t.committed_days  # Histogram.add, inlined: this runs once per decision
        key = round(s.days * 2)
        h.counts[key] = h.counts.get(key, 0) + 1
        h.n += 1
        if s.accepted_on is not None:
            h = t.used
            key = 2 * max(0, self.workdays.between(s.accepted_on, done) - s.paused_days)
            h.counts[key] = h.counts.get(key, 0) + 1
            h.n += 1

    def _gap(self, t: Tally, f: CaseFacts, s: StepFacts) -> None:
        """A step accepted after the day it could start (ready): past its slack, or after a parallel step."""
        assert s.ready_on is not None and s.accepted_on is not None
        if self.workdays.between(s.ready_on, s.accepted_on) > f.plan.slack[s.id]:
            t.late_starts += 1
        for other in f.plan.independent[s.id]:
            done = f.steps[other].finished_on
            if done is not None and s.ready_on < done <= s.accepted_on:
                t.serialized += 1
                break

    def _open_step(self, t: Tally, f: CaseFacts, s: StepFacts, case_on_time: bool) -> None:
        asof = self._asof
        if s.legal_deadline is not None and s.legal_deadline < asof:
            t.overdue_legal += 1
        if s.deadline >= asof:
            return
        t.overdue_committed += 1
        t.overdue_in_cases_on_time += case_on_time
        self._overdue_seen += 1
        late = self.workdays.between(s.deadline, asof)
        rank = (late, -_number(f.id), -f.plan.order.index(s.id))
        if len(self._overdue) >= self.top and rank <= self._overdue[0][:3]:
            return  # not among the worst: no level to compute
        ladder = self.ladder or self._ladder(f)
        level = ladder.level(date.fromisoformat(s.deadline), day_or_none(s.legal_deadline), self.period.end,
                             self.workdays.calendar)
        entry = Overdue(late, f.id, f.item, s.id, s.name, s.department, s.deadline, s.legal_deadline, level,
                        case_on_time, f.simulated)
        if len(self._overdue) < self.top:
            heapq.heappush(self._overdue, (*rank, entry))
        else:
            heapq.heapreplace(self._overdue, (*rank, entry))

    def _ladder(self, f: CaseFacts) -> Ladder:
        key = repr(f.warnings)
        found = self._ladders.get(key)
        if found is None:
            found = self._ladders[key] = ladder_of(None, f.warnings)
        return found

    def report(self) -> Report:
        departments: dict[str, Tally] = {}
        for (_item, _step, dept), tally in self.steps.items():
            departments.setdefault(dept, Tally()).merge(tally)
        for dept, total in departments.items():
            total.cases = self.department_cases.get(dept, 0)
        for tally in self.steps.values():
            tally.cases = tally.decided
        steps = dict(sorted(self.steps.items()))
        worst = [entry for *_rank, entry in sorted(self._overdue, reverse=True)]
        return Report(self.period, self.department, self.include_simulated, self.cases, departments, steps,
                      self.names, worst, self._overdue_seen, self.ladder)


def supervise(store: Store, calendar: WorkCalendar, period: Period, *, department: str | None = None,
              include_simulated: bool = False, ladder: Ladder | None = None, top: int = 50) -> Report:
    """The report over every case of `store`, read in one streaming pass."""
    sup = Supervisor(calendar, period, department=department, include_simulated=include_simulated, ladder=ladder,
                     top=top)
    add_events(sup, store.scan(omit=OMIT))
    return sup.report()


def add_events(sup: Supervisor, events: Iterable[tuple[str, Any]]) -> None:
    """Fold a stream of (case id, event) in case and seq order into `sup`, one case at a time: only
    the events of the case being read are in memory. A case left out (simulated) is not read."""
    until = sup.period.end.isoformat()
    folder = Folder(until)
    current: str | None = None  # the case being read (None: one left out)
    pending: list[Any] = []

    def done() -> None:
        if current is not None:
            facts = folder.fold(current, pending)
            if facts is not None:
                sup.take(facts)
    for case_id, event in events:
        if event.seq != 1:
            if current is not None:
                pending.append(event)
            continue
        done()
        p = event.payload
        current = case_id if p["on"] <= until and sup.wants(bool(p.get("simulated"))) else None
        pending = [event]
    done()


def _number(case_id: str) -> int:
    return int(case_id) if case_id.isdigit() and len(case_id) < 19 else 0


