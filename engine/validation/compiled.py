"""A schema compiled into a plain yes/no check: the fast path for files that are valid.

jsonschema explains every error, and pays for it on every node of every file
(a validator object and a path per node).  Most files have no schema error, so
:func:`compile_schema` turns a schema into nested closures that only answer
"valid?", with jsonschema's Draft 2020-12 meaning of each keyword; the detailed
``iter_errors`` then runs only for files this check does not pass.  Needing no
jsonschema import, it also keeps jsonschema out of a run over valid files.

Only the keywords our schemas use are compiled (``if``/``then``/``else`` and
``min``/``maxProperties`` since the item schema's conditional entries).  A schema with
anything else (``$ref`` left after inlining, ``oneOf``, ``const``, a non-string ``enum``,
a malformed keyword value) compiles to None, and that schema always takes
the detailed path.  A value the closures cannot judge exactly as jsonschema
would (a Decimal, an array of non-strings that must be unique, a float that
overflows ``multipleOf``) makes the check answer None, "ask jsonschema";
``tests/test_compiled.py`` holds the two verdicts equal on every invalid case
and on random mutations of valid items.
"""
from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Sequence
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never make an instance invalid: annotations, and `format`, which
# jsonschema only asserts when given a format checker (schema.py gives none).
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples",
                          "deprecated", "readOnly", "writeOnly", "format"})
_KEYWORDS = frozenset({"type", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
                       "exclusiveMaximum", "multipleOf", "items", "minItems", "maxItems", "uniqueItems", "properties",
                       "patternProperties", "additionalProperties", "required", "dependentRequired",
                       "minProperties", "maxProperties", "if", "then", "else", "not"}) | _ANNOTATIONS
_TYPES = ("string", "number", "integer", "array", "object", "boolean", "null")


class Unsupported(Exception):
    """The schema uses something this compiler does not translate."""


class _Unsure(Exception):
    """A value the compiled check cannot judge exactly as jsonschema would."""


def compile_schema(schema: Any) -> Callable[[Any], bool | None] | None:
    """A function answering whether an instance is valid (None: ask jsonschema), or None
    when the schema cannot be compiled."""
    try:
        check = _compile(schema)
    except Unsupported:
        return None

    def verdict(instance: Any) -> bool | None:
        try:
            return check(instance)
        except Exception:  # whatever the closures cannot judge, jsonschema judges (and reports)
            return None

    return verdict


def _yes(_x: Any) -> bool:
    return True


def _no(_x: Any) -> bool:
    return False


def _always_true(schema: Any) -> bool:
    return schema is True or (isinstance(schema, dict) and set(schema) <= _ANNOTATIONS)


def _compile(schema: Any) -> Check:
    if schema is True or schema is False:
        return _yes if schema else _no
    if not isinstance(schema, dict):
        raise Unsupported(f"a schema must be an object or a boolean, not {schema!r}")
    unknown = set(schema) - _KEYWORDS
    if unknown:
        raise Unsupported(f"keywords {sorted(unknown)} are not compiled")
    types = _types(schema.get("type"))
    parts: list[Check] = [_enum(schema["enum"])] if "enum" in schema else []
    parts += _conditional(schema) + _property_count(schema)
    if "not" in schema:  # valid exactly where the subschema is not (a warning rung: before or after, not both)
        inner = _compile(schema["not"])
        parts.append(lambda x: not inner(x))
    if types is not None and len(types) == 1:  # the usual case: the type test and its keywords in one closure
        build = _BUILDERS.get(types[0])
        return _all([build(schema, types[0], True) if build else _IS[types[0]], *parts])
    if types is not None:
        guards = [_IS[t] for t in types]
        parts.insert(0, lambda x: any(g(x) for g in guards))
    for name in ("string", "number", "array", "object"):
        check = _BUILDERS[name](schema, name, False)
        if check is not None:
            parts.append(check)
    return _all(parts)


def _conditional(schema: dict[str, Any]) -> list[Check]:
    """``if``/``then``/``else``: the then-branch where ``if`` holds, else the else-branch."""
    if "if" not in schema:
        return []
    test = _compile(schema["if"])
    then = _compile(schema.get("then", True))
    other = _compile(schema.get("else", True))

    def check(x: Any) -> bool:
        return then(x) if test(x) else other(x)

    return [check]


def _property_count(schema: dict[str, Any]) -> list[Check]:
    low, high = schema.get("minProperties", 0), schema.get("maxProperties")
    if not (isinstance(low, int) and not isinstance(low, bool) and low >= 0) or \
            not (high is None or (isinstance(high, int) and not isinstance(high, bool) and high >= 0)):
        raise Unsupported("malformed minProperties/maxProperties")
    if low == 0 and high is None:
        return []

    def check(x: Any) -> bool:
        return not isinstance(x, dict) or (len(x) >= low and (high is None or len(x) <= high))

    return [check]


def _all(parts: Sequence[Check | None]) -> Check:
    checks = [part for part in parts if part is not None]
    if not checks:
        return _yes
    if len(checks) == 1:
        return checks[0]

    def check(x: Any) -> bool:
        return all(part(x) for part in checks)

    return check


