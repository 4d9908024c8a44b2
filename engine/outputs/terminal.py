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
from engine.i18n import N_, _
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
    t = total(analyses)
    rows = [_portfolio_row(a) for a in analyses]
    footer = {
        "item": _("total ({n} items)").format(n=t["items"]), "lead": "",
        "days": f"{days_text(t['serial_days'])} → {days_text(t['optimized_days'])}",
        "saved": percent(t["saved_ratio"]),
        "materials": f"{t['materials_before']} → {t['materials_after']}",
        "steps": f"{t['steps_before']} → {t['steps_after']}",
        "trips": f"{t['visits_before']} → {t['visits_after']}",
        "situations": "", "fields": f"{t.get('fields_before')} → {t.get('fields_after')}",
    }
    titles = {"days": _("减时限 days"), "saved": _("saved"), "materials": _("减材料 materials"),
              "steps": _("减环节 steps"), "trips": _("减跑动 trips")}
    extra = {}
    if any(a.item.has_situations for a in analyses):
        extra["situations"] = _("各情形 days by situation")
    if any(a.metrics.fields_before is not None for a in analyses):
        extra["fields"] = _("减表单 fields")
    console = _console(color, width)
    if _figures_fit(rows, {**titles, **extra}, footer, console.width):
        titles.update(extra)
        extra = {}
    _figures_table(console, _("一事联办 portfolio: the four reductions"), rows, titles, footer, lead=True)
    if extra:  # too narrow for every column: the situations and the form fields in a table of their own
        shown = [r for r in rows if any(r[k] != "-" for k in extra)]
        _figures_table(console, _("各情形 days by situation, 减表单 fields"), shown, extra, footer, lead=False)
    return _text(console)


def _portfolio_row(a: Analysis) -> dict[str, str]:
    m = a.metrics
    return {"item": a.item.name, "lead": a.item.lead,
            "days": f"{days_text(m.serial_days)} → {days_text(m.optimized_days)}", "saved": percent(m.saved_ratio),
            "materials": f"{m.materials_before} → {m.materials_after}", "steps": f"{m.steps_before} → {m.steps_after}",
            "trips": f"{m.visits_before} → {m.visits_after}",
            "situations": situation_days(a.item) if a.item.has_situations else "-",
            "fields": f"{m.fields_before} → {m.fields_after}" if m.fields_before is not None else "-"}


_NAME_MIN = 12  # the narrowest a name column gets, in cells


def _figure_widths(rows: list[dict[str, str]], titles: dict[str, str], footer: dict[str, str],
                   available: int) -> list[int]:
    """Each figure column's width: its title on one line if everything fits, else its longest word."""
    from engine.outputs.cjk import units

    widths = [max([_width(footer[key])] + [_width(r[key]) for r in rows]) for key in titles]
    natural = [max(w, _width(t)) for w, t in zip(widths, titles.values(), strict=True)]
    if sum(natural) + _frame(titles, 2, 2 * _NAME_MIN) <= available:
        return natural
    return [max([w] + [_width(u) for u in units(t)]) for w, t in zip(widths, titles.values(), strict=True)]


def _frame(titles: dict[str, str], names: int, names_width: int) -> int:
    """The cells a table of *names* name columns and the figure *titles* needs besides its figures."""
    return names_width + (len(titles) + names) * 3 + 1  # padding and borders


def _figures_fit(rows: list[dict[str, str]], titles: dict[str, str], footer: dict[str, str], available: int) -> bool:
    return sum(_figure_widths(rows, titles, footer, available)) + _frame(titles, 2, 2 * _NAME_MIN) <= available


