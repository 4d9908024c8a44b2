"""docs/codes.md documents every code of engine.validation.diagnostics.CODES, and only those, and
every example in it prints exactly the findings the page shows."""
from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import ROOT

from engine.cli import main
from engine.flow.analysis import analyze
from engine.outputs import Findings, Options
from engine.outputs.findings import text
from engine.validation import loader
from engine.validation.diagnostics import CODES, Diagnostic
from engine.validation.limits import Limits
from engine.validation.tree import validate_paths

DOC = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
HEADING = re.compile(r"^## (\S+) (.+)$", re.MULTILINE)
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def sections() -> dict[str, tuple[str, str]]:
    """code -> (title, body)."""
    marks = list(HEADING.finditer(DOC))
    out = {}
    for m, nxt in zip(marks, marks[1:] + [None], strict=False):
        out[m.group(1)] = (m.group(2), DOC[m.end():nxt.start() if nxt else len(DOC)])
    return out


SECTIONS = sections()
INTRO = DOC[DOC.index("this valid item:"):DOC.index("\n## ")]  # the base item and its (empty) output


def blocks(body: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(body)]


def shown_output(body: str) -> list[str]:
    texts = [b for lang, b in blocks(body) if lang == "text"]
    assert len(texts) == 1, "each section shows its output in one ```text block"
    return texts[0].splitlines()


def files_of(body: str) -> dict[str, str]:
    files = {}
    for lang, content in blocks(body):
        if lang == "yaml":
            first, _, rest = content.partition("\n")
            assert first.startswith("# file: "), "each yaml example starts with '# file: NAME'"
            files[first.removeprefix("# file: ")] = rest
    return files


def run_validate(root: Path, files: dict[str, str], analysis: bool = False) -> list[str]:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    result = validate_paths(["."])
    diagnostics = result.diagnostics
    if analysis:
        diagnostics = [d for item in result.items for d in analyze(item).suggestions]
    return text_report(diagnostics, len(result.files)).splitlines()[:-1]  # without the summary


# --- the examples that cannot be a YAML block on a UTF-8 page ---------------------------

def _e105(root: Path) -> list[str]:
    intro = files_of(INTRO)["demo.yaml"]
    (root / "demo.yaml").write_bytes(intro.encode("gbk"))
    return text_report(validate_paths(["demo.yaml"]).diagnostics, 1).splitlines()[:-1]


def _e109(root: Path) -> list[str]:
    (root / "huge.yaml").write_bytes(b"a: " + b"x" * Limits.from_environment().max_bytes + b"\n")
    return text_report(validate_paths(["huge.yaml"]).diagnostics, 1).splitlines()[:-1]


def _e110(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    (root / "demo.yaml").write_text("id: demo\n", encoding="utf-8")

    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(loader, "read_regular", refuse)
    result = validate_paths(["demo.yaml"])
    assert result.exit_code() == 2
    return text_report(result.diagnostics, 1).splitlines()[:-1]


def _e401(root: Path) -> list[str]:
    (root / "demo.yaml").write_text("id: demo\n", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["validate", "--catalog", "my-catalog", "demo.yaml"]) == 2
    return err.getvalue().splitlines()


def _e341(root: Path) -> list[str]:
    values = ", ".join(str(n) for n in range(501))
    (root / "demo.yaml").write_text(
        "id: demo\nname: 演示事项\nlead: 市场监管局\n"
        "questions:\n  - {id: area_m2, text: 面积？, type: number}\n"
        f"steps:\n  - {{id: s, name: 步, department: 市场监管局, days: 1, when: {{area_m2: {{in: [{values}]}}}}}}\n",
        encoding="utf-8")
    return text_report(validate_paths(["demo.yaml"]).diagnostics, 1).splitlines()[:-1]


SPECIAL: dict[str, Callable[..., list[str]]] = {"E105": _e105, "E109": _e109, "E110": _e110, "E341": _e341,
                                                "E401": _e401}


# --- the tests ----------------------------------------------------------------------------

def test_every_code_is_documented_and_every_documented_code_exists() -> None:
    assert list(SECTIONS) == list(CODES)  # same codes, same order


@pytest.mark.parametrize("code", list(CODES))
def test_section_title_meaning_and_fix(code: str) -> None:
    title, body = SECTIONS[code]
    assert title == CODES[code][1]
    assert "**Meaning.**" in body and "**Fix.**" in body
    assert any(f" {code} " in line for line in shown_output(body))


@pytest.mark.parametrize("code", list(CODES))
def test_the_example_prints_exactly_what_the_page_shows(code: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIANBAN_CATALOG", raising=False)
    _title, body = SECTIONS[code]
    if code in SPECIAL:
        special = SPECIAL[code]
        got = special(tmp_path, monkeypatch) if code == "E110" else special(tmp_path)
    else:
        got = run_validate(tmp_path, files_of(body), analysis=code.startswith("I"))
    assert got == shown_output(body)


def test_the_base_item_of_the_page_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_validate(tmp_path, files_of(INTRO)) == shown_output(INTRO) == []


def text_report(diagnostics: list[Diagnostic], files: int) -> str:
    return text(Findings(diagnostics, files), Options())
