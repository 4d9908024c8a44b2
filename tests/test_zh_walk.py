"""Under LANG=zh_CN.UTF-8 no English word is left in any command's output.

The test walks every command's help (the parser tree, read from the parser itself, so a new
command is walked too), every command run with representative arguments, its error paths, and
the example of every finding code in docs/codes.md. What may stay Latin: codes (E304), ids
(of items, steps, materials), the YAML field names a hint tells the user to write, file paths,
options and metavars, JSON keys, and the short allowlist of product names and units below.
"""
from __future__ import annotations

import argparse
import contextlib
import html
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT

from engine.cli import build_parser, main

# product and format names, units, and words of the YAML format (field names a hint names)
ALLOW = {
    "json", "yaml", "bpmn", "mermaid", "sqlite", "postgresql", "graphviz", "dot", "html", "svg", "utf", "gbk",
    "gb18030", "kib", "gib", "sha256", "null", "true", "false", "lianban", "python", "pip", "psycopg", "binary",
    "chinesecalendar", "holidays", "github", "actions", "iconv", "gov", "cn", "x-", "md", "readme", "yes", "no", "on",
    "off", "camunda7", "zeebe", "flowable", "plain", "table", "markdown", "text", "auto", "zh", "en", "juel",
    # the YAML format's own words (field names, written as the user must write them)
    "id", "name", "lead", "partners", "steps", "materials", "needs", "produces", "days", "department", "commitment",
    "legal_days", "joint_visits", "basis", "channel", "notes", "visits", "applicant_may_hold", "aliases", "issued_by",
    "full_name", "kind", "departments", "workdays", "source", "replaces_package", "date", "from", "to",
    "questions", "options", "when", "fields", "field", "step", "material", "label", "labels", "type",
    "default", "frequency", "unit", "up_to", "share", "min", "max", "help",
    # commands, verbs and choices as typed
    "validate", "analyze", "preview", "report", "export", "render", "calendar", "case", "open", "accept",
    "approve", "return", "resubmit", "refuse", "withdraw", "show", "list", "queue", "add", "between", "sources",
    "import", "stage", "group", "flavor", "force", "serve", "account", "store", "receive", "correct",
    "history", "init-admin", "password", "disable", "enable", "token", "tokens", "revoke", "audit", "rebuild",
    "clerk", "officer", "supervisor", "analyst", "admin", "api", "tls", "cookie", "secure", "form", "schema",
    "suspend", "resume", "supervise", "simulate", "warnings", "before", "after", "p90", "wd", "guide",
}
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_'-]*[A-Za-z0-9]|[A-Za-z]")
A, Z = r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])"  # ASCII word boundaries (a Chinese character is no letter here)
# what is removed before looking for words: code spans, options, paths, codes, hex, metavars, echoed input
STRIP = [re.compile(p) for p in (
    r"lbt_\S+",  # a token first: random, it may hold '--x' or a capital run the patterns below would cut
    r"(?m)^    \| .*$",  # a line of the user's file, quoted under a finding
    r"`+[^`]*`+", A + r"--?[a-z][\w-]*", r"[^\s'（(]*[/\\][^\s'）)，、；]*",
    A + r"[\w.-]+\.(?:yaml|yml|md|txt|json|db|html|py)" + Z,
    A + r"[EWI]\d{3}" + Z, A + r"[0-9a-f]{8,}" + Z, r"\$[A-Z_]+", A + r"[A-Z][A-Z0-9_]+" + Z, r"%\([a-z_]+\)[rsd]",
    r"0x[0-9a-f]+", A + r"U\+[0-9A-F]{4}" + Z, r"\{[a-z,]+\}",
    r"'[^'\s]*'", r"‘[^’]*’",  # what the user wrote, echoed in quotes (an id, a misspelt field, a value)
    r"::(?:error|warning|notice) file=[^:]*,line=\d+,col=\d+,title=",  # GitHub's annotation syntax
    r"\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?", r"\S+@\S+", r"lbt_\S+", r"os:\S+",  # a timestamp, an actor, a token
    r"(?<![\w-])[a-z_]+=",  # key=value in the audit log's details
)]
MACHINE = ("mermaid", "dot", "bpmn")  # graph languages: only their labels are for people


