"""The static site (`lianban render`): content, pictures, dates, escaping and safe regeneration."""
from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from helpers import CATALOG, DEMO, PROMISED, ROOT, SINGLE, analysis_of
from sitedom import SVG, Dom, style, svgs, texts

from engine.cli import main
from engine.flow.analysis import Analysis, analyze
from engine.locations import default_calendar_dir
from engine.outputs.html.pages import build, index_page, item_page
from engine.outputs.html.publish import MANIFEST
from engine.outputs.html.svg import serial_order, text_width, wrap
from engine.validation.tree import load_items
from engine.workdays.calendar import WorkCalendar


@pytest.fixture(scope="module")
def definitions() -> list[Analysis]:
    items, _ = load_items([ROOT / "definitions"])
    assert len(items) >= 3
    return [analyze(i) for i in items]


# --- the index ------------------------------------------------------------------------------------

def test_index_lists_every_item_with_its_four_reductions(definitions: list[Analysis]) -> None:
    dom = Dom(index_page(definitions)).root
    rows = dom.all("tbody")[0].all("tr")
    assert len(rows) == len(definitions) + 1
    for a, row in zip(definitions, rows[:-1], strict=True):  # the last row is the total
        m = a.metrics
        cells = [c.content() for c in row.all("td")]
        assert row.all("a")[0].attrs["href"] == f"{a.item.id}.html"
        assert cells[0] == a.item.name
        assert cells[3].startswith(f"{m.serial_days:g} → {m.optimized_days:g}")
        assert cells[4] == f"{m.saved_ratio * 100:.1f}%"
        assert cells[5:] == [f"{m.materials_before} → {m.materials_after}", f"{m.steps_before} → {m.steps_after}",
                             f"{m.visits_before} → {m.visits_after}"]
    total = [c.content() for c in rows[-1].all("td")]
    assert total[0] == f"合计（{len(definitions)} 个事项）"
    assert total[5] == f"{sum(a.metrics.materials_before for a in definitions)} → " \
                      f"{sum(a.metrics.materials_after for a in definitions)}"


# --- an item page ---------------------------------------------------------------------------------

def test_item_page_is_self_contained_and_printable(tmp_path: Path) -> None:
    page = item_page(analysis_of(tmp_path, DEMO))
    lowered = page.lower()
    assert "<script" not in lowered and "<link" not in lowered and "@import" not in lowered
    assert not re.search(r"\bsrc=", lowered)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) == {"http://www.w3.org/2000/svg"}  # a namespace only
    assert set(re.findall(r"url\(([^)]*)\)", page)) <= {"#f-demo-arrow", "#f-demo-crit"}  # arrowheads
    assert "default-src 'none'" in page
    css = style(page)  # site.css, inlined
    assert 'font:14px/1.55 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif' in css
    assert "@page{size:A4;" in css and "@page wide{size:A4 landscape;" in css
    assert "@media print{" in css and ".new-page{break-before:page}" in css
    # printed, the footer must not end up alone on a last page: it sits inside the last
    # department's block, which is kept whole (checked by printing in chromium: docs/render.md)
    dom = Dom(page).root
    assert len(dom.all("footer")) == 1
    assert dom.all("div", "dept")[-1].children[-1].tag == "footer"
    assert "figure,.dept,tr,.figures{break-inside:avoid}" in css and "footer{break-before:avoid;" in css
    assert len(Dom(index_page([analysis_of(tmp_path, DEMO)])).root.all("footer")) == 1


def test_gantt_bars_follow_the_schedule(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, DEMO)
    g = svgs(item_page(a))["gantt"]
    bars = [r for r in g.iter(f"{SVG}rect") if r.get("class") in ("bar", "critical")]
    by_name = {r.find(f"{SVG}title").text.split(":")[0]: r for r in bars}  # type: ignore[union-attr]
    assert sorted(by_name) == sorted(s.name for s in a.item.steps)
    unit = float(by_name["许可审查"].get("width")) / 10  # type: ignore[arg-type]
    x0 = float(by_name["设立登记"].get("x"))  # type: ignore[arg-type]
    for s in a.item.steps:
        bar, t = by_name[s.name], a.schedule[s.id]
        assert float(bar.get("x")) == pytest.approx(x0 + t.earliest_start * unit, abs=0.2)  # type: ignore[arg-type]
        assert float(bar.get("width")) == pytest.approx(s.days * unit, abs=0.2)  # type: ignore[arg-type]
        assert (bar.get("class") == "critical") == t.critical
    slack = [r for r in g.iter(f"{SVG}rect") if r.get("class") == "slack"]
    assert len(slack) == sum(1 for s in a.item.steps if a.schedule[s.id].slack > 0) == 2
    assert any(t == "承诺 12 天" for t in texts(g))
    assert serial_order(a) == ["licence", "permit", "seal", "tax", "audit"]


