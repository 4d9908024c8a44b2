"""The workspace against a big store: page times and server memory at 1,000 and 100,000 cases.

    python bench/workspace_bench.py [--cases 100000] [--baseline 1000] [--db-dir DIR] [--repeat 15]

For each size it fills a fresh SQLite store in bulk (cases of all 14 items, opened over two years (2025-2026),
at every stage: waiting, accepted, returned for correction, completed, withdrawn; the events are
the real ones, with the pinned definition, and the projection rows are CaseView.of(case), as the
store writes them), starts `lianban serve` on a free loopback port, logs in as a department
officer and a supervisor, and times each page and API call (median and p95 of --repeat calls,
client side, keep-alive). It prints the server's resident memory after the run (VmRSS and peak
VmHWM from /proc), so growth with the number of cases shows beside the 1,000-case baseline
measured in the same run. Targets: queue and list pages < 0.3 s, opening a case < 0.1 s, memory
flat in the number of cases.
"""
from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import serve

from engine.cases import projection
from engine.cases.machine import Case, StepState
from engine.cases.opening import open_case
from engine.cases.projection import CaseView
from engine.cases.store import SQLiteStore
from engine.flow.analysis import analyze
from engine.server.accounts import Accounts
from engine.validation.tree import load_items
from engine.workdays.calendar import WorkCalendar

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark password"
MARKER = "\x00APPLICANT\x00"


def templates() -> list[Case]:
    """Cases of every item, opened on 22 dates, moved to 5 stages (the bulk copies them)."""
    cal = WorkCalendar.from_dir(ROOT / "definitions" / "calendar")
    items = [analyze(i) for i in load_items([ROOT / "definitions"])[0]]
    out = []
    for n in range(22):  # to late 2026: the last deadlines stay inside the calendar the package knows
        opened = date(2025, 1, 6) + timedelta(days=30 * n)
        for analysis in items:
            for stage in range(5):
                case = open_case(analysis, MARKER, opened, cal)
                on = opened
                for _ in range(stage if stage < 4 else 0):
                    runs = [r for r in case.steps.values() if r.state in (StepState.READY, StepState.ACCEPTED)]
                    if not runs or case.state.closed:
                        break
                    run = runs[0]
                    verb = "accept" if run.state is StepState.READY else "approve"
                    case.fire(verb, step=run.id, department=run.department, on=on)
                    on += timedelta(days=1)
                if stage == 3:
                    accepted = [r for r in case.steps.values() if r.state is StepState.ACCEPTED]
                    if accepted:
                        case.fire("return", step=accepted[0].id, department=accepted[0].department, on=on,
                                  reason="缺材料")
                if stage == 4:
                    case.fire("withdraw", on=on)
                out.append(case)
    return out


def fill(db: Path, n: int, chunk: int = 2000) -> float:
    """A fresh store with n cases; returns the seconds it took."""
    start = time.perf_counter()
    store = SQLiteStore(db)
    accounts = Accounts(store)
    accounts.create("wang", PASSWORD, "officer", "市场监管局")
    accounts.create("sun", PASSWORD, "supervisor", "督查室")
    pool = templates()
    texts = [[(e.seq, e.type, json.dumps(e.payload, ensure_ascii=False)) for e in t.events] for t in pool]
    views = [CaseView.of(t) for t in pool]
    done = 0
    while done < n:
        with store._tx() as db_:
            events, cases = [], []
            for k in range(done, min(n, done + chunk)):
                key, t = k + 1, k % len(pool)
                applicant = f"申请人{key:06d}"
                cases.append((key, pool[t].item["id"], "bench"))
                events += [(key, seq, type_, text.replace(json.dumps(MARKER)[1:-1], applicant), "bench", None)
                           for seq, type_, text in texts[t]]
                view = replace(views[t], case_id=key, applicant=applicant)
                projection.write(store._sql, view)
            db_.executemany("INSERT INTO cases (id, item_id, created_at) VALUES (?, ?, ?)", cases)
            db_.executemany("INSERT INTO events (case_id, seq, type, payload, at, actor) VALUES (?, ?, ?, ?, ?, ?)",
                            events)
        done = min(n, done + chunk)
    store.close()
    return time.perf_counter() - start


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body, headers)
        r = self.conn.getresponse()
        text = r.read().decode("utf-8")
        for header, value in r.getheaders():
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return r.status, text

    def login(self, user: str) -> None:
        self.cookies.clear()
        _status, page = self.request("GET", "/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf
        status, _ = self.request("POST", "/login", urlencode({"username": user, "password": PASSWORD,
                                                              "csrf": csrf.group(1)}))
        assert status == 303, status


def timed(client: Client, path: str, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        status, _text = client.request("GET", path)
        times.append(time.perf_counter() - start)
        assert status == 200, (path, status)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def memory(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


PAGES = [("queue, page 1", "wang", "/queue"), ("queue, page 20", "wang", "/queue?page=20"),
         ("case list, page 1", "sun", "/cases"), ("case list, page 1000", "sun", "/cases?page=1000"),
         ("search an applicant", "sun", "/cases?q={applicant}"), ("overdue cases", "sun", "/cases?overdue=1"),
         ("one item's cases", "sun", "/cases?item=start-business&state=in_progress"),
         ("open a case", "sun", "/cases/{case}"), ("open a case (officer)", "wang", "/cases/{case}")]


def measure(db: Path, n: int, repeat: int) -> tuple[dict[str, tuple[float, float]], tuple[int, int]]:
    with serve(str(db), wait=120) as (server, port):
        clients = {"wang": Client(port), "sun": Client(port)}
        for who, c in clients.items():
            c.login(who)
        middle = n // 2 + 1
        import sqlite3
        with sqlite3.connect(db) as raw:  # a case in the middle with a step of the officer's department
            mine = raw.execute("SELECT min(case_id) FROM step_view WHERE department = '市场监管局' AND case_id >= ?",
                               (middle,)).fetchone()[0]
        out = {}
        for label, who, path in PAGES:
            url = path.format(applicant=quote(f"申请人{middle:06d}"), case=mine if who == "wang" else middle)
            clients[who].request("GET", url)  # warm
            out[label] = timed(clients[who], url, repeat)
        return out, memory(server.pid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db-dir", help="folder for the stores (default: a temporary folder)")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(dir=args.db_dir) as tmp:
        for n in (args.baseline, args.cases):
            db = Path(tmp) / f"cases-{n}.db"
            seconds = fill(db, n)
            size = db.stat().st_size // (1 << 20)
            print(f"{n:,} cases: filled in {seconds:.1f} s ({size} MiB)", flush=True)
            results[n] = measure(db, n, args.repeat)
    base, big = results[args.baseline], results[args.cases]
    print(f"\n{'page':<26}{f'{args.baseline:,} cases':>22}{f'{args.cases:,} cases':>22}   target")
    for label, _who, _path in PAGES:
        target = "< 0.1 s" if label.startswith("open") else "< 0.3 s"
        (b50, b95), (m50, m95) = base[0][label], big[0][label]
        print(f"{label:<26}{b50 * 1000:>9.1f} ms (p95 {b95 * 1000:5.1f}){m50 * 1000:>9.1f} ms (p95 {m95 * 1000:5.1f})"
              f"   {target}")
    print(f"{'server memory (RSS, peak)':<26}{base[1][0]:>9} MiB ({base[1][1]} MiB){big[1][0]:>9} MiB "
          f"({big[1][1]} MiB)   flat")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
