"""The merged application form (一表申请) as JSON Schema 2020-12, for form renderers.

One schema per item: the questions first (the answers steer the form), then every field
the merged form asks in some situation. A field asked in every situation is a required
top-level property; one asked only in some situations sits in an ``if``/``then`` whose
``if`` is its condition written as a schema, so JSON Forms or react-jsonschema-form show it
exactly when the answers call for it. ``unevaluatedProperties: false`` refuses a field the
situation does not ask. A field is asked where some step needs it from the applicant:
the step is in the situation, its entry's ``when`` holds, and none of its sources is there
(an electronic licence always is; a step source is when that step is in the situation).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from engine.model import Item
from engine.situations.conditions import FALSE, TRUE, All, AnyOf, Cmp, Condition, Not, conj, describe, disj, neg
from engine.situations.questions import Question
from engine.units import json_number
from engine.validation.catalog import FormField

if TYPE_CHECKING:
    from engine.flow.analysis import Analysis
    from engine.outputs import Options

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def form_schema(item: Item) -> dict[str, Any]:
    """The merged form of *item*; of one situation when *item* is specialised (then without questions)."""
    general = item.general or item
    questions = {q.id: q for q in general.questions}
    schema: dict[str, Any] = {
        "$schema": DIALECT, "$id": f"urn:lianban:form:{general.id}" + (f":{item.situation.key}" if item.situation else ""),
        "title": f"{general.name} 一表申请", "type": "object", "properties": {}, "required": [],
    }
    if item.situation is not None:
        schema["description"] = f"情形：{item.situation.describe()}"
    conditional: dict[Condition, dict[str, Any]] = {}

    def place(key: str, prop: dict[str, Any], when: Condition) -> None:
        if when == TRUE:
            schema["properties"][key] = prop
            schema["required"].append(key)
        elif when != FALSE:
            branch = conditional.setdefault(when, {"properties": {}, "required": []})
            branch["properties"][key] = prop
            branch["required"].append(key)

    if item.situation is None:
        for q in general.questions:
            place(q.id, question_schema(q), q.when)
    for fid, when in asked(item).items():
        place(fid, field_schema(item.form_fields.get(fid), fid), _settled(general, when))
    if conditional:
        schema["allOf"] = [{"if": condition_schema(c), "then": then, "description": f"当：{describe(c, questions)}"}
                           for c, then in conditional.items()]
    schema["unevaluatedProperties"] = False
    return schema


def asked(item: Item) -> dict[str, Condition]:
    """Each field of the item and the condition under which the merged form asks it (first use order)."""
    steps = {s.id: s for s in item.steps}
    out: dict[str, list[Condition]] = {}
    for s in item.steps:
        for f in s.fields:
            uses = out.setdefault(f.field, [])
            if any(src.kind == "licence" for src in f.sources):
                continue  # an electronic licence is always there: this step never asks
            # each source step must be absent (a step the item does not have, e.g. specialised away, is)
            absent = [neg(steps[src.ref].when) if src.ref in steps else TRUE for src in f.sources if src.kind == "step"]
            uses.append(conj(s.when, f.when, *absent))
    return {fid: disj(*conds) if conds else FALSE for fid, conds in out.items()}


def _settled(item: Item, c: Condition) -> Condition:
    """TRUE or FALSE for a condition that holds in every situation or in none (checked one by one)."""
    if c in (TRUE, FALSE):
        return c
    from engine.situations.conditions import compile_condition, questions_of
    from engine.situations.specialisation import space

    enum = space(item).enumerate(questions_of(c))
    if not enum.exhaustive:
        return c
    truth = {compile_condition(c)(s.answers) for s in enum.situations}
    return TRUE if truth == {True} else FALSE if truth == {False} else c


def question_schema(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"title": q.text}
    if q.type == "yes-no":
        out.update(type="boolean", oneOf=[{"const": True, "title": q.options[0].text},
                                          {"const": False, "title": q.options[1].text}])
    elif q.type == "one-of":
        out.update(type="string", oneOf=[{"const": o.id, "title": o.text} for o in q.options])
    else:
        out["type"] = "number"
        if q.minimum is not None:
            out["minimum"] = _num(q.minimum)
        if q.maximum is not None:
            out["maximum"] = _num(q.maximum)
        if q.unit:
            out["x-unit"] = q.unit
    if q.default is not None:
        out["default"] = _num(q.default) if isinstance(q.default, float) else q.default
    if q.help:
        out["description"] = q.help
    return out


def field_schema(f: FormField | None, fid: str) -> dict[str, Any]:
    if f is None:
        return {"title": fid, "type": "string", "minLength": 1}
    out: dict[str, Any] = {"title": f.label}
    if f.type == "number":
        out["type"] = "number"
    elif f.type == "date":
        out.update(type="string", format="date")
    elif f.type == "yes-no":
        out["type"] = "boolean"
    elif f.type == "one-of":
        out.update(type="string", enum=list(f.options))
    elif f.type == "several-of":
        out.update(type="array", items={"enum": list(f.options)}, uniqueItems=True)
    else:
        out.update(type="string", minLength=1)
    if f.unit:
        out["x-unit"] = f.unit
    if f.help:
        out["description"] = f.help
    return out


_BOUND = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def condition_schema(c: Condition) -> dict[str, Any]:
    """*c* as a schema that an instance (the answers) satisfies exactly when *c* holds.

    Every comparison requires its question, so an unanswered (not asked) question satisfies
    none, as in the engine.
    """
    if c == TRUE:
        return {}
    if c == FALSE:
        return {"not": {}}
    if isinstance(c, Cmp):
        if c.op == "in":
            test: dict[str, Any] = {"enum": [_num(v) for v in c.value]}  # type: ignore[union-attr]
        elif c.op == "eq":
            test = {"const": _num(c.value)}
        elif c.op == "ne":
            test = {"not": {"const": _num(c.value)}}
        else:
            test = {_BOUND[c.op]: _num(c.value)}
        return {"properties": {c.question: test}, "required": [c.question]}
    if isinstance(c, Not):
        return {"not": condition_schema(c.item)}
    key = "allOf" if isinstance(c, All) else "anyOf"
    assert isinstance(c, (All, AnyOf))
    return {key: [condition_schema(i) for i in c.items]}


def _num(x: Any) -> Any:
    return json_number(x) if isinstance(x, float) else x  # a bool or a text stays itself


def render_output(analyses: Sequence[Analysis], options: Options) -> str:
    """``lianban export form ITEM``: the whole form; with ``--answers``, the form of that situation."""
    item = analyses[0].item
    whole = item.general if options.answers is None and item.general is not None else item
    return json.dumps(form_schema(whole), ensure_ascii=False, indent=2)
