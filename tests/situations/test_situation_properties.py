"""Property tests: random items with random questions and conditions.

For every item that validates, every situation is a sound flow: acyclic, closed (each need
and each produced material it uses is there), optimized ≤ serial and within the commitment.
For every item, the situation findings agree with an oracle written here independently:
a brute-force walk over a grid of answers that touches every region (each threshold, and
one value on either side of it) with a small evaluator of its own.
"""
from __future__ import annotations

import itertools
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.flow import graph
from engine.flow.analysis import analyze
from engine.situations import analyze_situations, situations, specialise
from engine.validation.diagnostics import CODES
from engine.validation.tree import validate_paths

SETTINGS = settings(max_examples=int(os.environ.get("LIANBAN_EXAMPLES") or 60), deadline=timedelta(seconds=5),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
THRESHOLDS = (10, 50, 100)
OPS = ("gt", "ge", "lt", "le", "eq", "ne")


@st.composite
def conditions(draw: st.DrawFn, questions: list[dict[str, Any]], depth: int = 0) -> dict[str, Any]:
    kind = draw(st.sampled_from(["atom", "atom", "atom", "any", "all", "not"] if depth < 2 else ["atom"]))
    if kind in ("any", "all"):
        return {kind: draw(st.lists(conditions(questions, depth + 1), min_size=1, max_size=3))}
    if kind == "not":
        return {"not": draw(conditions(questions, depth + 1))}
    q = draw(st.sampled_from(questions))
    if q["type"] == "yes-no":
        return {q["id"]: draw(st.booleans())}
    if q["type"] == "one-of":
        ids = [o["id"] for o in q["options"]]
        return {q["id"]: draw(st.one_of(st.sampled_from(ids), st.lists(st.sampled_from(ids), min_size=1, max_size=2,
                                                                          unique=True)))}
    return {q["id"]: {draw(st.sampled_from(OPS)): draw(st.sampled_from(THRESHOLDS))}}


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    questions: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["yes-no", "one-of", "number"]))
        q: dict[str, Any] = {"id": f"q{i}", "text": f"问题{i}？", "type": kind}
        if kind == "one-of":
            q["options"] = [{"id": f"o{j}", "text": f"选项{j}"} for j in range(draw(st.integers(2, 3)))]
        if kind == "number":
            q["min"] = 0
        if questions and draw(st.integers(0, 4)) == 0:
            q["when"] = draw(conditions(questions, 2))
        questions.append(q)

    def maybe(value: str, key: str) -> Any:
        return {key: value, "when": draw(conditions(questions))} if draw(st.integers(0, 2)) == 0 else value

    steps: list[dict[str, Any]] = []
    for k in range(draw(st.integers(2, 6))):
        step: dict[str, Any] = {"id": f"s{k}", "name": f"步骤{k}", "department": "市场监管局",
                                "days": draw(st.sampled_from([0.5, 1, 2, 3]))}
        if draw(st.booleans()):
            step["when"] = draw(conditions(questions))
        earlier = [s["id"] for s in steps]
        if earlier:
            step["needs"] = [maybe(n, "step") for n in draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))]
            made = [f"m{j}" for j, s in enumerate(steps) if s.get("produces")]
            if made:
                step["materials"] = [maybe(m, "material") for m in
                                     draw(st.lists(st.sampled_from(made), max_size=2, unique=True))]
        if draw(st.booleans()):
            step["produces"] = [maybe(f"m{k}", "material")]
        steps.append(step)
    item: dict[str, Any] = {"id": "rand", "name": "随机事项", "lead": "市场监管局", "questions": questions,
                            "materials": [{"id": f"m{k}", "name": f"材料{k}"} for k in range(len(steps))],
                            "steps": steps}
    if draw(st.booleans()):
        item["commitment"] = draw(st.sampled_from([1, 2, 4, 8]))
    return item


# --- the oracle -------------------------------------------------------------------------------

def holds(c: Any, a: dict[str, Any]) -> bool:
    if c is None:
        return True
    out = True
    for key, value in c.items():
        if key == "any":
            out = out and any(holds(x, a) for x in value)
        elif key == "all":
            out = out and all(holds(x, a) for x in value)
        elif key == "not":
            out = out and not holds(value, a)
        else:
            v = a.get(key)
            if v is None:
                return False
            if isinstance(value, dict):
                (op, t), = value.items()
                out = out and {"gt": v > t, "ge": v >= t, "lt": v < t, "le": v <= t, "eq": v == t, "ne": v != t}[op]
            elif isinstance(value, list):
                out = out and v in value
            else:
                out = out and v == value
    return out


