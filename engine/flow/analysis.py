"""Flow analysis: merged materials, the optimized flow and the four reductions.

From one resolved :class:`~engine.model.Item` this computes what joint
handling gains — 减材料 (materials), 减环节 (steps and stages), 减时限 (days)
and 减跑动 (trips) — and the flow that gets it.  The JSON produced by
:meth:`Analysis.as_dict` is a public contract (see docs/analysis.md).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from engine.flow import graph, schedule
from engine.i18n import _
from engine.model import Item, Step
from engine.units import json_number
from engine.validation.diagnostics import Diagnostic, make


@dataclass(frozen=True)
class MergedMaterial:
    id: str
    name: str
    steps: tuple[str, ...]          # steps that ask for it, definition order
    departments: tuple[str, ...]    # their departments, first-use order
    produced_by: str | None = None  # the step inside the item that issues it
    received_by: tuple[str, ...] = ()  # steps that get it from that step rather than from the applicant

    @property
    def submissions(self) -> int:
        return len(self.steps)

    @property
    def from_applicant(self) -> bool:
        """The applicant hands it in (once): nobody issues it, or a step needs it before it is issued (W325)."""
        return any(s not in self.received_by for s in self.steps)


@dataclass(frozen=True)
class Metrics:
    serial_days: float
    optimized_days: float
    materials_before: int
    materials_after: int
    visits_before: int
    visits_after: int
    steps_before: int
    steps_after: int
    stages_before: int
    stages_after: int
    fields_before: int | None = None   # form fields (一表申请), for items that list them
    fields_after: int | None = None

    @property
    def saved_days(self) -> float:
        return self.serial_days - self.optimized_days

    @property
    def saved_ratio(self) -> float:
        return round(self.saved_days / self.serial_days, 4) if self.serial_days else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "serial_days": json_number(self.serial_days), "optimized_days": json_number(self.optimized_days),
            "saved_days": json_number(self.saved_days), "saved_ratio": self.saved_ratio,
            "materials_before": self.materials_before, "materials_after": self.materials_after,
            "visits_before": self.visits_before, "visits_after": self.visits_after,
            "steps_before": self.steps_before, "steps_after": self.steps_after,
            "stages_before": self.stages_before, "stages_after": self.stages_after,
            **({"fields_before": self.fields_before, "fields_after": self.fields_after}
               if self.fields_before is not None else {}),
        }


@dataclass(frozen=True)
class Receipt:
    """A material a step receives from another step instead of from the applicant."""
    material: str
    name: str
    from_step: str
    from_department: str


@dataclass(frozen=True)
class StepView:
    step: Step
    timing: schedule.Timing
    waits_for: tuple[str, ...]       # every step it depends on
    receives: tuple[Receipt, ...]    # produced materials handed over to it
    applicant_materials: tuple[str, ...]


@dataclass(frozen=True)
class DepartmentView:
    department: str
    role: str  # "lead" | "partner" | "other"
    steps: tuple[StepView, ...]

    @property
    def start(self) -> float:
        return min(v.timing.earliest_start for v in self.steps)

    @property
    def deadline(self) -> float:
        return max(v.timing.latest_finish for v in self.steps)


@dataclass
class Analysis:
    item: Item
    schedule: schedule.Schedule
    dependencies: list[graph.Dependency]
    materials: list[MergedMaterial]
    metrics: Metrics
    suggestions: list[Diagnostic] = field(default_factory=list)

    @property
    def applicant_materials(self) -> list[MergedMaterial]:
        return [m for m in self.materials if m.from_applicant]

    @property
    def stages(self) -> list[list[str]]:
        return self.schedule.stages

    @property
    def critical_path(self) -> list[str]:
        return self.schedule.critical_path

    def department_view(self, department: str) -> DepartmentView:
        role = "lead" if department == self.item.lead else "partner" if department in self.item.partners else "other"
        steps = [s for s in self.item.steps if s.department == department]
        if not steps:
            raise KeyError(department)
        handed = {(d.target, d.material): d.source for d in self.dependencies if d.material is not None}
        views = []
        for s in steps:
            receipts = tuple(Receipt(m, self.item.material_name(m), src, self.item.step(src).department)
                             for m in s.materials if (src := handed.get((s.id, m))) is not None)
            views.append(StepView(s, self.schedule[s.id], tuple(self.schedule.predecessors[s.id]), receipts,
                                  tuple(m for m in s.materials if (s.id, m) not in handed)))
        return DepartmentView(department, role, tuple(views))

    def department_views(self) -> list[DepartmentView]:
        return [self.department_view(d) for d in self.item.departments if any(s.department == d for s in self.item.steps)]

    def as_dict(self) -> dict[str, Any]:
        item = self.item
        return {
            "id": item.id, "name": item.name, "lead": item.lead, "partners": list(item.partners),
            "commitment": json_number(item.commitment) if item.commitment is not None else None,
            **({"situation": situation_dict(item)} if item.situation is not None else {}),
            **self.metrics.as_dict(),
            "stages": [list(s) for s in self.stages],
            "critical_path": list(self.critical_path),
            "schedule": [{
                "id": s.id, "name": s.name, "department": s.department, "days": json_number(s.days),
                "needs": self.schedule.predecessors[s.id],
                "earliest_start": json_number(t.earliest_start), "earliest_finish": json_number(t.earliest_finish),
                "latest_start": json_number(t.latest_start), "latest_finish": json_number(t.latest_finish),
                "slack": json_number(t.slack), "critical": t.critical,
            } for s in item.steps for t in [self.schedule[s.id]]],
            "materials": [{
                "id": m.id, "name": m.name, "steps": list(m.steps), "departments": list(m.departments),
                "submissions": m.submissions, "produced_by": m.produced_by, "from_applicant": m.from_applicant,
            } for m in self.materials],
            **({"form": form_dict(item)} if item.form_fields else {}),
            "suggestions": [d.as_dict() for d in self.suggestions],
        }


def situation_dict(item: Item) -> dict[str, Any]:
    """The situation of a specialised item: key, description and every question's answer."""
    s = item.situation
    assert s is not None
    return {"key": s.key, "description": s.describe(), "weight": round(s.weight, 6),
            "answers": {q: (json_number(v) if isinstance(v, float) else v) for q, v in s.answers.items()}}


