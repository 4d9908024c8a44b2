"""Shared helpers: the position DSL for findings, and definitions trees in tmp_path.

``assert_diagnostics(text, [(line, col, code), ...])`` writes *text* (dedented)
to a file in ``tmp_path``, validates it as ``lianban validate`` does and compares
every finding, in order, with the expected ones (yamllint's ``problem=(line, col)``
idea, for a whole file).  A 4-tuple ``(line, col, code, message)`` also checks
the exact message.  It returns the findings for further assertions.
"""
from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from engine.diagnostics import Diagnostic
from engine.validate import validate_paths

ROOT = Path(__file__).resolve().parent.parent
PROJECT_CATALOG = ROOT / "definitions" / "catalog"

# A small item that validates without findings against the project catalog; tests
# change one thing in it.  Only the departments and the item-local materials below
# are relied on, so the catalog can grow without breaking the tests.
VALID = """\
id: demo
name: 演示事项
lead: 市场监管局
partners: [税务局]
commitment: 2
materials:
  - {id: form-a, name: 测试申请表甲}
  - {id: cert-b, name: 测试证照乙}
steps:
  - id: licence
    name: 营业执照
    department: 市场监管局
    days: 1
    materials: [form-a]
    produces: [cert-b]
  - id: tax
    name: 税务登记
    department: 税务局
    days: 0.5
    materials: [cert-b]
"""

Expected = tuple[int, int, str] | tuple[int, int, str, str]


def write(directory: Path, name: str, text: str | bytes) -> Path:
    """Write *text* (dedented when it is a str) to ``directory/name``, making folders."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def located(diagnostics: Sequence[Diagnostic]) -> list[tuple[int, int, str]]:
    """Findings as ``(line, col, code)``, in report order."""
    return [(d.line, d.col, d.code) for d in diagnostics]


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


def make_tree(root: Path, departments: str | None = None, materials: str | None = None,
              items: dict[str, str] | None = None) -> Path:
    """A definitions tree: ``root/catalog/{departments,materials}.yaml`` and item files."""
    write(root, "catalog/departments.yaml", departments if departments is not None else """\
        departments:
          - {name: 甲局, aliases: [甲]}
          - {name: 乙局}
        """)
    write(root, "catalog/materials.yaml", materials if materials is not None else """\
        materials:
          - {id: shared-form, name: 通用表}
        """)
    for name, text in (items or {}).items():
        write(root, name, text)
    return root
