"""Benchmark of the 督办 report: simulate cases into SQLite, then `supervise` over them.

    python bench/supervise_bench.py [--cases 100000] [--small 10000] [--db-dir DIR]

1. `lianban simulate` writes --small and --cases simulated cases of start-business into two
   SQLite stores (timed; a --db-dir keeps them, and a later run reuses a store that holds the
   same simulation);
2. each measurement runs in a fresh child process, which reports its own wall and CPU time and
   its peak memory (VmHWM): the report (`supervise`, JSON, every simulated case counted) over
   each store, and the baseline: reading every event of the same store with a bare SQLite cursor
   and json.loads of each payload, which any report must at least do;
3. printed: the report's time against the 10 s target and against the baseline, and its peak
   memory on the large store against the small one (flat memory: a ratio near 1, where the
   number of cases grows --cases / --small times).
Absolute times depend on the machine and its load (CPU time shows the work alone); the ratios
are what to compare.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak import PEAK_MB  # noqa: E402

ITEM = "start-business"
SEED = 20210929
START = "2021-01-04"
SPAN = 250  # working days over which the cases of a store open (about a year): 100,000 cases at 400 a day

REPORT = PEAK_MB + """
import json, sys, time
from datetime import date
from engine.cases.store import open_store
from engine.outputs.supervision import as_json
from engine.supervision.report import Period, supervise
from engine.workdays.calendar import WorkCalendar
calendar = WorkCalendar()
calendar.workdays_between(date(2021, 1, 1), date(2022, 12, 31))  # the years, loaded before the clock starts
base = peak_mb()
t0, c0 = time.perf_counter(), time.process_time()
store = open_store(sys.argv[1], create=False)
report = supervise(store, calendar, Period(None, date.fromisoformat(sys.argv[2])), include_simulated=True)
text = as_json(report)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"wall": wall, "cpu": cpu, "peak_mb": peak_mb(), "base_mb": base,
                  "cases": report.cases.simulated_included, "bytes": len(text)}))
"""

BASELINE = PEAK_MB + """
import json, sqlite3, sys, time
decode = sys.argv[2] == "decode"
base = peak_mb()
t0, c0 = time.perf_counter(), time.process_time()
db = sqlite3.connect(sys.argv[1])
events = 0
for _case, _seq, _type, payload, _at in db.execute("SELECT case_id, seq, type, payload, at FROM events "
                                                   "ORDER BY case_id, seq"):
    if decode:
        json.loads(payload)
    events += 1
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"wall": wall, "cpu": cpu, "peak_mb": peak_mb(), "base_mb": base, "events": events}))
"""


def child(script: str, *argv: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def rate(cases: int) -> float:
    """Cases a working day: every store spans the same year, so its cases are alike in length."""
    return cases / SPAN


def store_for(folder: Path, cases: int) -> tuple[Path, str, float | None]:
    """A store of `cases` simulated cases (reused when it holds this very simulation); the day the
    histories were cut; the seconds the simulation took (None: reused)."""
    from engine.cases.store import SQLiteStore
    from engine.cli.common import load_valid
    from engine.flow.analysis import analyze
    from engine.supervision.simulate import Assumptions, simulate
    from engine.workdays.calendar import WorkCalendar

    path = folder / f"simulated-{cases}.db"
    marker = path.with_suffix(".json")
    if path.exists() and marker.exists():
        done = json.loads(marker.read_text(encoding="utf-8"))
        if done.get("cases") == cases and done.get("seed") == SEED and done.get("item") == ITEM:
            return path, str(done["cut"]), None
        path.unlink()
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    items, _code = load_valid([str(ROOT / "definitions" / f"{ITEM}.yaml")], None)
    store = SQLiteStore(path)
    from datetime import date
    t0 = time.perf_counter()
    result = simulate(store, analyze(items[0]), cases, SEED, date.fromisoformat(START), WorkCalendar(),
                      Assumptions(rate=rate(cases)))
    seconds = time.perf_counter() - t0
    store.close()
    marker.write_text(json.dumps(result.as_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    return path, result.last.isoformat(), seconds


def run(cases: int, small: int, db_dir: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(db_dir) if db_dir else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"督办 report over simulated cases of {ITEM} (seed {SEED}, opened over {SPAN} working days from "
              f"{START}); SQLite {sqlite3.sqlite_version}; stores in {folder}")
        rows = []
        for n in (small, cases):
            path, cut, seconds = store_for(folder, n)
            size = path.stat().st_size / 1e6
            made = f"simulated in {seconds:6.1f} s ({n / seconds:,.0f} cases/s)" if seconds else "reused"
            print(f"   {n:>7,} cases: {made}; store {size:,.0f} MB; histories cut at {cut}")
            rows.append((n, child(REPORT, str(path), cut), child(BASELINE, str(path), "rows"),
                         child(BASELINE, str(path), "decode")))
        print("\n   wall and CPU seconds, peak MB; the baselines read every event with a bare cursor (rows only;"
              " rows + json.loads)")
        print(f"   {'cases':>7} {'events':>9} {'report':>7} {'cpu':>6} {'MB':>6} {'rows':>6} {'cpu':>6} {'MB':>6} "
              f"{'+json':>6} {'cpu':>6} {'MB':>6} {'report/rows':>11} {'report/+json':>12}")
        for n, rep, bare, dec in rows:
            print(f"   {n:>7,} {int(bare['events']):>9,} {rep['wall']:>7.2f} {rep['cpu']:>6.2f} {rep['peak_mb']:>6.1f} "
                  f"{bare['wall']:>6.2f} {bare['cpu']:>6.2f} {bare['peak_mb']:>6.1f} "
                  f"{dec['wall']:>6.2f} {dec['cpu']:>6.2f} {dec['peak_mb']:>6.1f} "
                  f"{rep['cpu'] / bare['cpu']:>10.1f}x {rep['cpu'] / dec['cpu']:>11.2f}x")
        (n0, rep0, *_b0), (n1, rep1, *_b1) = rows
        print(f"\n   report over {n1:,} cases: {rep1['wall']:.2f} s wall, {rep1['cpu']:.2f} s CPU (target < 10 s)")
        print(f"   peak memory {rep1['peak_mb']:.1f} MB for {n1:,} cases vs {rep0['peak_mb']:.1f} MB for {n0:,}: "
              f"ratio {rep1['peak_mb'] / rep0['peak_mb']:.2f} for {n1 / n0:.0f}x the cases "
              f"(the interpreter and libraries alone: {rep0['base_mb']:.1f} MB)")
        print(f"   time {n1:,} / {n0:,} cases: {rep1['cpu'] / rep0['cpu']:.1f}x CPU for {n1 / n0:.0f}x the cases")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="the large store (default 100000)")
    parser.add_argument("--small", type=int, default=10_000, help="the small store (default 10000)")
    parser.add_argument("--db-dir", help="keep the stores here and reuse them (default: a temporary folder)")
    args = parser.parse_args(argv)
    run(args.cases, args.small, args.db_dir)


if __name__ == "__main__":
    main()
