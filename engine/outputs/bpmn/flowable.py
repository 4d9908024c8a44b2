"""The ``flowable`` BPMN flavour: Flowable (6.x/7.x) extension attributes.

- ``flowable:candidateGroups`` on each user task: the step's department, JUEL-literal
  (:func:`~engine.outputs.bpmn.flavor.juel_literal`). Flowable splits the value at commas, so a department
  whose name holds an ASCII comma becomes several groups.
- ``flowable:dueDate="P{N}D"`` with N = the step's time limit in working days, rounded up. Flowable
  evaluates it when it creates the task; a String result goes to the business calendar named by
  ``flowable:businessCalendarName`` (default ``dueDate``, ``UserTaskActivityBehavior``), which reads
  an ISO 8601 period as "that long after the task was created". The default calendar counts calendar
  days, so the due date falls on or before the legal working-day deadline; to count 工作日 exactly,
  register a working-day ``BusinessCalendar`` and name it in ``flowable:businessCalendarName``
  (not emitted here: Flowable fails on a calendar name it does not know; docs/bpmn.md).

Flowable evaluates a user task's ``name``, ``documentation`` (its description), ``candidateGroups``
and ``dueDate`` as JUEL expressions when it creates the task (``UserTaskActivityBehavior``), so
definition text reaches them only through ``juel_literal``; ``dueDate`` holds only a number computed here.
"""
from __future__ import annotations

import math

from engine.model import Step
from engine.outputs.bpmn.flavor import Flavor, juel_literal

FLOWABLE_NS = "http://flowable.org/bpmn"


class Flowable(Flavor):
    name = "flowable"
    namespaces = {"flowable": FLOWABLE_NS}

    def literal(self, text: str) -> str:
        return juel_literal(text)

    def task_attributes(self, step: Step) -> dict[str, str]:
        return {"flowable:candidateGroups": self.literal(step.department),
                "flowable:dueDate": f"P{int(math.ceil(step.days))}D"}
