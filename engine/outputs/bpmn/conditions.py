"""Situations in BPMN: one process for every situation, a step's ``when`` as a gateway on process variables.

An item that asks questions exports (without ``--answers``) as one process over every step of the
definition. A step with a ``when`` sits between an exclusive split gateway and an exclusive merge
gateway: the split's conditional sequence flow to the task carries the condition, and its default
flow goes straight to the merge (the step is skipped). The order is the union of every situation's
dependencies (:func:`union_analysis`): each situation's own order always holds; a step after a
skipped one also waits for that one's own predecessors.

Conditions read process variables named after the question ids, which the process must be started
with: every question's answer (yes/no as a boolean, one-of as the option id, a number as a number),
null for a question the situation does not ask. Each flavour writes them in its engine's expression
language (:data:`LANGUAGES`): Python for plain (SpiffWorkflow's), JUEL ``${...}`` for Camunda 7 and
Flowable, FEEL ``=...`` for Zeebe. Every comparison is guarded against null (an unasked question
satisfies no comparison, as everywhere in lianban). Only option ids and numbers reach an expression,
as string or number literals: no definition text is evaluated.
"""
from __future__ import annotations

import keyword
from collections.abc import Callable, Mapping
from dataclasses import replace

from engine.errors import LianbanError
from engine.flow.analysis import Analysis, analyze
from engine.i18n import _
from engine.model import Item
from engine.situations.conditions import TRUE, All, AnyOf, Cmp, Condition, Not, Value

_JUEL_RESERVED = {"and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "true", "false", "null", "instanceof",
                  "empty", "div", "mod", "execution", "task"}
_FEEL_RESERVED = {"and", "or", "not", "true", "false", "null", "for", "in", "return", "if", "then", "else", "some",
                  "every", "satisfies", "instance", "of", "function", "between", "external"}


def union_analysis(general: Item) -> Analysis:
    """The analysis of every step of *general* together, ordered by the union of every situation's
    dependencies: all needs, and a material from every step that may issue it."""
    producers: dict[str, list[str]] = {}
    for s in general.steps:  # conditional entries are in the lists too (specialising filters them)
        for m in s.produces:
            producers.setdefault(m, []).append(s.id)
    several = {m for m, ps in producers.items() if len(ps) > 1}

    def alias(m: str, sid: str) -> str:
        return f"{m}\x00{sid}"

    def used(m: str, sid: str) -> list[str]:
        """What a step that uses *m* waits for: every other step that may issue it."""
        if m not in several:
            return [m]
        return [alias(m, p) for p in producers[m] if p != sid] or [m]

    materials = dict(general.materials)
    steps = []
    for s in general.steps:
        mats = tuple(x for m in s.materials for x in used(m, s.id))
        made = tuple(alias(m, s.id) if m in several else m for m in s.produces)
        for m in several & {*s.materials, *s.produces}:
            for p in producers[m]:
                if m in general.materials:
                    materials[alias(m, p)] = general.materials[m]
        steps.append(replace(s, when=TRUE, entry_when=(), materials=mats, produces=made,
                             fields=tuple(replace(f, when=TRUE) for f in s.fields)))
    may_hold = tuple(x for m in general.may_hold for x in ([alias(m, p) for p in producers[m]] if m in several else [m]))
    union = replace(general, steps=tuple(steps), materials=materials, questions=(), may_hold=may_hold,
                    situation=None, general=None)
    return analyze(union)


def step_conditions(general: Item) -> dict[str, Condition]:
    """The steps of *general* that exist only in some situations, with their condition."""
    return {s.id: s.when for s in general.steps if s.when != TRUE}


def check_names(general: Item) -> None:
    """Question ids are process variables: refuse one that an expression language reserves."""
    for q in general.questions:
        if q.id in _JUEL_RESERVED or q.id in _FEEL_RESERVED or keyword.iskeyword(q.id) or keyword.issoftkeyword(q.id):
            raise LianbanError(_("question id '{id}' is a reserved word of an expression language (JUEL, FEEL or "
                                 "Python), so it cannot name a BPMN process variable: rename the question").format(
                                     id=q.id))


# --- the three expression languages -----------------------------------------------------------------

def _python_literal(v: Value) -> str:
    return repr(v) if not isinstance(v, float) else (str(int(v)) if v.is_integer() else repr(v))


def _juel_literal(v: Value) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _feel_literal(v: Value) -> str:
    from engine.outputs.bpmn.zeebe import feel_string

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return feel_string(v)


_OPS = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
LANGUAGES: dict[str, tuple[Callable[[Value], str], dict[str, str], str, str, str, str]] = {
    # literal, comparison operators, and, or, not-template, null-guard-template
    "python": (_python_literal, _OPS, " and ", " or ", "not ({})", "{} is not None"),
    "juel": (_juel_literal, _OPS, " && ", " || ", "!({})", "{} != null"),
    "feel": (_feel_literal, {**_OPS, "eq": "="}, " and ", " or ", "not({})", "{} != null"),
}


def expression(c: Condition, language: str) -> str:
    """*c* in *language* (``python``, ``juel`` or ``feel``), over variables named after the questions."""
    literal, ops, conj, disj, negate, guard = LANGUAGES[language]
    if c == TRUE:
        return "true" if language != "python" else "True"
    if isinstance(c, Cmp):
        if c.op == "in":
            values = c.value if isinstance(c.value, tuple) else (c.value,)
            test = disj.join(f"{c.question} {ops['eq']} {literal(v)}" for v in values)
        else:
            test = f"{c.question} {ops[c.op]} {literal(c.value)}"  # type: ignore[arg-type]
        return f"({guard.format(c.question)}{conj}({test}))"
    if isinstance(c, Not):
        return negate.format(expression(c.item, language))
    if isinstance(c, AnyOf) and not c.items:
        return "false" if language != "python" else "False"
    joiner = conj if isinstance(c, All) else disj
    return "(" + joiner.join(expression(i, language) for i in c.items) + ")"


def variables(general: Item, answers: Mapping[str, Value | None]) -> dict[str, Value | None]:
    """The process variables that start the process in the situation of *answers* (completed)."""
    return {q.id: answers.get(q.id) for q in general.questions}
