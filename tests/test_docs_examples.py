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
