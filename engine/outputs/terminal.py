"""Terminal pictures with rich: the portfolio table and the flow preview.

Functions return the rendered text (with ANSI colour only when asked), so the
CLI decides where it goes and tests can read it.
"""
from __future__ import annotations

import io
import math
import shutil
from collections.abc import Sequence
from typing import Any

from engine.flow.analysis import Analysis, DepartmentView, total
from engine.outputs import Options
from engine.outputs.summaries import situation_days
from engine.units import days_text, percent


def _console(color: bool, width: int | None = None) -> Any:
    from rich.console import Console

    width = width or min(max(shutil.get_terminal_size((120, 40)).columns, 80), 160)
    return Console(file=io.StringIO(), width=width, force_terminal=color, color_system="standard" if color else None,
                   highlight=False, emoji=False)


def _text(console: Any) -> str:
    return str(console.file.getvalue()).rstrip("\n")


def portfolio(analyses: Sequence[Analysis], options: Options) -> str:
    """The registered ``report`` table."""
    return portfolio_table(analyses, options.color, options.width)


def portfolio_table(analyses: Sequence[Analysis], color: bool = False, width: int | None = None) -> str:
    from rich.table import Table

    table = Table(title="一事联办 portfolio: the four reductions", title_justify="left", show_footer=True)
    t = total(analyses)
    footer = {
        "item": f"total ({t['items']} items)",
        "days": f"{days_text(t['serial_days'])} → {days_text(t['optimized_days'])}",
        "saved": percent(t["saved_ratio"]),
        "materials": f"{t['materials_before']} → {t['materials_after']}",
        "steps": f"{t['steps_before']} → {t['steps_after']}",
        "trips": f"{t['visits_before']} → {t['visits_after']}",
    }
    table.add_column("事项 item", footer=footer["item"])
    table.add_column("牵头 lead", footer="")
    table.add_column("减时限 days", justify="right", footer=footer["days"])
    table.add_column("saved", justify="right", footer=footer["saved"])
    table.add_column("减材料 materials", justify="right", footer=footer["materials"])
    table.add_column("减流程 steps", justify="right", footer=footer["steps"])
    table.add_column("减跑动 trips", justify="right", footer=footer["trips"])
    situations = any(a.item.has_situations for a in analyses)
    fields = any(a.metrics.fields_before is not None for a in analyses)
    if situations:
        table.add_column("各情形 days by situation", justify="right", footer="")
    if fields:
        table.add_column("减表单 fields", justify="right", footer=f"{t.get('fields_before')} → {t.get('fields_after')}")
    for a in analyses:
        m = a.metrics
        extra = ([situation_days(a.item)] if situations else []) + \
            ([f"{m.fields_before} → {m.fields_after}" if m.fields_before is not None else "-"] if fields else [])
        table.add_row(_esc(a.item.name), _esc(a.item.lead), f"{days_text(m.serial_days)} → {days_text(m.optimized_days)}",
                      percent(m.saved_ratio), f"{m.materials_before} → {m.materials_after}",
                      f"{m.steps_before} → {m.steps_after}", f"{m.visits_before} → {m.visits_after}", *extra)
    console = _console(color, width)
    console.print(table)
    return _text(console)


def _esc(text: str) -> str:
    from rich.markup import escape

    return str(escape(text))


def _bar(start: float, finish: float, scale: float, style: str, slack_to: float | None = None) -> str:
    a, b = round(start * scale), max(round(finish * scale), round(start * scale) + 1)
    out = " " * a + f"[{style}]" + "█" * (b - a) + "[/]"
    if slack_to is not None and slack_to > finish:
        c = round(slack_to * scale)
        out += "[dim]" + "░" * max(c - b, 0) + "[/]"
    return out


