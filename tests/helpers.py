"""Helpers shared by several test modules (fixtures live in conftest.py)."""
from __future__ import annotations

from pathlib import Path

from engine.analysis import Analysis, analyze
from engine.validate import load_items

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "definitions" / "catalog"

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


def analysis_of(tmp_path: Path, text: str, name: str = "item.yaml") -> Analysis:
    """Write *text* as a definition, validate it against the project catalog, analyse it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    items, result = load_items([path], catalog_dir=CATALOG)
    assert items, [f"{d.code} {d.message}" for d in result.diagnostics]
    return analyze(items[0])
