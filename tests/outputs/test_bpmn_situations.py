"""BPMN of items that ask questions: one process for every situation, a step's `when` as an exclusive
split and merge on process variables named after the questions. Every export is XSD-valid, and for
EVERY situation of every such item in definitions/ it runs to the end in SpiffWorkflow with exactly that
situation's steps, each after the steps its situation makes it wait for (the JUEL and FEEL conditions
run through a translator to Python, so every flavour's expressions are run, not only the plain one)."""
from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import xmlschema
from helpers import real_items, situated_item
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from test_bpmn import NS, XSD

from engine.errors import LianbanError
from engine.flow.analysis import analyze
from engine.model import Item
from engine.outputs import Options
from engine.outputs.bpmn.conditions import expression
from engine.outputs.bpmn.writer import FLAVORS, render, render_situations
from engine.situations import complete, situations, specialise
from engine.situations.conditions import AnyOf, Cmp, Not, conj

SITUATED_ITEMS = [i for i in real_items() if i.questions]
_TOKEN = re.compile(r"""('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|&&|\|\||!=|!\("""
                    r"""|\bnull\b|\btrue\b|\bfalse\b|(?<![=!<>])=(?!=))""")


def python_of(text: str, flavor: str) -> str:
    """A JUEL ``${...}`` or FEEL ``=...`` condition as we write them, as the same Python expression."""
    if flavor == "plain":
        return text
    body = text[2:-1] if flavor != "zeebe" else text[1:]
    words = {"&&": " and ", "||": " or ", "!(": "not (", "null": "None", "true": "True", "false": "False",
             "!=": "!=", "=": "=="}
    return _TOKEN.sub(lambda m: m.group(0) if m.group(0)[0] in "'\"" else words[m.group(0)], body)


class Translating(PythonScriptEngine):  # type: ignore[misc]
    def __init__(self, flavor: str) -> None:
        super().__init__()
        self.flavor = flavor

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        return super().evaluate(task, python_of(expression, self.flavor), external_context)


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def run(xml: str, flavor: str, variables: dict[str, Any], seed: int) -> list[str]:
    """Drive the process started with *variables* to its end; the steps done, in order."""
    parser = BpmnParser()
    parser.add_bpmn_str(xml.encode("utf-8"))
    (process_id,) = parser.get_process_ids()
    wf = BpmnWorkflow(parser.get_spec(process_id), script_engine=Translating(flavor))
    wf.get_tasks(state=TaskState.READY)[0].data.update(variables)
    wf.do_engine_steps()
    done: list[str] = []
    rng = random.Random(seed)
    while not wf.is_completed():
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        assert ready, f"stuck after {done}"
        task = rng.choice(ready)
        task.run()
        done.append(task.task_spec.name.removeprefix("Task_"))
        wf.do_engine_steps()
    return done


def check_every_situation(item: Item, flavor: str, schema: xmlschema.XMLSchema) -> int:
    xml = render_situations(item, flavor)
    schema.validate(xml)
    proc = ET.fromstring(xml).find("bpmn:process", NS)
    assert proc is not None
    splits = proc.findall("bpmn:exclusiveGateway[@gatewayDirection='Diverging']", NS)
    assert len(splits) == sum(1 for s in item.steps if s.when != conj())
    for g in splits:  # two ways out: the condition to the task, the default straight to the merge
        outs = [f for f in proc.findall("bpmn:sequenceFlow", NS) if f.get("sourceRef") == g.get("id")]
        assert len(outs) == 2 and g.get("default") in {f.get("id") for f in outs}
        assert [f.find("bpmn:conditionExpression", NS) is None for f in outs].count(True) == 1
    enum = situations(item)
    assert enum.exhaustive
    for n, s in enumerate(enum.situations):
        answers = complete(item, {q: v for q, v in s.answers.items() if v is not None})
        one = analyze(specialise(item, answers))
        done = run(xml, flavor, dict(answers), n)
        assert sorted(done) == sorted(st.id for st in one.item.steps), (item.id, s.key)
        at = {sid: i for i, sid in enumerate(done)}
        for d in one.dependencies:  # the situation's own order holds
            assert at[d.source] < at[d.target], (item.id, s.key, d)
    return len(enum.situations)


@pytest.mark.parametrize("flavor", list(FLAVORS))
@pytest.mark.parametrize("item", SITUATED_ITEMS, ids=lambda i: i.id)
def test_every_situation_runs_its_own_steps(item: Item, flavor: str, schema: xmlschema.XMLSchema) -> None:
    assert check_every_situation(item, flavor, schema) >= 2


def test_the_situated_test_item(tmp_path: Any, schema: xmlschema.XMLSchema) -> None:
    """Two producers of one material (licence, licence-check) and a conditional need (tax after fire)."""
    item = situated_item(tmp_path)
    for flavor in FLAVORS:
        assert check_every_situation(item, flavor, schema) == 16  # 2 × 2 × 2 × 2


def test_the_export_command_gives_the_situations_unless_answers_pick_one(tmp_path: Any) -> None:
    item = situated_item(tmp_path)
    a = analyze(item)
    assert render([a], Options()) == render_situations(item)
    one = render([a], Options(answers="gas=yes"))
    assert "exclusiveGateway" not in one and "conditionExpression" not in one


def test_expressions_in_each_language() -> None:
    gt, gas = Cmp("area_m2", "gt", 300.0), Cmp("gas", "eq", True)
    c = AnyOf((gt, Not(gas), Cmp("entity", "in", ("company", "it's"))))
    assert expression(c, "python") == ("((area_m2 is not None and (area_m2 > 300)) or not ((gas is not None and "
                                       "(gas == True))) or (entity is not None and (entity == 'company' or "
                                       "entity == \"it's\")))")
    assert expression(c, "juel") == ("((area_m2 != null && (area_m2 > 300)) || !((gas != null && (gas == true))) || "
                                     "(entity != null && (entity == 'company' || entity == 'it\\'s')))")
    assert expression(c, "feel") == ("((area_m2 != null and (area_m2 > 300)) or not((gas != null and (gas = true))) "
                                     "or (entity != null and (entity = \"company\" or entity = \"it's\")))")


def test_reserved_question_ids_are_refused(tmp_path: Any) -> None:
    from tests.helpers import SITUATED

    item = situated_item(tmp_path, SITUATED.replace("id: gas", "id: 'null'").replace("{gas: yes}", "{'null': yes}"))
    with pytest.raises(LianbanError, match="question id 'null' is a reserved word"):
        render_situations(item)
