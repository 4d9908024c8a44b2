"""Hostile text in every place a definition string reaches the site: it stays text.

Titles, the item's facts, step names, materials, department names, and the SVG pictures' labels
and tooltips each get markup (``<script>``, an attribute break-out with both quotes), ``&``,
Jinja syntax (``{{ }}``, ``{% %}``, ``{# #}``) and control characters.  Each must show as the
same text (control characters as U+FFFD), add no element or attribute, and leave every picture
well-formed XML.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import analysis_of, make_tree
from sitedom import SVG, Dom, Node, svgs, texts, titles, visible_text

from engine.flow.analysis import Analysis, analyze
from engine.outputs.html.pages import build
from engine.outputs.html.svg import NOT_TEXT, clean
from engine.validation.tree import load_items

# Every string below reaches the page; YAML's "\x01" escapes put control characters in them.
NAME = '<script>alert(1)</script>{{ 7*7 }}\x01'
LEAD = "<b>甲局</b>&amp;\"'{{ 7*7 }}"
PARTNER = "乙局{% if 1 %}x{% endif %}\x7f"
BASIS = 'a" onmouseover="alert(6)\x01 &lt;'
DOC = "<img src=x onerror=alert(2)>&amp;{{ 7*7 }}\x85"
FORM = "通用表{# c #}{% raw %}"
STEP_ONE = "</text></svg><script>alert(3)</script>\x0b"
STEP_TWO = "x' onload='alert(4)\" {{ a }}\x1f"
STEP_THREE = "]]></style><!-- {% endraw %}"


def yaml(text: str) -> str:
    """*text* as a YAML double-quoted scalar (escapes for \\, " and control characters)."""
    return '"' + "".join(f"\\x{ord(c):02x}" if NOT_TEXT.match(c)
                         else "\\" + c if c in '\\"' else c for c in text) + '"'


DEPARTMENTS = f"""\
departments:
  - {{name: {yaml(LEAD)}}}
  - {{name: {yaml(PARTNER)}}}
"""
MATERIALS = f"""\
materials:
  - {{id: shared-form, name: {yaml(FORM)}}}
"""
ITEM = f"""\
id: hostile
name: {yaml(NAME)}
lead: {yaml(LEAD)}
partners: [{yaml(PARTNER)}]
commitment: 5
basis: {yaml(BASIS)}
materials:
  - {{id: evil-doc, name: {yaml(DOC)}}}
steps:
  - {{id: one, name: {yaml(STEP_ONE)}, department: {yaml(LEAD)}, days: 1, materials: [shared-form],
     produces: [evil-doc]}}
  - {{id: two, name: {yaml(STEP_TWO)}, department: {yaml(PARTNER)}, days: 2, materials: [evil-doc, shared-form]}}
  - {{id: three, name: {yaml(STEP_THREE)}, department: {yaml(PARTNER)}, days: 1, needs: [one]}}
"""

# The elements and attributes the site uses: anything else was injected.
HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "nav", "a", "h1", "h2", "h3", "div", "dl", "dt",
             "dd", "section", "figure", "p", "span", "b", "br", "table", "colgroup", "col", "thead", "tbody", "tr",
             "th", "td", "footer", "svg", "defs", "marker", "path", "rect", "line", "g", "text", "tspan"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    tree = make_tree(tmp_path_factory.mktemp("hostile"), DEPARTMENTS, MATERIALS, {"hostile.yaml": ITEM})
    items, result = load_items([tree / "hostile.yaml"])
    assert items, [f"{d.code} {d.message}" for d in result.diagnostics]
    item = items[0]
    assert (item.name, item.lead, item.partners, item.basis) == (NAME, LEAD, (PARTNER,), BASIS)  # as written
    return analyze(item)


def elements(node: Node) -> list[Node]:
    return [node, *(d for c in node.children for d in elements(c))]


def test_nothing_is_injected_and_every_picture_is_well_formed(hostile: Analysis) -> None:
    for name, page in build([hostile]).items():
        assert not NOT_TEXT.search(page), name  # no control character left in the markup
        dom = Dom(page).root  # balanced
        tags = {n.tag for n in elements(dom)} - {"#root"}
        assert tags <= HTML_TAGS, (name, tags - HTML_TAGS)
        for node in elements(dom):
            assert not any(a.startswith("on") for a in node.attrs), (name, node.tag, node.attrs)
            assert node.attrs.get("src") is None and node.tag != "script"
        for picture in svgs(page).values():  # parsed as XML: well-formed
            assert {e.tag.removeprefix(SVG) for e in picture.iter()} <= HTML_TAGS
        assert "49" not in " ".join(visible_text(page))  # {{ 7*7 }} is never evaluated


def test_the_item_page_shows_every_hostile_string_as_text(hostile: Analysis) -> None:
    page = build([hostile])["hostile.html"]
    dom = Dom(page).root
    name, lead, partner = clean(NAME), clean(LEAD), clean(PARTNER)
    one, two, three, doc, form = clean(STEP_ONE), clean(STEP_TWO), clean(STEP_THREE), clean(DOC), clean(FORM)
    assert name.endswith("{{ 7*7 }}\ufffd") and doc.endswith("\ufffd")
    assert dom.all("title")[0].content() == f"{name} · 一事联办"
    assert dom.all("h1")[0].content() == name
    facts = dict(zip([n.content() for n in dom.all("dt")], [n.content() for n in dom.all("dd")], strict=True))
    assert (facts["牵头单位"], facts["配合单位"], facts["设定依据"]) == (lead, partner, clean(BASIS))
    assert dom.all("p", "note")[0].content() == f"关键路径：{one} → {two}（3 个工作日）"
    materials = [[c.lines() for c in r.all("td")] for r in dom.all("table")[0].all("tr")[1:]]
    assert materials == [
        [["1"], [form], [f"{one}（{lead}）", f"{two}（{partner}）"], ["申请人提交 1 次（原需提交 2 次）"]],
        [["2"], [doc], [f"{two}（{partner}）"], [f"部门共享 由「{one}」（{lead}）出具，申请人免交"]]]
    depts = dom.all("div", "dept")
    assert [d.all("h3")[0].text() for d in depts] == [f"{lead} 牵头单位", f"{partner} 配合单位"]
    rows = [[c.lines() for c in r.all("td")[:4]] for d in depts for r in d.all("tbody")[0].all("tr")]
    assert rows == [[[f"{one} 关键路径"], ["1"], ["—"], [form]],
                    [[f"{two} 关键路径"], ["2"], [f"{doc} ← {one}（{lead}）"], [form]],
                    [[three], ["1"], [f"等待「{one}」完成"], ["—"]]]
    assert dom.all("footer")[0].parent is depts[-1]


def test_the_pictures_show_every_hostile_string_as_text(hostile: Analysis) -> None:
    pictures = svgs(build([hostile])["hostile.html"])
    name, lead, partner = clean(NAME), clean(LEAD), clean(PARTNER)
    one, two, three, doc = clean(STEP_ONE), clean(STEP_TWO), clean(STEP_THREE), clean(DOC)
    gantt, flow = pictures["gantt"], pictures["flow"]
    assert gantt.get("aria-label") == f"{name} 办理时序（联办前后）" and flow.get("aria-label") == f"{name} 并联流程图"
    labels = [f"{one} · {lead}", f"{two} · {partner}", f"{three} · {partner}"]
    assert [t for t in titles(gantt) if " · " in t] == labels * 2  # before and after
    for step in (one, two, three):  # the step's label: one line, cut with … when too wide
        assert any(step.startswith(t.rstrip("…")) and t for t in texts(gantt)), step
    assert [g.find(f"{SVG}title").text for g in flow.iter(f"{SVG}g")  # type: ignore[union-attr]
            if "step" in (g.get("class") or "")] == [f"{one}（{lead}）", f"{two}（{partner}）", f"{three}（{partner}）"]
    assert [g.find(f"{SVG}title").text for g in flow.iter(f"{SVG}g")  # type: ignore[union-attr]
            if g.get("class") == "material"] == [doc]
    lanes = [t for t in flow.iter(f"{SVG}text") if t.get("font-weight") == "bold" and t.get("x") == "56.0"]
    for lane, dept in zip(lanes, (lead, partner), strict=True):  # wrapped over up to three lines
        shown = "".join(lane.itertext())
        assert re.sub(r"\s", "", dept).startswith(shown.rstrip("…").replace(" ", "")), (shown, dept)


def test_the_index_shows_the_hostile_names_as_text(hostile: Analysis) -> None:
    dom = Dom(build([hostile])["index.html"]).root
    link = dom.all("a")[0]
    assert link.attrs["href"] == "hostile.html" and link.content() == clean(NAME)
    assert dom.all("tbody")[0].all("td")[1].content() == clean(LEAD)


def test_markup_in_the_page_source_is_escaped(tmp_path: Path) -> None:
    """The raw page, for the record: entities where a parser would see markup."""
    a = analysis_of(tmp_path, """\
id: raw
name: "<script>alert(1)</script>"
lead: 市场监管局
basis: "a\\" onmouseover=\\"alert(6)'"
steps:
  - {id: one, name: "</text></svg>&amp;", department: 市场监管局, days: 1}
""")
    page = build([a])["raw.html"]
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    assert "<dd>a&#34; onmouseover=&#34;alert(6)&#39;</dd>" in page
    assert "&lt;/text&gt;&lt;/svg&gt;&amp;amp;" in page  # in the tables and in the pictures
    assert 'aria-label="&lt;script&gt;alert(1)&lt;/script&gt; 办理时序（联办前后）"' in page
