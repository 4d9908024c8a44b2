"""Flow analysis: hand-computed metrics on small items, and properties on random DAGs."""
from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from helpers import item_from_yaml, model_item
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.flow.analysis import analyze, total
from engine.model import Item

CATALOG_DEPARTMENTS = """\
departments:
  - {name: 市场监管局, aliases: [市场监管]}
  - {name: 税务局}
  - {name: 公安局}
  - {name: 人社局}
"""
CATALOG_MATERIALS = """\
materials:
  - {id: id-card, name: 居民身份证, aliases: [身份证]}
  - {id: business-licence, name: 营业执照}
  - {id: licence-copy, name: 营业执照复印件}
  - {id: lease, name: 经营场所租赁合同}
  - {id: seal-print, name: 发票专用章印模}
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    cat = tmp_path / "catalog"
    cat.mkdir()
    (cat / "departments.yaml").write_text(CATALOG_DEPARTMENTS, encoding="utf-8")
    (cat / "materials.yaml").write_text(CATALOG_MATERIALS, encoding="utf-8")
    return tmp_path


def item_from(tree: Path, body: str) -> Item:
    """A validated item of the test tree (its own catalog)."""
    return item_from_yaml(tree, body, catalog=None)


def steps_yaml(*rows: str) -> str:
    return "steps:\n" + "\n".join(f"  - {r}" for r in rows) + "\n"


HEAD = "id: {id}\nname: 测试事项\nlead: 市场监管局\npartners: [税务局, 公安局, 人社局]\n"


def make(tree: Path, item_id: str, *rows: str, extra: str = "") -> Item:
    return item_from(tree, HEAD.format(id=item_id) + extra + steps_yaml(*rows))


def test_chain(tree: Path) -> None:
    a = analyze(make(tree, "chain",
                     "{id: a, name: 甲, department: 市场监管局, days: 2}",
                     "{id: b, name: 乙, department: 税务局, days: 3, needs: [a]}",
                     "{id: c, name: 丙, department: 公安局, days: 1, needs: [b]}"))
    m = a.metrics
    assert (m.serial_days, m.optimized_days, m.saved_days, m.saved_ratio) == (6, 6, 0, 0.0)
    assert a.stages == [["a"], ["b"], ["c"]]
    assert a.critical_path == ["a", "b", "c"]
    assert [a.schedule[s].slack for s in "abc"] == [0, 0, 0]
    assert (a.schedule["c"].earliest_start, a.schedule["c"].earliest_finish) == (5, 6)


def test_diamond(tree: Path) -> None:
    a = analyze(make(tree, "diamond",
                     "{id: a, name: 甲, department: 市场监管局, days: 1}",
                     "{id: b, name: 乙, department: 税务局, days: 2, needs: [a]}",
                     "{id: c, name: 丙, department: 公安局, days: 3, needs: [a]}",
                     "{id: d, name: 丁, department: 人社局, days: 1, needs: [b, c]}"))
    m = a.metrics
    assert (m.serial_days, m.optimized_days, m.saved_days) == (7, 5, 2)
    assert m.saved_ratio == round(2 / 7, 4)
    assert a.stages == [["a"], ["b", "c"], ["d"]]
    assert a.critical_path == ["a", "c", "d"]
    b = a.schedule["b"]
    assert (b.earliest_start, b.earliest_finish, b.latest_start, b.latest_finish, b.slack) == (1, 3, 2, 4, 1)
    assert (m.steps_before, m.steps_after, m.stages_before, m.stages_after) == (4, 3, 4, 3)


def test_fully_parallel(tree: Path) -> None:
    a = analyze(make(tree, "parallel",
                     "{id: a, name: 甲, department: 市场监管局, days: 1}",
                     "{id: b, name: 乙, department: 税务局, days: 2}",
                     "{id: c, name: 丙, department: 公安局, days: 3}"))
    assert (a.metrics.serial_days, a.metrics.optimized_days) == (6, 3)
    assert a.stages == [["a", "b", "c"]]
    assert a.critical_path == ["c"]
    assert {s: a.schedule[s].slack for s in "abc"} == {"a": 2, "b": 1, "c": 0}


def test_produced_materials_create_the_order_and_are_not_asked(tree: Path) -> None:
    a = analyze(make(tree, "produced",
                     "{id: permit, name: 许可, department: 公安局, days: 2, materials: [营业执照, 身份证]}",
                     "{id: licence, name: 执照, department: 市场监管局, days: 1, materials: [id-card, lease],"
                     " produces: [business-licence]}",
                     "{id: tax, name: 税务, department: 税务局, days: 1, materials: [business-licence, 居民身份证]}",
                     "{id: social, name: 社保, department: 人社局, days: 0.5, materials: [lease]}"))
    m = a.metrics
    assert m.materials_before == 2 + 2 + 2 + 1
    # distinct: id-card, business-licence, lease; less the produced licence
    assert m.materials_after == 2
    assert [x.id for x in a.applicant_materials] == ["id-card", "lease"]
    licence = next(x for x in a.materials if x.id == "business-licence")
    assert licence.produced_by == "licence" and licence.steps == ("permit", "tax")
    ids = next(x for x in a.materials if x.id == "id-card")
    assert ids.steps == ("permit", "licence", "tax") and ids.submissions == 3
    assert a.stages == [["licence", "social"], ["permit", "tax"]]
    assert a.critical_path == ["licence", "permit"]
    assert a.metrics.optimized_days == 3
    edges = {(d.source, d.target, d.material) for d in a.dependencies}
    assert edges == {("licence", "permit", "business-licence"), ("licence", "tax", "business-licence")}
    view = a.department_view("税务局")
    assert [(r.material, r.from_step, r.from_department) for r in view.steps[0].receives] == \
        [("business-licence", "licence", "市场监管局")]
    assert view.start == 1 and view.deadline == 3


def test_half_days_and_ties_follow_definition_order(tree: Path) -> None:
    a = analyze(make(tree, "halves",
                     "{id: c, name: 丙, department: 公安局, days: 2}",
                     "{id: a, name: 甲, department: 市场监管局, days: 0.5}",
                     "{id: b, name: 乙, department: 税务局, days: 1.5, needs: [a]}"))
    assert a.metrics.serial_days == 4 and a.metrics.optimized_days == 2
    assert a.critical_path == ["c"]  # c and a→b both take 2 days; c is defined first
    assert all(a.schedule[s].slack == 0 for s in "abc")
    b = analyze(make(tree, "halves-two",
                     "{id: a, name: 甲, department: 市场监管局, days: 0.5}",
                     "{id: b, name: 乙, department: 税务局, days: 1.5, needs: [a]}",
                     "{id: c, name: 丙, department: 公安局, days: 2}"))
    assert b.critical_path == ["a", "b"]


def test_ties_inside_a_path_pick_the_first_defined_successor(tree: Path) -> None:
    a = analyze(make(tree, "tie",
                     "{id: a, name: 甲, department: 市场监管局, days: 1}",
                     "{id: y, name: 乙, department: 税务局, days: 2, needs: [a]}",
                     "{id: x, name: 丙, department: 公安局, days: 2, needs: [a]}",
                     "{id: z, name: 丁, department: 人社局, days: 1, needs: [x, y]}"))
    assert a.critical_path == ["a", "y", "z"]


def test_visits(tree: Path) -> None:
    a = analyze(make(tree, "visits",
                     "{id: a, name: 甲, department: 市场监管局, days: 1, visits: 2}",
                     "{id: b, name: 乙, department: 税务局, days: 1, visits: 3}",
                     "{id: c, name: 丙, department: 公安局, days: 1}",
                     extra="joint_visits: 0\n"))
    assert (a.metrics.visits_before, a.metrics.visits_after) == (6, 0)


def test_look_alike_materials_are_suggested_not_merged(tree: Path) -> None:
    a = analyze(make(tree, "alike",
                     "{id: a, name: 甲, department: 市场监管局, days: 1, materials: [营业执照]}",
                     "{id: b, name: 乙, department: 税务局, days: 1, materials: [营业执照复印件]}"))
    assert a.metrics.materials_after == 2
    assert [d.code for d in a.suggestions] == ["I501"]
    s = a.suggestions[0]
    assert "营业执照" in s.message and "营业执照复印件" in s.message
    assert (s.line, s.col) == (7, 60)  # the reference in step b


def test_json_contract(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make(tree, "json-a", "{id: a, name: 甲, department: 市场监管局, days: 2, materials: [id-card]}",
         "{id: b, name: 乙, department: 税务局, days: 1, materials: [id-card]}")
    make(tree, "json-b", "{id: a, name: 甲, department: 市场监管局, days: 3, visits: 2}",
         "{id: b, name: 乙, department: 税务局, days: 1, needs: [a]}")
    assert main(["analyze", str(tree), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"items", "total"}
    first = doc["items"][0]
    for key in ("id", "name", "lead", "partners", "serial_days", "optimized_days", "saved_days", "saved_ratio",
                "materials_before", "materials_after", "visits_before", "visits_after", "steps_before",
                "steps_after", "stages_before", "stages_after", "stages", "critical_path"):
        assert key in first
    assert first["lead"] == "市场监管局" and first["partners"] == ["税务局", "公安局", "人社局"]
    days_and_materials = (first["serial_days"], first["optimized_days"], first["materials_before"], first["materials_after"])
    assert days_and_materials == (3, 2, 2, 1)
    t = doc["total"]
    assert (t["items"], t["serial_days"], t["optimized_days"], t["saved_days"]) == (2, 7, 6, 1)
    assert (t["materials_before"], t["materials_after"], t["visits_before"], t["visits_after"]) == (2, 1, 5, 2)


def test_analyze_reports_invalid_items_and_exits_1(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "bad.yaml").write_text(HEAD.format(id="bad") + steps_yaml("{id: a, name: 甲, department: 市场监督局, days: 1}"),
                                   encoding="utf-8")
    assert main(["analyze", str(tree / "bad.yaml")]) == 1
    assert "E304" in capsys.readouterr().err


# --- properties on random DAGs -------------------------------------------------------------

@st.composite
def random_items(draw: st.DrawFn) -> Item:
    n = draw(st.integers(1, 9))
    days = draw(st.lists(st.sampled_from([0.5, 1, 1.5, 2, 3, 5, 8]), min_size=n, max_size=n))
    mats = [f"m{i}" for i in range(5)]
    steps: list[dict[str, Any]] = []
    producers: dict[str, int] = {}
    for i in range(n):
        needs = tuple(f"s{j}" for j in range(i) if draw(st.booleans()) and draw(st.booleans()))
        used = tuple(sorted(set(draw(st.lists(st.sampled_from(mats), max_size=3)))))
        produces: tuple[str, ...] = ()
        free = [m for m in mats if m not in producers and m not in used]
        if free and draw(st.booleans()):
            produces = (draw(st.sampled_from(free)),)
            producers[produces[0]] = i
        steps.append({"id": f"s{i}", "name": f"步骤{i}", "department": "市场监管局", "days": float(days[i]),
                      "needs": needs, "materials": used, "produces": produces, "visits": draw(st.integers(0, 3))})
    return model_item(steps, item_id="random", name="随机")


def _longest_through(item: Item, edges: set[tuple[str, str]]) -> dict[str, float]:
    ids = [s.id for s in item.steps]
    dur = {s.id: s.days for s in item.steps}
    memo_in: dict[str, float] = {}
    memo_out: dict[str, float] = {}

    def ending(v: str) -> float:  # longest chain ending with v
        if v not in memo_in:
            memo_in[v] = dur[v] + max((ending(u) for u, w in edges if w == v), default=0.0)
        return memo_in[v]

    def starting(v: str) -> float:
        if v not in memo_out:
            memo_out[v] = dur[v] + max((starting(w) for u, w in edges if u == v), default=0.0)
        return memo_out[v]

    return {v: ending(v) + starting(v) - dur[v] for v in ids}


@settings(max_examples=150, deadline=None)
@given(random_items())
def test_properties_on_random_dags(item: Item) -> None:
    a = analyze(item)
    m = a.metrics
    edges = {(d.source, d.target) for d in a.dependencies}
    through = _longest_through(item, edges)
    assert m.optimized_days <= m.serial_days
    assert m.optimized_days >= max(s.days for s in item.steps)
    assert m.optimized_days == max(through.values())  # ≥ every chain, and reached by one
    assert m.materials_after <= m.materials_before
    for s in item.steps:
        t = a.schedule[s.id]
        assert t.slack >= 0
        assert (t.slack == 0) == (through[s.id] == m.optimized_days)
    stage_of = {sid: i for i, stage in enumerate(a.stages) for sid in stage}
    assert all(stage_of[u] < stage_of[v] for u, v in edges)
    cp = a.critical_path
    assert sum(item.step(s).days for s in cp) == m.optimized_days
    assert all((u, v) in edges for u, v in pairwise(cp))
    # every explicit need is an edge; a step gets a produced material only along an edge from its producer
    assert all((d, s.id) in edges for s in item.steps for d in s.needs)
    assert all((mm.produced_by, u) in edges for mm in a.materials for u in mm.received_by)
    assert total([a])["saved_days"] == m.saved_days


def test_a_document_needed_before_it_is_issued_stays_with_the_applicant(tree: Path) -> None:
    """W325: tax runs before licence (licence needs tax), so the applicant brings the licence."""
    item = make(tree, "backwards",
                "{id: tax, name: 税务, department: 税务局, days: 1, materials: [business-licence, id-card]}",
                "{id: licence, name: 执照, department: 市场监管局, days: 2, needs: [tax], produces: [business-licence]}",
                "{id: permit, name: 许可, department: 公安局, days: 1, materials: [business-licence]}")
    a = analyze(item)
    licence = next(m for m in a.materials if m.id == "business-licence")
    assert licence.produced_by == "licence" and licence.received_by == ("permit",)
    assert licence.from_applicant
    assert a.metrics.materials_after == 2  # the licence (for tax) and the ID card
    tax = a.department_view("税务局").steps[0]
    assert tax.receives == () and tax.applicant_materials == ("business-licence", "id-card")
    permit = a.department_view("公安局").steps[0]
    assert [(r.material, r.from_step) for r in permit.receives] == [("business-licence", "licence")]
    assert a.stages == [["tax"], ["licence"], ["permit"]]


def test_json_marks_every_zero_slack_step_critical(tree: Path) -> None:
    a = analyze(make(tree, "two-chains",
                     "{id: a, name: 甲, department: 市场监管局, days: 1}",
                     "{id: b, name: 乙, department: 税务局, days: 1}",
                     "{id: c, name: 丙, department: 公安局, days: 0.5}"))
    rows = {r["id"]: r["critical"] for r in a.as_dict()["schedule"]}
    assert rows == {"a": True, "b": True, "c": False}
    assert a.critical_path == ["a"]
