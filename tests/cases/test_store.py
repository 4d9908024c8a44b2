"""The case store: one suite run against every backend, then SQLite's migrations, a writer
killed (SIGKILL) at random moments, and two processes hammering one case."""
from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, real_analysis

from engine.cases import store as store_mod
from engine.cases.machine import Case, Event, StepState, TransitionError
from engine.cases.opening import open_case
from engine.cases.projection import CaseQuery
from engine.cases.store import (
    ConflictError,
    MemoryStore,
    PostgresStore,
    SQLiteStore,
    Store,
    StoreError,
    StoreLockedError,
    UnknownCaseError,
    load_case,
    open_store,
    transact,
)
from engine.cases.store import base as store_base
from engine.cases.store import postgres as pg_store
from engine.cases.store import sqlite as sqlite_store
from engine.locations import default_store
from engine.workdays.calendar import WorkCalendar

CAL = WorkCalendar()
D0 = date(2021, 9, 29)
# PostgreSQL runs when LIANBAN_PG_DSN names a database the tests may empty (postgresql://...).
PG_DSN = os.environ.get("LIANBAN_PG_DSN")
try:
    import psycopg  # noqa: F401  (optional: pip install 'psycopg[binary]')
    PG_SKIP = "" if PG_DSN else "set LIANBAN_PG_DSN=postgresql://... to test PostgresStore"
except ImportError:
    PG_SKIP = "PostgresStore needs psycopg: pip install 'psycopg[binary]'"
# Under CI (which starts a server, see .ci/run) a missing database fails the run instead.
needs_pg = pytest.mark.skipif(bool(PG_SKIP) and not os.environ.get("CI"), reason=PG_SKIP)
BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=needs_pg)]


def new_case() -> Case:
    return open_case(real_analysis("start-business"), "张三", D0, CAL)


def postgres_store(empty: bool) -> Store:
    if PG_SKIP:
        pytest.fail(f"CI is set but PostgreSQL is not available: {PG_SKIP}")
    s = PostgresStore(PG_DSN or "")
    if empty:
        import psycopg
        with psycopg.connect(PG_DSN or "", autocommit=True) as db:
            db.execute("TRUNCATE events, cases, case_view, step_view, queue_view RESTART IDENTITY")
    return s


