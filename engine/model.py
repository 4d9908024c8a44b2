"""The resolved item model that analysis, rendering and cases work with.

A model is only built from a definition that validated without errors: every
department is canonical, every material reference is a material id, and the
steps keep their definition order (used to break ties deterministically).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from engine.situations.conditions import TRUE, Condition
from engine.validation.catalog import FormField, Material
from engine.validation.loader import Positions

if TYPE_CHECKING:
    from engine.situations.questions import Question
    from engine.situations.space import Situation


@dataclass(frozen=True)
class Source:
    """Where a form field's value comes from instead of the applicant: an earlier step's
    output (``kind == "step"``, present in the situation) or an electronic licence the
    government already holds (``kind == "licence"``, a material id)."""
    kind: str
    ref: str


@dataclass(frozen=True)
class FieldRef:
    """A form field a step's own application form asks for."""
    field: str                       # field id (catalog or item-local)
    sources: tuple[Source, ...] = ()
    when: Condition = TRUE


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    department: str
    days: float
    needs: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()   # material ids the applicant submits, as is
    produces: tuple[str, ...] = ()    # material ids the step issues
    visits: int = 1
    legal_days: float | None = None
    basis: str | None = None
    channel: str | None = None
    notes: str | None = None
    index: int = 0                    # position in the definition
    when: Condition = TRUE            # the situations the step is part of
    fields: tuple[FieldRef, ...] = ()  # its own application form
    # conditional entries of needs / materials / produces: (list, id, condition)
    entry_when: tuple[tuple[str, str, Condition], ...] = ()


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    lead: str
    partners: tuple[str, ...]
    steps: tuple[Step, ...]
    materials: dict[str, Material] = field(default_factory=dict, compare=False)  # every material referenced
    commitment: float | None = None
    legal_days: float | None = None
    joint_visits: int = 1
    basis: str | None = None
    may_hold: tuple[str, ...] = ()    # material ids the applicant may already hold (breaks document cycles)
    path: str | None = field(default=None, compare=False)
    source: dict[str, Any] | None = field(default=None, compare=False, repr=False)  # the raw definition
    positions: Positions | None = field(default=None, compare=False, repr=False)
    questions: tuple[Question, ...] = ()
    form_fields: dict[str, FormField] = field(default_factory=dict, compare=False)  # every field referenced
    situation: Situation | None = field(default=None, compare=False)  # set on an item specialised to one
    general: Item | None = field(default=None, compare=False, repr=False)  # the item before specialising

    @property
    def has_situations(self) -> bool:
        """Whether the definition asks questions (its flow depends on the answers)."""
        return bool(self.questions)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    @property
    def departments(self) -> tuple[str, ...]:
        """Lead first, then partners, then any other department a step uses."""
        seen = dict.fromkeys((self.lead, *self.partners, *(s.department for s in self.steps)))
        return tuple(seen)

    def step(self, step_id: str) -> Step:
        return self._steps_by_id[step_id]

    @cached_property
    def _steps_by_id(self) -> dict[str, Step]:  # built once per item: step() sits in loops over steps
        return {s.id: s for s in self.steps}

    def material_name(self, material_id: str) -> str:
        mat = self.materials.get(material_id)
        return mat.name if mat else material_id
