"""The ``zeebe`` BPMN flavour: Camunda 8 (Zeebe) extension elements.

- ``zeebe:userTask`` in each user task's ``extensionElements``: a Camunda user task (8.6+), not
  the deprecated job-worker implementation.
- ``zeebe:assignmentDefinition candidateGroups='=["<department>"]'``: the step's department as a
  FEEL list holding one string literal (:func:`feel_string`), never a static value (below).
- ``zeebe:taskSchedule dueDate='=now() + duration("P{N}D")'``: a FEEL expression Zeebe evaluates
  when it activates the task, N = the step's time limit in working days, rounded up. Zeebe has no
  business calendar, so this counts calendar days and the due date falls on or before the legal
  working-day deadline (docs/bpmn.md says how to pass exact working-day dates instead).
- ``modeler:executionPlatform="Camunda Cloud"`` on the definitions, so Camunda Modeler opens it as
  a Camunda 8 diagram.

Zeebe reads a ``zeebe:`` attribute value that starts with ``=`` as a FEEL expression. A static
``candidateGroups`` value is no safe alternative: Zeebe turns it into the FEEL expression
``=["a","b"]`` itself, pasting each comma-separated part between quotes without escaping
(``ExpressionTransformer.asStringLiteral``), so a department holding ``"`` would still reach FEEL
as code. Definition text therefore lands in ``zeebe:`` attributes only as a FEEL string literal we
escape. Zeebe does not evaluate BPMN ``name`` or ``documentation`` (the core still writes them
JUEL-literal, docs/bpmn.md); ``dueDate`` holds only a number computed here.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from engine.model import Step
from engine.outputs.bpmn.flavor import Flavor

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
MODELER_NS = "http://camunda.org/schema/modeler/1.0"

_FEEL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def feel_string(text: str) -> str:
    """*text* as a FEEL string literal: in double quotes, with ``\\``, ``"``, newline, carriage return
    and tab written as the FEEL escape sequences ``\\\\``, ``\\"``, ``\\n``, ``\\r``, ``\\t``.

    The FEEL grammar (feel-scala ``stringWithQuotes``) reads a string literal as ``"``, then any
    characters where a backslash always takes the next character with it, then ``"``; with every
    ``\\`` and ``"`` of *text* escaped, the literal ends exactly at the closing quote written here,
    so it evaluates to *text* and nothing of *text* is read as FEEL code.
    """
    return '"' + text.translate(_FEEL_ESCAPES) + '"'


class Zeebe(Flavor):
    name = "zeebe"
    namespaces = {"zeebe": ZEEBE_NS, "modeler": MODELER_NS}
    language = "feel"

    def condition(self, expression: str) -> str:
        return "=" + expression

    def literal(self, text: str) -> str:
        return feel_string(text)

    def definitions_attributes(self) -> dict[str, str]:
        return {"modeler:executionPlatform": "Camunda Cloud", "modeler:executionPlatformVersion": "8.6.0"}

    def task_extensions(self, step: Step) -> list[ET.Element]:
        return [
            ET.Element("zeebe:userTask"),
            ET.Element("zeebe:assignmentDefinition", candidateGroups=f"=[{self.literal(step.department)}]"),
            ET.Element("zeebe:taskSchedule", dueDate=f'=now() + duration("P{int(math.ceil(step.days))}D")'),
        ]