def _types(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else None
    if not names or any(name not in _TYPES for name in names):
        raise Unsupported(f"type {value!r}")
    return names


def _is_number(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, (int, float)):
        return True
    if isinstance(x, numbers.Number):
        raise _Unsure  # a Decimal, a Fraction, a complex: jsonschema's arithmetic, not ours
    return False


def _is_integer(x: Any) -> bool:
    return _is_number(x) and (isinstance(x, int) or x.is_integer())


_IS: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "number": _is_number,
    "integer": _is_integer,
    "array": lambda x: isinstance(x, list),
    "object": lambda x: isinstance(x, dict),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


def _count(schema: dict[str, Any], name: str) -> int | None:
    value = schema.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise Unsupported(f"{name} {value!r}")
    return value


def _limit(schema: dict[str, Any], name: str) -> int | float | None:
    value = schema.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise Unsupported(f"{name} {value!r}")
    return value


def _enum(members: Any) -> Check:
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise Unsupported("enum of anything but strings")  # jsonschema's equality of 1, 1.0 and true
    allowed = tuple(members)

    def check(x: Any) -> bool:
        return isinstance(x, str) and x in allowed

    return check


# Each builder below compiles the keywords of one instance type into one closure.  With
# *required* (the schema's only type) anything else is invalid; without, it passes.

def _string(schema: dict[str, Any], _name: str, required: bool) -> Check | None:
    low, high = _count(schema, "minLength") or 0, _count(schema, "maxLength")
    pattern = schema.get("pattern")
    if pattern is not None and not isinstance(pattern, str):
        raise Unsupported(f"pattern {pattern!r}")
    search = re.compile(pattern).search if pattern is not None else None
    if not low and high is None and search is None:
        return _IS["string"] if required else None

    def check(x: Any) -> bool:
        if not isinstance(x, str):
            return not required
        n = len(x)
        return n >= low and (high is None or n <= high) and (search is None or search(x) is not None)

    return check


def _number(schema: dict[str, Any], name: str, required: bool) -> Check | None:
    guard = _IS[name]
    low, high = _limit(schema, "minimum"), _limit(schema, "maximum")
    above, below = _limit(schema, "exclusiveMinimum"), _limit(schema, "exclusiveMaximum")
    step = _limit(schema, "multipleOf")
    if step is not None and step <= 0:
        raise Unsupported(f"multipleOf {step!r}")
    if low is None and high is None and above is None and below is None and step is None:
        return guard if required else None

    def check(x: Any) -> bool:
        if not guard(x):
            return not required
        if (low is not None and x < low) or (high is not None and x > high):
            return False
        if (above is not None and x <= above) or (below is not None and x >= below):
            return False
        if step is None:
            return True
        if isinstance(step, float):  # as jsonschema's multipleOf; its exact fallback is jsonschema's to take
            quotient = x / step
            return int(quotient) == quotient
        return not x % step

    return check


def _array(schema: dict[str, Any], _name: str, required: bool) -> Check | None:
    items = schema.get("items")
    each = _compile(items) if items is not None and not _always_true(items) else None
    low, high = _count(schema, "minItems") or 0, _count(schema, "maxItems")
    unique = schema.get("uniqueItems", False)
    if not isinstance(unique, bool):
        raise Unsupported(f"uniqueItems {unique!r}")
    if each is None and not low and high is None and not unique:
        return _IS["array"] if required else None

    def check(x: Any) -> bool:
        if not isinstance(x, list):
            return not required
        n = len(x)
        if n < low or (high is not None and n > high):
            return False
        if each is not None and not all(each(v) for v in x):
            return False
        if unique:
            if all(type(v) is str for v in x):
                return len(set(x)) == n
            return len({_json_key(v) for v in x}) == n  # conditional entries: mappings in the list
        return True

    return check


def _json_key(v: Any) -> Any:
    """A hashable key equal for values jsonschema calls equal (1 == 1.0, true != 1, mappings by content)."""
    if v is None:
        return ("null",)
    if isinstance(v, bool):
        return ("bool", v)
    if type(v) in (int, float):
        return ("number", v)
    if type(v) is str:
        return ("string", v)
    if isinstance(v, list):
        return ("array", tuple(_json_key(x) for x in v))
    if isinstance(v, dict) and all(type(k) is str for k in v):
        return ("object", frozenset((k, _json_key(x)) for k, x in v.items()))
    raise _Unsure


def _object(schema: dict[str, Any], _name: str, required: bool) -> Check | None:
    props_schema = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extra = schema.get("additionalProperties", True)
    present = schema.get("required", [])
    dependent = schema.get("dependentRequired", {})
    if not (isinstance(props_schema, dict) and isinstance(patterns, dict) and isinstance(present, list)
            and isinstance(dependent, dict) and all(isinstance(k, str) for k in [*patterns, *present])
            and all(isinstance(v, list) and all(isinstance(n, str) for n in v) for v in dependent.values())):
        raise Unsupported("malformed object keywords")
    props = {name: _compile(sub) for name, sub in props_schema.items()}
    pattern_checks = [(re.compile(p).search, _compile(sub)) for p, sub in patterns.items() if not _always_true(sub)]
    # which keys are "additional": jsonschema searches the patterns joined, so do we
    matched = re.compile("|".join(patterns)).search if patterns else None
    extra_check = None if _always_true(extra) else _compile(extra)
    needs = tuple(present)
    pairs = tuple((k, tuple(v)) for k, v in dependent.items())
    if not props and not pattern_checks and extra_check is None and not needs and not pairs:
        return _IS["object"] if required else None

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return not required
        for name in needs:
            if name not in x:
                return False
        for name, also in pairs:
            if name in x and not all(a in x for a in also):
                return False
        for key, value in x.items():
            prop = props.get(key)
            if prop is not None and not prop(value):
                return False
            for search, sub in pattern_checks:
                if search(key) and not sub(value):
                    return False
            if (extra_check is not None and prop is None and not (matched is not None and matched(key))
                    and not extra_check(value)):
                return False
        return True

    return check


_BUILDERS: dict[str, Callable[[dict[str, Any], str, bool], Check | None]] = {
    "string": _string, "number": _number, "integer": _number, "array": _array, "object": _object}