@contextlib.contextmanager
def pg_schema(name: str) -> Iterator[tuple[Any, str]]:
    """A fresh PostgreSQL schema *name*: a connection to inspect it with, and a DSN that works in it."""
    import psycopg
    with psycopg.connect(PG_DSN or "", autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        db.execute(f"CREATE SCHEMA {name}")
        yield db, f"{PG_DSN}{'&' if '?' in (PG_DSN or '') else '?'}options=-csearch_path%3D{name}"
        db.execute(f"DROP SCHEMA {name} CASCADE")


# -- the suite every backend passes --------------------------------------------------------------
def test_create_and_load_round_trip(store: Store) -> None:
    case = new_case()
    case_id = store.create_case(case.events)
    events = store.load(case_id)
    assert [(e.seq, e.type, e.payload) for e in events] == [(e.seq, e.type, e.payload) for e in case.events]
    assert all(e.at for e in events)
    assert load_case(store, case_id).as_dict() == {**case.as_dict(), "id": case_id}


def test_ids_are_unique_and_listed_oldest_first(store: Store) -> None:
    ids = [store.create_case(new_case().events) for _ in range(3)]
    assert len(set(ids)) == 3 and store.list_cases() == ids


def test_append_checks_the_expected_seq(store: Store) -> None:
    case = new_case()
    case_id = store.create_case(case.events)
    stale = Case.replay(store.load(case_id), case_id)
    first = case.fire("accept", step="licence", department="市场监管局", on=D0)
    assert [e.seq for e in store.append(case_id, 1, [first])] == [2]
    second = stale.fire("accept", step="licence", department="市场监管局", on=D0)  # from the stale copy
    with pytest.raises(ConflictError) as err:
        store.append(case_id, 1, [second])
    assert str(err.value) == (f"case {case_id} changed while this action was prepared (expected last event #1, "
                              f"found #2); nothing was written: reload the case and try again")
    assert [e.seq for e in store.load(case_id)] == [1, 2]


def test_unknown_case_and_bad_numbering(store: Store) -> None:
    with pytest.raises(UnknownCaseError, match="no case 42"):
        store.load("42")
    case_id = store.create_case(new_case().events)
    with pytest.raises(UnknownCaseError):
        store.append("42", 1, [Event(2, "withdrawn", {"on": "2021-09-29"})])
    with pytest.raises(ValueError, match="numbered from 2"):
        store.append(case_id, 1, [Event(3, "withdrawn", {"on": "2021-09-29"})])


BAD_IDS = ["01", "١", "１", "+1", " 1", "1 ", "1.0", "0", "-1", "99999999999999999999999", "9" * 5000]


@pytest.mark.parametrize("bad", BAD_IDS, ids=lambda s: s if len(s) < 30 else f"{len(s)}-digits")
def test_a_case_id_is_its_exact_text(store: Store, bad: str) -> None:
    case_id = store.create_case(new_case().events)
    assert case_id == "1"
    with pytest.raises(UnknownCaseError, match="no case "):
        store.load(bad)
    with pytest.raises(UnknownCaseError, match="no case "):
        store.append(bad, 1, [Event(2, "withdrawn", {"on": "2021-09-29"})])
    assert [e.seq for e in store.load(case_id)] == [1]


def test_transact_reloads_and_rechecks_on_conflict(store: Store) -> None:
    case_id = store.create_case(new_case().events)
    calls: list[int] = []

    def accept_after_a_rival(case: Case) -> Event:
        if not calls:  # a rival writer slips in between our load and our append
            rival = load_case(store, case_id)
            store.append(case_id, rival.seq, [rival.fire("accept", step="licence", department="市场监管局", on=D0)])
        calls.append(case.seq)
        return case.fire("approve" if case.steps["licence"].state is StepState.ACCEPTED else "accept",
                         step="licence", department="市场监管局", on=D0)

    _case, event = transact(store, case_id, accept_after_a_rival)
    assert calls == [1, 2] and event.type == "approved" and event.seq == 3
    assert [e.type for e in store.load(case_id)] == ["opened", "accepted", "approved"]


def test_transact_refuses_a_move_a_rival_made_illegal(store: Store) -> None:
    case_id = store.create_case(new_case().events)
    rival = load_case(store, case_id)
    store.append(case_id, 1, [rival.fire("withdraw", on=D0)])
    with pytest.raises(TransitionError, match="is withdrawn"):
        transact(store, case_id, lambda c: c.fire("accept", step="licence", department="市场监管局", on=D0))


def test_create_cases_stores_many_in_one_go(store: Store) -> None:
    first = store.create_case(new_case().events)
    cases = [new_case() for _ in range(3)]
    cases[1].fire("accept", step="licence", department="市场监管局", on=D0, calendar=CAL)
    ids = store.create_cases([(c.events, c if n else None) for n, c in enumerate(cases)])  # with or without the case
    assert ids == [str(int(first) + n) for n in (1, 2, 3)] and store.list_cases() == [first, *ids]
    assert [len(store.load(i)) for i in ids] == [1, 2, 1]
    # each with its projection, as create_case writes it
    rows = {r.case: r for r in store.case_page(CaseQuery(on=D0)).rows}
    assert [rows[i].state for i in ids] == ["open", "in_progress", "open"]
    with pytest.raises(ValueError, match="numbered from 1"):
        store.create_cases([(cases[0].events, None), (cases[1].events[1:], None)])
    assert store.list_cases() == [first, *ids]  # all or nothing: the valid first case was not stored


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_scan_reads_every_event_in_case_and_seq_order(store: Store, batch_size: int) -> None:
    logs = []
    for n in range(4):  # cases of 1, 2, 3 and 4 events
        case = new_case()
        for verb in ("accept", "return", "resubmit")[:n]:
            case.fire(verb, step="licence", department="市场监管局", on=D0, reason="补正", calendar=CAL)
        logs.append(case.events)
    ids = [store.create_case(events[:1]) for events in logs]
    for case_id, events in zip(ids, logs, strict=True):  # appended after every case exists: the order is not time's
        if events[1:]:
            store.append(case_id, 1, list(events[1:]))
    scanned = list(store.scan(batch_size=batch_size))
    assert [(c, e.seq, e.type, e.payload) for c, e in scanned] == [
        (case_id, e.seq, e.type, e.payload) for case_id, events in zip(ids, logs, strict=True) for e in events]
    assert all(e.at for _c, e in scanned)
    light = [e.payload for _c, e in store.scan(batch_size=batch_size, omit=("definition", "materials"))]
    assert [sorted(p) for p in light] == [sorted(set(e.payload) - {"definition", "materials"})
                                         for events in logs for e in events]
    with pytest.raises(ValueError, match="not a payload key"):
        next(store.scan(omit=("definition', '$",)))


def test_scan_of_an_empty_store_is_empty(store: Store) -> None:
    assert list(store.scan()) == []


def test_scan_names_a_payload_that_is_not_json(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "c.db")
    case = new_case()
    case_id = s.create_case(case.events)
    s.append(case_id, 1, [case.fire("accept", step="licence", department="市场监管局", on=D0, calendar=CAL)])
    db = sqlite3.connect(tmp_path / "c.db")
    db.execute("UPDATE events SET payload = '{\"on\": ' WHERE seq = 2")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match=f"case {case_id}: event #2 is not JSON .*; the store is damaged"):
        list(s.scan())
    s.close()


