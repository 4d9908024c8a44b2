"""Cases (办件): one item's optimized flow run for one applicant, as an event-sourced state machine.

A case is rebuilt from its events by :meth:`Case.replay`; every change goes through
:meth:`Case.fire`, which checks the move, returns the new :class:`Event` and applies it.
The legal moves of a step and of a case are the ``transitions`` tables below (states are
enums); the machines are shared and attach nothing to the models, so the whole API is
``case.fire("approve", step=..., department=..., on=...)``. An illegal move raises
:class:`TransitionError` with a one-line message and leaves the case unchanged.

The ``opened`` event (engine/cases/opening.py) pins everything the case needs (the raw definition and its sha256,
the schedule, the deadlines on both clocks, the merged material list), so a later edit of the
YAML or of the catalog never changes a running case, and replay needs no calendar: an
``accepted`` event records the step's legal deadline, and the event that ends a pause
(``resubmitted``, ``resumed``) records the paused working days and the deadlines they moved
(engine/cases/clocks.py). Events written before the two clocks replay unchanged: what they do
not record (legal and case deadlines) stays None. See docs/cases.md.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from transitions import Machine

from engine.cases.clocks import PROCEDURES, Ladder, Pause, ladder_of, moved_clocks, procedure_problem
from engine.cases.words import label
from engine.errors import RefusedError
from engine.i18n import _, pgettext
from engine.suggest import closest, did_you_mean
from engine.units import day_or_none, iso_or_none, json_number

if TYPE_CHECKING:
    from engine.workdays.calendar import WorkCalendar

__all__ = [
    "ACTIONS",
    "CORRECTED",
    "RECEIVED",
    "Case",
    "CaseState",
    "Event",
    "StepRun",
    "StepState",
    "TransitionError",
    "by_urgency",
    "illegal_states",
]


class TransitionError(RefusedError):
    """A move the case does not allow. The message is one user-facing line (exit 1)."""


class StepState(enum.Enum):
    WAITING = "waiting"    # a step it depends on is not approved yet
    READY = "ready"        # the department may accept it
    ACCEPTED = "accepted"  # 受理: the department's clock runs
    RETURNED = "returned"  # 补正: the applicant must correct something; the clock stops
    SUSPENDED = "suspended"  # 特别程序 (听证, 检验, 专家评审 ...): the clock stops
    APPROVED = "approved"  # 办结
    REFUSED = "refused"    # 不予许可: ends the case as refused


class CaseState(enum.Enum):
    OPEN = "open"                # no step accepted yet
    IN_PROGRESS = "in_progress"  # from the first acceptance
    COMPLETED = "completed"      # every step approved
    REFUSED = "refused"          # a step was refused
    WITHDRAWN = "withdrawn"      # the applicant withdrew

    @property
    def closed(self) -> bool:
        return self in _CLOSED


_CLOSED = frozenset({CaseState.COMPLETED, CaseState.REFUSED, CaseState.WITHDRAWN})
_S, _C = StepState, CaseState

STEP_TRANSITIONS: tuple[dict[str, Any], ...] = (
    {"trigger": "unblock", "source": _S.WAITING, "dest": _S.READY},  # internal: the last dependency was approved
    {"trigger": "accept", "source": _S.READY, "dest": _S.ACCEPTED},
    {"trigger": "approve", "source": _S.ACCEPTED, "dest": _S.APPROVED},
    {"trigger": "return", "source": _S.ACCEPTED, "dest": _S.RETURNED},
    {"trigger": "resubmit", "source": _S.RETURNED, "dest": _S.ACCEPTED},
    {"trigger": "suspend", "source": _S.ACCEPTED, "dest": _S.SUSPENDED},
    {"trigger": "resume", "source": _S.SUSPENDED, "dest": _S.ACCEPTED},
    {"trigger": "refuse", "source": [_S.ACCEPTED, _S.RETURNED, _S.SUSPENDED], "dest": _S.REFUSED},
)
CASE_TRANSITIONS: tuple[dict[str, Any], ...] = (
    {"trigger": "start", "source": _C.OPEN, "dest": _C.IN_PROGRESS},
    {"trigger": "complete", "source": _C.IN_PROGRESS, "dest": _C.COMPLETED},
    {"trigger": "refuse", "source": _C.IN_PROGRESS, "dest": _C.REFUSED},
    {"trigger": "withdraw", "source": [_C.OPEN, _C.IN_PROGRESS], "dest": _C.WITHDRAWN},
)
# model=None: the machines hold the tables; models are plain objects with a `state`.
STEP_MACHINE = Machine(model=None, states=StepState, transitions=list(STEP_TRANSITIONS), initial=_S.WAITING,
                       auto_transitions=False)
CASE_MACHINE = Machine(model=None, states=CaseState, transitions=list(CASE_TRANSITIONS), initial=_C.OPEN,
                       auto_transitions=False)



def _moves(machine: Machine) -> dict[tuple[str, Any], Any]:
    """(trigger, source state) -> destination state, read once from a machine's transitions."""
    return {(name, machine.get_state(source).value): machine.get_state(str(tr.dest)).value
            for name, event in machine.events.items() for source, trs in event.transitions.items() for tr in trs}


