"""The dependency graph of an item's steps (networkx, kept inside this module).

An edge ``u → v`` means step ``v`` cannot start before ``u`` has finished: an
explicit ``needs``, or ``u`` produces a material that ``v`` uses.  The rest of
the engine sees step ids, edges and the functions below, never a networkx graph.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Edge = tuple[str, str]


@dataclass(frozen=True)
class Dependency:
    source: str
    target: str
    material: str | None = None  # the material that flows along the edge, if any


def dependencies(steps: Sequence[tuple[str, Iterable[str], Iterable[str], Iterable[str]]]
                 ) -> tuple[list[Dependency], list[Dependency]]:
    """Edges from ``(id, needs, materials, produces)`` rows, in definition order.

    Returns ``(edges, backwards)``.  A material edge producer → user is kept
    unless it would close a cycle (the user is already ordered before the
    producer by other edges, or is the producer itself): such an edge lands in
    *backwards* (the applicant must submit that material after all, which the
    validator warns about).  ``needs`` edges are always kept, so a cycle in the
    result comes from ``needs`` alone.
    """
    producer: dict[str, str] = {}
    for sid, _needs, _mats, produces in steps:
        for mat in produces:
            producer.setdefault(mat, sid)
    known = {row[0] for row in steps}
    needs: list[Dependency] = []
    material: list[Dependency] = []
    backwards: list[Dependency] = []
    seen: set[tuple[str, str, str | None]] = set()
    for sid, deps, mats, _produces in steps:
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
    nodes = [row[0] for row in steps]
    if not material or _acyclic(nodes, [(d.source, d.target) for d in needs + material]):
        return needs + material, backwards
    if not _acyclic(nodes, [(d.source, d.target) for d in needs]):
        return needs + material, backwards  # the validator reports the needs cycle
    # Rare: add material edges one at a time, dropping those that close a cycle.
    g = _digraph(nodes, [(d.source, d.target) for d in needs])
    import networkx as nx

    kept: list[Dependency] = []
    for d in material:
        if nx.has_path(g, d.target, d.source):
            backwards.append(d)
        else:
            g.add_edge(d.source, d.target)
            kept.append(d)
    return needs + kept, backwards


def _acyclic(nodes: Sequence[str], edges: list[Edge]) -> bool:
    import networkx as nx

    return bool(nx.is_directed_acyclic_graph(_digraph(nodes, edges)))


def _digraph(nodes: Iterable[str], edges: Iterable[Edge]):  # type: ignore[no-untyped-def]
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return g


def find_cycle(nodes: Sequence[str], edges: Iterable[Edge]) -> list[str] | None:
    """One dependency cycle as a list of step ids (first repeated at the end), or None."""
    import networkx as nx

    g = _digraph(nodes, ((u, v) for u, v in edges if u != v))
    order = {n: i for i, n in enumerate(nodes)}
    for component in sorted(nx.strongly_connected_components(g), key=lambda c: min(order[n] for n in c)):
        if len(component) > 1:
            start = min(component, key=order.__getitem__)
            cycle = nx.find_cycle(g.subgraph(component), source=start)
            path = [u for u, _v in cycle]
            return path + [path[0]]
    return None


def topological_generations(nodes: Sequence[str], edges: Iterable[Edge]) -> list[list[str]]:
    """Stages: each step in the first stage after all of its dependencies.

    Within a stage, steps keep definition order.  Raises ValueError on a cycle.
    """
    import networkx as nx

    g = _digraph(nodes, edges)
    order = {n: i for i, n in enumerate(nodes)}
    try:
        return [sorted(gen, key=order.__getitem__) for gen in nx.topological_generations(g)]
    except nx.NetworkXUnfeasible as exc:
        raise ValueError("the dependency graph has a cycle") from exc


def adjacency(nodes: Sequence[str], edges: Iterable[Edge]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Predecessor and successor lists (deduplicated, definition order)."""
    order = {n: i for i, n in enumerate(nodes)}
    preds: dict[str, set[str]] = {n: set() for n in nodes}
    succs: dict[str, set[str]] = {n: set() for n in nodes}
    for u, v in edges:
        if u != v:
            preds[v].add(u)
            succs[u].add(v)
    key = order.__getitem__
    return ({n: sorted(p, key=key) for n, p in preds.items()},
            {n: sorted(s, key=key) for n, s in succs.items()})