# -- SQLite: schema, migrations, files ------------------------------------------------------------
def test_sqlite_is_wal_and_versioned(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "c.db")
    assert s.schema_version() == len(store_mod.MIGRATIONS)
    s.close()
    db = sqlite3.connect(tmp_path / "c.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")} >= {"cases", "events"}
    db.close()


def test_sqlite_runs_new_migrations_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = SQLiteStore(tmp_path / "c.db")
    case_id = s.create_case(new_case().events)
    s.close()
    known = len(store_mod.MIGRATIONS)
    monkeypatch.setattr(sqlite_store, "MIGRATIONS",
                        [*store_mod.MIGRATIONS, lambda db: db.execute("CREATE INDEX events_type ON events(type)")])
    s = SQLiteStore(tmp_path / "c.db")
    assert s.schema_version() == known + 1 and len(s.load(case_id)) == 1
    s.close()


def test_sqlite_refuses_a_newer_schema_and_a_foreign_file(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "new.db")
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="schema version 99 is newer than this lianban knows"):
        SQLiteStore(tmp_path / "new.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a usable lianban case store"):
        SQLiteStore(tmp_path / "junk.db")


@pytest.mark.parametrize("below", ["x.db", "sub/x.db"])
def test_sqlite_below_a_file_is_a_store_error(tmp_path: Path, below: str) -> None:
    blocker = tmp_path / "file.yaml"
    blocker.write_text("keep\n", encoding="utf-8")
    with pytest.raises(StoreError) as err:
        SQLiteStore(blocker / below)
    assert str(err.value) == f"{blocker / below}: cannot open the case store ({blocker} is not a folder)"


@needs_pg
def test_postgres_migrates_once_and_refuses_a_newer_schema() -> None:
    with pg_schema("lianban_schema_test") as (db, dsn):
        first, second = PostgresStore(dsn), PostgresStore(dsn)  # the second finds the schema in place
        assert first.schema_version() == second.schema_version() == len(pg_store.PG_MIGRATIONS)
        first.close()
        second.close()
        db.execute("INSERT INTO lianban_schema_test.schema_version VALUES (99)")
        with pytest.raises(StoreError, match="schema version 99 is newer than this lianban knows"):
            PostgresStore(dsn)


def test_open_store_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIANBAN_DB", str(tmp_path / "env.db"))
    s = open_store()
    assert isinstance(s, SQLiteStore) and s.path == tmp_path / "env.db"
    s.close()
    monkeypatch.delenv("LIANBAN_DB")
    monkeypatch.setattr("platformdirs.user_data_dir", lambda name: str(tmp_path / "data" / name))
    assert default_store() == str(tmp_path / "data" / "lianban" / "cases.sqlite3")


@pytest.mark.parametrize("dsn", ["postgresql://postgres:pw@127.0.0.1:1/db", "postgres://postgres:pw@127.0.0.1:1/db"])
def test_lianban_db_keeps_a_dsn_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dsn: str) -> None:
    # Path(dsn) folds '//' into 'postgresql:/postgres:pw@...': an SQLite file named after the DSN
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LIANBAN_DB", dsn)
    assert default_store() == dsn
    with pytest.raises(StoreError) as err:
        open_store()
    assert "pw" not in str(err.value) and "127.0.0.1:1/db" in str(err.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["postgresql:/postgres:pw@127.0.0.1:1/db", "postgres:db", "PostgreSQL:x"])
