"""The ``camunda7`` BPMN flavour: Camunda Platform 7 extension attributes.

- ``camunda:candidateGroups`` on each user task: the step's department (Camunda splits the
  value at commas; department names have none).
- ``camunda:dueDate="P{N}D"`` with N = the step's time limit in working days, rounded up. Camunda 7
  evaluates the attribute when it creates the task; a String result goes to the process engine's
  ``dueDate`` business calendar (``TaskDecorator.initializeTaskDueDate``), which reads an ISO 8601
  period as "that long after the task was created". The default calendar counts calendar days, so
  the due date falls on or before the legal working-day deadline; register a working-day
  ``BusinessCalendar`` under the name ``dueDate`` to count 工作日 exactly (docs/bpmn.md).
- ``camunda:historyTimeToLive`` on the process (required to deploy on Camunda 7.20+).
- ``modeler:executionPlatform`` on the definitions, so Camunda Modeler opens it as a Camunda 7 diagram.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from .model import Item, Step

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
MODELER_NS = "http://camunda.org/schema/modeler/1.0"
HISTORY_TIME_TO_LIVE_DAYS = 180


class Camunda7:
    name = "camunda7"
    namespaces: Mapping[str, str] = {"camunda": CAMUNDA_NS, "modeler": MODELER_NS}

    def definitions_attributes(self) -> dict[str, str]:
        return {"modeler:executionPlatform": "Camunda Platform", "modeler:executionPlatformVersion": "7.21.0"}

    def process_attributes(self, item: Item) -> dict[str, str]:
        return {"camunda:historyTimeToLive": str(HISTORY_TIME_TO_LIVE_DAYS)}

    def task_attributes(self, step: Step) -> dict[str, str]:
        return {"camunda:candidateGroups": step.department, "camunda:dueDate": f"P{math.ceil(step.days)}D"}

    def task_extensions(self, step: Step) -> list[ET.Element]:
        return []
