"""BPMN export: every export is schema-valid BPMN 2.0 (OMG XSD, via xmlschema), runs to the end in
SpiffWorkflow with each task ready exactly when its last dependency completes, carries its
flavour's extensions and no other flavour's, and no definition text in it is evaluated as code by
the engines (JUEL for Camunda 7 and Flowable, FEEL for Zeebe), read here by ports of their scanners."""
from __future__ import annotations

import functools
import itertools
import math
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import SpiffWorkflow
import xmlschema
from helpers import definition_files, graph_item, model_item, real_analysis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import LianbanError
from engine.flow.analysis import Analysis, analyze
from engine.outputs.bpmn.camunda7 import CAMUNDA_NS
from engine.outputs.bpmn.flavor import juel_literal
from engine.outputs.bpmn.flowable import FLOWABLE_NS
from engine.outputs.bpmn.writer import BPMN_NS, FLAVORS, render_bpmn
from engine.outputs.bpmn.zeebe import MODELER_NS, ZEEBE_NS, feel_string

XSD = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema" / "BPMN20.xsd"
NS = {"bpmn": BPMN_NS, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLAVOR_URIS = {"plain": set(), "camunda7": {CAMUNDA_NS, MODELER_NS}, "zeebe": {ZEEBE_NS, MODELER_NS},
               "flowable": {FLOWABLE_NS}}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
FLOW_NODES = ("startEvent", "endEvent", "userTask", "parallelGateway")
DEPTS = ("市场监管局", "税务局", "公安局", "人社局")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def make(edges: Sequence[tuple[int, int]], n: int, depts: Sequence[int] | None = None,
         days: Sequence[float] | None = None, names: Sequence[str] | None = None) -> Analysis:
    """An analysed item with steps s0..s{n-1}; an edge (i, j) makes s{j} need s{i}."""
    return analyze(graph_item(edges, n, depts, days, names, departments=DEPTS))


TRICKY_GRAPHS: dict[str, tuple[Any, ...]] = {  # (edges, n, depts, days), analysed on first use
    "single": ([], 1),
    "parallel": ([], 5, [0, 1, 2, 1, 0]),
    "chain": ([(i, i + 1) for i in range(11)], 12),
    "diamond": ([(0, 1), (0, 2), (1, 3), (2, 3)], 4, [0, 1, 2, 0]),
    "n-shape": ([(0, 2), (1, 2), (1, 3)], 4),  # A→C, B→C, B→D: not series-parallel
    "transitive": ([(0, 1), (1, 2), (0, 2)], 3),
    "fork-to-join": ([(0, 2), (0, 3), (1, 2), (1, 3)], 4, [0, 0, 1, 1]),
    "half-days": ([(0, 1)], 2, None, [0.5, 2.5]),
}


@functools.cache
def tricky(name: str) -> Analysis:
    return make(*TRICKY_GRAPHS[name])


# --- how the engines read an attribute --------------------------------------------------------------

def juel_read(text: str) -> str:
    """The value Camunda 7 and Flowable give *text* as a JUEL composite expression, which must be
    literal text only: a port of ``Scanner.nextToken``/``nextText`` (the same in
    ``org.camunda.bpm.impl.juel`` and Flowable's ``de.odysseus.el`` copy). Fails where an eval
    expression (``${`` or ``#{`` not escaped) would start."""
    out: list[str] = []
    escaped = False
    for i, c in enumerate(text):
        if c == "\\":
            if escaped:
                out.append("\\")  # a backslash after a backslash is kept; the state stays escaped
            escaped = True
        elif c in "$#" and text[i + 1:i + 2] == "{":
            assert escaped, f"JUEL would evaluate {text[i:]!r} in {text!r}"
            out.append(c)
            escaped = False
        else:
            out.append("\\" * escaped + c)
            escaped = False
    return "".join(out) + "\\" * escaped


FEEL_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "r": "\r", "t": "\t"}


def feel_read_strings(expr: str) -> list[str]:
    """The strings of *expr*, which must be a FEEL expression that is nothing but a list of string
    literals (``=["a","b"]``), read as feel-scala's ``stringWithQuotes`` reads them."""
    assert expr.startswith("=["), expr
    values: list[str] = []
    i = 2
    while expr[i] != "]":
        assert expr[i] == '"', f"not a string literal at {i}: {expr!r}"
        i += 1
        value: list[str] = []
        while expr[i] != '"':
            if expr[i] == "\\":
                value.append(FEEL_ESCAPES[expr[i + 1]])
                i += 2
            else:
                value.append(expr[i])
                i += 1
        values.append("".join(value))
        i += 1
        if expr[i] == ",":
            i += 1
    assert i == len(expr) - 1, f"FEEL would evaluate {expr[i + 1:]!r} in {expr!r}"
    return values