def preview(analysis: Analysis, color: bool = False, width: int | None = None) -> str:
    from rich.panel import Panel
    from rich.table import Table
    from rich.tree import Tree

    item, m, sched = analysis.item, analysis.metrics, analysis.schedule
    console = _console(color, width)
    console.print(Panel.fit(
        f"[bold]{_esc(item.name)}[/] ({_esc(item.id)})\n牵头 lead: {_esc(item.lead)}    配合 partners: "
        f"{_esc('、'.join(item.partners) or '-')}", border_style="blue"))
    red = Table.grid(padding=(0, 2))
    red.add_row("[bold]减时限[/] time",
                f"{days_text(m.serial_days)} → [bold green]{days_text(m.optimized_days)}[/] working days",
                f"saved {days_text(m.saved_days)} ({percent(m.saved_ratio)})"
                + (f"; commitment {days_text(item.commitment)}" if item.commitment is not None else ""))
    red.add_row("[bold]减材料[/] materials", f"{m.materials_before} → [bold green]{m.materials_after}[/] submissions", "")
    red.add_row("[bold]减流程[/] steps", f"{m.steps_before} → [bold green]{m.steps_after}[/] (stages)", "")
    red.add_row("[bold]减跑动[/] trips", f"{m.visits_before} → [bold green]{m.visits_after}[/]", "")
    console.print(red)

    # Gantt: serial (as is) above, optimized below, one row per step, same axis.
    label_w = min(max((_width(s.name) for s in item.steps), default=8), 28) + 2
    span = max(m.serial_days, 1.0)
    bar_w = max(console.width - label_w - 12, 20)
    scale = bar_w / span
    axis = _axis(span, scale, bar_w)

    def gantt_grid() -> Any:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=label_w, no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_row("", f"[dim]{axis}[/]")
        return grid

    console.print()
    console.print("[bold]Before: one department after another[/]")
    gantt = gantt_grid()
    at = 0.0
    for s in item.steps:
        gantt.add_row(_esc(_clip(s.name, label_w)), _bar(at, at + s.days, scale, "yellow"))
        at += s.days
    console.print(gantt)
    console.print("[bold]After: joint handling[/] ([red]█[/] critical path, [dim]░[/] slack)")
    gantt = gantt_grid()
    for s in item.steps:
        t = sched[s.id]
        crit = s.id in analysis.critical_path
        gantt.add_row(_esc(_clip(s.name, label_w)),
                      _bar(t.earliest_start, t.earliest_finish, scale, "red" if crit else "green",
                           t.latest_finish))
    console.print(gantt)

    tree = Tree("[bold]Stages[/] (steps in one stage run at the same time)")
    for i, stage in enumerate(analysis.stages, 1):
        branch = tree.add(f"stage {i}")
        for sid in stage:
            s, t = item.step(sid), sched[sid]
            if sid in analysis.critical_path:
                mark = " [red]★ critical[/]"
            elif t.slack == 0:
                mark = " [red]slack 0 (on another critical chain)[/]"
            else:
                mark = f" [dim]slack {days_text(t.slack)}[/]"
            branch.add(f"{_esc(s.name)} [dim]({_esc(s.department)}, {days_text(s.days)} d, "
                       f"day {days_text(t.earliest_start)}–{days_text(t.earliest_finish)})[/]{mark}")
    console.print()
    console.print(tree)

    mats = Table(title="一套材料清单: the merged material list", title_justify="left")
    mats.add_column("material")
    mats.add_column("used by")
    mats.add_column("asked", justify="right")
    mats.add_column("source")
    for mat in analysis.materials:
        if not mat.from_applicant and mat.produced_by:
            source = f"issued by {_esc(item.step(mat.produced_by).name)}"
        elif mat.produced_by:
            source = f"applicant, once (issued later by {_esc(item.step(mat.produced_by).name)})"
        else:
            source = "applicant, once"
        mats.add_row(_esc(mat.name), _esc("、".join(item.step(s).name for s in mat.steps)), str(mat.submissions), source)
    console.print()
    console.print(mats)
    for d in analysis.suggestions:
        console.print(f"[cyan]suggestion[/] {_esc(d.message)} [dim]({_esc(d.hint or '')})[/]")
    return _text(console)


def department_preview(analysis: Analysis, view: DepartmentView, color: bool = False, width: int | None = None) -> str:
    from rich.table import Table

    item = analysis.item
    console = _console(color, width)
    console.print(f"[bold]{_esc(view.department)}[/] in [bold]{_esc(item.name)}[/] ({view.role}): starts on working day "
                  f"{days_text(view.start)}, must finish by day {days_text(view.deadline)} "
                  f"of {days_text(analysis.schedule.length)}")
    table = Table(show_lines=True)
    for col in ("step", "waits for", "receives", "from the applicant", "start", "finish", "slack", "deadline"):
        table.add_column(col)
    for v in view.steps:
        t = v.timing
        table.add_row(
            _esc(v.step.name) + (" [red]★[/]" if v.step.id in analysis.critical_path else ""),
            _esc("、".join(item.step(p).name for p in v.waits_for) or "-"),
            _esc("\n".join(f"{r.name} ← {item.step(r.from_step).name} ({r.from_department})" for r in v.receives) or "-"),
            _esc("、".join(item.material_name(mid) for mid in v.applicant_materials) or "-"),
            f"day {days_text(t.earliest_start)}", f"day {days_text(t.earliest_finish)}", days_text(t.slack),
            f"day {days_text(t.latest_finish)}")
    console.print(table)
    return _text(console)


def _width(text: str) -> int:
    from rich.cells import cell_len

    return int(cell_len(text))


def _clip(text: str, width: int) -> str:
    from rich.cells import set_cell_size

    return str(set_cell_size(text, width - 1)).rstrip() if _width(text) > width - 1 else text


def _axis(span: float, scale: float, width: int) -> str:
    step = max(1, math.ceil(6 / scale))  # a tick at least every 6 columns
    chars = [" "] * (width + 6)
    day = 0
    while day <= span:
        col = round(day * scale)
        for i, ch in enumerate(str(day)):
            if col + i < len(chars):
                chars[col + i] = ch
        day += step
    return "".join(chars).rstrip()


def plain_table(columns: Sequence[str], rows: Sequence[Sequence[object]], title: str | None = None,
                color: bool = False, width: int | None = None) -> str:
    """A borderless table of plain text cells (the case commands' lists).

    Every cell and the title may hold text from a definition or a user (step names, applicants,
    reasons): they are rendered as plain Text, never as console markup or :emoji: codes.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = width or (shutil.get_terminal_size().columns if color else 200)
    console = Console(file=io.StringIO(), width=width, no_color=not color, highlight=False, soft_wrap=False,
                      force_terminal=color, markup=False, emoji=False)
    table = Table(*columns, title=Text(title) if title is not None else None, box=None,
                  header_style="bold" if color else "", pad_edge=False)
    for row in rows:
        table.add_row(*(Text(str(c)) for c in row))
    console.print(table)
    return _text(console)
