"""BPMN layout: the indexed router draws exactly the paths of the original brute-force router (kept
here as the reference), no path touches a node other than its ends, node ids are what the original
id helper gave, and the router's work grows near-linearly with the number of steps (counted, not timed)."""
from __future__ import annotations

import itertools
import random
import re
from collections.abc import Mapping, Sequence

import pytest
from helpers import graph_item
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.flow.analysis import Analysis, analyze
from engine.outputs.bpmn.layout import GAP, ROW_H, Box, BoxIndex, FlowGraph, Ids, Router, build_flow

DEPTS = ("市场监管局", "税务局", "公安局", "人社局", "城管局", "住建局", "生态环境局", "应急管理局")
Path = list[tuple[float, float]]


# --- the reference: the router and id helper as they were before the index (quadratic) -------------

def old_route(boxes: Mapping[str, Box], source: str, target: str) -> Path:
    _, sy0, sx1, sy1 = boxes[source]
    tx0, ty0, _, ty1 = boxes[target]
    sx, sy, tx, ty = sx1, (sy0 + sy1) / 2, tx0, (ty0 + ty1) / 2
    others = [b for k, b in boxes.items() if k not in (source, target)]
    candidates: list[Path] = []
    if sy == ty:
        candidates.append([(sx, sy), (tx, ty)])
    bend = tx - GAP / 2
    candidates.append([(sx, sy), (bend, sy), (bend, ty), (tx, ty)])
    band = sy + ROW_H / 2 - 8
    for path in candidates:
        if not any(old_crosses(path, b) for b in others):
            return path
    return [(sx, sy), (sx + GAP / 2, sy), (sx + GAP / 2, band), (bend, band), (bend, ty), (tx, ty)]


def old_crosses(path: Path, box: Box) -> bool:
    x0, y0, x1, y1 = box
    for (ax, ay), (bx, by) in itertools.pairwise(path):
        lo_x, hi_x, lo_y, hi_y = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        if lo_x <= x1 and hi_x >= x0 and lo_y <= y1 and hi_y >= y0:
            return True
    return False


def old_ncname(prefix: str, raw: str, taken: set[str]) -> str:
    base = prefix + re.sub(r"[^A-Za-z0-9_.-]", "_", raw)
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}_{n}"
    taken.add(out)
    return out


# --- items ----------------------------------------------------------------------------------------

def make(needs: Sequence[Sequence[int]], depts: Sequence[int], days: Sequence[float] | None = None) -> Analysis:
    """An analysed item with steps s0..s{n-1}: s{j} needs s{i} for each i in needs[j] (all i < j)."""
    edges = [(i, j) for j in range(len(needs)) for i in sorted(set(needs[j]))]
    return analyze(graph_item(edges, len(needs), depts, days, departments=DEPTS))


def layered(n: int, seed: int = 0) -> Analysis:
    """Like the benchmark's items: each step needs up to three of the 50 steps before it."""
    rng = random.Random(seed)
    needs = [[rng.randrange(max(0, j - 50), j) for _ in range(rng.randint(0, 3))] if j else [] for j in range(n)]
    return make(needs, [j % len(DEPTS) for j in range(n)], [rng.choice([0.5, 1, 2, 3, 5]) for _ in range(n)])


@st.composite
def dags(draw: st.DrawFn) -> Analysis:
    n = draw(st.integers(1, 14))
    needs = [[i for i in range(j) if draw(st.integers(0, 3)) == 0] for j in range(n)]
    depts = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    days = draw(st.lists(st.sampled_from([0.5, 1, 2, 3.5]), min_size=n, max_size=n))
    return make(needs, depts, days)


def boxes_of(graph: FlowGraph) -> dict[str, Box]:
    return {node.id: node.box for node in graph.nodes}


# --- the tests ------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(analysis=dags())
def test_routes_equal_the_brute_force_router_and_touch_no_other_node(analysis: Analysis) -> None:
    graph = build_flow(analysis)
    boxes = boxes_of(graph)
    router = Router(boxes)
    for f in graph.flows:
        path = router.route(f.source, f.target)
        assert path == old_route(boxes, f.source, f.target), f
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in itertools.pairwise(path)), path  # orthogonal
        touched = [k for k, box in boxes.items() if k not in (f.source, f.target) and old_crosses(path, box)]
        assert not touched, (f, path, touched)


