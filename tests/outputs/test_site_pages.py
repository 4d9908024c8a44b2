"""What the site says, for every item in definitions/, checked against the analysis.

Every page, with and without dates, against facts computed by engine.flow.analysis: the
index rows and totals, each item's facts and four reductions, every material, every
department's table, every step and flowing material in the pictures. (When the pages moved
from f-strings to templates, their visible text was also compared with the old renderer's,
page by page; that one-off comparison is not kept: it would break on every definition edit.)
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from helpers import ROOT
from sitedom import Dom, Node, svgs, texts, titles

from engine.flow.analysis import Analysis, analyze, edges, total
from engine.outputs.html.dates import DateOf, workday_dates
from engine.outputs.html.pages import build
from engine.validation.tree import load_items
from engine.workdays.calendar import WorkCalendar

DEFINITIONS = ROOT / "definitions"
START = date(2025, 3, 3)  # a Monday; the pages are also built without dates


def site() -> tuple[list[Analysis], DateOf, dict[str, str]]:
    """The analyses of definitions/, the dates of --start 2025-03-03, and every page by
    ``plain/NAME`` (no dates) and ``start/NAME`` (dates)."""
    items, result = load_items([DEFINITIONS])
    assert items and not any(d.is_error for d in result.diagnostics)
    analyses = [analyze(i) for i in items]
    date_of = workday_dates(WorkCalendar.from_dir(DEFINITIONS / "calendar"), START)
    pages = {f"plain/{n}": without_script(p) for n, p in build(analyses).items()}
    pages |= {f"start/{n}": without_script(p) for n, p in build(analyses, date_of).items()}
    return analyses, date_of, pages


def without_script(page: str) -> str:
    """What a page of an item that asks questions shows without its script: the default situation's
    block (the picker, the table of situations and the hidden blocks left out; they are checked in
    test_site_situations.py)."""
    page = re.sub(r'<section class="situations">.*?</section>\n', "", page, count=1, flags=re.DOTALL)
    return re.sub(r'<div class="situation" [^>]* hidden>\n.*?\n</div>\n', "", page, flags=re.DOTALL)


@pytest.fixture(scope="module")
def built() -> tuple[list[Analysis], DateOf, dict[str, str]]:
    return site()


# --- the same pages against the analysis ------------------------------------------------------------

def g(x: float) -> str:
    return f"{x:g}"


def dates(built: tuple[list[Analysis], DateOf, dict[str, str]]) -> Iterator[tuple[str, DateOf | None]]:
    yield "plain", None
    yield "start", built[1]


def cells(row: Node) -> list[list[str]]:
    return [c.lines() for c in row.all("td")]


def test_the_index_shows_every_item_and_the_totals(built: tuple[list[Analysis], DateOf, dict[str, str]]) -> None:
    analyses, _date_of, pages = built
    for variant, date_of in dates(built):
        dom = Dom(pages[f"{variant}/index.html"]).root
        rows = dom.all("tbody")[0].all("tr")
        assert len(rows) == len(analyses) + 1
        for a, row in zip(analyses, rows, strict=False):
            m, item = a.metrics, a.item
            due = [f"{date_of(m.optimized_days):%Y-%m-%d} 办结"] if date_of else []
            assert [" ".join(c) for c in cells(row)] == [
                item.name, item.lead, str(len(item.departments)),
                " ".join([f"{g(m.serial_days)} → {g(m.optimized_days)}", *due]), f"{m.saved_ratio * 100:.1f}%",
                f"{m.materials_before} → {m.materials_after}", f"{m.steps_before} → {m.steps_after}",
                f"{m.visits_before} → {m.visits_after}"]
            assert row.all("a")[0].attrs["href"] == f"{item.id}.html"
        t = total(analyses)
        assert [" ".join(c) for c in cells(rows[-1])] == [
            f"合计（{len(analyses)} 个事项）", "", "", f"{g(t['serial_days'])} → {g(t['optimized_days'])}",
            f"{t['saved_ratio'] * 100:.1f}%", f"{t['materials_before']} → {t['materials_after']}",
            f"{t['steps_before']} → {t['steps_after']}", f"{t['visits_before']} → {t['visits_after']}"]
        cards = [" ".join(c.words()) for c in dom.all("div", "fig")]
        assert cards[0] == f"减时限（合计） {g(t['serial_days'])} → {g(t['optimized_days'])} 工作日 " \
                           f"节省 {t['saved_ratio'] * 100:.1f}%"
        assert cards[1] == f"减材料（合计） {t['materials_before']} → {t['materials_after']} 份次"


def test_each_item_page_shows_its_facts_and_four_reductions(
        built: tuple[list[Analysis], DateOf, dict[str, str]]) -> None:
    analyses, _date_of, pages = built
    for variant, date_of in dates(built):
        for a in analyses:
            item, m = a.item, a.metrics
            dom = Dom(pages[f"{variant}/{item.id}.html"]).root
            assert dom.all("h1")[0].text() == item.name and dom.all("title")[0].text() == f"{item.name} · 一事联办"
            facts = {dt.text(): dd.text() for dt, dd in zip(dom.all("dt"), dom.all("dd"), strict=True)}
            expected = {"牵头单位": item.lead, "配合单位": "、".join(item.partners) or "—"}
            if item.commitment is not None:
                expected["承诺时限"] = f"{g(item.commitment)} 个工作日"
            if item.legal_days is not None:
                expected["法定时限"] = f"{g(item.legal_days)} 个工作日"
            if date_of:
                expected["受理日期"] = f"{START:%Y-%m-%d}"
                expected["预计办结"] = f"{date_of(m.optimized_days):%Y-%m-%d}（第 {g(m.optimized_days)} 个工作日）"
            if item.basis:
                expected["设定依据"] = item.basis
            assert facts == expected, item.id
            assert [" ".join(c.words()) for c in dom.all("div", "fig")] == [
                f"减时限 {g(m.serial_days)} → {g(m.optimized_days)} 工作日 "
                f"节省 {g(m.saved_days)} 天 · {m.saved_ratio * 100:.1f}%",
                f"减材料 {m.materials_before} → {m.materials_after} 份次 少交 {m.materials_before - m.materials_after} 份次",
                f"减环节 {m.steps_before} → {m.steps_after} 个 {m.steps_before} 个环节并为 {m.steps_after} 个阶段",
                f"减跑动 {m.visits_before} → {m.visits_after} 次 少跑 {m.visits_before - m.visits_after} 次"]
            path = " → ".join(item.step(s).name for s in a.critical_path)
            assert f"关键路径：{path}（{g(a.schedule.length)} 个工作日）" in [p.text() for p in dom.all("p", "note")]


def test_each_item_page_lists_every_material_once(built: tuple[list[Analysis], DateOf, dict[str, str]]) -> None:
    analyses, _date_of, pages = built
    for a in analyses:
        item = a.item
        dom = Dom(pages[f"plain/{item.id}.html"]).root
        rows = [cells(r) for r in dom.all("table")[0].all("tbody")[0].all("tr")]
        applicant = [x for x in a.materials if x.from_applicant]
        shared = [x for x in a.materials if not x.from_applicant]
        assert len(rows) == len(a.materials) and [r[1] for r in rows] == [[x.name] for x in applicant + shared]
        for row, mat in zip(rows, applicant + shared, strict=True):
            assert row[2] == [f"{item.step(s).name}（{item.step(s).department}）" for s in mat.steps]
            if mat.from_applicant:
                again = f"（原需提交 {mat.submissions} 次）" if mat.submissions > 1 else ""
                assert row[3] == [f"申请人提交 1 次{again}"]
            else:
                by = item.step(mat.produced_by or "")
                assert row[3] == [f"部门共享 由「{by.name}」（{by.department}）出具，申请人免交"]
        note = f"申请人共提交 {a.metrics.materials_after} 份材料（联办前 {a.metrics.materials_before} 份次）"
        assert any(p.text().startswith(note) for p in dom.all("p", "note"))


def test_each_item_page_has_every_department_table(built: tuple[list[Analysis], DateOf, dict[str, str]]) -> None:
    analyses, _date_of, pages = built
    for variant, date_of in dates(built):
        for a in analyses:
            item = a.item
            dom = Dom(pages[f"{variant}/{item.id}.html"]).root
            blocks = dom.all("div", "dept")
            views = a.department_views()
            assert len(blocks) == len(views)
            for block, view in zip(blocks, views, strict=True):
                role = {"lead": "牵头单位", "partner": "配合单位", "other": "其他部门"}[view.role]
                assert block.all("h3")[0].text() == f"{view.department} {role}"
                until = f"（{date_of(view.deadline):%Y-%m-%d}）" if date_of else ""
                assert block.all("p")[0].text() == (f"{len(view.steps)} 个环节；最早第 {g(view.start)} 个工作日开始，"
                                                    f"最迟第 {g(view.deadline)} 个工作日完成{until}。")
                rows = [cells(r) for r in block.all("tbody")[0].all("tr")]
                assert len(rows) == len(view.steps)
                for row, v in zip(rows, view.steps, strict=True):
                    got = {r.from_step for r in v.receives}
                    receives = [f"{r.name} ← {item.step(r.from_step).name}（{r.from_department}）" for r in v.receives]
                    receives += [f"等待「{item.step(p).name}」完成" for p in v.waits_for if p not in got]
                    mats = "、".join(item.material_name(x) for x in v.applicant_materials)

                    def when(d: float, date_of: DateOf | None = date_of) -> list[str]:
                        return [" ".join([g(d), *([f"{date_of(d):%Y-%m-%d}"] if date_of else [])])]

                    assert row == [[v.step.name + (" 关键路径" if v.timing.critical else "")], [g(v.step.days)],
                                   receives or ["—"], [mats or "—"], when(v.timing.earliest_start),
                                   [g(v.timing.slack)], when(v.timing.latest_finish)], (item.id, v.step.id)
            assert blocks[-1].children[-1].tag == "footer"


def test_each_item_page_pictures_every_step_and_material(
        built: tuple[list[Analysis], DateOf, dict[str, str]]) -> None:
    analyses, _date_of, pages = built
    for a in analyses:
        item, m = a.item, a.metrics
        pictures = svgs(pages[f"plain/{item.id}.html"])
        gantt, flow = pictures["gantt"], pictures["flow"]
        named = [f"{s.name} · {s.department}" for s in item.steps]
        assert sorted(t for t in titles(gantt) if " · " in t) == sorted(named * 2)  # before and after
        words = texts(gantt)
        assert f"联办前：逐个部门串联办理，共 {g(m.serial_days)} 个工作日" in words
        assert (f"联办后：并联办理，共 {g(m.optimized_days)} 个工作日（节省 {g(m.saved_days)} 天，"
                f"{m.saved_ratio * 100:.1f}%）") in words
        assert (f"承诺 {g(item.commitment)} 天" in words) == (item.commitment is not None)
        boxes = sorted(t for t in titles(flow) if t.endswith("）") and any(t == f"{s.name}（{s.department}）"
                                                                           for s in item.steps))
        assert boxes == sorted(f"{s.name}（{s.department}）" for s in item.steps)
        flowing = sorted("、".join(names) for _s, _t, names in edges(a) if names)
        assert sorted(t for t in titles(flow) if t in flowing) == flowing
        assert [t for t in words if t.startswith("阶段")] == []  # stages are in the flow graph
        assert [t for t in texts(flow) if t.startswith("阶段 ")] == [f"阶段 {i + 1}" for i in range(len(a.stages))]
