"""The commitment (承诺时限) against the longest chain of every situation.

The chain of a situation is computed on its own steps and edges (explicit needs and
documents passed on), with a small dynamic programme cached per distinct flow, so
thousands of situations cost milliseconds. A flow whose documents would close a cycle
goes through the full graph builder, which drops those edges as the analysis does.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from engine.flow.graph import topological
from engine.i18n import _
from engine.situations.conditions import TRUE, Answers, Condition, compile_condition, questions_of
from engine.situations.space import EXHAUSTIVE, Situation, Space, forcing
from engine.units import positive_number
from engine.validation.catalog import shorten
from engine.validation.diagnostics import Diagnostic

if TYPE_CHECKING:
    from engine.situations.findings import StepSpec
    from engine.validation.checks import ItemContext

Row = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # id, needs, materials, produces


def check_commitment(ctx: ItemContext, space: Space, specs: Sequence[StepSpec]) -> Iterator[Diagnostic]:
    commitment = positive_number(ctx.data.get("commitment"))
    conditions = _graph_conditions(specs)
    questions = set().union(*(questions_of(c) for c in conditions)) if conditions else set()
    enum = space.enumerate(questions)
    if not enum.exhaustive:
        sample = _("a pairwise sample") if enum.method == "pairwise" else _("a sample with every answer range once")
        yield ctx.diag(("questions",), "W344", _(
            "{n} answer combinations are more than {limit:,}: the situation checks use {sample} of {m}").format(
            n=f"{enum.combinations:,}", limit=EXHAUSTIVE, sample=sample, m=len(enum.situations)),
            _("fewer questions or thresholds make every situation checked"), key=True)
    if commitment is None or ctx.graph is None or ctx.graph.find_cycle() is not None \
            or any(s.days is None for s in specs):
        return
    bound = _upper_bound(specs)
    if bound is not None and bound <= commitment:
        return  # no situation's chain is longer than the chain of every step and every edge together
    flows = FlowCache(specs)
    results = [flows.longest(s.answers) for s in enum.situations]
    bad = [length > commitment for length, _chain in results]
    smallest = forcing(enum.situations, bad, enum.exhaustive)
    if smallest is None:
        return
    inside = [r for s, r, b in zip(enum.situations, results, bad, strict=True) if b and _extends(s, smallest)]
    length, chain = max(inside, key=lambda r: r[0])
    worst = max(r[0] for r in results)
    chain_text = " → ".join(chain)
    if not smallest.picks:  # every situation: the item-wide finding, as for an item without questions
        yield ctx.diag(("commitment",), "E309",
                       _("commitment of {days} working days cannot be kept: the chain {chain} takes {length}").format(
                           days=f"{commitment:g}", chain=chain_text, length=f"{length:g}"),
                       _("promise at least {length} days, or shorten a step on that chain").format(length=f"{worst:g}"))
        return
    yield ctx.diag(("commitment",), "E337", _(
        "commitment of {c} working days cannot be kept in the situation 「{s}」: the chain {chain} takes {n}").format(
        c=f"{commitment:g}", s=shorten(smallest.describe(), 300), chain=chain_text, n=f"{length:g}"),
        _("promise at least {worst} days (the longest situation), or shorten a step on that chain").format(
            worst=f"{worst:g}"))


def _upper_bound(specs: Sequence[StepSpec]) -> float | None:
    """The longest chain over every step, every need and a document edge from every producer: each
    situation's flow is part of this graph, so none is longer. None when this graph has a cycle."""
    producers: dict[str, list[str]] = {}
    for s in specs:
        for e in s.produces:
            producers.setdefault(e.target, []).append(s.id)
    ids = {s.id for s in specs}
    preds = {s.id: list(dict.fromkeys([e.target for e in s.needs if e.target in ids and e.target != s.id] +
                                      [p for e in s.materials for p in producers.get(e.target, ()) if p != s.id]))
             for s in specs}
    order = _topological([s.id for s in specs], preds)
    if order is None:
        return None
    finish: dict[str, float] = {}
    days = {s.id: s.days or 0.0 for s in specs}
    for sid in order:
        finish[sid] = max((finish[p] for p in preds[sid]), default=0.0) + days[sid]
    return max(finish.values(), default=0.0)


