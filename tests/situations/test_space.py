"""Regions, situations, the pairwise sample and the smallest forcing answers."""
from __future__ import annotations

import itertools
import math

import pytest

from engine.situations.conditions import Cmp, Problem, parse
from engine.situations.questions import parse_questions
from engine.situations.space import Space, forcing
from engine.validation.loader import load_text


def space(questions_yaml: str, *conditions: str) -> Space:
    problems: list[Problem] = []
    questions = parse_questions(load_text(questions_yaml).data["questions"], problems)
    parsed = [parse(load_text("c: " + c).data["c"], ("c",), questions, problems) for c in conditions]
    assert problems == []
    return Space(questions, [c for c in parsed if c is not None])


AREA = "questions:\n  - {id: area_m2, text: 面积？, label: 营业面积, type: number, unit: m², min: 0}\n"


def test_a_number_question_splits_at_the_thresholds_the_conditions_use() -> None:
    sp = space(AREA, "{area_m2: {gt: 50}}", "{area_m2: {le: 500}}")
    regions = sp.regions["area_m2"]
    assert [r.text for r in regions] == ["营业面积 ≤ 50 m²", "50 m² < 营业面积 ≤ 500 m²", "营业面积 > 500 m²"]
    assert [r.token for r in regions] == ["le50", "gt50-le500", "gt500"]
    assert [sp.region_of("area_m2", v).index for v in (0, 50, 50.5, 500, 501)] == [0, 0, 1, 1, 2]
    assert all(r.contains(r.value) for r in regions)  # each representative lies in its own region


def test_ge_and_gt_put_the_boundary_on_different_sides() -> None:
    ge = space(AREA, "{area_m2: {ge: 300}}").regions["area_m2"]
    gt = space(AREA, "{area_m2: {gt: 300}}").regions["area_m2"]
    assert [r.text for r in ge] == ["营业面积 < 300 m²", "营业面积 ≥ 300 m²"]
    assert [r.text for r in gt] == ["营业面积 ≤ 300 m²", "营业面积 > 300 m²"]
    assert ge[1].contains(300) and gt[0].contains(300)


def test_an_equality_makes_a_point_and_min_max_bound_the_line() -> None:
    sp = space("questions:\n  - {id: n, text: 人数？, label: 人数, type: number, min: 1, max: 10}\n", "{n: 5}")
    assert [r.text for r in sp.regions["n"]] == ["人数 < 5", "人数 = 5", "人数 > 5"]
    assert [(r.low, r.high) for r in sp.regions["n"]] == [(1, 5), (5, 5), (5, 10)]
    assert all(1 <= r.value <= 10 for r in sp.regions["n"])


def test_options_no_condition_tells_apart_are_one_region_and_shares_add_up() -> None:
    sp = space("""\
questions:
  - id: entity
    text: 主体？
    label: 主体类型
    type: one-of
    options: [{id: a, text: 个体, frequency: 0.5}, {id: b, text: 公司, frequency: 0.3}, {id: c, text: 合伙}]
""", "{entity: b}")
    regions = sp.regions["entity"]
    assert [(r.members, r.text) for r in regions] == [(("a", "c"), "主体类型：个体 或 合伙"), (("b",), "主体类型：公司")]
    assert [round(r.share, 6) for r in regions] == [0.7, 0.3]  # c gets the rest, 0.2


def test_situations_follow_when_and_their_weights_add_up_to_one() -> None:
    sp = space("""\
questions:
  - {id: area_m2, text: 面积？, label: 营业面积, type: number, frequency: [{up_to: 300, share: 0.75}, {share: 0.25}]}
  - {id: mode, text: 方式？, label: 方式, type: one-of, when: {area_m2: {gt: 300}},
     options: [{id: promise, text: 承诺, frequency: 0.8}, {id: inspect, text: 检查}]}
""", "{mode: inspect}")
    enum = sp.enumerate()
    assert enum.exhaustive and enum.combinations == 4
    assert [s.describe() for s in enum.situations] == [
        "营业面积 ≤ 300", "营业面积 > 300 且 方式：承诺", "营业面积 > 300 且 方式：检查"]
    assert [round(s.weight, 6) for s in enum.situations] == [0.75, 0.2, 0.05]
    assert math.isclose(sum(s.weight for s in enum.situations), 1.0)
    assert enum.situations[0].answers["mode"] is None  # not asked


def test_past_the_limit_a_pairwise_sample_covers_every_pair_of_answers() -> None:
    yes_no = "".join(f"  - {{id: q{i}, text: 问{i}？, type: yes-no}}\n" for i in range(12))
    sp = space("questions:\n" + yes_no, *[f"{{q{i}: yes}}" for i in range(12)])
    enum = sp.enumerate(limit=1000)
    assert not enum.exhaustive and enum.combinations == 4096
    assert len(enum.situations) < 40
    seen = {(a, s.answers[a], b, s.answers[b]) for s in enum.situations for a, b in itertools.combinations(sp.relevant, 2)}
    assert len(seen) == 66 * 4  # every two questions, every two answers
    keys = [s.key for s in enum.situations]
    assert len(keys) == len(set(keys))
    assert all(s.answers[q] is True for q in sp.relevant for s in enum.situations[-2:-1]) or \
        any(all(s.answers[q] for q in sp.relevant) for s in enum.situations)  # the all-yes boundary is there


def test_forcing_finds_the_fewest_answers() -> None:
    sp = space("""\
questions:
  - {id: a, text: 甲？, type: yes-no, labels: {yes: 甲, no: 非甲}}
  - {id: b, text: 乙？, type: yes-no, labels: {yes: 乙, no: 非乙}}
  - {id: c, text: 丙？, type: yes-no, labels: {yes: 丙, no: 非丙}}
""", "{a: yes}", "{b: yes}", "{c: yes}")
    enum = sp.enumerate()
    bad = [s.answers["b"] is False and (s.answers["a"] or s.answers["c"]) for s in enum.situations]
    s = forcing(enum.situations, bad)
    assert s is not None and s.describe() == "甲 且 非乙"
    assert forcing(enum.situations, [False] * len(bad)) is None
    assert forcing(enum.situations, [True] * len(bad)).describe() == "所有情形"  # type: ignore[union-attr]


@pytest.mark.parametrize("value", [0, 49.9, 50, 300, 10**9])
def test_concrete_answers_fall_in_exactly_one_region(value: float) -> None:
    sp = space(AREA, "{area_m2: {gt: 50}}", "{area_m2: {in: [300]}}")
    assert sum(r.contains(value) for r in sp.regions["area_m2"]) == 1
    s = sp.situation({"area_m2": value})
    assert s.picks[0][1] is not None and s.picks[0][1].contains(value)
    assert Cmp("area_m2", "gt", 50.0) in sp.comparisons["area_m2"]
