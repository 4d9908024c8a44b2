"""BPMN 2.0 export of an item's optimized flow, plain or for Camunda 7, Camunda 8 (Zeebe) or Flowable.

:func:`render_bpmn` turns an :class:`~engine.flow.analysis.Analysis` into one executable
``process`` inside a pool, one lane per department (lead first), one ``userTask``
per step, and the BPMN DI that lays the flow out by stage (x) and lane (y)
(the flow graph and its layout: :mod:`engine.outputs.bpmn.layout`).

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
:func:`~engine.outputs.bpmn.flavor.juel_literal` in every flavour (any of these files deploys on those
engines unchanged); each flavour's :meth:`Flavor.literal` does the same for the attributes it adds.
"""
from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from engine import __version__
from engine.errors import LianbanError
from engine.flow.analysis import Analysis
from engine.model import Item, Step
from engine.outputs import Options
from engine.outputs.bpmn.camunda7 import Camunda7
from engine.outputs.bpmn.flavor import Flavor, Plain, juel_literal
from engine.outputs.bpmn.flowable import Flowable
from engine.outputs.bpmn.layout import POOL_LABEL, POOL_X, POOL_Y, FlowGraph, Ids, Router, build_flow
from engine.outputs.bpmn.zeebe import Zeebe
from engine.units import json_number

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
CORE_NAMESPACES: dict[str, str] = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

FLAVORS: dict[str, Flavor] = {f.name: f for f in (Plain(), Camunda7(), Zeebe(), Flowable())}


def render(analyses: Sequence[Analysis], options: Options) -> str:
    """The registered output: the BPMN of the one item of the run; an item that asks questions gives
    every situation in one process (:func:`render_situations`) unless ``--answers`` picked one."""
    if len(analyses) != 1:
        raise LianbanError(f"a BPMN file holds one item's process, not {len(analyses)}")
    general = analyses[0].item.general
    if general is not None and general.questions and options.answers is None:
        return render_situations(general, options.flavor)
    return render_bpmn(analyses[0], options.flavor)


def render_situations(general: Item, flavor: str = "plain") -> str:
    """Every situation of *general* in one process: a step with a ``when`` between an exclusive split
    (its condition on the process variables named after the questions) and merge
    (:mod:`engine.outputs.bpmn.conditions`)."""
    from engine.outputs.bpmn.conditions import check_names, expression, step_conditions, union_analysis

    fl = _flavor(flavor)
    check_names(general)
    conditions = {sid: fl.condition(expression(c, fl.language)) for sid, c in step_conditions(general).items()}
    return render_bpmn(union_analysis(general), flavor, conditions)


def _flavor(flavor: str) -> Flavor:
    try:
        return FLAVORS[flavor]
    except KeyError:
        raise LianbanError(f"unknown BPMN flavour {flavor!r}: choose one of {', '.join(FLAVORS)}") from None


def render_bpmn(analysis: Analysis, flavor: str = "plain", conditions: Mapping[str, str] | None = None) -> str:
    """The BPMN 2.0 XML text of the item's optimized flow for *flavor* (a key of :data:`FLAVORS`);
    *conditions*: step id -> the condition text of the steps that exist only in some situations."""
    fl = _flavor(flavor)
    conditions = conditions or {}
    item = analysis.item
    graph = build_flow(analysis, conditions)
    ids = Ids(itertools.chain((n.id for n in graph.nodes), (f.id for f in graph.flows)))
    process_id = ids.take("Process_", item.id)
    collab_id = ids.take("Collaboration_", item.id)
    participant_id = ids.take("Participant_", item.id)
    lane_ids = {d: ids.take("Lane_", str(i + 1)) for i, d in enumerate(graph.lanes)}

    root = ET.Element("bpmn:definitions", {
        **{f"xmlns:{p}": uri for p, uri in {**CORE_NAMESPACES, **fl.namespaces}.items()},
        **({"xmlns:xsi": XSI_NS} if conditions else {}),
        "id": ids.take("Definitions_", item.id),
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

    lane_set = ET.SubElement(process, "bpmn:laneSet", id=ids.take("LaneSet_", item.id))
    lane_elems = {d: ET.SubElement(lane_set, "bpmn:lane", id=lane_ids[d], name=d) for d in graph.lanes}
    for n in graph.nodes:
        ET.SubElement(lane_elems[n.lane], "bpmn:flowNodeRef").text = n.id

    defaults = {f.source: f.id for f in graph.flows if f.default}
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
        if n.id in defaults:
            attrs["default"] = defaults[n.id]
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
        flow = ET.SubElement(process, "bpmn:sequenceFlow", attrs)
        if f.condition is not None:
            ET.SubElement(flow, "bpmn:conditionExpression", {"xsi:type": "bpmn:tFormalExpression"}).text = \
                conditions[f.condition]

    _diagram(root, graph, collab_id, participant_id, lane_ids, ids)
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
             lane_ids: Mapping[str, str], ids: Ids) -> None:
    diagram = ET.SubElement(root, "bpmndi:BPMNDiagram", id=ids.take("BPMNDiagram_", "1"))
    plane = ET.SubElement(diagram, "bpmndi:BPMNPlane", id=ids.take("BPMNPlane_", "1"), bpmnElement=collab_id)
    height = sum(graph.lanes.values())
    _shape(plane, participant_id, (POOL_X, POOL_Y, graph.width, height), ids, horizontal=True)
    y = float(POOL_Y)
    for d, h in graph.lanes.items():
        _shape(plane, lane_ids[d], (POOL_X + POOL_LABEL, y, graph.width - POOL_LABEL, h), ids, horizontal=True)
        y += h
    for n in graph.nodes:
        _shape(plane, n.id, (n.x, n.y, n.width, n.height), ids)
    router = Router({n.id: n.box for n in graph.nodes})
    for f in graph.flows:
        edge = ET.SubElement(plane, "bpmndi:BPMNEdge", id=ids.take("", f.id + "_di"), bpmnElement=f.id)
        for px, py in router.route(f.source, f.target):
            ET.SubElement(edge, "di:waypoint", x=_coord(px), y=_coord(py))


def _shape(plane: ET.Element, element: str, bounds: tuple[float, float, float, float], ids: Ids,
           horizontal: bool = False) -> None:
    attrs = {"id": ids.take("", element + "_di"), "bpmnElement": element}
    if horizontal:
        attrs["isHorizontal"] = "true"
    shape = ET.SubElement(plane, "bpmndi:BPMNShape", attrs)
    x, y, w, h = bounds
    ET.SubElement(shape, "dc:Bounds", x=_coord(x), y=_coord(y), width=_coord(w), height=_coord(h))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """*value* without the characters XML 1.0 cannot hold (ElementTree escapes the rest)."""
    return _NOT_XML.sub("\ufffd", value)


def _doc(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "bpmn:documentation").text = text


def _num(x: float) -> str:
    return str(json_number(x))


def _coord(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"
