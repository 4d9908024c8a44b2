"""BPMN 2.0 export of an item's optimized flow, plain or for Camunda 7, Camunda 8 (Zeebe) or Flowable.

:func:`render_bpmn` turns an :class:`~engine.flow.analysis.Analysis` into one executable
``process`` inside a pool, one lane per department (lead first), one ``userTask``
per step, and the BPMN DI that lays the flow out by stage (x) and lane (y).

Every dependency edge is kept and expressed with explicit parallel gateways, so any
DAG is exact, not only nested split/join blocks: a node with several successors
gets a fork gateway after it, a node with several predecessors a join gateway
before it (the start event counts as the predecessor of every step without
dependencies, the end event as the successor of every step without dependants).
Each task and event thus has at most one incoming and one outgoing sequence flow,
and a task becomes ready exactly when all the steps it depends on have completed.

Flavours add their engine's extensions only (see docs/bpmn.md): each is a
:class:`~engine.outputs.bpmn.flavor.Flavor`, and :data:`FLAVORS` is the registry the CLI's
``--flavor`` choices come from.

No definition text is ever read as code by an engine: Camunda 7 and Flowable evaluate a user
task's ``name`` and ``documentation`` as JUEL, so both are written through
:func:`~engine.outputs.bpmn.camunda7.juel_literal` in every flavour (any of these files deploys on those
engines unchanged); each flavour's :meth:`Flavor.literal` does the same for the attributes it adds.
"""
from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine import __version__
from engine.errors import LianbanError
from engine.flow.analysis import Analysis, edges
from engine.model import Step
from engine.outputs import Options
from engine.outputs.bpmn.camunda7 import Camunda7, juel_literal
from engine.outputs.bpmn.flavor import Flavor
from engine.outputs.bpmn.flowable import Flowable
from engine.outputs.bpmn.zeebe import Zeebe

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
CORE_NAMESPACES: dict[str, str] = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}


class Plain(Flavor):
    """Standard BPMN 2.0 only: any modeler, SpiffWorkflow, or an engine you configure yourself."""

    name = "plain"

    def literal(self, text: str) -> str:
        # No attribute of its own, but a plain file is executable as is on Camunda 7 or Flowable,
        # which evaluate task names and documentation as JUEL: be as careful as those flavours.
        return juel_literal(text)


FLAVORS: dict[str, Flavor] = {f.name: f for f in (Plain(), Camunda7(), Zeebe(), Flowable())}

# Geometry of the diagram, in pixels (bpmn.io defaults for element sizes).
EVENT, GATEWAY, TASK_W, TASK_H = 36, 50, 100, 80
ROW_H, GAP = 120, 40
POOL_X, POOL_Y, POOL_LABEL, LANE_LABEL = 100, 80, 30, 30
SLOT_W = GATEWAY + GAP + TASK_W + GAP + GATEWAY + GAP  # join, task, fork per stage column


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # "startEvent" | "endEvent" | "userTask" | "parallelGateway"
    lane: str  # the department whose lane holds it
    x: float
    y: float
    width: float
    height: float
    step: Step | None = None
    direction: str | None = None  # gatewayDirection: "Diverging" | "Converging"

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.x, self.y, self.x + self.width, self.y + self.height


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None


@dataclass(frozen=True)
class FlowGraph:
    """The BPMN flow of an item: nodes in document order, sequence flows, lanes and their heights."""

    nodes: list[Node]
    flows: list[Flow]
    lanes: dict[str, float]  # department -> lane height, lead first
    width: float


_START, _END = "\0start", "\0end"  # keys that can never be step ids


def _ncname(prefix: str, raw: str, taken: set[str]) -> str:
    """``prefix`` + ``raw`` made an XML NCName (ASCII letters, digits, ``_ . -``), unique in *taken*."""
    base = prefix + re.sub(r"[^A-Za-z0-9_.-]", "_", raw)
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}_{n}"
    taken.add(out)
    return out