# --- checks shared by every export -----------------------------------------------------------------

def check_export(xml: str, analysis: Analysis, flavor: str, schema: xmlschema.XMLSchema,
                 seeds: Sequence[int] = (0, 1, 2)) -> None:
    schema.validate(xml)
    check_structure(xml, analysis, flavor)
    for seed in seeds:
        run_in_spiff(xml, analysis, seed)
    if flavor == "camunda7":
        run_in_spiff(xml, analysis, seeds[0], parser=CamundaParser())


def check_structure(xml: str, analysis: Analysis, flavor: str) -> None:
    root = ET.fromstring(xml)
    processes = root.findall("bpmn:process", NS)
    assert len(processes) == 1 and processes[0].get("isExecutable") == "true"
    proc = processes[0]
    assert len(proc.findall("bpmn:startEvent", NS)) == 1
    assert len(proc.findall("bpmn:endEvent", NS)) == 1
    nodes = {el.get("id"): el for kind in FLOW_NODES for el in proc.findall(f"bpmn:{kind}", NS)}
    flows = proc.findall("bpmn:sequenceFlow", NS)
    ids = [el.get("id") for el in root.iter() if el.get("id") is not None]
    assert len(ids) == len(set(ids)) and all(NCNAME.match(i) for i in ids)

    inc = {k: 0 for k in nodes}
    out = {k: 0 for k in nodes}
    for f in flows:
        out[f.get("sourceRef")] += 1
        inc[f.get("targetRef")] += 1
    for nid, el in nodes.items():
        if not el.tag.endswith("parallelGateway"):
            assert inc[nid] <= 1 and out[nid] <= 1, nid
        else:
            assert inc[nid] >= 1 and out[nid] >= 1 and inc[nid] + out[nid] >= 3, nid  # a real fork or join
        assert sorted(x.text for x in el.findall("bpmn:incoming", NS)) == \
            sorted(f.get("id") for f in flows if f.get("targetRef") == nid)
        assert sorted(x.text for x in el.findall("bpmn:outgoing", NS)) == \
            sorted(f.get("id") for f in flows if f.get("sourceRef") == nid)

    steps = {s.id: s for s in analysis.item.steps}
    tasks = proc.findall("bpmn:userTask", NS)
    assert sorted(t.get("id") for t in tasks) == sorted(f"Task_{s}" for s in steps)
    lanes = proc.findall("bpmn:laneSet/bpmn:lane", NS)
    assert [lane.get("name") for lane in lanes] == list(analysis.item.departments)
    refs = [(r.text, lane.get("name")) for lane in lanes for r in lane.findall("bpmn:flowNodeRef", NS)]
    assert sorted(r for r, _ in refs) == sorted(nodes)  # every flow node in exactly one lane
    lane_of = dict(refs)
    for t in tasks:
        step = steps[t.get("id").removeprefix("Task_")]
        # every flavour writes task names and documentation JUEL-literal (Camunda 7 and Flowable evaluate them)
        assert t.get("name") == juel_literal(step.name) and juel_read(t.get("name")) == step.name
        assert lane_of[t.get("id")] == step.department
        doc = juel_read(t.find("bpmn:documentation", NS).text)
        assert f"办理部门：{step.department}；" in doc and "个工作日" in doc

    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    assert set(nodes) <= set(shapes) and {f.get("id") for f in flows} == set(edges)
    # QName references the XSD cannot check (IDREFs it does) point at elements of this document
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == proc.get("id") and plane.get("bpmnElement") in ids
    assert set(shapes) == set(nodes) | {lane.get("id") for lane in lanes} | {participant.get("id")}
    for lane in lanes:
        assert shapes[lane.get("id")].get("isHorizontal") == "true"
    boxes = [tuple(float(shapes[n].find("dc:Bounds", NS).get(k)) for k in ("x", "y", "width", "height"))
             for n in nodes]
    for i, (x, y, w, h) in enumerate(boxes):  # no two flow nodes overlap
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    for e in edges.values():
        points = [(float(p.get("x")), float(p.get("y"))) for p in e.findall("di:waypoint", NS)]
        assert len(points) >= 2
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in itertools.pairwise(points))  # orthogonal

    check_flavor(xml, root, proc, analysis, flavor)


