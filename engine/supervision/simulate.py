"""Simulated case histories (`lianban simulate`), so the 督办 report has data to run on.

Everything is drawn from one ``random.Random(seed)``: the same item, seed, start day and
assumptions give the same cases, event for event. Every move goes through
:meth:`Case.fire` (the checks of a real case) and every case through the store's bulk
:meth:`~engine.cases.store.Store.create_cases`. Each opened event says ``"simulated": true``
with the simulation's id and seed, so reports never mix these cases with real ones silently.
The assumptions (:class:`Assumptions`) are documented in docs/supervision.md.
"""
from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from engine.cases.clocks import PROCEDURES
from engine.cases.machine import Case, Event, StepRun
from engine.cases.opening import open_case
from engine.errors import UsageError
from engine.i18n import _

if TYPE_CHECKING:
    from engine.cases.store import Store
    from engine.flow.analysis import Analysis
    from engine.situations.space import Situation
    from engine.workdays.calendar import WorkCalendar

__all__ = ["Assumptions", "Simulation", "simulate"]

BATCH = 1000  # cases per store transaction


@dataclass(frozen=True)
class Assumptions:
    """How simulated departments and applicants behave (docs/supervision.md explains each)."""
    rate: float = 20.0                # cases opened per working day (Poisson arrivals)
    accept_same_day: float = 0.7      # a department accepts a ready step the same day ...
    accept_delay: float = 1.5         # ... else after this many working days on average (geometric)
    speed: float = 0.8                # handling time / committed days for a typical department (median)
    speed_spread_department: float = 0.35  # departments differ: lognormal sigma of their speed
    speed_spread_case: float = 0.5    # cases differ: lognormal sigma around the department's speed
    correction: float = 0.15          # a step is returned for 补正 at least once
    another_round: float = 0.3        # ... and each time once more
    correction_days: float = 3.0      # the applicant resubmits after this many working days on average
    procedure: float = 0.03           # a step with a legal limit goes through a 特别程序
    procedure_days: tuple[int, int] = (5, 20)  # which lasts this many working days (uniform)
    refusal: float = 0.01             # a step is refused (the case ends refused)
    withdrawal: float = 0.01          # the applicant withdraws the case before it ends
    serial_departments: float = 0.3   # share of departments in the habit of working one after another ...
    serial_habit: float = 0.6         # ... who then wait, in this share of cases, for steps they do not depend on

    def check(self) -> None:
        shares = {k: v for k, v in asdict(self).items() if k in _SHARES}
        for name, value in shares.items():
            if not 0 <= value <= 1:
                raise UsageError(_("{name} must be between 0 and 1, not {value}").format(name=name, value=value))
        if not 0 < self.rate <= 100_000:
            raise UsageError(_("the arrival rate must be above 0 and at most 100000 cases a day, not {rate}")
                             .format(rate=self.rate))


_SHARES = ("accept_same_day", "correction", "another_round", "procedure", "refusal", "withdrawal",
           "serial_departments", "serial_habit")


@dataclass
class Simulation:
    """What a run wrote: the case ids and when they opened, and how they ended."""
    id: str
    item: str
    seed: int
    first: date
    last: date                       # the day the last case opened: histories are cut there
    ids: list[str] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)
    events: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"simulation": self.id, "item": self.item, "seed": self.seed, "cases": len(self.ids),
                "first_opened": self.first.isoformat(), "cut": self.last.isoformat(), "events": self.events,
                "states": dict(sorted(self.states.items())),
                "case_ids": {"first": self.ids[0], "last": self.ids[-1]} if self.ids else None}


class _Days:
    """Working days from a start day, by index (0 is the first working day on or after it)."""

    def __init__(self, calendar: WorkCalendar, start: date) -> None:
        self.calendar, self._next = calendar, start
        self.days: list[date] = []

    def __getitem__(self, i: int) -> date:
        while len(self.days) <= i:
            if self.calendar.is_workday(self._next):
                self.days.append(self._next)
            self._next += timedelta(days=1)
        return self.days[i]