def test_flow_graph_has_swimlanes_stages_and_labelled_arrows(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, DEMO)
    f = svgs(item_page(a))["flow"]
    labels = texts(f)
    lanes = [t for t in labels if t in ("市场监管局", "公安局", "税务局")]
    assert lanes == ["市场监管局", "公安局", "税务局"]  # lead first, then partners
    assert [t for t in labels if t.startswith("阶段")] == ["阶段 1", "阶段 2", "阶段 3"]
    boxes = {g.find(f"{SVG}title").text.split("（")[0]: g.find(f"{SVG}rect")  # type: ignore[union-attr]
             for g in f.iter(f"{SVG}g") if (g.get("class") or "").startswith("step")}
    x = {name: float(r.get("x")) for name, r in boxes.items()}  # type: ignore[arg-type, union-attr]
    assert x["设立登记"] < x["许可审查"] == x["印章刻制"] < x["税务登记"] == x["事后核查"]
    edges = [p for p in f.iter(f"{SVG}path") if (p.get("class") or "").startswith("edge")]
    assert len(edges) == 5  # licence→permit, →seal, →tax; seal→tax; permit→audit (needs): one per pair
    dashed = [p for p in edges if p.get("stroke-dasharray")]
    assert len(dashed) == 1  # permit→audit carries no material
    material_labels = sorted("".join(g.find(f"{SVG}text").itertext())  # type: ignore[union-attr]
                             for g in f.iter(f"{SVG}g") if g.get("class") == "material")
    assert material_labels == sorted(["营业执照"] * 3 + ["发票专用章印模"])
    critical = [p for p in edges if "critical" in (p.get("class") or "")]
    assert len(critical) == 2  # licence→permit→audit


def test_material_list_and_department_tables(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, DEMO)
    dom = Dom(item_page(a)).root
    tables = dom.all("table")
    materials = [[c.content() for c in r.all("td")] for r in tables[0].all("tbody")[0].all("tr")]
    assert [row[1] for row in materials] == ["市场主体设立登记申请书", "居民身份证", "经办人身份证", "营业执照",
                                             "发票专用章印模"]
    assert "原需提交 2 次" in materials[1][3]
    assert "由「设立登记」（市场监管局）出具" in materials[3][3] and "申请人免交" in materials[3][3]
    assert materials[3][2] == "许可审查（市场监管局）印章刻制（公安局）税务登记（税务局）"  # one per line
    depts = dom.all("div", "dept")
    assert [d.all("h3")[0].content().split()[0] for d in depts] == ["市场监管局", "公安局", "税务局"]
    tax_rows = [[c.content() for c in r.all("td")] for r in depts[2].all("tbody")[0].all("tr")]
    assert tax_rows[0][0] == "税务登记"
    assert "营业执照 ← 设立登记（市场监管局）" in tax_rows[0][2] and "发票专用章印模 ← 印章刻制（公安局）" in tax_rows[0][2]
    assert tax_rows[0][4:] == ["1.5", "9.5", "11.5"]  # earliest start, slack, latest finish
    assert tax_rows[1][2] == "等待「许可审查」完成" and tax_rows[1][3] == "经办人身份证"


def test_start_date_puts_calendar_dates_on_the_pictures_and_tables(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, DEMO)
    calendar = WorkCalendar.from_dir(default_calendar_dir())
    start = date(2024, 9, 27)  # the Friday before the 2024 National Day holiday; Sunday 09-29 is worked
    page = item_page(a, lambda d: calendar.add_workdays(start, math.ceil(d)))
    g = svgs(page)["gantt"]
    axis = texts(g)
    ticks = [axis[i + 1] for i, t in enumerate(axis[:-1]) if re.fullmatch(r"\d+", t)]  # days 0, 2, 4 ...
    assert ticks[:4] == ["09-27", "09-30", "10-09", "10-11"]  # day 1 is Sunday 09-29, days 3-4 after the holiday
    assert "预计办结</dt><dd>2024-10-18（第 11.5 个工作日）" in page  # day 11.5 rounds up to 12
    assert "最迟第 11.5 个工作日完成（2024-10-18）" in page
    assert "1 天 · 09-29 · 关键" in axis


