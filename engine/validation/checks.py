"""Meaning: the checks that run after the schema, and the model they build.

Each check is a function over an :class:`ItemContext` that yields diagnostics;
:data:`CHECKS` lists them in the order they run.  Checks are written to cope
with partly malformed data (the schema may already have found problems), so one
run reports every problem of a file.  :func:`check_item` returns the
diagnostics and, when there are no errors, the resolved :class:`~engine.model.Item`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.flow import graph, schedule
from engine.i18n import _
from engine.model import Item, Step
from engine.situations import checks as situation_checks
from engine.suggest import closest, did_you_mean
from engine.units import days_text, positive_number
from engine.validation import ime, schema
from engine.validation.catalog import Catalog, Department, Material, shorten
from engine.validation.diagnostics import Diagnostic, make
from engine.validation.loader import Positions, YamlPath


@dataclass
class ItemContext:
    path: str
    data: dict[str, Any]
    pos: Positions
    catalog: Catalog
    steps: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (index, raw) with a str id
    local: dict[str, Material] = field(default_factory=dict)
    _local_names: dict[str, Material] = field(default_factory=dict, repr=False)
    graph: graph.StepGraph | None = None
    suggested: int = 0
    text: str | None = None  # the file's text, to locate a character inside a value
    situ: situation_checks.SituationContext | None = None  # questions, conditions and form fields

    def __post_init__(self) -> None:
        raw_steps = self.data.get("steps")
        if isinstance(raw_steps, list):
            self.steps = [(i, s) for i, s in enumerate(raw_steps) if isinstance(s, dict) and isinstance(s.get("id"), str)]
        raw_mats = self.data.get("materials")
        if isinstance(raw_mats, list):
            for m in raw_mats:
                if isinstance(m, dict) and isinstance(m.get("id"), str) and isinstance(m.get("name"), str):
                    raw_aliases = m.get("aliases")
                    aliases = tuple(a for a in raw_aliases if isinstance(a, str)) if isinstance(raw_aliases, list) else ()
                    self.local.setdefault(m["id"], Material(m["id"], m["name"], aliases, local=True))
        for mat in self.local.values():
            for name in (mat.name, *mat.aliases):
                self._local_names.setdefault(name, mat)

    def may_suggest(self) -> bool:
        """Whether a "did you mean" may still be computed: difflib is costly, so a
        file gets :data:`SUGGESTIONS` of them (a hostile one has thousands of typos)."""
        self.suggested += 1
        return self.suggested <= SUGGESTIONS

    @property
    def has_questions(self) -> bool:
        """Whether the item asks questions: then the checks that depend on the situation run per situation."""
        return isinstance(self.data.get("questions"), list) and bool(self.data["questions"])

    def diag(self, where: YamlPath, code: str, message: str, hint: str | None = None, key: bool = False) -> Diagnostic:
        where = _entry_target(self.data, where)
        line, col = self.pos.key(where) if key else self.pos.at(where)
        return make(self.path, line, col, code, message, hint)

    def separated(self, place: YamlPath, ref: str, known: Callable[[str], bool]) -> Diagnostic | None:
        """E112 when *ref* is known names joined by a full-width separator (营业执照，经办人身份证)."""
        sep = ime.separator(ref, known)
        if sep is None:
            return None
        line, col = self.pos.at(place)
        col = ime.column_in_line(self.text, line, col, sep.char, sep.offset)
        return ime.separator_finding(self.path, line, col, sep)

    def department(self, name: Any) -> Department | None:
        return self.catalog.department(name) if isinstance(name, str) else None

    def material(self, ref: str) -> Material | None:
        return self.local.get(ref) or self._local_names.get(ref) or self.catalog.material(ref)

    def str_list(self, raw: dict[str, Any], key: str) -> list[tuple[int, str]]:
        """The text entries of a list, with conditional ones (``{step: x, when: ...}``) unwrapped."""
        value = raw.get(key)
        if not isinstance(value, list):
            return []
        inner = _ENTRY_KEYS.get(key)
        return [(i, v[inner] if isinstance(v, dict) else v) for i, v in enumerate(value)
                if isinstance(v, str) or (inner and isinstance(v, dict) and isinstance(v.get(inner), str))]

    def material_name(self, ref: str) -> str:
        mat = self.material(ref)
        return mat.name if mat else ref

    def may_hold(self) -> list[str]:
        """The material ids of ``applicant_may_hold`` (unknown names are reported by _references)."""
        return [m.id for _j, r in self.str_list(self.data, "applicant_may_hold") if (m := self.material(r))]

    def rows(self) -> list[tuple[str, list[str], list[str], list[str]]]:
        """(id, needs, material ids, produced ids) per step, for the graph."""
        out = []
        seen: set[str] = set()
        for _i, raw in self.steps:
            if raw["id"] in seen:
                continue
            seen.add(raw["id"])
            mats = [m.id for _j, r in self.str_list(raw, "materials") if (m := self.material(r))]
            prods = [m.id for _j, r in self.str_list(raw, "produces") if (m := self.material(r))]
            out.append((raw["id"], [n for _j, n in self.str_list(raw, "needs")], mats, prods))
        return out


_ENTRY_KEYS = {"needs": "step", "materials": "material", "produces": "material"}  # list -> key of a conditional entry


def _entry_target(data: dict[str, Any], where: YamlPath) -> YamlPath:
    """A conditional list entry's finding points at its step or material, not at the mapping."""
    if len(where) == 4 and where[0] == "steps" and where[2] in _ENTRY_KEYS:
        steps = data.get("steps")
        i, j = where[1], where[3]
        if isinstance(steps, list) and isinstance(i, int) and 0 <= i < len(steps) and isinstance(steps[i], dict):
            entries = steps[i].get(str(where[2]))
            if isinstance(entries, list) and isinstance(j, int) and 0 <= j < len(entries) and isinstance(entries[j], dict):
                return where + (_ENTRY_KEYS[str(where[2])],)
    return where


