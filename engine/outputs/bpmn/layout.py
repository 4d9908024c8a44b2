"""The BPMN flow graph of an item and its diagram layout: node ids, positions, sequence flows, edge routes.

:func:`build_flow` makes every fork and join an explicit parallel gateway and places each node by
stage (x) and lane row (y); :class:`Router` draws each sequence flow orthogonally around the other
nodes. Every part is near-linear in the number of steps: node ids come from :class:`Ids` (amortised
O(1) per id) and the router asks a :class:`BoxIndex` only about the few boxes near a segment, never
every box, so exporting a 2,000-step item takes about as long as serialising its XML.
"""
from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from engine.flow.analysis import Analysis, edges
from engine.model import Step

# Geometry of the diagram, in pixels (bpmn.io defaults for element sizes).
EVENT, GATEWAY, TASK_W, TASK_H = 36, 50, 100, 80
ROW_H, GAP = 120, 40
POOL_X, POOL_Y, POOL_LABEL, LANE_LABEL = 100, 80, 30, 30
SLOT_W = GATEWAY + GAP + TASK_W + GAP + GATEWAY + GAP  # join, task, fork per stage column

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Point = tuple[float, float]


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # "startEvent" | "endEvent" | "userTask" | "parallelGateway" | "exclusiveGateway"
    lane: str  # the department whose lane holds it
    x: float
    y: float
    width: float
    height: float
    step: Step | None = None
    direction: str | None = None  # gatewayDirection: "Diverging" | "Converging"

    @property
    def box(self) -> Box:
        return self.x, self.y, self.x + self.width, self.y + self.height


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None  # the step whose `when` this flow takes (an exclusive split's branch)
    default: bool = False         # the exclusive split's default flow (the step is skipped)


@dataclass(frozen=True)
class FlowGraph:
    """The BPMN flow of an item: nodes in document order, sequence flows, lanes and their heights."""

    nodes: list[Node]
    flows: list[Flow]
    lanes: dict[str, float]  # department -> lane height, lead first
    width: float


_NOT_NCNAME_CHAR = re.compile(r"[^A-Za-z0-9_.-]")


