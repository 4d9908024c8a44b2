"""The 督办 report (engine/supervision/report.py) as text, JSON, Markdown and an HTML 通报.

Each formatter takes a :class:`~engine.supervision.report.Report` and returns one string;
:data:`FORMATS` gives ``supervise --format`` its choices. Text speaks the user's language
(engine.i18n); the Markdown and the HTML page are the 通报 to circulate, headed in Chinese.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.i18n import _
from engine.units import percent

if TYPE_CHECKING:
    from engine.supervision.report import Report
    from engine.supervision.tally import Clock, Histogram, Tally

Formatter = Callable[["Report"], str]


def rate(clock: Clock) -> str:
    """'93.2% (912/979)', or '-' with no decision to judge."""
    return f"{percent(clock.on_time / clock.counted)} ({clock.on_time}/{clock.counted})" if clock.counted else "-"


def spread(h: Histogram) -> str:
    """'1 / 3' (median / p90 working days), or '-'."""
    median, p90 = h.quantile(0.5), h.quantile(0.9)
    return "-" if median is None else f"{median:g} / {p90:g}"


def period_text(r: Report) -> str:
    start = r.period.start.isoformat() if r.period.start else _("the first case")
    return _("{start} to {end}").format(start=start, end=r.period.end.isoformat())


def counted_text(r: Report) -> str:
    """Which cases the figures count: the simulated ones are never mixed in silently."""
    c = r.cases
    if r.include_simulated:
        return _("{real} real and {sim} simulated case(s) counted together (--include-simulated)").format(
            real=c.real, sim=c.simulated_included)
    text = _("{real} real case(s) counted").format(real=c.real)
    if c.simulated_excluded:
        text += _("; {n} simulated case(s) left out (--include-simulated counts them)").format(n=c.simulated_excluded)
    return text


def counted_zh(r: Report) -> str:
    """counted_text in Chinese, for the 通报 (Markdown and HTML are circulated as they are)."""
    c = r.cases
    if r.include_simulated:
        return f"含模拟数据：真实办件 {c.real} 件与模拟办件 {c.simulated_included} 件合并统计（--include-simulated）"
    return f"统计真实办件 {c.real} 件" + (f"；另有模拟办件 {c.simulated_excluded} 件未计入" if c.simulated_excluded else "")


def handling_cells(t: Tally) -> list[str]:
    return [str(t.cases), str(t.decided), rate(t.committed), rate(t.legal), spread(t.used), spread(t.committed_days)]


def handling_columns() -> list[str]:
    return [_("cases"), _("decided"), _("on time: committed"), _("on time: legal"), _("wd used median/p90"),
            _("wd committed median/p90")]


def trouble_cells(t: Tally) -> list[str]:
    return [str(t.overdue_committed), str(t.overdue_legal), str(t.overdue_in_cases_on_time),
            str(t.late_in_cases_on_time), str(t.corrections), str(t.procedures), str(t.late_starts), str(t.serialized)]


def trouble_columns() -> list[str]:
    return [_("overdue now"), _("past legal now"), _("overdue, case on time"), _("late, case on time"), "补正",
            "特别程序", _("waited past slack"), _("waited for a parallel step")]


def as_text(r: Report) -> str:
    from engine.outputs.terminal import plain_table

    c = r.cases
    closed = c.closed
    head = [_("督办 report: {period} (as of {end})").format(period=period_text(r), end=r.period.end.isoformat())
            + (_("; department {name}").format(name=r.department) if r.department else ""),
            "  " + counted_text(r),
            "  " + _("opened {opened}; closed {completed} completed, {refused} refused, {withdrawn} withdrawn; "
                     "open now {open}").format(opened=c.opened, completed=closed.get("completed", 0),
                                               refused=closed.get("refused", 0), withdrawn=closed.get("withdrawn", 0),
                                               open=c.open_now),
            "  " + _("cases on time: committed {committed}, legal {legal}; open cases past their deadline now: "
                     "committed {oc}, legal {ol}").format(committed=rate(c.committed), legal=rate(c.legal),
                                                          oc=c.overdue_committed, ol=c.overdue_legal)]
    blocks = ["\n".join(head)]
    if not r.steps:
        blocks.append(_("no case in the store matches"))
        return "\n\n".join(blocks)
    departments = sorted(r.departments.items())
    blocks.append(plain_table([_("department"), *handling_columns()], [[d, *handling_cells(t)] for d, t in departments],
                              _("by department: decisions")))
    blocks.append(plain_table([_("department"), *trouble_columns()], [[d, *trouble_cells(t)] for d, t in departments],
                              _("by department: overdue, corrections and waiting")))

    def step(k: tuple[str, str, str]) -> list[str]:
        return [k[0], f"{r.names[k][1]} ({k[1]})", k[2]]
    blocks.append(plain_table([_("item"), _("step"), _("department"), *handling_columns()],
                              [[*step(k), *handling_cells(t)] for k, t in r.steps.items()], _("by step: decisions")))
    blocks.append(plain_table([_("item"), _("step"), _("department"), *trouble_columns()],
                              [[*step(k), *trouble_cells(t)] for k, t in r.steps.items()],
                              _("by step: overdue, corrections and waiting")))
    if r.overdue:
        title = _("most overdue steps now ({shown} of {total})").format(shown=len(r.overdue), total=r.overdue_total)
        blocks.append(plain_table(
            [_("case"), _("item"), _("step"), _("department"), _("deadline"), _("working days late"),
             _("legal deadline"), _("level"), _("case on time")],
            [[o.case + (_(" (simulated)") if o.simulated else ""), o.item, f"{o.name} ({o.step})", o.department,
              o.deadline, str(o.days_late), o.legal_deadline or "-", o.level or "-", _("yes") if o.case_on_time else "-"]
             for o in r.overdue], title))
    return "\n\n".join(blocks)


def as_json(r: Report) -> str:
    return json.dumps(r.as_dict(), ensure_ascii=False, indent=2)


def _md(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;") \
        .replace("\n", " ")


MD_COLUMNS = ["办结件数", "承诺时限内办结率", "法定时限内办结率", "实际用时 中位/P90 (工作日)", "承诺时限 中位/P90",
              "当前超承诺时限", "当前超法定时限", "总体未超期件中的超期环节", "总体按时件中的迟办环节", "补正次数",
              "特别程序", "超出松弛时间才受理", "等待并行环节后才受理"]


def md_cells(t: Tally) -> list[str]:
    return [*handling_cells(t)[1:], *trouble_cells(t)]


def as_markdown(r: Report) -> str:
    c = r.cases
    lines = ["# 督办通报", "",
             f"统计期间：{_md(r.period.start or '首件')} 至 {r.period.end}"
             + (f"；部门：{_md(r.department)}" if r.department else ""),
             "", f"- {_md(counted_zh(r))}",
             f"- 期间受理 {c.opened} 件；办结 {c.closed.get('completed', 0)} 件，不予许可 {c.closed.get('refused', 0)} 件，"
             f"撤回 {c.closed.get('withdrawn', 0)} 件；在办 {c.open_now} 件",
             f"- 按承诺时限办结率 {rate(c.committed)}，按法定时限办结率 {rate(c.legal)}；"
             f"当前超承诺时限 {c.overdue_committed} 件，超法定时限 {c.overdue_legal} 件", ""]

    def table(first: list[str], rows: list[list[str]]) -> list[str]:
        head = [*first, *MD_COLUMNS]
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
                *("| " + " | ".join(_md(x) for x in row) + " |" for row in rows), ""]
    lines += ["## 按部门", ""]
    lines += table(["部门"], [[d, *md_cells(t)] for d, t in sorted(r.departments.items())])
    lines += ["## 按环节", ""]
    lines += table(["事项", "环节", "部门"], [[r.names[k][0], f"{r.names[k][1]} ({k[1]})", k[2], *md_cells(t)]
                                         for k, t in r.steps.items()])
    lines += ["## 超期事项", "", f"当前超期环节共 {r.overdue_total} 个" + (f"，列出超期最久的 {len(r.overdue)} 个。"
                                                                 if r.overdue else "。"), ""]
    if r.overdue:
        lines += ["| 办件 | 事项 | 环节 | 部门 | 承诺期限 | 超期工作日 | 法定期限 | 预警 | 办件总体未超期 |",
                  "|---|---|---|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(_md(x) for x in (o.case + ("（模拟）" if o.simulated else ""), o.item,
                                                     f"{o.name} ({o.step})", o.department, o.deadline, o.days_late,
                                                     o.legal_deadline or "-", o.level or "-",
                                                     "是" if o.case_on_time else "-")) + " |" for o in r.overdue]
    return "\n".join(lines).rstrip()


def as_html(r: Report) -> str:
    from engine.outputs.html.supervision import page

    return page(r)


FORMATS: dict[str, Formatter] = {"text": as_text, "json": as_json, "markdown": as_markdown, "html": as_html}

