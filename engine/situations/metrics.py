"""The five reductions of many situations, fast: straight from the item and the truth of its conditions.

:func:`engine.flow.analysis.analyze` on a specialised item gives the full analysis (schedule,
department views, suggestions); thousands of situations need only the figures. :class:`Flows`
evaluates each distinct condition once per situation, and computes the figures of each
distinct flow once, with the same rules as the analysis: the same edges (explicit needs,
documents from the first producer), the same stages, the same critical path (the step
defined first wins every tie) and the same merged materials and form. A flow whose documents
would close a cycle is rare and goes through the full analysis instead. A test checks that
both give the same figures for every situation of random items.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.flow.analysis import Metrics
from engine.model import Item
from engine.situations.conditions import TRUE, Answers, Condition, compile_condition


@dataclass(frozen=True)
class Figures:
    metrics: Metrics
    steps: tuple[str, ...]           # the situation's steps, definition order
    critical_path: tuple[str, ...]


class Flows:
    """The figures of the situations of one item, cached per distinct flow."""

    def __init__(self, item: Item) -> None:
        self.item = item.general or item
        conditions: dict[Condition, int] = {}

        def index(c: Condition) -> int:
            return -1 if c == TRUE else conditions.setdefault(c, len(conditions))

        self.steps = []
        for s in self.item.steps:
            entry = {(k, t): index(c) for k, t, c in s.entry_when}
            self.steps.append((
                s, index(s.when),
                tuple((n, entry.get(("needs", n), -1)) for n in s.needs),
                tuple((m, entry.get(("materials", m), -1)) for m in s.materials),
                tuple((m, entry.get(("produces", m), -1)) for m in s.produces),
                tuple((f.field, index(f.when), any(src.kind == "licence" for src in f.sources),
                       tuple(src.ref for src in f.sources if src.kind == "step")) for f in s.fields)))
        self.fns = [compile_condition(c) for c in conditions]
        self.cache: dict[tuple[bool, ...], Figures] = {}
        self.has_fields = bool(self.item.form_fields)

    def figures(self, answers: Answers) -> Figures:
        truth = tuple(f(answers) for f in self.fns)
        hit = self.cache.get(truth)
        if hit is None:
            hit = self.cache[truth] = self._figures(truth, answers)
        return hit

    def _figures(self, truth: tuple[bool, ...], answers: Answers) -> Figures:
        on = [*truth, True]  # index -1: unconditional
        present = [row for row in self.steps if on[row[1]]]
        ids = [row[0].id for row in present]
        known = set(ids)
        rows = [(s.id, [n for n, c in needs if on[c] and n in known], [m for m, c in mats if on[c]],
                 [m for m, c in made if on[c]]) for s, _w, needs, mats, made, _f in present]
        result = _chain(rows, {row[0].id: row[0].days for row in present})
        if result is None:  # documents close a cycle: the full analysis decides what to drop
            from engine.flow.analysis import analyze
            from engine.situations.specialisation import specialise

            a = analyze(specialise(self.item, answers))
            return Figures(a.metrics, tuple(ids), tuple(a.critical_path))
        length, stages, path, producer = result
        users: dict[str, list[str]] = {}
        for sid, _n, mats, _p in rows:
            for m in dict.fromkeys(mats):
                users.setdefault(m, []).append(sid)
        applicant = sum(1 for m, who in users.items() if any(producer.get(m, sid) == sid for sid in who))
        fields_before = fields_after = None
        if self.has_fields:
            fields_before, fields_after = _fields(present, on, known)
        n = len(present)
        metrics = Metrics(
            serial_days=sum(row[0].days for row in present), optimized_days=length,
            materials_before=sum(len(mats) for _s, _n, mats, _p in rows), materials_after=applicant,
            visits_before=sum(row[0].visits for row in present), visits_after=self.item.joint_visits,
            steps_before=n, steps_after=stages, stages_before=n, stages_after=stages,
            fields_before=fields_before, fields_after=fields_after)
        return Figures(metrics, tuple(ids), tuple(path))


def _fields(present: Sequence[tuple], on: list[bool], known: set[str]) -> tuple[int, int]:
    """(before, after): every form's fields; the distinct ones some step needs from the applicant."""
    before = 0
    asked: set[str] = set()
    for row in present:
        for fid, when, licence, steps in row[5]:
            if on[when]:
                before += 1
                if not licence and known.isdisjoint(steps):
                    asked.add(fid)
    return before, len(asked)


def _chain(rows: Sequence[tuple[str, list[str], list[str], list[str]]], days: dict[str, float]) \
        -> tuple[float, int, list[str], dict[str, str]] | None:
    """(length, stages, critical path, producer per material) of an acyclic flow; None on a cycle."""
    order = {r[0]: i for i, r in enumerate(rows)}
    producer: dict[str, str] = {}
    for sid, _n, _m, made in rows:
        for m in made:
            producer.setdefault(m, sid)
    preds: dict[str, list[str]] = {}
    succs: dict[str, list[str]] = {r[0]: [] for r in rows}
    for sid, needs, mats, _p in rows:
        ps = list(dict.fromkeys([n for n in needs if n != sid] +
                                [producer[m] for m in mats if m in producer and producer[m] != sid]))
        preds[sid] = ps
        for p in ps:
            succs[p].append(sid)
    waiting = {sid: len(ps) for sid, ps in preds.items()}
    ready = [r[0] for r in rows if waiting[r[0]] == 0]
    topo: list[str] = []
    while ready:
        sid = ready.pop()
        topo.append(sid)
        for s in succs[sid]:
            waiting[s] -= 1
            if not waiting[s]:
                ready.append(s)
    if len(topo) != len(rows):
        return None
    es: dict[str, float] = {}
    ef: dict[str, float] = {}
    level: dict[str, int] = {}
    for sid in topo:
        es[sid] = max((ef[p] for p in preds[sid]), default=0.0)
        ef[sid] = es[sid] + days[sid]
        level[sid] = 1 + max((level[p] for p in preds[sid]), default=0)
    length = max(ef.values(), default=0.0)
    ls: dict[str, float] = {}
    for sid in reversed(topo):
        ls[sid] = min((ls[s] for s in succs[sid]), default=length) - days[sid]
    critical = {sid for sid in es if ls[sid] == es[sid]}
    path: list[str] = []
    if rows:
        path.append(next(r[0] for r in rows if r[0] in critical and es[r[0]] == 0))
        while ef[path[-1]] < length:
            here = ef[path[-1]]
            path.append(min((s for s in succs[path[-1]] if s in critical and es[s] == here), key=order.__getitem__))
    return length, max(level.values(), default=0), path, producer
