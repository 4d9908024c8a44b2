"""What a BPMN flavour is: :class:`Flavor`, the interface every flavour implements, with its defaults.

A flavour states its engine's expression language (:meth:`Flavor.literal`) and overrides only the
hooks where it adds something; the others add nothing. The registry is :data:`engine.outputs.bpmn.writer.FLAVORS`.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

from engine.model import Item, Step


class Flavor(ABC):
    """What one target engine adds to the plain export. Attribute names carry their prefix."""

    name: ClassVar[str]
    namespaces: ClassVar[Mapping[str, str]] = {}  # prefix -> URI, declared on <bpmn:definitions>

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