class Ids:
    """Unique XML ids: :meth:`take` hands out each id once, in amortised O(1) per id."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = set(taken)
        self._last: dict[str, int] = {}  # base -> the suffix number of the last id taken for it

    def take(self, prefix: str, raw: str) -> str:
        """``prefix`` + ``raw`` made an XML NCName (ASCII letters, digits, ``_ . -``), then ``_2``,
        ``_3``, … until unused. The search resumes where the last one for the same base stopped:
        ids are never given back, so every suffix before it is still taken."""
        base = prefix + _NOT_NCNAME_CHAR.sub("_", raw)
        n = self._last.get(base, 1)
        out = base if n == 1 else f"{base}_{n}"
        while out in self._taken:
            n += 1
            out = f"{base}_{n}"
        self._last[base] = n
        self._taken.add(out)
        return out


_START, _END = "\0start", "\0end"  # keys that can never be step ids


def build_flow(analysis: Analysis, conditional: Collection[str] = ()) -> FlowGraph:
    """Nodes (with positions) and sequence flows of the optimized flow, gateways made explicit; each step in
    *conditional* between an exclusive split (its condition, or skip by the default flow) and merge."""
    sched = analysis.schedule
    order = [s for stage in sched.stages for s in stage]
    g = _Gateways(analysis, order, conditional)
    lanes = _Lanes(analysis)
    x0 = POOL_X + POOL_LABEL + LANE_LABEL + 30
    slot0 = x0 + EVENT + GAP + GATEWAY + GAP
    end_x = slot0 + len(sched.stages) * (SLOT_W + 2 * g.branch)
    nodes = _nodes(analysis, order, g, lanes, x0, slot0, end_x)
    flows = _flows(analysis, order, g)
    heights = {d: float(lanes.rows[d] * ROW_H) for d in lanes.departments}
    return FlowGraph(nodes, flows, heights, end_x + GATEWAY + GAP + EVENT + GAP - POOL_X)


class _Gateways:
    """Who follows whom (with the start and end events), the ids of tasks and events, and the gateways:
    a parallel fork after a node with several successors, a join before one with several predecessors,
    an exclusive split and merge around a conditional step."""

    def __init__(self, analysis: Analysis, order: list[str], conditional: Collection[str]) -> None:
        sched = analysis.schedule
        succ: dict[str, list[str]] = {_START: [s for s in order if not sched.predecessors[s]]}
        pred: dict[str, list[str]] = {_END: [s for s in order if not sched.successors[s]]}
        for s in order:
            succ[s] = list(sched.successors[s]) or [_END]
            pred[s] = list(sched.predecessors[s]) or [_START]
        succ[_END], pred[_START] = [], []
        if not order:  # no steps (never from a valid definition): the process just ends
            succ[_START], pred[_END] = [_END], [_START]
        self.succ = succ
        ids = Ids({"StartEvent", "EndEvent", "Gateway_StartFork", "Gateway_EndJoin"})
        self.task_id = {s: ids.take("Task_", s) for s in order}
        self.node_id = {_START: "StartEvent", _END: "EndEvent", **self.task_id}
        self.fork = {k: "Gateway_StartFork" if k == _START else ids.take("Gateway_Fork_", k)
                     for k in [_START, *order] if len(succ[k]) > 1}
        self.split = {s: ids.take("Gateway_If_", s) for s in order if s in conditional}
        self.merge = {s: ids.take("Gateway_Fi_", s) for s in order if s in conditional}
        self.entry, self.exit = {**self.node_id, **self.split}, {**self.node_id, **self.merge}
        self.branch = GATEWAY + GAP if self.split else 0  # room for the split and the merge in every stage column
        self.join = {k: "Gateway_EndJoin" if k == _END else ids.take("Gateway_Join_", k)
                     for k in [*order, _END] if len(pred[k]) > 1}


class _Lanes:
    """One lane per department, lead first; the steps of one department in one stage stack in rows."""

    def __init__(self, analysis: Analysis) -> None:
        item, sched = analysis.item, analysis.schedule
        self.departments = list(item.departments)
        self.lead = self.departments[0]
        self.row: dict[str, int] = {}
        self.rows = dict.fromkeys(self.departments, 1)
        for stage in sched.stages:
            per_dept: dict[str, int] = {}
            for s in stage:
                d = item.step(s).department
                self.row[s] = per_dept.get(d, 0)
                per_dept[d] = self.row[s] + 1
                self.rows[d] = max(self.rows[d], per_dept[d])
        self.y: dict[str, float] = {}
        y = float(POOL_Y)
        for d in self.departments:
            self.y[d] = y
            y += self.rows[d] * ROW_H

    def place(self, nid: str, kind: str, lane: str, row: int, x: float, w: float, h: float,
              step: Step | None = None, direction: str | None = None) -> Node:
        cy = self.y[lane] + row * ROW_H + ROW_H / 2
        return Node(nid, kind, lane, x, cy - h / 2, w, h, step, direction)


def _nodes(analysis: Analysis, order: list[str], g: _Gateways, lanes: _Lanes, x0: float, slot0: float,
           end_x: float) -> list[Node]:
    """Every node, placed: events, tasks in their stage's column and department's lane, gateways beside them."""
    place, lead, branch = lanes.place, lanes.lead, g.branch
    stage_of = {s: i for i, stage in enumerate(analysis.schedule.stages) for s in stage}
    slot_w = SLOT_W + 2 * branch
    nodes = [place("StartEvent", "startEvent", lead, 0, x0, EVENT, EVENT)]
    if _START in g.fork:
        nodes.append(place(g.fork[_START], "parallelGateway", lead, 0, x0 + EVENT + GAP, GATEWAY, GATEWAY,
                           direction="Diverging"))
    for s in order:
        step, sx = analysis.item.step(s), slot0 + stage_of[s] * slot_w
        d, r = step.department, lanes.row[s]
        tx = sx + GATEWAY + GAP + branch
        if s in g.join:
            nodes.append(place(g.join[s], "parallelGateway", d, r, sx, GATEWAY, GATEWAY, direction="Converging"))
        if s in g.split:
            nodes.append(place(g.split[s], "exclusiveGateway", d, r, sx + GATEWAY + GAP, GATEWAY, GATEWAY,
                               direction="Diverging"))
        nodes.append(place(g.task_id[s], "userTask", d, r, tx, TASK_W, TASK_H, step))
        if s in g.merge:
            nodes.append(place(g.merge[s], "exclusiveGateway", d, r, tx + TASK_W + GAP, GATEWAY, GATEWAY,
                               direction="Converging"))
        if s in g.fork:
            nodes.append(place(g.fork[s], "parallelGateway", d, r, tx + TASK_W + GAP + branch, GATEWAY, GATEWAY,
                               direction="Diverging"))
    if _END in g.join:
        nodes.append(place(g.join[_END], "parallelGateway", lead, 0, end_x, GATEWAY, GATEWAY, direction="Converging"))
    nodes.append(place("EndEvent", "endEvent", lead, 0, end_x + GATEWAY + GAP, EVENT, EVENT))
    return nodes


def _flows(analysis: Analysis, order: list[str], g: _Gateways) -> list[Flow]:
    """The sequence flows, named after the materials they carry; a conditional step's split has its
    condition flow to the task and the default flow that skips it."""
    materials = {(s, t): names for s, t, names in edges(analysis)}
    flows: list[Flow] = []

    def connect(source: str, target: str, name: str | None = None, condition: str | None = None,
                default: bool = False) -> None:
        flows.append(Flow(f"Flow_{len(flows) + 1}", source, target, name, condition, default))

    for k in [_START, *order, _END]:
        if k in g.join:
            connect(g.join[k], g.entry[k])
        if k in g.split:
            connect(g.split[k], g.node_id[k], condition=k)
            connect(g.node_id[k], g.merge[k])
            connect(g.split[k], g.merge[k], default=True)
        if k in g.fork:
            connect(g.exit[k], g.fork[k])
        for v in g.succ[k]:
            connect(g.fork.get(k, g.exit[k]), g.join.get(v, g.entry[v]), "、".join(materials.get((k, v), [])) or None)
    return flows


class Router:
    """Orthogonal waypoints for sequence flows between the nodes of one diagram, around the others.

    :attr:`checks` counts the boxes and bands the index looked at, the router's whole work apart from
    O(log n) bisections: a test compares it across sizes to catch a return to testing every box.
    """

    def __init__(self, boxes: Mapping[str, Box]) -> None:
        self.boxes = boxes
        self._rows = BoxIndex(((y0, y1, x0, x1, k) for k, (x0, y0, x1, y1) in boxes.items()))
        self._columns = BoxIndex(((x0, x1, y0, y1, k) for k, (x0, y0, x1, y1) in boxes.items()))

    @property
    def checks(self) -> int:
        return self._rows.checks + self._columns.checks

    def route(self, source: str, target: str) -> list[Point]:
        """From the source's right side to the target's left side: a straight line if free, else one
        bend in the gap before the target if free, else a detour along the free band below the source's
        row; vertical runs stay in the gaps between node columns."""
        _, sy0, sx1, sy1 = self.boxes[source]
        tx0, ty0, _, ty1 = self.boxes[target]
        sx, sy, tx, ty = sx1, (sy0 + sy1) / 2, tx0, (ty0 + ty1) / 2
        candidates: list[list[Point]] = []
        if sy == ty:
            candidates.append([(sx, sy), (tx, ty)])
        bend = tx - GAP / 2
        candidates.append([(sx, sy), (bend, sy), (bend, ty), (tx, ty)])
        band = sy + ROW_H / 2 - 8  # below every node of the source's row, above the next row
        for path in candidates:
            if not self.blocked(path, (source, target)):
                return path
        return [(sx, sy), (sx + GAP / 2, sy), (sx + GAP / 2, band), (bend, band), (bend, ty), (tx, ty)]

    def blocked(self, path: list[Point], skip: tuple[str, str]) -> bool:
        """Whether a box other than those keyed *skip* touches a segment of *path* (closed intervals)."""
        for (ax, ay), (bx, by) in itertools.pairwise(path):
            lo_x, hi_x, lo_y, hi_y = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
            if lo_x == hi_x and lo_y != hi_y:  # vertical: look down the columns at x
                hit = self._columns.any_touching(lo_x, hi_x, lo_y, hi_y, skip)
            else:  # horizontal (or any other rectangle): look along the rows at y
                hit = self._rows.any_touching(lo_y, hi_y, lo_x, hi_x, skip)
            if hit:
                return True
        return False


class BoxIndex:
    """Boxes grouped into bands of equal extent on one axis (a row of equal nodes, or a column), each
    band sorted along the other axis, to find a box touching a segment without looking at the rest.

    A box is an entry ``(p0, p1, s0, s1, key)``: its extent [p0, p1] on the band axis and [s0, s1] on
    the other. A query looks only at the bands that start within reach of its band-axis range and,
    inside each, at the boxes that start within reach of its other range, stopping at the first hit.
    Nodes of one band never overlap, so that is O(log n) per segment.
    """

    def __init__(self, entries: Iterable[tuple[float, float, float, float, str]]) -> None:
        grouped: dict[tuple[float, float], list[tuple[float, float, str]]] = {}
        for p0, p1, s0, s1, key in entries:
            grouped.setdefault((p0, p1), []).append((s0, s1, key))
        self._bands = sorted(grouped)
        self._band_starts = [p0 for p0, _ in self._bands]
        # One more than the longest extent: a margin no rounding can eat, so no touching box is missed.
        self._band_reach = max((p1 - p0 for p0, p1 in self._bands), default=0.0) + 1.0
        self._members = [sorted(grouped[band]) for band in self._bands]
        self._member_starts = [[s0 for s0, _, _ in members] for members in self._members]
        self._member_reach = [max(s1 - s0 for s0, s1, _ in members) + 1.0 for members in self._members]
        self.checks = 0

    def any_touching(self, p_lo: float, p_hi: float, s_lo: float, s_hi: float, skip: tuple[str, ...]) -> bool:
        """Whether a box whose key is not in *skip* touches [p_lo, p_hi] x [s_lo, s_hi]."""
        first = bisect_left(self._band_starts, p_lo - self._band_reach)
        for i in range(first, bisect_right(self._band_starts, p_hi)):
            self.checks += 1
            if self._bands[i][1] < p_lo:
                continue
            members, starts = self._members[i], self._member_starts[i]
            for j in range(bisect_left(starts, s_lo - self._member_reach[i]), bisect_right(starts, s_hi)):
                self.checks += 1
                _, s1, key = members[j]
                if s1 >= s_lo and key not in skip:
                    return True
        return False
