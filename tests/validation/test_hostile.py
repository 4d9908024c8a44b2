"""Hostile inputs are refused (or handled) within a second and with bounded memory.

Each attack of ``bench/hostile.py`` is validated in a fresh process; the time is
measured inside it around ``validate_paths`` (after a warm-up, so the interpreter
start and the imports do not count) and the peak RSS is the process's own.
``python bench/hostile.py`` prints the same measurements as a table.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_hostile", ROOT / "bench" / "hostile.py")
assert _spec is not None and _spec.loader is not None
hostile = importlib.util.module_from_spec(_spec)
sys.modules["bench_hostile"] = hostile
_spec.loader.exec_module(hostile)

MAX_SECONDS = 1.0       # of CPU time: what the input costs, whatever else the machine runs
MAX_WALL_SECONDS = 5.0  # and no waiting on anything (a hang would show here)
MAX_PEAK_MB = 200

# attack -> the codes its file gets (refused by the loader, or handled by the checks)
EXPECTED = {
    "billion-laughs": ["E107"],
    "quadratic-blowup": ["E107"],
    "deep-nesting": ["E108"],
    "huge-file": ["E109"],
    "long-line": ["E109"],
    "many-small-keys": ["E107"],
    "many-values": ["W327"],
    "many-typos": ["E304", "E305", "E306", "W327"],
    "document-cycles": ["E311", "W327"],  # 3.8 s of CPU when each cut searched the whole graph again
    "invalid-utf8": ["E105"],
    "nul-bytes": ["E100"],
    "python-tags": ["E106", "W327"],
    "recursive-alias": ["E100"],
}


def test_every_attack_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(hostile.ATTACKS)


@pytest.mark.parametrize("name", list(hostile.ATTACKS))
def test_attack_is_refused_quickly_with_bounded_memory(name: str, tmp_path: Path) -> None:
    path = hostile.write_attack(name, tmp_path)
    m = hostile.measure(path)
    assert m["codes"] == EXPECTED[name]
    assert m["cpu_seconds"] < MAX_SECONDS, m
    assert m["seconds"] < MAX_WALL_SECONDS, m
    assert m["peak_mb"] < MAX_PEAK_MB, m
    assert not (tmp_path / hostile.MARKER).exists()  # nothing was constructed from a tag


def test_peak_memory_is_the_child_s_own_not_the_test_runner_s(tmp_path: Path) -> None:
    """Linux keeps ru_maxrss across fork and exec: a big parent must not inflate the child's figure."""
    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"\1" * len(range(0, len(ballast), 4096))  # touch every page
    m = hostile.measure(hostile.write_attack("billion-laughs", tmp_path))
    assert m["peak_mb"] < MAX_PEAK_MB, m
    del ballast
