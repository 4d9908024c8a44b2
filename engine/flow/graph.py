"""The dependency graph of an item's steps (networkx, kept inside this module).

An edge ``u → v`` means step ``v`` cannot start before ``u`` has finished: an
explicit ``needs``, or ``u`` produces a material that ``v`` uses.  The rest of
the engine sees :class:`StepGraph` (step ids, :class:`Dependency` edges and the
queries below), never a networkx object.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Row = tuple[str, Iterable[str], Iterable[str], Iterable[str]]  # (id, needs, material ids, produced ids)


@dataclass(frozen=True)
class Dependency:
    source: str
    target: str
    material: str | None = None  # the material that flows along the edge, if any


@dataclass
class StepGraph:
    nodes: list[str]                     # definition order
    dependencies: list[Dependency]       # needs edges first, then material edges
    backwards: list[Dependency]          # material edges dropped (see build)
    _g: Any = field(repr=False)          # networkx.DiGraph
    document_cycles: list[list[Dependency]] = field(default_factory=list)  # E311 (see build)

    def find_cycle(self) -> list[str] | None:
        """One dependency cycle as step ids (the first repeated at the end), or None."""
        import networkx as nx

        if nx.is_directed_acyclic_graph(self._g):
            return None
        order = {n: i for i, n in enumerate(self.nodes)}
        for component in sorted(nx.strongly_connected_components(self._g), key=lambda c: min(order[n] for n in c)):
            if len(component) > 1:
                start = min(component, key=order.__getitem__)
                path = [u for u, _v in nx.find_cycle(self._g.subgraph(component), source=start)]
                return path + [path[0]]
        return None  # pragma: no cover - a cyclic graph has a component of two or more

    def sound_part(self, drop: Iterable[str] = ()) -> StepGraph:
        """The subgraph without the steps in *drop* and without every step on a cycle.

        Any chain in it is a chain of the whole graph, so a bound computed on it
        (the commitment check) holds even while other findings are pending.
        """
        import networkx as nx

        gone = set(drop)
        gone.update(n for c in nx.strongly_connected_components(self._g) if len(c) > 1 for n in c)
        keep = [n for n in self.nodes if n not in gone]
        deps = [d for d in self.dependencies if d.source not in gone and d.target not in gone]
        return StepGraph(keep, deps, [], self._g.subgraph(keep).copy())

    def generations(self) -> list[list[str]]:
        """Stages: each step in the first stage after all of its dependencies,
        in definition order within a stage.  Raises ValueError on a cycle."""
        import networkx as nx

        order = {n: i for i, n in enumerate(self.nodes)}
        try:
            return [sorted(gen, key=order.__getitem__) for gen in nx.topological_generations(self._g)]
        except nx.NetworkXUnfeasible as exc:
            raise ValueError("the dependency graph has a cycle") from exc

    def predecessors(self) -> dict[str, list[str]]:
        order = {n: i for i, n in enumerate(self.nodes)}
        return {n: sorted(self._g.predecessors(n), key=order.__getitem__) for n in self.nodes}

    def successors(self) -> dict[str, list[str]]:
        order = {n: i for i, n in enumerate(self.nodes)}
        return {n: sorted(self._g.successors(n), key=order.__getitem__) for n in self.nodes}


def build(rows: Sequence[Row], may_hold: Iterable[str] = ()) -> StepGraph:
    """The graph of ``(id, needs, materials, produces)`` rows, in definition order.

    A material edge producer → user is kept unless the definition leaves no room for it:
    when ``needs`` edges alone already order the user before the producer (or the user is the
    producer), the edge lands in ``backwards`` (the applicant must submit that material after
    all, which the validator warns about, W325). Material edges that close a cycle only among
    themselves (each step waits for a document the other issues) are a choice the definition
    has not made: such a cycle lands in ``document_cycles`` (error E311), unless one of its
    documents is in *may_hold* (the applicant may already hold it): that edge is then dropped
    and the applicant brings the document. ``needs`` edges are always kept, so any other cycle
    comes from ``needs`` alone. Unknown step ids in ``needs`` are ignored (the validator
    reports them).
    """
    import networkx as nx

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
        return StepGraph(nodes, needs, backwards, g)
    full = g.copy()
    full.add_edges_from((d.source, d.target) for d in material)
    if nx.is_directed_acyclic_graph(full) or not nx.is_directed_acyclic_graph(g):
        return StepGraph(nodes, needs + material, backwards, full)
    return _untangle(nodes, needs, material, backwards, g, set(may_hold))


def _untangle(nodes: list[str], needs: list[Dependency], material: list[Dependency], backwards: list[Dependency],
              g: Any, held: set[str]) -> StepGraph:
    """The rare case: material edges that close cycles (see :func:`build`)."""
    import networkx as nx

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
        if not drop:  # nobody said the applicant may hold one of them: report, and cut the cycle to go on
            cycles.append(on_cycle)
            drop = [max((d for d in on_cycle if d.material is not None), key=lambda d: order[d.target])]
        rest = [d for d in rest if d not in drop]
    kept = needs + rest
    h = g.copy()
    h.add_edges_from((d.source, d.target) for d in rest)
    return StepGraph(nodes, kept, backwards, h, cycles)
