"""The compiled schema check (the fast path) agrees with jsonschema's iter_errors (the detailed path).

``schema.check`` skips jsonschema when the compiled check says "valid", so that
verdict must never be "valid" where jsonschema finds an error; and it should say
"invalid" exactly where jsonschema does, or the fast path buys nothing.  These
tests hold the two verdicts equal on the real definitions, on every invalid case,
on hypothesis mutations of valid items and catalogs, and on the corners of
JSON Schema's meaning (integers that are floats, booleans that are not numbers).
"""
from __future__ import annotations

import copy
import json
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT, VALID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.validation import schema
from engine.validation.compiled import compile_schema
from engine.validation.loader import Positions, load_file, load_text
from engine.validation.tree import validate_paths

SCHEMAS = sorted(p.name.removesuffix(".schema.json") for p in (ROOT / "schemas").glob("*.schema.json"))
INVALID = sorted((ROOT / "tests" / "data" / "invalid").glob("*.yaml"))
SETTINGS = settings(max_examples=int(os.environ.get("LIANBAN_EXAMPLES") or 300), deadline=timedelta(seconds=2),
                    suppress_health_check=[HealthCheck.too_slow])


def detailed_verdict(data: Any, name: str) -> bool:
    """What the detailed path concludes: valid when jsonschema reports no error."""
    return not any(True for _ in schema._validator(name).iter_errors(data))


def assert_agree(data: Any, name: str) -> None:
    verdict = schema.fast_verdict(data, name)
    assert verdict is not None, "the compiled check gave up on plain loader data"
    assert verdict == detailed_verdict(data, name), json.dumps(data, ensure_ascii=False, default=str)[:400]


def kind_of(path: Path) -> str:
    if path.parent.name == "catalog":
        return path.stem
    return "calendar" if path.parent.name == "calendar" else "item"


def test_the_inputs_are_there() -> None:
    assert len(INVALID) >= 30 and len(SCHEMAS) == 6  # a moved folder must not leave these tests empty


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_schema_compiles(name: str) -> None:
    assert schema._compiled(name) is not None  # else that schema would always take the slow path
    # a run over valid files no longer builds the jsonschema validator, which checks the schema
    # against the Draft 2020-12 metaschema: this test does it instead
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema.load_schema(name))


@pytest.mark.parametrize("path", sorted((ROOT / "definitions").rglob("*.yaml")) + [ROOT / "examples" / "minimal.yaml",
                                                                                    ROOT / "examples" / "medium.yaml"],
                         ids=lambda p: p.name)
def test_real_definitions_are_valid_on_both_paths(path: Path) -> None:
    loaded = load_file(path)
    assert loaded.ok
    assert schema.fast_verdict(loaded.data, kind_of(path)) is True
    assert detailed_verdict(loaded.data, kind_of(path))


@pytest.mark.parametrize("path", INVALID + [ROOT / "examples" / "broken.yaml"], ids=lambda p: p.name)
def test_every_invalid_case_gets_the_same_verdict(path: Path) -> None:
    loaded = load_file(path)
    if loaded.data is not None:  # refused by the loader: the schema never sees it
        assert_agree(loaded.data, "item")


def test_the_model_and_the_findings_are_the_same_without_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [ROOT / "definitions", ROOT / "examples", *INVALID]
    fast = validate_paths(paths)
    assert fast.items and fast.diagnostics  # both paths are exercised
    monkeypatch.setattr(schema, "fast_verdict", lambda data, name: None)
    slow = validate_paths(paths)
    assert fast.diagnostics == slow.diagnostics
    assert [d.hint for d in fast.diagnostics] == [d.hint for d in slow.diagnostics]
    assert fast.items == slow.items


# --- hypothesis: mutations of valid data ---------------------------------------------------------

def documents() -> list[tuple[str, Any]]:
    docs: list[tuple[str, Any]] = [("item", load_text(VALID).data)]
    docs += [(kind_of(p), load_file(p).data) for p in sorted((ROOT / "definitions").rglob("*.yaml"))]
    return docs