# --- the Gantt chart's layout: no text over another ---------------------------------------------

Box = tuple[str, float, float, float, float]  # text, left, top, right, bottom (the ink, estimated)


def text_boxes(svg: ET.Element) -> list[Box]:
    """Where each (one-line) text of a picture lies, from its x, y, anchor and estimated width."""
    out = []
    for t in svg.iter(f"{SVG}text"):
        words, size = "".join(t.itertext()), float(t.get("font-size"))  # type: ignore[arg-type]
        x, y, w = float(t.get("x")), float(t.get("y")), text_width(words, size)  # type: ignore[arg-type]
        x -= {"start": 0, "middle": w / 2, "end": w}[t.get("text-anchor") or "start"]
        out.append((words, x, y - 0.88 * size, x + w, y + 0.12 * size))
    return out


def overlap(a: Box, b: Box) -> bool:
    return a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]


def assert_no_text_collides(svg: ET.Element) -> None:
    width = float(svg.get("viewBox").split()[2])  # type: ignore[union-attr]
    boxes = text_boxes(svg)
    for i, a in enumerate(boxes):
        assert a[1] >= 0 and a[3] <= width, f"{a[0]!r} runs off the picture ({a[1]:.1f}–{a[3]:.1f} of {width})"
        for b in boxes[i + 1:]:
            assert not overlap(a, b), f"{a[0]!r} is drawn over {b[0]!r}"


def nd_dates(start: date) -> Callable[[float], date]:
    calendar = WorkCalendar.from_dir(default_calendar_dir())
    return lambda d: calendar.add_workdays(start, math.ceil(d))


def test_a_bar_note_wider_than_the_margin_stays_right_of_the_step_names(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, SINGLE)
    g = svgs(item_page(a, nd_dates(date(2021, 9, 29))))["gantt"]
    boxes = text_boxes(g)
    names = [b for b in boxes if b[0] == "营业执照登记"]
    notes = [b for b in boxes if b[0].startswith("10 天")]
    assert len(names) == 2 and len(notes) == 2  # before and after
    assert notes[1][0] == "10 天 · 10-19 · 关键" and notes[1][3] - notes[1][1] > 96  # wider than the old margin
    bars = [r for r in g.iter(f"{SVG}rect") if r.get("class") in ("critical", "bar") or r.get("fill") == "#98a2b3"]
    for name, note, bar in zip(names, notes, bars, strict=True):
        assert note[1] > float(bar.get("x")) + float(bar.get("width")) > name[3]  # type: ignore[arg-type]
        assert note[2] < name[4] and name[2] < note[4]  # on the step's row
    assert_no_text_collides(g)


def test_the_commitment_label_clears_the_heading_and_its_line_skips_notes(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, PROMISED)
    assert (a.metrics.serial_days, a.metrics.optimized_days, a.item.commitment) == (25, 5, 5)
    for date_of in (None, nd_dates(date(2021, 9, 29))):
        g = svgs(item_page(a, date_of))["gantt"]
        boxes = text_boxes(g)
        heading = next(b for b in boxes if b[0].startswith("联办后："))
        label = next(b for b in boxes if b[0] == "承诺 5 天")
        first_bar = min(float(r.get("y")) for r in g.iter(f"{SVG}rect")  # type: ignore[arg-type]
                        if r.get("class") in ("critical", "bar"))
        assert heading[4] < label[2] and label[4] <= first_bar  # between the heading and the bars
        assert_no_text_collides(g)
    # a commitment that falls inside the notes: its dashed line leaves a gap where it would cross one
    late = analysis_of(tmp_path, PROMISED.replace("commitment: 5", "commitment: 5.5"), "late.yaml")
    g = svgs(item_page(late))["gantt"]
    path = next(p for p in g.iter(f"{SVG}path") if p.get("class") == "commitment")
    segments = [(float(y0), float(y1)) for y0, y1 in re.findall(r"M[\d.]+,([\d.]+)V([\d.]+)", path.get("d", ""))]
    x = float(re.findall(r"M([\d.]+),", path.get("d", ""))[0])
    crossed = [b for b in text_boxes(g) if b[1] <= x <= b[3] and b[0] != "承诺 5.5 天"]
    assert crossed and len(segments) >= 2
    for b in crossed:
        assert not any(y0 < b[4] and b[2] < y1 for y0, y1 in segments), f"the dashed line runs through {b[0]!r}"