# The machines are the one statement of the legal moves; firing looks a move up in these tables
# rather than running transitions' trigger() (callbacks and logging we never use): replay and the
# simulator make millions of moves.
_STEP_MOVES, _CASE_MOVES = _moves(STEP_MACHINE), _moves(CASE_MACHINE)


def _move(moves: dict[tuple[str, Any], Any], model: Any, trigger: str) -> None:
    try:
        model.state = moves[(trigger, model.state)]
    except KeyError:  # check() let an illegal move through: a bug, never a silent state
        raise TransitionError(_("no move '{trigger}' from {state}").format(trigger=trigger,
                                                                            state=model.state.value)) from None


# public action -> the event type it records
ACTIONS: dict[str, str] = {"accept": "accepted", "approve": "approved", "return": "returned",
                           "resubmit": "resubmitted", "suspend": "suspended", "resume": "resumed",
                           "refuse": "refused", "withdraw": "withdrawn"}
_ACTION_OF = {v: k for k, v in ACTIONS.items()}
STEP_ACTIONS: tuple[str, ...] = tuple(a for a in ACTIONS if a != "withdraw")  # what a department records on a step


def step_moves(state: StepState) -> tuple[str, ...]:
    """The actions a department may record on a step in *state*, in the order of the transitions table."""
    return tuple(t for (t, source) in _STEP_MOVES if source is state and t in STEP_ACTIONS)
CORRECTED = "corrected"  # a supervisor's correction of earlier events (a wrong date, a move in error)
RECEIVED = "received"    # the window recorded materials received from the applicant
def _past(action: str) -> str:
    """The move as the end of "step 'x' cannot be … yet" (in Chinese a verb, not the state's label)."""
    return {"accept": pgettext("cannot be done", "accepted"), "approve": pgettext("cannot be done", "approved"),
            "return": pgettext("cannot be done", "returned for correction"),
            "resubmit": pgettext("cannot be done", "resubmitted"),
            "suspend": pgettext("cannot be done", "suspended for a special procedure"),
            "resume": pgettext("cannot be done", "resumed"),
            "refuse": pgettext("cannot be done", "refused")}[action]


_ENDS_PAUSE = {"resubmit": "correction", "resume": "procedure"}


@dataclass(frozen=True, slots=True)
class Event:
    seq: int                 # 1, 2, ... within the case
    type: str                # "opened" or a value of ACTIONS
    payload: dict[str, Any]
    at: str | None = None    # when the store recorded it (UTC, ISO 8601); None before
    # who acted: {"account", "role", "department"} (set by the front end; None in old logs)
    actor: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(eq=False)