def form_labels(text: str) -> str:
    """The human text of a form (``export form``, JSON Schema): its titles and descriptions; the
    messages after it (stderr) as they are."""
    end = text.rfind("\n}") + 2
    if not text.startswith("{") or end < 2:
        return text
    words: list[str] = []
    stack = [json.loads(text[:end])]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            words += [v for k, v in node.items() if k in ("title", "description") and isinstance(v, str)]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return "\n".join(words) + text[end:]


def labels(text: str, mermaid: bool) -> str:
    """The human text of a Mermaid graph (its quoted labels), a dot graph (label="...") or a BPMN
    document (name="...")."""
    return "\n".join(re.findall(r'"([^"]*)"' if mermaid else r'\b(?:label|name)="([^"]*)"', text))


def english_words(text: str, ids: set[str]) -> list[str]:
    for pattern in STRIP:
        text = pattern.sub(" ", text)
    out = []
    for word in LATIN.findall(text):
        w = word.lower().strip("'-")
        if w in ALLOW or word in ids or w in ids or len(w) == 1 or "-" in w or "_" in w:  # hyphenated: an id, a kind
            continue
        out.append(word)
    return out


def known_ids() -> set[str]:
    """Every id of the project's definitions and catalog, and of the test items (they appear in output)."""
    import yaml

    ids: set[str] = set()
    for path in [*(ROOT / "definitions").rglob("*.yaml"), ROOT / "examples" / "open-bakery.yaml"]:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        stack = [doc]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if isinstance(node.get("id"), str):
                    ids.add(node["id"])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    ids.update(p.stem for p in (ROOT / "definitions").glob("*.yaml"))
    ids.update({"demo", "licence", "tax", "permit", "check-a", "check-b", "inspection", "seal", "owner", "form-a",
                "cert-b", "extra", "typo", "huge", "my-catalog", "broken", "x", "xx", "pdf", "nosuch", "empty", "site",
                "definitions", "catalog", "calendar", "wang", "li", "admin2", "nobody"})
    from test_docs_codes import SECTIONS, files_of

    for _title, body in SECTIONS.values():  # the ids of the examples of every finding code
        for content in files_of(body).values():
            ids.update(re.findall(r"\bid: ([\w-]+)", content))
    return ids


IDS = known_ids()


def run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # --help
            code = int(exc.code or 0)
    if argv[:2] == ["calendar", "import"] and "-" in argv:  # the calendar file itself: data, alike in any language
        return code, err.getvalue()
    return code, out.getvalue() + err.getvalue()


def parser_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parser_paths(sub, (*prefix, name))


def help_commands() -> list[tuple[str, ...]]:
    return list(parser_paths(build_parser()))


@pytest.mark.parametrize("path", help_commands(), ids=lambda p: " ".join(p) or "lianban")
def test_every_help_page_is_chinese(path: tuple[str, ...], zh: None) -> None:
    code, text = run([*path, "--help"])
    assert code == 0
    assert "用法：" in text
    assert english_words(text, IDS) == [], text


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zh: None) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("LIANBAN_CATALOG", raising=False)
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copy(ROOT / "examples" / "broken.yaml", tmp_path / "broken.yaml")
    shutil.copy(ROOT / "examples" / "open-bakery.yaml", tmp_path / "bakery.yaml")
    (tmp_path / "empty").mkdir()
    return tmp_path