Check = Callable[[ItemContext], Iterator[Diagnostic]]
SUGGESTIONS = 25  # "did you mean" hints per file


def _unique_ids(ctx: ItemContext) -> Iterator[Diagnostic]:
    first: dict[str, int] = {}
    for i, raw in ctx.steps:
        sid = raw["id"]
        if sid in first:
            line = ctx.pos.at(("steps", first[sid], "id"))[0]
            yield ctx.diag(("steps", i, "id"), "E302", _("step id '{id}' is already used (line {line})").format(
                id=sid, line=line), _("step ids must be unique in the item: rename one"))
        else:
            first[sid] = i
    seen_mat: dict[str, int] = {}
    raw_mats = ctx.data.get("materials")
    for i, m in enumerate(raw_mats if isinstance(raw_mats, list) else []):
        mid = m.get("id") if isinstance(m, dict) else None
        if not isinstance(mid, str):
            continue
        if mid in seen_mat:
            line = ctx.pos.at(("materials", seen_mat[mid], "id"))[0]
            yield ctx.diag(("materials", i, "id"), "E303", _("material id '{id}' is already used (line {line})").format(
                id=mid, line=line))
        else:
            seen_mat[mid] = i
            name = m.get("name")
            cat = ctx.catalog.material(mid) or (ctx.catalog.material(name) if isinstance(name, str) else None)
            if cat is not None:
                yield ctx.diag(("materials", i, "id"), "W328",
                               _("local material '{id}' shadows catalog material '{catalog_id}' ({name})").format(
                                   id=mid, catalog_id=cat.id, name=cat.name),
                               _("use the catalog's '{catalog_id}' so the material merges across items").format(
                                   catalog_id=cat.id))
    item_id = ctx.data.get("id")
    if isinstance(item_id, str) and ctx.path.endswith((".yaml", ".yml")) and Path(ctx.path).stem != item_id:
        yield ctx.diag(("id",), "W327", _("file '{file}' holds item '{id}'").format(file=Path(ctx.path).name, id=item_id),
                       _("name the file {id}.yaml so the item is easy to find").format(id=item_id))


