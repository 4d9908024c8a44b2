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


def test_every_registered_output_imports_with_the_one_signature() -> None:
    """Each entry of the one registry names a renderer that imports and takes (subject, options); the BPMN
    flavours it offers are the writer's (the renders themselves are tested per output in tests/outputs)."""
    import inspect

    from engine.outputs import OUTPUTS, Options
    from engine.outputs.bpmn.writer import FLAVORS

    for output in OUTPUTS.values():
        render = output.renderer()
        first = {"flow": "analyses", "findings": "run", "situations": "reports", "notice": "notice"}[output.subject]
        assert list(inspect.signature(render).parameters)[:2] == [first, "options"], output
    assert tuple(FLAVORS) == OUTPUTS[("flow", "bpmn")].choices["flavor"]
    assert Options().flavor == OUTPUTS[("flow", "bpmn")].choices["flavor"][0]


def test_help_imports_no_engine_work() -> None:
    """`lianban --help` must not load the analysis chain, YAML, or any heavy library."""
    code = ("import sys; from engine.cli import build_parser; build_parser(); "
            "print(' '.join(sorted(m for m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    loaded = set(out.split())
    heavy = {"yaml", "jsonschema", "networkx", "rich", "transitions", "engine.flow.analysis", "engine.validation.loader"}
    assert loaded.isdisjoint(heavy), sorted(loaded & heavy)


SOURCES_ONLY = {".py", ".pyc", ".po", ".pot"}  # code, and translation sources (the compiled .mo ships)


def test_the_wheel_ships_every_package_and_data_file() -> None:
    """`pip install .` (not editable) must carry every subpackage and template: the suite imports the
    checkout, so a package missing from pyproject.toml only shows once installed (CI's main job)."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "engine").rglob("__init__.py")}
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    data = config["package-data"]
    for path in (ROOT / "engine").rglob("*"):
        if not path.is_file() or path.suffix in SOURCES_ONLY or "__pycache__" in path.parts:
            continue
        owner = path.parent
        while not (owner / "__init__.py").exists():
            owner = owner.parent
        package = ".".join(owner.relative_to(ROOT).parts)
        relative = path.relative_to(owner).as_posix()
        patterns = data.get(package, [])
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), f"{package}: {relative} is not in package-data"
