"""The step graph answers every query exactly as networkx does, on random graphs.

engine/flow/graph.py keeps plain adjacency dicts and walks them itself; the
reference below is the networkx code it replaced.  Hypothesis draws rows with
needs (unknown steps, self-references and cycles included) and materials
produced and used, and documents the applicant may hold, so the rare paths (a
material edge that would close a cycle, cycles among documents, steps on cycles)
are drawn too.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.flow import graph
from engine.flow.graph import Dependency

Rows = list[tuple[str, list[str], list[str], list[str]]]


def reference(rows: Sequence[graph.Row], may_hold: Iterable[str] = ()
              ) -> tuple[list[Dependency], list[Dependency], Any, list[list[Dependency]]]:
    """Edges, dropped material edges, the networkx graph and the document cycles, as graph.build
    made them with networkx."""
    producer: dict[str, str] = {}
    for sid, _needs, _mats, produces in rows:
        for mat in produces:
            producer.setdefault(mat, sid)
    nodes = list(dict.fromkeys(row[0] for row in rows))
    known = set(nodes)
    needs: list[Dependency] = []
    material: list[Dependency] = []
    backwards: list[Dependency] = []
    seen: set[tuple[str, str, str | None]] = set()
    for sid, deps, mats, _produces in rows:
        for dep in deps:
            if dep in known and dep != sid and (dep, sid, None) not in seen:
                seen.add((dep, sid, None))
                needs.append(Dependency(dep, sid))
        for mat in mats:
            src = producer.get(mat)
            if src is None or (src, sid, mat) in seen:
                continue
            seen.add((src, sid, mat))
            (backwards if src == sid else material).append(Dependency(src, sid, mat))
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((d.source, d.target) for d in needs)
    if not material:
        return needs, backwards, g, []
    full = g.copy()
    full.add_edges_from((d.source, d.target) for d in material)
    if nx.is_directed_acyclic_graph(full) or not nx.is_directed_acyclic_graph(g):
        return needs + material, backwards, full, []
    held = set(may_hold)
    forced = [d for d in material if nx.has_path(g, d.target, d.source)]
    backwards += forced
    rest = [d for d in material if d not in forced]
    order = {n: i for i, n in enumerate(nodes)}
    cycles: list[list[Dependency]] = []
    while True:
        h = g.copy()
        h.add_edges_from((d.source, d.target) for d in rest)
        if nx.is_directed_acyclic_graph(h):
            break
        component = min((c for c in nx.strongly_connected_components(h) if len(c) > 1),
                        key=lambda c: min(order[n] for n in c))
        start = min(component, key=order.__getitem__)
        pairs = nx.find_cycle(h.subgraph(component), source=start)
        on_cycle = [next((d for d in rest if (d.source, d.target) == (u, v)), Dependency(u, v)) for u, v in pairs]
        drop = [d for d in on_cycle if d.material in held]
        if not drop:
            cycles.append(on_cycle)
            drop = [max((d for d in on_cycle if d.material is not None), key=lambda d: order[d.target])]
        rest = [d for d in rest if d not in drop]
    h = g.copy()
    h.add_edges_from((d.source, d.target) for d in rest)
    return needs + rest, backwards, h, cycles


def reference_cycle(g: Any, nodes: list[str]) -> list[str] | None:
    if nx.is_directed_acyclic_graph(g):
        return None
    order = {n: i for i, n in enumerate(nodes)}
    for component in sorted(nx.strongly_connected_components(g), key=lambda c: min(order[n] for n in c)):
        if len(component) > 1:
            start = min(component, key=order.__getitem__)
            path = [u for u, _v in nx.find_cycle(g.subgraph(component), source=start)]
            return path + [path[0]]
    return None


def reference_queries(g: Any, nodes: list[str]) -> tuple[list[list[str]] | None, dict[str, list[str]],
                                                         dict[str, list[str]]]:
    order = {n: i for i, n in enumerate(nodes)}
    try:
        stages: list[list[str]] | None = [sorted(gen, key=order.__getitem__) for gen in nx.topological_generations(g)]
    except nx.NetworkXUnfeasible:
        stages = None
    preds = {n: sorted(g.predecessors(n), key=order.__getitem__) for n in nodes}
    succs = {n: sorted(g.successors(n), key=order.__getitem__) for n in nodes}
    return stages, preds, succs


def queries(sg: graph.StepGraph) -> tuple[list[list[str]] | None, dict[str, list[str]], dict[str, list[str]]]:
    try:
        stages: list[list[str]] | None = sg.generations()
    except ValueError:
        stages = None
    return stages, sg.predecessors(), sg.successors()


@st.composite
def step_rows(draw: st.DrawFn) -> Rows:
    n = draw(st.integers(1, 14))
    ids = [f"s{i}" for i in range(n)]
    refs = st.sampled_from([*ids, "unknown"])
    mats = st.sampled_from([f"m{i}" for i in range(6)])
    rows: Rows = []
    for sid in ids + draw(st.lists(st.sampled_from(ids), max_size=2)):  # a repeated id now and then
        rows.append((sid, draw(st.lists(refs, max_size=3)), draw(st.lists(mats, max_size=3)),
                     draw(st.lists(mats, max_size=2))))
    return rows


@settings(max_examples=400, deadline=None)
@given(step_rows(), st.lists(st.sampled_from([f"s{i}" for i in range(14)]), max_size=3),
       st.lists(st.sampled_from([f"m{i}" for i in range(6)]), max_size=2))
def test_every_query_matches_networkx(rows: Rows, drop: list[str], may_hold: list[str]) -> None:
    sg = graph.build(rows, may_hold)
    deps, backwards, g, cycles = reference(rows, may_hold)
    nodes = list(dict.fromkeys(r[0] for r in rows))
    assert sg.nodes == nodes
    assert sg.dependencies == deps
    assert sg.backwards == backwards
    assert sg.document_cycles == cycles
    assert sg.find_cycle() == reference_cycle(g, nodes)
    assert queries(sg) == reference_queries(g, nodes)
    part = sg.sound_part(drop)
    gone = set(drop) | {n for c in nx.strongly_connected_components(g) if len(c) > 1 for n in c}
    keep = [n for n in nodes if n not in gone]
    assert part.nodes == keep
    assert part.dependencies == [d for d in deps if d.source not in gone and d.target not in gone]
    assert part.backwards == []
    assert queries(part) == reference_queries(g.subgraph(keep).copy(), keep)
    assert part.find_cycle() is None


def test_a_long_chain_needs_no_recursion() -> None:
    n = 50_000  # deeper than any recursion limit: the walks are iterative
    rows = [(f"s{i}", [f"s{i - 1}"] if i else [], [], []) for i in range(n)]
    sg = graph.build(rows)
    assert sg.find_cycle() is None
    assert len(sg.generations()) == n
    assert sg.sound_part().nodes == sg.nodes
    cyclic = graph.build([*rows[1:], ("s0", [f"s{n - 1}"], [], [])])
    assert len(cyclic.sound_part().nodes) == 0
