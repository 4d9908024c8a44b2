"""The ``camunda7`` BPMN flavour: Camunda Platform 7 extension attributes.

- ``camunda:candidateGroups`` on each user task: the step's department, JUEL-literal
  (:func:`~engine.outputs.bpmn.flavor.juel_literal`). Camunda splits the value at commas outside
  ``${…}``, so a department whose name holds an ASCII comma becomes several groups.
- ``camunda:dueDate="P{N}D"`` with N = the step's time limit in working days, rounded up. Camunda 7
  evaluates the attribute when it creates the task; a String result goes to the process engine's
  ``dueDate`` business calendar (``TaskDecorator.initializeTaskDueDate``), which reads an ISO 8601
  period as "that long after the task was created". The default calendar counts calendar days, so
  the due date falls on or before the legal working-day deadline; register a working-day
  ``BusinessCalendar`` under the name ``dueDate`` to count 工作日 exactly (docs/bpmn.md).
- ``camunda:historyTimeToLive`` on the process (required to deploy on Camunda 7.20+).
- ``modeler:executionPlatform`` on the definitions, so Camunda Modeler opens it as a Camunda 7 diagram.

Camunda 7 evaluates a user task's ``name``, ``documentation`` (its description), ``candidateGroups``
and ``dueDate`` as JUEL expressions when it creates the task, so definition text reaches them only
through :func:`~engine.outputs.bpmn.flavor.juel_literal`; ``dueDate`` holds only a number computed here.
"""
from __future__ import annotations

import math

from engine.model import Item, Step
from engine.outputs.bpmn.flavor import Flavor, juel_literal

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
MODELER_NS = "http://camunda.org/schema/modeler/1.0"
HISTORY_TIME_TO_LIVE_DAYS = 180


class Camunda7(Flavor):
    name = "camunda7"
    namespaces = {"camunda": CAMUNDA_NS, "modeler": MODELER_NS}

    def literal(self, text: str) -> str:
        return juel_literal(text)

    def definitions_attributes(self) -> dict[str, str]:
        return {"modeler:executionPlatform": "Camunda Platform", "modeler:executionPlatformVersion": "7.21.0"}

    def process_attributes(self, item: Item) -> dict[str, str]:
        return {"camunda:historyTimeToLive": str(HISTORY_TIME_TO_LIVE_DAYS)}

    def task_attributes(self, step: Step) -> dict[str, str]:
        return {"camunda:candidateGroups": self.literal(step.department),
                "camunda:dueDate": f"P{int(math.ceil(step.days))}D"}