class StepRun:
    """One step of a running case."""
    id: str
    name: str
    department: str
    days: float
    needs: tuple[str, ...]     # every step it depends on (from `needs` and produced materials)
    latest_finish: float       # working days from opening, from the optimized schedule
    earliest_finish: float
    planned: date              # opened_on + earliest finish: when it is done if nothing waits
    deadline: date             # committed clock: opened_on + latest finish (+ paused days)
    legal_days: float | None = None
    legal_deadline: date | None = None  # legal clock: accepted_on + legal_days (+ own paused days)
    state: StepState = StepState.WAITING
    ready_on: date | None = None      # when its last dependency was approved (the opening for a first step)
    accepted_on: date | None = None
    approved_on: date | None = None
    returned_on: date | None = None
    refused_on: date | None = None
    paused_days: int = 0       # working days its own pauses (补正 and 特别程序) stopped the clocks
    reason: str | None = None  # of the last return, suspension or refusal
    pauses: list[Pause] = field(default_factory=list)

    @property
    def open_pause(self) -> Pause | None:
        return self.pauses[-1] if self.pauses and self.pauses[-1].end is None else None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "department": self.department, "state": self.state.value,
                "days": json_number(self.days), "needs": list(self.needs),
                "earliest_finish": json_number(self.earliest_finish),
                "latest_finish": json_number(self.latest_finish), "planned": iso_or_none(self.planned),
                "deadline": iso_or_none(self.deadline), "accepted_on": iso_or_none(self.accepted_on),
                "approved_on": iso_or_none(self.approved_on), "returned_on": iso_or_none(self.returned_on),
                "refused_on": iso_or_none(self.refused_on), "paused_days": self.paused_days, "reason": self.reason,
                "legal_days": json_number(self.legal_days) if self.legal_days is not None else None,
                "legal_deadline": iso_or_none(self.legal_deadline), "ready_on": iso_or_none(self.ready_on),
                "pauses": [p.as_dict() for p in self.pauses]}