def _extends(s: Situation, partial: Situation) -> bool:
    picks = dict(s.picks)
    return all(picks.get(q) == r for q, r in partial.picks)


def _graph_conditions(specs: Sequence[StepSpec]) -> list[Condition]:
    out: list[Condition] = []
    for s in specs:
        out.append(s.when)
        out.extend(e.when for bucket in (s.needs, s.materials, s.produces) for e in bucket)
    return [c for c in dict.fromkeys(out) if c != TRUE]


class FlowCache:
    """The longest chain of each situation's flow, computed once per distinct flow."""

    def __init__(self, specs: Sequence[StepSpec]) -> None:
        self.specs = specs
        self.conditions = _graph_conditions(specs)
        self.fns = [compile_condition(c) for c in self.conditions]
        index = {c: i for i, c in enumerate(self.conditions)}

        def at(c: Condition) -> int:
            return -1 if c == TRUE else index[c]
        # per step: (id, its condition, needs, materials, produces), each entry with its condition's index
        self.rows = [(s.id, at(s.when), tuple((e.target, at(e.when)) for e in s.needs),
                      tuple((e.target, at(e.when)) for e in s.materials), tuple((e.target, at(e.when)) for e in s.produces))
                     for s in specs]
        self.days = {s.id: s.days or 0.0 for s in specs}
        self.cache: dict[tuple[bool, ...], tuple[float, list[str]]] = {}

    def longest(self, answers: Answers) -> tuple[float, list[str]]:
        truth = tuple(f(answers) for f in self.fns)
        hit = self.cache.get(truth)
        if hit is None:
            on = [*truth, True]  # index -1: unconditional
            rows = [(sid, tuple(t for t, c in needs if on[c]), tuple(t for t, c in mats if on[c]),
                     tuple(t for t, c in made if on[c])) for sid, w, needs, mats, made in self.rows if on[w]]
            hit = self.cache[truth] = longest_chain(rows, self.days)
        return hit


def longest_chain(rows: Sequence[Row], days: dict[str, float]) -> tuple[float, list[str]]:
    """Length and steps of the longest chain of *rows* (ties: the step defined first)."""
    ids = [r[0] for r in rows]
    present = set(ids)
    producer: dict[str, str] = {}
    for sid, _n, _m, made in rows:
        for m in made:
            producer.setdefault(m, sid)
    preds: dict[str, list[str]] = {}
    for sid, needs, mats, _p in rows:
        ps = [n for n in needs if n in present and n != sid] + [producer[m] for m in mats if producer.get(m, sid) != sid]
        preds[sid] = list(dict.fromkeys(ps))
    order = _topological(ids, preds)
    if order is None:  # documents close a cycle: the graph builder drops those edges
        from engine.flow import graph, schedule

        g = graph.build(rows)
        length, chain = schedule.longest_chain(g, {sid: days[sid] for sid in ids})
        return length, list(chain)
    rank = {sid: i for i, sid in enumerate(ids)}
    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}
    for sid in order:
        best = max(preds[sid], key=lambda p: (finish[p], -rank[p]), default=None)
        finish[sid] = (finish[best] if best else 0.0) + days[sid]
        via[sid] = best
    if not finish:
        return 0.0, []
    end: str | None = max(ids, key=lambda s: (finish[s], -rank[s]))
    length = finish[end]  # type: ignore[index]
    chain = []
    while end is not None:
        chain.append(end)
        end = via[end]
    return length, chain[::-1]


def _topological(ids: Sequence[str], preds: dict[str, list[str]]) -> list[str] | None:
    succ: dict[str, dict[str, None]] = {sid: {} for sid in ids}
    for sid in ids:
        for p in preds[sid]:
            succ[p][sid] = None
    return topological(ids, succ)
