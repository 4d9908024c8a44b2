"""Scheduling: stages, earliest/latest start and finish, slack, critical path.

All times are in working days from the moment the joint application is
accepted (day 0).  A step's earliest start is the latest earliest finish of its
dependencies; its latest finish is the earliest latest start of its dependants
(or the item's length); slack = latest start − earliest start.  The critical
path is the longest path weighted by days; among equal candidates, the step
defined first wins at every choice, so the answer never depends on hash order.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.flow import graph


@dataclass(frozen=True)
class Timing:
    earliest_start: float
    earliest_finish: float
    latest_start: float
    latest_finish: float

    @property
    def slack(self) -> float:
        return self.latest_start - self.earliest_start

    @property
    def critical(self) -> bool:
        return self.slack == 0


@dataclass(frozen=True)
class Schedule:
    stages: list[list[str]]
    timings: dict[str, Timing]
    critical_path: list[str]
    length: float
    predecessors: dict[str, list[str]]
    successors: dict[str, list[str]]

    def __getitem__(self, step_id: str) -> Timing:
        return self.timings[step_id]


def compute(g: graph.StepGraph, durations: Mapping[str, float]) -> Schedule:
    """The schedule of an acyclic step graph (raises ValueError on a cycle)."""
    nodes = g.nodes
    stages = g.generations()
    preds, succs = g.predecessors(), g.successors()
    order = [n for stage in stages for n in stage]
    es: dict[str, float] = {}
    ef: dict[str, float] = {}
    for n in order:
        es[n] = max((ef[p] for p in preds[n]), default=0.0)
        ef[n] = es[n] + durations[n]
    length = max(ef.values(), default=0.0)
    lf: dict[str, float] = {}
    ls: dict[str, float] = {}
    for n in reversed(order):
        lf[n] = min((ls[s] for s in succs[n]), default=length)
        ls[n] = lf[n] - durations[n]
    timings = {n: Timing(es[n], ef[n], ls[n], lf[n]) for n in nodes}
    return Schedule(stages, timings, _critical_path(nodes, timings, succs, length), length, preds, succs)


def _critical_path(nodes: Sequence[str], t: Mapping[str, Timing], succs: Mapping[str, list[str]],
                   length: float) -> list[str]:
    if not nodes:
        return []
    starts = [n for n in nodes if t[n].critical and t[n].earliest_start == 0]
    path = [starts[0]]  # nodes are in definition order, so this is the first defined
    while t[path[-1]].earliest_finish < length:
        here = t[path[-1]].earliest_finish
        nxt = [s for s in succs[path[-1]] if t[s].critical and t[s].earliest_start == here]
        path.append(nxt[0])  # succs are in definition order
    return path


def longest_chain(g: graph.StepGraph, durations: Mapping[str, float]) -> tuple[float, list[str]]:
    """Length and steps of the longest dependency chain (for the commitment check)."""
    sched = compute(g, durations)
    return sched.length, sched.critical_path
