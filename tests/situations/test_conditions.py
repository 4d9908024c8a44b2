"""Conditions: parsed from the YAML forms an analyst writes, evaluated, described in Chinese."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.situations.conditions import (
    FALSE,
    TRUE,
    All,
    AnyOf,
    Cmp,
    Not,
    Problem,
    compile_condition,
    conj,
    describe,
    disj,
    holds,
    neg,
    parse,
)
from engine.situations.questions import parse_questions
from engine.validation.loader import load_text

QUESTIONS_YAML = """\
questions:
  - {id: area_m2, text: 经营场所面积是多少？, label: 营业面积, type: number, unit: m²}
  - {id: gas, text: 是否使用燃气？, type: yes-no, labels: {yes: 使用燃气, no: 不使用燃气}}
  - id: entity
    text: 以什么主体开店？
    label: 主体类型
    type: one-of
    options: [{id: individual, text: 个体工商户}, {id: company, text: 公司}, {id: sole, text: 个人独资企业}]
  - {id: mode, text: 办理方式, type: one-of, options: [{id: "on", text: 线上}, {id: "off", text: 线下}]}
"""
QUESTIONS = parse_questions(load_text(QUESTIONS_YAML).data["questions"], [])


def cond(yaml_text: str) -> tuple[object, list[Problem]]:
    raw = load_text("c: " + yaml_text).data["c"]
    problems: list[Problem] = []
    return parse(raw, ("when",), QUESTIONS, problems), problems


@pytest.mark.parametrize(("text", "expected"), [
    ("{gas: yes}", Cmp("gas", "eq", True)),
    ("{gas: 'yes'}", Cmp("gas", "eq", True)),                       # quoted: still the answer yes
    ("{area_m2: {gt: 500}}", Cmp("area_m2", "gt", 500.0)),
    ("{area_m2: 300}", Cmp("area_m2", "eq", 300.0)),
    ("{entity: [company, sole]}", Cmp("entity", "in", ("company", "sole"))),
    ("{entity: 公司}", Cmp("entity", "eq", "company")),               # an option's text names it too
    ("{area_m2: {gt: 50, le: 500}}", All((Cmp("area_m2", "gt", 50.0), Cmp("area_m2", "le", 500.0)))),
    ("{area_m2: {gt: 500}, gas: yes}", All((Cmp("area_m2", "gt", 500.0), Cmp("gas", "eq", True)))),
    ("{any: [{gas: yes}, {not: {entity: company}}]}",
     AnyOf((Cmp("gas", "eq", True), Not(Cmp("entity", "eq", "company"))))),
])
def test_written_forms_parse_to_the_ast(text: str, expected: object) -> None:
    got, problems = cond(text)
    assert problems == []
    assert got == expected


@pytest.mark.parametrize(("text", "code", "message"), [
    ("{area: {gt: 5}}", "E331", "unknown question 'area' in a condition"),
    ("{area_m2: {gt: 300m²}}", "E332", "'area_m2' is a number question, compared with text '300m²'"),
    ("{gas: 1}", "E332", "'gas' is a yes/no question, compared with the number 1"),
    ("{entity: {gt: company}}", "E332", "'gt' compares numbers, but 'entity' is a one-of question"),
    ("{entity: compny}", "E333", "'compny' is not an option of question 'entity'"),
    ("{mode: on}", "E332", "'mode' is a one-of question, compared with true/false (true)"),
    ("{area_m2: {bigger: 5}}", "E204", "unknown comparison 'bigger'"),
    ("{any: {gas: yes}}", "E203", "'any' takes a list of conditions"),
    ("[gas]", "E203", "a condition is a mapping such as {area_m2: {gt: 500}}, found a list"),
    ("{}", "E204", "empty condition"),
])
def test_problems_are_named(text: str, code: str, message: str) -> None:
    got, problems = cond(text)
    assert got is None
    assert [(p.code, p.message) for p in problems] == [(code, message)]


def test_yaml_reads_an_unquoted_on_as_true_and_the_hint_says_so() -> None:
    _got, problems = cond("{mode: on}")
    assert problems[0].hint == "YAML reads this as true/false (true): quote the option ('on')"


def test_unknown_names_get_a_suggestion() -> None:
    _got, problems = cond("{are_m2: {gt: 5}}")
    assert problems[0].hint == "did you mean 'area_m2'?"
    assert problems[0].key  # located at the key, not the value


ANSWERS = {"area_m2": 600.0, "gas": False, "entity": "company", "mode": None}


@pytest.mark.parametrize(("text", "expected"), [
    ("{area_m2: {gt: 500}}", True), ("{area_m2: {gt: 600}}", False), ("{area_m2: {ge: 600}}", True),
    ("{area_m2: {lt: 600}}", False), ("{area_m2: {le: 600}}", True), ("{area_m2: {ne: 600}}", False),
    ("{gas: yes}", False), ("{gas: no}", True), ("{entity: [company, sole]}", True),
    ("{any: [{gas: yes}, {entity: company}]}", True), ("{all: [{gas: yes}, {entity: company}]}", False),
    ("{mode: 'on'}", False),             # not asked: no comparison holds
    ("{mode: {ne: 'on'}}", False),       # not even ne
    ("{not: {mode: 'on'}}", True),       # so its negation holds
])
def test_evaluation(text: str, expected: bool) -> None:
    c, problems = cond(text)
    assert problems == [] and c is not None
    assert holds(c, ANSWERS) is expected  # type: ignore[arg-type]
    assert compile_condition(c)(ANSWERS) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "chinese"), [
    ("{area_m2: {gt: 500}, gas: yes}", "营业面积 > 500 m² 且 使用燃气"),
    ("{not: {area_m2: {gt: 500}}}", "营业面积 ≤ 500 m²"),
    ("{not: {gas: yes}}", "不使用燃气"),
    ("{entity: [company, sole]}", "主体类型：公司 或 个人独资企业"),
    ("{entity: {ne: company}}", "主体类型不是公司"),
    ("{any: [{all: [{gas: yes}, {area_m2: {ge: 50}}]}, {entity: company}]}",
     "（使用燃气 且 营业面积 ≥ 50 m²） 或 主体类型：公司"),
    ("{not: {any: [{gas: yes}, {entity: company}]}}", "并非（使用燃气 或 主体类型：公司）"),
    ("{area_m2: [50, 100]}", "营业面积 为 50 m²、100 m² 之一"),
])
def test_described_as_an_analyst_reads_it_aloud(text: str, chinese: str) -> None:
    c, _problems = cond(text)
    assert c is not None
    assert describe(c, QUESTIONS) == chinese  # type: ignore[arg-type]


def test_constants_and_builders_simplify() -> None:
    a, b = Cmp("gas", "eq", True), Cmp("entity", "eq", "company")
    assert conj(TRUE, a) == a and conj(a, FALSE) == FALSE and conj(a, a) == a
    assert disj(FALSE, a) == a and disj(a, TRUE) == TRUE
    assert conj(All((a,)), b) == All((a, b))
    assert neg(neg(a)) == a and neg(TRUE) == FALSE
    assert describe(TRUE, QUESTIONS) == "所有情形"
    always: Callable[..., bool] = compile_condition(TRUE)
    assert always({}) is True
