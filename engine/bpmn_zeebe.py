"""The ``zeebe`` BPMN flavour: Camunda 8 (Zeebe) extension elements.

- ``zeebe:userTask`` in each user task's ``extensionElements``: a Camunda user task (8.6+), not
  the deprecated job-worker implementation.
- ``zeebe:assignmentDefinition candidateGroups`` : the step's department.
- ``zeebe:taskSchedule dueDate='=now() + duration("P{N}D")'``: a FEEL expression Zeebe evaluates
  when it activates the task, N = the step's time limit in working days, rounded up. Zeebe has no
  business calendar, so this counts calendar days and the due date falls on or before the legal
  working-day deadline (docs/bpmn.md says how to pass exact working-day dates instead).
- ``modeler:executionPlatform="Camunda Cloud"`` on the definitions, so Camunda Modeler opens it as
  a Camunda 8 diagram.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from .model import Item, Step

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
MODELER_NS = "http://camunda.org/schema/modeler/1.0"


class Zeebe:
    name = "zeebe"
    namespaces: Mapping[str, str] = {"zeebe": ZEEBE_NS, "modeler": MODELER_NS}

    def definitions_attributes(self) -> dict[str, str]:
        return {"modeler:executionPlatform": "Camunda Cloud", "modeler:executionPlatformVersion": "8.6.0"}

    def process_attributes(self, item: Item) -> dict[str, str]:
        return {}

    def task_attributes(self, step: Step) -> dict[str, str]:
        return {}

    def task_extensions(self, step: Step) -> list[ET.Element]:
        return [
            ET.Element("zeebe:userTask"),
            ET.Element("zeebe:assignmentDefinition", candidateGroups=step.department),
            ET.Element("zeebe:taskSchedule", dueDate=f'=now() + duration("P{math.ceil(step.days)}D")'),
        ]
