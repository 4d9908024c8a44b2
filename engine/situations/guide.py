"""The questionnaire (情形引导) and the tailored notice (一次告知单) of one situation.

:func:`next_question` walks an item's questions in definition order and returns the next one
worth asking: a question whose ``when`` does not hold is not asked, and one whose answer can no
longer change any condition (every condition that mentions it is already decided by the
earlier answers, whatever the later ones) is skipped and keeps its default. Deciding uses
three-valued logic (:func:`decided`), which is cheap and never wrong: it may ask a question
that turns out not to matter, never skip one that does.

:func:`build_notice` is the notice of the answers: the materials to bring (merged, each
once), the stages (the departments of a stage work in parallel), the expected completion in
working days (and, given an acceptance date and the working-day calendar, the calendar date,
marked provisional where the calendar says so) and the five reductions of this situation.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.flow.analysis import Analysis, analyze
from engine.model import Item
from engine.situations.conditions import TRUE, All, Answers, AnyOf, Cmp, Condition, Not, Value, compare, conj, holds
from engine.situations.questions import Question
from engine.situations.specialisation import specialise
from engine.units import json_number

if TYPE_CHECKING:
    from engine.workdays.calendar import WorkCalendar


def decided(c: Condition, answers: Answers, unknown: set[str]) -> bool | None:
    """*c* over *answers* where the questions in *unknown* may take any answer (or none): True or
    False when that cannot change the outcome, None when it can (Kleene's three-valued logic)."""
    if isinstance(c, Cmp):
        return None if c.question in unknown else compare(c, answers.get(c.question))
    if isinstance(c, Not):
        inner = decided(c.item, answers, unknown)
        return None if inner is None else not inner
    parts = [decided(i, answers, unknown) for i in c.items]
    if isinstance(c, All):
        return False if False in parts else None if None in parts else True
    assert isinstance(c, AnyOf)
    return True if True in parts else None if None in parts else False


def matters(item: Item, question: Question, answers: Answers) -> bool:
    """Whether the answer to *question* can still change a condition of *item*, given the answers
    to the questions before it (it and every later question are unknown)."""
    general = item.general or item
    later = {q.id for q in general.questions if q.index >= question.index}
    return any(c != TRUE and _mentions(c, question.id) and decided(c, answers, later) is None
               for c in _in_context(general))


def _in_context(item: Item) -> Iterator[Condition]:
    """Every condition of *item*, an entry's or a field's together with its step's (a material
    of a step the answers already leave out does not make a question matter)."""
    for q in item.questions:
        yield q.when
    for s in item.steps:
        yield s.when
        yield from (conj(s.when, c) for _k, _t, c in s.entry_when)
        yield from (conj(s.when, f.when) for f in s.fields)


def _mentions(c: Condition, qid: str) -> bool:
    if isinstance(c, Cmp):
        return c.question == qid
    if isinstance(c, Not):
        return _mentions(c.item, qid)
    return any(_mentions(i, qid) for i in c.items)


def next_question(item: Item, answers: Mapping[str, Value | None]) -> Question | None:
    """The next question worth asking after *answers* (those given so far, in order), or None."""
    general = item.general or item
    so_far: dict[str, Value | None] = {}
    for q in general.questions:
        if q.id in answers:
            so_far[q.id] = answers[q.id]
            continue
        if holds(q.when, so_far) and matters(general, q, so_far):
            return q
        so_far[q.id] = None  # skipped: not asked, or its answer changes nothing
    return None


@dataclass(frozen=True)
class Completion:
    """When the item is done: working days after acceptance, and the date when one is given."""
    days: float
    start: date | None = None
    end: date | None = None
    provisional_years: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"working_days": json_number(self.days), "start": self.start.isoformat() if self.start else None,
                "date": self.end.isoformat() if self.end else None, "provisional": bool(self.provisional_years),
                "provisional_years": list(self.provisional_years)}


@dataclass(frozen=True)
class Notice:
    """The 一次告知单 of one situation: the specialised item's analysis, and the answers behind it."""
    analysis: Analysis
    given: dict[str, Value] = field(default_factory=dict)   # the answers the applicant gave
    completion: Completion = Completion(0)

    @property
    def item(self) -> Item:
        return self.analysis.item

    def answered(self) -> list[tuple[Question, Value | None, bool]]:
        """Each question with the answer the situation uses and whether the applicant gave it."""
        s = self.item.situation
        values = s.answers if s is not None else {}
        return [(q, values.get(q.id), q.id in self.given) for q in self.item.questions]

    def stages(self) -> list[list[dict[str, Any]]]:
        item, sched = self.item, self.analysis.schedule
        return [[{"id": sid, "name": item.step(sid).name, "department": item.step(sid).department,
                  "days": json_number(item.step(sid).days), "start": json_number(sched[sid].earliest_start),
                  "finish": json_number(sched[sid].earliest_finish)} for sid in stage]
                for stage in self.analysis.stages]

    def materials(self) -> list[dict[str, Any]]:
        return [{"id": m.id, "name": m.name, "departments": list(m.departments)}
                for m in self.analysis.applicant_materials]

    def as_dict(self) -> dict[str, Any]:
        item, s = self.item, self.item.situation
        return {
            "id": item.id, "name": item.name, "lead": item.lead,
            "situation": None if s is None else {"key": s.key, "description": s.describe()},
            "answers": [{"question": q.id, "text": q.text, "answer": json_number(v) if isinstance(v, float) else v,
                         "answer_text": None if v is None else answer_text(q, v), "given": given}
                        for q, v, given in self.answered()],
            "materials": self.materials(),
            "stages": self.stages(),
            "completion": self.completion.as_dict(),
            "commitment": json_number(item.commitment) if item.commitment is not None else None,
            "reductions": self.analysis.metrics.as_dict(),
        }


def build_notice(item: Item, given: Mapping[str, Value], start: date | None = None,
                 calendar: WorkCalendar | None = None) -> Notice:
    """The notice of *item* in the situation *given* answers pick (the rest at their defaults);
    with *start* and *calendar*, the completion date too (a CalendarError past the calendar)."""
    general = item.general or item
    one = specialise(general, dict(given)) if general.questions else general
    analysis = analyze(one)
    days = analysis.metrics.optimized_days
    completion = Completion(days)
    if start is not None and calendar is not None:
        end = calendar.add_workdays(start, math.ceil(days))
        completion = Completion(days, start, end, tuple(calendar.provisional_between(start, end)))
    return Notice(analysis, dict(given), completion)


def answer_text(q: Question, value: Value) -> str:
    """An answer as the notice shows it beside its question: 尚无营业执照, 个体工商户, 400 m²."""
    return q.number_text(float(value)) if q.type == "number" else q.answer_text(value)
