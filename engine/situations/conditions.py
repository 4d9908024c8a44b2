"""Conditions over the applicant's answers: a small AST, parsed from YAML, evaluated, described.

A condition is written as a mapping an analyst reads aloud::

    {area_m2: {gt: 500}}                 营业面积 > 500 m²
    {gas: yes}                           使用燃气
    {entity: [company, sole]}            主体类型：公司 或 个人独资
    {area_m2: {gt: 50, le: 500}, gas: no}   both hold
    {any: [...]}, {all: [...]}, {not: {...}}

Comparisons are ``eq ne gt ge lt le in`` on one question; several keys in one mapping
all have to hold. A question that was not asked satisfies no comparison (so ``not`` of
one holds). Nothing is ever evaluated as code: the AST below is all there is.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from engine.i18n import _

if TYPE_CHECKING:
    from engine.situations.questions import Question

YamlPath = tuple[str | int, ...]
Value = bool | str | float
Answers = Mapping[str, Value | None]

OPS = ("eq", "ne", "gt", "ge", "lt", "le", "in")
ORDER_OPS = ("gt", "ge", "lt", "le")
RESERVED = ("any", "all", "not")


@dataclass(frozen=True)
class Cmp:
    question: str
    op: str
    value: Value | tuple[Value, ...]


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Cmp | All | AnyOf | Not
TRUE: Condition = All(())
FALSE: Condition = AnyOf(())


class Problem(NamedTuple):
    """A finding about a condition, before it gets a file and a position."""
    where: YamlPath
    code: str
    message: str
    hint: str | None = None
    key: bool = False  # locate at the mapping key rather than at the value


# --- building and simplifying -------------------------------------------------------------

def conj(*items: Condition) -> Condition:
    """All of *items*, flattened, without TRUE parts (FALSE absorbs)."""
    flat: list[Condition] = []
    for c in items:
        if c == FALSE:
            return FALSE
        flat.extend(c.items if isinstance(c, All) else (c,))
    flat = list(dict.fromkeys(flat))
    return flat[0] if len(flat) == 1 else All(tuple(flat))


def disj(*items: Condition) -> Condition:
    """Any of *items*, flattened, without FALSE parts (TRUE absorbs)."""
    flat: list[Condition] = []
    for c in items:
        if c == TRUE:
            return TRUE
        flat.extend(c.items if isinstance(c, AnyOf) else (c,))
    flat = list(dict.fromkeys(flat))
    return flat[0] if len(flat) == 1 else AnyOf(tuple(flat))


def neg(c: Condition) -> Condition:
    if c == TRUE:
        return FALSE
    if c == FALSE:
        return TRUE
    return c.item if isinstance(c, Not) else Not(c)


def atoms(c: Condition) -> Iterator[Cmp]:
    """Every comparison in *c*."""
    if isinstance(c, Cmp):
        yield c
    elif isinstance(c, Not):
        yield from atoms(c.item)
    else:
        for i in c.items:
            yield from atoms(i)


def questions_of(c: Condition) -> set[str]:
    return {a.question for a in atoms(c)}


# --- evaluation -------------------------------------------------------------------------

def holds(c: Condition, answers: Answers) -> bool:
    """Whether *c* holds for *answers* (a missing or None answer: the question was not asked)."""
    if isinstance(c, Cmp):
        return compare(c, answers.get(c.question))
    if isinstance(c, All):
        return all(holds(i, answers) for i in c.items)
    if isinstance(c, AnyOf):
        return any(holds(i, answers) for i in c.items)
    return not holds(c.item, answers)


def compare(c: Cmp, answer: Value | None) -> bool:
    if answer is None:
        return False
    v = c.value
    if c.op == "in":
        return answer in v  # type: ignore[operator]
    if c.op == "eq":
        return answer == v
    if c.op == "ne":
        return answer != v
    a, b = float(answer), float(v)  # type: ignore[arg-type]
    return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[c.op]


def compile_condition(c: Condition) -> Callable[[Answers], bool]:
    """*c* as a function of the answers (what enumeration calls thousands of times)."""
    if c == TRUE:
        return lambda _a: True
    if isinstance(c, Cmp):
        q = c.question
        return lambda a: compare(c, a.get(q))
    if isinstance(c, Not):
        inner = compile_condition(c.item)
        return lambda a: not inner(a)
    parts = tuple(compile_condition(i) for i in c.items)
    if isinstance(c, All):
        return lambda a: all(p(a) for p in parts)
    return lambda a: any(p(a) for p in parts)


# --- parsing ----------------------------------------------------------------------------

def parse(raw: Any, where: YamlPath, questions: Mapping[str, Question], problems: list[Problem]) -> Condition | None:
    """The condition written at *where*, or None when it has problems (appended to *problems*)."""
    before = len(problems)
    cond = _parse(raw, where, questions, problems)
    return cond if len(problems) == before else None


def _parse(raw: Any, where: YamlPath, questions: Mapping[str, Question], problems: list[Problem]) -> Condition:
    if not isinstance(raw, dict):
        problems.append(Problem(where, "E203", _("a condition is a mapping such as {{area_m2: {{gt: 500}}}}, found {found}")
                                .format(found=_kind(raw)), _("write {question: value}, or any/all/not")))
        return FALSE
    if not raw:
        problems.append(Problem(where, "E204", _("empty condition"), _("name a question: {gas: yes}")))
        return FALSE
    parts: list[Condition] = []
    for key, value in raw.items():
        here = where + (key,)
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                problems.append(Problem(here, "E203", _("'{key}' takes a list of conditions").format(key=key),
                                        _("write {key}: [{{gas: yes}}, {{area_m2: {{gt: 500}}}}]").format(key=key)))
                continue
            items = tuple(_parse(v, here + (i,), questions, problems) for i, v in enumerate(value))
            parts.append(All(items) if key == "all" else AnyOf(items))
        elif key == "not":
            parts.append(Not(_parse(value, here, questions, problems)))
        elif key in questions:
            parts.extend(_comparisons(questions[key], value, here, problems))
        else:
            from engine.suggest import closest, did_you_mean

            guess = closest(str(key), [*questions, *RESERVED])
            problems.append(Problem(here, "E331", _("unknown question '{question}' in a condition").format(
                question=str(key)[:60]), did_you_mean(guess) or _("questions of this item: {names}").format(
                names=", ".join(list(questions)[:20]) or _("none (add a questions: list)")), key=True))
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _comparisons(q: Question, value: Any, where: YamlPath, problems: list[Problem]) -> list[Condition]:
    if isinstance(value, dict):
        if not value:
            problems.append(Problem(where, "E204", _("no comparison for '{question}'").format(question=q.id),
                                    _("write e.g. {gt: 500}")))
        out: list[Condition] = []
        for op, v in value.items():
            if op not in OPS:
                from engine.suggest import closest, did_you_mean

                problems.append(Problem(where + (op,), "E204", _("unknown comparison '{op}'").format(op=str(op)[:40]),
                                        did_you_mean(closest(str(op), OPS)) or _("use eq, ne, gt, ge, lt, le or in"),
                                        key=True))
                continue
            cmp = _comparison(q, op, v, where + (op,), problems)
            if cmp is not None:
                out.append(cmp)
        return out
    cmp = _comparison(q, "in" if isinstance(value, list) else "eq", value, where, problems)
    return [cmp] if cmp is not None else []


def _comparison(q: Question, op: str, raw: Any, where: YamlPath, problems: list[Problem]) -> Cmp | None:
    if op == "in":
        if not isinstance(raw, list) or not raw:
            problems.append(Problem(where, "E203", _("'in' takes a non-empty list of answers"),
                                    _("write in: [a, b]")))
            return None
        values = [check_value(q, v, where + (i,), problems) for i, v in enumerate(raw)]
        if any(v is None for v in values):
            return None
        return Cmp(q.id, "in", tuple(dict.fromkeys(v for v in values if v is not None)))
    if op in ORDER_OPS and q.type != "number":
        problems.append(Problem(where, "E332", _("'{op}' compares numbers, but '{question}' is a {type} question")
                                .format(op=op, question=q.id, type=q.type), _("use eq, ne or in")))
        return None
    v = check_value(q, raw, where, problems)
    return None if v is None else Cmp(q.id, op, v)


def check_value(q: Question, raw: Any, where: YamlPath, problems: list[Problem], what: str = "") -> Value | None:
    """*raw* as an answer to *q* (a condition's value or a default), or None with a problem."""
    what = what or _("compared with")
    if q.type == "yes-no":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("yes", "no"):
            return raw.strip().lower() == "yes"
        problems.append(Problem(where, "E332", _("'{question}' is a yes/no question, {what} {found}").format(
            question=q.id, what=what, found=_kind(raw)), _("write yes or no")))
        return None
    if q.type == "number":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw)
        hint = _("write the number alone, without a unit ({unit} is the question's)").format(unit=q.unit) \
            if q.unit and isinstance(raw, str) else _("write a number")
        problems.append(Problem(where, "E332", _("'{question}' is a number question, {what} {found}").format(
            question=q.id, what=what, found=_kind(raw)), hint))
        return None
    # one-of: an option id, or an option's text
    if isinstance(raw, str):
        for o in q.options:
            if raw in (o.id, o.text):
                return o.id
        from engine.suggest import closest, did_you_mean

        guess = closest(raw, [o.id for o in q.options] + [o.text for o in q.options])
        problems.append(Problem(where, "E333", _("'{value}' is not an option of question '{question}'").format(
            value=raw[:60], question=q.id), did_you_mean(guess) or _("options: {names}").format(
            names=", ".join(o.id for o in q.options))))
        return None
    hint = _("write one of its options: {names}").format(names=", ".join(o.id for o in q.options))
    if isinstance(raw, (bool, int, float)):
        spelled = [o.id for o in q.options if o.id.lower() in _YAML_BOOLS] if isinstance(raw, bool) else \
            [o.id for o in q.options if o.id == str(raw)]
        if spelled:
            hint = _("YAML reads this as {found}: quote the option ('{option}')").format(
                found=_kind(raw), option=spelled[0])
    problems.append(Problem(where, "E332", _("'{question}' is a one-of question, {what} {found}").format(
        question=q.id, what=what, found=_kind(raw)), hint))
    return None