def test_a_mangled_dsn_is_no_sqlite_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="is not a PostgreSQL DSN: write postgresql://") as err:
        open_store(target)
    assert "pw" not in str(err.value) and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dsn, shown", [
    ("postgresql://u:s%40cret@db.example:5433/cases", "db.example:5433/cases"),
    ("postgresql://db.example/cases?password=s%40cret&sslmode=require", "db.example/cases"),
    ("postgres://u@[::1]:5432/cases", "[::1]:5432/cases"),
])
def test_a_dsn_is_shown_without_its_secrets(dsn: str, shown: str) -> None:
    text, secrets = store_base._pg_display(dsn)
    assert text == shown and "cret" not in text
    assert all("cret" in s for s in secrets) and (secrets or "s%40cret" not in dsn)


# -- read-only opening (show, list, queue) --------------------------------------------------------
def test_sqlite_without_create_makes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "dir" / "cases.db"
    for target in (missing, tmp_path / "cases.db"):
        with pytest.raises(StoreError) as err:
            open_store(target, create=False)
        assert str(err.value).startswith(f"no case store at {target} (")
    assert list(tmp_path.iterdir()) == []
    empty = tmp_path / "empty.db"  # an empty (or foreign) SQLite file does not become a store either
    empty.write_bytes(b"")
    with pytest.raises(StoreError, match="no case store at"):
        SQLiteStore(empty, create=False)
    assert empty.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


def test_sqlite_without_create_reads_an_existing_store(tmp_path: Path) -> None:
    s = open_store(tmp_path / "cases.db")
    case_id = s.create_case(new_case().events)
    s.close()
    r = open_store(tmp_path / "cases.db", create=False)
    assert r.list_cases() == [case_id] and load_case(r, case_id).applicant == "张三"
    r.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.db"]


@needs_pg
def test_postgres_without_create_makes_nothing() -> None:
    with pg_schema("lianban_ro_test") as (db, dsn):
        with pytest.raises(StoreError, match="no case store at"):
            open_store(dsn, create=False)
        tables = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'lianban_ro_test'").fetchone()
        assert tables is not None and tables[0] == 0
        open_store(dsn).close()  # a writing command creates it; then reading works
        r = open_store(dsn, create=False)
        assert r.list_cases() == []
        r.close()


# -- retries ---------------------------------------------------------------------------------
def test_backoff_is_random_short_and_growing() -> None:
    for attempt, ceiling in [(1, 0.01), (2, 0.02), (3, 0.04), (4, 0.05), (5, 0.05), (50, 0.05)]:
        waits = [store_mod.backoff(attempt) for _ in range(200)]
        assert all(0.005 <= w <= ceiling for w in waits) and len(set(waits)) > 100
        assert max(waits) > ceiling * 0.8


class AlwaysConflicts(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.appends = 0

    def append(self, case_id: str, expected_seq: int, events: Sequence[Event], case: Case | None = None) -> list[Event]:
        self.appends += 1
        raise store_base._conflict(case_id, expected_seq, expected_seq + 1)


def test_transact_pauses_between_retries_and_then_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(store_mod.time, "sleep", waits.append)
    store = AlwaysConflicts()
    case_id = store.create_case(new_case().events)
    with pytest.raises(ConflictError, match=f"case {case_id} changed while this action was prepared"):
        transact(store, case_id, lambda c: c.fire("accept", step="licence", department="市场监管局", on=D0))
    assert store.appends == 6 and len(waits) == 5  # the bound: 1 try + 5 retries, a pause before each retry
    assert all(0.005 <= w <= 0.05 for w in waits)


def back_and_forth(case: Case) -> Event:
    """补正 and back: always legal on an accepted step."""
    verb = "return" if case.steps["licence"].state is StepState.ACCEPTED else "resubmit"
    return case.fire(verb, step="licence", department="市场监管局", on=D0, reason="补正", calendar=CAL)


def test_transacts_last_try_holds_the_write_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_mod.time, "sleep", lambda _seconds: None)
    store, rival = SQLiteStore(tmp_path / "c.db"), SQLiteStore(tmp_path / "c.db", timeout=0.05)
    case = new_case()
    case_id = store.create_case(case.events)
    store.append(case_id, 1, [case.fire("accept", step="licence", department="市场监管局", on=D0)])
    rival_got_in: list[bool] = []

    def move_with_a_rival_in_between(case: Case) -> Event:  # a rival that always wins the race if it can
        try:
            now = load_case(rival, case_id)
            rival.append(case_id, now.seq, [back_and_forth(now)])
            rival_got_in.append(True)
        except StoreLockedError:  # database is locked: transact's last try holds exclusive()
            rival_got_in.append(False)
        return back_and_forth(case)

    _case, event = transact(store, case_id, move_with_a_rival_in_between, retries=3)
    assert rival_got_in == [True, True, True, False] and event.seq == 2 + 3 + 1
    assert len(load_case(rival, case_id).events) == 6
    store.close()
    rival.close()