def build_flow(analysis: Analysis) -> FlowGraph:
    """Nodes (with positions) and sequence flows of the optimized flow, gateways made explicit."""
    item, sched = analysis.item, analysis.schedule
    order = [s for stage in sched.stages for s in stage]
    succ: dict[str, list[str]] = {_START: [s for s in order if not sched.predecessors[s]]}
    pred: dict[str, list[str]] = {_END: [s for s in order if not sched.successors[s]]}
    for s in order:
        succ[s] = list(sched.successors[s]) or [_END]
        pred[s] = list(sched.predecessors[s]) or [_START]
    succ[_END], pred[_START] = [], []
    if not order:  # no steps (never from a valid definition): the process just ends
        succ[_START], pred[_END] = [_END], [_START]

    taken: set[str] = {"StartEvent", "EndEvent", "Gateway_StartFork", "Gateway_EndJoin"}
    task_id = {s: _ncname("Task_", s, taken) for s in order}
    node_id = {_START: "StartEvent", _END: "EndEvent", **task_id}
    fork = {k: "Gateway_StartFork" if k == _START else _ncname("Gateway_Fork_", k, taken)
            for k in [_START, *order] if len(succ[k]) > 1}
    join = {k: "Gateway_EndJoin" if k == _END else _ncname("Gateway_Join_", k, taken)
            for k in [*order, _END] if len(pred[k]) > 1}

    # Rows: the steps of one department in one stage stack inside its lane.
    departments = list(item.departments)
    lead = departments[0]
    rows: dict[str, int] = {}
    lane_rows = dict.fromkeys(departments, 1)
    for stage in sched.stages:
        per_dept: dict[str, int] = {}
        for s in stage:
            d = item.step(s).department
            rows[s] = per_dept.get(d, 0)
            per_dept[d] = rows[s] + 1
            lane_rows[d] = max(lane_rows[d], per_dept[d])
    lane_y: dict[str, float] = {}
    y = float(POOL_Y)
    for d in departments:
        lane_y[d] = y
        y += lane_rows[d] * ROW_H

    x0 = POOL_X + POOL_LABEL + LANE_LABEL + 30
    slot0 = x0 + EVENT + GAP + GATEWAY + GAP
    stage_of = {s: i for i, stage in enumerate(sched.stages) for s in stage}
    end_x = slot0 + len(sched.stages) * SLOT_W

    def place(nid: str, kind: str, lane: str, row: int, x: float, w: float, h: float,
              step: Step | None = None, direction: str | None = None) -> Node:
        cy = lane_y[lane] + row * ROW_H + ROW_H / 2
        return Node(nid, kind, lane, x, cy - h / 2, w, h, step, direction)

    nodes = [place("StartEvent", "startEvent", lead, 0, x0, EVENT, EVENT)]
    if _START in fork:
        nodes.append(place(fork[_START], "parallelGateway", lead, 0, x0 + EVENT + GAP, GATEWAY, GATEWAY,
                           direction="Diverging"))
    for s in order:
        step, sx = item.step(s), slot0 + stage_of[s] * SLOT_W
        d, r = step.department, rows[s]
        if s in join:
            nodes.append(place(join[s], "parallelGateway", d, r, sx, GATEWAY, GATEWAY, direction="Converging"))
        nodes.append(place(task_id[s], "userTask", d, r, sx + GATEWAY + GAP, TASK_W, TASK_H, step))
        if s in fork:
            nodes.append(place(fork[s], "parallelGateway", d, r, sx + GATEWAY + GAP + TASK_W + GAP, GATEWAY, GATEWAY,
                               direction="Diverging"))
    if _END in join:
        nodes.append(place(join[_END], "parallelGateway", lead, 0, end_x, GATEWAY, GATEWAY, direction="Converging"))
    nodes.append(place("EndEvent", "endEvent", lead, 0, end_x + GATEWAY + GAP, EVENT, EVENT))

    materials = {(s, t): names for s, t, names in edges(analysis)}
    flows: list[Flow] = []

    def connect(source: str, target: str, name: str | None = None) -> None:
        flows.append(Flow(f"Flow_{len(flows) + 1}", source, target, name))

    for k in [_START, *order, _END]:
        if k in join:
            connect(join[k], node_id[k])
        if k in fork:
            connect(node_id[k], fork[k])
        for v in succ[k]:
            connect(fork.get(k, node_id[k]), join.get(v, node_id[v]), "、".join(materials.get((k, v), [])) or None)
    lanes = {d: float(lane_rows[d] * ROW_H) for d in departments}
    return FlowGraph(nodes, flows, lanes, end_x + GATEWAY + GAP + EVENT + GAP - POOL_X)