def form_dict(item: Item) -> list[dict[str, Any]]:
    from engine.situations.forms import merge_fields

    return [{"id": f.id, "label": f.label, "type": f.type, "steps": list(f.steps), "departments": list(f.departments),
             "requests": f.requests, "asked": f.asked, "filled_from": list(f.filled_from)} for f in merge_fields(item)]


def analyze(item: Item) -> Analysis:
    """The analysis of *item*; an item that asks questions is analysed in its default situation
    (:func:`engine.situations.specialisation`; pass a specialised item for another one)."""
    if item.questions and item.situation is None:
        from engine.situations.specialisation import specialise

        item = specialise(item)
    rows = [(s.id, s.needs, s.materials, s.produces) for s in item.steps]
    g = graph.build(rows, item.may_hold)
    deps = g.dependencies
    sched = schedule.compute(g, {s.id: s.days for s in item.steps})
    merged = merge_materials(item, deps)
    applicant = [m for m in merged if m.from_applicant]
    n = len(item.steps)
    metrics = Metrics(
        serial_days=sum(s.days for s in item.steps),
        optimized_days=sched.length,
        materials_before=sum(len(s.materials) for s in item.steps),
        materials_after=len(applicant),
        visits_before=sum(s.visits for s in item.steps),
        visits_after=item.joint_visits,
        steps_before=n, steps_after=len(sched.stages),
        stages_before=n, stages_after=len(sched.stages),
        **_field_metrics(item),
    )
    return Analysis(item, sched, deps, merged, metrics, look_alikes(item, applicant))


def _field_metrics(item: Item) -> dict[str, int]:
    if not item.form_fields:
        return {}
    from engine.situations.forms import field_counts

    before, after = field_counts(item)
    return {"fields_before": before, "fields_after": after}


def merge_materials(item: Item, dependencies: Sequence[graph.Dependency]) -> list[MergedMaterial]:
    """Each material once, in order of first use, with the steps that use it.

    A step receives a produced material only along a dependency edge that carries it;
    a step ordered before the producer (W325) still gets it from the applicant.
    """
    users: dict[str, list[Step]] = {}
    for s in item.steps:
        for m in s.materials:
            users.setdefault(m, []).append(s)
    producer = {m: s.id for s in item.steps for m in s.produces}
    received: dict[str, set[str]] = {}  # material -> the steps it reaches along an edge (a set: a common
    for d in dependencies:               # material reaches thousands of steps of a large item)
        if d.material is not None:
            received.setdefault(d.material, set()).add(d.target)
    return [MergedMaterial(mid, item.material_name(mid), tuple(s.id for s in steps),
                           tuple(dict.fromkeys(s.department for s in steps)), producer.get(mid),
                           tuple(s.id for s in steps if s.id in received.get(mid, ())))
            for mid, steps in users.items()]


