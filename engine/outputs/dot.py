"""The optimized flow as a Graphviz digraph (``analyze --format dot``, ``export dot``).

``rankdir=LR``, a cluster per department (lead first), node labels with the step's
name, department and days, edges labelled with the materials that flow along
them, the critical path drawn thick and red.  Every string is a quoted ID with
``\\`` and ``"`` escaped and line breaks turned into ``\\n``, so a name can neither
end the string nor smuggle in an escape such as ``\\N`` or ``\\l``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from engine.flow.analysis import Analysis, critical_edges, edges
from engine.outputs import Options
from engine.units import days_text

FONT = "Noto Sans CJK SC"
CRITICAL = "#b42318"
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]+")


def quote(value: object) -> str:
    """A dot double-quoted string showing *value* literally (one line break per ``\\n`` in value)."""
    s = _CONTROL.sub(" ", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _item(a: Analysis, prefix: str, indent: str) -> list[str]:
    item = a.item
    critical = {s.id for s in item.steps if a.schedule[s.id].critical}
    hot = critical_edges(a)
    lines: list[str] = []
    for n, dept in enumerate(item.departments):
        steps = [s for s in item.steps if s.department == dept]
        if not steps:
            continue
        role = "牵头" if dept == item.lead else "配合"
        lines.append(f"{indent}subgraph {quote(f'cluster_{prefix}{n}')} {{")
        lines.append(f"{indent}    label={quote(f'{dept}（{role}）')};")
        lines.append(f'{indent}    style="rounded,filled"; fillcolor="{"#e9eef5" if dept == item.lead else "#f5f8fc"}";')
        for s in steps:
            attrs = "label=" + quote(s.name + "\n" + f"{s.department} · {days_text(s.days)} 工作日")
            if s.id in critical:
                attrs += f', color="{CRITICAL}", penwidth=2.5'
            lines.append(f"{indent}    {quote(prefix + s.id)} [{attrs}];")
        lines.append(f"{indent}}}")
    for source, target, names in edges(a):
        edge = [f"label={quote('、'.join(names))}"] if names else ["style=dashed"]
        if (source, target) in hot:
            edge += [f'color="{CRITICAL}"', "penwidth=2.5"]
        lines.append(f"{indent}{quote(prefix + source)} -> {quote(prefix + target)} [{', '.join(edge)}];")
    return lines


def render(analyses: Sequence[Analysis], options: Options | None = None) -> str:
    """One digraph; several items become one cluster each (node ids prefixed by the item id)."""
    many = len(analyses) > 1
    name = analyses[0].item.id if len(analyses) == 1 else "lianban"
    lines = [f"digraph {quote(name)} {{",
             f'    graph [rankdir=LR, labelloc=t, fontname="{FONT}", fontsize=12, nodesep=0.3, ranksep=0.8];',
             f'    node [shape=box, style="rounded,filled", fillcolor=white, fontname="{FONT}", fontsize=11];',
             f'    edge [fontname="{FONT}", fontsize=10, color="#667085"];']
    for a in analyses:
        if many:
            lines.append(f"    subgraph {quote(f'cluster_{a.item.id}')} {{")
            lines.append(f"        label={quote(a.item.name)};")
            lines.extend(_item(a, f"{a.item.id}/", "        "))
            lines.append("    }")
        else:
            lines.append(f"    label={quote(a.item.name)};")
            lines.extend(_item(a, "", "    "))
    lines.append("}")
    return "\n".join(lines)
