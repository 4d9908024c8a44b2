"""Analysis results as text, JSON and Markdown (the ``analyze`` formats).

Each formatter takes the analyses of a run and returns one string; the
registry :data:`FORMATS` gives ``analyze --format`` its choices.  Other modules
(Mermaid, Graphviz) register themselves in :mod:`engine.outputs`.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

from engine.flow.analysis import Analysis, Metrics, total
from engine.i18n import _, ngettext
from engine.model import Item
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
            _("  lead {lead}; partners {partners}").format(lead=item.lead, partners=_(", ").join(item.partners) or "-"),
            *_situation_lines(item),
            _("  减时限 time      {before} → {after} working days (saved {saved}, {share})").format(
                before=days_text(m.serial_days), after=days_text(m.optimized_days), saved=days_text(m.saved_days),
                share=percent(m.saved_ratio))
            + (_("; commitment {days}").format(days=days_text(item.commitment)) if item.commitment is not None else ""),
            _("  减材料 materials {before} → {after} submissions").format(before=m.materials_before,
                                                                        after=m.materials_after),
            _("  减环节 steps     {before} → {after} (stages {stages_before} → {stages_after})").format(
                before=m.steps_before, after=m.steps_after, stages_before=m.stages_before, stages_after=m.stages_after),
            _("  减跑动 trips     {before} → {after}").format(before=m.visits_before, after=m.visits_after),
            *([_("  减表单 fields    {before} → {after} (each department's form → one merged form)").format(
                before=m.fields_before, after=m.fields_after)] if m.fields_before is not None else []),
            _("  stages:"),
        ]
        for i, stage in enumerate(a.stages, 1):
            names = _(", ").join(_("{name} [{department}, {days}d]").format(
                name=st.name, department=st.department, days=days_text(st.days)) for st in (item.step(s) for s in stage))
            lines.append(f"    {i}. {names}")
        lines.append(_("  critical path: {path} ({days} days)").format(path=" → ".join(a.critical_path),
                                                                      days=days_text(a.schedule.length)))
        blocks.append("\n".join(lines))
    t = total(analyses)
    blocks.append(
        ngettext("total over {n} item: ", "total over {n} items: ", t["items"]).format(n=t["items"])
        + _("days {days_before} → {days_after} ({share} saved); materials {materials_before} → {materials_after}; "
            "steps {steps_before} → {steps_after}; trips {trips_before} → {trips_after}").format(
            days_before=days_text(t["serial_days"]), days_after=days_text(t["optimized_days"]),
            share=percent(t["saved_ratio"]), materials_before=t["materials_before"],
            materials_after=t["materials_after"], steps_before=t["steps_before"], steps_after=t["steps_after"],
            trips_before=t["visits_before"], trips_after=t["visits_after"]))
    return "\n\n".join(blocks)


def _situation_lines(item: Item) -> list[str]:
    """The situation of an item that asks questions (nothing for one that does not)."""
    s = item.situation
    if s is None:
        return []
    answers = ", ".join(f"{q}={_answer(v)}" for q, v in s.answers.items() if v is not None)
    return [_("  situation 「{s}」").format(s=s.describe()), _("  answers {answers}").format(answers=answers or "-")]


def _answer(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def as_markdown(analyses: Sequence[Analysis], options: Options | None = None) -> str:
    """The portfolio table; items that ask questions add a column with the optimized days of every
    situation, items with form fields a column of fields (both only when some item has them)."""
    situations = any(a.item.has_situations for a in analyses)
    fields = any(a.metrics.fields_before is not None for a in analyses)
    head = ("| 事项 | 牵头 | 时限 (工作日) " + ("| 各情形时限 " if situations else "") + "| 节省 | 材料 | 环节 | 跑动 "
            + ("| 表单项 " if fields else "") + "|\n|---|---|---" + "|---" * situations + "|---|---|---|---"
            + "|---" * fields + "|")
    rows = []
    for a in analyses:
        m = a.metrics
        rows.append(f"| {_md_escape(a.item.name)} | {_md_escape(a.item.lead)} | {days_text(m.serial_days)} → "
                    f"{days_text(m.optimized_days)} |" + (f" {situation_days(a.item)} |" if situations else "") +
                    f" {percent(m.saved_ratio)} | {m.materials_before} → {m.materials_after} | "
                    f"{m.steps_before} → {m.steps_after} | {m.visits_before} → {m.visits_after} |" +
                    (f" {_fields(m)} |" if fields else ""))
    t = total(analyses)
    rows.append(f"| **合计 ({t['items']})** | | {days_text(t['serial_days'])} → {days_text(t['optimized_days'])} |" +
                (" |" if situations else "") + f" {percent(t['saved_ratio'])} | {t['materials_before']} → "
                f"{t['materials_after']} | {t['steps_before']} → {t['steps_after']} | {t['visits_before']} → "
                f"{t['visits_after']} |" + (f" {t['fields_before']} → {t['fields_after']} |" if fields else ""))
    return "\n".join([head, *rows])


def situation_days(item: Item) -> str:
    """The optimized days over the item's situations (``-`` for an item without questions)."""
    from engine.outputs.situations import day_range

    return day_range(item)


def _fields(m: Metrics) -> str:
    return "-" if m.fields_before is None else f"{m.fields_before} → {m.fields_after}"
