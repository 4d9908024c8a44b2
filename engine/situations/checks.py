"""Validation of questions, conditions and form fields, and what the model takes from them.

Two checks join the registry in :mod:`engine.validation.checks`: :func:`parse` (right
after the ids: questions, every ``when``, the item's fields and each step's form) and
:func:`per_situation` (after the graph: what holds only in some situations; see
:mod:`engine.situations.findings`). Both cope with partly malformed data, like every check.
"""
from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from engine.i18n import _
from engine.model import FieldRef, Source
from engine.situations.conditions import TRUE, Condition, Problem, YamlPath
from engine.situations.conditions import parse as parse_condition
from engine.situations.questions import Question, parse_questions
from engine.validation.catalog import FormField, form_field
from engine.validation.diagnostics import Diagnostic

if TYPE_CHECKING:
    from engine.situations.space import Space
    from engine.validation.checks import ItemContext

ENTRY_LISTS = ("needs", "materials", "produces")
# Comparisons in all of an item's conditions (each value of an `in` counts). Checking and analysing
# every situation costs comparisons × situations (at most 4,096), so this bounds both: the worst
# item under it validates in about 2 s; real items have tens.
MAX_COMPARISONS = 500


@dataclass
class FieldUse:
    """A form field as one step's form asks for it (resolved)."""
    position: int
    field: str
    sources: tuple[Source, ...]
    when_path: YamlPath | None


class StepIds(NamedTuple):
    ids: list[str]          # definition order, for messages
    known: frozenset[str]   # for lookups


@dataclass
class SituationContext:
    questions: dict[str, Question] = field(default_factory=dict)
    conditions: dict[YamlPath, Condition] = field(default_factory=dict)  # every `when` that parsed, by its path
    broken: bool = False                         # a question or condition has problems: no per-situation checks
    local_fields: dict[str, FormField] = field(default_factory=dict)
    field_index: dict[str, FormField] = field(default_factory=dict)   # local ids, labels and aliases
    step_fields: dict[int, list[FieldUse]] = field(default_factory=dict)  # raw step index -> its form
    space: Space | None = None

    def when(self, path: YamlPath) -> Condition:
        return self.conditions.get(path, TRUE)


def parse(ctx: ItemContext) -> Iterator[Diagnostic]:
    """Questions, every ``when``, the item's own fields and the steps' forms."""
    situ = ctx.situ = SituationContext()
    problems: list[Problem] = []
    situ.questions = parse_questions(ctx.data.get("questions"), problems)
    broken_questions = bool(problems)
    for i, raw in ctx.steps:
        _parse_when(ctx, raw, ("steps", i), problems)
        for key in ENTRY_LISTS:
            entries = raw.get(key)
            for j, entry in enumerate(entries if isinstance(entries, list) else []):
                if isinstance(entry, dict):
                    _parse_when(ctx, entry, ("steps", i, key, j), problems)
    yield from _local_fields(ctx, situ)
    ids = list(dict.fromkeys(r["id"] for _k, r in ctx.steps))
    steps = StepIds(ids, frozenset(ids))
    for i, raw in ctx.steps:
        if raw.get("fields") is not None:
            yield from _step_fields(ctx, situ, i, raw, problems, steps)
    situ.broken = broken_questions or any(p.code.startswith("E") for p in problems)
    for p in problems:
        yield ctx.diag(p.where, p.code, p.message, p.hint, key=p.key)
    too_many = _budget(situ)
    if too_many is not None:
        situ.broken = True
        yield ctx.diag(too_many, "E341", _("the conditions hold more than {n} comparisons").format(n=MAX_COMPARISONS),
                       _("group the answers into fewer thresholds and options, or split the item"))
    if situ.questions and not situ.broken:
        from engine.situations.space import Space

        situ.space = Space(situ.questions, situ.conditions.values())


def _budget(situ: SituationContext) -> YamlPath | None:
    """Where the item's conditions pass :data:`MAX_COMPARISONS` comparisons, or None."""
    from engine.situations.conditions import atoms

    total = 0
    whens = [(("questions", q.index, "when"), q.when) for q in situ.questions.values()]
    for where, cond in [*whens, *situ.conditions.items()]:
        total += sum(len(a.value) if isinstance(a.value, tuple) else 1 for a in atoms(cond))  # each `in` value counts
        if total > MAX_COMPARISONS:
            return where
    return None


def per_situation(ctx: ItemContext) -> Iterator[Diagnostic]:
    from engine.situations.findings import check

    if ctx.situ is not None and ctx.situ.space is not None:
        yield from check(ctx, ctx.situ)


def _parse_when(ctx: ItemContext, raw: dict[str, Any], where: YamlPath, problems: list[Problem]) -> None:
    if "when" not in raw:
        return
    assert ctx.situ is not None
    cond = parse_condition(raw["when"], where + ("when",), ctx.situ.questions, problems)
    if cond is not None:
        ctx.situ.conditions[where + ("when",)] = cond


def _local_fields(ctx: ItemContext, situ: SituationContext) -> Iterator[Diagnostic]:
    raw = ctx.data.get("fields")
    first: dict[str, int] = {}
    for i, entry in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not isinstance(entry.get("label"), str):
            continue
        fid = entry["id"]
        if fid in first:
            line = ctx.pos.at(("fields", first[fid], "id"))[0]
            yield ctx.diag(("fields", i, "id"), "E334", _("field id '{id}' is already used (line {line})").format(
                id=fid, line=line), _("field ids must be unique in the item: rename one"))
            continue
        first[fid] = i
        ff = form_field(entry, local=True)
        situ.local_fields[fid] = ff
        for name in ff.names:
            situ.field_index.setdefault(name, ff)


