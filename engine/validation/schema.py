"""JSON Schema checks, with every error mapped back to its YAML line and column.

The schemas in ``schemas/`` (Draft 2020-12) are the structural contract that
editors also use.  jsonschema reports logical paths (``$.steps[2].days``); this
module turns each error into a :class:`Diagnostic` at the offending node, names
the step or material by id rather than by index, and adds a fix hint.

Most files have no schema error, and jsonschema's way of finding that out is
most of a validation run.  So each schema is also compiled into a plain yes/no
check (:mod:`engine.validation.compiled`); jsonschema runs, and is imported,
only for the files that check does not pass.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from engine.i18n import N_, _, ngettext
from engine.locations import schema_dir
from engine.suggest import closest, did_you_mean
from engine.validation import ime
from engine.validation.compiled import compile_schema
from engine.validation.diagnostics import Diagnostic, make
from engine.validation.loader import Positions, YamlPath

_TYPE_NAMES = {"string": N_("text"), "number": N_("number"), "integer": N_("whole number"), "array": N_("list"),
               "object": N_("mapping"), "boolean": N_("true/false"), "null": N_("nothing")}
_SINGULAR = {"steps": N_("step"), "materials": N_("material"), "departments": N_("department"),
             "partners": N_("partner"), "needs": "needs", "produces": "produces",
             "holidays": N_("holiday"), "workdays": N_("workday"), "warnings": N_("rung")}


@cache
def load_schema(name: str) -> dict[str, Any]:
    with open(schema_dir() / f"{name}.schema.json", encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


@cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(inline_refs(schema))


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local ``#/$defs/...`` references replaced by their targets.

    The published schemas keep ``$defs`` for editors and readers; validating
    against the inlined copy gives the same verdicts and errors but skips
    jsonschema's reference resolution on every node (half the checking time).
    Our schemas are not recursive; a recursive one keeps its ``$ref``.
    """
    defs = schema.get("$defs", {})

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(v, seen) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs and ref not in seen:
            target = walk(defs[ref[8:]], seen + (ref,))
            return {**target, **{k: walk(v, seen) for k, v in node.items() if k != "$ref"}}
        return {k: walk(v, seen) for k, v in node.items() if k != "$defs" or not seen}

    inlined: dict[str, Any] = walk(schema, ())
    inlined.pop("$defs", None)
    return inlined


def describe_path(data: Any, path: YamlPath) -> str:
    """A readable location: ``step 'licence' → days`` rather than ``steps[2].days``."""
    parts: list[str] = []
    node = data
    for i, key in enumerate(path):
        child = None
        if isinstance(node, dict) and isinstance(key, str):
            child = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            child = node[key]
        if isinstance(key, int):
            label = path[i - 1] if i else "entry"
            singular = _(_SINGULAR[str(label)]) if str(label) in _SINGULAR else str(label)
            ident = child.get("id") or child.get("name") if isinstance(child, dict) else None
            if parts and parts[-1] == str(label):
                parts.pop()
            parts.append(_("{what} '{id}'").format(what=singular, id=ident) if isinstance(ident, str)
                         else _("{what} #{n}").format(what=singular, n=key + 1))
        else:
            parts.append(str(key))
        node = child
    return " → ".join(parts) if parts else _("top level")


@cache
def _compiled(name: str) -> Callable[[Any], bool | None] | None:
    return compile_schema(inline_refs(load_schema(name)))


def fast_verdict(data: Any, schema_name: str) -> bool | None:
    """Whether *data* passes the schema, by the compiled check (engine.validation.compiled);
    None when that check cannot say and jsonschema must."""
    verdict = _compiled(schema_name)
    return None if verdict is None else verdict(data)


def is_valid(data: Any, schema_name: str) -> bool:
    """Whether *data* passes the schema (no locations: for data checked before)."""
    verdict = fast_verdict(data, schema_name)
    if verdict is not None:
        return verdict
    try:
        return bool(_validator(schema_name).is_valid(data))
    except (ValueError, OverflowError, RecursionError):
        return False


def check(data: Any, positions: Positions, path: str, schema_name: str,
          skip: set[tuple[int, int]] | None = None) -> list[Diagnostic]:
    """Every schema error of *data*, located; *skip* holds places already reported.

    Valid data (the usual case) is recognised by the compiled check alone; only
    the rest goes through jsonschema, whose errors say what is wrong and where.
    """
    if fast_verdict(data, schema_name):
        return []
    validator = _validator(schema_name)
    out: list[Diagnostic] = []
    try:
        errors = list(validator.iter_errors(data))
    except (ValueError, OverflowError, RecursionError) as exc:  # defence in depth: the loader bounds numbers
        return [make(path, 1, 1, "E204", _("value the schema checker cannot handle: {reason}").format(reason=exc))]
    for error in errors:
        for diag in _convert(error, data, positions, path):
            if skip and (diag.line, diag.col) in skip:
                continue
            out.append(diag)
    return sorted(set(out))


