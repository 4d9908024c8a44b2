"""The notice (一次告知单) of one situation as text, JSON and Markdown (``lianban guide``).

Each renderer takes a :class:`~engine.situations.guide.Notice`. The JSON is documented in
docs/situations.md (``lianban guide``); the Markdown is the printable notice, in Chinese like
the site, for the applicant to take along.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from engine.i18n import _
from engine.situations.guide import answer_text
from engine.units import days_text

if TYPE_CHECKING:
    from engine.flow.analysis import Metrics
    from engine.outputs import Options
    from engine.situations.guide import Notice


def as_json(notice: Notice, options: Options | None = None) -> str:
    return json.dumps(notice.as_dict(), ensure_ascii=False, indent=2)


def _reductions(m: Metrics) -> list[tuple[str, str]]:
    rows = [("减时限", _("{a} → {b} working days").format(a=days_text(m.serial_days), b=days_text(m.optimized_days))),
            ("减材料", _("{a} → {b} submissions").format(a=m.materials_before, b=m.materials_after)),
            ("减环节", _("{a} steps → {b} stages").format(a=m.steps_before, b=m.stages_after)),
            ("减跑动", _("{a} → {b} trips").format(a=m.visits_before, b=m.visits_after))]
    if m.fields_before is not None:
        rows.append(("减表单", _("{a} → {b} form fields").format(a=m.fields_before, b=m.fields_after)))
    return rows


def completion_text(notice: Notice) -> str:
    c = notice.completion
    text = _("{days} working days after acceptance").format(days=days_text(c.days))
    if c.start is not None and c.end is not None:
        text += _("; ") + _("{end} if accepted on {start}").format(end=c.end.isoformat(), start=c.start.isoformat())
        if c.provisional_years:
            text += " " + _("(provisional: {years} has no official holiday arrangement yet)").format(
                years=", ".join(map(str, c.provisional_years)))
    return text


def as_text(notice: Notice, options: Options | None = None) -> str:
    item, s = notice.item, notice.item.situation
    lines = [_("一次告知单 — {name} ({id}), lead department {lead}").format(name=item.name, id=item.id, lead=item.lead)]
    if s is not None:
        lines.append(_("Situation: {s}").format(s=s.describe()))
        lines.append(_("Answers:"))
        for q, value, given in notice.answered():
            shown = _("not asked") if value is None else answer_text(q, value)
            mark = "" if given or value is None else " " + _("(default)")
            lines.append(f"  {q.text} {shown}{mark}")
    materials = notice.materials()
    lines.append(_("Materials to bring ({n}, each once):").format(n=len(materials)))
    for i, m in enumerate(materials, 1):
        lines.append(f"  {i}. {m['name']} ({_(', ').join(m['departments'])})")
    stages = notice.stages()
    lines.append(_("Steps ({n} stages; the departments of one stage work in parallel):").format(n=len(stages)))
    for i, stage in enumerate(stages, 1):
        parts = [_("{name} [{department}, {days}d]").format(name=st["name"], department=st["department"],
                                                             days=days_text(st["days"])) for st in stage]
        lines.append(f"  {i}. " + ("  ‖  ".join(parts)))
    lines.append(_("Expected completion: {text}").format(text=completion_text(notice)))
    if item.commitment is not None:
        lines.append(_("Commitment: {days} working days").format(days=days_text(item.commitment)))
    lines.append(_("Reductions in this situation:"))
    lines += [f"  {name} {text}" for name, text in _reductions(notice.analysis.metrics)]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace(
        "\n", " ").replace("*", "\\*").replace("_", "\\_").replace("#", "\\#").replace("[", "\\[")


def as_markdown(notice: Notice, options: Options | None = None) -> str:
    item, s = notice.item, notice.item.situation
    m = notice.analysis.metrics
    c = notice.completion
    rows = [f"# 一次告知单：{_md(item.name)}", "", f"牵头单位：{_md(item.lead)}", ""]
    if s is not None:
        rows += [f"**您的情形**：{_md(s.describe())}", "", "| 问题 | 回答 |", "|---|---|"]
        rows += [f"| {_md(q.text)} | {_md('不涉及' if v is None else answer_text(q, v))}"
                 f"{'' if given or v is None else '（默认）'} |" for q, v, given in notice.answered()]
        rows.append("")
    materials = notice.materials()
    rows += [f"## 需要携带的材料（{len(materials)} 份，每份只交一次）", ""]
    rows += [f"{i}. {_md(x['name'])}（{_md('、'.join(x['departments']))}）" for i, x in enumerate(materials, 1)]
    stages = notice.stages()
    rows += ["", f"## 办理环节（{len(stages)} 个阶段，同一阶段的部门并联办理）", "",
             "| 阶段 | 事项 | 部门 | 时限（工作日） |", "|---|---|---|---|"]
    for i, stage in enumerate(stages, 1):
        rows += [f"| {i} | {_md(st['name'])} | {_md(st['department'])} | {days_text(st['days'])} |" for st in stage]
    when = f"受理后 {days_text(c.days)} 个工作日"
    if c.start is not None and c.end is not None:
        when += f"（{c.start.isoformat()} 受理，预计 {c.end.isoformat()} 办结"
        when += "；暂定：" + "、".join(f"{y} 年" for y in c.provisional_years) + "节假日安排尚未公布）" \
            if c.provisional_years else "）"
    rows += ["", f"## 预计办结：{when}", ""]
    if item.commitment is not None:
        rows += [f"承诺时限：{days_text(item.commitment)} 个工作日", ""]
    rows += ["## 本情形的改革成效", "", "| 项目 | 改革前 → 改革后 |", "|---|---|",
             f"| 减时限 | {days_text(m.serial_days)} → {days_text(m.optimized_days)} 个工作日 |",
             f"| 减材料 | {m.materials_before} → {m.materials_after} 份 |",
             f"| 减环节 | {m.steps_before} 个环节 → {m.stages_after} 个阶段 |",
             f"| 减跑动 | {m.visits_before} → {m.visits_after} 次 |"]
    if m.fields_before is not None:
        rows.append(f"| 减表单 | {m.fields_before} → {m.fields_after} 项 |")
    return "\n".join(rows)
