"""What a report needs to know about one case, read straight from its events.

:class:`Folder` reads a case's events one by one into :class:`CaseFacts` (dates stay ISO text,
which compares in date order): it trusts the log, which the store checked on every append, and
does in a few microseconds per event what replaying the state machine does in tens. The
reference is :meth:`CaseFacts.from_case`, which reads the same facts off a replayed
:class:`~engine.cases.machine.Case`; tests/test_supervision.py holds the two equal on
simulated histories. Events dated after the report's cut-off (``until``) are not read: the
facts are the case as it stood that day.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from engine.cases.machine import CORRECTED, RECEIVED, _corrections
from engine.cases.store import StoreError
from engine.i18n import _
from engine.units import iso_or_none

if TYPE_CHECKING:
    from engine.cases.machine import Case, Event

__all__ = ["OPEN_STEP_STATES", "CaseFacts", "Folder", "Plan", "StepFacts", "fold"]

OPEN_STEP_STATES = frozenset({"waiting", "ready", "accepted"})
PAUSED_STATES = frozenset({"returned", "suspended"})
OPEN_CASE_STATES = frozenset({"open", "in_progress"})
_KINDS = frozenset({"accepted", "approved", "returned", "resubmitted", "suspended", "resumed", "refused", "withdrawn"})


@dataclass(slots=True)
class StepFacts:
    id: str
    name: str
    department: str
    days: float
    deadline: str                     # committed clock, as moved by pauses
    legal_deadline: str | None = None
    state: str = "waiting"
    ready_on: str | None = None
    accepted_on: str | None = None
    finished_on: str | None = None    # approved or refused
    corrections: list[str] = field(default_factory=list)  # the day each 补正 round began
    procedures: list[str] = field(default_factory=list)   # the day each 特别程序 began
    paused_days: int = 0


@dataclass(frozen=True)
class Plan:
    """The designed flow of a case (shared by every case of the same definition and schedule)."""
    order: tuple[str, ...]
    needs: dict[str, tuple[str, ...]]
    successors: dict[str, tuple[str, ...]]
    slack: dict[str, float]                    # latest finish - earliest finish, working days
    independent: dict[str, tuple[str, ...]]    # steps neither before nor after it: designed to run beside it

    @classmethod
    def of(cls, steps: list[dict[str, Any]]) -> Plan:
        order = tuple(s["id"] for s in steps)
        needs = {s["id"]: tuple(s["needs"]) for s in steps}
        successors: dict[str, list[str]] = {sid: [] for sid in order}
        for sid, deps in needs.items():
            for n in deps:
                successors[n].append(sid)
        before: dict[str, set[str]] = {}
        for sid in order:  # topological: every dependency is done first
            before[sid] = set(needs[sid]).union(*(before[n] for n in needs[sid]))
        independent = {sid: tuple(o for o in order if o != sid and o not in before[sid] and sid not in before[o])
                       for sid in order}
        slack = {s["id"]: float(s["latest_finish"]) - float(s["earliest_finish"]) for s in steps}
        return cls(order, needs, {k: tuple(v) for k, v in successors.items()}, slack, independent)


@dataclass(slots=True)
class CaseFacts:
    id: str
    item: str
    item_name: str
    opened_on: str
    simulated: bool
    committed: str | None             # the case's committed deadline (None: no commitment, or an old case)
    legal: str | None
    warnings: list[dict[str, Any]] | None  # the ladder pinned at opening, if the definition had one
    plan: Plan = field(compare=False, repr=False)
    steps: dict[str, StepFacts]
    state: str = "open"
    closed_on: str | None = None

    @property
    def open(self) -> bool:
        return self.state in OPEN_CASE_STATES

    def paused(self) -> set[str]:
        """Steps whose clocks stand still: returned or suspended ones and every step after them."""
        todo = [sid for sid, s in self.steps.items() if s.state in PAUSED_STATES]
        seen = set(todo)
        while todo:
            for succ in self.plan.successors[todo.pop()]:
                if succ not in seen:
                    seen.add(succ)
                    todo.append(succ)
        return seen

    @classmethod
    def from_case(cls, case: Case) -> CaseFacts:
        """The same facts read off a replayed case (the reference for :class:`Folder`)."""
        p = case.events[0].payload

        steps = {}
        for r in case.steps.values():
            steps[r.id] = StepFacts(
                r.id, r.name, r.department, r.days, r.deadline.isoformat(), iso_or_none(r.legal_deadline), r.state.value,
                iso_or_none(r.ready_on), iso_or_none(r.accepted_on), iso_or_none(r.approved_on or r.refused_on),
                [x.start.isoformat() for x in r.pauses if x.kind == "correction"],
                [x.start.isoformat() for x in r.pauses if x.kind == "procedure"], r.paused_days)
        return cls(str(case.id), case.item["id"], case.item["name"], case.opened_on.isoformat(), case.simulated,
                   iso_or_none(case.committed_deadline), iso_or_none(case.legal_deadline), p.get("warnings"),
                   Plan.of(p["steps"]),
                   steps, case.state.value, iso_or_none(case.closed_on))


class Folder:
    """Reads a case's events into CaseFacts; one Folder serves a whole report (it caches the plans).

    One loop per case over its events, branching on the type (a report reads a million events: a
    function call per event would cost more than the reading). It checks what it relies on: the
    first event opens the case, every type is known, every step named exists."""

    def __init__(self, until: str | None = None) -> None:
        self.until = until
        self._plans: dict[tuple[Any, ...], Plan] = {}
        self._lately: dict[int, tuple[list[dict[str, Any]], Plan]] = {}  # id(steps list) -> (it, its plan)

    def opened(self, case_id: str, event: Event, amend: dict[str, Any] | None = None) -> CaseFacts | None:
        """The facts of a case from its 'opened' event (with the fields a correction replaced: `amend`);
        None if it was opened after the cut-off."""
        p = {**event.payload, **amend} if amend else event.payload
        if event.type != "opened" or event.seq != 1:
            raise StoreError(_("case {case}: its first event is '{type}' #{seq}, not 'opened' #1; the store is damaged")
                             .format(case=case_id, type=event.type, seq=event.seq))
        if self.until is not None and p["on"] > self.until:
            return None
        raw = p["steps"]
        steps = {s["id"]: StepFacts(s["id"], s["name"], s["department"], float(s["days"]), s["deadline"]) for s in raw}
        clocks = p.get("clocks") or {}
        item = p["item"]
        plan = self._plan(raw)
        return CaseFacts(case_id, item["id"], item["name"], p["on"], bool(p.get("simulated")), clocks.get("committed"),
                         clocks.get("legal"), p.get("warnings"), plan, steps)

    def _plan(self, raw: list[dict[str, Any]]) -> Plan:
        """The plan of a case's steps: one per schedule. A scan hands cases opened alike the same
        (read-only) steps list, which is recognised at once; other lists are compared by content."""
        seen = self._lately.get(id(raw))
        if seen is not None and seen[0] is raw:  # the entry holds `raw`, so its id cannot be reused
            return seen[1]
        key = tuple((s["id"], tuple(s["needs"]), s["latest_finish"], s["earliest_finish"]) for s in raw)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = Plan.of(raw)
        if len(self._lately) > 1024:
            self._lately.clear()
        self._lately[id(raw)] = (raw, plan)
        return plan

    def fold(self, case_id: str, events: Sequence[Event]) -> CaseFacts | None:
        """The facts of one case from all its events, honouring its corrections (a ``corrected`` event
        annuls or re-dates an earlier one: replay applies the corrected log, and so does this); None
        if it was opened after the cut-off. Corrections count whenever they were recorded: they
        repair the facts."""
        if not events:
            raise StoreError(_("case {case} has no events").format(case=case_id))
        amended, voided = _corrections(list(events)) if any(e.type == CORRECTED for e in events) else ({}, set())
        facts = self.opened(case_id, events[0], amended.get(1))
        if facts is None:
            return None
        if amended or voided:
            events = [replace(e, payload={**e.payload, **amended.get(e.seq, {})}) for e in events[1:]
                      if e.seq not in voided and e.type != CORRECTED]
        else:
            events = events[1:]
        return self.read(facts, events)

    def read(self, facts: CaseFacts, events: Iterable[Event]) -> CaseFacts:
        """Apply the events after 'opened' (corrections already applied; up to the cut-off) and settle the facts."""
        steps, until = facts.steps, self.until
        for e in events:
            p = e.payload
            on = p["on"]
            if e.type == RECEIVED:  # materials at the window: no clock moves
                continue
            if until is not None and on > until:
                break
            kind = e.type
            if kind not in _KINDS:
                raise StoreError(_("case {case}: unknown event type '{type}' at #{seq}; the store is damaged or "
                                   "newer than this lianban").format(case=facts.id, type=kind, seq=e.seq))
            try:
                if kind == "withdrawn":
                    facts.state, facts.closed_on = "withdrawn", on
                    continue
                s = steps[p["step"]]
                if kind == "accepted":
                    s.state, s.accepted_on, s.legal_deadline = "accepted", on, p.get("legal_deadline")
                    if facts.state == "open":
                        facts.state = "in_progress"
                elif kind == "approved":
                    s.state, s.finished_on = "approved", on
                elif kind == "resubmitted" or kind == "resumed":
                    _resumed(facts, s, p)
                elif kind == "returned":
                    s.state = "returned"
                    s.corrections.append(on)
                elif kind == "suspended":
                    s.state = "suspended"
                    s.procedures.append(on)
                else:  # refused
                    s.state, s.finished_on = "refused", on
                    facts.state, facts.closed_on = "refused", on
            except KeyError as exc:
                raise StoreError(_("case {case}: event #{seq} names no step of the case ({step}); the store is damaged")
                                 .format(case=facts.id, seq=e.seq, step=exc)) from None
        _settle(facts)
        return facts


def fold(case_id: str, events: Iterable[Event], until: str | None = None, folder: Folder | None = None) -> CaseFacts | None:
    """The facts of one case from its events (None if it was opened after `until`)."""
    return (folder or Folder(until)).fold(case_id, list(events))


def _resumed(f: CaseFacts, s: StepFacts, p: dict[str, Any]) -> None:
    s.state = "accepted"
    s.paused_days += int(p.get("paused_days", 0))
    for sid, d in p.get("deadlines", {}).items():
        f.steps[sid].deadline = d
    if "legal_deadline" in p:
        s.legal_deadline = p["legal_deadline"]
    moved = p.get("clocks")
    if moved:
        f.committed = moved.get("committed", f.committed)
        f.legal = moved.get("legal", f.legal)


def _settle(f: CaseFacts) -> None:
    """What follows from the approvals: which steps became ready, and when; whether the case completed."""
    steps = f.steps
    approved = 0
    for sid, needs in f.plan.needs.items():
        s = steps[sid]
        if s.state == "approved":
            approved += 1
        ready: str | None = f.opened_on
        if needs:
            ready = ""
            for n in needs:
                d = steps[n]
                if d.state != "approved" or d.finished_on is None:
                    ready = None
                    break
                if d.finished_on > ready:
                    ready = d.finished_on
        if ready is not None:
            s.ready_on = ready
            if s.state == "waiting":
                s.state = "ready"
    if approved == len(steps) and f.state == "in_progress":
        f.state, f.closed_on = "completed", max(s.finished_on or "" for s in steps.values())
