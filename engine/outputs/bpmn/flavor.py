"""What a BPMN flavour is: :class:`Flavor`, the interface every flavour implements, with its defaults;
:class:`Plain`, the flavour that adds nothing; and :func:`juel_literal`, the JUEL literal every flavour
writes task names and documentation with.

A flavour states its engine's expression language (:meth:`Flavor.literal`) and overrides only the
hooks where it adds something; the others add nothing. The registry is :data:`engine.outputs.bpmn.writer.FLAVORS`.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

from engine.model import Item, Step

_JUEL_EVAL_START = re.compile(r"([$#])\{")


def juel_literal(text: str) -> str:
    """*text* as literal text of a JUEL composite expression (Camunda 7, Flowable): ``\\`` before
    every ``${`` and ``#{``.

    JUEL's scanner (``Scanner.nextText``, the same in Camunda's ``org.camunda.bpm.impl.juel`` and
    Flowable's copy of ``de.odysseus.el``) reads a run of k >= 1 backslashes directly before ``${``
    or ``#{`` as k - 1 backslashes followed by literal ``${`` / ``#{``, and keeps every other
    backslash as written. So one more backslash before each ``${`` / ``#{`` makes the engine read
    back exactly *text*, and nothing in it is evaluated.

    Every flavour writes user task names and documentation through it, not only the JUEL engines':
    any export deploys on Camunda 7 or Flowable unchanged, so each must be safe there (docs/bpmn.md).
    """
    return _JUEL_EVAL_START.sub(r"\\\1{", text)


class Flavor(ABC):
    """What one target engine adds to the plain export. Attribute names carry their prefix."""

    name: ClassVar[str]
    namespaces: ClassVar[Mapping[str, str]] = {}  # prefix -> URI, declared on <bpmn:definitions>
    language: ClassVar[str] = "juel"  # the expression language of conditions (engine.outputs.bpmn.conditions)

    def condition(self, expression: str) -> str:
        """A condition *expression* (in :attr:`language`) as the text of a ``conditionExpression``."""
        return "${" + expression + "}"

    @abstractmethod
    def literal(self, text: str) -> str:
        """Definition *text* as a literal of this engine's expression language, for every attribute
        the engine evaluates: JUEL literal text (Camunda 7, Flowable, plain) or a quoted FEEL string
        literal (Zeebe). The engine reads back exactly *text* and evaluates none of it."""

    def definitions_attributes(self) -> dict[str, str]:
        return {}

    def process_attributes(self, item: Item) -> dict[str, str]:
        return {}

    def task_attributes(self, step: Step) -> dict[str, str]:
        return {}

    def task_extensions(self, step: Step) -> list[ET.Element]:
        return []


class Plain(Flavor):
    """Standard BPMN 2.0 only: any modeler, SpiffWorkflow, or an engine you configure yourself."""

    name = "plain"
    language = "python"  # SpiffWorkflow's; BPMN leaves the language of a tFormalExpression to the engine

    def condition(self, expression: str) -> str:
        return expression

    def literal(self, text: str) -> str:
        # No attribute of its own, but a plain file is executable as is on Camunda 7 or Flowable,
        # which evaluate task names and documentation as JUEL: be as careful as those flavours.
        return juel_literal(text)
