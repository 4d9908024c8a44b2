"""A static HTML site of analyses: an index of every item and one printable page per item.

:func:`build` returns the pages as ``{file name: html}`` (pure, testable);
:func:`publish` writes them into a folder atomically and removes the pages an
earlier run wrote that are gone now, using a manifest (``.lianban-site.json``):
it never deletes a file it did not list there, and never writes outside the folder.
Pages are self-contained (inline CSS and SVG, no script, no network) and a
Content-Security-Policy forbids scripts and remote loads as a second line of defence.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine import __version__
from engine.errors import LianbanError
from engine.flow.analysis import Analysis, DepartmentView, total
from engine.outputs.html.svg import DateOf, esc, flow, fmt, gantt
from engine.units import percent as pct

MANIFEST = ".lianban-site.json"
INDEX = "index.html"
_PAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html")

CSS = """
:root{--ink:#1d2939;--muted:#667085;--line:#d0d5dd;--soft:#f2f4f7;--blue:#1f4e79;--red:#b42318;--good:#067647}
*{box-sizing:border-box}
body{margin:0;background:#eef1f5;color:var(--ink);font:14px/1.55 "Noto Sans CJK SC","Source Han Sans SC",
"PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:1080px;margin:0 auto;padding:20px 28px 36px;background:#fff;min-height:100vh}
nav{font-size:13px;margin-bottom:6px}a{color:var(--blue)}
h1{font-size:24px;margin:4px 0 2px}h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;
border-bottom:2px solid var(--blue)}h3{font-size:15px;margin:18px 0 6px}
.sub{color:var(--muted);font-size:13px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:12px 0;font-size:13px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.figures{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;margin:14px 0}
.fig{border:1px solid var(--line);border-top:4px solid var(--blue);border-radius:6px;padding:8px 12px}
.fig .k{font-size:12px;color:var(--muted)}.fig .v{font-size:20px;white-space:nowrap}
.fig .v b{font-size:26px;color:var(--blue)}.fig .u{font-size:12px;color:var(--muted)}
.fig .d{font-size:12px;color:var(--good);font-weight:bold}
figure{margin:0}svg{display:block;max-width:100%;height:auto}
.flow-fig{overflow-x:auto}.flow-fig svg{max-width:none}
.legend{font-size:12px;color:var(--muted);margin:6px 0 0}
.key{display:inline-block;width:22px;height:9px;vertical-align:middle;margin:0 4px 0 10px;border-radius:2px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:4px 0 8px}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}table.fixed{table-layout:fixed}
table.fixed th{white-space:normal}
td.n,th.n{text-align:right;white-space:nowrap}tr.total td{font-weight:bold;background:var(--soft)}
.tag{display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;margin-left:4px;white-space:nowrap}
.crit{background:#fee4e2;color:var(--red)}.lead{background:#d1e0ef;color:var(--blue)}
.shared{background:#dcfae6;color:var(--good)}.date{display:block;color:var(--muted);font-size:11px}
.saved{color:var(--good);font-weight:bold}.note{font-size:12px;color:var(--muted)}
footer{margin-top:28px;font-size:11px;color:var(--muted);border-top:1px solid var(--line);padding-top:6px}
@page{size:A4;margin:13mm 11mm}@page wide{size:A4 landscape;margin:11mm}
@media print{body{background:#fff;font-size:10pt}main{max-width:none;padding:0;min-height:0}
nav{display:none}a{color:inherit;text-decoration:none}h2{break-after:avoid}
figure,.dept,tr,.figures{break-inside:avoid}thead{display:table-header-group}
footer{break-before:avoid;break-inside:avoid;margin-top:14px}
.new-page{break-before:page}.flow-fig svg{max-width:100%}.wide{page:wide}}
"""


class SiteError(LianbanError):
    """A site cannot be written as asked (the message is user-facing)."""


def _footer() -> str:
    return (f"<footer>由 lianban {esc(__version__)} 根据事项定义生成。时间以受理之日起的工作日计（受理当日不计）。"
            "</footer>")


def _page(title: str, body: str, footer: bool = True) -> str:
    """A whole HTML document; *footer* False when *body* already holds the footer (see item_page)."""
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">\n"
            f"<meta name=\"generator\" content=\"lianban {esc(__version__)}\">\n<title>{esc(title)}</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n"
            + (f"{_footer()}\n" if footer else "") + "</main>\n</body>\n</html>\n")


def _when(d: float, date_of: DateOf | None) -> str:
    """A time point in working days, with its calendar date when a start date is given."""
    return f"{fmt(d)}" + (f'<span class="date">{date_of(d):%Y-%m-%d}</span>' if date_of else "")


def _figures(a: Analysis) -> str:
    m = a.metrics
    cards = [
        ("减时限", m.serial_days, m.optimized_days, "工作日", f"节省 {fmt(m.saved_days)} 天 · {pct(m.saved_ratio)}"),
        ("减材料", m.materials_before, m.materials_after, "份次", f"少交 {m.materials_before - m.materials_after} 份次"),
        ("减环节", m.steps_before, m.steps_after, "个", f"{m.steps_before} 个环节并为 {m.steps_after} 个阶段"),
        ("减跑动", m.visits_before, m.visits_after, "次", f"少跑 {m.visits_before - m.visits_after} 次"),
    ]
    return '<section class="figures">' + "".join(
        f'<div class="fig"><div class="k">{k}</div><div class="v">{fmt(before)} → <b>{fmt(after)}</b> '
        f'<span class="u">{u}</span></div><div class="d">{d}</div></div>' for k, before, after, u, d in cards) + "</section>"


def _facts(a: Analysis, date_of: DateOf | None) -> str:
    item = a.item
    rows = [("牵头单位", esc(item.lead)), ("协同单位", "、".join(map(esc, item.partners)) or "—")]
    if item.commitment is not None:
        rows.append(("承诺时限", f"{fmt(item.commitment)} 个工作日"))
    if item.legal_days is not None:
        rows.append(("法定时限", f"{fmt(item.legal_days)} 个工作日"))
    if date_of:
        rows.append(("受理日期", f"{date_of(0):%Y-%m-%d}"))
        optimized = a.metrics.optimized_days
        rows.append(("预计办结", f"{date_of(optimized):%Y-%m-%d}（第 {fmt(optimized)} 个工作日）"))
    if item.basis:
        rows.append(("设定依据", esc(item.basis)))
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _materials(a: Analysis) -> str:
    item, m = a.item, a.metrics
    rows = []
    ordered = [*a.applicant_materials, *(x for x in a.materials if not x.from_applicant)]
    for i, mat in enumerate(ordered, 1):
        users = "<br>".join(f"{esc(item.step(s).name)}（{esc(item.step(s).department)}）" for s in mat.steps)
        if mat.from_applicant:
            source = "申请人提交 1 次" + (f"（原需提交 {mat.submissions} 次）" if mat.submissions > 1 else "")
        else:
            producer = item.step(mat.produced_by or "")
            source = (f'<span class="tag shared">部门共享</span> 由「{esc(producer.name)}」（{esc(producer.department)}）'
                      f"出具，申请人免交")
        rows.append(f"<tr><td class=\"n\">{i}</td><td>{esc(mat.name)}</td><td>{users}</td><td>{source}</td></tr>")
    return (f'<p class="note">申请人共提交 {m.materials_after} 份材料（联办前 {m.materials_before} 份次）；'
            f"其余材料由办理环节出具后在部门间流转。</p>"
            '<table class="fixed"><colgroup><col style="width:6%"><col style="width:24%"><col style="width:38%">'
            '<col style="width:32%"></colgroup>'
            "<thead><tr><th class=\"n\">序号</th><th>材料</th><th>使用环节</th><th>来源</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _department(a: Analysis, view: DepartmentView, date_of: DateOf | None, tail: str = "") -> str:
    """A department's table; *tail* goes at the end of its block (printed on the same page)."""
    role = {"lead": '<span class="tag lead">牵头单位</span>', "partner": "协同单位", "other": "其他部门"}[view.role]
    rows = []
    for v in view.steps:
        got = {r.from_step for r in v.receives}
        receives = [f"{esc(r.name)} ← {esc(a.item.step(r.from_step).name)}（{esc(r.from_department)}）"
                    for r in v.receives]
        receives += [f"等待「{esc(a.item.step(p).name)}」完成" for p in v.waits_for if p not in got]
        crit = '<span class="tag crit">关键路径</span>' if v.timing.critical else ""
        rows.append(
            f"<tr><td>{esc(v.step.name)}{crit}</td><td class=\"n\">{fmt(v.step.days)}</td>"
            f"<td>{'<br>'.join(receives) or '—'}</td>"
            f"<td>{'、'.join(esc(a.item.material_name(x)) for x in v.applicant_materials) or '—'}</td>"
            f"<td class=\"n\">{_when(v.timing.earliest_start, date_of)}</td><td class=\"n\">{fmt(v.timing.slack)}</td>"
            f"<td class=\"n\">{_when(v.timing.latest_finish, date_of)}</td></tr>")
    return (f'<div class="dept"><h3>{esc(view.department)} {role}</h3>'
            f'<p class="note">{len(view.steps)} 个环节；最早第 {fmt(view.start)} 个工作日开始，'
            f"最迟第 {fmt(view.deadline)} 个工作日完成"
            + (f"（{date_of(view.deadline):%Y-%m-%d}）" if date_of else "") + "。</p>"
            '<table class="fixed"><colgroup><col style="width:22%"><col style="width:7%"><col style="width:26%">'
            '<col style="width:22%"><col style="width:9%"><col style="width:5%"><col style="width:9%"></colgroup>'
            "<thead><tr><th>环节</th><th class=\"n\">时限(日)</th><th>接收（来自）</th><th>申请人材料</th>"
            "<th class=\"n\">最早开始</th><th class=\"n\">时差</th><th class=\"n\">最迟完成</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{tail}</div>")


def item_page(a: Analysis, date_of: DateOf | None = None) -> str:
    """The self-contained page of one item."""
    item = a.item
    uid = "f-" + re.sub(r"[^a-z0-9-]", "", item.id)
    critical = " → ".join(esc(item.step(s).name) for s in a.critical_path)
    # The footer goes inside the last department's block, which prints unbroken: so it can never
    # be pushed alone onto a last page (chromium does not always honour footer{break-before:avoid}).
    views = a.department_views()
    departments = [_department(a, v, date_of, _footer() if i == len(views) - 1 else "") for i, v in enumerate(views)]
    body = (
        f'<nav><a href="{INDEX}">← 全部事项</a></nav>'
        f"<h1>{esc(item.name)}</h1><div class=\"sub\">一事联办事项 · {esc(item.id)}</div>"
        f"{_facts(a, date_of)}{_figures(a)}"
        "<section><h2>办理时序</h2><figure>" + gantt(a, date_of) + "</figure>"
        f'<p class="legend"><span class="key" style="background:#98a2b3"></span>联办前（串联）'
        f'<span class="key" style="background:#b42318"></span>关键路径'
        f'<span class="key" style="background:#1f4e79"></span>其他环节'
        f'<span class="key" style="background:#c7d7ea"></span>时差（可推迟而不影响办结）</p>'
        f'<p class="note">关键路径：{critical}（{fmt(a.schedule.length)} 个工作日）</p></section>'
        f'<section class="new-page{" wide" if len(a.stages) > 3 else ""}"><h2>并联流程</h2>'
        '<figure class="flow-fig">' + flow(a, uid) + "</figure>"
        '<p class="legend">每行一个部门，每列一个阶段；同一阶段的环节并联办理。箭头上的文字为部门间流转的材料，'
        "虚线为无材料流转的前置关系，红色为关键路径。</p></section>"
        f"<section><h2>一套材料清单</h2>{_materials(a)}</section>"
        '<section class="new-page"><h2>部门分工</h2>'
        + "".join(departments) + "</section>")
    return _page(f"{item.name} · 一事联办", body, footer=not departments)


def index_page(analyses: Sequence[Analysis], date_of: DateOf | None = None) -> str:
    """Every item with its four reductions, and the portfolio totals."""
    rows = []
    for a in analyses:
        m, item = a.metrics, a.item
        due = f'<span class="date">{date_of(m.optimized_days):%Y-%m-%d} 办结</span>' if date_of else ""
        rows.append(
            f'<tr><td><a href="{esc(page_name(item.id))}">{esc(item.name)}</a></td><td>{esc(item.lead)}</td>'
            f"<td class=\"n\">{len(item.departments)}</td>"
            f"<td class=\"n\">{fmt(m.serial_days)} → <b>{fmt(m.optimized_days)}</b>{due}</td>"
            f"<td class=\"n saved\">{pct(m.saved_ratio)}</td>"
            f"<td class=\"n\">{m.materials_before} → <b>{m.materials_after}</b></td>"
            f"<td class=\"n\">{m.steps_before} → <b>{m.steps_after}</b></td>"
            f"<td class=\"n\">{m.visits_before} → <b>{m.visits_after}</b></td></tr>")
    t = total(analyses)
    rows.append(
        f'<tr class="total"><td>合计（{t["items"]} 个事项）</td><td></td><td></td>'
        f"<td class=\"n\">{fmt(t['serial_days'])} → {fmt(t['optimized_days'])}</td>"
        f"<td class=\"n saved\">{pct(t['saved_ratio'])}</td>"
        f"<td class=\"n\">{t['materials_before']} → {t['materials_after']}</td>"
        f"<td class=\"n\">{t['steps_before']} → {t['steps_after']}</td>"
        f"<td class=\"n\">{t['visits_before']} → {t['visits_after']}</td></tr>")
    start = f"；受理日期 {date_of(0):%Y-%m-%d}" if date_of else ""
    body = (
        "<h1>一事联办事项总览</h1>"
        f'<div class="sub">{t["items"]} 个联办事项：联办前后的时限、材料、环节与跑动次数{start}</div>'
        '<section class="figures">'
        f'<div class="fig"><div class="k">减时限（合计）</div><div class="v">{fmt(t["serial_days"])} → '
        f'<b>{fmt(t["optimized_days"])}</b> <span class="u">工作日</span></div>'
        f'<div class="d">节省 {pct(t["saved_ratio"])}</div></div>'
        f'<div class="fig"><div class="k">减材料（合计）</div><div class="v">{t["materials_before"]} → '
        f'<b>{t["materials_after"]}</b> <span class="u">份次</span></div><div class="d">&#160;</div></div>'
        f'<div class="fig"><div class="k">减环节（合计）</div><div class="v">{t["steps_before"]} → '
        f'<b>{t["steps_after"]}</b> <span class="u">个</span></div><div class="d">&#160;</div></div>'
        f'<div class="fig"><div class="k">减跑动（合计）</div><div class="v">{t["visits_before"]} → '
        f'<b>{t["visits_after"]}</b> <span class="u">次</span></div><div class="d">&#160;</div></div></section>'
        "<table><thead><tr><th>事项</th><th>牵头单位</th><th class=\"n\">部门</th><th class=\"n\">时限（工作日）</th>"
        "<th class=\"n\">节省</th><th class=\"n\">材料（份次）</th><th class=\"n\">环节</th><th class=\"n\">跑动（次）</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        '<p class="note">“→”左边为各部门分别办理（串联）的合计，右边为联办后（并联）的结果；'
        "环节的右边为并联后的阶段数。</p>")
    return _page("一事联办事项总览", body)


def page_name(item_id: str) -> str:
    return f"{item_id}.html"


def build(analyses: Sequence[Analysis], date_of: DateOf | None = None) -> dict[str, str]:
    """Every page of the site, by file name (raises SiteError on a clash of names)."""
    pages = {INDEX: index_page(analyses, date_of)}
    for a in analyses:
        name = page_name(a.item.id)
        if not _PAGE_NAME.fullmatch(name):
            raise SiteError(f"item id {a.item.id!r} cannot be used as a file name")
        if name in pages:
            raise SiteError(f"item id {a.item.id!r} clashes with another page ({name}); rename the item")
        pages[name] = item_page(a, date_of)
    return pages


@dataclass(frozen=True)
class Published:
    directory: Path
    written: tuple[str, ...]
    removed: tuple[str, ...]


def _inside(base: Path, name: str) -> Path:
    """base/name, after checking that it is a page name directly inside *base*."""
    path = base / name
    if not _PAGE_NAME.fullmatch(name) or Path(os.path.abspath(path)).parent != base:
        raise SiteError(f"refusing to write {name!r}: not a page name inside {base}")
    return path


def _manifest(base: Path) -> list[str]:
    """The pages an earlier run wrote (an unreadable manifest counts as none: nothing is deleted)."""
    try:
        data = json.loads((base / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    files = data.get("files") if isinstance(data, dict) else None
    return [f for f in files if isinstance(f, str) and _PAGE_NAME.fullmatch(f)] if isinstance(files, list) else []


def publish(out_dir: str | Path, pages: Mapping[str, str]) -> Published:
    """Write *pages* into *out_dir*; remove the pages of an earlier run that are not in *pages*.

    *pages* must be the whole site: a page left out is deleted as stale.  So build it from
    every definition, and publish nothing when a definition has errors (as ``render`` does)
    rather than a site without that item.
    """
    from engine.fileio import write_atomic

    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise SiteError(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    base = root.resolve()
    targets = {name: _inside(base, name) for name in pages}
    old = _manifest(base)

    def record(names: Sequence[str]) -> None:
        doc = {"generator": f"lianban {__version__}", "files": sorted(set(names))}
        write_atomic(base / MANIFEST, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")

    record([*old, *pages])  # a run cut short still knows every page it may have left
    for name, path in targets.items():
        write_atomic(path, pages[name])
    removed = []
    for name in sorted(set(old) - set(pages)):
        path = _inside(base, name)
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed.append(name)
    record(list(pages))
    return Published(base, tuple(sorted(pages)), tuple(removed))