def check_flavor(xml: str, root: ET.Element, proc: ET.Element, analysis: Analysis, flavor: str) -> None:
    mine = FLAVOR_URIS[flavor]
    for other in set().union(*FLAVOR_URIS.values()) - mine:
        assert other not in xml
    for uri in mine:
        assert uri in xml
    for t in proc.findall("bpmn:userTask", NS):
        step = analysis.item.step(t.get("id").removeprefix("Task_"))
        days = math.ceil(step.days)
        if flavor == "camunda7":
            assert juel_read(t.get(f"{{{CAMUNDA_NS}}}candidateGroups")) == step.department
            assert t.get(f"{{{CAMUNDA_NS}}}dueDate") == f"P{days}D"
        elif flavor == "flowable":
            assert juel_read(t.get(f"{{{FLOWABLE_NS}}}candidateGroups")) == step.department
            assert t.get(f"{{{FLOWABLE_NS}}}dueDate") == f"P{days}D"
        elif flavor == "zeebe":
            ext = t.find("bpmn:extensionElements", NS)
            assert ext.find(f"{{{ZEEBE_NS}}}userTask") is not None
            groups = ext.find(f"{{{ZEEBE_NS}}}assignmentDefinition").get("candidateGroups")
            assert feel_read_strings(groups) == [step.department]
            assert ext.find(f"{{{ZEEBE_NS}}}taskSchedule").get("dueDate") == f'=now() + duration("P{days}D")'
        else:
            assert t.find("bpmn:extensionElements", NS) is None
            assert all(not k.startswith("{") for k in t.attrib)
    if flavor == "camunda7":
        assert proc.get(f"{{{CAMUNDA_NS}}}historyTimeToLive") == "180"
        assert root.get(f"{{{MODELER_NS}}}executionPlatform") == "Camunda Platform"
    if flavor == "zeebe":
        assert root.get(f"{{{MODELER_NS}}}executionPlatform") == "Camunda Cloud"


def run_in_spiff(xml: str, analysis: Analysis, seed: int, parser: BpmnParser | None = None) -> None:
    """Drive the process to its end, completing ready user tasks in a random order, and check that
    the ready tasks are always exactly the steps whose dependencies have all completed."""
    parser = parser or BpmnParser()
    parser.add_bpmn_str(xml.encode("utf-8"))
    (process_id,) = parser.get_process_ids()
    wf = BpmnWorkflow(parser.get_spec(process_id))
    wf.do_engine_steps()
    preds = analysis.schedule.predecessors
    dept = {s.id: s.department for s in analysis.item.steps}
    done: list[str] = []
    rng = random.Random(seed)
    while not wf.is_completed():
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        names = sorted(t.task_spec.name.removeprefix("Task_") for t in ready)
        expected = sorted(s for s in preds if s not in done and all(p in done for p in preds[s]))
        assert names == expected, f"done {done}: ready {names}, expected {expected}"
        for t in ready:
            assert t.task_spec.lane == dept[t.task_spec.name.removeprefix("Task_")]
        task = rng.choice(ready)
        task.run()
        done.append(task.task_spec.name.removeprefix("Task_"))
        wf.do_engine_steps()
    assert sorted(done) == sorted(preds)


# --- the tests -------------------------------------------------------------------------------------

def test_registry() -> None:
    assert list(FLAVORS) == ["plain", "camunda7", "zeebe", "flowable"]
    with pytest.raises(LianbanError) as exc:
        render_bpmn(tricky("single"), "camunda8")
    assert str(exc.value) == "unknown BPMN flavour 'camunda8': choose one of plain, camunda7, zeebe, flowable"


@pytest.mark.parametrize("flavor", list(FLAVORS))
@pytest.mark.parametrize("path", definition_files(), ids=lambda p: p.stem)
def test_definitions(path: Path, flavor: str, schema: xmlschema.XMLSchema) -> None:
    a = real_analysis(path.stem)
    check_export(render_bpmn(a, flavor), a, flavor, schema, seeds=(0, 1))


@pytest.mark.parametrize("flavor", list(FLAVORS))
@pytest.mark.parametrize("name", list(TRICKY_GRAPHS))
def test_tricky_graphs(name: str, flavor: str, schema: xmlschema.XMLSchema) -> None:
    a = tricky(name)
    check_export(render_bpmn(a, flavor), a, flavor, schema)