@pytest.mark.parametrize("seed", range(3))
def test_routes_of_a_large_item_equal_the_brute_force_router(seed: int) -> None:
    graph = build_flow(layered(150, seed))
    boxes = boxes_of(graph)
    router = Router(boxes)
    paths = [router.route(f.source, f.target) for f in graph.flows]
    assert paths == [old_route(boxes, f.source, f.target) for f in graph.flows]
    assert {len(p) for p in paths} == {2, 4, 6}  # straight, one bend and detour all occur


coords = st.integers(0, 40).map(float)


@st.composite
def scenes(draw: st.DrawFn) -> tuple[dict[str, Box], Path, tuple[str, str]]:
    """Arbitrary boxes (overlapping, nested, equal, degenerate) and a path of any segments."""
    boxes: dict[str, Box] = {}
    for k in range(draw(st.integers(0, 12))):
        x0, y0 = draw(coords), draw(coords)
        boxes[f"b{k}"] = (x0, y0, x0 + draw(st.integers(0, 15)), y0 + draw(st.integers(0, 15)))
    path = draw(st.lists(st.tuples(coords, coords), min_size=1, max_size=5))
    names = [*boxes, "none"]
    return boxes, path, (draw(st.sampled_from(names)), draw(st.sampled_from(names)))


@settings(max_examples=400, deadline=None)
@given(scene=scenes())
def test_the_index_finds_exactly_the_boxes_the_brute_force_check_finds(
        scene: tuple[dict[str, Box], Path, tuple[str, str]]) -> None:
    boxes, path, skip = scene
    expected = any(old_crosses(path, b) for k, b in boxes.items() if k not in skip)
    assert Router(boxes).blocked(path, skip) == expected


def test_an_empty_index_finds_nothing() -> None:
    assert not BoxIndex([]).any_touching(0, 10, 0, 10, ())


def route_all(analysis: Analysis) -> tuple[int, int]:
    """(boxes and bands the router looked at, flows x nodes: what the brute-force router looked at)."""
    graph = build_flow(analysis)
    router = Router(boxes_of(graph))
    for f in graph.flows:
        router.route(f.source, f.target)
    return router.checks, len(graph.flows) * len(graph.nodes)


def test_routing_work_grows_near_linearly() -> None:
    small, brute_small = route_all(layered(250))
    large, brute_large = route_all(layered(1000))
    assert small > 0  # the router counts its work
    assert brute_large / brute_small > 12  # the measure can tell: testing every box grows ~16x
    assert large / small < 6, (small, large)
    assert large < 30 * len(build_flow(layered(1000)).flows)  # a few looks per flow, not per node


def test_a_wide_stage_stays_near_linear() -> None:
    """Every step independent: one stage, hundreds of rows per lane, every flow leaves the start fork."""
    small, _ = route_all(make([[] for _ in range(200)], [j % 4 for j in range(200)]))
    large, _ = route_all(make([[] for _ in range(800)], [j % 4 for j in range(800)]))
    assert large / small < 6, (small, large)


id_calls = st.tuples(st.sampled_from(["Task_", "Task_a", ""]), st.sampled_from(["a", "a_2", "甲", "乙", "_", "x"]))


@settings(max_examples=200, deadline=None)
@given(taken=st.sets(st.sampled_from(["Task_a", "Task_a_2", "Task_a_3", "Task__", "Task___2", "x"])),
       calls=st.lists(id_calls, max_size=20))
def test_ids_equal_the_original_helper(taken: set[str], calls: list[tuple[str, str]]) -> None:
    ids, reference = Ids(taken), set(taken)
    for prefix, raw in calls:
        assert ids.take(prefix, raw) == old_ncname(prefix, raw, reference)


def test_many_colliding_ids() -> None:
    ids, reference = Ids(), set[str]()
    got = [ids.take("Task_", f"步骤{i % 7}") for i in range(500)]
    assert got == [old_ncname("Task_", f"步骤{i % 7}", reference) for i in range(500)]
    assert len(set(got)) == 500
