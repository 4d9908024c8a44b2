"""Helpers and definitions shared by several test modules (fixtures live in conftest.py)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.cli import main
from engine.flow.analysis import Analysis, analyze
from engine.validation.tree import load_items

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "definitions" / "catalog"

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

# A 3-day first step across 2021's National Day, a dependant, and a parallel half-day step.
ND_YAML = """\
id: national-day
name: 国庆测试
lead: 市场监管局
partners: [税务局, 公安局]
steps:
  - {id: licence, name: 营业执照, department: 市场监管局, days: 3, materials: [id-card], produces: [business-licence]}
  - {id: tax, name: 税务登记, department: 税务局, days: 1, needs: [licence], materials: [business-licence, agent-id-card]}
  - {id: seal, name: 印章, department: 公安局, days: 0.5, materials: [id-card]}
"""

# ND_YAML on two clocks: the item promises 5 working days (legal cap 20); the licence has a legal
# limit of 5 working days from its acceptance, the tax step 3.
ND_CLOCKS_YAML = (ND_YAML.replace("steps:\n", "commitment: 5\nlegal_days: 20\nsteps:\n")
                  .replace("days: 3, materials", "days: 3, legal_days: 5, materials")
                  .replace("days: 1, needs", "days: 1, legal_days: 3, needs"))

# Gantt charts whose texts crowd each other: one step whose note is wider than the right
# margin, and a commitment between the heading and the bars (5.5: inside the notes).
SINGLE = """\
id: single
name: 营业执照登记
lead: 市场监管局
steps:
  - {id: a, name: 营业执照登记, department: 市场监管局, days: 10}
"""

PROMISED = """\
id: promised
name: 承诺五天
lead: 市场监管局
partners: [公安局, 税务局]
commitment: 5
steps:
  - {id: a, name: 设立登记, department: 市场监管局, days: 5}
  - {id: b, name: 印章刻制, department: 公安局, days: 5}
  - {id: c, name: 税务登记, department: 税务局, days: 5}
  - {id: d, name: 发票申领, department: 税务局, days: 5}
  - {id: e, name: 社保登记, department: 市场监管局, days: 3}
  - {id: f, name: 银行开户, department: 市场监管局, days: 2, needs: [e]}
"""

# An item of the tree make_tree builds (its department 甲局 and material 通用表).
TREE_ITEM = """\
id: a
name: 甲事项
lead: 甲
steps:
  - {id: s, name: 步, department: 甲局, days: 1, materials: [通用表]}
"""


def write(directory: Path, name: str, text: str | bytes) -> Path:
    """Write *text* (dedented when it is a str) to ``directory/name``, making folders."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


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


def lb(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``lianban *argv`` through engine.cli.main: the exit code, and what this run alone printed."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def analysis_of(tmp_path: Path, text: str, name: str = "item.yaml") -> Analysis:
    """Write *text* as a definition, validate it against the project catalog, analyse it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    items, result = load_items([path], catalog_dir=CATALOG)
    assert items, [f"{d.code} {d.message}" for d in result.diagnostics]
    return analyze(items[0])
