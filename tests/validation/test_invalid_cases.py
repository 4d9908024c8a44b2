"""Every file of ``tests/data/invalid/`` gets exactly the findings its ``.expected`` lists.

Add a case by dropping ``<name>.yaml`` (whose item id is ``<name>``) and
``<name>.expected`` beside it: one finding per line, ``line:col code``, in the
order ``lianban validate`` reports them.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.validation.tree import validate_paths

CASES = Path(__file__).resolve().parents[1] / "data" / "invalid"
NAMES = sorted(p.stem for p in CASES.glob("*.yaml"))


def test_every_case_has_its_expectation_and_vice_versa() -> None:
    assert sorted(p.stem for p in CASES.glob("*.expected")) == NAMES
    assert len(NAMES) >= 30


@pytest.mark.parametrize("name", NAMES)
def test_invalid_case(name: str) -> None:
    path = CASES / f"{name}.yaml"
    expected = (CASES / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    result = validate_paths([path])
    assert [f"{d.line}:{d.col} {d.code}" for d in result.diagnostics] == expected
    assert {Path(d.path).resolve() for d in result.diagnostics} == {path.resolve()}
    assert result.items == [] or all(not d.is_error for d in result.diagnostics)


def test_the_python_tag_case_ran_nothing(tmp_path: Path) -> None:
    """The case's command, pointed at a file of this test's own folder, never runs."""
    marker = tmp_path / "pwned"
    text = (CASES / "python-tag.yaml").read_text(encoding="utf-8")
    assert "touch /tmp/lianban-pwned" in text
    (tmp_path / "python-tag.yaml").write_text(text.replace("/tmp/lianban-pwned", str(marker)), encoding="utf-8")
    result = validate_paths([tmp_path / "python-tag.yaml"])
    assert [d.code for d in result.diagnostics] == ["E106"]
    assert not marker.exists()
