"""Analysis results as text, JSON and Markdown (the ``analyze`` formats).

Each formatter takes the analyses of a run and returns one string; the
registry :data:`FORMATS` gives ``analyze --format`` its choices.  Other modules
(Mermaid, Graphviz) register themselves in :mod:`engine.outputs`.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

from engine.flow.analysis import Analysis, total
from engine.outputs import Options
from engine.units import days_text, percent


def as_json(analyses: Sequence[Analysis], options: Options | None = None) -> str:
    doc = {"items": [a.as_dict() for a in analyses], "total": total(analyses)}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def as_text(analyses: Sequence[Analysis], options: Options | None = None) -> str:
    blocks = []
    for a in analyses:
        m, item = a.metrics, a.item
        lines = [
            f"{item.name} ({item.id})",
            f"  lead {item.lead}; partners {', '.join(item.partners) or '-'}",
            f"  减时限 time      {days_text(m.serial_days)} → {days_text(m.optimized_days)} working days "
            f"(saved {days_text(m.saved_days)}, {percent(m.saved_ratio)})"
            + (f"; commitment {days_text(item.commitment)}" if item.commitment is not None else ""),
            f"  减材料 materials {m.materials_before} → {m.materials_after} submissions",
            f"  减流程 steps     {m.steps_before} → {m.steps_after} (stages {m.stages_before} → {m.stages_after})",
            f"  减跑动 trips     {m.visits_before} → {m.visits_after}",
            "  stages:",
        ]
        for i, stage in enumerate(a.stages, 1):
            names = ", ".join(f"{st.name} [{st.department}, {days_text(st.days)}d]"
                              for st in (item.step(s) for s in stage))
            lines.append(f"    {i}. {names}")
        lines.append("  critical path: " + " → ".join(a.critical_path) + f" ({days_text(a.schedule.length)} days)")
        blocks.append("\n".join(lines))
    t = total(analyses)
    blocks.append(
        f"total over {t['items']} item{'s' if t['items'] != 1 else ''}: days {days_text(t['serial_days'])} → "
        f"{days_text(t['optimized_days'])} ({percent(t['saved_ratio'])} saved); materials {t['materials_before']} → "
        f"{t['materials_after']}; steps {t['steps_before']} → {t['steps_after']}; "
        f"trips {t['visits_before']} → {t['visits_after']}")
    return "\n\n".join(blocks)


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def as_markdown(analyses: Sequence[Analysis], options: Options | None = None) -> str:
    head = ("| 事项 | 牵头 | 时限 (工作日) | 节省 | 材料 | 环节 | 跑动 |\n"
            "|---|---|---|---|---|---|---|")
    rows = []
    for a in analyses:
        m = a.metrics
        rows.append(f"| {_md_escape(a.item.name)} | {_md_escape(a.item.lead)} | {days_text(m.serial_days)} → "
                    f"{days_text(m.optimized_days)} | {percent(m.saved_ratio)} | "
                    f"{m.materials_before} → {m.materials_after} | "
                    f"{m.steps_before} → {m.steps_after} | {m.visits_before} → {m.visits_after} |")
    t = total(analyses)
    rows.append(f"| **合计 ({t['items']})** | | {days_text(t['serial_days'])} → {days_text(t['optimized_days'])} | "
                f"{percent(t['saved_ratio'])} | {t['materials_before']} → {t['materials_after']} | "
                f"{t['steps_before']} → {t['steps_after']} | {t['visits_before']} → {t['visits_after']} |")
    return "\n".join([head, *rows])