def _convert(error: Any, data: Any, positions: Positions, path: str) -> list[Diagnostic]:
    where: YamlPath = tuple(error.absolute_path)
    context = describe_path(data, where)
    line, col = positions.at(where)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(error.message)
        return [make(path, line, col, "E201", _("{where}: required field '{field}' is missing").format(
            where=context, field=missing), _("add '{field}:' here").format(field=missing))]
    if kind == "additionalProperties":
        props = sorted(error.schema.get("properties", {}))
        out: list[Diagnostic] = []
        for key in error.instance:
            if key in props or key.startswith("x-"):
                continue
            kline, kcol = positions.key(where + (key,))
            guess = closest(key, props) if len(out) < 100 else None  # a hostile file has a million keys
            hint = did_you_mean(guess) if guess else _("known fields: {fields}; prefix your own with 'x-'").format(
                fields=", ".join(props))
            out.append(make(path, kline, kcol, "E202", _("{where}: unknown field '{field}'").format(
                where=context, field=key[:60]), hint))
        return out
    if kind == "type":
        want = error.validator_value
        wanted: list[str] = want if isinstance(want, list) else [want]  # JSON Schema type names
        if {"number", "integer"} & set(wanted) and isinstance(error.instance, str):
            typed = ime.number_as_text(path, line, col, error.instance, context)  # "3" or ０.５
            if typed is not None:
                return [typed]
        wants = _(" or ").join(_(_TYPE_NAMES[w]) if w in _TYPE_NAMES else w for w in wanted)
        return [make(path, line, col, "E203", _("{where}: expected {wanted}, found {found}").format(
            where=context, wanted=wants, found=_show(error.instance)), _type_hint(want, error.instance))]
    if kind == "pattern" and isinstance(error.instance, str) and any(c in error.instance for c in ime.SEPARATORS) \
            and _in_reference_list(tuple(error.absolute_path)):
        return []  # two ids joined by '，' in needs/materials/produces: the reference checks say so (E112 or unknown)
    return [make(path, line, col, "E204", _("{where}: {problem}").format(where=context, problem=_value_message(error)),
                 _value_hint(error))]


def _in_reference_list(path: tuple[Any, ...]) -> bool:
    """Whether a schema path is an entry of a step's needs, materials or produces (a reference the
    semantic checks resolve and report), not an id being defined."""
    return len(path) >= 4 and path[0] == "steps" and path[2] in ("needs", "materials", "produces")


def _show(value: Any) -> str:
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("{value} (true/false)").format(value=str(value).lower())
    if isinstance(value, str):
        return _("text '{text}'").format(text=value[:40])
    if isinstance(value, (int, float)):
        return _("number {value}").format(value=value)
    containers: dict[type, str] = {dict: N_("a mapping"), list: N_("a list")}
    return _(containers[type(value)]) if type(value) in containers else type(value).__name__


def _type_hint(want: Any, value: Any) -> str | None:
    if want in ("number", "integer") and isinstance(value, str):
        return _("write the number alone, without a unit (days are working days)")
    if want == "array" and isinstance(value, str):
        return _("write a list: [{value}]").format(value=value)
    if want == "string" and isinstance(value, bool):
        return _("YAML reads yes/no/on/off as true/false: quote the text")
    return None


def _value_message(error: Any) -> str:
    kind, value, inst = error.validator, error.validator_value, error.instance
    if kind == "pattern" and value.startswith("^[a-z0-9]"):
        return _("'{value}' is not a valid id (lowercase ascii letters, digits and '-', e.g. 'open-restaurant')").format(
            value=inst)
    if kind == "minLength" or (kind == "pattern" and value == "\\S"):
        return _("must not be empty")
    if kind == "pattern":
        return _("'{value}' does not have the expected form ({pattern})").format(value=inst, pattern=value)
    if kind == "exclusiveMinimum":
        return _("{value} must be greater than {limit}").format(value=inst, limit=value)
    if kind == "minimum":
        return _("{value} must be at least {limit}").format(value=inst, limit=value)
    if kind == "maximum":
        return _("{value} must be at most {limit}").format(value=inst, limit=value)
    if kind == "multipleOf":
        return _("{value} must be a multiple of {limit}").format(value=inst, limit=value)
    if kind == "minItems":
        return ngettext("needs at least {n} entry", "needs at least {n} entries", value).format(n=value)
    if kind == "uniqueItems":
        return _("lists the same entry twice")
    if kind == "enum":
        return _("{value} is not one of {choices}").format(value=_show(inst), choices=", ".join(map(str, value)))
    if kind == "maxLength":
        return _("longer than {n} characters").format(n=value)
    if kind == "not" and value == {"required": ["before", "after"]}:
        return _("a rung fires either before or after its deadline: give one of before and after, not both")
    return str(error.message)


def _value_hint(error: Any) -> str | None:
    kind = error.validator
    if kind in ("exclusiveMinimum", "multipleOf") and "days" in map(str, error.absolute_path):
        return _("time limits are working days: a number above 0, in halves (0.5, 1, 1.5 ...)")
    if kind == "uniqueItems":
        return _("remove the repeated entry")
    return None
