"""Load test of the workspace on loopback: concurrent clients acting on shared cases.

    python bench/load.py [--clients 20] [--seconds 60] [--cases 40] [--db PATH|postgresql://...] [--workers N]

Starts `lianban serve` (a real uvicorn process) on a free 127.0.0.1 port with a fresh store,
accounts and tokens; every client (a thread with its own keep-alive connection) loops until the
time is up: it reads a random shared case, records the move its state allows (补正 and back on an
accepted step: return, resubmit), and now and then reads its department's queue and a page of
the case list. Bounded in count (--max-requests) and time; it stops by itself.

Afterwards it checks the store against what the clients were told: every move the server
confirmed is in the log exactly once at the seq it reported (no lost, no duplicated event), the
log numbers have no gap, and every case replays (a lost update would leave two returns in a row,
which replay refuses). It prints p50/p95 latency per kind of request and the throughput.
The test suite runs the same code for 5 seconds (tests/server/test_load.py).
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import serve

ON = "2021-09-30"


@dataclass
class Report:
    confirmed: list[tuple[str, int]] = field(default_factory=list)   # (case, seq) the server confirmed
    refused: int = 0                                                   # 409: a rival made the move first
    errors: list[str] = field(default_factory=list)                    # anything else: a failure
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self) -> int:
        return sum(len(v) for v in self.latency.values())

    def lines(self) -> list[str]:
        out = [f"{self.requests()} requests in {self.seconds:.1f} s: {self.requests() / self.seconds:.0f} requests/s, "
               f"{len(self.confirmed) / self.seconds:.0f} moves/s confirmed, {self.refused} refused (a rival moved "
               f"first), {len(self.errors)} errors"]
        for kind, values in sorted(self.latency.items()):
            values = sorted(values)
            p95 = values[max(0, int(len(values) * 0.95) - 1)]
            out.append(f"  {kind:<10} n={len(values):<6} p50 {statistics.median(values) * 1000:6.1f} ms   "
                       f"p95 {p95 * 1000:6.1f} ms   max {values[-1] * 1000:6.1f} ms")
        return out


def client(host: str, port: int, token: str, cases: list[str], deadline: float, budget: int, seed: int,
           report: Report) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(kind: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        start = time.perf_counter()
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        data = json.loads(response.read() or b"null")
        with report.lock:
            report.latency[kind].append(time.perf_counter() - start)
        return response.status, data

    done = 0
    try:
        while time.monotonic() < deadline and done < budget:
            done += 1
            case_id = rng.choice(cases)
            roll = rng.random()
            if roll < 0.1:
                status, _ = call("queue", "GET", "/api/v1/queue?per_page=50")
            elif roll < 0.2:
                status, _ = call("list", "GET", f"/api/v1/cases?per_page=50&page={rng.randint(1, 3)}")
            else:
                status, case = call("read", "GET", f"/api/v1/cases/{case_id}")
                if status == 200:
                    state = next(s["state"] for s in case["steps"] if s["id"] == "licence")
                    move = {"action": "return", "reason": "补正"} if state == "accepted" else {"action": "resubmit"}
                    status, got = call("move", "POST", f"/api/v1/cases/{case_id}/actions",
                                       {**move, "step": "licence", "on": ON})
                    if status == 200:
                        with report.lock:
                            report.confirmed.append((case_id, got["event"]["seq"]))
                        continue
                    if status == 409:
                        with report.lock:
                            report.refused += 1
                        continue
            if status != 200:
                with report.lock:
                    report.errors.append(f"HTTP {status}")
    except Exception as exc:  # a dropped connection, a timeout: reported, never hidden
        with report.lock:
            report.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def run(host: str, port: int, tokens: list[str], cases: list[str], clients: int, seconds: float,
        budget: int = 1_000_000) -> Report:
    report = Report()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(host, port, tokens[n % len(tokens)], cases, deadline,
                                                     budget // clients, n, report)) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    report.seconds = time.perf_counter() - start
    return report


def check(store: Any, cases: list[str], report: Report, initial: int = 2) -> list[str]:
    """What the store says against what the clients were told; empty when nothing was lost or doubled."""
    from engine.cases.store import load_case

    problems = []
    confirmed: dict[str, list[int]] = defaultdict(list)
    for case_id, seq in report.confirmed:
        confirmed[case_id].append(seq)
    for case_id in cases:
        events = store.load(case_id)
        seqs = [e.seq for e in events]
        if seqs != list(range(1, len(seqs) + 1)):
            problems.append(f"case {case_id}: seqs {seqs[:5]}... have a gap or a duplicate")
        told = sorted(confirmed[case_id])
        if len(set(told)) != len(told):
            problems.append(f"case {case_id}: a seq was confirmed twice")
        if told != list(range(initial + 1, len(events) + 1)):
            problems.append(f"case {case_id}: the server confirmed {len(told)} moves, the log holds "
                            f"{len(events) - initial}")
        try:
            load_case(store, case_id)
        except Exception as exc:
            problems.append(f"case {case_id} does not replay: {exc}")
    return problems


def prepare(db: str, n_cases: int, officers: int = 4) -> tuple[list[str], list[str]]:
    """A store with `officers` accounts of 市场监管局 and their tokens, and n accepted shared cases."""
    from datetime import date

    from engine.cases import desk
    from engine.cases.store import open_store
    from engine.flow.analysis import analyze
    from engine.server.accounts import Accounts
    from engine.validation.tree import load_items
    from engine.workdays.calendar import WorkCalendar

    root = Path(__file__).resolve().parents[1]
    store = open_store(db)
    accounts = Accounts(store)
    tokens = []
    for n in range(officers):
        accounts.create(f"officer{n}", "load test password", "officer", "市场监管局")
        tokens.append(accounts.issue_token(f"officer{n}", "load")[1])
    analysis = analyze(load_items([root / "definitions" / "start-business.yaml"])[0][0])
    cal = WorkCalendar.from_dir(root / "definitions" / "calendar")
    cases = []
    for k in range(n_cases):
        case = desk.open_new(store, analysis, f"申请人{k}", date(2021, 9, 29), cal)
        desk.act(store, str(case.id), "accept", step="licence", department="市场监管局", on=date(2021, 9, 30))
        cases.append(str(case.id))
    store.close()
    return tokens, cases


def main() -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--cases", type=int, default=40, help="shared cases the clients act on")
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--db", help="store (default: a fresh SQLite file); a postgresql:// DSN must name an empty database")
    parser.add_argument("--workers", type=int, default=1, help="server processes (more than 1 needs PostgreSQL)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 0 < args.seconds <= 600:
        parser.error("1..200 clients for at most 600 s")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "load.db")
        tokens, cases = prepare(db, args.cases)
        with serve(db, "--workers", str(args.workers)) as (_server, port):
            print(f"{args.clients} clients, {args.seconds:g} s, {len(cases)} shared cases, {args.workers} server "
                  f"process(es), store {db.split('@')[-1]}")
            report = run("127.0.0.1", port, tokens, cases, args.clients, args.seconds, args.max_requests)
        from engine.cases.store import open_store
        store = open_store(db)
        problems = check(store, cases, report)
        store.close()
    print("\n".join(report.lines()))
    print("store check: " + ("no lost or duplicated event, every case replays" if not problems else
                             f"{len(problems)} problem(s):\n  " + "\n  ".join(problems[:20])))
    return 1 if problems or report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