DOCUMENTS = documents()
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 12_000), st.sampled_from([0, 0.5, 1.5, 2.0, 0.25, 10_000.5, -0.5]),
    st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**18, 10**18),
    st.sampled_from(["", " ", "a", "x-", "市场监管局", "id-card", "ab-", "a--b", "A", "online", "window", "2024-01-01",
                     "a" * 81, "text\n"]),
    st.text(max_size=12),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=8)
KEYS = st.sampled_from(["id", "name", "days", "needs", "x-note", "notes", "extra", "channel", "aliases", "date", "from",
                        "to", "kind", "visits", "legal_days", "materials", "produces", "department", "year"])


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into *node* (the root included)."""
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += places(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += places(value, path + (i,))
    return out


def at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, Any]:
    name, original = draw(st.sampled_from(DOCUMENTS))
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(places(data)))
        node = at(data, path)
        action = draw(st.sampled_from(["delete", "replace", "add", "repeat", "retype"]))
        if action == "delete" and path:
            del at(data, path[:-1])[path[-1]]
        elif action == "replace" and path:
            at(data, path[:-1])[path[-1]] = draw(VALUES)
        elif action == "add" and isinstance(node, dict):
            node[draw(KEYS)] = draw(VALUES)
        elif action == "add" and isinstance(node, list):
            node.append(draw(VALUES))
        elif action == "repeat" and isinstance(node, list) and node:
            node.append(copy.deepcopy(draw(st.sampled_from(node))))
        elif action == "retype" and path:
            value = at(data, path[:-1])[path[-1]]
            at(data, path[:-1])[path[-1]] = ([value] if not isinstance(value, list) else value[0] if value
                                             else {}) if draw(st.booleans()) else str(value)
    return name, data


@SETTINGS
@given(mutants())
def test_mutated_documents_get_the_same_verdict_on_both_paths(mutant: tuple[str, Any]) -> None:
    name, data = mutant
    assert_agree(data, name)


@SETTINGS
@given(mutants())
def test_mutated_documents_get_the_same_findings_with_and_without_the_fast_path(mutant: tuple[str, Any]) -> None:
    name, data = mutant
    with_fast = schema.check(data, Positions(), "x.yaml", name)
    real = schema.fast_verdict
    try:
        schema.fast_verdict = lambda data, name: None  # type: ignore[assignment]
        without = schema.check(data, Positions(), "x.yaml", name)
    finally:
        schema.fast_verdict = real
    assert with_fast == without


@SETTINGS
@given(st.sampled_from(SCHEMAS), VALUES)
def test_any_value_gets_the_same_verdict(name: str, value: Any) -> None:
    assert_agree(value, name)


# --- random schemas: the compiler against jsonschema, keyword by keyword ---------------------------

TYPE_NAMES = st.sampled_from(["string", "number", "integer", "array", "object", "boolean", "null"])
KEYWORD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "type": st.one_of(TYPE_NAMES, st.lists(TYPE_NAMES, min_size=1, max_size=3, unique=True)),
    "enum": st.lists(st.sampled_from(["a", "b", "", "市"]), min_size=1, max_size=3),
    "minLength": st.integers(0, 3), "maxLength": st.integers(0, 3),
    "pattern": st.sampled_from(["^a", "\\S", "b$", "^[a-z]+(-[a-z]+)*$", ""]),
    "minimum": st.sampled_from([0, 1, -1.5]), "maximum": st.sampled_from([0, 10, 2.5]),
    "exclusiveMinimum": st.sampled_from([0, 1, -0.5]), "exclusiveMaximum": st.sampled_from([0, 10, 2.5]),
    "multipleOf": st.sampled_from([0.5, 2, 1, 0.25, 3]),
    "minItems": st.integers(0, 2), "maxItems": st.integers(0, 3), "uniqueItems": st.booleans(),
    "required": st.lists(st.sampled_from(["a", "b", "x-c"]), max_size=2, unique=True),
    "dependentRequired": st.dictionaries(st.sampled_from(["a", "b"]), st.lists(st.sampled_from(["a", "b", "c"]),
                                                                                 max_size=2), max_size=2),
    "description": st.just("an annotation"), "format": st.just("date"),
}


def with_keywords(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    nested: dict[str, st.SearchStrategy[Any]] = {
        "items": children, "additionalProperties": st.one_of(st.booleans(), children),
        "properties": st.dictionaries(st.sampled_from(["a", "b", "x-c"]), children, max_size=3),
        "patternProperties": st.dictionaries(st.sampled_from(["^x-", "b"]), children, max_size=2),
    }
    return st.fixed_dictionaries({}, optional={**KEYWORD_VALUES, **nested})


RANDOM_SCHEMAS = st.recursive(st.one_of(st.booleans(), st.fixed_dictionaries({}, optional=KEYWORD_VALUES)),
                              with_keywords, max_leaves=6)
INSTANCES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["a", "b", "c", "x-c", "x-d"]), inner, max_size=4)),
    max_leaves=10)


@SETTINGS
@given(RANDOM_SCHEMAS, INSTANCES)
def test_random_schemas_mean_what_jsonschema_makes_them_mean(sch: Any, instance: Any) -> None:
    from jsonschema import Draft202012Validator

    check = compile_schema(sch)
    assert check is not None  # every keyword drawn here is one the compiler translates
    verdict = check(instance)
    try:
        expected: bool | None = not any(True for _ in Draft202012Validator(sch).iter_errors(instance))
    except (ValueError, OverflowError, TypeError):
        expected = None  # jsonschema cannot judge it either: check() reports E204
    if verdict is not None:
        assert verdict == expected, (sch, instance)


# --- the corners of JSON Schema's meaning ----------------------------------------------------------

def step(**fields: Any) -> dict[str, Any]:
    item = yaml.safe_load(VALID)
    item["steps"][0].update(fields)
    return dict(item)


@pytest.mark.parametrize("data", [
    step(days=2.0), step(days=1), step(days=True), step(days=0), step(days=10_000), step(days=10_000.5),
    step(days=0.25), step(visits=2.0), step(visits=2.5), step(visits=False), step(visits=-1),
    step(needs=["a", "a"]), step(needs=["a", "b"]), step(needs=[1, 1]), step(needs=["a", 1]),
    step(channel="online"), step(channel="Online"), step(channel=1), step(channel=None),
    step(**{"x-anything": {"deep": [1]}}), step(extra=1), step(id="ab-"), step(id="a" * 81), step(name=" "),
    step(name=""), step(days=1e308), step(days=-1e308), step(days=10**18),
])
def test_corners_agree(data: dict[str, Any]) -> None:
    assert_agree(data, "item")


def ladder(*rungs: Any) -> dict[str, Any]:
    return {**yaml.safe_load(VALID), "warnings": list(rungs)}


@pytest.mark.parametrize("data", [  # `not`: a rung has before or after, never both
    ladder({"level": "蓝", "before": 2}), ladder({"level": "蓝", "after": 1}), ladder({"level": "蓝"}),
    ladder({"level": "蓝", "before": 2, "after": 1}), ladder({"level": "蓝", "before": 2.0}),
    ladder({"level": "蓝", "before": -1}), ladder({"level": "蓝", "clock": "legal"}), ladder({"level": "蓝", "clock": 1}),
    ladder("蓝"), ladder(), ladder({"level": "蓝", "before": None, "after": None}),
])
def test_ladder_corners_agree(data: dict[str, Any]) -> None:
    assert_agree(data, "item")
    assert_agree({"warnings": data["warnings"]}, "warnings")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 10**400, 1e308])
def test_values_the_loader_never_yields_never_pass_the_fast_path_wrongly(value: Any) -> None:
    data = step(days=value)
    verdict = schema.fast_verdict(data, "item")
    assert verdict is not True  # none is valid: each is too large, or one jsonschema cannot judge either
    try:  # is_valid answers as it did before the fast path: jsonschema's verdict, False when it cannot say
        expected = schema._validator("item").is_valid(data)
    except (ValueError, OverflowError):
        expected = False
    assert schema.is_valid(data, "item") is expected
    # and check() reports what jsonschema reports (or E204 when jsonschema cannot judge the value)
    assert [d.code for d in schema.check(data, Positions(), "x.yaml", "item")] in (["E204"], ["E204", "E204"])


@pytest.mark.parametrize("value", [Decimal("1.5"), Decimal("NaN"), complex(1, 0)])
def test_other_kinds_of_number_are_left_to_jsonschema(value: Any) -> None:
    assert schema.fast_verdict(step(days=value), "item") is None


@pytest.mark.parametrize("value", [["a", "b"], ["a", "a"], [1, True], [1, 1.0], [0, False, None],
                                   [{"step": "a", "when": {"q": True}}, {"step": "a", "when": {"q": 1}}],
                                   [{"step": "a", "when": {"q": True}}, {"when": {"q": True}, "step": "a"}],
                                   ["a", {"material": "a"}], [[1, 2], [1, 2.0]], [[1, 2], [2, 1]]])
def test_unique_items_judged_as_jsonschema_judges_them(value: Any) -> None:
    """Conditional entries put mappings in needs/materials lists: uniqueness by JSON equality
    (1 == 1.0, true != 1, mappings by content), not Python's."""
    from jsonschema import Draft202012Validator

    check = compile_schema({"type": "array", "uniqueItems": True})
    assert check is not None
    assert check(value) is Draft202012Validator({"type": "array", "uniqueItems": True}).is_valid(value)
    assert check([Decimal("1.5"), 1]) is None  # other kinds of number stay with jsonschema


