"""Every situation of items as text, JSON and Markdown (``analyze --all-situations``).

Each formatter takes the :class:`~engine.situations.report.SituationReport` of each item;
they are registered in :data:`engine.outputs.OUTPUTS` for ``analyze --all-situations``.
:func:`day_range` is the per-situation range the portfolio tables show beside the default
situation's figures.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from engine.i18n import _, ngettext
from engine.outputs.summaries import _md_escape
from engine.units import days_text, percent

if TYPE_CHECKING:
    from engine.model import Item
    from engine.outputs import Options
    from engine.situations.report import SituationReport, SituationResult

def _g(x: Any) -> str:
    return "-" if x is None else days_text(x)


def _pair(f: dict[str, Any], key: str) -> str:
    before, after = f.get(f"{key}_before"), f.get(f"{key}_after")
    return "-" if before is None else f"{_g(before)} → {_g(after)}"


def _days(f: dict[str, Any]) -> str:
    return f"{_g(f['serial_days'])} → {_g(f['optimized_days'])}"


def as_json(reports: Sequence[SituationReport], options: Options | None = None) -> str:
    return json.dumps({"items": [r.as_dict() for r in reports]}, ensure_ascii=False, indent=2)


def as_text(reports: Sequence[SituationReport], options: Options | None = None) -> str:
    blocks = []
    for rep in reports:
        item, n = rep.item, len(rep.results)
        how = _("every one checked") if rep.exhaustive else _("a pairwise sample of {n:,} answer combinations").format(
            n=rep.combinations)
        lines = [f"{item.name} ({item.id}): " + ngettext("{n} situation ({how})", "{n} situations ({how})", n).format(
                     n=n, how=how),
                 "  " + _("share  time (days)   materials  steps   trips   fields    situation")]
        for r in rep.results:
            f = r.figures
            mark = " *" if r.situation.key == rep.default.key else ""
            lines.append(f"  {r.situation.weight * 100:5.1f}% {_days(f):<13} {_pair(f, 'materials'):<10} "
                         f"{_pair(f, 'steps'):<7} {_pair(f, 'visits'):<7} {_pair(f, 'fields'):<9} "
                         f"{r.situation.describe()}{mark}")
        lines.append("  " + _("* the default situation (what analyze, report and render show)"))
        lines.append("  " + _("best:  {line}").format(line=_line(rep.best)))
        lines.append("  " + _("worst: {line}").format(line=_line(rep.worst)))
        weighted = {k: rep.figure(k)["weighted"] for k in ("serial_days", "optimized_days", "materials_after",
                                                           "fields_after")}
        text = _("weighted by share: time {a} → {b} days; materials after {m}").format(
            a=_g(weighted["serial_days"]), b=_g(weighted["optimized_days"]), m=_g(weighted["materials_after"]))
        if weighted["fields_after"] is not None:
            text += _("; form fields after {f}").format(f=_g(weighted["fields_after"]))
        if rep.assumed_uniform:
            text += " " + _("(answers equally likely for: {ids})").format(ids=", ".join(rep.assumed_uniform))
        lines.append("  " + text)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _line(r: SituationResult) -> str:
    f = r.figures
    return _("{days} days, materials {m}, form fields {fields} in 「{s}」").format(
        days=_days(f), m=_pair(f, "materials"), fields=_pair(f, "fields"), s=r.situation.describe())


def as_markdown(reports: Sequence[SituationReport], options: Options | None = None) -> str:
    blocks = []
    for rep in reports:
        rows = [f"### {_md_escape(rep.item.name)}", "",
                "| 情形 | 占比 | 时限 (工作日) | 材料 | 环节 | 跑动 | 表单项 |", "|---|---|---|---|---|---|---|"]
        for r in rep.results:
            f = r.figures
            name = _md_escape(r.situation.describe()) + (" (默认)" if r.situation.key == rep.default.key else "")
            rows.append(f"| {name} | {percent(r.situation.weight)} | {_days(f)} | {_pair(f, 'materials')} | "
                        f"{_pair(f, 'steps')} | {_pair(f, 'visits')} | {_pair(f, 'fields')} |")
        w = {k: rep.figure(k) for k in ("serial_days", "optimized_days", "materials_after", "fields_after")}
        rows.append(f"| **加权** | 100% | {_g(w['serial_days']['weighted'])} → {_g(w['optimized_days']['weighted'])} | "
                    f"→ {_g(w['materials_after']['weighted'])} | | | → {_g(w['fields_after']['weighted'])} |")
        if not rep.exhaustive:
            rows.append("")
            rows.append(f"{rep.combinations:,} 种组合，抽样 {len(rep.results)} 种情形（两两覆盖）。")
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks)


def day_range(item: Item) -> str:
    """The optimized days over the item's situations, ``6–11`` (one figure when they agree; ``-`` without questions)."""
    general = item.general or item
    if not general.questions:
        return "-"
    from engine.situations.report import analyze_situations

    f = analyze_situations(general).figure("optimized_days")
    low, high = f["min"], f["max"]
    return _g(low) if low == high else f"{_g(low)}–{_g(high)}"