@st.composite
def dags(draw: st.DrawFn) -> Analysis:
    n = draw(st.integers(1, 9))
    pairs = [(i, j) for j in range(n) for i in range(j)]
    edges = [p for p in pairs if draw(st.booleans())] if pairs else []
    depts = draw(st.lists(st.integers(0, len(DEPTS) - 1), min_size=n, max_size=n))
    days = draw(st.lists(st.sampled_from([0.5, 1, 2, 3.5, 10]), min_size=n, max_size=n))
    return make(edges, n, depts, days)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(analysis=dags(), flavor=st.sampled_from(list(FLAVORS)))
def test_random_dags(analysis: Analysis, flavor: str, schema: xmlschema.XMLSchema) -> None:
    check_export(render_bpmn(analysis, flavor), analysis, flavor, schema, seeds=(0, 1))


def test_validator_catches_broken_references(schema: xmlschema.XMLSchema) -> None:
    xml = render_bpmn(tricky("diamond"))
    schema.validate(xml)
    for broken in (xml.replace('sourceRef="StartEvent"', 'sourceRef="Nowhere"'),
                   xml.replace("<bpmn:flowNodeRef>EndEvent<", "<bpmn:flowNodeRef>Nowhere<"),
                   xml.replace('id="Flow_2"', 'id="Flow_1"')):
        assert broken != xml and not schema.is_valid(broken)


def test_gateways_only_where_needed() -> None:
    root = ET.fromstring(render_bpmn(tricky("n-shape")))
    gateways = sorted(g.get("id") for g in root.iter(f"{{{BPMN_NS}}}parallelGateway"))
    # start forks to A and B; B forks to C and D; C joins A and B; the end joins C and D
    assert gateways == ["Gateway_EndJoin", "Gateway_Fork_s1", "Gateway_Join_s2", "Gateway_StartFork"]
    single = ET.fromstring(render_bpmn(tricky("single")))
    assert not list(single.iter(f"{{{BPMN_NS}}}parallelGateway"))
    assert len(list(single.iter(f"{{{BPMN_NS}}}sequenceFlow"))) == 2