_YAML_BOOLS = {"yes", "no", "on", "off", "true", "false", "y", "n"}


def _kind(value: Any) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("true/false ({value})").format(value=str(value).lower())
    if isinstance(value, (int, float)):
        return _("the number {value}").format(value=f"{value:g}")
    if isinstance(value, str):
        return _("text '{value}'").format(value=value[:40])
    return _("a list") if isinstance(value, list) else _("a mapping")


# --- describing -------------------------------------------------------------------------

_SIGN = {"eq": "=", "ne": "≠", "gt": ">", "ge": "≥", "lt": "<", "le": "≤"}


def describe(c: Condition, questions: Mapping[str, Question]) -> str:
    """*c* in readable Chinese: ``营业面积 > 500 m² 且 使用燃气``."""
    if c == TRUE:
        return "所有情形"
    if c == FALSE:
        return "无此情形"
    return _describe(c, questions, top=True)


def _describe(c: Condition, questions: Mapping[str, Question], top: bool = False) -> str:
    if isinstance(c, Cmp):
        return describe_cmp(c, questions[c.question])
    if isinstance(c, Not):
        inner = c.item
        if isinstance(inner, Cmp) and (flipped := _flip(inner, questions[inner.question])) is not None:
            return describe_cmp(flipped, questions[inner.question])
        return f"并非（{_describe(inner, questions, top=True)}）"
    joiner = " 且 " if isinstance(c, All) else " 或 "
    text = joiner.join(_describe(i, questions) for i in c.items)
    return text if top or len(c.items) < 2 else f"（{text}）"