@pytest.mark.parametrize("unsupported", [
    {"$ref": "#/$defs/x"}, {"oneOf": [{"type": "string"}]}, {"const": 1}, {"enum": [1, "a"]}, {"type": "strin"},
    {"minLength": "1"}, {"pattern": 5}, {"prefixItems": [{}]}, {"items": [{}]},
    {"properties": {"a": {"allOf": [{}]}}}, {"not": {"anyOf": [{}]}},
    {"multipleOf": 0}, {"required": "a"},
])
def test_a_schema_with_anything_else_is_not_compiled(unsupported: dict[str, Any]) -> None:
    assert compile_schema(unsupported) is None


@pytest.mark.parametrize(("sch", "good", "bad"), [
    ({"type": "integer"}, [1, 2.0, -3], [1.5, True, "1", None]),
    ({"type": "number", "exclusiveMinimum": 0, "maximum": 3}, [0.1, 3], [0, -1, 3.5, True, "x", None]),
    ({"type": ["string", "null"], "minLength": 2}, [None, "ab"], ["a", 1]),
    ({"minLength": 2, "minimum": 1}, [[], {}, True, "ab", 1], ["a", 0]),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "patternProperties": {"^x-": {"type": "integer"}},
      "additionalProperties": False}, [{}, {"a": "s"}, {"x-b": 1}], [{"a": 1}, {"x-b": "s"}, {"b": 1}, []]),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, [{"a": 1}], [{"a": "1"}]),
    ({"type": "object", "dependentRequired": {"from": ["to"]}}, [{"from": 1, "to": 2}, {"to": 1}], [{"from": 1}]),
    ({"type": "array", "items": False}, [[]], [[1]]),
    ({"format": "date", "type": "string"}, ["not a date"], [1]),
])
def test_keywords_mean_what_jsonschema_makes_them_mean(sch: dict[str, Any], good: list[Any], bad: list[Any]) -> None:
    from jsonschema import Draft202012Validator

    check = compile_schema(sch)
    assert check is not None
    for value in good:
        assert check(value) is True and Draft202012Validator(sch).is_valid(value), value
    for value in bad:
        assert check(value) is False and not Draft202012Validator(sch).is_valid(value), value
