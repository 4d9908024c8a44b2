"""Mermaid and Graphviz output, checked by parsing it (a small parser per language), not by copied strings."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import CATALOG, ROOT, analysis_of

from engine.cli import main
from engine.flow.analysis import analyze
from engine.outputs import dot, mermaid
from engine.validation.tree import load_items

DEMO = """\
id: demo
name: 演示事项
lead: 市场监管局
partners: [公安局, 税务局]
steps:
  - {id: licence, name: 设立登记, department: 市场监管局, days: 1,
     materials: [registration-application, id-card], produces: [business-licence]}
  - {id: permit, name: 许可审查, department: 市场监管局, days: 10, materials: [business-licence, id-card]}
  - {id: seal, name: 印章刻制, department: 公安局, days: 0.5, materials: [business-licence],
     produces: [invoice-seal-impression]}
  - {id: tax, name: 税务登记, department: 税务局, days: 0.5, materials: [business-licence, invoice-seal-impression]}
  - {id: end, name: 事后核查, department: 税务局, days: 0.5, needs: [permit]}
"""

HOSTILE = """\
id: hostile
name: "A\\"]; click A call alert(1) %% <script>"
lead: 市场监管局
partners: [税务局]
materials:
  - {id: evil-doc, name: "x|y\\" --> end\\n#quot; `md` \\\\N"}
steps:
  - {id: one, name: "end\\"] --> B[\\"<b>bold</b> {curly} (round) #35; \\\\l", department: 市场监管局, days: 1,
     materials: [id-card], produces: [evil-doc]}
  - {id: two, name: "subgraph\\nend\\r\\n;", department: 税务局, days: 2, materials: [evil-doc]}
"""




def shown(text: str) -> str:
    """What a label shows: control characters and line breaks become one space."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


# --- a Mermaid flowchart parser (the subset we write) -------------------------------------------

STRING = r'"([^"]*)"'
NODE = re.compile(rf"^(\w+)\[{STRING}\]$")
SUBGRAPH = re.compile(rf"^subgraph (\w+)\[{STRING}\]$")
EDGE = re.compile(rf"^(\w+) (?:-->\|{STRING}\||(-\.->)) (\w+)$")


def decode(text: str) -> str:
    """Mermaid's entity codes (#quot; #35; ...) back to characters."""
    return html.unescape(re.sub(r"#(\w+);", lambda m: f"&#{m[1]};" if m[1].isdigit() else f"&{m[1]};", text))


@dataclass
class Flowchart:
    direction: str = ""
    groups: dict[str, tuple[str, list[str], str | None]] = field(default_factory=dict)  # id -> title, nodes, parent
    nodes: dict[str, str] = field(default_factory=dict)  # id -> decoded label
    edges: list[tuple[str, str, str | None]] = field(default_factory=list)
    classes: dict[str, list[str]] = field(default_factory=dict)
    link_styles: list[int] = field(default_factory=list)


def parse_mermaid(text: str) -> Flowchart:
    lines = text.splitlines()
    chart = Flowchart(direction=lines[0].split()[1])
    assert lines[0] == "flowchart LR"
    stack: list[str] = []
    for raw in lines[1:]:
        line = raw.strip()
        if m := SUBGRAPH.match(line):
            chart.groups[m[1]] = (decode(m[2]), [], stack[-1] if stack else None)
            stack.append(m[1])
        elif line == "end":
            stack.pop()
        elif line == "direction LR":
            assert stack
        elif m := NODE.match(line):
            assert m[1] not in chart.nodes, f"node {m[1]} defined twice"
            chart.nodes[m[1]] = decode(m[2].replace("<br/>", "\n"))
            chart.groups[stack[-1]][1].append(m[1])
        elif m := EDGE.match(line):
            assert m[1] in chart.nodes and m[4] in chart.nodes, line
            chart.edges.append((m[1], m[4], decode(m[2]) if m[2] is not None else None))
        elif line.startswith("classDef critical "):
            pass
        elif line.startswith("class "):
            ids, name = line.split()[1:]
            chart.classes[name] = ids.split(",")
        elif line.startswith("linkStyle "):
            chart.link_styles = [int(i) for i in line.split()[1].split(",")]
        else:
            raise AssertionError(f"unexpected Mermaid line: {raw!r}")
    assert not stack, "a subgraph is never closed"
    return chart


def test_mermaid_swimlanes_nodes_edges_and_critical_path(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, DEMO)
    chart = parse_mermaid(mermaid.render([a]))
    titles = [g[0] for g in chart.groups.values()]
    assert titles == ["市场监管局（牵头）", "公安局（配合）", "税务局（配合）"]
    by_label = {label.split("\n")[0]: nid for nid, label in chart.nodes.items()}
    assert chart.nodes[by_label["印章刻制"]] == "印章刻制\n公安局 · 0.5 工作日"
    lanes = {g[0]: [chart.nodes[n].split("\n")[0] for n in g[1]] for g in chart.groups.values()}
    assert lanes["税务局（配合）"] == ["税务登记", "事后核查"]
    name = {nid: label.split("\n")[0] for nid, label in chart.nodes.items()}
    edges = {(name[s], name[t]): label for s, t, label in chart.edges}
    assert edges == {("设立登记", "许可审查"): "营业执照", ("设立登记", "印章刻制"): "营业执照",
                     ("设立登记", "税务登记"): "营业执照", ("印章刻制", "税务登记"): "发票专用章印模",
                     ("许可审查", "事后核查"): None}
    assert "end" not in chart.nodes  # the step with id 'end' gets a safe id
    assert sorted(name[n] for n in chart.classes["critical"]) == sorted(["设立登记", "许可审查", "事后核查"])
    hot = [(name[chart.edges[i][0]], name[chart.edges[i][1]]) for i in chart.link_styles]
    assert sorted(hot) == sorted([("设立登记", "许可审查"), ("许可审查", "事后核查")])


def test_mermaid_by_stage(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, DEMO)
    chart = parse_mermaid(mermaid.flowchart([a], "stage"))
    stages = [[chart.nodes[n].split("\n")[0] for n in g[1]] for g in chart.groups.values()]
    assert stages == [["设立登记"], ["许可审查", "印章刻制"], ["税务登记", "事后核查"]]
    with pytest.raises(ValueError, match="unknown group"):
        mermaid.flowchart([a], "colour")


def test_mermaid_several_items_nest_and_keep_ids_apart(tmp_path: Path) -> None:
    a, b = analysis_of(tmp_path, DEMO, "a.yaml"), analysis_of(tmp_path, DEMO.replace("id: demo", "id: demo-two"), "b.yaml")
    chart = parse_mermaid(mermaid.render([a, b]))
    tops = [gid for gid, g in chart.groups.items() if g[2] is None]
    assert [chart.groups[t][0] for t in tops] == ["演示事项", "演示事项"]
    assert len(chart.nodes) == 10 and len(chart.edges) == 10
    assert len(chart.link_styles) == 4


def test_mermaid_hostile_text_cannot_break_out(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, HOSTILE)
    text = mermaid.render([a])
    chart = parse_mermaid(text)  # every line still parses: no quote, bracket or pipe escaped its string
    labels = sorted(label.split("\n")[0] for label in chart.nodes.values())
    assert labels == sorted(shown(s.name) for s in a.item.steps)
    assert [e[2] for e in chart.edges] == [shown(a.item.material_name("evil-doc"))]
    assert "<" not in text.replace("<br/>", "") and "`" not in text


# --- a Graphviz dot parser (the subset we write) --------------------------------------------------

TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(->|[{}\[\]=;,])|([A-Za-z_][\w.]*|-?[\d.]+))', re.DOTALL)


def unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], s)


@dataclass
class Graph:
    attrs: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    clusters: dict[str, Graph] = field(default_factory=dict)

    def all_nodes(self) -> dict[str, dict[str, str]]:
        out = dict(self.nodes)
        for c in self.clusters.values():
            out.update(c.all_nodes())
        return out


def parse_dot(text: str) -> Graph:
    tokens: list[str] = []
    pos = 0
    while pos < len(text.rstrip()):
        m = TOKEN.match(text, pos)
        assert m and m.end() > pos, f"cannot tokenize at {text[pos:pos + 30]!r}"
        tokens.append(unquote(m[1]) if m[1] is not None else m[2] or m[3])
        pos = m.end()
    it = iter(tokens)
    assert next(it) == "digraph"
    next(it)  # the graph's name
    assert next(it) == "{"

    def attr_list() -> dict[str, str]:
        out: dict[str, str] = {}
        while (key := next(it)) != "]":
            if key == ",":
                continue
            assert next(it) == "="
            out[key] = next(it)
        return out

    def body(g: Graph) -> Graph:
        while (tok := next(it)) != "}":
            if tok == ";":
                continue
            if tok == "subgraph":
                name = next(it)
                assert next(it) == "{"
                g.clusters[name] = body(Graph())
            elif tok in ("graph", "node", "edge"):
                assert next(it) == "["
                attrs = attr_list()
                if tok == "graph":
                    g.attrs.update(attrs)
            else:
                nxt = next(it)
                if nxt == "=":
                    g.attrs[tok] = next(it)
                elif nxt == "->":
                    target = next(it)
                    assert next(it) == "["
                    g.edges.append((tok, target, attr_list()))
                else:
                    assert nxt == "[", f"unexpected {nxt!r} after {tok!r}"
                    g.nodes[tok] = attr_list()
        return g

    graph = body(Graph())
    assert next(it, None) is None
    return graph


