"""The dependency graph of an item's steps.

An edge ``u → v`` means step ``v`` cannot start before ``u`` has finished: an
explicit ``needs``, or ``u`` produces a material that ``v`` uses.  The rest of
the engine sees :class:`StepGraph` (step ids, :class:`Dependency` edges and the
queries below).  The graph is plain adjacency dicts: an item has tens of steps,
and every query here is one linear pass, so networkx (a tenth of a second to
import, a graph object per item) is kept for what it decides for us: which
cycle to report when there is one, and how cycles among documents are cut.  ``tests/test_graph.py`` compares every
query with networkx's answer on random graphs.
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


Adjacency = dict[str, dict[str, None]]  # step -> its successors, in the order the edges were added


@dataclass
class StepGraph:
    nodes: list[str]                     # definition order
    dependencies: list[Dependency]       # needs edges first, then material edges
    backwards: list[Dependency]          # material edges dropped (see build)
    _succ: Adjacency = field(repr=False)
    document_cycles: list[list[Dependency]] = field(default_factory=list)  # E311 (see build)

    def find_cycle(self) -> list[str] | None:
        """One dependency cycle as step ids (the first repeated at the end), or None."""
        if _acyclic(self.nodes, self._succ):
            return None
        import networkx as nx  # only to name a cycle: its walk picks which one is reported

        g = _networkx(self.nodes, self._succ)
        order = {n: i for i, n in enumerate(self.nodes)}
        for component in sorted(nx.strongly_connected_components(g), key=lambda c: min(order[n] for n in c)):
            if len(component) > 1:
                start = min(component, key=order.__getitem__)
                path = [u for u, _v in nx.find_cycle(g.subgraph(component), source=start)]
                return path + [path[0]]
        return None  # pragma: no cover - a cyclic graph has a component of two or more

    def sound_part(self, drop: Iterable[str] = ()) -> StepGraph:
        """The subgraph without the steps in *drop* and without every step on a cycle.

        Any chain in it is a chain of the whole graph, so a bound computed on it
        (the commitment check) holds even while other findings are pending.
        """
        gone = set(drop) | _on_cycles(self.nodes, self._succ)
        keep = [n for n in self.nodes if n not in gone]
        deps = [d for d in self.dependencies if d.source not in gone and d.target not in gone]
        return StepGraph(keep, deps, [], {n: {v: None for v in self._succ[n] if v not in gone} for n in keep})

    def generations(self) -> list[list[str]]:
        """Stages: each step in the first stage after all of its dependencies,
        in definition order within a stage.  Raises ValueError on a cycle."""
        order = {n: i for i, n in enumerate(self.nodes)}
        indegree = _indegrees(self.nodes, self._succ)
        stage = [n for n in self.nodes if not indegree[n]]
        stages: list[list[str]] = []
        while stage:
            stages.append(sorted(stage, key=order.__getitem__))
            following = []
            for n in stage:
                for child in self._succ[n]:
                    indegree[child] -= 1
                    if not indegree[child]:
                        following.append(child)
            stage = following
        if sum(map(len, stages)) < len(self.nodes):
            raise ValueError("the dependency graph has a cycle")
        return stages

    def predecessors(self) -> dict[str, list[str]]:
        order = {n: i for i, n in enumerate(self.nodes)}
        preds: dict[str, list[str]] = {n: [] for n in self.nodes}
        for u in self.nodes:
            for v in self._succ[u]:
                preds[v].append(u)
        return {n: sorted(p, key=order.__getitem__) for n, p in preds.items()}

    def successors(self) -> dict[str, list[str]]:
        order = {n: i for i, n in enumerate(self.nodes)}
        return {n: sorted(self._succ[n], key=order.__getitem__) for n in self.nodes}


def _indegrees(nodes: Sequence[str], succ: Adjacency) -> dict[str, int]:
    indegree = dict.fromkeys(nodes, 0)
    for u in nodes:
        for v in succ[u]:
            indegree[v] += 1
    return indegree


def topological(nodes: Sequence[str], succ: Adjacency) -> list[str] | None:
    """The steps in one topological order (Kahn: every step taken off once nothing points at it;
    the last one found ready first), or None when there is a cycle."""
    indegree = _indegrees(nodes, succ)
    ready = [n for n in nodes if not indegree[n]]
    order: list[str] = []
    while ready:
        n = ready.pop()
        order.append(n)
        for child in succ[n]:
            indegree[child] -= 1
            if not indegree[child]:
                ready.append(child)
    return order if len(order) == len(nodes) else None


def _acyclic(nodes: Sequence[str], succ: Adjacency) -> bool:
    return topological(nodes, succ) is not None


def _on_cycles(nodes: Sequence[str], succ: Adjacency) -> set[str]:
    """The steps in a strongly connected component of two or more (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[str] = set()
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.update(component)
    return found


def _reaches(succ: Adjacency, start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        n = todo.pop()
        if n == goal:
            return True
        for child in succ[n]:
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return False


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
    succ: Adjacency = {n: {} for n in nodes}
    for d in needs:
        succ[d.source][d.target] = None
    if not material:
        return StepGraph(nodes, needs, backwards, succ)
    full = {n: dict(children) for n, children in succ.items()}
    for d in material:
        full[d.source][d.target] = None
    if _acyclic(nodes, full) or not _acyclic(nodes, succ):
        return StepGraph(nodes, needs + material, backwards, full)
    return _untangle(nodes, needs, material, backwards, succ, set(may_hold))


def _untangle(nodes: list[str], needs: list[Dependency], material: list[Dependency], backwards: list[Dependency],
              succ: Adjacency, held: set[str]) -> StepGraph:
    """The rare case: material edges that close cycles (see :func:`build`).  Which cycle is
    reported, and so which edge is cut, follows networkx's walk: networkx decides here.

    Components are cut one at a time, smallest first step first; cutting an edge can only split
    the component it is in, so only that component is searched again (a definition with
    hundreds of separate document cycles costs one pass, not one pass per cycle)."""
    import heapq

    import networkx as nx

    order = {n: i for i, n in enumerate(nodes)}
    topo = _topological_index(nodes, succ)  # `needs` alone are acyclic here
    forced = {d for d in material if topo[d.target] < topo[d.source] and _reaches(succ, d.target, d.source)}
    backwards += [d for d in material if d in forced]
    rest = [d for d in material if d not in forced]
    carrying: dict[tuple[str, str], list[Dependency]] = {}  # each edge's material dependencies, in order
    for d in rest:
        carrying.setdefault((d.source, d.target), []).append(d)
    h = _networkx(nodes, succ)
    h.add_edges_from(carrying)
    dropped: set[Dependency] = set()
    cycles: list[list[Dependency]] = []
    todo = [(min(order[n] for n in c), sorted(c, key=order.__getitem__))
            for c in nx.strongly_connected_components(h) if len(c) > 1]
    heapq.heapify(todo)
    while todo:
        _first, component = heapq.heappop(todo)
        pairs = nx.find_cycle(h.subgraph(component), source=component[0])
        on_cycle = [carrying[u, v][0] if carrying.get((u, v)) else Dependency(u, v) for u, v in pairs]
        drop = [d for d in on_cycle if d.material in held]
        if not drop:  # nobody said the applicant may hold one of them: report, and cut the cycle to go on
            cycles.append(on_cycle)
            drop = [max((d for d in on_cycle if d.material is not None), key=lambda d: order[d.target])]
        for d in drop:
            dropped.add(d)
            left = carrying[d.source, d.target]
            left.remove(d)
            if not left and d.target not in succ[d.source]:
                h.remove_edge(d.source, d.target)
        for c in nx.strongly_connected_components(h.subgraph(component)):
            if len(c) > 1:
                part = sorted(c, key=order.__getitem__)
                heapq.heappush(todo, (order[part[0]], part))
    rest = [d for d in rest if d not in dropped]
    kept = {n: dict(children) for n, children in succ.items()}
    for d in rest:
        kept[d.source][d.target] = None
    return StepGraph(nodes, needs + rest, backwards, kept, cycles)


def _topological_index(nodes: Sequence[str], succ: Adjacency) -> dict[str, int]:
    """Each step's position in one topological order of an acyclic adjacency."""
    return {n: i for i, n in enumerate(topological(nodes, succ) or ())}


def _networkx(nodes: Sequence[str], succ: Adjacency) -> Any:
    """The networkx DiGraph of the adjacency, nodes and each node's edges in the same order."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((u, v) for u in nodes for v in succ[u])
    return g