_QUALIFIERS = re.compile(r"[（(][^）)]*[）)]|复印件|原件|副本|正本|扫描件|电子版|影印件|证明材料$")


def _base(name: str) -> str:
    return _QUALIFIERS.sub("", re.sub(r"\s+", "", name))


def look_alikes(item: Item, materials: Sequence[MergedMaterial]) -> list[Diagnostic]:
    """I501 suggestions for distinct materials whose names differ only by a qualifier.

    Two names look alike when they are equal once qualifiers such as 复印件,
    副本 or a bracketed remark are removed (营业执照副本 / 营业执照复印件,
    身份证 / 身份证复印件).  Grouping by that base name keeps this linear.
    """
    by_base: dict[str, list[MergedMaterial]] = {}
    for m in materials:
        base = _base(m.name)
        if base:
            by_base.setdefault(base, []).append(m)
    groups = [g for g in by_base.values() if len(g) > 1]
    if not groups:
        return []
    first_use = _first_uses(item)
    out: list[Diagnostic] = []
    for group in groups:
        for a, b in pairwise(group):
            line, col = first_use.get(b.id, (1, 1))
            out.append(make(item.path or item.id, line, col, "I501",
                            _("'{a}' ({a_id}) and '{b}' ({b_id}) look alike but are separate materials").format(
                                a=a.name, a_id=a.id, b=b.name, b_id=b.id),
                            _("if they are one document, make one an alias of the other in the material catalog "
                              "so the applicant submits it once")))
    return sorted(out)


def _first_uses(item: Item) -> dict[str, tuple[int, int]]:
    """Where each material is first asked for in the definition."""
    out: dict[str, tuple[int, int]] = {}
    if item.positions is None or item.source is None:
        return out
    raw_steps = item.source.get("steps", [])
    for s in item.steps:
        refs = raw_steps[s.index].get("materials", []) if s.index < len(raw_steps) else []
        for j, ref in enumerate(refs):
            for mid in s.materials:
                mat = item.materials.get(mid)
                if mid not in out and (ref == mid or (mat is not None and ref in mat.names)):
                    out[mid] = item.positions.at(("steps", s.index, "materials", j))
    return out


def edges(a: Analysis) -> list[tuple[str, str, list[str]]]:
    """(source, target, material names) per distinct pair of steps, in dependency order:
    the arrows every picture draws (Mermaid, dot, SVG, BPMN)."""
    out: dict[tuple[str, str], list[str]] = {}
    for d in a.dependencies:
        names = out.setdefault((d.source, d.target), [])
        if d.material is not None and a.item.material_name(d.material) not in names:
            names.append(a.item.material_name(d.material))
    return [(s, t, names) for (s, t), names in out.items()]


def critical_edges(a: Analysis) -> set[tuple[str, str]]:
    """Edges on a critical path: between two steps without slack, the second starting as the first ends.

    Every zero-slack step is drawn as critical (a delay there delays the item), so when
    several chains are equally long all of them are highlighted, not only
    ``analysis.critical_path`` (the first of them).
    """
    t = a.schedule.timings
    return {(s, u) for s, u, _names in edges(a)
            if t[s].critical and t[u].critical and t[s].earliest_finish == t[u].earliest_start}


TOTAL_KEYS = ("serial_days", "optimized_days", "saved_days", "materials_before", "materials_after",
              "visits_before", "visits_after", "steps_before", "steps_after", "stages_before", "stages_after")


def total(analyses: Iterable[Analysis]) -> dict[str, Any]:
    """The portfolio totals: each reduction summed over the items (form fields over the items that list them)."""
    rows = [a.metrics.as_dict() for a in analyses]
    out: dict[str, Any] = {"items": len(rows)}
    for key in TOTAL_KEYS:
        out[key] = json_number(sum(r[key] for r in rows))
    if any("fields_before" in r for r in rows):
        for key in ("fields_before", "fields_after"):
            out[key] = sum(r.get(key, 0) for r in rows)
    out["saved_ratio"] = round(out["saved_days"] / out["serial_days"], 4) if out["serial_days"] else 0.0
    return out