def _departments(ctx: ItemContext) -> Iterator[Diagnostic]:
    where: list[tuple[YamlPath, Any]] = [(("lead",), ctx.data.get("lead"))]
    where += [(("partners", i), p) for i, p in ctx.str_list(ctx.data, "partners")]
    where += [(("steps", i, "department"), raw.get("department")) for i, raw in ctx.steps]
    listed: dict[str, YamlPath] = {}
    for place, name in where:
        if not isinstance(name, str):
            continue
        dept = ctx.department(name)
        if dept is None and (split := ctx.separated(place, name, lambda n: ctx.department(n) is not None)):
            yield split
        elif dept is None:
            guess = ctx.catalog.suggest_department(name) if ctx.may_suggest() else None
            yield ctx.diag(place, "E304", _("unknown department '{name}'").format(name=shorten(name)),
                           did_you_mean(guess) if guess
                           else _("add it to the department catalog (catalog/departments.yaml)"))
        elif place[0] != "steps":
            if dept.name in listed:
                first_line = ctx.pos.at(listed[dept.name])[0]
                yield ctx.diag(place, "W324", _("'{name}' is {department}, already listed at line {line}").format(
                    name=name, department=dept.name, line=first_line), _("list each department once"))
            else:
                listed[dept.name] = place


def _unknown_material(ctx: ItemContext, place: YamlPath, ref: str) -> Diagnostic:
    split = ctx.separated(place, ref, lambda n: ctx.material(n) is not None)
    if split is not None:
        return split
    suggestion = None
    if ctx.may_suggest():
        local_names = {m.name: m for m in ctx.local.values()} | dict(ctx.local)
        suggestion = ctx.catalog.suggest_material(ref, local_names)
    return ctx.diag(place, "E306", _("unknown material '{name}'").format(name=shorten(ref)),
                    did_you_mean(suggestion) if suggestion
                    else _("add it to the item's materials, or to the material catalog"))


def _held(ctx: ItemContext) -> Iterator[Diagnostic]:
    for j, ref in ctx.str_list(ctx.data, "applicant_may_hold"):
        if ctx.material(ref) is None:
            yield _unknown_material(ctx, ("applicant_may_hold", j), ref)


def _references(ctx: ItemContext) -> Iterator[Diagnostic]:
    ids = list(dict.fromkeys(raw["id"] for _i, raw in ctx.steps))
    known = set(ids)
    producers: dict[str, tuple[str, YamlPath]] = {}
    for i, raw in ctx.steps:
        for j, dep in ctx.str_list(raw, "needs"):
            if dep == raw["id"]:
                yield ctx.diag(("steps", i, "needs", j), "E307", _("step '{id}' needs itself").format(id=dep),
                               _("remove it from needs"))
            elif dep not in known and (split := ctx.separated(("steps", i, "needs", j), dep, known.__contains__)):
                yield split
            elif dep not in known:
                guess = closest(dep, ids, limit=2000) if ctx.may_suggest() else None
                yield ctx.diag(("steps", i, "needs", j), "E305",
                               _("step '{id}' needs unknown step '{needed}'").format(id=shorten(raw["id"]),
                                                                                      needed=shorten(dep)),
                               did_you_mean(guess) if guess
                               else _("steps of this item: {ids}").format(ids=", ".join(ids[:20])))
        for key in ("materials", "produces"):
            seen: dict[str, str] = {}
            for j, ref in ctx.str_list(raw, key):
                mat = ctx.material(ref)
                place = ("steps", i, key, j)
                if mat is None:
                    yield _unknown_material(ctx, place, ref)
                    continue
                if mat.id in seen:
                    yield ctx.diag(place, "W326", _("'{a}' and '{b}' are the same material ({name})").format(
                        a=ref, b=seen[mat.id], name=mat.name), _("list it once"))
                seen[mat.id] = ref
                if key == "produces":
                    # with questions, two producers clash only in a situation that has both (situation checks)
                    if mat.id in producers and producers[mat.id][0] != raw["id"] and not ctx.has_questions:
                        other, other_place = producers[mat.id]
                        other_line = ctx.pos.at(other_place)[0]
                        yield ctx.diag(place, "E310",
                                       _("'{name}' is also produced by step '{step}' (line {line})").format(
                                           name=mat.name, step=other, line=other_line),
                                       _("one step issues each material; split it into two materials if they differ"))
                    producers.setdefault(mat.id, (raw["id"], place))