class Case:
    """The live state of one case; build it with :func:`engine.cases.opening.open_case` or :meth:`Case.replay`."""

    def __init__(self, opened: Event, case_id: str | None = None) -> None:
        if opened.type != "opened" or opened.seq != 1:
            raise TransitionError(f"a case's first event must be 'opened' with seq 1, not {opened.type!r} #{opened.seq}")
        p = opened.payload
        self.id = case_id
        self.events: list[Event] = [opened]
        self.state = CaseState.OPEN
        self.item: dict[str, Any] = dict(p["item"])
        self.applicant: str = p["applicant"]
        self.opened_on = date.fromisoformat(p["on"])
        self.closed_on: date | None = None
        self.last_on = self.opened_on
        self.sha256: str = p["sha256"]
        self.definition: dict[str, Any] = p["definition"]
        self.materials: list[dict[str, Any]] = p["materials"]
        # year -> {"kind", "detail", "notice"} (kind "provisional": no official arrangement when opened);
        # cases opened before provisional years existed hold the detail text alone
        self.calendar: dict[str, Any] = p.get("calendar", {})
        self.simulation: dict[str, Any] | None = p.get("simulation") if p.get("simulated") else None
        self.ladder: Ladder = ladder_of(self.definition, p.get("warnings"))
        clocks = p.get("clocks") or {}  # absent from cases opened before the two clocks
        self.commitment: float | None = clocks.get("commitment")
        self.legal_days: float | None = clocks.get("legal_days")
        self.committed_deadline = day_or_none(clocks.get("committed"))
        self.legal_deadline = day_or_none(clocks.get("legal"))
        legal_of = {s.get("id"): s.get("legal_days") for s in self.definition.get("steps", []) if isinstance(s, dict)}
        self.situation: dict[str, Any] | None = p.get("situation")  # the applicant's answers, for items that ask
        self.steps: dict[str, StepRun] = {}
        for s in p["steps"]:  # topological order
            legal = s.get("legal_days", legal_of.get(s["id"]))
            run = StepRun(s["id"], s["name"], s["department"], float(s["days"]), tuple(s["needs"]),
                          float(s["latest_finish"]), float(s["earliest_finish"]),
                          date.fromisoformat(s["planned"]), date.fromisoformat(s["deadline"]),
                          float(legal) if isinstance(legal, (int, float)) else None)
            run.state = StepState.WAITING if run.needs else StepState.READY
            run.ready_on = None if run.needs else self.opened_on
            self.steps[run.id] = run
        self.successors: dict[str, list[str]] = {sid: [] for sid in self.steps}
        for run in self.steps.values():
            for n in run.needs:
                self.successors[n].append(run.id)
        self.received: dict[str, date] = {}   # material id -> the day the window received it
        self.voided: set[int] = set()          # seqs a correction annulled (kept in the log, not applied)
        self.amended: dict[int, dict[str, Any]] = {}  # seq -> payload fields a correction replaced

    # -- building -------------------------------------------------------------------
    @classmethod
    def replay(cls, events: Iterable[Event], case_id: str | None = None) -> Case:
        """The case its events make, honouring every correction: an annulled event is kept in
        ``events`` but not applied; an amended one is applied with the corrected fields."""
        log = list(events)
        if not log:
            raise TransitionError(f"case {case_id or '?'} has no events")
        amended, voided = _corrections(log)
        first = log[0]
        case = cls(replace(first, payload={**first.payload, **amended.get(first.seq, {})}), case_id)
        case.events[0] = first
        case.amended, case.voided = amended, voided
        for event in log[1:]:
            if event.type == CORRECTED or event.seq in voided:
                case._record(event)
            else:
                case._apply(event, {**event.payload, **amended.get(event.seq, {})})
        return case

    @property
    def seq(self) -> int:
        return self.events[-1].seq

    @property
    def name(self) -> str:
        return _("case {case}").format(case=self.id) if self.id is not None else _("the case")

    @property
    def simulated(self) -> bool:
        """True for a case the simulator wrote (`lianban simulate`): never mixed with real ones silently."""
        return self.simulation is not None

    # -- moves ----------------------------------------------------------------------
    def fire(self, action: str, *, step: str | None = None, department: str | None = None, on: date | None = None,
             reason: str | None = None, calendar: WorkCalendar | None = None, procedure: str | None = None) -> Event:
        """Check and apply one move; return its event (for the store to append). `calendar` counts the
        legal deadline of an accepted step and the pause that a resubmit or a resume ends."""
        on = on or date.today()
        run = self.check(action, step=step, department=department, on=on, reason=reason, procedure=procedure)
        payload: dict[str, Any] = {"on": on.isoformat()}
        if run is not None:
            payload.update(step=run.id, department=run.department)
        if procedure and action == "suspend":
            payload["procedure"] = procedure
        if reason:
            payload["reason"] = reason
        if action == "accept" and run is not None and run.legal_days is not None:
            payload.update(self.accept_effects(run, on, calendar or _default_calendar()))
        if run is not None and action in _ENDS_PAUSE and run.open_pause is not None:
            payload.update(self.pause_end_effects(run, on, calendar or _default_calendar()))
        event = Event(self.seq + 1, ACTIONS[action], payload)
        self.apply(event)
        return event

    def pause_end_effects(self, run: StepRun, on: date, cal: WorkCalendar) -> dict[str, Any]:
        """What ending the open pause of `run` on `on` records (a resubmission after 补正, a resume after a
        特别程序): the working days it lasted and every date they move on both clocks (so replay needs no
        calendar)."""
        pause = run.open_pause
        paused = max(0, cal.workdays_between(pause.start if pause is not None else on, on))
        return {"paused_days": paused, **moved_clocks(self, run, paused, cal)}

    def accept_effects(self, run: StepRun, on: date, cal: WorkCalendar) -> dict[str, Any]:
        """What an acceptance of `run` on `on` records: its legal deadline, when it has a legal limit."""
        return {"legal_deadline": cal.add_workdays(on, run.legal_days).isoformat()} if run.legal_days is not None else {}

    def receive(self, materials: Iterable[str], on: date | None = None) -> Event:
        """Record materials the window received from the applicant (the checklist); return the event."""
        event = Event(self.seq + 1, RECEIVED, {"on": (on or date.today()).isoformat(), "materials": list(materials)})
        self.apply(event)
        return event

    def check(self, action: str, *, step: str | None = None, department: str | None = None,
              on: date | None = None, reason: str | None = None, procedure: str | None = None) -> StepRun | None:
        """Raise TransitionError unless `action` is legal now; return the step it acts on."""
        if action not in ACTIONS:
            raise TransitionError(_("unknown action '{action}'; use one of {actions}").format(
                action=action, actions=", ".join(ACTIONS)))
        if self.state.closed:
            when = _(" on {date}").format(date=self.closed_on) if self.closed_on else ""
            raise TransitionError(_("{case} is {state}{when}: no further action is possible").format(
                case=self.name, state=label(self.state.value), when=when))
        if on is not None and on < self.last_on:
            raise TransitionError(_("{date} is before {case}'s last action ({last}); actions are recorded in date order"
                                    ).format(date=on, case=self.name, last=self.last_on))
        if action == "withdraw":
            return None
        if not step:
            raise TransitionError(_("{action} needs a step").format(action=action))
        run = self.steps.get(step)
        if run is None:
            guess = closest(step, self.steps)
            did = f"{did_you_mean(guess)} " if guess else ""
            raise TransitionError(_("no step '{step}' in item {item}; {did}steps: {steps}").format(
                step=step, item=self.item["id"], did=did, steps=", ".join(self.steps)))
        if not department:
            raise TransitionError(_("{action} needs the acting department").format(action=action))
        if department != run.department:
            raise TransitionError(_("{department} cannot act on step '{step}' ({owner})").format(
                department=department, step=run.id, owner=run.department))
        if action in ("return", "refuse", "suspend") and not (reason and reason.strip()):
            what = {"return": _("what the applicant must correct (一次告知)"), "refuse": _("the grounds for refusal"),
                    "suspend": _("what the special procedure is for")}[action]
            raise TransitionError(_("{action} needs a reason: {what}").format(action=action, what=what))
        if action == "suspend" and procedure not in PROCEDURES:
            raise TransitionError(procedure_problem(procedure))
        if run.state is StepState.WAITING:
            open_ = [f"'{n}' ({label(self.steps[n].state.value)})" for n in run.needs
                     if self.steps[n].state is not StepState.APPROVED]
            raise TransitionError(_("step '{step}' cannot be {done} yet: it waits for {steps}").format(
                step=run.id, done=_past(action), steps=", ".join(open_)))
        sources = STEP_MACHINE.events[action].transitions
        if run.state.name not in sources:
            allowed = _(" or ").join(label(StepState[s].value) for s in sources)
            raise TransitionError(_("step '{step}' is {state}: only a step that is {allowed} can be {done}").format(
                step=run.id, state=label(run.state.value), allowed=allowed, done=_past(action)))
        return run

    def apply(self, event: Event) -> None:
        """Apply a recorded event (checked again: a bad log fails loudly, never silently)."""
        if event.type == CORRECTED:  # it may change anything before it: replay the whole log again
            self._check_seq(event)
            self.__dict__.update(Case.replay([*self.events, event], self.id).__dict__)
            return
        self._apply(event, event.payload)

    def _check_seq(self, event: Event) -> None:
        if event.seq != self.seq + 1:
            raise TransitionError(f"{self.name}: event #{event.seq} does not follow #{self.seq}")

    def _record(self, event: Event) -> None:
        """Keep an event in the log without applying it (a correction, or an event one annulled)."""
        self._check_seq(event)
        self.events.append(event)

    def _apply(self, event: Event, p: dict[str, Any]) -> None:
        self._check_seq(event)
        if event.type == RECEIVED:
            self._receive(event, p)
            return
        action = _ACTION_OF.get(event.type)
        if action is None:
            raise TransitionError(f"{self.name}: unknown event type '{event.type}' at #{event.seq}")
        on = date.fromisoformat(p["on"])
        run = self.check(action, step=p.get("step"), department=p.get("department"), on=on, reason=p.get("reason"),
                         procedure=p.get("procedure"))
        if run is None:  # withdraw
            _move(_CASE_MOVES, self, "withdraw")
            self.closed_on = on
        else:
            _move(_STEP_MOVES, run, action)
            self._effects(action, run, on, p)
        self.last_on = on
        self.events.append(event)

    def _receive(self, event: Event, p: dict[str, Any]) -> None:
        on = date.fromisoformat(p["on"])
        if self.state.closed:
            raise TransitionError(_("{case} is {state}{when}: no further action is possible").format(
                case=self.name, state=label(self.state.value), when=""))
        if on < self.last_on:
            raise TransitionError(_("{date} is before {case}'s last action ({last}); actions are recorded in date order"
                                    ).format(date=on, case=self.name, last=self.last_on))
        known = {m["id"] for m in self.materials}
        wanted = list(p.get("materials") or [])
        if not wanted:
            raise TransitionError(_("name the materials received"))
        for mid in wanted:
            if mid not in known:
                guess = closest(mid, known)
                raise TransitionError(_("no material '{id}' in {case}").format(id=mid, case=self.name)
                                      + (f"; {did_you_mean(guess)}" if guess else ""))
        for mid in wanted:
            self.received.setdefault(mid, on)
        self.last_on = on
        self.events.append(event)

    def effective(self, event: Event) -> dict[str, Any]:
        """The event's payload as replay applies it (with the fields a correction replaced)."""
        return {**event.payload, **self.amended.get(event.seq, {})}

    def _effects(self, action: str, run: StepRun, on: date, p: dict[str, Any]) -> None:
        if action == "accept":
            run.accepted_on = on
            run.legal_deadline = day_or_none(p.get("legal_deadline"))
            if self.state is CaseState.OPEN:
                _move(_CASE_MOVES, self, "start")
        elif action == "approve":
            run.approved_on = on
            for succ in self.successors[run.id]:
                if all(self.steps[n].state is StepState.APPROVED for n in self.steps[succ].needs):
                    _move(_STEP_MOVES, self.steps[succ], "unblock")
                    self.steps[succ].ready_on = on
            if all(s.state is StepState.APPROVED for s in self.steps.values()):
                _move(_CASE_MOVES, self, "complete")
                self.closed_on = on
        elif action in ("return", "suspend"):
            kind = "correction" if action == "return" else "procedure"
            run.pauses.append(Pause(kind, on, p["reason"], p.get("procedure")))
            run.reason = p["reason"]
            if action == "return":
                run.returned_on = on
        elif action in _ENDS_PAUSE:
            self._end_pause(run, on, p)
        elif action == "refuse":
            run.refused_on, run.reason = on, p["reason"]
            _move(_CASE_MOVES, self, "refuse")
            self.closed_on = on

    def _end_pause(self, run: StepRun, on: date, p: dict[str, Any]) -> None:
        days = int(p.get("paused_days", 0))
        run.paused_days += days
        run.returned_on = None
        pause = run.open_pause
        if pause is not None:
            pause.end, pause.days = on, days
        for sid, d in p.get("deadlines", {}).items():
            self.steps[sid].deadline = date.fromisoformat(d)
        if "legal_deadline" in p:
            run.legal_deadline = day_or_none(p["legal_deadline"])
        moved = p.get("clocks", {})
        if "committed" in moved:
            self.committed_deadline = day_or_none(moved["committed"])
        if "legal" in moved:
            self.legal_deadline = day_or_none(moved["legal"])

    # -- queries --------------------------------------------------------------------
    def paused(self, step_id: str) -> bool:
        """True while the step or a step it depends on (transitively) is returned for correction."""
        if step_id not in self.steps:
            raise KeyError(step_id)
        return step_id in self.paused_steps()

    def paused_steps(self) -> frozenset[str]:
        """Every step whose clocks are stopped: the returned (补正) and suspended (特别程序) steps and
        all the steps after them.

        One walk over the successor edges from the returned steps (each step and edge at most once,
        no recursion), so a deep lattice of steps costs linear time, not one path per route.
        """
        todo = [sid for sid, r in self.steps.items() if r.state in (StepState.RETURNED, StepState.SUSPENDED)]
        seen = set(todo)
        while todo:
            for succ in self.successors[todo.pop()]:
                if succ not in seen:
                    seen.add(succ)
                    todo.append(succ)
        return frozenset(seen)

    def overdue(self, on: date) -> list[StepRun]:
        """Open steps past their deadline on `on` (a paused branch's clock is stopped)."""
        if self.state.closed:
            return []
        paused = self.paused_steps()
        return [r for r in self.steps.values() if r.state in (StepState.WAITING, StepState.READY, StepState.ACCEPTED)
                and r.deadline < on and r.id not in paused]

    def todo(self, department: str) -> list[tuple[str, StepRun]]:
        """(action, step) the department must do now: ready steps to accept, accepted ones to approve."""
        if self.state.closed:
            return []
        want = {StepState.READY: "accept", StepState.ACCEPTED: "approve"}
        return [(want[r.state], r) for r in self.steps.values() if r.department == department and r.state in want]

    def as_dict(self, on: date | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "item": self.item, "sha256": self.sha256, "applicant": self.applicant,
               "state": self.state.value, "opened_on": self.opened_on.isoformat(),
               "closed_on": self.closed_on.isoformat() if self.closed_on else None, "seq": self.seq,
               "materials": self.materials, "calendar": self.calendar,
               "steps": [r.as_dict() for r in self.steps.values()],
               "clocks": {"commitment": self.commitment, "committed": iso_or_none(self.committed_deadline),
                          "legal_days": self.legal_days, "legal": iso_or_none(self.legal_deadline)},
               "simulated": self.simulated}
        if self.simulation is not None:
            out["simulation"] = self.simulation
        if self.situation is not None:
            out["situation"] = self.situation
        if on is not None:
            out["overdue"] = [r.id for r in self.overdue(on)]
        return out