# -- crashes and concurrency (real processes) -----------------------------------------------------
WRITER = r"""
import sys
from datetime import date
from engine.cases.machine import StepState
from engine.cases.store import ConflictError, load_case, open_store, transact
from engine.workdays.calendar import WorkCalendar

db, case_id, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store, cal, ok, conflicts = open_store(db), WorkCalendar(), 0, 0

def act(case):  # 补正 and back, forever: always legal on an accepted step
    verb = "return" if case.steps["licence"].state is StepState.ACCEPTED else "resubmit"
    return case.fire(verb, step="licence", department="市场监管局", on=date(2021, 9, 30), reason="补正", calendar=cal)

for _ in range(n):
    if mode == "kill":
        _case, event = transact(store, case_id, act)
        print(event.seq, flush=True)  # only after the commit
    elif mode == "transact":  # retry as the CLI does; count the moves that gave up
        try:
            transact(store, case_id, act)
            ok += 1
        except ConflictError:
            conflicts += 1
    else:  # hammer: no retry, count what got in
        case = load_case(store, case_id)
        event = act(case)
        try:
            store.append(case_id, event.seq - 1, [event])
            ok += 1
        except ConflictError:
            conflicts += 1
print("done", ok, conflicts, flush=True)
"""


def accepted_case(db: str) -> str:
    s = open_store(db)
    case = new_case()
    case_id = s.create_case(case.events)
    s.append(case_id, 1, [case.fire("accept", step="licence", department="市场监管局", on=D0)])
    s.close()
    return case_id