DB = ["--db", "cases.db"]
CASE = ["definitions/start-business.yaml", "--applicant", "张三", "--on", "2021-09-29"]
RUNS: list[list[str]] = [
    ["validate", "definitions"], ["validate", "broken.yaml"], ["validate", "--format", "github", "broken.yaml"],
    ["validate", "empty"], ["validate", "nosuch"], ["validate", "--catalog", "my-catalog", "broken.yaml"],
    ["analyze", "definitions/start-business.yaml"], ["analyze", "--format", "markdown", "definitions"],
    ["analyze", "--format", "mermaid", "definitions/start-business.yaml"],
    ["analyze", "--format", "dot", "definitions/start-business.yaml"], ["analyze", "broken.yaml"],
    ["analyze", "definitions/catalog"],
    ["analyze", "--all-situations", "definitions"], ["analyze", "--all-situations", "bakery.yaml"],
    ["analyze", "--all-situations", "--format", "markdown", "definitions/open-labour-dispatch.yaml"],
    ["analyze", "--all-situations", "--format", "mermaid", "definitions/open-labour-dispatch.yaml"],
    ["analyze", "--answers", "area_m2=400,fire_mode=inspect", "bakery.yaml"],
    ["analyze", "--answers", "order=name_first,promise=yes", "definitions/open-labour-dispatch.yaml"],
    ["analyze", "--answers", "ordr=name_first", "definitions/open-labour-dispatch.yaml"],
    ["analyze", "--answers", "order=nosuch", "definitions/open-labour-dispatch.yaml"],
    ["analyze", "--answers", "area_m2=big", "bakery.yaml"],
    ["export", "form", "bakery.yaml"], ["export", "form", "bakery.yaml", "--answers", "area_m2=400"],
    ["export", "form", "definitions/open-labour-dispatch.yaml", "--answers", "promise=maybe"],
    ["guide", "bakery.yaml", "--answers", "area_m2=400", "--start", "2021-09-29"],
    ["guide", "bakery.yaml", "--answers", "area_m2=400", "--start", "2027-09-29"],
    ["guide", "bakery.yaml", "--answers", "area_m2=400", "--format", "markdown"],
    ["guide", "open-labour-dispatch", "--answers", "order=name_first"], ["guide", "bakery.yaml", "--answers", "area_m2=大"],
    ["guide", "start-business", "--answers", "entity=nosuch"],
    ["export", "bpmn", "bakery.yaml"], ["export", "bpmn", "bakery.yaml", "--flavor", "zeebe"],
    ["preview", "definitions/open-restaurant.yaml", "--width", "80"],
    ["preview", "definitions/start-business.yaml", "--department", "税务局", "--width", "80"],
    ["preview", "definitions/start-business.yaml", "--department", "税物局"],
    ["preview", "definitions/start-business.yaml", "--department", "住建局"],
    ["report", "definitions", "--width", "80"], ["report", "--format", "markdown", "definitions"],
    ["report", "definitions/catalog"], ["report", "--format", "pdf"],
    ["export", "mermaid", "definitions/start-business.yaml"], ["export", "dot", "start-business"],
    ["export", "bpmn", "broken.yaml"], ["export", "bpmn", "no-such-item"],
    ["render", "definitions/start-business.yaml", "--out", "site"], ["render", "broken.yaml", "--out", "site"],
    ["render", "definitions/start-business.yaml", "--out", ""],
    ["workdays", "add", "2021-09-29", "3"], ["workdays", "add", "2027-09-29", "3"],
    ["workdays", "add", "2021-10-02", "1"], ["workdays", "between", "2021-09-29", "2021-10-09"],
    ["workdays", "sources"], ["workdays", "add", "2021-02-30", "3"], ["workdays", "add", "2021-09-29", "x"],
    ["workdays", "add", "29/09/2021", "1"],
    ["calendar", "import", str(ROOT / "tests" / "data" / "notices" / "2021.txt"), "-o", "-"],
    ["calendar", "import", "broken.yaml", "-o", "-"], ["calendar", "import", "nosuch.txt"],
    ["case", "open", *CASE, *DB], ["case", "show", "1", "--on", "2021-09-30", *DB],
    ["case", "accept", "1", "licence", "--as", "市场监管", "--on", "2021-09-29", *DB],
    ["case", "accept", "1", "tax", "--as", "税务局", "--on", "2021-09-29", *DB],
    ["case", "accept", "1", "licence", "--as", "税务局", "--on", "2021-09-29", *DB],
    ["case", "return", "1", "licence", "--as", "市场监管", "--on", "2021-09-30", *DB],
    ["case", "return", "1", "licence", "--as", "市场监管", "--on", "2021-09-30", "--reason", "缺公章", *DB],
    ["case", "show", "1", "--on", "2021-10-01", *DB],
    ["case", "resubmit", "1", "licence", "--as", "市场监管", "--on", "2021-10-08", *DB],
    ["case", "approve", "1", "licence", "--as", "市场监管", "--on", "2021-10-09", *DB],
    ["case", "approve", "1", "licence", "--as", "市场监管", "--on", "2021-10-09", *DB],
    ["case", "approve", "1", "licenc", "--as", "市场监管", "--on", "2021-10-09", *DB],
    ["case", "accept", "1", "seal", "--as", "公安局", "--on", "2021-10-01", *DB],
    ["case", "queue", "--as", "公安局", "--on", "2021-10-11", *DB], ["case", "queue", "--as", "住建局", *DB],
    ["case", "list", "--on", "2021-10-20", *DB], ["case", "list", "--overdue", "--on", "2021-12-20", *DB],
    ["case", "refuse", "1", "seal", "--as", "公安局", "--on", "2021-10-12", "--reason", "材料不实", *DB],
    ["case", "accept", "1", "seal", "--as", "公安局", "--on", "2021-10-13", *DB],
    ["case", "show", "1", "--on", "2021-10-13", *DB], ["case", "show", "9", *DB],
    ["case", "list", "--db", "nosuch.db"], ["case", "withdraw", "1", *DB],
    ["case", "open", "definitions/start-business.yaml", "--applicant", "李四", "--on", "2027-03-01", *DB],
    ["case", "open", "definitions/open-labour-dispatch.yaml", "--applicant", "王五", "--on", "2021-09-29",
     "--answers", "order=name_first,promise=yes", *DB],
    ["case", "open", "definitions/open-labour-dispatch.yaml", "--applicant", "王五", "--answers", "promis=yes", *DB],
    ["case", "show", "3", "--on", "2021-09-30", *DB],
    ["case", "withdraw", "2", "--on", "2027-03-02", *DB], ["case", "show", "2", "--on", "2027-03-02", *DB],
    ["case", "history", "1", *DB], ["case", "receive", "2", "id-card", "--on", "2027-03-01", *DB],
    ["case", "receive", "2", "no-such-material", *DB],
    ["case", "correct", "1", "2", "--date", "2021-09-28", "--reason", "录错日期", *DB],
    ["case", "correct", "1", "1", "--void", "--reason", "误录", *DB], ["case", "history", "1", *DB],
    ["case", "open", "definitions/start-business.yaml", "--applicant", "赵六", "--on", "2021-09-29", *DB],
    ["case", "accept", "4", "licence", "--as", "市场监管", "--on", "2021-09-29", *DB],
    ["case", "suspend", "4", "licence", "--as", "市场监管", "--procedure", "检验", "--reason", "样品送检",
     "--on", "2021-09-30", *DB],
    ["case", "suspend", "4", "licence", "--as", "市场监管", "--procedure", "检査", "--reason", "x", *DB],
    ["case", "show", "4", "--on", "2021-10-08", *DB], ["case", "queue", "--as", "市场监管", "--on", "2021-10-08", *DB],
    ["case", "resume", "4", "licence", "--as", "市场监管", "--on", "2021-10-08", *DB],
    ["case", "resume", "4", "licence", "--as", "市场监管", "--on", "2021-10-08", *DB],
    ["simulate", "start-business", "--cases", "30", "--seed", "7", "--from", "2021-03-01", *DB],
    ["simulate", "start-business", "--cases", "0", "--seed", "7", *DB],
    ["simulate", "broken.yaml", "--cases", "3", "--seed", "7", *DB],
    ["supervise", "--to", "2021-12-31", *DB], ["supervise", "--to", "2021-12-31", "--include-simulated", *DB],
    ["supervise", "--to", "2021-12-31", "--department", "税务局", "--include-simulated", "--format", "markdown", *DB],
    ["supervise", "--from", "2022-01-01", "--to", "2021-01-01", *DB], ["supervise", "--db", "nosuch.db"],
    ["case", "list", "--on", "2021-10-20", *DB],
    ["store", "rebuild", *DB], ["store", "rebuild", "--db", "nosuch.db"],
    ["account", "init-admin", "admin", "--password-stdin", *DB],
    ["account", "init-admin", "admin2", "--password-stdin", *DB],
    ["account", "add", "wang", "--role", "officer", "--department", "税务局", "--password-stdin", *DB],
    ["account", "add", "li", "--role", "officer", "--password-stdin", *DB],
    ["account", "add", "wang", "--role", "clerk", "--password-stdin", *DB],
    ["account", "list", *DB], ["account", "token", "wang", *DB], ["account", "tokens", *DB],
    ["account", "revoke", "1", *DB], ["account", "revoke", "99", *DB], ["account", "disable", "wang", *DB],
    ["account", "enable", "wang", *DB], ["account", "password", "nobody", "--password-stdin", *DB],
    ["account", "audit", *DB],
    ["nosuch"], [], ["validate"], ["case", "accept", "1"], ["--lang"],
]