def _graph(ctx: ItemContext) -> Iterator[Diagnostic]:
    ctx.graph = graph.build(ctx.rows(), ctx.may_hold())
    cycle = ctx.graph.find_cycle()
    index = {raw["id"]: i for i, raw in reversed(ctx.steps)}
    if cycle:
        yield ctx.diag(("steps", index[cycle[0]], "needs"), "E308",
                       _("dependency cycle: {cycle}").format(cycle=" → ".join(cycle)),
                       _("a step cannot wait for itself, even through others: remove one of these needs"))
    for loop in ctx.graph.document_cycles:
        first = loop[0]
        names = ["" if d.material is None else f" ({ctx.material_name(d.material)})" for d in loop]
        spelled = " → ".join([first.source] + [f"{d.target}{name}" for d, name in zip(loop, names, strict=True)])
        i = index[first.target]
        j = next((j for j, r in ctx.str_list(ctx.data["steps"][i], "materials")
                  if (m := ctx.material(r)) and m.id == first.material), 0)
        yield ctx.diag(("steps", i, "materials", j), "E311", _("document cycle: {cycle}").format(cycle=spelled),
                       _("each step waits for a document another issues: if the applicant may already hold one "
                         "of them, list it under applicant_may_hold; else drop it from one step's materials"))
    for d in ctx.graph.backwards:
        mat = ctx.material(d.material or "")
        name = mat.name if mat else d.material
        if d.source == d.target:
            msg = _("step '{step}' both asks the applicant for '{name}' and issues it").format(step=d.target, name=name)
        else:
            msg = _("step '{step}' asks the applicant for '{name}', which step '{producer}' issues later in the flow"
                    ).format(step=d.target, name=name, producer=d.source)
        i = index[d.target]
        j = next((j for j, r in ctx.str_list(ctx.data["steps"][i], "materials")
                  if (m := ctx.material(r)) and m.id == d.material), 0)
        yield ctx.diag(("steps", i, "materials", j), "W325", msg,
                       _("make the step wait for the producer (needs), or drop the material from one side"))


def _coverage(ctx: ItemContext) -> Iterator[Diagnostic]:
    lead = ctx.department(ctx.data.get("lead"))
    partners = [(i, d) for i, p in ctx.str_list(ctx.data, "partners") if (d := ctx.department(p))]
    used: set[str] | None = {d.name for _i, raw in ctx.steps if (d := ctx.department(raw.get("department")))}
    if any(isinstance(raw.get("department"), str) and ctx.department(raw["department"]) is None for _i, raw in ctx.steps):
        used = None  # a step's department is misspelt (reported): it may be the one "without a step"
    if lead is not None and used is not None and lead.name not in used:
        yield ctx.diag(("lead",), "W323", _("the lead department {name} handles no step").format(name=lead.name),
                       _("add its step, or make the department that leads the flow the lead"))
    for i, dept in partners:
        if used is not None and dept.name not in used:
            yield ctx.diag(("partners", i), "W321", _("partner {name} handles no step").format(name=dept.name),
                           _("add the sub-item it handles, or remove it from partners"))
    listed = {d.name for _i, d in partners} | ({lead.name} if lead else set())
    raw_partners = ctx.data.get("partners", [])
    if lead is None or not isinstance(raw_partners, list) or len(partners) < len(raw_partners):
        return  # a lead or partner is misspelt (reported): no guessing who is missing
    for i, raw in ctx.steps:
        handler = ctx.department(raw.get("department"))
        if handler is not None and handler.name not in listed:
            yield ctx.diag(("steps", i, "department"), "W322",
                           _("step '{step}' is handled by {name}, which is neither lead nor partner").format(
                               step=raw["id"], name=handler.name),
                           _("add {name} to partners").format(name=handler.name))


def _days(raw: dict[str, Any], key: str) -> float | None:
    return positive_number(raw.get(key))


def _time_limits(ctx: ItemContext) -> Iterator[Diagnostic]:
    for i, raw in ctx.steps:
        days, legal = _days(raw, "days"), _days(raw, "legal_days")
        if days is not None and legal is not None and days > legal:
            yield ctx.diag(("steps", i, "days"), "W329",
                           _("step '{step}' promises {days} working days, more than its legal limit of {legal}").format(
                               step=raw["id"], days=days_text(days), legal=days_text(legal)),
                           _("a committed limit (承诺时限) should not exceed the legal one (法定时限)"))
    commitment = _days(ctx.data, "commitment")
    if commitment is None or ctx.graph is None or ctx.has_questions:  # per situation: engine.situations.checks
        return
    durations = {raw["id"]: _days(raw, "days") for _i, raw in ctx.steps}
    # Steps on a cycle or without a valid time limit are reported elsewhere; the
    # chains among the others are real chains, so a too-short promise shows now.
    part = ctx.graph.sound_part(sid for sid, d in durations.items() if d is None)
    if not part.nodes:
        return
    length, chain = schedule.longest_chain(part, {sid: d for sid, d in durations.items() if d is not None})
    if commitment < length:
        yield ctx.diag(("commitment",), "E309",
                       _("commitment of {days} working days cannot be kept: the chain {chain} takes {length}").format(
                           days=days_text(commitment), chain=" → ".join(chain), length=days_text(length)),
                       _("promise at least {length} days, or shorten a step on that chain").format(length=days_text(length)))