def _figures_table(console: Any, title: str, rows: list[dict[str, str]], titles: dict[str, str],
                   footer: dict[str, str], lead: bool) -> None:
    """A table of names and figures: the figures never break (their columns get a fixed width,
    their titles wrap when the terminal is narrow); the item and lead names take what is left and
    wrap between characters."""
    from rich.table import Table

    from engine.outputs.cjk import Wrapped

    names = ["item", "lead"] if lead else ["item"]
    figure_widths = _figure_widths(rows, titles, footer, console.width)
    names_width = sum(max((_width(r[k]) for r in rows), default=0) for k in names)
    table = Table(title=title, title_justify="left", show_footer=True)
    # when the names must wrap, a rule between rows keeps each item's lines together
    table.show_lines = sum(figure_widths) + _frame(titles, len(names), names_width) > console.width
    table.add_column(Wrapped(_("事项 item")), footer=Wrapped(footer["item"]))
    if lead:
        table.add_column(Wrapped(_("牵头 lead")), footer="")
    for (key, text), w in zip(titles.items(), figure_widths, strict=True):
        table.add_column(Wrapped(text), footer=footer[key], justify="right", width=w)
    for row in rows:
        table.add_row(*(Wrapped(row[k]) for k in names), *(row[k] for k in titles))
    console.print(table)


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
    """One item's optimized flow for the terminal: the reductions, the before/after Gantt bars, the
    stages with their slack, the merged material list and the analysis's suggestions."""
    console = _console(color, width)
    _reductions(console, analysis)
    _gantts(console, analysis)
    _stages(console, analysis)
    _materials(console, analysis)
    for d in analysis.suggestions:
        console.print(_("[cyan]suggestion[/] {message} [dim]({hint})[/]").format(message=_esc(d.message),
                                                                              hint=_esc(d.hint or "")))
    return _text(console)


def _reductions(console: Any, analysis: Analysis) -> None:
    from rich.panel import Panel
    from rich.table import Table

    item, m = analysis.item, analysis.metrics
    console.print(Panel.fit(
        f"[bold]{_esc(item.name)}[/] ({_esc(item.id)})\n"
        + _("牵头 lead: {lead}    配合 partners: {partners}").format(lead=_esc(item.lead),
                                                                   partners=_esc("、".join(item.partners) or "-")),
        border_style="blue"))
    red = Table.grid(padding=(0, 2))
    red.add_row(_("[bold]减时限[/] time"),
                _("{before} → [bold green]{after}[/] working days").format(before=days_text(m.serial_days),
                                                                          after=days_text(m.optimized_days)),
                _("saved {days} ({share})").format(days=days_text(m.saved_days), share=percent(m.saved_ratio))
                + (_("; commitment {days}").format(days=days_text(item.commitment)) if item.commitment is not None
                   else ""))
    red.add_row(_("[bold]减材料[/] materials"), _("{before} → [bold green]{after}[/] submissions").format(
        before=m.materials_before, after=m.materials_after), "")
    red.add_row(_("[bold]减环节[/] steps"), _("{before} → [bold green]{after}[/] (stages)").format(
        before=m.steps_before, after=m.steps_after), "")
    red.add_row(_("[bold]减跑动[/] trips"), f"{m.visits_before} → [bold green]{m.visits_after}[/]", "")
    console.print(red)


def _gantts(console: Any, analysis: Analysis) -> None:
    """Serial (as is) above, optimized below, one row per step, on the same axis."""
    from rich.table import Table

    item, m, sched = analysis.item, analysis.metrics, analysis.schedule
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
    console.print(_("[bold]Before: one department after another[/]"))
    gantt = gantt_grid()
    at = 0.0
    for s in item.steps:
        gantt.add_row(_esc(_clip(s.name, label_w)), _bar(at, at + s.days, scale, "yellow"))
        at += s.days
    console.print(gantt)
    console.print(_("[bold]After: joint handling[/] ([red]█[/] critical path, [dim]░[/] slack)"))
    gantt = gantt_grid()
    for s in item.steps:
        t = sched[s.id]
        crit = s.id in analysis.critical_path
        gantt.add_row(_esc(_clip(s.name, label_w)),
                      _bar(t.earliest_start, t.earliest_finish, scale, "red" if crit else "green",
                           t.latest_finish))
    console.print(gantt)


