"""One word per term on every surface: the catalogs, the site's and the workspace's templates, the
terminal outputs in Chinese and the Chinese docs use the glossary's term, never a variant."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from helpers import ROOT

from engine import glossary
from engine.cli import main


def surfaces() -> list[Path]:
    files = sorted((ROOT / "engine" / "locale").glob("*/LC_MESSAGES/*.po"))
    files += sorted((ROOT / "engine").rglob("*.j2")) + sorted((ROOT / "engine").rglob("templates/*.html"))
    files += sorted(ROOT.glob("*.zh.md")) + sorted((ROOT / "docs").glob("*.zh.md"))
    files += [p for p in sorted((ROOT / "engine").rglob("*.py")) if p.name != "glossary.py"]
    return files


def test_the_surfaces_exist() -> None:
    names = {p.name for p in surfaces()}
    assert {"lianban.po", "item.html.j2", "README.zh.md", "authoring.zh.md", "codes.zh.md", "cases.zh.md"} <= names


@pytest.mark.parametrize("path", surfaces(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_forbidden_variant(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [(variant, term.zh) for variant, term in glossary.forbidden_in(text)]
    assert found == [], f"{path.relative_to(ROOT)}: use the glossary's term: {found}"


OUTPUTS = [
    ["report", "definitions", "--width", "100"], ["analyze", "definitions/start-business.yaml"],
    ["preview", "definitions/start-business.yaml", "--width", "100"],
    ["preview", "definitions/start-business.yaml", "--department", "税务局", "--width", "100"],
    ["analyze", "--format", "mermaid", "definitions/start-business.yaml"],
    ["analyze", "--format", "dot", "definitions/start-business.yaml"], ["case", "--help"], ["--help"],
]


@pytest.mark.parametrize("argv", OUTPUTS, ids=" ".join)
def test_terminal_outputs_use_the_glossary(argv: list[str], zh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), contextlib.suppress(SystemExit):
        main(argv)
    text = out.getvalue()
    assert text
    assert glossary.forbidden_in(text) == []


def test_the_four_reductions_and_the_departments_read_alike_everywhere(zh: None, monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["report", "definitions", "--width", "120"])
        main(["render", "definitions/start-business.yaml", "--out", str(tmp_path / "site")])
    page = (tmp_path / "site" / "start-business.html").read_text(encoding="utf-8")
    for term in ("减时限", "减材料", "减环节", "减跑动"):
        assert term in out.getvalue() and term in page
    assert "配合单位" in page and "牵头单位" in page


@pytest.mark.parametrize(("text", "found"), [
    ("四减：减流程", [("减流程", "减环节")]), ("协同单位：税务局", [("协同单位", "配合单位")]),
    ("需补正的内容（一次性告知）", [("一次性告知", "一次告知")]), ("减环节 配合单位 一次告知", []),
])
def test_the_scan_finds_each_variant(text: str, found: list[tuple[str, str]]) -> None:
    assert [(v, t.zh) for v, t in glossary.forbidden_in(text)] == found


def test_every_term_is_one_word_and_no_variant_is_a_term() -> None:
    terms = [t.zh for t in glossary.TERMS]
    assert len(terms) == len(set(terms))
    variants = {v for t in glossary.TERMS for v in t.forbidden}
    assert not variants & set(terms)
    assert glossary.term("partner department") == "配合单位"