def grid(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    domains = []
    for q in questions:
        if q["type"] == "yes-no":
            domains.append([True, False])
        elif q["type"] == "one-of":
            domains.append([o["id"] for o in q["options"]])
        else:
            domains.append(sorted({0, *[t + d for t in THRESHOLDS for d in (-1, 0, 1)]}))
    out = []
    for combo in itertools.product(*domains):
        answers: dict[str, Any] = {}
        for q, v in zip(questions, combo, strict=True):
            answers[q["id"]] = v if holds(q.get("when"), answers) else None
        out.append(answers)
    return out


def entries(step: dict[str, Any], key: str, inner: str) -> list[tuple[str, Any]]:
    return [(e[inner], e["when"]) if isinstance(e, dict) else (e, None) for e in step.get(key, [])]


def expected(item: dict[str, Any]) -> tuple[set[tuple[str, str]], set[tuple[str, str]], set[str], bool]:
    """(dangling needs, materials without producer, steps in no situation, commitment broken somewhere)."""
    steps = {s["id"]: s for s in item["steps"]}
    needs: set[tuple[str, str]] = set()
    orphans: set[tuple[str, str]] = set()
    alive: set[str] = set()
    broken = False
    for a in grid(item["questions"]):
        present = [s for s in item["steps"] if holds(s.get("when"), a)]
        ids = {s["id"] for s in present}
        alive |= ids
        producer: dict[str, str] = {}
        for s in present:
            for m, c in entries(s, "produces", "material"):
                if holds(c, a):
                    producer.setdefault(m, s["id"])
        finish: dict[str, float] = {}
        for s in present:
            preds = []
            for n, c in entries(s, "needs", "step"):
                if holds(c, a):
                    (preds.append(n) if n in ids else needs.add((s["id"], n)))
            for m, c in entries(s, "materials", "material"):
                if holds(c, a):
                    (preds.append(producer[m]) if m in producer else orphans.add((s["id"], m)))
            finish[s["id"]] = max((finish[p] for p in preds if p in finish), default=0) + s["days"]
        if "commitment" in item and max(finish.values(), default=0) > item["commitment"]:
            broken = True
    dead = {sid for sid, s in steps.items() if "when" in s and sid not in alive}
    return needs, orphans, dead, broken


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("situations")


@SETTINGS
@given(item=items())
def test_findings_agree_with_the_oracle_and_every_situation_is_sound(workdir: Path, item: dict[str, Any]) -> None:
    path = workdir / "rand.yaml"
    path.write_text(yaml.safe_dump(item, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = validate_paths([path])
    diags = result.diagnostics
    assert all(d.code in CODES for d in diags)
    needs, orphans, dead, broken = expected(item)
    got_needs = {re.match(r"step '(\S+)' needs step '(\S+)'", d.message).groups()  # type: ignore[union-attr]
                 for d in diags if d.code == "E335"}
    got_orphans = {(m.group(1), "m" + m.group(2)) for d in diags if d.code == "E336"
                   and (m := re.match(r"step '(\S+)' uses '材料(\d+)'", d.message))}
    got_dead = {m.group(1) for d in diags if d.code == "W341" and (m := re.match(r"step '(\S+)' is in no", d.message))}
    assert got_needs == needs
    assert got_orphans == orphans
    assert got_dead == dead
    assert any(d.code in ("E309", "E337") for d in diags) == broken
    assert not [d for d in diags if d.is_error and d.code not in ("E309", "E310", "E335", "E336", "E337")], diags
    if not result.items:
        return
    model = result.items[0]
    enum = situations(model)
    assert enum.exhaustive
    report = analyze_situations(model)
    assert [r.situation for r in report.results] == enum.situations
    for s, fast in zip(enum.situations, report.results, strict=True):
        special = specialise(model, s)
        ids = [step.id for step in special.steps]
        made = {m for step in special.steps for m in step.produces}
        for step in special.steps:  # closed
            general = model.step(step.id)
            active = [n for n in general.needs
                      if all(not (k == "needs" and t == n) or _holds(c, special) for k, t, c in general.entry_when)]
            assert set(active) <= set(ids), (s.describe(), step.id, active)
            assert all(m in made for m in step.materials), (s.describe(), step.id)
        rows = [(step.id, step.needs, step.materials, step.produces) for step in special.steps]
        assert graph.build(rows).find_cycle() is None  # acyclic
        a = analyze(special)
        assert (fast.metrics, fast.result.critical_path) == (a.metrics, tuple(a.critical_path))  # the fast figures
        assert a.metrics.optimized_days <= a.metrics.serial_days
        if model.commitment is not None:
            assert a.metrics.optimized_days <= model.commitment


def _holds(c: Any, special: Any) -> bool:
    from engine.situations import holds as engine_holds

    return bool(engine_holds(c, special.situation.answers))