def _stages(console: Any, analysis: Analysis) -> None:
    from rich.tree import Tree

    item, sched = analysis.item, analysis.schedule
    tree = Tree(_("[bold]Stages[/] (steps in one stage run at the same time)"))
    for i, stage in enumerate(analysis.stages, 1):
        branch = tree.add(_("stage {n}").format(n=i))
        for sid in stage:
            s, t = item.step(sid), sched[sid]
            if sid in analysis.critical_path:
                mark = _(" [red]★ critical[/]")
            elif t.slack == 0:
                mark = _(" [red]slack 0 (on another critical chain)[/]")
            else:
                mark = _(" [dim]slack {days}[/]").format(days=days_text(t.slack))
            branch.add(_("{name} [dim]({department}, {days} d, day {start}–{finish})[/]{mark}").format(
                name=_esc(s.name), department=_esc(s.department), days=days_text(s.days),
                start=days_text(t.earliest_start), finish=days_text(t.earliest_finish), mark=mark))
    console.print()
    console.print(tree)


def _materials(console: Any, analysis: Analysis) -> None:
    from rich.table import Table

    from engine.outputs.cjk import Wrapped

    item = analysis.item
    mats = Table(title=_("一套材料清单: the merged material list"), title_justify="left")
    mats.add_column(_("material"))
    mats.add_column(_("used by"))
    mats.add_column(_("asked"), justify="right")
    mats.add_column(_("source"))
    for mat in analysis.materials:
        if not mat.from_applicant and mat.produced_by:
            source = _("issued by {step}").format(step=item.step(mat.produced_by).name)
        elif mat.produced_by:
            source = _("applicant, once (issued later by {step})").format(step=item.step(mat.produced_by).name)
        else:
            source = _("applicant, once")
        mats.add_row(Wrapped(mat.name), Wrapped("、".join(item.step(s).name for s in mat.steps)), str(mat.submissions),
                     Wrapped(source))
    console.print()
    console.print(mats)


def department_preview(analysis: Analysis, view: DepartmentView, color: bool = False, width: int | None = None) -> str:
    from rich.table import Table
    from rich.text import Text

    from engine.outputs.cjk import Wrapped

    item = analysis.item
    console = _console(color, width)
    console.print(Wrapped(Text.from_markup(_(
        "[bold]{department}[/] in [bold]{item}[/] ({role}): starts on working day {start}, must finish by day "
        "{deadline} of {length}").format(department=_esc(view.department), item=_esc(item.name), role=_(_ROLES[view.role]),
                                         start=days_text(view.start), deadline=days_text(view.deadline),
                                         length=days_text(analysis.schedule.length)))))
    table = Table(show_lines=True)
    # the times never break; the names, materials and hand-offs wrap between characters
    for col in (_("step"), _("waits for"), _("receives"), _("from the applicant")):
        table.add_column(Wrapped(col))
    for col in (_("start"), _("finish"), _("slack"), _("deadline")):
        table.add_column(Wrapped(col), no_wrap=True)
    for v in view.steps:
        t = v.timing
        name = Text(v.step.name)
        if v.step.id in analysis.critical_path:
            name.append(" ").append("★", style="red")
        table.add_row(
            Wrapped(name),
            Wrapped("、".join(item.step(p).name for p in v.waits_for) or "-"),
            Wrapped("\n".join(f"{r.name} ← {item.step(r.from_step).name} ({r.from_department})" for r in v.receives)
                    or "-"),
            Wrapped("、".join(item.material_name(mid) for mid in v.applicant_materials) or "-"),
            _("day {n}").format(n=days_text(t.earliest_start)), _("day {n}").format(n=days_text(t.earliest_finish)),
            days_text(t.slack), _("day {n}").format(n=days_text(t.latest_finish)))
    console.print(table)
    return _text(console)


_ROLES = {"lead": N_("lead"), "partner": N_("partner"), "other": N_("other")}


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
