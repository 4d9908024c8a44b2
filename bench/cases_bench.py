"""Benchmark of the case store (plain script; prints results; 3-30 s depending on the disk).

    python bench/cases_bench.py [--n 2000] [--db-dir DIR]

1. transitions persisted per second: case.fire + SQLiteStore.append (one BEGIN IMMEDIATE
   transaction each, WAL, synchronous=FULL), the case kept in memory between moves;
2. raw SQLite: the same rows inserted into the same schema with the same settings, one
   transaction each, in rounds interleaved with 1: what any store on this disk pays; the ratio 1 / 2;
3. the same moves through transact() (load + replay + fire + append per move, as the CLI does);
4. rebuilding a case of 1,000 events (load + replay), best of 5.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.cases.machine import Case, Event, StepState
from engine.cases.opening import open_case
from engine.cases.store import SQLiteStore, load_case, transact
from engine.flow.analysis import analyze
from engine.validation.tree import load_items
from engine.workdays.calendar import WorkCalendar

ROOT = Path(__file__).resolve().parents[1]
CAL = WorkCalendar()
ON = date(2021, 9, 30)


def accepted(store: SQLiteStore) -> tuple[str, Case]:
    analysis = analyze(load_items([ROOT / "definitions" / "start-business.yaml"])[0][0])
    case = open_case(analysis, "张三", date(2021, 9, 29), CAL)
    case.id = store.create_case(case.events)
    store.append(case.id, 1, [case.fire("accept", step="licence", department="市场监管局", on=ON)])
    return case.id, case


def move(case: Case) -> Event:
    verb = "return" if case.steps["licence"].state is StepState.ACCEPTED else "resubmit"
    return case.fire(verb, step="licence", department="市场监管局", on=ON, reason="补正", calendar=CAL)


def timed(n: int, budget: float, step: object) -> tuple[int, float]:
    """Run step() up to n times or until the budget (s) is spent; return (count, seconds)."""
    start = time.perf_counter()
    done = 0
    while done < n and time.perf_counter() - start < budget:
        step()  # type: ignore[operator]
        done += 1
    return done, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="transitions to persist (stops after ~12 s)")
    parser.add_argument("--db-dir", help="folder for the databases (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.db_dir) as tmp:
        folder = Path(tmp)
        print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=FULL, databases in {folder}")

        store = SQLiteStore(folder / "warm.db")
        case_id, case = accepted(store)
        SQLiteStore(folder / "raw.db").close()  # same schema, created by the same migrations
        raw = sqlite3.connect(folder / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=FULL")
        raw.execute("INSERT INTO cases (item_id, created_at) VALUES ('start-business', '')")
        rows: list[tuple[int, int, str, str, str]] = []

        def warm() -> None:
            event = move(case)
            stored = store.append(case_id, event.seq - 1, [event])
            rows.append((int(case_id), event.seq, event.type, json.dumps(event.payload, ensure_ascii=False),
                         stored[0].at or ""))

        def insert(row: tuple[int, int, str, str, str]) -> None:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)", row)
            raw.execute("COMMIT")

        # Interleaved rounds, so both sides see the same disk (fsync latency drifts on shared machines).
        ours = theirs = 0.0
        done = 0
        rounds = 10
        while done < args.n and ours + theirs < 12.0:
            batch = max(1, args.n // rounds)
            count, secs = timed(batch, 6.0, warm)
            ours += secs
            new_rows = rows[done:done + count]
            start = time.perf_counter()
            for row in new_rows:
                insert(row)
            theirs += time.perf_counter() - start
            done += count
        warm_rate, raw_rate = done / ours, done / theirs
        print(f"lianban fire + append:          {warm_rate:8.0f} transitions/s ({done} in {ours:.2f} s)")
        print(f"raw SQLite insert, same rows:   {raw_rate:8.0f} inserts/s ({done} in {theirs:.2f} s)")
        print(f"ratio lianban / raw:            {warm_rate / raw_rate:8.2f} (interleaved rounds of {done // rounds})")
        raw.close()

        cold_store = SQLiteStore(folder / "cold.db")
        cold_id, _ = accepted(cold_store)
        count, secs = timed(min(args.n, 300), 6.0, lambda: transact(cold_store, cold_id, move))
        print(f"lianban transact (load+replay): {count / secs:8.0f} transitions/s ({count} in {secs:.2f} s; "
              f"the case grows to {count + 2} events; the CLI's path)")

        big = SQLiteStore(folder / "big.db")
        big_id, big_case = accepted(big)
        events = [move(big_case) for _ in range(998)]
        big.append(big_id, 2, events)
        best = min(timed(1, 60.0, lambda: load_case(big, big_id))[1] for _ in range(5))
        assert load_case(big, big_id).seq == 1000
        print(f"rebuild a case of 1,000 events: {best * 1000:8.1f} ms (load + replay, best of 5)")
        for s in (store, cold_store, big):
            s.close()


if __name__ == "__main__":
    main()