def _corrections(log: list[Event]) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """The fields every correction in the log replaces (later corrections win) and the seqs they annul."""
    amended: dict[int, dict[str, Any]] = {}
    voided: set[int] = set()
    for event in log:
        if event.type == CORRECTED:
            for seq, fields in event.payload.get("amend", {}).items():
                amended.setdefault(int(seq), {}).update(fields)
            voided.update(int(seq) for seq in event.payload.get("void", []))
    return amended, voided


def _default_calendar() -> WorkCalendar:
    from engine.locations import default_calendar_dir
    from engine.workdays.calendar import WorkCalendar
    return WorkCalendar.from_dir(default_calendar_dir())


def illegal_states(case: Case) -> list[str]:
    """Invariants a case must always keep (empty when sound); used by tests and `replay` audits."""
    bad = []
    for r in case.steps.values():
        if r.state is not StepState.WAITING and any(case.steps[n].state is not StepState.APPROVED for n in r.needs):
            bad.append(f"step '{r.id}' is {r.state.value} before its dependencies are approved")
        if r.state is StepState.WAITING and r.needs and all(case.steps[n].state is StepState.APPROVED for n in r.needs):
            bad.append(f"step '{r.id}' still waits though its dependencies are approved")
    states = {r.state for r in case.steps.values()}
    if (case.state is CaseState.COMPLETED) != (states == {StepState.APPROVED}):
        bad.append(f"case is {case.state.value} with steps {sorted(s.value for s in states)}")
    if (StepState.REFUSED in states) != (case.state is CaseState.REFUSED):
        bad.append(f"case is {case.state.value} with a refused step" if StepState.REFUSED in states
                   else "case is refused without a refused step")
    if case.state is CaseState.OPEN and states - {StepState.WAITING, StepState.READY}:
        bad.append("case is open but a step was accepted")
    return bad


def by_urgency(pairs: Iterable[tuple[Case, StepRun]]) -> list[tuple[Case, StepRun]]:
    """Most urgent first: earliest deadline, then case number, then flow order."""
    return sorted(pairs, key=lambda cs: (cs[1].deadline, _id_key(cs[0].id), list(cs[0].steps).index(cs[1].id)))


def _id_key(case_id: str | None) -> tuple[int, str]:
    text = case_id or ""
    return (int(text), "") if text.isascii() and text.isdigit() and len(text) < 20 else (1 << 62, text)

