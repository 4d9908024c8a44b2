"""Fixtures: the position DSL for findings (shared definitions and helpers are in helpers.py).

``assert_diagnostics(text, [(line, col, code), ...])`` writes *text* (dedented)
to a file in ``tmp_path``, validates it as ``lianban validate`` does and compares
every finding, in order, with the expected ones (yamllint's ``problem=(line, col)``
idea, for a whole file).  A 4-tuple ``(line, col, code, message)`` also checks
the exact message.  It returns the findings for further assertions.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from helpers import write

from engine.validation.diagnostics import Diagnostic
from engine.validation.tree import validate_paths

Expected = tuple[int, int, str] | tuple[int, int, str, str]


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
