"""Opening a case (办件): the ``opened`` event that pins everything the case will need.

It holds the raw definition and its sha256, the schedule of the analysed flow (in the applicant's
situation, for an item that asks questions), the deadlines on both clocks counted on the
working-day calendar, the merged material list and the calendar years consulted (official or
provisional), so a later edit of the YAML, the catalog or the calendar never changes a running
case. :func:`rebuild_analysis` gives the analysis of that pinned definition back.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.cases.machine import Case, Event, TransitionError, _default_calendar
from engine.i18n import _
from engine.units import json_number

if TYPE_CHECKING:
    from engine.flow.analysis import Analysis
    from engine.validation.catalog import Catalog
    from engine.workdays.calendar import WorkCalendar

__all__ = ["dated", "definition_sha256", "open_case", "pinned", "pinned_years", "rebuild_analysis"]


def definition_sha256(raw: dict[str, Any]) -> str:
    """sha256 of the definition's canonical JSON (sorted keys, UTF-8, no spaces)."""
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pinned(source: dict[str, Any]) -> dict[str, Any]:
    """A year's source as the opened event keeps it: kind, detail and notice (not the year again)."""
    return {k: source[k] for k in ("kind", "detail", "notice")}


def dated(steps: list[dict[str, Any]], clocks: dict[str, Any] | None, on: date,
          cal: WorkCalendar) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A case's plan counted from *on* on *cal*: each step's planned date and deadline (its earliest
    and latest finish in working days), and the committed and legal deadlines of its clocks (None
    for cases opened before the two clocks). Opening, correcting the opening date and reviewing a
    calendar all count them here."""
    out = [{**s, "planned": cal.add_workdays(on, float(s["earliest_finish"])).isoformat(),
            "deadline": cal.add_workdays(on, float(s["latest_finish"])).isoformat()} for s in steps]
    if clocks:
        clocks = {**clocks, **{key: cal.add_workdays(on, clocks[days]).isoformat()
                               for key, days in (("committed", "commitment"), ("legal", "legal_days"))
                               if clocks.get(days)}}
    return out, clocks


def pinned_years(cal: WorkCalendar, on: date, steps: list[dict[str, Any]],
                 clocks: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Each calendar year the plan reaches into, as the opened event pins it."""
    dates = [date.fromisoformat(s["deadline"]) for s in steps]
    dates += [date.fromisoformat(d) for d in (clocks or {}).values() if isinstance(d, str)]
    return {str(y): pinned(cal.source(y).as_dict()) for y in cal.years_consulted(on, max(dates, default=on))}


def open_case(analysis: Analysis, applicant: str, on: date, calendar: WorkCalendar | None = None,
              simulation: dict[str, Any] | None = None) -> Case:
    """A new case of the analysed item (not stored yet: pass ``case.events`` to the store).

    For an item that asks questions, analyse it in the applicant's situation
    (``analyze(specialise(item, answers))``): the ``opened`` event records the answers, and only
    that situation's steps and materials exist in the case. `simulation` marks a case the
    simulator made (its id and seed): see engine/supervision/simulate.py.
    """
    if not applicant or not applicant.strip():
        raise TransitionError(_("a case needs the applicant's name"))
    cal = calendar or _default_calendar()
    item, sched = analysis.item, analysis.schedule
    raw = item.source or {}
    plan: list[dict[str, Any]] = []
    for sid in (n for stage in sched.stages for n in stage):
        s, t = item.step(sid), sched[sid]
        plan.append({"id": s.id, "name": s.name, "department": s.department, "days": s.days,
                     "needs": list(sched.predecessors[sid]), "earliest_finish": t.earliest_finish,
                     "latest_finish": t.latest_finish, "planned": None, "deadline": None})
        if s.legal_days is not None:
            plan[-1]["legal_days"] = s.legal_days
    undated = {"commitment": item.commitment, "legal_days": item.legal_days, "committed": None, "legal": None}
    steps, clocks = dated(plan, undated, on, cal)
    payload: dict[str, Any] = {
        "on": on.isoformat(), "applicant": applicant.strip(),
        "item": {"id": item.id, "name": item.name, "lead": item.lead, "partners": list(item.partners),
                 "path": item.path, "optimized_days": json_number(sched.length)},
        "sha256": definition_sha256(raw), "definition": raw,
        "materials": [{"id": m.id, "name": m.name, "steps": list(m.steps), "departments": list(m.departments)}
                      for m in analysis.applicant_materials],
        "calendar": pinned_years(cal, on, steps, clocks),
        "steps": steps,
        "clocks": clocks,
    }
    if isinstance(raw.get("warnings"), list):
        payload["warnings"] = raw["warnings"]
    if simulation is not None:
        payload.update(simulated=True, simulation=simulation)
    if item.situation is not None:
        from engine.flow.analysis import situation_dict

        payload["situation"] = situation_dict(item)
    return Case(Event(1, "opened", payload))


def rebuild_analysis(case: Case, catalog: Catalog) -> Analysis:
    """The analysis of the pinned definition (re-checked against `catalog`), never the file on disk."""
    from engine.flow.analysis import analyze
    from engine.validation.checks import check_item
    from engine.validation.loader import Positions

    diags, item = check_item(case.item.get("path") or case.item["id"], case.definition, Positions(), catalog)
    if item is None:
        first = next(d for d in diags if d.is_error)
        raise TransitionError(_("{case}: the pinned definition no longer checks: {problem}").format(
            case=case.name, problem=first.message))
    if case.situation is not None:
        from engine.situations import specialise

        item = specialise(item, {k: v for k, v in case.situation["answers"].items() if v is not None})
    return analyze(item)
