"""The static site (`lianban render`): content, pictures, dates, escaping and safe regeneration."""
from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from helpers import CATALOG, ND_YAML, PROMISED, ROOT, SINGLE, analysis_of

from engine.cli import main
from engine.errors import LianbanError
from engine.flow.analysis import Analysis, analyze
from engine.locations import default_calendar_dir
from engine.outputs.html.pages import MANIFEST, SiteError, build, index_page, item_page, publish
from engine.outputs.html.svg import serial_order, text_width, wrap
from engine.validation.tree import load_items
from engine.workdays.calendar import WorkCalendar

SVG = "{http://www.w3.org/2000/svg}"

DEMO = """\
id: demo
name: 演示事项
lead: 市场监管局
partners: [公安局, 税务局]
commitment: 12
steps:
  - {id: licence, name: 设立登记, department: 市场监管局, days: 1, visits: 2,
     materials: [registration-application, id-card], produces: [business-licence]}
  - {id: permit, name: 许可审查, department: 市场监管局, days: 10, visits: 2, materials: [business-licence, id-card]}
  - {id: seal, name: 印章刻制, department: 公安局, days: 0.5, materials: [business-licence],
     produces: [invoice-seal-impression]}
  - {id: tax, name: 税务登记, department: 税务局, days: 0.5, materials: [business-licence, invoice-seal-impression]}
  - {id: audit, name: 事后核查, department: 税务局, days: 0.5, needs: [permit], materials: [agent-id-card]}
"""

HOSTILE = """\
id: hostile
name: "<script>alert(1)</script>"
lead: 市场监管局
partners: [税务局]
basis: "a\\" onmouseover=\\"alert(6)"
materials:
  - {id: evil-doc, name: "<img src=x onerror=alert(2)>&amp;"}
steps:
  - {id: one, name: "</text></svg><script>alert(3)</script>", department: 市场监管局, days: 1,
     materials: [id-card], produces: [evil-doc]}
  - {id: two, name: "x' onload='alert(4)", department: 税务局, days: 2, materials: [evil-doc]}
"""




class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.parts: list[str | Node] = []  # text and child elements, in document order

    @property
    def children(self) -> list[Node]:
        return [p for p in self.parts if isinstance(p, Node)]

    def all(self, tag: str, cls: str | None = None) -> list[Node]:
        """Descendants with *tag* (and class *cls*), in document order."""
        out = []
        for c in self.children:
            if c.tag == tag and (cls is None or cls in (c.attrs.get("class") or "").split()):
                out.append(c)
            out.extend(c.all(tag, cls))
        return out

    def content(self) -> str:
        return "".join(p if isinstance(p, str) else p.content() for p in self.parts)


class Dom(HTMLParser):
    """Enough of a DOM to find elements and their text; fails on unbalanced tags."""
    VOID: ClassVar[set[str]] = {"meta", "br", "col", "img", "link", "input", "hr"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.here = Node("#root", {}, None)
        self.feed(text)
        self.close()
        assert self.here is self.root, f"<{self.here.tag}> is never closed"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.here)
        self.here.parts.append(node)
        if tag not in self.VOID:
            self.here = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.here.parts.append(Node(tag, dict(attrs), self.here))

    def handle_endtag(self, tag: str) -> None:
        assert self.here.tag == tag, f"</{tag}> closes <{self.here.tag}>"
        assert self.here.parent is not None
        self.here = self.here.parent

    def handle_data(self, data: str) -> None:
        self.here.parts.append(data)


def svgs(page: str) -> dict[str, ET.Element]:
    """Every inline SVG of a page, parsed as XML (so it must be well-formed), by class."""
    return {m.group(1): ET.fromstring(m.group(0)) for m in re.finditer(r'<svg [^>]*class="(\w+)".*?</svg>', page, re.DOTALL)}


def texts(el: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in el.iter(f"{SVG}text")]


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
    assert '"Noto Sans CJK SC","Source Han Sans SC",\n"PingFang SC","Microsoft YaHei",sans-serif' in page
    assert "@media print" in page and "size:A4" in page and "break-before:page" in page
    # printed, the footer must not end up alone on a last page: it sits inside the last
    # department's block, which is kept whole (checked by printing in chromium: docs/render.md)
    dom = Dom(page).root
    assert len(dom.all("footer")) == 1
    assert dom.all("div", "dept")[-1].children[-1].tag == "footer"
    assert ".dept,tr,.figures{break-inside:avoid}" in page and "footer{break-before:avoid" in page
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

def test_hostile_names_are_escaped_everywhere(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, HOSTILE)
    pages = build([a])
    for name, page in pages.items():
        assert "<script" not in page.lower() and "<img" not in page.lower(), name
        assert "onerror=alert(2)" not in page.replace("&lt;img src=x onerror=alert(2)&gt;", ""), name
        Dom(page)  # balanced
        svgs(page)  # each picture parses as XML: well-formed
    item = pages["hostile.html"]
    assert sorted(svgs(item)) == ["flow", "gantt"]  # both pictures are there (and were parsed)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in item
    assert "&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in item
    assert "x&#x27; onload=&#x27;alert(4)" in item
    assert "a&quot; onmouseover=&quot;alert(6)" in item
    assert "&lt;img src=x onerror=alert(2)&gt;&amp;amp;" in item
    dom = Dom(item).root
    assert dom.all("h1")[0].content() == "<script>alert(1)</script>"


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
    # without the tree's calendar the year is unknown, and the message says so
    (defs / "calendar" / "2035.yaml").unlink()
    assert main(render) == 2
    assert "no working-day calendar for 2035" in capsys.readouterr().err