def simulate(store: Store, analysis: Analysis, cases: int, seed: int, start: date, calendar: WorkCalendar,
             assumptions: Assumptions | None = None, progress: Callable[[int], None] | None = None,
             mix: bool = True) -> Simulation:
    """Write `cases` simulated cases of the analysed item, opened from `start` on. For an item that asks
    questions each case draws its applicant's situation by the definition's shares, unless `mix` is
    False: then every case is in the analysed situation."""
    a = assumptions or Assumptions()
    a.check()
    if cases < 1:
        raise UsageError(_("--cases must be at least 1, not {n}").format(n=cases))
    rng = random.Random(seed)
    item = analysis.item
    sim_id = hashlib.sha256(f"{item.id}|{seed}|{start}|{cases}|{a}".encode()).hexdigest()[:12]
    days = _Days(calendar, start)
    arrivals = _arrivals(rng, cases, a.rate)
    cut = arrivals[-1]
    result = Simulation(sim_id, item.id, seed, days[0], days[cut])
    draw = _Situations(analysis, rng, mix)
    traits = _Traits(rng, sorted({s.department for s in draw.departments}), a)
    templates: dict[tuple[int, str], dict[str, Any]] = {}
    batch: list[tuple[list[Event], Case]] = []
    for n, day in enumerate(arrivals, 1):
        key, flow = draw()
        opened = templates.get((day, key))
        if opened is None:
            marker = {"id": sim_id, "seed": seed}
            opened = templates[day, key] = open_case(flow, "-", days[day], calendar, marker).events[0].payload
            if len(templates) > 256:  # one opening day at a time matters
                templates.pop(next(iter(templates)))
        case = Case(Event(1, "opened", {**opened, "applicant": _("simulated applicant {n}").format(n=n)}))
        for when, action, step, extra in _history(rng, case, day, traits, a):
            if when > cut or case.state.closed:
                break
            case.fire(action, step=step, department=case.steps[step].department if step else None, on=days[when],
                      calendar=calendar, **extra)
        result.states[case.state.value] = result.states.get(case.state.value, 0) + 1
        result.events += len(case.events)
        batch.append((case.events, case))
        if len(batch) >= BATCH or n == cases:
            result.ids += store.create_cases(batch)
            batch = []
            if progress is not None:
                progress(n)
    return result


def _arrivals(rng: random.Random, n: int, rate: float) -> list[int]:
    """The working day (index) each case opens: exponential gaps between arrivals at `rate` a day."""
    out, t = [], 0.0
    for _i in range(n):
        out.append(int(t))
        t += rng.expovariate(rate)
    return out


class _Situations:
    """Each case's applicant situation (情形), drawn by the definition's shares (``frequency:``), so an
    item that asks questions gets the mix of flows its applicants bring. An item that asks none, or a
    simulation pinned to one situation (``mix=False``), always gives the analysed flow."""

    def __init__(self, analysis: Analysis, rng: random.Random, mix: bool) -> None:
        self.rng, self.only = rng, analysis
        general = analysis.item.general
        self.departments = list((general or analysis.item).steps)
        self.by_key: dict[str, Situation] = {}
        self.flows: dict[str, Analysis] = {}
        if mix and general is not None and general.questions:
            from engine.situations import situations

            self.general = general
            self.by_key = {s.key: s for s in situations(general).situations}
        self.keys = list(self.by_key)
        self.weights = [s.weight for s in self.by_key.values()]

    def __call__(self) -> tuple[str, Analysis]:
        if not self.keys:
            return "", self.only
        key = self.rng.choices(self.keys, self.weights)[0]
        flow = self.flows.get(key)
        if flow is None:
            from engine.flow.analysis import analyze
            from engine.situations import specialise

            flow = self.flows[key] = analyze(specialise(self.general, self.by_key[key]))
        return key, flow


