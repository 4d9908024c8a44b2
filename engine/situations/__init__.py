"""Situations (情形) and form fields (一表申请): the library entry points.

An item with ``questions:`` has one flow per situation: steps, materials, needs and form
fields with a ``when:`` exist only where it holds. Everything else in the engine works on
a plain item; these functions get one:

* :func:`situations` — the situations of an item (``Enumeration``: ``.situations``, a list
  of :class:`Situation` with ``key``, ``describe()``, ``answers``, ``weight``; ``.exhaustive``);
* :func:`specialise` — the item in one situation (answers, a ``Situation``, or None for the default);
* :func:`analyze_situations` — every situation analysed: the five reductions, best, worst, weighted;
* :func:`parse_answers` — ``area_m2=300,gas=yes`` typed and checked against the item's questions;
* :func:`form_schema` — the merged application form as JSON Schema 2020-12 (conditions as if/then);
* :func:`describe` — a condition in readable Chinese (``营业面积 > 500 m² 且 使用燃气``).

See docs/situations.md for the semantics and docs/authoring.md for the format.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

# engine.model imports the conditions, so this package imports nothing that imports the model
from engine.situations.conditions import Answers, Condition, Value, describe, holds
from engine.situations.space import EXHAUSTIVE, Enumeration, Region, Situation

if TYPE_CHECKING:
    from engine.model import Item
    from engine.situations.report import SituationReport

__all__ = [
    "EXHAUSTIVE", "Condition", "Enumeration", "Region", "Situation", "analyze_situations", "complete",
    "default_answers", "describe", "form_schema", "holds", "parse_answers", "situations", "specialise",
]


def situations(item: Item, limit: int = EXHAUSTIVE) -> Enumeration:
    """The item's situations: every one up to *limit* answer combinations, a pairwise sample past that
    (the default situation always included). An item without questions has one, named ``default``."""
    from engine.situations.specialisation import space

    general = item.general or item
    return space(general).enumerate(limit=limit, default=default_answers(general))


def specialise(item: Item, answers: Answers | Situation | None = None) -> Item:
    """*item* in one situation: concrete answers (completed with defaults), a :class:`Situation`,
    or None for the default situation. An item without questions comes back as it is."""
    from engine.situations.specialisation import specialise as run

    return run(item, answers)


def default_answers(item: Item) -> dict[str, Value | None]:
    from engine.situations.specialisation import default_answers as run

    return run(item)


def complete(item: Item, given: Mapping[str, Value]) -> dict[str, Value | None]:
    """*given* answers completed with defaults (UsageError for an unknown or unasked question)."""
    from engine.situations.specialisation import complete as run

    return run(item, given)


def parse_answers(item: Item, text: str) -> dict[str, Value]:
    """``area_m2=300,gas=yes`` typed against the item's questions (UsageError for bad input)."""
    from engine.situations.specialisation import parse_answers as run

    return run(item, text)


def analyze_situations(item: Item, limit: int = EXHAUSTIVE) -> SituationReport:
    from engine.situations.report import analyze_situations as run

    return run(item, limit)


def form_schema(item: Item) -> dict[str, object]:
    from engine.situations.form import form_schema as build

    return build(item)