def test_every_command_speaks_chinese(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One sequence (the case commands build on each other); every output is checked."""
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n" * 20))
    found = {}
    for argv in RUNS:
        code, text = run(argv)
        if code == 0 and any(m in argv for m in MACHINE):  # a refusal is for people, whole
            text = labels(text, "mermaid" in argv)
        elif code == 0 and argv[:2] == ["export", "form"]:
            text = form_labels(text)
        elif "markdown" in argv:
            text = html.unescape(text)  # Markdown escapes < and > as entities
        words = english_words(text, IDS)
        if words:
            found[" ".join(argv)] = (words, text)
    assert not found, "\n\n".join(f"$ lianban {k}\n{t}\nEnglish: {w}" for k, (w, t) in found.items())


def test_json_keeps_its_keys_and_translates_its_messages(work: Path) -> None:
    _code, text = run(["validate", "--format", "json", "broken.yaml"])
    findings = json.loads(text[:text.rindex("]") + 1])
    assert {"path", "line", "col", "severity", "code", "message", "hint"} == set(findings[0])
    assert {f["severity"] for f in findings} == {"error"}  # a stable value, not a label
    for f in findings:
        assert english_words(f["message"] + " " + (f["hint"] or ""), IDS) == [], f


def codes_examples() -> list[str]:
    from test_docs_codes import SECTIONS

    return list(SECTIONS)


@pytest.mark.parametrize("code", codes_examples())
def test_every_finding_code_speaks_chinese(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           zh: None) -> None:
    import test_docs_codes as docs

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIANBAN_CATALOG", raising=False)
    _title, body = docs.SECTIONS[code]
    if code in docs.SPECIAL:
        special = docs.SPECIAL[code]
        lines = special(tmp_path, monkeypatch) if code == "E110" else special(tmp_path)
    else:
        lines = docs.run_validate(tmp_path, docs.files_of(body), analysis=code.startswith("I"))
    text = "\n".join(lines)
    assert code in text
    assert english_words(text, IDS) == [], text


@pytest.mark.parametrize(("text", "words"), [
    ("lianban: error: cannot read file", ["error", "cannot", "read", "file"]),
    ("demo.yaml:3:5: 错误 E304 未知部门'市场监督局'（提示：是不是'市场监管局'？）", []),
    ("请加入 definitions/catalog/departments.yaml 的 --catalog DIR", []),
    ("环节'licence'：未知字段'owner'（提示：可用字段：basis, channel, days）", []),
    ("步骤 overdue", ["overdue"]),
])
def test_the_detector_finds_english_and_only_english(text: str, words: list[str]) -> None:
    assert english_words(text, IDS) == words


def test_the_walk_would_fail_in_english(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same walk under LANG=C finds English: the test can fail."""
    from engine import i18n

    monkeypatch.setenv("LANG", "C")
    i18n.set_language("en")
    _code, text = run(["validate", "broken.yaml"])
    assert "unknown department" in text and english_words(text, IDS)


def test_the_site_has_no_english_word(work: Path) -> None:
    """Every page `lianban render` writes (index, each item with its SVG charts) is Chinese."""
    from html import unescape

    code, _text = run(["render", "definitions", "--out", "site"])
    assert code == 0
    pages = sorted((work / "site").rglob("*.html"))
    assert len(pages) > 10
    found = {}
    for page in pages:
        html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"))
        shown = re.sub(r"<[^>]*>", " ", html) + " ".join(re.findall(r'\b(?:title|alt|aria-label)="([^"]*)"', html))
        shown = re.sub(r"\[[A-Z0-9]+\][^）)]*", " ", unescape(shown))  # a definition's source citation: [LAW] L16 art.23
        if words := english_words(shown, IDS):
            found[page.name] = words
    assert found == {}


def test_the_guides_questions_speak_chinese(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The questionnaire itself: prompts, a wrong answer's reason, defaults, the notice."""
    monkeypatch.setattr("sys.stdin", io.StringIO("大\n400 平方米\n400\n9\n2\n\n"))
    code, text = run(["guide", "bakery.yaml"])
    assert code == 0, text
    assert "一次告知单" in text and "请选择" in text
    assert english_words(text, IDS) == [], text