def test_dot_clusters_labels_and_critical_path(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, DEMO)
    g = parse_dot(dot.render([a]))
    assert g.attrs["rankdir"] == "LR" and g.attrs["label"] == "演示事项"
    assert [c.attrs["label"] for c in g.clusters.values()] == ["市场监管局（牵头）", "公安局（配合）", "税务局（配合）"]
    assert all(name.startswith("cluster_") for name in g.clusters)
    assert list(list(g.clusters.values())[2].nodes) == ["tax", "end"]
    assert g.all_nodes()["seal"]["label"] == "印章刻制\n公安局 · 0.5 工作日"
    edges = {(s, t): attrs.get("label") for s, t, attrs in g.edges}
    assert edges == {("licence", "permit"): "营业执照", ("licence", "seal"): "营业执照", ("licence", "tax"): "营业执照",
                     ("seal", "tax"): "发票专用章印模", ("permit", "end"): None}
    assert [s for s, attrs in g.all_nodes().items() if "penwidth" in attrs] == ["licence", "permit", "end"]
    assert {(s, t) for s, t, attrs in g.edges if "penwidth" in attrs} == {("licence", "permit"), ("permit", "end")}
    assert next(attrs for s, t, attrs in g.edges if t == "end")["style"] == "dashed"


def test_dot_hostile_text_round_trips(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, HOSTILE)
    g = parse_dot(dot.render([a]))
    assert g.attrs["label"] == a.item.name
    nodes = g.all_nodes()
    assert nodes["one"]["label"].split("\n")[0] == a.item.step("one").name  # \l and \N stay literal
    assert nodes["two"]["label"].split("\n") == ["subgraph", "end", ";", "税务局 · 2 工作日"]  # \r\n: one break
    assert g.edges[0][2]["label"] == a.item.material_name("evil-doc")


def test_dot_several_items_are_clusters_of_clusters(tmp_path: Path) -> None:
    a, b = analysis_of(tmp_path, DEMO, "a.yaml"), analysis_of(tmp_path, DEMO.replace("id: demo", "id: demo-two"), "b.yaml")
    g = parse_dot(dot.render([a, b]))
    assert list(g.clusters) == ["cluster_demo", "cluster_demo-two"]
    assert len(g.all_nodes()) == 10 and "demo-two/licence" in g.all_nodes()
    assert all(len(c.clusters) == 3 for c in g.clusters.values())


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is optional: it checks what our parser accepts")
def test_graphviz_accepts_the_output(tmp_path: Path) -> None:
    for text in (DEMO, HOSTILE):
        a = analysis_of(tmp_path, text)
        run = subprocess.run(["dot", "-Tsvg"], input=dot.render([a]), capture_output=True, text=True,
                             timeout=30, check=False)
        assert run.returncode == 0 and not run.stderr, run.stderr


# --- the command line ----------------------------------------------------------------------------

def test_every_definition_exports(capsys: pytest.CaptureFixture[str]) -> None:
    items, _ = load_items([ROOT / "definitions"])
    analyses = [analyze(i) for i in items]
    chart = parse_mermaid(mermaid.render(analyses))
    graph = parse_dot(dot.render(analyses))
    steps = sum(len(a.item.steps) for a in analyses)
    assert len(chart.nodes) == len(graph.all_nodes()) == steps
    assert main(["analyze", str(ROOT / "definitions"), "--format", "mermaid"]) == 0
    assert parse_mermaid(capsys.readouterr().out.rstrip("\n")).nodes


def test_export_by_file_and_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "demo.yaml").write_text(DEMO, encoding="utf-8")
    (defs / "other-name.yaml").write_text(DEMO.replace("id: demo", "id: renamed"), encoding="utf-8")
    common = ["--catalog", str(CATALOG), "--definitions", str(defs)]
    assert main(["export", "mermaid", "demo", "--group", "stage", *common]) == 0
    assert len(parse_mermaid(capsys.readouterr().out.rstrip("\n")).groups) == 3
    out = tmp_path / "flow.dot"
    assert main(["export", "dot", str(defs / "demo.yaml"), "-o", str(out), *common]) == 0
    assert parse_dot(out.read_text(encoding="utf-8")).attrs["label"] == "演示事项"
    assert main(["export", "dot", "renamed", *common]) == 0  # found by scanning (W327 is only a warning)
    assert parse_dot(capsys.readouterr().out.rstrip("\n")).nodes == {}
    assert main(["export", "dot", "demo-x", *common]) == 2
    assert "no item 'demo-x' in " in (err := capsys.readouterr().err) and "(did you mean 'demo'?)" in err
    assert main(["export", "dot", str(defs), *common]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_export_offers_every_format() -> None:
    from engine.outputs import names

    assert names("export") == ["mermaid", "dot", "bpmn", "form"]
    assert names("analyze") == ["text", "json", "markdown", "mermaid", "dot"]
    assert names("analyze --all-situations") == ["text", "json", "markdown"]
