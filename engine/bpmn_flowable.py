"""The ``flowable`` BPMN flavour: Flowable (6.x/7.x) extension attributes.

- ``flowable:candidateGroups`` on each user task: the step's department.
- ``flowable:dueDate="P{N}D"`` with N = the step's time limit in working days, rounded up. Flowable
  evaluates it when it creates the task; a String result goes to the business calendar named by
  ``flowable:businessCalendarName`` (default ``dueDate``, ``UserTaskActivityBehavior``), which reads
  an ISO 8601 period as "that long after the task was created". The default calendar counts calendar
  days, so the due date falls on or before the legal working-day deadline; to count 工作日 exactly,
  register a working-day ``BusinessCalendar`` and name it in ``flowable:businessCalendarName``
  (not emitted here: Flowable fails on a calendar name it does not know; docs/bpmn.md).
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from .model import Item, Step

FLOWABLE_NS = "http://flowable.org/bpmn"


class Flowable:
    name = "flowable"
    namespaces: Mapping[str, str] = {"flowable": FLOWABLE_NS}

    def definitions_attributes(self) -> dict[str, str]:
        return {}

    def process_attributes(self, item: Item) -> dict[str, str]:
        return {}

    def task_attributes(self, step: Step) -> dict[str, str]:
        return {"flowable:candidateGroups": step.department, "flowable:dueDate": f"P{math.ceil(step.days)}D"}

    def task_extensions(self, step: Step) -> list[ET.Element]:
        return []
