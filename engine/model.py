"""The resolved item model that analysis, rendering and cases work with.

A model is only built from a definition that validated without errors: every
department is canonical, every material reference is a material id, and the
steps keep their definition order (used to break ties deterministically).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.validation.catalog import Material
from engine.validation.loader import Positions


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

    @property
    def departments(self) -> tuple[str, ...]:
        """Lead first, then partners, then any other department a step uses."""
        seen = dict.fromkeys((self.lead, *self.partners, *(s.department for s in self.steps)))
        return tuple(seen)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def material_name(self, material_id: str) -> str:
        mat = self.materials.get(material_id)
        return mat.name if mat else material_id
