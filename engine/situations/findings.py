"""The findings that hold only in some situations, each naming the smallest such situation.

For each possible problem (a step needing a step its situation leaves out, a material
whose producer is left out, two producers together, a commitment, a dead or redundant
condition) the situations over the questions it involves are enumerated and
:func:`engine.situations.space.forcing` finds the fewest answers that force it:
``营业面积 ≤ 50 m²`` rather than a full list of answers.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.i18n import _
from engine.situations.conditions import (
    TRUE,
    Answers,
    Condition,
    YamlPath,
    compile_condition,
    conj,
    describe,
    neg,
    questions_of,
)
from engine.situations.regions import straddled
from engine.situations.space import Enumeration, Situation, Space, forcing
from engine.units import positive_number
from engine.validation.catalog import shorten
from engine.validation.diagnostics import Diagnostic

if TYPE_CHECKING:
    from engine.situations.checks import SituationContext
    from engine.validation.checks import ItemContext


@dataclass
class Entry:
    target: str              # step id (needs) or material id
    when: Condition
    place: YamlPath          # the entry
    when_place: YamlPath | None


@dataclass
class StepSpec:
    index: int
    id: str
    days: float | None
    when: Condition
    needs: list[Entry] = field(default_factory=list)
    materials: list[Entry] = field(default_factory=list)
    produces: list[Entry] = field(default_factory=list)


class Finder:
    """Enumerations cached by question set; predicates compiled once."""

    def __init__(self, space: Space) -> None:
        self.space = space
        self._enums: dict[frozenset[str], Enumeration] = {}
        self._compiled: dict[Condition, Callable[[Answers], bool]] = {}

    def fn(self, c: Condition) -> Callable[[Answers], bool]:
        if c not in self._compiled:
            self._compiled[c] = compile_condition(c)
        return self._compiled[c]

    def enumeration(self, questions: Iterable[str]) -> Enumeration:
        key = frozenset(questions)
        if key not in self._enums:
            self._enums[key] = self.space.enumerate(key)
        return self._enums[key]

    def exhaustive(self, c: Condition) -> bool:
        """Whether every situation *c* depends on is enumerated (else "never" and "always" are not certain)."""
        return self.enumeration(questions_of(c)).exhaustive

    def ever(self, c: Condition) -> bool:
        """Whether *c* holds in some enumerated situation (what :meth:`smallest` would search for,
        without looking for the fewest answers)."""
        f = self.fn(c)
        return any(f(s.answers) for s in self.enumeration(questions_of(c)).situations)

    def smallest(self, c: Condition) -> Situation | None:
        """The fewest answers under which *c* holds in every situation (None: *c* never holds)."""
        enum = self.enumeration(questions_of(c))
        f = self.fn(c)
        return forcing(enum.situations, [f(s.answers) for s in enum.situations], enum.exhaustive)


def _quote(s: Situation) -> str:
    return f"「{shorten(s.describe(), 300)}」"


def _said(c: Condition, names: dict) -> str:
    """A condition in Chinese, cut short for a message."""
    return shorten(describe(c, names), 300)


def check(ctx: ItemContext, situ: SituationContext) -> Iterator[Diagnostic]:
    assert situ.space is not None
    finder = Finder(situ.space)
    yield from _questions(ctx, situ, finder)
    specs = _specs(ctx, situ)
    yield from _dead_or_always(ctx, situ, finder, specs)
    yield from _needs(ctx, finder, specs)
    yield from _produced(ctx, finder, specs)
    from engine.situations.commitment import check_commitment

    yield from check_commitment(ctx, situ.space, specs)


def _specs(ctx: ItemContext, situ: SituationContext) -> list[StepSpec]:
    out = []
    seen: set[str] = set()
    for i, raw in ctx.steps:
        if raw["id"] in seen:
            continue
        seen.add(raw["id"])
        spec = StepSpec(i, raw["id"], positive_number(raw.get("days")), situ.when(("steps", i, "when")))
        for key, bucket in (("needs", spec.needs), ("materials", spec.materials), ("produces", spec.produces)):
            for j, ref in ctx.str_list(raw, key):
                target = ref if key == "needs" else (m.id if (m := ctx.material(ref)) else None)
                if target is None:
                    continue
                when_place = ("steps", i, key, j, "when")
                bucket.append(Entry(target, situ.when(when_place), ("steps", i, key, j),
                                    when_place if when_place in situ.conditions else None))
        out.append(spec)
    return out


def _questions(ctx: ItemContext, situ: SituationContext, finder: Finder) -> Iterator[Diagnostic]:
    space = finder.space
    for q in situ.questions.values():
        if q.id not in space.regions:
            yield ctx.diag(("questions", q.index, "id"), "W342", _("question '{id}' changes nothing: no condition "
                           "uses it").format(id=q.id), _("use it in a `when`, or remove it"))
            continue
        if q.when != TRUE and finder.exhaustive(q.when) and not finder.ever(q.when):
            yield ctx.diag(("questions", q.index, "when"), "W341", _("question '{id}' is never asked: 「{cond}」 never "
                           "holds").format(id=q.id, cond=_said(q.when, situ.questions)), _("fix or remove the condition"))
        for r in space.regions[q.id]:
            if q.type == "one-of" and len(r.members) > 1:
                j = next(n for n, o in enumerate(q.options) if o.id == r.members[1])
                names = ", ".join(f"'{m}'" for m in r.members)
                yield ctx.diag(("questions", q.index, "options", j, "id"), "W347", _(
                    "options {names} of question '{id}' lead to the same situations: no condition tells them apart")
                    .format(names=names, id=q.id), _("name one of them in a condition, or merge them into one option"))
        for b, first, last in straddled(q, space.regions[q.id]):
            yield ctx.diag(("questions", q.index, "frequency", b), "W343", _(
                "this frequency range spans more than one situation ({first} … {last}): its whole share is counted "
                "in the one holding its upper end").format(first=first.text, last=last.text),
                _("split the range at the thresholds the conditions use"))


def _dead_or_always(ctx: ItemContext, situ: SituationContext, finder: Finder, specs: Sequence[StepSpec]) \
        -> Iterator[Diagnostic]:
    names = situ.questions
    for spec in specs:
        what = _("step '{id}'").format(id=spec.id)
        yield from _condition_findings(ctx, finder, TRUE, spec.when, ("steps", spec.index, "when"), what, names)
        entries = [(e, key) for key, bucket in (("needs", spec.needs), ("materials", spec.materials),
                                                ("produces", spec.produces)) for e in bucket]
        for e, key in entries:
            if e.when_place is not None:
                label = {"needs": _("the need of '{id}' on '{target}'"), "materials": _("material '{target}' of '{id}'"),
                         "produces": _("what '{id}' issues ('{target}')")}[key].format(id=spec.id, target=e.target)
                yield from _condition_findings(ctx, finder, spec.when, e.when, e.when_place, label, names)
        for use in situ.step_fields.get(spec.index, []):
            if use.when_path is not None:
                label = _("form field '{field}' of '{id}'").format(field=use.field, id=spec.id)
                yield from _condition_findings(ctx, finder, spec.when, situ.when(use.when_path), use.when_path, label, names)


def _condition_findings(ctx: ItemContext, finder: Finder, outer: Condition, when: Condition, place: YamlPath,
                        what: str, names: dict) -> Iterator[Diagnostic]:
    if when == TRUE or not finder.exhaustive(conj(outer, when)):
        return  # "never" and "always" need every situation (a sample shows only what it has)
    if not finder.ever(conj(outer, when)):
        yield ctx.diag(place, "W341", _("{what} is in no situation: 「{cond}」 never holds{where}").format(
            what=what, cond=_said(when, names), where="" if outer == TRUE else _(" where it applies")),
            _("fix the condition, or remove what it guards"))
    elif not finder.ever(conj(outer, neg(when))):
        yield ctx.diag(place, "W345", _("the condition of {what} always holds{where}: 「{cond}」").format(
            what=what, cond=_said(when, names), where="" if outer == TRUE else _(" where it applies")),
            _("remove the `when`"))


def _needs(ctx: ItemContext, finder: Finder, specs: Sequence[StepSpec]) -> Iterator[Diagnostic]:
    by_id = {s.id: s for s in specs}
    for spec in specs:
        for e in spec.needs:
            other = by_id.get(e.target)
            if other is None or other.id == spec.id:
                continue  # E305 / E307
            s = finder.smallest(conj(spec.when, e.when, neg(other.when)))
            if s is not None:
                yield ctx.diag(e.place, "E335", _("step '{id}' needs step '{other}', which the situation {s} leaves out")
                               .format(id=spec.id, other=other.id, s=_quote(s)), _(
                    "make the need conditional ({{step: {other}, when: ...}}), or make '{other}' part of that situation")
                    .format(other=other.id))


def producers(specs: Sequence[StepSpec]) -> dict[str, list[tuple[StepSpec, Entry]]]:
    out: dict[str, list[tuple[StepSpec, Entry]]] = {}
    for spec in specs:
        for e in spec.produces:
            out.setdefault(e.target, []).append((spec, e))
    return out


def _produced(ctx: ItemContext, finder: Finder, specs: Sequence[StepSpec]) -> Iterator[Diagnostic]:
    made = producers(specs)
    for mid, makers in made.items():
        for n, (spec, e) in enumerate(makers):
            for other, oe in makers[:n]:
                if other.id == spec.id:
                    continue
                s = finder.smallest(conj(spec.when, e.when, other.when, oe.when))
                if s is not None:
                    name = mat.name if (mat := ctx.material(mid)) else mid
                    line = ctx.pos.at(oe.place)[0]
                    where = "" if not s.picks else _(" in the situation {s}").format(s=_quote(s))
                    yield ctx.diag(e.place, "E310", _("'{name}' is also produced by step '{other}' (line {line}){where}")
                                   .format(name=name, other=other.id, line=line, where=where),
                                   _("one step issues each material; give them conditions that exclude each other")
                                   if where else _("one step issues each material; split it into two materials if they "
                                                   "differ"))
                    break
    for spec in specs:
        for e in spec.materials:
            makers = [(p, pe) for p, pe in made.get(e.target, []) if p.id != spec.id]
            if not makers:
                continue
            present = [conj(p.when, pe.when) for p, pe in makers]
            from engine.situations.conditions import disj

            s = finder.smallest(conj(spec.when, e.when, neg(disj(*present))))
            if s is not None:
                name = mat.name if (mat := ctx.material(e.target)) else e.target
                issuers = _("step '{id}'").format(id=makers[0][0].id) if len(makers) == 1 else _("steps {ids}").format(
                    ids=", ".join(f"'{p.id}'" for p, _pe in makers))
                yield ctx.diag(e.place, "E336", _("step '{id}' uses '{name}', issued by {issuers}, which the "
                               "situation {s} leaves out").format(id=spec.id, name=name, issuers=issuers, s=_quote(s)),
                               _("make the material conditional ({material: ..., when: ...}), or add a step that "
                                 "issues it in that situation"))
