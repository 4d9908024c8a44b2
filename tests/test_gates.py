"""The strict gates configured in pyproject.toml: ruff (lint) and mypy (types) pass with no findings.

Both tools are in the ``test`` extra, so these tests run everywhere the suite does; they never skip.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GATES = {
    "ruff": [sys.executable, "-m", "ruff", "check", "engine", "bench", "tests"],
    "mypy": [sys.executable, "-m", "mypy", "engine"],
}


@pytest.mark.parametrize("name", list(GATES))
def test_gate_passes(name: str) -> None:
    done = subprocess.run(GATES[name], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=600, check=False)
    assert done.returncode == 0, f"{' '.join(GATES[name][1:])} exited {done.returncode}:\n{done.stdout}{done.stderr}"
