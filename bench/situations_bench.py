"""Every situation of an item: ``analyze --all-situations`` on 10 yes/no questions and 30 steps.

    python bench/situations_bench.py          (also section 6 of python bench/run.py)

The item (bench/generate.py: situated_item_yaml) has 1,024 situations, each a different
flow (every question switches one step on), conditional needs and documents, and a form of
4-6 fields per step. The baseline, measured in the same run, is analyze() on the same 30
steps without conditions, 1,024 times: what analysing each situation would cost if each
were its own item. Target: the whole command under 2 s.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import ROOT, situated_item_yaml

from engine.flow.analysis import analyze
from engine.validation.tree import load_items

CATALOG = ROOT / "definitions" / "catalog"


def _best(fn: object, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of *repeat* runs of *fn*."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def _process(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU (user + system of the child) seconds of a whole process."""
    import resource

    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, cwd=ROOT)
        walls.append(time.perf_counter() - w)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert done.returncode == 0, done.stderr.decode()
    return min(walls), min(cpus)


def run(tmp: Path, repeat: int = 3) -> None:
    from engine.situations import analyze_situations

    print("\n6. Every situation: analyze --all-situations, 10 yes/no questions (1,024 situations), 30 steps")
    situated = tmp / "situated.yaml"
    plain = tmp / "plain.yaml"
    situated.write_text(situated_item_yaml("situated"), encoding="utf-8")
    plain.write_text(situated_item_yaml("plain", plain=True), encoding="utf-8")
    (item,), _r = load_items([situated], CATALOG)
    (flat,), _r = load_items([plain], CATALOG)
    report = analyze_situations(item)
    distinct = len({r.result.steps for r in report.results})
    assert len(report.results) == 1024 and report.exhaustive and distinct == 1024
    t_validate, c_validate = _best(lambda: load_items([situated], CATALOG), repeat)
    t_all, c_all = _best(lambda: analyze_situations(item), repeat)
    t_base, c_base = _best(lambda: [analyze(flat) for _ in range(1024)], 1)
    cmd = [sys.executable, "-m", "engine", "analyze", str(situated), "--all-situations", "--format", "json",
           "--catalog", str(CATALOG)]
    t_proc, c_proc = _process(cmd, repeat)
    print(f"   in process: validate {t_validate:.3f} s; analyze_situations {t_all:.3f} s "
          f"(CPU {c_all:.3f} s) for {distinct:,} distinct flows")
    print(f"   baseline: 1,024 × analyze() of the same 30 steps without conditions {t_base:.3f} s (CPU {c_base:.3f} s)"
          f" → analyze_situations is {t_all / t_base:.2f}x of it")
    verdict = "met" if t_proc < 2 else "NOT met"
    print(f"   whole process: lianban analyze ITEM --all-situations --format json {t_proc:.2f} s "
          f"(CPU {c_proc:.2f} s) (target < 2 s: {verdict})")
    worst = tmp / "worst.yaml"
    worst.write_text(worst_item_yaml(), encoding="utf-8")
    (bad,), _r = load_items([worst], CATALOG)
    t_wv, c_wv = _best(lambda: load_items([worst], CATALOG), 1)
    t_wa, c_wa = _best(lambda: analyze_situations(bad), 1)
    print(f"   the worst item under the comparison budget (500 comparisons over 12 yes/no questions, 4,096 "
          f"situations, 40 steps): validate {t_wv:.2f} s (CPU {c_wv:.2f} s), analyze_situations {t_wa:.2f} s "
          f"(CPU {c_wa:.2f} s)")


def worst_item_yaml() -> str:
    """12 yes/no questions and 40 steps, each step's `when` an `any` of 12 comparisons (480 in all)."""
    import random

    rng = random.Random(1)
    lines = ["id: worst", "name: 最坏情形", "lead: 市场监管局", "questions:"]
    lines += [f"  - {{id: q{i}, text: 问题{i}？, type: yes-no}}" for i in range(12)]
    lines.append("steps:")
    for k in range(40):
        atoms = ", ".join(f"{{q{rng.randrange(12)}: {rng.choice(['yes', 'no'])}}}" for _ in range(12))
        lines.append(f"  - {{id: s{k}, name: 步骤{k}, department: 市场监管局, days: 1, when: {{any: [{atoms}]}}}}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        run(Path(directory))