def test_every_gantt_chart_keeps_its_texts_apart(definitions: list[Analysis]) -> None:
    for date_of in (None, nd_dates(date(2021, 9, 29))):
        for a in definitions:
            assert_no_text_collides(svgs(item_page(a, date_of))["gantt"])


# --- escaping -------------------------------------------------------------------------------------

def test_wrap_breaks_cjk_text_and_keeps_closing_punctuation_attached() -> None:
    assert wrap("食品经营许可（餐饮服务）", 140, 12.5, 3) == ["食品经营许可（餐饮服", "务）"]
    assert all(not line.startswith(("）", "、")) for line in wrap("一二三四五六七八九十（一）、二", 60, 12, 9))
    lines = wrap("甲" * 40, 120, 12, 2)
    assert len(lines) == 2 and lines[-1].endswith("…") and text_width(lines[-1], 12) <= 120
    assert wrap("abc", 100, 12) == ["abc"]


# --- writing the site -----------------------------------------------------------------------------

def test_render_command_writes_the_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "demo.yaml").write_text(DEMO, encoding="utf-8")
    out = tmp_path / "site"
    assert main(["render", str(tmp_path / "defs"), "--out", str(out), "--catalog", str(CATALOG),
                 "--start", "2024-09-27"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "demo.html", "index.html"]
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"] == ["demo.html", "index.html"]
    assert "2024-10-18" in (out / "demo.html").read_text(encoding="utf-8")
    assert "wrote 2 page(s)" in capsys.readouterr().out


@pytest.mark.parametrize("start, message", [("2024-13-01", "2024-13-01: no such day (there is no month 13)"),
                                            ("2199-01-02", "no working-day calendar for 2199")])
def test_render_command_rejects_bad_start_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                start: str, message: str) -> None:
    (tmp_path / "demo.yaml").write_text(DEMO, encoding="utf-8")
    assert main(["render", str(tmp_path / "demo.yaml"), "--out", str(tmp_path / "site"), "--catalog", str(CATALOG),
                 "--start", start]) == 2
    assert message in capsys.readouterr().err


CALENDAR_2035 = """\
year: 2035
source: a made-up year for the tests (the chinesecalendar package does not know 2035)
holidays:
  - {date: 2035-01-01, name: 元旦}
  - {from: 2035-01-02, to: 2035-01-05, name: 假日}
workdays:
  - {date: 2035-01-06, name: 调休}
"""