def test_regenerating_removes_only_the_pages_it_wrote(tmp_path: Path) -> None:
    demo, hostile = analysis_of(tmp_path, DEMO, "demo.yaml"), analysis_of(tmp_path, HOSTILE, "hostile.yaml")
    out = tmp_path / "site"
    publish(out, build([demo, hostile]))
    (out / "notes.html").write_text("mine", encoding="utf-8")  # a page the tool did not write
    (out / "logo.png").write_bytes(b"x")
    done = publish(out, build([demo]))
    assert done.removed == ("hostile.html",)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "demo.html", "index.html", "logo.png", "notes.html"]


def test_a_tampered_manifest_cannot_delete_outside_or_foreign_files(tmp_path: Path) -> None:
    demo = analysis_of(tmp_path, DEMO, "demo.yaml")
    out = tmp_path / "site"
    publish(out, build([demo]))
    outside = tmp_path / "victim.html"
    outside.write_text("keep", encoding="utf-8")
    (out / "keep.txt").write_text("keep", encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps({"files": ["../victim.html", str(outside), "keep.txt", "/etc/passwd",
                                                      ".lianban-site.json", "sub/x.html", 3]}), encoding="utf-8")
    assert publish(out, build([demo])).removed == ()
    assert outside.read_text(encoding="utf-8") == "keep" and (out / "keep.txt").exists()
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    assert publish(out, build([demo])).removed == ()


def test_a_symlinked_page_is_neither_followed_nor_replaced(tmp_path: Path) -> None:
    demo = analysis_of(tmp_path, DEMO, "demo.yaml")
    out = tmp_path / "site"
    out.mkdir()
    outside = tmp_path / "outside.html"
    outside.write_text("keep", encoding="utf-8")
    (out / "demo.html").symlink_to(outside)
    with pytest.raises(LianbanError, match="demo.html: it is a symbolic link"):
        publish(out, build([demo]))
    assert outside.read_text(encoding="utf-8") == "keep"
    assert (out / "demo.html").is_symlink()


def test_page_names_are_checked(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="not a page name"):
        publish(tmp_path / "site", {"../escape.html": "x"})
    assert not (tmp_path / "escape.html").exists()
    index = analysis_of(tmp_path, DEMO.replace("id: demo", "id: index"), "index.yaml")
    with pytest.raises(SiteError, match="clashes"):
        build([index])
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(SiteError, match="not a folder"):
        publish(tmp_path / "file", {"index.html": "x"})


def test_every_definition_renders(definitions: list[Analysis]) -> None:
    pages = build(definitions)
    assert len(pages) == len(definitions) + 1
    for a in definitions:
        page = pages[f"{a.item.id}.html"]
        pictures = svgs(page)
        assert set(pictures) == {"gantt", "flow"}
        assert len([g for g in pictures["flow"].iter(f"{SVG}g") if (g.get("class") or "").startswith("step")]) \
            == len(a.item.steps)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("break_items", [
    pytest.param({"demo.yaml": ("days: 0.5, materials: [business-licence],", "days: 0, materials: [business-licence],")},
                 id="one-invalid-value"),
    pytest.param({"demo.yaml": ("id: demo", "id: demo\nid: twice"), "nd.yaml": ("steps:", "steps: [")},
                 id="every-item-invalid"),
    pytest.param({"nd.yaml": ("id: national-day", "id: demo")}, id="duplicate-id"),
])
def test_render_with_an_invalid_definition_publishes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], break_items: dict[str, tuple[str, str]]) -> None:
    defs, out = tmp_path / "defs", tmp_path / "s2"
    defs.mkdir()
    sources = {"demo.yaml": DEMO, "nd.yaml": ND_YAML}
    for name, text in sources.items():
        (defs / name).write_text(text, encoding="utf-8")
    render = ["render", str(defs), "--out", str(out), "--catalog", str(CATALOG)]
    assert main(render) == 0
    before = _snapshot(out)
    assert set(before) == {MANIFEST, "index.html", "demo.html", "national-day.html"}
    capsys.readouterr()
    for name, (old, new) in break_items.items():
        assert old in sources[name]
        (defs / name).write_text(sources[name].replace(old, new, 1), encoding="utf-8")
    assert main(render) == 1
    err = capsys.readouterr().err
    assert "error" in err and f"not published: fix the errors above and render again; nothing in {out} was changed" in err
    assert _snapshot(out) == before  # no page lost, none rewritten, the manifest untouched
    assert main([*render[:3], str(tmp_path / "new"), *render[4:]]) == 1
    assert not (tmp_path / "new").exists()  # a first run with errors creates nothing either


def test_render_still_removes_the_page_of_an_item_that_is_gone(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    defs, out = tmp_path / "defs", tmp_path / "site"
    defs.mkdir()
    (defs / "demo.yaml").write_text(DEMO, encoding="utf-8")
    (defs / "nd.yaml").write_text(ND_YAML, encoding="utf-8")
    render = ["render", str(defs), "--out", str(out), "--catalog", str(CATALOG)]
    assert main(render) == 0
    (defs / "nd.yaml").unlink()
    assert main(render) == 0
    assert "removed 1 stale page(s)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "demo.html", "index.html"]