class _Traits:
    """What each department is like in this simulation (drawn once, in the order of their names)."""

    def __init__(self, rng: random.Random, departments: list[str], a: Assumptions) -> None:
        self.speed = {d: a.speed * math.exp(rng.gauss(0, a.speed_spread_department)) for d in departments}
        self.serial = {d: rng.random() < a.serial_departments for d in departments}


def _geometric(rng: random.Random, mean: float) -> int:
    """Working days >= 1 with the given mean (a geometric distribution)."""
    if mean <= 1:
        return 1
    p = 1 / mean
    return 1 + int(math.log(1 - rng.random()) / math.log(1 - p))


def _history(rng: random.Random, case: Case, opened: int, traits: _Traits,
             a: Assumptions) -> Iterator[tuple[int, str, str | None, dict[str, Any]]]:
    """One case's moves as (working day index, action, step, fire() keywords), in the order to fire them:
    by day, then flow order (a dependency's approval before its dependant's acceptance), then step order."""
    moves: list[tuple[int, int, int, str, str | None, dict[str, Any]]] = []
    done: dict[str, int] = {}
    order = list(case.steps)
    for position, sid in enumerate(order):
        run = case.steps[sid]
        ready = max((done[n] for n in run.needs), default=opened)
        if traits.serial[run.department] and rng.random() < a.serial_habit:
            ancestors = _before(case, sid)
            ready = max([ready] + [done[o] for o in order[:position] if o not in ancestors])
        step_moves = _step(rng, run, ready, traits.speed[run.department], a)
        moves += [(when, position, seq, action, sid, extra) for seq, (when, action, extra) in enumerate(step_moves)]
        done[sid] = step_moves[-1][0]
    if rng.random() < a.withdrawal:
        last = max(m[0] for m in moves)
        moves.append((rng.randint(opened, last), len(order), 0, "withdraw", None, {}))
    moves.sort(key=lambda m: m[:3])
    for when, _pos, _seq, action, step, extra in moves:
        yield when, action, step, extra


def _step(rng: random.Random, run: StepRun, ready: int, speed: float,
          a: Assumptions) -> list[tuple[int, str, dict[str, Any]]]:
    """One step's moves from the day it may start: accept, 补正 rounds, a 特别程序, the decision."""
    day = ready if rng.random() < a.accept_same_day else ready + _geometric(rng, a.accept_delay)
    out: list[tuple[int, str, dict[str, Any]]] = [(day, "accept", {})]
    work = max(0, round(run.days * speed * math.exp(rng.gauss(0, a.speed_spread_case))))
    if rng.random() < a.correction:
        rounds = 1
        while rng.random() < a.another_round and rounds < 5:
            rounds += 1
        for _r in range(rounds):
            day += rng.randint(0, 1)
            out.append((day, "return", {"reason": _("simulated correction")}))
            day += _geometric(rng, a.correction_days)
            out.append((day, "resubmit", {}))
    if run.legal_days is not None and rng.random() < a.procedure:
        day += rng.randint(0, work // 2)
        procedure = rng.choice(PROCEDURES)
        out.append((day, "suspend", {"procedure": procedure,
                                     "reason": _("simulated {procedure}").format(procedure=procedure)}))
        day += rng.randint(*a.procedure_days)
        out.append((day, "resume", {}))
    day += work
    out.append((day, "refuse", {"reason": _("simulated refusal")}) if rng.random() < a.refusal else (day, "approve", {}))
    return out


def _before(case: Case, step_id: str) -> set[str]:
    """Every step `step_id` depends on, directly or not."""
    seen: set[str] = set()
    todo = list(case.steps[step_id].needs)
    while todo:
        sid = todo.pop()
        if sid not in seen:
            seen.add(sid)
            todo.extend(case.steps[sid].needs)
    return seen