def test_render_start_uses_the_calendar_of_the_rendered_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    defs = tmp_path / "tree" / "definitions"
    (defs / "calendar").mkdir(parents=True)
    (defs / "calendar" / "2035.yaml").write_text(CALENDAR_2035, encoding="utf-8")
    (defs / "demo.yaml").write_text(DEMO, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not inside the tree: the working directory must not matter
    monkeypatch.delenv("LIANBAN_CALENDAR_DIR", raising=False)
    render = ["render", str(defs), "--out", "site", "--catalog", str(CATALOG), "--start", "2035-01-01"]
    assert main(render) == 0, capsys.readouterr().err
    axis = texts(svgs((elsewhere / "site" / "demo.html").read_text(encoding="utf-8"))["gantt"])
    ticks = [axis[i + 1] for i, t in enumerate(axis[:-1]) if re.fullmatch(r"\d+", t)]  # days 0, 2, 4 ...
    assert ticks[:3] == ["01-01", "01-08", "01-10"]  # day 1 is Saturday 01-06 (worked), 01-02…05 are off
    # a file naming just one of the tree's items finds the same calendar
    assert main(["render", str(defs / "demo.yaml"), *render[2:]]) == 0
    # --calendar wins over the tree's: here 2035 has only New Year's Day off
    other = tmp_path / "other-calendar"
    other.mkdir()
    (other / "2035.yaml").write_text(CALENDAR_2035.split("  - {from")[0], encoding="utf-8")
    assert main([*render, "--calendar", str(other)]) == 0
    axis = texts(svgs((elsewhere / "site" / "demo.html").read_text(encoding="utf-8"))["gantt"])
    assert [axis[i + 1] for i, t in enumerate(axis[:-1]) if re.fullmatch(r"\d+", t)][:3] == ["01-01", "01-03", "01-05"]
    capsys.readouterr()
    assert main([*render, "--calendar", str(tmp_path / "missing")]) == 2
    assert f"--calendar {tmp_path / 'missing'}: no such folder" in capsys.readouterr().err
    assert "临时日期" not in (elsewhere / "site" / "index.html").read_text(encoding="utf-8")
    # without the tree's calendar 2035 has no official arrangement: provisional dates, said on every page
    (defs / "calendar" / "2035.yaml").unlink()
    assert main(render) == 0
    assert ("lianban: warning: 2035-01-01 is a holiday (元旦) by the provisional 2035 calendar, not a working day: "
            "the count starts from the next working day, 2035-01-02") in capsys.readouterr().err
    note = "临时日期：2035 年的国务院节假日安排尚未公布"
    assert note in (elsewhere / "site" / "index.html").read_text(encoding="utf-8")
    assert note in (elsewhere / "site" / "demo.html").read_text(encoding="utf-8")
    axis = texts(svgs((elsewhere / "site" / "demo.html").read_text(encoding="utf-8"))["gantt"])
    assert [axis[i + 1] for i, t in enumerate(axis[:-1]) if re.fullmatch(r"\d+", t)][:3] == ["01-01", "01-03", "01-05"]
    # ... unless only official years are wanted: then the year is unknown, and the message says so
    assert main([*render, "--official-only"]) == 2
    assert "no working-day calendar for 2035" in capsys.readouterr().err


def test_every_definition_renders(definitions: list[Analysis]) -> None:
    pages = build(definitions)
    assert len([n for n in pages if ".form-" not in n]) == len(definitions) + 1  # and the situations' forms
    for a in definitions:
        page = pages[f"{a.item.id}.html"]
        if a.item.has_situations:  # the first block of the page is the default situation's
            page = page.split('<div class="situation" ', 2)[1]
        pictures = svgs(page)
        assert set(pictures) == {"gantt", "flow"}
        assert len([g for g in pictures["flow"].iter(f"{SVG}g") if (g.get("class") or "").startswith("step")]) \
            == len(a.item.steps)


# --- how the pages are made ---------------------------------------------------------------------

TEMPLATES = ROOT / "engine" / "outputs" / "html" / "templates"


def test_templates_escape_by_default_and_refuse_unknown_names() -> None:
    import jinja2

    from engine.outputs.html.pages import environment

    env = environment()
    assert env.autoescape is True and env.undefined is jinja2.StrictUndefined  # for every name, .j2 too
    assert env.get_template("partials/footer.html.j2").render(version="<v>").startswith("<footer>由 lianban &lt;v&gt;")
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ a.no_such_field }}").render(a=object())
    names = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.j2"))
    assert names == ["base.html.j2", "form.html.j2", "index.html.j2", "item.html.j2", "partials/department.html.j2",
                     "partials/facts.html.j2", "partials/figures.html.j2", "partials/flow.html.j2",
                     "partials/footer.html.j2", "partials/macros.html.j2", "partials/materials.html.j2",
                     "partials/situations.html.j2", "supervision.html.j2"]
    for name in names:  # nothing is marked safe in a template: only Markup built in Python is
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+false", source), name


def test_the_style_sheet_is_site_css_inlined(tmp_path: Path) -> None:
    css = (ROOT / "engine" / "outputs" / "html" / "site.css").read_text(encoding="utf-8").strip()
    page = item_page(analysis_of(tmp_path, DEMO))
    assert f"<style>\n{css}\n</style>" in page and "</" not in css
    assert page.count("<style>") == 1


def test_trees_with_different_calendar_folders_need_calendar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.errors import UsageError
    from engine.locations import calendar_dir

    monkeypatch.delenv("LIANBAN_CALENDAR_DIR", raising=False)
    for tree in ("one", "two"):
        (tmp_path / tree / "calendar").mkdir(parents=True)
        (tmp_path / tree / "item.yaml").write_text(DEMO, encoding="utf-8")
    one, two = tmp_path / "one" / "item.yaml", tmp_path / "two"
    assert calendar_dir(None, [one]) == (tmp_path / "one" / "calendar").resolve()
    assert calendar_dir(None, [two]) == (tmp_path / "two" / "calendar").resolve()
    assert calendar_dir(tmp_path / "one" / "calendar", [one, two]) == tmp_path / "one" / "calendar"
    with pytest.raises(UsageError, match="different calendar folders: .*choose one with --calendar DIR"):
        calendar_dir(None, [one, two])