def render(analyses: Sequence[Analysis], options: Options) -> str:
    """The registered output: the BPMN of the one item of the run."""
    if len(analyses) != 1:
        raise LianbanError(f"a BPMN file holds one item's process, not {len(analyses)}")
    return render_bpmn(analyses[0], options.flavor)


def render_bpmn(analysis: Analysis, flavor: str = "plain") -> str:
    """The BPMN 2.0 XML text of the item's optimized flow for *flavor* (a key of :data:`FLAVORS`)."""
    try:
        fl = FLAVORS[flavor]
    except KeyError:
        raise LianbanError(f"unknown BPMN flavour {flavor!r}: choose one of {', '.join(FLAVORS)}") from None
    item = analysis.item
    graph = build_flow(analysis)
    taken: set[str] = {n.id for n in graph.nodes} | {f.id for f in graph.flows}
    process_id = _ncname("Process_", item.id, taken)
    collab_id = _ncname("Collaboration_", item.id, taken)
    participant_id = _ncname("Participant_", item.id, taken)
    lane_ids = {d: _ncname("Lane_", str(i + 1), taken) for i, d in enumerate(graph.lanes)}

    root = ET.Element("bpmn:definitions", {
        **{f"xmlns:{p}": uri for p, uri in {**CORE_NAMESPACES, **fl.namespaces}.items()},
        "id": _ncname("Definitions_", item.id, taken),
        "targetNamespace": f"https://lianban.example/bpmn/{item.id}",
        "exporter": "lianban", "exporterVersion": __version__,
        **fl.definitions_attributes(),
    })
    collab = ET.SubElement(root, "bpmn:collaboration", id=collab_id)
    ET.SubElement(collab, "bpmn:participant", id=participant_id, name=item.name, processRef=process_id)
    process = ET.SubElement(root, "bpmn:process", {"id": process_id, "name": item.name,
                                                   "isExecutable": "true", **fl.process_attributes(item)})
    _doc(process, f"{item.name}：{len(item.steps)} 个事项，并联办理 {_num(analysis.schedule.length)} 个工作日"
                  f"（串联 {_num(analysis.metrics.serial_days)} 个工作日）；牵头单位：{item.lead}")

    lane_set = ET.SubElement(process, "bpmn:laneSet", id=_ncname("LaneSet_", item.id, taken))
    lane_elems = {d: ET.SubElement(lane_set, "bpmn:lane", id=lane_ids[d], name=d) for d in graph.lanes}
    for n in graph.nodes:
        ET.SubElement(lane_elems[n.lane], "bpmn:flowNodeRef").text = n.id

    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for f in graph.flows:
        outgoing.setdefault(f.source, []).append(f.id)
        incoming.setdefault(f.target, []).append(f.id)
    for n in graph.nodes:
        attrs = {"id": n.id}
        if n.step is not None:
            attrs |= {"name": juel_literal(n.step.name), **fl.task_attributes(n.step)}
        if n.direction:
            attrs["gatewayDirection"] = n.direction
        el = ET.SubElement(process, f"bpmn:{n.kind}", attrs)
        if n.step is not None:
            _task_details(el, analysis, n.step, fl)
        for fid in incoming.get(n.id, []):
            ET.SubElement(el, "bpmn:incoming").text = fid
        for fid in outgoing.get(n.id, []):
            ET.SubElement(el, "bpmn:outgoing").text = fid
    for f in graph.flows:
        attrs = {"id": f.id, "sourceRef": f.source, "targetRef": f.target}
        if f.name:
            attrs["name"] = f.name
        ET.SubElement(process, "bpmn:sequenceFlow", attrs)

    _diagram(root, graph, collab_id, participant_id, lane_ids, taken)
    for el in root.iter():  # XML 1.0 cannot hold some characters; ElementTree escapes the rest
        el.attrib = {k: _text(v) for k, v in el.attrib.items()}
        el.text = _text(el.text) if el.text else el.text
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _task_details(el: ET.Element, analysis: Analysis, step: Step, fl: Flavor) -> None:
    t = analysis.schedule[step.id]
    _doc(el, juel_literal(f"办理部门：{step.department}；办理时限：{_num(step.days)} 个工作日；"
                          f"计划：受理后第 {_num(t.earliest_start)} 至 {_num(t.latest_finish)} 个工作日内办结"
                          f"（机动 {_num(t.slack)} 个工作日）"))
    extensions = fl.task_extensions(step)
    if extensions:
        ET.SubElement(el, "bpmn:extensionElements").extend(extensions)


