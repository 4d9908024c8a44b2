"""lianban benchmarks: ratios against baselines measured in the same run.

    python bench/run.py [--quick]

Prints (1) analysis time of 1k/10k/50k-step items and the growth ratios,
(2) validating and analysing a tree of 1,000 items against parsing the same
files with yaml.CSafeLoader and against check-jsonschema schema-checking them,
(3) `lianban --help` start-up against a bare `python -c pass`, (4) the 督办 report over
10,000 and 100,000 simulated cases (bench/supervise_bench.py; --quick: 1,000 and 10,000).
Absolute times depend on the machine; the ratios are what to compare.
"""
from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import ROOT, item_yaml, write_tree

from engine.flow.analysis import analyze
from engine.validation.tree import load_items


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def process_time(cmd: list[str], repeat: int = 3, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return min(times)


def big_items(tmp: Path, sizes: list[int]) -> None:
    print("1. Analysis of one large item (analyze() on the validated model; best of 3)")
    print(f"   {'steps':>7} {'validate s':>11} {'analyze s':>10} {'growth':>8} {'ideal':>6} "
          f"{'gc off s':>9} {'growth':>8}")
    os.environ["LIANBAN_MAX_BYTES"] = str(64 * 1024 * 1024)
    import engine.validation.loader as loader
    loader.MAX_BYTES = 64 * 1024 * 1024
    prev: tuple[int, float, float] | None = None
    for n in sizes:
        path = tmp / "big" / f"big-{n}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(item_yaml(f"big-{n}", n, seed=n), encoding="utf-8")
        t0 = time.perf_counter()
        items, result = load_items([path], ROOT / "definitions" / "catalog")
        t_validate = time.perf_counter() - t0
        assert items, [str(d) for d in result.diagnostics[:3]]
        t = best(partial(analyze, items[0]))
        gc.disable()  # the same without the collector's passes over objects already alive
        try:
            t_nogc = best(partial(analyze, items[0]))
        finally:
            gc.enable()
        growth = f"{t / prev[1]:.2f}x" if prev else "-"
        growth_nogc = f"{t_nogc / prev[2]:.2f}x" if prev else "-"
        ideal = f"{n / prev[0]:.0f}x" if prev else "-"
        print(f"   {n:>7} {t_validate:>11.3f} {t:>10.3f} {growth:>8} {ideal:>6} {t_nogc:>9.3f} {growth_nogc:>8}")
        prev = (n, t, t_nogc)


def tree(tmp: Path, n_items: int) -> None:
    print(f"\n2. A tree of {n_items} items of 10 steps")
    directory = tmp / "tree"
    files = write_tree(directory, n_items)

    def parse_only() -> None:
        for f in files:
            with open(f, "rb") as fh:
                yaml.load(fh, Loader=yaml.CSafeLoader)

    def ours() -> None:
        import engine.validation.catalog
        engine.validation.catalog._CACHE.clear()
        items, result = load_items([directory])
        assert len(items) == n_items, result.diagnostics[:3]
        for item in items:
            analyze(item)

    t_parse = best(parse_only)
    t_ours = best(ours)
    print(f"   in process: validate + analyse {t_ours:.3f} s; yaml.CSafeLoader parse only {t_parse:.3f} s"
          f" → ratio {t_ours / t_parse:.2f}x parse-only")
    py = sys.executable
    t_ours_proc = process_time([py, "-m", "engine", "analyze", str(directory), "--format", "json"])
    cj = shutil.which("check-jsonschema")
    if cj is None:
        print("   check-jsonschema not installed (pip install '.[bench]'): comparison (b) skipped")
        return
    t_cj = process_time([cj, "--schemafile", str(ROOT / "schemas" / "item.schema.json"), *map(str, files)], repeat=2)
    print(f"   whole process: lianban analyze (validate + analyse) {t_ours_proc:.2f} s; "
          f"check-jsonschema (schema only) {t_cj:.2f} s → ratio {t_ours_proc / t_cj:.2f} (target ≤ 0.50)")


def startup() -> None:
    print("\n3. Start-up (whole process, best of 7)")
    py = sys.executable
    base = process_time([py, "-c", "pass"], repeat=7)
    helped = process_time([py, "-m", "engine", "--help"], repeat=7)
    print(f"   python -c pass {base:.3f} s; lianban --help {helped:.3f} s → +{helped - base:.3f} s "
          f"over bare Python (target: lianban --help < 0.2 s)")


def main() -> None:
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        big_items(Path(tmp), [1000, 10_000] if quick else [1000, 10_000, 50_000])
        tree(Path(tmp), 200 if quick else 1000)
    startup()
    print("\n4. 督办: lianban supervise over simulated cases (bench/supervise_bench.py)")
    import supervise_bench
    supervise_bench.main(["--cases", "10000", "--small", "1000"] if quick else [])


if __name__ == "__main__":
    main()
