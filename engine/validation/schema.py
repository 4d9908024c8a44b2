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

from engine.i18n import _
from engine.locations import schema_dir
from engine.suggest import closest, did_you_mean
from engine.validation.compiled import compile_schema
from engine.validation.diagnostics import Diagnostic, make
from engine.validation.loader import Positions, YamlPath

_TYPE_NAMES = {"string": "text", "number": "number", "integer": "whole number", "array": "list",
               "object": "mapping", "boolean": "true/false", "null": "nothing"}


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
            singular = {"steps": "step", "materials": "material", "departments": "department",
                        "partners": "partner", "needs": "needs", "produces": "produces",
                        "holidays": "holiday", "workdays": "workday", "warnings": "rung"}.get(str(label), str(label))
            ident = child.get("id") or child.get("name") if isinstance(child, dict) else None
            if parts and parts[-1] == str(label):
                parts.pop()
            parts.append(f"{singular} '{ident}'" if isinstance(ident, str) else f"{singular} #{key + 1}")
        else:
            parts.append(str(key))
        node = child
    return " → ".join(parts) if parts else "top level"


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
        return [make(path, 1, 1, "E204", f"value the schema checker cannot handle: {exc}")]
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
        return [make(path, line, col, "E201", f"{context}: required field '{missing}' is missing",
                     f"add '{missing}:' here")]
    if kind == "additionalProperties":
        props = sorted(error.schema.get("properties", {}))
        out: list[Diagnostic] = []
        for key in error.instance:
            if key in props or key.startswith("x-"):
                continue
            kline, kcol = positions.key(where + (key,))
            guess = closest(key, props) if len(out) < 100 else None  # a hostile file has a million keys
            hint = did_you_mean(guess) if guess else f"known fields: {', '.join(props)}; prefix your own with 'x-'"
            out.append(make(path, kline, kcol, "E202", f"{context}: unknown field '{key[:60]}'", hint))
        return out
    if kind == "type":
        want = error.validator_value
        wanted: list[str] = want if isinstance(want, list) else [want]  # JSON Schema type names
        wants = " or ".join(_TYPE_NAMES.get(w, w) for w in wanted)
        return [make(path, line, col, "E203", f"{context}: expected {wants}, found {_show(error.instance)}",
                     _type_hint(want, error.instance))]
    return [make(path, line, col, "E204", f"{context}: {_value_message(error)}", _value_hint(error))]


def _show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        return f"text '{value[:40]}'"
    if isinstance(value, (int, float)):
        return f"number {value}"
    containers: dict[type, str] = {dict: "a mapping", list: "a list"}
    return containers.get(type(value), type(value).__name__)


def _type_hint(want: Any, value: Any) -> str | None:
    if want in ("number", "integer") and isinstance(value, str):
        return "write the number alone, without a unit (days are working days)"
    if want == "array" and isinstance(value, str):
        return f"write a list: [{value}]"
    if want == "string" and isinstance(value, bool):
        return "YAML reads yes/no/on/off as true/false: quote the text"
    return None


def _value_message(error: Any) -> str:
    kind, value, inst = error.validator, error.validator_value, error.instance
    if kind == "pattern" and value.startswith("^[a-z0-9]"):
        return f"'{inst}' is not a valid id (lowercase ascii letters, digits and '-', e.g. 'open-restaurant')"
    if kind == "minLength" or (kind == "pattern" and value == "\\S"):
        return "must not be empty"
    if kind == "pattern":
        return f"'{inst}' does not have the expected form ({value})"
    if kind == "exclusiveMinimum":
        return f"{inst} must be greater than {value}"
    if kind == "minimum":
        return f"{inst} must be at least {value}"
    if kind == "maximum":
        return f"{inst} must be at most {value}"
    if kind == "multipleOf":
        return f"{inst} must be a multiple of {value}"
    if kind == "minItems":
        return f"needs at least {value} entr{'y' if value == 1 else 'ies'}"
    if kind == "uniqueItems":
        return "lists the same entry twice"
    if kind == "enum":
        return f"{_show(inst)} is not one of {', '.join(map(str, value))}"
    if kind == "maxLength":
        return f"longer than {value} characters"
    if kind == "not" and value == {"required": ["before", "after"]}:
        return _("a rung fires either before or after its deadline: give one of before and after, not both")
    return str(error.message)


def _value_hint(error: Any) -> str | None:
    kind = error.validator
    if kind in ("exclusiveMinimum", "multipleOf") and "days" in map(str, error.absolute_path):
        return "time limits are working days: a number above 0, in halves (0.5, 1, 1.5 ...)"
    if kind == "uniqueItems":
        return "remove the repeated entry"
    return None