def _diagram(root: ET.Element, graph: FlowGraph, collab_id: str, participant_id: str,
             lane_ids: Mapping[str, str], taken: set[str]) -> None:
    diagram = ET.SubElement(root, "bpmndi:BPMNDiagram", id=_ncname("BPMNDiagram_", "1", taken))
    plane = ET.SubElement(diagram, "bpmndi:BPMNPlane", id=_ncname("BPMNPlane_", "1", taken), bpmnElement=collab_id)
    height = sum(graph.lanes.values())
    _shape(plane, participant_id, (POOL_X, POOL_Y, graph.width, height), taken, horizontal=True)
    y = float(POOL_Y)
    for d, h in graph.lanes.items():
        _shape(plane, lane_ids[d], (POOL_X + POOL_LABEL, y, graph.width - POOL_LABEL, h), taken, horizontal=True)
        y += h
    for n in graph.nodes:
        _shape(plane, n.id, (n.x, n.y, n.width, n.height), taken)
    boxes = {n.id: n.box for n in graph.nodes}
    for f in graph.flows:
        edge = ET.SubElement(plane, "bpmndi:BPMNEdge", id=_ncname("", f.id + "_di", taken), bpmnElement=f.id)
        for px, py in _route(boxes, f.source, f.target):
            ET.SubElement(edge, "di:waypoint", x=_coord(px), y=_coord(py))


def _shape(plane: ET.Element, element: str, bounds: tuple[float, float, float, float], taken: set[str],
           horizontal: bool = False) -> None:
    attrs = {"id": _ncname("", element + "_di", taken), "bpmnElement": element}
    if horizontal:
        attrs["isHorizontal"] = "true"
    shape = ET.SubElement(plane, "bpmndi:BPMNShape", attrs)
    x, y, w, h = bounds
    ET.SubElement(shape, "dc:Bounds", x=_coord(x), y=_coord(y), width=_coord(w), height=_coord(h))


Box = tuple[float, float, float, float]


def _route(boxes: Mapping[str, Box], source: str, target: str) -> list[tuple[float, float]]:
    """Orthogonal waypoints from the source's right side to the target's left side, around other nodes.

    Tries a straight line, then one bend in the gap before the target, then a detour along the
    free band below the source's row; vertical runs stay in the gaps between node columns.
    """
    _, sy0, sx1, sy1 = boxes[source]
    tx0, ty0, _, ty1 = boxes[target]
    sx, sy, tx, ty = sx1, (sy0 + sy1) / 2, tx0, (ty0 + ty1) / 2
    others = [b for k, b in boxes.items() if k not in (source, target)]
    candidates: list[list[tuple[float, float]]] = []
    if sy == ty:
        candidates.append([(sx, sy), (tx, ty)])
    bend = tx - GAP / 2
    candidates.append([(sx, sy), (bend, sy), (bend, ty), (tx, ty)])
    band = sy + ROW_H / 2 - 8  # below every node of the source's row, above the next row
    for path in candidates:
        if not any(_crosses(path, b) for b in others):
            return path
    return [(sx, sy), (sx + GAP / 2, sy), (sx + GAP / 2, band), (bend, band), (bend, ty), (tx, ty)]


def _crosses(path: list[tuple[float, float]], box: Box) -> bool:
    x0, y0, x1, y1 = box
    for (ax, ay), (bx, by) in itertools.pairwise(path):
        lo_x, hi_x, lo_y, hi_y = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        if lo_x <= x1 and hi_x >= x0 and lo_y <= y1 and hi_y >= y0:
            return True
    return False


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """*value* without the characters XML 1.0 cannot hold (ElementTree escapes the rest)."""
    return _NOT_XML.sub("\ufffd", value)


def _doc(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "bpmn:documentation").text = text


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _coord(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"
