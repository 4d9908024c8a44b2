"""Every situation of an item analysed: the five reductions per situation, best, worst and weighted.

:func:`analyze_situations` enumerates the situations (:meth:`engine.situations.space.Space.enumerate`:
every one up to 4,096 answer combinations, a pairwise sample past that) and computes the
figures of each (:class:`engine.situations.metrics.Flows`: once per distinct flow, without
building a specialised item); each result gives its specialised item and its full analysis
on demand. The weighted figures weigh each situation by its share of applicants (the
product of its answers' frequencies; questions without frequencies count their answers as
equally likely).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine.flow.analysis import Analysis, Metrics, analyze
from engine.model import Item
from engine.situations.conditions import TRUE, describe
from engine.situations.metrics import Figures, Flows
from engine.situations.questions import Question
from engine.situations.space import EXHAUSTIVE, Situation
from engine.situations.specialisation import default_answers, space, specialise
from engine.units import json_number as _num

FIGURES = ("serial_days", "optimized_days", "saved_days", "materials_before", "materials_after", "visits_before",
           "visits_after", "steps_before", "steps_after", "fields_before", "fields_after")


@dataclass(frozen=True)
class SituationResult:
    """One situation with its figures; its specialised item and full analysis on demand."""
    situation: Situation
    result: Figures
    general: Item

    @property
    def metrics(self) -> Metrics:
        return self.result.metrics

    @cached_property
    def figures(self) -> dict[str, Any]:  # read once per figure for every situation: built once (do not change it)
        return self.result.metrics.as_dict()

    @property
    def item(self) -> Item:
        """The item specialised to this situation."""
        return specialise(self.general, self.situation)

    def analysis(self) -> Analysis:
        """The full analysis of this situation (schedule, materials, department views)."""
        return analyze(self.item)


@dataclass
class SituationReport:
    item: Item                       # the whole definition
    results: list[SituationResult]
    exhaustive: bool
    combinations: int
    default: Situation
    assumed_uniform: list[str] = field(default_factory=list)  # asked questions without frequencies

    @cached_property
    def best(self) -> SituationResult:
        """The fastest situation (then fewest materials, then fewest fields; then the most common)."""
        return min(self.results, key=lambda r: (*_rank(r), -r.situation.weight))

    @cached_property
    def worst(self) -> SituationResult:
        """The slowest situation (then most materials, then most fields; then the most common)."""
        return max(self.results, key=lambda r: (*_rank(r), r.situation.weight))

    def figure(self, key: str) -> dict[str, float | int | None]:
        """min, max and the frequency-weighted mean of one figure over the situations."""
        values = [(r.figures.get(key), r.situation.weight) for r in self.results]
        present = [(v, w) for v, w in values if v is not None]
        if not present:
            return {"min": None, "max": None, "weighted": None}
        total = sum(w for _v, w in present)
        mean = sum(v * w for v, w in present) / total if total else sum(v for v, _w in present) / len(present)
        return {"min": _num(min(v for v, _w in present)), "max": _num(max(v for v, _w in present)),
                "weighted": round(mean, 2)}

    def as_dict(self) -> dict[str, Any]:
        item = self.item
        keys = [k for k in FIGURES if k in self.results[0].figures]
        return {
            "id": item.id, "name": item.name, "lead": item.lead, "partners": list(item.partners),
            "commitment": _num(item.commitment) if item.commitment is not None else None,
            "questions": [question_dict(q, {x.id: x for x in item.questions}) for q in item.questions],
            "combinations": self.combinations, "exhaustive": self.exhaustive, "situations_checked": len(self.results),
            "default": self.default.key,
            "best": self.best.situation.key, "worst": self.worst.situation.key,
            "figures": {k: self.figure(k) for k in keys},
            "assumed_uniform": list(self.assumed_uniform),
            "situations": [{
                "key": r.situation.key, "description": r.situation.describe(), "weight": round(r.situation.weight, 6),
                "answers": {q: (_num(v) if isinstance(v, float) else v) for q, v in r.situation.answers.items()},
                **r.figures, "steps": list(r.result.steps), "critical_path": list(r.result.critical_path),
            } for r in self.results],
        }


def _rank(r: SituationResult) -> tuple[float, int, int]:
    m = r.metrics
    return (m.optimized_days, m.materials_after, m.fields_after or 0)


def question_dict(q: Question, questions: Mapping[str, Question]) -> dict[str, Any]:
    """A question as the JSON outputs show it (yes/no answers are true/false)."""
    out: dict[str, Any] = {"id": q.id, "text": q.text, "label": q.label, "type": q.type}
    if q.type == "number":
        out.update(unit=q.unit, min=q.minimum, max=q.maximum)
    else:
        out["options"] = [{"id": o.id, "text": o.text, "frequency": o.frequency,
                           **({"value": o.id == "yes"} if q.type == "yes-no" else {})} for o in q.options]
    out["default"] = _num(q.default) if isinstance(q.default, float) else q.default
    out["help"] = q.help
    out["asked_when"] = describe(q.when, questions) if q.when != TRUE else None
    return out


def analyze_situations(item: Item, limit: int = EXHAUSTIVE) -> SituationReport:
    """Every situation of *item* (a pairwise sample past *limit* combinations) with its figures."""
    general = item.general or item
    sp = space(general)
    defaults = default_answers(general)
    enum = sp.enumerate(limit=limit, default=defaults)
    flows = Flows(general)
    results = [SituationResult(s, flows.figures({**defaults, **s.answers}), general) for s in enum.situations]
    asked = {q for s in enum.situations for q, r in s.picks if r is not None}
    uniform = [q.id for q in general.questions if q.id in asked and
               (q.bins == () if q.type == "number" else q.option_shares() is None)]
    return SituationReport(general, results, enum.exhaustive, enum.combinations, sp.situation(defaults), uniform)