def repeated_levels(raw: Any, path: str, at: Callable[[YamlPath], tuple[int, int]]) -> list[Diagnostic]:
    """E312 for each rung of a `warnings:` ladder that repeats an earlier rung's level (the schema
    cannot say it); `at` locates a YAML path. Used for items and for ladder files alike."""
    out, seen = [], set()
    for i, rung in enumerate(raw if isinstance(raw, list) else []):
        level = rung.get("level") if isinstance(rung, dict) else None
        if not isinstance(level, str):
            continue
        if level in seen:
            line, col = at(("warnings", i, "level"))
            out.append(make(path, line, col, "E312", _("warning level '{level}' is listed twice").format(level=level),
                            _("give each rung of the ladder its own level")))
        seen.add(level)
    return out


def _warnings(ctx: ItemContext) -> Iterator[Diagnostic]:
    yield from repeated_levels(ctx.data.get("warnings"), ctx.path, ctx.pos.at)


CHECKS: tuple[Check, ...] = (_unique_ids, situation_checks.parse, _departments, _references, _held, _graph, _coverage,
                             _time_limits, _warnings, situation_checks.per_situation)


def check_item(path: str, data: dict[str, Any], pos: Positions, catalog: Catalog,
               schema_ok: bool | None = None, text: str | None = None) -> tuple[list[Diagnostic], Item | None]:
    """The findings of every check and, when there are no errors, the model.

    The model is built only from data that also passes the schema: *schema_ok*
    says whether it does (None: check here).
    """
    ctx = ItemContext(path, data, pos, catalog, text=text)
    diags = [d for check in CHECKS for d in check(ctx)]
    if any(d.is_error for d in diags):
        return diags, None
    if schema_ok is None:
        schema_ok = schema.is_valid(data, "item")
    return diags, build_item(ctx) if schema_ok else None


def build_item(ctx: ItemContext) -> Item:
    data = ctx.data
    dept = ctx.department
    materials: dict[str, Material] = {}
    steps = []
    for index, (_i, raw) in enumerate(ctx.steps):
        refs = {}
        for key in ("materials", "produces"):
            mats = [ctx.material(r) for _j, r in ctx.str_list(raw, key)]
            refs[key] = tuple(dict.fromkeys(m.id for m in mats if m))
            materials.update({m.id: m for m in mats if m})
        steps.append(Step(
            id=raw["id"], name=raw["name"], department=dept(raw["department"]).name,  # type: ignore[union-attr]
            days=float(raw["days"]), needs=tuple(n for _j, n in ctx.str_list(raw, "needs")), materials=refs["materials"],
            produces=refs["produces"], visits=int(raw.get("visits", 1)), legal_days=_days(raw, "legal_days"),
            basis=raw.get("basis"), channel=raw.get("channel"), notes=raw.get("notes"), index=index,
            **situation_checks.step_extras(ctx, _i, raw)))
    lead = dept(data["lead"])
    assert lead is not None
    return Item(
        id=data["id"], name=data["name"], lead=lead.name,
        partners=tuple(dict.fromkeys(d.name for p in data.get("partners", ()) if (d := dept(p)) and d.name != lead.name)),
        steps=tuple(steps), materials=materials, commitment=_days(data, "commitment"),
        legal_days=_days(data, "legal_days"), joint_visits=int(data.get("joint_visits", 1)),
        basis=data.get("basis"), may_hold=tuple(dict.fromkeys(ctx.may_hold())), path=ctx.path, source=data,
        positions=ctx.pos, **situation_checks.item_extras(ctx))
