"""Fixtures: the position DSL for findings (shared definitions and helpers are in helpers.py).

``assert_diagnostics(text, [(line, col, code), ...])`` writes *text* (dedented)
to a file in ``tmp_path``, validates it as ``lianban validate`` does and compares
every finding, in order, with the expected ones (yamllint's ``problem=(line, col)``
idea, for a whole file).  A 4-tuple ``(line, col, code, message)`` also checks
the exact message.  It returns the findings for further assertions.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from helpers import write

from engine import i18n
from engine.validation.diagnostics import Diagnostic
from engine.validation.tree import validate_paths

Expected = tuple[int, int, str] | tuple[int, int, str, str]

# The suite runs in English whatever the developer's locale (subprocesses inherit it): a test that
# wants Chinese asks for the `zh` fixture (or sets LANG itself).
for _var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C"
i18n.set_language("en")


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    yield
    i18n.set_language("en")


@pytest.fixture
def zh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Chinese, as under LANG=zh_CN.UTF-8 (for main() calls and for subprocesses)."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    i18n.set_language("zh")
    yield


def check_findings(diagnostics: Sequence[Diagnostic], expected: Sequence[Expected]) -> None:
    """Every finding, in order: ``(line, col, code)``, plus the message where one is given."""
    full = [(d.line, d.col, d.code, d.message) for d in diagnostics]
    # either list may be the longer one: the comparison below reports the difference
    got = [f[:len(e)] for f, e in zip(full, expected, strict=False)] + [f[:3] for f in full[len(expected):]]
    assert got == list(expected), "\n".join(f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}" for d in diagnostics)


@pytest.fixture
def assert_diagnostics(tmp_path: Path) -> Callable[..., list[Diagnostic]]:
    def check(text: str | bytes, expected: Sequence[Expected], *, name: str = "demo.yaml",
              catalog: str | Path | None = None) -> list[Diagnostic]:
        path = write(tmp_path, name, text)
        diagnostics = validate_paths([path], catalog).diagnostics
        check_findings(diagnostics, expected)
        return diagnostics

    return check