def writer(db: str, case_id: str, mode: str, n: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(db), case_id, mode, str(n)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def outputs(procs: Sequence[subprocess.Popen[str]]) -> list[list[str]]:
    """What each writer printed, split into words, once all of them have exited cleanly."""
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(out.split())
    return results


def server_settled(db: str) -> None:
    """Wait until PostgreSQL has finished every backend but ours.

    A client killed right after sending COMMIT leaves the server to finish that
    transaction on its own; until it has, two reads may see different logs.
    """
    if not db.startswith("postgresql://"):
        return
    import psycopg

    with psycopg.connect(db, autocommit=True) as conn:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = conn.execute("select count(*) from pg_stat_activity where datname = current_database() "
                               "and pid <> pg_backend_pid() and backend_type = 'client backend'").fetchone()
            if row is not None and row[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError("PostgreSQL backends of the killed writer did not finish within 30 s")


def replays_the_same(db: str, case_id: str) -> Sequence[Event]:
    server_settled(db)
    s = open_store(db)
    events = s.load(case_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    live = load_case(s, case_id)
    s.close()
    fresh = open_store(db)  # a new connection replays to the same state
    try:
        assert load_case(fresh, case_id).as_dict() == live.as_dict()
    finally:
        fresh.close()
    return events


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=needs_pg)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the writer processes meet: an SQLite file or the PostgreSQL DSN."""
    return str(tmp_path / "shared.db") if request.param == "sqlite" else PG_DSN or ""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_at_any_moment_loses_no_committed_event(target: str) -> None:
    db = target
    case_id = accepted_case(db)
    rng = random.Random(20210929)
    committed: list[int] = []
    for _ in range(8):
        proc = writer(db, case_id, "kill", 100_000)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the writer has started and committed once (slow starts on a busy machine)
        time.sleep(rng.uniform(0.1, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        committed += [int(line) for line in (first + out).split()]
        events = replays_the_same(db, case_id)
        assert set(committed) <= {e.seq for e in events}
        if not db.startswith("postgresql://"):
            db_ = sqlite3.connect(db)
            assert db_.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            db_.close()
    assert len(committed) > 10  # the writer got going between kills


def test_two_processes_hammering_one_case_lose_no_update(target: str) -> None:
    db = target
    case_id = accepted_case(db)
    results = outputs([writer(db, case_id, "hammer", 150) for _ in range(2)])
    ok = sum(int(r[1]) for r in results)
    events = replays_the_same(db, case_id)  # replay re-checks every move: a lost update would not replay
    assert len(events) == 2 + ok
    assert ok >= 150  # each attempt by one writer either got in or lost to the other's success
    types = [e.type for e in events[2:]]
    assert types == ["returned", "resubmitted"] * (len(types) // 2) + ["returned"] * (len(types) % 2)
    assert events[-1].payload["step"] == "licence"


def test_four_processes_retrying_on_one_case_all_get_in(target: str) -> None:
    # Without a pause between retries the losers reload at once and collide again: some gave up.
    db = target
    case_id = accepted_case(db)
    results = outputs([writer(db, case_id, "transact", 50) for _ in range(4)])
    assert [r[1:] for r in results] == [["50", "0"]] * 4
    events = replays_the_same(db, case_id)
    assert len(events) == 2 + 200


def test_sqlite_keeps_each_pinned_definition_once_and_gives_the_events_back_as_written(tmp_path: Path) -> None:
    """Every case of one item version pins the same definition: the store keeps its text once and the
    opened event refers to it; load, scan and the projection see the event exactly as it was written."""
    import json

    s = SQLiteStore(tmp_path / "c.db")
    cases = [new_case() for _ in range(3)]
    other = open_case(real_analysis("open-restaurant"), "李四", D0, CAL)
    ids = s.create_cases([(c.events, c) for c in cases]) + [s.create_case(other.events)]
    raw = sqlite3.connect(tmp_path / "c.db")
    assert raw.execute("SELECT count(*) FROM definitions").fetchone()[0] == 2
    stored = json.loads(raw.execute("SELECT payload FROM events WHERE case_id = ? AND seq = 1", (int(ids[0]),))
                        .fetchone()[0])
    assert list(stored["definition"]) == ["$pinned"] and stored["applicant"] == "张三"
    for case_id, case in zip(ids, [*cases, other], strict=True):
        assert s.load(case_id) == [replace_at(e, s.load(case_id)[i].at) for i, e in enumerate(case.events)]
    scanned = {c: e for c, e in s.scan() if e.seq == 1}
    assert scanned[ids[3]].payload == other.events[0].payload
    assert "definition" not in {c: e for c, e in s.scan(omit=["definition"]) if e.seq == 1}[ids[0]].payload
    assert s.rebuild_projection() == (4, 0)
    raw.execute("DELETE FROM definitions")
    raw.commit()
    with pytest.raises(StoreError, match="pinned by a case is missing; the store is damaged"):
        s.load(ids[0])
    raw.close()
    s.close()


def test_sqlite_reads_opened_events_with_their_definition_inline(tmp_path: Path) -> None:
    """Stores written before version 4 keep the definition in the event: they read unchanged."""
    import json

    s = SQLiteStore(tmp_path / "c.db")
    case = new_case()
    case_id = s.create_case(case.events)
    s.close()
    raw = sqlite3.connect(tmp_path / "c.db")
    raw.execute("UPDATE events SET payload = ? WHERE seq = 1", (json.dumps(case.events[0].payload, ensure_ascii=False),))
    raw.execute("DELETE FROM definitions")
    raw.commit()
    raw.close()
    s = SQLiteStore(tmp_path / "c.db")
    assert s.load(case_id)[0].payload == case.events[0].payload
    assert load_case(s, case_id).definition == case.definition
    s.close()


def replace_at(event: Event, at: str | None) -> Event:
    from dataclasses import replace

    return replace(event, at=at)