def resolve_field(ctx: ItemContext, ref: str) -> FormField | None:
    assert ctx.situ is not None
    return ctx.situ.field_index.get(ref.strip()) or ctx.catalog.form_field(ref)


def _step_fields(ctx: ItemContext, situ: SituationContext, i: int, raw: dict[str, Any],
                 problems: list[Problem], steps: StepIds) -> Iterator[Diagnostic]:
    entries = raw.get("fields")
    uses: list[FieldUse] = []
    seen: dict[str, str] = {}
    for j, entry in enumerate(entries if isinstance(entries, list) else []):
        ref = entry if isinstance(entry, str) else entry.get("field") if isinstance(entry, dict) else None
        if not isinstance(ref, str):
            continue
        place: YamlPath = ("steps", i, "fields", j) if isinstance(entry, str) else ("steps", i, "fields", j, "field")
        ff = resolve_field(ctx, ref)
        if ff is None:
            from engine.suggest import closest, did_you_mean

            guess = closest(ref, [*situ.field_index, *ctx.catalog.field_names()], limit=5000) if ctx.may_suggest() else None
            yield ctx.diag(place, "E339", _("unknown form field '{field}'").format(field=ref[:60]), did_you_mean(guess) or
                           _("add it to the item's fields, or to the field catalog (catalog/fields.yaml)"))
            continue
        if ff.id in seen:
            yield ctx.diag(place, "W346", _("'{ref}' and '{other}' are the same form field ({label})").format(
                ref=ref, other=seen[ff.id], label=ff.label), _("list it once"))
            continue
        seen[ff.id] = ref
        sources: list[Source] = []
        if isinstance(entry, dict):
            _parse_when(ctx, entry, ("steps", i, "fields", j), problems)
            raw_sources = entry.get("source")
            listed = raw_sources if isinstance(raw_sources, list) else [raw_sources] if raw_sources is not None else []
            for k, src in enumerate(listed):
                where: YamlPath = ("steps", i, "fields", j, "source", k) if isinstance(raw_sources, list) \
                    else ("steps", i, "fields", j, "source")
                found = yield from _source(ctx, raw["id"], steps, src, where)
                if found is not None:
                    sources.append(found)
        when_path = ("steps", i, "fields", j, "when") if isinstance(entry, dict) and "when" in entry else None
        uses.append(FieldUse(j, ff.id, tuple(sources), when_path))
    situ.step_fields[i] = uses


def _source(ctx: ItemContext, own: str, steps: StepIds, src: Any,
            where: YamlPath) -> Generator[Diagnostic, None, Source | None]:
    """A field's source, checked; yields its findings and returns it (None when it is unusable)."""
    if not isinstance(src, dict) or len(src) != 1:
        return None
    kind, ref = next(iter(src.items()))
    if not isinstance(ref, str):
        return None
    if kind == "step":
        if ref == own:
            yield ctx.diag(where + ("step",), "E339", _("step '{step}' cannot fill its own form from its own output").format(
                step=own), _("name the earlier step whose output holds this field"))
            return None
        if ref not in steps.known:
            from engine.suggest import closest, did_you_mean

            yield ctx.diag(where + ("step",), "E339", _("a form field of step '{step}' is filled from unknown step "
                                                         "'{ref}'").format(step=own, ref=ref[:60]),
                           did_you_mean(closest(ref, steps.ids, limit=2000)) or
                           _("steps of this item: {ids}").format(ids=", ".join(steps.ids[:20])))
            return None
        return Source("step", ref)
    if kind == "licence":
        mat = ctx.material(ref)
        if mat is None:
            yield ctx.diag(where + ("licence",), "E306", _("unknown material '{ref}'").format(ref=ref[:60]),
                           _("name the electronic licence by its material id, name or alias"))
            return None
        return Source("licence", mat.id)
    return None


# --- what the model takes --------------------------------------------------------------------

def step_extras(ctx: ItemContext, i: int, raw: dict[str, Any]) -> dict[str, Any]:
    """The step's condition, its conditional entries and its form, for :class:`engine.model.Step`."""
    situ = ctx.situ
    if situ is None:
        return {}
    entry_when: list[tuple[str, str, Condition]] = []
    for key in ENTRY_LISTS:
        entries = raw.get(key)
        for j, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and ("steps", i, key, j, "when") in situ.conditions:
                target = entry["step"] if key == "needs" else ctx.material(entry["material"]).id  # type: ignore[union-attr]
                entry_when.append((key, target, situ.conditions[("steps", i, key, j, "when")]))
    fields = tuple(FieldRef(u.field, u.sources, situ.when(u.when_path) if u.when_path else TRUE)
                   for u in situ.step_fields.get(i, []))
    return {"when": situ.when(("steps", i, "when")), "fields": fields, "entry_when": tuple(entry_when)}


def item_extras(ctx: ItemContext) -> dict[str, Any]:
    situ = ctx.situ
    if situ is None:
        return {}
    used: dict[str, FormField] = {}
    for uses in situ.step_fields.values():
        for u in uses:
            ff = situ.local_fields.get(u.field) or ctx.catalog.form_field(u.field)
            if ff is not None:
                used[ff.id] = ff
    return {"questions": tuple(situ.questions.values()), "form_fields": used}