def test_fork_connects_to_join_directly() -> None:
    root = ET.fromstring(render_bpmn(tricky("fork-to-join")))
    flows = {(f.get("sourceRef"), f.get("targetRef")) for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    assert ("Gateway_Fork_s0", "Gateway_Join_s2") in flows and ("Gateway_Fork_s1", "Gateway_Join_s3") in flows


def test_text_is_escaped(schema: xmlschema.XMLSchema) -> None:
    names = ["<script>alert(1)</script>", 'R&D "申报" \'x\' ]]>', "bell\x07控制字符"]
    a = make([(0, 1), (0, 2)], 3, names=names)
    for flavor in FLAVORS:
        xml = render_bpmn(a, flavor)
        assert "<script>" not in xml
        schema.validate(xml)
        got = {t.get("id"): t.get("name") for t in ET.fromstring(xml).iter(f"{{{BPMN_NS}}}userTask")}
        assert got == {"Task_s0": names[0], "Task_s1": names[1], "Task_s2": "bell\ufffd控制字符"}
        run_in_spiff(xml, a, 0)


def test_material_names_label_flows() -> None:
    a = analyze(model_item([{"id": "licence", "name": "营业执照", "department": DEPTS[0], "days": 1,
                             "produces": ["business-licence"]},
                            {"id": "tax", "name": "税务登记", "department": DEPTS[1], "days": 1,
                             "materials": ["business-licence"]}], item_id="m", name="物料"))
    root = ET.fromstring(render_bpmn(a))
    named = [f for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow") if f.get("name")]
    assert [(f.get("sourceRef"), f.get("targetRef"), f.get("name")) for f in named] == \
        [("Task_licence", "Task_tax", "材料business-licence")]  # the material's name


def test_deterministic() -> None:
    a = tricky("diamond")
    assert render_bpmn(a, "zeebe") == render_bpmn(a, "zeebe")


# --- definition text is never code for an engine -------------------------------------------------------

RCE = "${''.getClass().forName('java.lang.Runtime').getRuntime().exec('touch /tmp/pwn')}"
HOSTILE_NAMES = [f"登记{RCE}", "#{execution.setVariable('x', 1)}", "=now()", "a\\${x}", "\\\\#{x}\\",
                 '"引号" \'单引号\' $${x} #${y} ${z', "换行\n${a}\t#{b}"]
HOSTILE_DEPTS = ["=now()", "${dept}", '市场"监管"局\\', '"] + string(now()) + ["', "#{x}\\"]


def hostile() -> Analysis:
    return analyze(model_item([{"id": f"s{j}", "name": name, "department": HOSTILE_DEPTS[j % len(HOSTILE_DEPTS)],
                                "days": 1 + j % 3, "needs": [f"s{j - 1}"] if j % 2 else []}
                               for j, name in enumerate(HOSTILE_NAMES)],
                              item_id="hostile", name=f"事项{RCE}", lead=HOSTILE_DEPTS[0],
                              partners=HOSTILE_DEPTS[1:]))


def test_juel_reading_is_faithful_to_the_engines() -> None:
    """The port flags what JUEL evaluates and keeps backslashes as JUEL's scanner does."""
    for code in ("${x}", "a#{x}", "\\${ok}${x}", "$\\${ok}#{x}"):
        with pytest.raises(AssertionError, match="JUEL would evaluate"):
            juel_read(code)
    assert juel_read("\\${x}") == "${x}" and juel_read("\\\\${x}") == "\\${x}" and juel_read("\\\\#{x}") == "\\#{x}"
    assert juel_read("a\\b\\\\c\\") == "a\\b\\\\c\\" and juel_read("$x #y {z}") == "$x #y {z}"


@settings(max_examples=300)
@given(st.text() | st.text(alphabet="\\$#{}=\"'a\n"))
def test_literals_read_back_exactly(text: str) -> None:
    assert juel_read(juel_literal(text)) == text
    assert feel_read_strings(f"=[{feel_string(text)}]") == [text]
    assert FLAVORS["plain"].literal(text) == FLAVORS["camunda7"].literal(text) == FLAVORS["flowable"].literal(text) \
        == juel_literal(text)
    assert FLAVORS["zeebe"].literal(text) == feel_string(text)


def test_literal_exact_forms() -> None:
    assert juel_literal(f"登记{RCE}") == "登记\\" + RCE
    assert juel_literal("#{a}${b}$#{c}\\${d}") == "\\#{a}\\${b}$\\#{c}\\\\${d}"
    assert juel_literal("=now() \"q\" \\ $ # { }") == "=now() \"q\" \\ $ # { }"
    assert feel_string("=now()") == '"=now()"'
    assert feel_string('市场"监管"局\\') == '"市场\\"监管\\"局\\\\"'
    assert feel_string("a\nb\tc\rd") == '"a\\nb\\tc\\rd"'


@pytest.mark.parametrize("flavor", list(FLAVORS))
def test_hostile_text_stays_text(flavor: str, schema: xmlschema.XMLSchema) -> None:
    a = hostile()
    xml = render_bpmn(a, flavor)
    check_export(xml, a, flavor, schema)  # XSD-valid, runs in SpiffWorkflow, every text reads back exactly
    root = ET.fromstring(xml)
    tasks = {t.get("id"): t for t in root.iter(f"{{{BPMN_NS}}}userTask")}
    expected_names = [f"登记\\{RCE}", "\\#{execution.setVariable('x', 1)}", "=now()", "a\\\\${x}", "\\\\\\#{x}\\",
                      '"引号" \'单引号\' $\\${x} #\\${y} \\${z', "换行\n\\${a}\t\\#{b}"]
    assert [tasks[f"Task_s{j}"].get("name") for j in range(len(HOSTILE_NAMES))] == expected_names
    juel_groups = ["=now()", "\\${dept}", '市场"监管"局\\', '"] + string(now()) + ["', "\\#{x}\\"]
    feel_groups = ['=["=now()"]', '=["${dept}"]', '=["市场\\"监管\\"局\\\\"]', '=["\\"] + string(now()) + [\\""]',
                   '=["#{x}\\\\"]']
    for j in range(len(HOSTILE_NAMES)):
        t, k = tasks[f"Task_s{j}"], j % len(HOSTILE_DEPTS)
        assert t.find("bpmn:documentation", NS).text.startswith(f"办理部门：{juel_groups[k]}；")
        if flavor == "camunda7":
            assert t.get(f"{{{CAMUNDA_NS}}}candidateGroups") == juel_groups[k]
        elif flavor == "flowable":
            assert t.get(f"{{{FLOWABLE_NS}}}candidateGroups") == juel_groups[k]
        elif flavor == "zeebe":
            ext = t.find("bpmn:extensionElements", NS)
            assert ext.find(f"{{{ZEEBE_NS}}}assignmentDefinition").get("candidateGroups") == feel_groups[k]
    # texts no engine evaluates are written as they are
    assert root.find("bpmn:process", NS).get("name") == f"事项{RCE}"
    assert [lane.get("name") for lane in root.iter(f"{{{BPMN_NS}}}lane")] == HOSTILE_DEPTS
