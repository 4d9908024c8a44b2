"""The 督办通报: the supervision report as one printable page in the style of the site.

Self-contained like the site's pages (inline CSS, no script, a Content-Security-Policy that
forbids both); printed, it fills A4 landscape sheets (the tables are wide) with the table
headers repeated on each sheet. Headings are Chinese (督办通报, 按部门, 按环节, 超期事项): the
page is meant to be circulated as a 通报.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from engine import __version__
from engine.outputs.html.pages import CSS
from engine.outputs.html.svg import esc
from engine.outputs.supervision import MD_COLUMNS, counted_text, md_cells, rate
from engine.units import percent

if TYPE_CHECKING:
    from engine.supervision.report import Report
    from engine.supervision.tally import Clock

EXTRA_CSS = """
@page{size:A4 landscape;margin:11mm}
table.report{font-size:12px}table.report td,table.report th{padding:3px 5px}
.lv{display:inline-block;min-width:1.6em;text-align:center;border-radius:3px;padding:0 4px;font-weight:bold}
.lv-蓝{background:#d1e9ff;color:#1849a9}.lv-黄{background:#fef0c7;color:#93370d}.lv-红{background:#fee4e2;color:#b42318}
.sim{color:var(--red);font-weight:bold}
@media print{table.report{font-size:8pt}}
"""


def _share(clock: Clock) -> str:
    return f"<b>{esc(percent(clock.on_time / clock.counted))}</b>" if clock.counted else "<b>-</b>"


def _figure(label: str, value: str, unit: str) -> str:
    return f'<div class="fig"><div class="k">{esc(label)}</div><div class="v">{value}</div>' \
           f'<div class="u">{esc(unit)}</div></div>'


def _table(first: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in first) + "".join(f'<th class="n">{esc(h)}</th>' for h in MD_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row[:len(first)])
                   + "".join(f'<td class="n">{esc(c)}</td>' for c in row[len(first):]) + "</tr>" for row in rows)
    return f'<table class="report"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _level(level: str | None) -> str:
    return f'<span class="lv lv-{esc(level)}">{esc(level)}</span>' if level else "-"


def page(r: Report) -> str:
    c = r.cases
    start = r.period.start.isoformat() if r.period.start else "首件"
    scope = f"；部门：{esc(r.department)}" if r.department else ""
    sim = f'<p class="sim">{esc(counted_text(r))}</p>' if r.include_simulated else \
        f'<p class="sub">{esc(counted_text(r))}</p>'
    figures = "".join([
        _figure("统计办件", f"<b>{c.real + c.simulated_included}</b>",
                f"受理 {c.opened}，办结 {c.closed.get('completed', 0)}，在办 {c.open_now}"),
        _figure("承诺时限内办结率", _share(c.committed), rate(c.committed)),
        _figure("法定时限内办结率", _share(c.legal), rate(c.legal)),
        _figure("当前超期环节", f"<b>{r.overdue_total}</b>", f"超法定时限办件 {c.overdue_legal}")])
    departments = _table(["部门"], [[d, *md_cells(t)] for d, t in sorted(r.departments.items())])
    steps = _table(["事项", "环节", "部门"], [[r.names[k][0], f"{r.names[k][1]} ({k[1]})", k[2], *md_cells(t)]
                                          for k, t in r.steps.items()])
    rows = "".join(
        "<tr>" + "".join(f"<td>{x}</td>" for x in (
            esc(o.case) + ("（模拟）" if o.simulated else ""), esc(o.item), f"{esc(o.name)} ({esc(o.step)})",
            esc(o.department), esc(o.deadline))) + f'<td class="n">{o.days_late}</td>'
        + f"<td>{esc(o.legal_deadline or '-')}</td><td>{_level(o.level)}</td>"
        + f"<td>{'是' if o.case_on_time else '-'}</td></tr>" for o in r.overdue)
    overdue = (f"<p>当前超期环节共 {r.overdue_total} 个，列出超期最久的 {len(r.overdue)} 个。</p>"
               '<table class="report"><thead><tr><th>办件</th><th>事项</th><th>环节</th><th>部门</th><th>承诺期限</th>'
               '<th class="n">超期工作日</th><th>法定期限</th><th>预警</th><th>办件总体未超期</th></tr></thead>'
               f"<tbody>{rows}</tbody></table>") if r.overdue else "<p>当前没有超期环节。</p>"
    body = (f"<h1>督办通报</h1><p class=\"sub\">统计期间：{esc(start)} 至 {esc(r.period.end)}{scope}"
            f"（超期情况截至 {esc(r.period.end)}）</p>{sim}<div class=\"figures\">{figures}</div>"
            f"<h2>按部门</h2>{departments}<h2>按环节</h2>{steps}<h2>超期事项</h2>{overdue}"
            "<p class=\"note\">时间以工作日计（受理当日不计），补正和特别程序（听证、检验、检测、鉴定、专家评审等）"
            "期间不计入。承诺时限按优化后流程的最迟完成时间计；法定时限自各环节受理之日起算。</p>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            f"<meta name=\"generator\" content=\"lianban {esc(__version__)}\">\n"
            f"<title>督办通报 {esc(r.period.end)}</title>\n"
            f"<style>{CSS}{EXTRA_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n"
            f"<footer>由 lianban {esc(__version__)} 根据办件库生成。</footer>\n</main>\n</body>\n</html>")