def _flip(c: Cmp, q: Question) -> Cmp | None:
    """The comparison that means ``not c`` for an asked question, where one reads better."""
    opposite = {"eq": "ne", "ne": "eq", "gt": "le", "le": "gt", "ge": "lt", "lt": "ge"}
    if q.type == "yes-no" and c.op in ("eq", "ne"):
        return Cmp(c.question, "eq", (not c.value) if c.op == "eq" else c.value)
    if c.op in opposite and q.type != "yes-no":
        return Cmp(c.question, opposite[c.op], c.value)
    return None


def describe_cmp(c: Cmp, q: Question) -> str:
    if q.type == "yes-no":
        values = c.value if isinstance(c.value, tuple) else (c.value,)
        if c.op == "ne":
            values = tuple(not v for v in values)
        if len(set(values)) == 2:
            return f"{q.label}：是或否"
        return q.answer_text(values[0])
    if q.type == "one-of":
        if c.op == "in":
            return f"{q.label}：" + " 或 ".join(q.answer_text(v) for v in c.value)  # type: ignore[union-attr]
        word = "：" if c.op == "eq" else "不是"
        return f"{q.label}{word}{q.answer_text(c.value)}"  # type: ignore[arg-type]
    if c.op == "in":
        return f"{q.label} 为 " + "、".join(q.number_text(v) for v in c.value) + " 之一"  # type: ignore[arg-type, union-attr]
    return f"{q.label} {_SIGN[c.op]} {q.number_text(c.value)}"  # type: ignore[arg-type]
