"""The 14 joint items of the city notice, as real definitions."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.flow.analysis import analyze
from engine.locations import project_catalog_dir
from engine.validation.catalog import load_catalog
from engine.validation.tree import validate_paths

ROOT = Path(__file__).resolve().parent.parent
# our loader keeps keys as text (YAML 1.1 would read the key `no` as false)
NOTICE = yaml.safe_load((ROOT / "tests" / "data" / "notice.yaml").read_text(encoding="utf-8").replace("- no:", "- number:"))
RESULT = validate_paths([ROOT / "definitions"])
BY_NAME = {i.name: i for i in RESULT.items}


def test_every_definition_validates_without_errors_or_warnings() -> None:
    assert [f"{d.path}:{d.line}:{d.col} {d.code} {d.message}" for d in RESULT.diagnostics if d.code != "I501"] == []
    assert len(RESULT.items) == len(NOTICE) == 14


@pytest.mark.parametrize("row", NOTICE, ids=lambda r: str(r["number"]))
def test_definition_matches_the_notice(row: dict) -> None:
    catalog = load_catalog(project_catalog_dir())
    item = BY_NAME.get(row["name"])
    assert item is not None, f"no definition is named {row['name']}"
    lead = catalog.department(row["lead"])
    assert lead is not None and item.lead == lead.name
    partners = [catalog.department(p) for p in row["partners"]]
    assert None not in partners
    assert sorted(item.partners) == sorted(p.name for p in partners if p)  # type: ignore[union-attr]
    assert Path(item.path or "").stem == item.id
    # every department of the notice handles at least one step
    assert {s.department for s in item.steps} == {item.lead, *item.partners}


def test_definitions_are_real_sized_and_plausible() -> None:
    for item in RESULT.items:
        a = analyze(item)
        m = a.metrics
        assert 4 <= len(item.steps) <= 15, item.id
        assert 8 <= m.materials_before <= 40, item.id
        assert m.materials_after < m.materials_before, item.id
        assert m.optimized_days <= m.serial_days
        if item.commitment is not None:
            assert item.commitment >= m.optimized_days, item.id


def test_every_source_comment_or_estimate_mark_is_present() -> None:
    """Each step's time limit carries a source tag or an [EST] mark in a comment beside it."""
    for path in sorted((ROOT / "definitions").glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines, 1):
            stripped = line.strip()
            if stripped.startswith("days:"):
                assert "#" in line and any(tag in line for tag in ("[LAW]", "[GOV]", "[3RD]", "[EST]")), \
                    f"{path.name}:{n}: a time limit without a source or an [EST] mark"
