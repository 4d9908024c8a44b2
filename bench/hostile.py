"""Hostile inputs against `lianban validate`: time and peak memory of each.

    python bench/hostile.py

Each attack is written to a temporary folder and validated in a fresh process
by ``engine.validation.tree.validate_paths``, after a warm-up on a real definition and a
broken one (so imports and the catalog do not count: jsonschema is imported only for a file
that fails the compiled schema check).  The table shows the time of that one
call (``time.perf_counter``), the process's peak RSS, the RSS after the warm-up
and the codes the file got.  ``tests/validation/test_hostile.py`` asserts the bounds
(under a second, under 200 MB) on the same attacks.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak import PEAK_MB  # noqa: E402

WARM_UP = (ROOT / "definitions" / "start-business.yaml", ROOT / "examples" / "broken.yaml")
MARKER = "pwned-by-yaml"  # the python-tag attack would create this file next to itself


def _billion_laughs(d: Path) -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


def _quadratic(d: Path) -> bytes:
    # a 200 KB anchored string, referenced 10,000 times (2 GB once expanded)
    return f'id: x\nname: &s "{"x" * 200_000}"\nsources: [{", ".join(["*s"] * 10_000)}]\n'.encode()


def _deep(d: Path) -> bytes:
    return b"[" * 100_000


def _huge(d: Path) -> Path:
    path = d / "huge.yaml"
    with open(path, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # sparse: 100 MB of NUL bytes that take no disk
    return path


def _long_line(d: Path) -> bytes:
    return b"id: x\nname: " + b"y" * (5 * 1024 * 1024) + b"\n"


def _many_keys(d: Path) -> bytes:
    from engine.validation.limits import Limits

    max_bytes = Limits.from_environment().max_bytes  # the child validates under the same environment
    out, size, n = [b"id: x\n"], 6, 0
    while size < max_bytes - 32:
        line = f"k{n}: {n}\n".encode()
        out.append(line)
        size += len(line)
        n += 1
    return b"".join(out)


def _many_values_under_budget(d: Path) -> bytes:
    # the most values the node budget lets through, each costing the schema a check
    from engine.validation.limits import Limits

    n = Limits.from_environment().node_budget - 40
    return ("id: x\nname: n\nlead: 市场监管局\nsteps: [{id: a, name: a, department: 市场监管局, days: 1}]\n"
            f"sources: [{'a,' * n}]\n").encode()


def _many_typos(d: Path) -> bytes:
    # every step with an unknown department, step, material: each would want a "did you mean"
    steps = "".join(f"  - {{id: s{i}, name: n, department: 市场监督局{i}, days: 1, needs: [t{i}], materials: [证{i}]}}\n"
                    for i in range(1000))
    return f"id: x\nname: n\nlead: 市场监管局\nsteps:\n{steps}".encode()


def _document_cycles(d: Path) -> bytes:
    # 500 separate document cycles (each pair of steps waits for the other's document), each an E311
    mats = "".join(f"- {{id: m{i}, name: 文书{i}}}\n" for i in range(1000))
    steps = "".join(f"- {{id: s{i}, name: n, department: 市场监管局, days: 1, materials: [m{i ^ 1}], produces: [m{i}]}}\n"
                    for i in range(1000))
    return f"id: x\nname: n\nlead: 市场监管局\nmaterials:\n{mats}steps:\n{steps}".encode()


def _invalid_utf8(d: Path) -> bytes:
    return "id: x\nname: 企业开办\n".encode("gbk") * 1000


def _nul_bytes(d: Path) -> bytes:
    return b"id: x\nname: a\x00b\n" + b"\x00" * 100_000


def _python_tags(d: Path) -> bytes:
    target = d / MARKER
    return (f'id: x\nname: !!python/object/apply:os.system ["touch {target}"]\n'
            f'lead: !!python/object/new:os.system ["touch {target}"]\n'
            f'steps: !!python/name:os.system\n').encode()


def _recursive_alias(d: Path) -> bytes:
    return b"id: x\nsteps: &s [*s]\n"


# name -> (what it is, writer: returns the bytes of the file or writes it and returns its path)
ATTACKS: dict[str, tuple[str, Callable[[Path], bytes | Path]]] = {
    "billion-laughs": ("10 levels of 9 aliases (~3.5 billion nodes)", _billion_laughs),
    "quadratic-blowup": ("200 KB anchored string x 10,000 aliases", _quadratic),
    "deep-nesting": ("'[' x 100,000", _deep),
    "huge-file": ("100 MB sparse file", _huge),
    "long-line": ("a 5 MB line", _long_line),
    "many-small-keys": ("'kN: N' lines up to the size limit", _many_keys),
    "many-values": ("a flow list just under the node budget", _many_values_under_budget),
    "many-typos": ("2,000 steps with unknown department, step, material", _many_typos),
    "document-cycles": ("1,000 steps in 500 separate document cycles", _document_cycles),
    "invalid-utf8": ("GBK-encoded text", _invalid_utf8),
    "nul-bytes": ("NUL bytes (UTF-16-like)", _nul_bytes),
    "python-tags": ("!!python/object/apply:os.system and friends", _python_tags),
    "recursive-alias": ("an alias inside its own anchor", _recursive_alias),
}

_CHILD = PEAK_MB + """
import json, sys, time
from engine.validation.tree import validate_paths

validate_paths(sys.argv[2:])
base = peak_mb()
t0, c0 = time.perf_counter(), time.process_time()
result = validate_paths([sys.argv[1]])
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = peak_mb()
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak, "base_mb": base,
                  "codes": sorted({d.code for d in result.diagnostics}), "findings": len(result.diagnostics)}))
"""


def write_attack(name: str, directory: Path) -> Path:
    _what, writer = ATTACKS[name]
    out = writer(directory)
    if isinstance(out, Path):
        return out
    path = directory / f"{name}.yaml"
    path.write_bytes(out)
    return path


def measure(path: Path, timeout: float = 60) -> dict[str, object]:
    """Validate *path* in a fresh process; its time, peak RSS (MB) and finding codes."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), *map(str, WARM_UP)], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{path.name}: exit {proc.returncode}\n{proc.stderr}")
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def main() -> int:
    print(f"{'attack':<18} {'size':>9} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'base MB':>8}  codes")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ATTACKS:
            directory = Path(tmp) / name
            directory.mkdir()
            path = write_attack(name, directory)
            m = measure(path)
            size = path.stat().st_size
            shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"
            print(f"{name:<18} {shown:>9} {m['seconds']:>8.3f} {m['cpu_seconds']:>8.3f} {m['peak_mb']:>8.1f} "
                  f"{m['base_mb']:>8.1f}  "
                  f"{' '.join(m['codes'])} ({m['findings']})")  # type: ignore[arg-type]
            if (directory / MARKER).exists():
                print(f"  !! {name} created {MARKER}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
