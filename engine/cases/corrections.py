"""Corrections (更正): no event is ever deleted; a supervisor records a ``corrected`` event instead.

A correction names one earlier event (its ``target`` seq) and either gives it a new business
date (``on``) or annuls it (``void``: a move made in error). It carries everything replay needs,
so replay needs no calendar: ``amend`` maps seqs to the payload fields it replaces (the target's
new date; a new opening date's recomputed plan, deadlines and case clocks; the recomputed legal
deadline of an acceptance and the recomputed pause and moved dates of the end of a 补正 or a
特别程序, from the target on) and ``void`` lists the seqs it annuls.

A correction is checked by replaying the whole log with it: one that would make a later event
illegal (a step accepted twice, actions out of date order) is refused, naming that event, and
nothing is written. See docs/cases.md.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.cases.machine import CORRECTED, Case, Event, StepRun, StepState, TransitionError
from engine.cases.opening import dated, pinned_years
from engine.cases.words import label
from engine.i18n import _

if TYPE_CHECKING:
    from engine.workdays.calendar import WorkCalendar

__all__ = ["correction"]


def correction(case: Case, target: int, *, reason: str, today: date, calendar: WorkCalendar,
               on: date | None = None, void: bool = False) -> Event:
    """The ``corrected`` event that gives event #target the date `on`, or annuls it (`void`)."""
    if not (reason and reason.strip()):
        raise TransitionError(_("a correction needs a reason (it is kept in the case's history)"))
    if (on is None) == (not void):
        raise TransitionError(_("a correction either gives the event a new date or annuls it, not both or neither"))
    if not 1 <= target <= case.seq:
        raise TransitionError(_("{case} has no event #{seq} (its events are #1 to #{last})").format(
            case=case.name, seq=target, last=case.seq))
    original = case.events[target - 1]
    if original.type == CORRECTED:
        raise TransitionError(_("event #{seq} is itself a correction: correct the original event instead").format(
            seq=target))
    if target in case.voided:
        raise TransitionError(_("event #{seq} is already annulled").format(seq=target))
    if void and target == 1:
        raise TransitionError(_("the opening cannot be annulled: withdraw the case instead"))
    if on is not None and on > today:
        raise TransitionError(_("{on} is in the future (today is {today}): a correction cannot date an event "
                                "later than today").format(on=on, today=today))
    amend: dict[int, dict[str, Any]] = {}
    if on is not None:
        amend[target] = {"on": on.isoformat()}
        if target == 1:
            amend[1].update(_reschedule(case, on, calendar))
    voided = case.voided | ({target} if void else set())
    _check_by_replay(case, target, amend, voided, calendar)
    payload: dict[str, Any] = {"on": today.isoformat(), "target": target, "reason": reason.strip(),
                               "amend": {str(seq): fields for seq, fields in sorted(amend.items())},
                               "void": [target] if void else []}
    if on is not None:
        payload["was"] = case.effective(original)["on"]
    return Event(case.seq + 1, CORRECTED, payload)


def _reschedule(case: Case, on: date, cal: WorkCalendar) -> dict[str, Any]:
    """A new opening date's plan: every step's planned date and deadline counted from `on`."""
    first = case.effective(case.events[0])
    steps, clocks = dated(first["steps"], first.get("clocks"), on, cal)
    out: dict[str, Any] = {"steps": steps}
    if clocks:  # the case's two clocks, counted from the new day
        out["clocks"] = clocks
    out["calendar"] = pinned_years(cal, on, steps, clocks)
    return out


def _recorded_dates(sim: Case, event: Event, p: dict[str, Any], run: StepRun, cal: WorkCalendar) -> dict[str, Any]:
    """The dates an event recorded that its (possibly corrected) day decides, counted again: an
    acceptance's legal deadline, and what the end of a pause (补正 or 特别程序) moved. An acceptance
    written before the legal clock existed records none and gets none."""
    on = date.fromisoformat(p["on"])
    if event.type == "accepted" and "legal_deadline" in event.payload and run.state is StepState.READY:
        return sim.accept_effects(run, on, cal)
    if event.type in ("resubmitted", "resumed") and run.state in (StepState.RETURNED, StepState.SUSPENDED) \
            and run.open_pause is not None:
        return sim.pause_end_effects(run, on, cal)
    return {}


def _check_by_replay(case: Case, target: int, amend: dict[int, dict[str, Any]], voided: set[int],
                     cal: WorkCalendar) -> None:
    """Replay the log with the correction; recompute the resubmissions from the target on (into `amend`)."""
    patches = {seq: dict(fields) for seq, fields in case.amended.items()}
    for seq, fields in amend.items():
        patches.setdefault(seq, {}).update(fields)
    first = case.events[0]
    sim = Case(replace(first, payload={**first.payload, **patches.get(1, {})}), case.id)
    for event in case.events[1:]:
        if event.type == CORRECTED or event.seq in voided:
            sim._record(event)
            continue
        p = {**event.payload, **patches.get(event.seq, {})}
        run = sim.steps.get(str(p.get("step")))
        effects = _recorded_dates(sim, event, p, run, cal) if event.seq >= target and run is not None else {}
        if any(p.get(k) != v for k, v in effects.items()):
            amend.setdefault(event.seq, {}).update(effects)
            p.update(effects)
        try:
            sim._apply(event, p)
        except TransitionError as exc:
            if event.seq == target:
                raise TransitionError(_("event #{seq} ({type}) cannot take that date: {why}").format(
                    seq=event.seq, type=label(event.type), why=exc)) from None
            raise TransitionError(_("this correction would make event #{seq} ({type}) illegal: {why}; "
                                    "correct that event first").format(seq=event.seq, type=label(event.type),
                                                                       why=exc)) from None
