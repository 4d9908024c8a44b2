"""The optimized flow as a Mermaid ``flowchart LR`` (``analyze --format mermaid``, ``export mermaid``).

A subgraph per department (swimlane, lead first) or per stage; each node shows the
step's name, department and days; an edge is labelled with the materials that flow
along it; the critical path is styled with ``classDef critical`` and ``linkStyle``.

Text from definitions is always written inside double quotes with Mermaid's entity
codes (``#quot;``, ``#35;`` ...) for every character that could end the string or be
read as markup, and control characters dropped: a name cannot break the diagram.
Node ids are generated (``s_`` + the step id with ``_`` for ``-``), so a keyword such as
``end`` can never be an id.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from engine.flow.analysis import Analysis, critical_edges, edges
from engine.outputs import Options
from engine.units import days_text

GROUPS = ("department", "stage")

# inside a quoted string only '"' ends it; the rest could be read as an entity, markup or a delimiter
_ENTITIES = {'"': "#quot;", "#": "#35;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "`": "#96;", "|": "#124;",
             "\\": "#92;"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
CRITICAL_STYLE = "stroke:#b42318,stroke-width:3px"


def text(value: object) -> str:
    """A Mermaid string literal (with its quotes) showing *value* as plain text."""
    s = _CONTROL.sub(" ", str(value)).strip()
    return '"' + "".join(_ENTITIES.get(c, c) for c in s) + '"'


def node_id(step_id: str, prefix: str = "") -> str:
    """A safe, injective Mermaid id: a slug with '-' as '_', anything else as hex."""
    if _SLUG.fullmatch(step_id):
        return f"{prefix}s_{step_id.replace('-', '_')}"
    return f"{prefix}x_{step_id.encode('utf-8').hex()}"


def flowchart_body(a: Analysis, group: str = "department", prefix: str = "", indent: str = "    ") -> list[str]:
    """The subgraphs and nodes of one item, as lines (no header, no edges)."""
    item = a.item
    lines: list[str] = []
    if group == "department":
        groups = [(dept, [s for s in item.steps if s.department == dept]) for dept in item.departments]
        titles = {dept: f"{dept}（{'牵头' if dept == item.lead else '配合'}）" for dept in item.departments}
    elif group == "stage":
        groups = [(f"stage{i}", [item.step(s) for s in stage]) for i, stage in enumerate(a.stages, 1)]
        titles = {f"stage{i}": f"阶段 {i}" for i in range(1, len(a.stages) + 1)}
    else:
        raise ValueError(f"unknown group {group!r}: choose one of {', '.join(GROUPS)}")
    for gi, (key, steps) in enumerate(groups, 1):
        if not steps:
            continue
        lines.append(f"{indent}subgraph {prefix}g{gi}[{text(titles[key])}]")
        for s in steps:
            lines.append(f"{indent}    {node_id(s.id, prefix)}[{_label(s.name, s.department, s.days)}]")
        lines.append(f"{indent}end")
    return lines


def _label(name: str, department: str, days: float) -> str:
    """Two lines: the step's name, then department and days (``<br/>`` is ours, never the user's)."""
    first, second = text(name)[1:-1], text(f"{department} · {days_text(days)} 工作日")[1:-1]
    return f'"{first}<br/>{second}"'


def flowchart(analyses: Sequence[Analysis], group: str = "department") -> str:
    """One ``flowchart LR``; several items become one subgraph each (ids prefixed per item)."""
    lines = ["flowchart LR"]
    critical_nodes: list[str] = []
    critical_links: list[int] = []
    link = 0
    many = len(analyses) > 1
    for n, a in enumerate(analyses, 1):
        prefix = f"i{n}_" if many else ""
        indent = "        " if many else "    "
        if many:
            lines.append(f"    subgraph {prefix}item[{text(a.item.name)}]")
            lines.append("        direction LR")
        lines.extend(flowchart_body(a, group, prefix, indent))
        hot = critical_edges(a)
        for s, t, names in edges(a):
            arrow = f"-->|{text('、'.join(names))}|" if names else "-.->"
            lines.append(f"{indent}{node_id(s, prefix)} {arrow} {node_id(t, prefix)}")
            if (s, t) in hot:
                critical_links.append(link)
            link += 1
        if many:
            lines.append("    end")
        critical_nodes.extend(node_id(s.id, prefix) for s in a.item.steps if a.schedule[s.id].critical)
    lines.append(f"    classDef critical {CRITICAL_STYLE}")
    if critical_nodes:
        lines.append(f"    class {','.join(critical_nodes)} critical")
    if critical_links:
        lines.append(f"    linkStyle {','.join(map(str, critical_links))} {CRITICAL_STYLE}")
    return "\n".join(lines)


def render(analyses: Sequence[Analysis], options: Options | None = None) -> str:
    """The registered output: swimlanes per department unless the options say per stage."""
    return flowchart(analyses, options.group if options else "department")
