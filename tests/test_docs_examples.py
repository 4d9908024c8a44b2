"""The outputs the README and the authoring guide show are what lianban prints today."""
from __future__ import annotations

import contextlib
import io
import re

import pytest
from helpers import ROOT

from engine.cli import main


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(args))
    return code, out.getvalue()


def shown_block(doc: str, command: str) -> list[str]:
    """The lines of the ```text block that starts with `$ <command>` (or follows it)."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    m = re.search(r"```text\n\$ " + re.escape(command) + r"\n(.*?)```", text, re.S)
    if m is None:  # the command named in the prose just before the block
        m = re.search(re.escape(command) + r"`[^`]*?```text\n(.*?)```", text, re.S)
    assert m is not None, f"{doc} shows no output for {command}"
    return m.group(1).strip().splitlines()


@pytest.mark.parametrize("doc", ["README.md", "docs/authoring.md"])
def test_broken_example_output_is_current(doc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run("validate", "examples/broken.yaml")
    assert code == 1
    assert shown_block(doc, "lianban validate examples/broken.yaml") == out.strip().splitlines()


def test_readme_portfolio_table_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _code, out = run("report", "--format", "markdown")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert out.strip() in readme


def test_authoring_guide_lists_every_code() -> None:
    from engine.validation.diagnostics import CODES

    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \[([EWI]\d{3})\]", text, re.M)
    assert listed == list(CODES)
    for code, (_severity, title) in CODES.items():
        assert f"| [{code}](codes.md#" in text and f") | {title} |" in text


@pytest.mark.parametrize("command", ["lianban analyze examples/open-bakery.yaml --all-situations",
                                     "lianban analyze examples/open-bakery.yaml --answers area_m2=400,fire_mode=inspect"])
def test_authoring_guide_situation_outputs_are_current(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run(*command.split()[1:])
    assert code == 0
    assert shown_block("docs/authoring.md", command) == out.strip().splitlines()


# --- the Chinese pages show what lianban prints in Chinese ----------------------------------------

@pytest.mark.parametrize("command", ["lianban analyze examples/open-bakery.yaml --all-situations",
                                     "lianban analyze examples/open-bakery.yaml --answers area_m2=400,fire_mode=inspect"])
def test_chinese_authoring_guide_situation_outputs_are_current(command: str, monkeypatch: pytest.MonkeyPatch,
                                                               zh: None) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run(*command.split()[1:])
    assert code == 0
    assert shown_block("docs/authoring.zh.md", command) == out.strip().splitlines()


@pytest.mark.parametrize("doc", ["README.zh.md", "docs/authoring.zh.md"])
def test_chinese_broken_example_output_is_current(doc: str, monkeypatch: pytest.MonkeyPatch, zh: None) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run("validate", "examples/broken.yaml")
    assert code == 1
    text = (ROOT / doc).read_text(encoding="utf-8")
    m = re.search(r"```text\n(?:\$ lianban validate examples/broken.yaml\n)?(examples/broken.yaml.*?)```", text, re.S)
    assert m is not None, doc
    assert m.group(1).strip().splitlines() == out.strip().splitlines()


def test_chinese_readme_keeps_the_quick_start_and_the_table(monkeypatch: pytest.MonkeyPatch, zh: None) -> None:
    monkeypatch.chdir(ROOT)
    _code, out = run("report", "--format", "markdown")
    zh_readme = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    quick = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert quick is not None and quick.group(0) in zh_readme  # the same two commands
    assert out.strip() in zh_readme


def test_chinese_authoring_guide_lists_every_code_with_its_chinese_title(zh: None) -> None:
    from engine.validation.diagnostics import CODES, title

    text = (ROOT / "docs" / "authoring.zh.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| \[([EWI]\d{3})\]", text, re.M) == list(CODES)
    headings = set(re.findall(r"^## (\S+ .+)$", (ROOT / "docs" / "codes.zh.md").read_text(encoding="utf-8"), re.M))
    for code in CODES:
        assert f"| [{code}](codes.zh.md#" in text and f") | {title(code)} |" in text
        assert f"{code} {title(code)}" in headings


@pytest.mark.parametrize(("english", "chinese"), [("README.md", "README.zh.md"), ("docs/authoring.md", "authoring.zh.md"),
                                                  ("docs/codes.md", "codes.zh.md"), ("docs/cases.md", "cases.zh.md"),
                                                  ("docs/situations.md", "situations.zh.md")])
def test_the_english_pages_link_their_chinese_ones(english: str, chinese: str) -> None:
    assert f"]({chinese})" in (ROOT / english).read_text(encoding="utf-8")
