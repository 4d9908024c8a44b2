"""Where cases live: an append-only event log per case behind a small :class:`Store` interface.

Backends: :class:`SQLiteStore` (the default: one file, WAL, one ``BEGIN IMMEDIATE``
transaction per append, schema versioned by ``PRAGMA user_version``), :class:`PostgresStore`
(a ``postgresql://`` DSN; needs psycopg) and :class:`MemoryStore` (tests, dry runs). A case's state
is never stored: it is rebuilt by replaying its events (:func:`load_case`). Reports read every event
with :meth:`Store.scan`, in batches, so their memory does not grow with the store; bulk imports (the
simulator) write many new cases in one transaction with :meth:`Store.create_cases`. Concurrent
writers never lose an update: an append names the last seq its writer saw, and a store that has
moved on raises :class:`ConflictError`; :func:`transact` reloads, re-checks the move and tries again.
See docs/cases.md.
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from engine.cases import projection
from engine.cases.machine import Case, Event, TransitionError
from engine.cases.projection import PROJECTION_VERSION, CaseQuery, CaseView, Grade, Page
from engine.cases.schema import V2_POSTGRES, V2_SQLITE, V3
from engine.errors import LianbanError, RefusedError
from engine.fileio import blocker
from engine.i18n import _
from engine.locations import default_store

__all__ = [
    "MIGRATIONS",
    "ConflictError",
    "MemoryStore",
    "PostgresStore",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StoreLockedError",
    "UnknownCaseError",
    "backoff",
    "load_case",
    "open_store",
    "transact",
]


class StoreError(LianbanError):
    """The store cannot be used (bad file, newer schema, corrupt log). One user-facing line."""


class StoreLockedError(StoreError):
    """Another writer held the store's lock longer than the lock timeout (exit 2)."""


class UnknownCaseError(StoreError):
    """No case with that id."""


class ConflictError(StoreError):
    """Another writer appended to the case since it was loaded; nothing was written (exit 1)."""

    exit_code = RefusedError.exit_code
    label = RefusedError.label


SCAN_BATCH = 2000
_PAYLOAD_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


class Store(Protocol):
    """The whole interface a backend implements (the suite in tests/cases/test_store.py runs on each)."""

    def create_case(self, events: Sequence[Event], case: Case | None = None) -> str:
        """Store a new case's first events (seq 1, 2, ...) atomically, with its projection; return its new id."""
        ...

    def create_cases(self, cases: Iterable[tuple[Sequence[Event], Case | None]]) -> list[str]:
        """Store many new cases, each as create_case(events, case) would, all in one transaction (a bulk
        import: the simulator); return their ids."""
        ...

    def append(self, case_id: str, expected_seq: int, events: Sequence[Event], case: Case | None = None) -> list[Event]:
        """Append events numbered expected_seq+1, ... if the case's last seq is still expected_seq,
        in one transaction with the case's projection (from `case`, the case after the events,
        else by replaying the log); return them with their `at`. Raise ConflictError otherwise."""
        ...

    def load(self, case_id: str) -> list[Event]:
        """Every event of the case, in seq order (UnknownCaseError if there is none)."""
        ...

    def list_cases(self) -> list[str]:
        """Every case id, oldest first."""
        ...

    def scan(self, *, batch_size: int = SCAN_BATCH, omit: Sequence[str] = ()) -> Iterator[tuple[str, Event]]:
        """Every event of every case as (case id, event), by case id then seq, read `batch_size`
        rows at a time (each batch one query: memory does not grow with the store). `omit` names
        top-level keys left out of the 'opened' events (the pinned definition, materials and
        calendar are most of a case's log, and a report reads none of them). The payloads are
        read-only: equal payloads may be one object (cases of one item opened on one day, without
        their applicant; the steps accepted on one day)."""
        ...

    def case_page(self, query: CaseQuery) -> Page:
        """A page of CaseRows from the projection (no replay)."""
        ...

    def queue_page(self, department: str, on: date, limit: int | None = None, offset: int = 0,
                   grade: Grade | None = None) -> Page:
        """A page of the department's QueueRows, most urgent first, from the projection (`grade` gives each
        its warning level)."""
        ...

    def rebuild_projection(self) -> tuple[int, int]:
        """Rebuild the projection from every case's events; return (cases, damaged ones)."""
        ...

    def close(self) -> None:
        ...




def _omitted(omit: Sequence[str]) -> list[str]:
    """The payload keys scan() leaves out, checked (they are spliced into JSON paths)."""
    bad = [k for k in omit if not _PAYLOAD_KEY.fullmatch(k)]
    if bad:
        raise ValueError(f"not a payload key: {bad[0]!r}")
    return list(omit)


class _Decoder:
    """Decodes the JSON payloads of scanned rows: the new ones of a batch in one call (a call per row
    costs more than the parsing), the ones seen lately from a cache. Payloads repeat: the cases of
    one item opened on one day have the same 'opened' payload once the applicant is left out, and
    the steps they accept on one day the same 'accepted' payload. So a payload may be shared.

    The cache has two generations of at most `size` entries: when the young one is full it becomes
    the old one (the old one is dropped), and a payload found in the old one moves back to the
    young: the ones in use stay, memory stays bounded."""

    def __init__(self, size: int = 1024) -> None:
        self._young: dict[str, Any] = {}
        self._old: dict[str, Any] = {}
        self._size = size

    def decode(self, rows: Sequence[tuple[Any, ...]]) -> list[Any]:
        """The payloads of rows (case_id, seq, type, payload text, ...), in order."""
        young, old = self._young, self._old
        out = [young.get(row[3]) for row in rows]
        missing: dict[str, int] = {}  # text -> the first row that has it (each new text decoded once)
        for i, body in enumerate(out):
            if body is None:
                text = rows[i][3]
                body = old.get(text)
                if body is not None:
                    out[i] = young[text] = body
                elif text not in missing:
                    missing[text] = i
        if missing:
            firsts = list(missing.values())
            for text, body in zip(missing, _decode(list(missing), [rows[i] for i in firsts]), strict=True):
                young[text] = body
            out = [young[row[3]] if body is None else body for row, body in zip(rows, out, strict=True)]
        if len(young) > self._size:
            self._old, self._young = young, {}
        return out


def _decode(texts: list[str], rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    """The JSON values of `texts` in one call; a row that is not one JSON value is named in a StoreError."""
    if not texts:
        return []
    try:
        found = json.loads("[" + ",".join(texts) + "]")
        if isinstance(found, list) and len(found) == len(texts):
            return found
    except ValueError:
        pass
    for row, text in zip(rows, texts, strict=True):
        try:
            json.loads(text)
        except ValueError as exc:
            raise StoreError(_("case {case}: event #{seq} is not JSON ({reason}); the store is damaged").format(
                case=row[0], seq=row[1], reason=exc)) from None
    raise StoreError(_("case {case}: a payload holds more than one JSON value; the store is damaged").format(
        case=rows[0][0]))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _check_numbering(expected_seq: int, events: Sequence[Event]) -> None:
    if not events:
        raise ValueError("nothing to append")
    seqs = [e.seq for e in events]
    if seqs != list(range(expected_seq + 1, expected_seq + 1 + len(events))):
        raise ValueError(f"events must be numbered from {expected_seq + 1} without gaps, not {seqs}")


def _conflict(case_id: str, expected: int, found: int) -> ConflictError:
    return ConflictError(f"case {case_id} changed while this action was prepared (expected last event #{expected}, "
                         f"found #{found}); nothing was written: reload the case and try again")


def _item_id(events: Sequence[Event]) -> str:
    """The id of the item a new case runs, from its 'opened' event (the cases table keeps it)."""
    return str(events[0].payload.get("item", {}).get("id", ""))


def _no_case(case_id: str, where: object, count: int) -> str:
    return f"no case {case_id} in {where} ({count} case(s); `lianban case list` shows them)"


_CASE_ID = re.compile(r"[1-9][0-9]*", re.ASCII)  # the ids create_case hands out
_MAX_ROWID = 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT


def _row_id(case_id: str) -> int:
    """The row id of a case id: only the exact text the store hands out ("1", "42": ASCII
    digits, no leading zero, within 64 bits); anything else ("01", "١", "1e3") is no row (-1)."""
    text = str(case_id)
    if not _CASE_ID.fullmatch(text) or len(text) > 19:
        return -1
    key = int(text)
    return key if key <= _MAX_ROWID else -1


def _view(case_id: str, events: Sequence[Event], case: Case | None = None) -> CaseView:
    """The projection rows of a case: from `case` when it is the case after `events`, else by replay.
    A log that does not replay gives a row marked damaged (it leaves every queue, breaks none)."""
    if case is None or case.seq != events[-1].seq:
        try:
            case = Case.replay(events, case_id)
        except (TransitionError, KeyError, ValueError, TypeError) as exc:
            return CaseView.broken(int(case_id), _item_id(events), events[-1].seq, str(exc))
    return replace(CaseView.of(case), case_id=int(case_id))


def _actor(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


DEFAULT_LOCK_TIMEOUT = 30.0


def lock_timeout() -> float:
    """Seconds a writer waits for another's lock: $LIANBAN_LOCK_TIMEOUT, else 30."""
    text = os.environ.get("LIANBAN_LOCK_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise StoreError(_("LIANBAN_LOCK_TIMEOUT={text} is not a number of seconds between 0 and 3600").format(text=text))
    return value


def _locked(where: object, timeout: float) -> StoreLockedError:
    return StoreLockedError(_("{where}: the case store stayed locked by another writer for {s:g} s; nothing was "
                              "written: try again (LIANBAN_LOCK_TIMEOUT sets the wait)").format(where=where, s=timeout))


def _disk_full(where: object) -> StoreError:
    return StoreError(_("{where}: the disk is full; nothing was written: free some space and try again").format(
        where=where))


def _sqlite_reason(exc: sqlite3.OperationalError, where: object, timeout: float) -> StoreError | None:
    """The StoreError an SQLite failure means (a lock held too long, a full disk), or None."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return _locked(where, timeout)
    if "full" in text:
        return _disk_full(where)
    if "disk i/o" in text or "readonly" in text or "read-only" in text:
        return StoreError(_("{where}: the case store cannot be written ({why})").format(where=where, why=exc))
    return None


# -- SQLite ----------------------------------------------------------------------------------
def _m1_initial(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY AUTOINCREMENT, item_id TEXT NOT NULL, "
               "created_at TEXT NOT NULL)")
    db.execute("CREATE TABLE events (case_id INTEGER NOT NULL REFERENCES cases(id), "
               "seq INTEGER NOT NULL CHECK (seq >= 1), type TEXT NOT NULL, payload TEXT NOT NULL, "
               "at TEXT NOT NULL, PRIMARY KEY (case_id, seq)) WITHOUT ROWID")


def _m2_workspace(db: sqlite3.Connection) -> None:
    for statement in V2_SQLITE:
        db.execute(statement)


def _m3_clocks(db: sqlite3.Connection) -> None:
    for statement in V3:
        db.execute(statement)


# Ordered: MIGRATIONS[i] takes the schema from version i to i + 1 (PRAGMA user_version).
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m1_initial, _m2_workspace, _m3_clocks]


_SQLITE_INSERT = "INSERT INTO events (case_id, seq, type, payload, at, actor) VALUES (?, ?, ?, ?, ?, ?)"


class SQLiteStore:
    """An SQLite file in WAL mode; synchronous=FULL, so a committed event survives a crash."""

    def __init__(self, path: str | Path, *, timeout: float | None = None, create: bool = True) -> None:
        """Open the store at `path`, creating its folders and file unless `create` is False: then
        a missing file (or one that holds no lianban store) is a StoreError and nothing is created.
        A new file is created readable and writable by its owner only (0600); SQLite gives its
        -wal and -shm files the same mode. A writer waits `timeout` seconds (default:
        lock_timeout()) for another's lock, then gets StoreLockedError."""
        self.path = Path(path)
        self._lock = threading.RLock()
        self.timeout = timeout = lock_timeout() if timeout is None else timeout
        memory = str(path) == ":memory:"
        try:
            if memory:
                self._db = sqlite3.connect(":memory:", timeout=timeout, isolation_level=None, check_same_thread=False)
            elif create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileExistsError):
                    os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                self._db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
            else:
                if not self.path.exists():
                    raise FileNotFoundError(str(path))
                # mode=rw: open an existing file, never create one (even if it vanished since the check)
                self._db = sqlite3.connect(self.path.absolute().as_uri() + "?mode=rw", uri=True, timeout=timeout,
                                           isolation_level=None, check_same_thread=False)
        except OSError as exc:  # a file where the folder should be, no permission, ...
            reason = exc.strerror or str(exc)
            in_the_way = blocker(self.path)
            if in_the_way is not None:
                reason = f"{in_the_way} is not a folder"
            elif isinstance(exc, FileNotFoundError) and not create:
                raise StoreError(_no_store(str(path))) from exc
            raise StoreError(f"{path}: cannot open the case store ({reason})") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the case store ({exc})") from exc
        try:
            if not create and not memory and self.schema_version() == 0:  # an empty or foreign SQLite file
                raise StoreError(_no_store(str(path)))
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            if self._projection_version() != PROJECTION_VERSION:
                self.rebuild_projection()
        except BaseException as exc:
            self._db.close()
            known = _sqlite_reason(exc, path, timeout) if isinstance(exc, sqlite3.OperationalError) else None
            if known is not None:
                raise known from exc
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"{path}: not a usable lianban case store ({exc})") from exc
            raise

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors():
            if self._db.in_transaction:  # inside exclusive(): its transaction commits or rolls back
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[projection.Sql]:
        """A consistent snapshot for several reads (a deferred transaction: it takes no write lock)."""
        with self._lock, self._errors():
            if self._db.in_transaction:
                yield self._sql
                return
            self._db.execute("BEGIN")
            try:
                yield self._sql
            finally:
                self._db.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[projection.Sql]:
        """One write transaction for the caller's SQL (? placeholders): the accounts use it."""
        with self._tx():
            yield self._sql

    def _sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(query, tuple(params)).fetchall()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            reason = _sqlite_reason(exc, self.path, self.timeout)
            if reason is None:
                raise
            raise reason from exc

    def exclusive(self, case_id: str) -> AbstractContextManager[object]:
        """Hold the write lock for a load, a check and an append: no rival append can get in between
        (transact's last try). Other writers wait, up to the busy timeout."""
        return self._tx()

    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        if self.schema_version() == len(MIGRATIONS):
            return
        with self._tx() as db:
            version = self.schema_version()
            if version > len(MIGRATIONS):
                raise StoreError(f"{self.path}: schema version {version} is newer than this lianban knows "
                                 f"({len(MIGRATIONS)}); upgrade lianban")
            for number, migration in enumerate(MIGRATIONS[version:], version + 1):
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")

    def create_case(self, events: Sequence[Event], case: Case | None = None) -> str:
        return self.create_cases([(events, case)])[0]

    def create_cases(self, cases: Iterable[tuple[Sequence[Event], Case | None]]) -> list[str]:
        batch = list(cases)
        for events, _case in batch:
            _check_numbering(0, events)
        at = _now()
        ids = []
        with self._tx() as db:
            for events, case in batch:
                cur = db.execute("INSERT INTO cases (item_id, created_at) VALUES (?, ?)", (_item_id(events), at))
                ids.append(str(cur.lastrowid))
                db.executemany(_SQLITE_INSERT, self._rows(ids[-1], events, at))
                projection.write(self._sql, _view(ids[-1], events, case))
        return ids

    def append(self, case_id: str, expected_seq: int, events: Sequence[Event], case: Case | None = None) -> list[Event]:
        _check_numbering(expected_seq, events)
        key = _row_id(case_id)
        at = _now()
        try:
            with self._tx() as db:
                last = db.execute("SELECT max(seq) FROM events WHERE case_id = ?", (key,)).fetchone()[0]
                if last is None:
                    raise UnknownCaseError(self._unknown(case_id))
                if last != expected_seq:
                    raise _conflict(case_id, expected_seq, last)
                db.executemany(_SQLITE_INSERT, self._rows(case_id, events, at))
                log = list(events) if case is not None else self.load(case_id)
                projection.write(self._sql, _view(case_id, log, case))
        except sqlite3.IntegrityError as exc:  # a writer that bypassed the check above
            raise _conflict(case_id, expected_seq, -1) from exc
        return [replace(e, at=at) for e in events]

    def load(self, case_id: str) -> list[Event]:
        with self._lock, self._errors():
            rows = self._db.execute("SELECT seq, type, payload, at, actor FROM events WHERE case_id = ? ORDER BY seq",
                                    (_row_id(case_id),)).fetchall()
        if not rows:
            raise UnknownCaseError(self._unknown(case_id))
        return [Event(seq, type_, json.loads(payload), at, _actor(actor)) for seq, type_, payload, at, actor in rows]

    def list_cases(self) -> list[str]:
        with self._lock, self._errors():
            return [str(r[0]) for r in self._db.execute("SELECT id FROM cases ORDER BY id")]

    def scan(self, *, batch_size: int = SCAN_BATCH, omit: Sequence[str] = ()) -> Iterator[tuple[str, Event]]:
        keys = _omitted(omit)
        payload = f"CASE type WHEN 'opened' THEN json_remove(payload{', ?' * len(keys)}) ELSE payload END" \
            if keys else "payload"
        sql = (f"SELECT case_id, seq, type, {payload}, at, actor FROM events WHERE (case_id, seq) > (?, ?) "
               "ORDER BY case_id, seq LIMIT ?")  # a range on the primary key: one seek per batch
        paths = [f"$.{k}" for k in keys]
        last: tuple[int, int] = (0, 0)
        decoder = _Decoder()
        while True:
            with self._lock, self._errors():
                rows = self._db.execute(sql, (*paths, *last, max(1, batch_size))).fetchall()
            if not rows:
                return
            payloads = decoder.decode(rows)
            key, name = None, ""
            for (case_id, seq, type_, _text, at, actor), body in zip(rows, payloads, strict=True):
                if case_id != key:
                    key, name = case_id, str(case_id)
                yield name, Event(seq, type_, body, at, _actor(actor))
            last = rows[-1][:2]

    def case_page(self, query: CaseQuery) -> Page:
        with self._read() as sql:
            return projection.case_page(sql, query)

    def queue_page(self, department: str, on: date, limit: int | None = None, offset: int = 0,
                   grade: Grade | None = None) -> Page:
        with self._read() as sql:
            return projection.queue_page(sql, department, on, limit, offset, grade)

    def rebuild_projection(self) -> tuple[int, int]:
        """Rebuild the projection from the events, 500 cases per transaction (memory stays flat)."""
        total = damaged = 0
        last = 0
        while True:
            with self._tx() as db:
                ids = [r[0] for r in db.execute("SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT 500", (last,))]
                if not ids:
                    db.execute("INSERT INTO meta VALUES ('projection_version', ?) ON CONFLICT (key) "
                               "DO UPDATE SET value = excluded.value", (str(PROJECTION_VERSION),))
                    return total, damaged
                rows = db.execute("SELECT case_id, seq, type, payload, at, actor FROM events WHERE case_id BETWEEN ? "
                                  "AND ? ORDER BY case_id, seq", (ids[0], ids[-1])).fetchall()
                logs: dict[int, list[Event]] = {}
                for key, seq, type_, payload, at, actor in rows:
                    logs.setdefault(key, []).append(Event(seq, type_, json.loads(payload), at, _actor(actor)))
                for key in ids:
                    view = _view(str(key), logs[key]) if key in logs else CaseView.broken(key, "", 0, "no events")
                    projection.write(self._sql, view)
                    damaged += view.damaged is not None
                total += len(ids)
                last = ids[-1]

    def _projection_version(self) -> int:
        with self._lock, self._errors():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'projection_version'").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @staticmethod
    def _rows(case_id: str, events: Sequence[Event], at: str) -> list[tuple[int, int, str, str, str, str | None]]:
        return [(int(case_id), e.seq, e.type, json.dumps(e.payload, ensure_ascii=False), at,
                 json.dumps(e.actor, ensure_ascii=False) if e.actor is not None else None) for e in events]

    def _unknown(self, case_id: str) -> str:
        with self._lock:
            count = self._db.execute("SELECT count(*) FROM cases").fetchone()[0]
        return _no_case(case_id, self.path, count)


# -- PostgreSQL ------------------------------------------------------------------------------
PG_MIGRATIONS: list[str] = [  # PG_MIGRATIONS[i] takes the schema from version i to i + 1
    ("CREATE TABLE cases (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_id TEXT NOT NULL, "
     "created_at TEXT NOT NULL);"
     "CREATE TABLE events (case_id BIGINT NOT NULL REFERENCES cases(id), seq INTEGER NOT NULL CHECK (seq >= 1), "
     "type TEXT NOT NULL, payload JSONB NOT NULL, at TEXT NOT NULL, PRIMARY KEY (case_id, seq))"),
    ";".join(V2_POSTGRES),
    ";".join(V3),
]


class PostgresStore:
    """PostgreSQL through psycopg 3 (optional: pip install 'psycopg[binary]'). Appends do not wait
    for each other (they share a key share lock on the case): the primary key (case_id, seq) turns
    a concurrent append into ConflictError. Only exclusive() makes them wait, up to the lock timeout
    (``SET lock_timeout``), then StoreLockedError. A lost connection is a StoreError and the next
    call connects again."""

    def __init__(self, dsn: str, *, create: bool = True, timeout: float | None = None) -> None:
        """Connect and migrate; unless `create`, a database without a lianban schema is a StoreError
        and nothing is created in it."""
        try:
            import psycopg
        except ImportError as exc:
            raise StoreError("a postgresql:// store needs psycopg: pip install 'psycopg[binary]'") from exc
        self._pg = psycopg
        self._dsn = dsn
        self.path, self._secrets = _pg_display(dsn)  # never show the password
        self.timeout = lock_timeout() if timeout is None else timeout
        self._lock = threading.RLock()
        self._db = self._connect()
        try:
            if not create and self._stored_version() == 0:
                raise StoreError(_no_store(self.path))
            self._migrate()
            if self._projection_version() != PROJECTION_VERSION:
                self.rebuild_projection()
        except BaseException:
            self._db.close()
            raise

    def _reason(self, exc: BaseException) -> str:
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _connect(self) -> Any:
        try:
            db = self._pg.connect(self._dsn, autocommit=True)  # explicit transaction() blocks only
            db.execute(f"SET lock_timeout = {int(self.timeout * 1000)}")
            return db
        except (self._pg.Error, ValueError) as exc:
            raise StoreError(f"cannot connect to the PostgreSQL case store at {self.path}: {self._reason(exc)}") from None

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        """A transaction (a savepoint inside another); PostgreSQL failures become StoreErrors."""
        pg = self._pg
        with self._lock:
            if self._db.closed or self._db.broken:
                self._db = self._connect()
            try:
                with self._db.transaction():
                    yield self._db
            except pg.errors.LockNotAvailable as exc:
                raise _locked(self.path, self.timeout) from exc
            except pg.errors.DiskFull as exc:
                raise _disk_full(self.path) from exc
            except pg.OperationalError as exc:
                raise StoreError(_("lost the connection to the PostgreSQL case store at {where} ({why}); nothing "
                                   "more was written: try again").format(where=self.path, why=self._reason(exc))) from exc
            except pg.Error as exc:
                if isinstance(exc, pg.errors.UniqueViolation):
                    raise
                raise StoreError(f"PostgreSQL case store {self.path}: {self._reason(exc)}") from exc

    @contextmanager
    def transaction(self) -> Iterator[projection.Sql]:
        """One transaction for the caller's SQL (? placeholders): the accounts use it."""
        with self._tx():
            yield self._sql

    def _sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self._db.execute(query.replace("?", "%s"), tuple(params))
        return cur.fetchall() if cur.description is not None else []

    @contextmanager
    def exclusive(self, case_id: str) -> Iterator[None]:
        """Lock the case's row for a load, a check and an append (transact's last try): a rival
        append waits for it (its key share lock, taken before it inserts) and then conflicts."""
        with self._tx():
            self._db.execute("SELECT id FROM cases WHERE id = %s FOR UPDATE", (_row_id(case_id),))
            yield

    def _stored_version(self) -> int:
        """The schema version, 0 without creating anything if there is no lianban schema."""
        with self._tx():
            row = self._db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
            if not row or not row[0]:
                return 0
            row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0) if row else 0

    def schema_version(self) -> int:
        with self._tx():
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0) if row else 0

    def _migrate(self) -> None:
        with self._tx():
            self._db.execute("SELECT pg_advisory_xact_lock(2021092901)")  # one migrator at a time
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
            version = int(row[0] or 0) if row else 0
            if version > len(PG_MIGRATIONS):
                raise StoreError(f"{self.path}: schema version {version} is newer than this lianban knows "
                                 f"({len(PG_MIGRATIONS)}); upgrade lianban")
            for number, sql in enumerate(PG_MIGRATIONS[version:], version + 1):
                self._db.execute(sql)
                self._db.execute("INSERT INTO schema_version VALUES (%s)", (number,))

    def _projection_version(self) -> int:
        with self._tx():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'projection_version'").fetchone()
        return int(row[0]) if row else 0

    def create_case(self, events: Sequence[Event], case: Case | None = None) -> str:
        return self.create_cases([(events, case)])[0]

    def create_cases(self, cases: Iterable[tuple[Sequence[Event], Case | None]]) -> list[str]:
        batch = list(cases)
        for events, _case in batch:
            _check_numbering(0, events)
        at = _now()
        ids = []
        with self._tx():
            for events, case in batch:
                row = self._db.execute("INSERT INTO cases (item_id, created_at) VALUES (%s, %s) RETURNING id",
                                       (_item_id(events), at)).fetchone()
                ids.append(str(row[0]) if row else "")
                self._insert(ids[-1], events, at)
                projection.write(self._sql, _view(ids[-1], events, case))
        return ids

    def append(self, case_id: str, expected_seq: int, events: Sequence[Event], case: Case | None = None) -> list[Event]:
        _check_numbering(expected_seq, events)
        key, at = _row_id(case_id), _now()
        try:
            with self._tx():
                # The key share lock the foreign key check takes anyway, but before inserting: so an
                # append waits for an exclusive() holder without holding a row it would wait on.
                self._db.execute("SELECT 1 FROM cases WHERE id = %s FOR KEY SHARE", (key,))
                row = self._db.execute("SELECT max(seq) FROM events WHERE case_id = %s", (key,)).fetchone()
                last = row[0] if row else None
                if last is None:
                    raise UnknownCaseError(self._unknown(case_id))
                if last != expected_seq:
                    raise _conflict(case_id, expected_seq, last)
                self._insert(case_id, events, at)
                log = list(events) if case is not None else self.load(case_id)
                projection.write(self._sql, _view(case_id, log, case))
        except self._pg.errors.UniqueViolation as exc:  # a concurrent append won the race
            raise _conflict(case_id, expected_seq, expected_seq + 1) from exc
        return [replace(e, at=at) for e in events]

    def _insert(self, case_id: str, events: Sequence[Event], at: str) -> None:
        from psycopg.types.json import Jsonb
        with self._db.cursor() as cur:
            cur.executemany("INSERT INTO events (case_id, seq, type, payload, at, actor) VALUES (%s, %s, %s, %s, %s, %s)",
                            [(int(case_id), e.seq, e.type, Jsonb(e.payload), at,
                              Jsonb(e.actor) if e.actor is not None else None) for e in events])

    def load(self, case_id: str) -> list[Event]:
        with self._tx():
            rows = self._db.execute("SELECT seq, type, payload, at, actor FROM events WHERE case_id = %s ORDER BY seq",
                                    (_row_id(case_id),)).fetchall()
        if not rows:
            raise UnknownCaseError(self._unknown(case_id))
        return [Event(seq, type_, payload, at, actor) for seq, type_, payload, at, actor in rows]

    def list_cases(self) -> list[str]:
        with self._tx():
            return [str(r[0]) for r in self._db.execute("SELECT id FROM cases ORDER BY id").fetchall()]

    def scan(self, *, batch_size: int = SCAN_BATCH, omit: Sequence[str] = ()) -> Iterator[tuple[str, Event]]:
        keys = _omitted(omit)
        sql = ("SELECT case_id, seq, type, CASE type WHEN 'opened' THEN payload - %s::text[] ELSE payload END, at, "
               "actor FROM events WHERE (case_id, seq) > (%s, %s) ORDER BY case_id, seq LIMIT %s")
        last: tuple[int, int] = (0, 0)
        while True:
            with self._tx():
                rows = self._db.execute(sql, (keys, *last, max(1, batch_size))).fetchall()
            if not rows:
                return
            for case_id, seq, type_, payload, at, actor in rows:
                yield str(case_id), Event(seq, type_, payload, at, actor)
            last = rows[-1][:2]

    def case_page(self, query: CaseQuery) -> Page:
        with self._tx():
            self._db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return projection.case_page(self._sql, query)

    def queue_page(self, department: str, on: date, limit: int | None = None, offset: int = 0,
                   grade: Grade | None = None) -> Page:
        with self._tx():
            self._db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return projection.queue_page(self._sql, department, on, limit, offset, grade)

    def rebuild_projection(self) -> tuple[int, int]:
        """Rebuild the projection from the events, 500 cases per transaction (memory stays flat)."""
        total = damaged = 0
        last = 0
        while True:
            with self._tx():
                # FOR UPDATE: an append (which takes FOR KEY SHARE on its case first) waits for this chunk,
                # so its projection rows are never overwritten by a rebuild that read the log before it
                ids = [r[0] for r in self._db.execute("SELECT id FROM cases WHERE id > %s ORDER BY id LIMIT 500 "
                                                      "FOR UPDATE", (last,)).fetchall()]
                if not ids:
                    self._db.execute("INSERT INTO meta VALUES ('projection_version', %s) ON CONFLICT (key) "
                                     "DO UPDATE SET value = excluded.value", (str(PROJECTION_VERSION),))
                    return total, damaged
                rows = self._db.execute("SELECT case_id, seq, type, payload, at, actor FROM events WHERE case_id "
                                        "BETWEEN %s AND %s ORDER BY case_id, seq", (ids[0], ids[-1])).fetchall()
                logs: dict[int, list[Event]] = {}
                for key, seq, type_, payload, at, actor in rows:
                    logs.setdefault(key, []).append(Event(seq, type_, payload, at, actor))
                for key in ids:
                    view = _view(str(key), logs[key]) if key in logs else CaseView.broken(key, "", 0, "no events")
                    projection.write(self._sql, view)
                    damaged += view.damaged is not None
                total += len(ids)
                last = ids[-1]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _unknown(self, case_id: str) -> str:
        with self._tx():
            row = self._db.execute("SELECT count(*) FROM cases").fetchone()
        return _no_case(case_id, self.path, row[0] if row else 0)


# -- memory ----------------------------------------------------------------------------------
class MemoryStore:
    """The same contract in a dict (thread-safe); nothing survives the process."""

    def __init__(self) -> None:
        self._cases: dict[str, list[Event]] = {}
        self._views: dict[str, CaseView] = {}
        self._lock = threading.Lock()

    def create_case(self, events: Sequence[Event], case: Case | None = None) -> str:
        return self.create_cases([(events, case)])[0]

    def create_cases(self, cases: Iterable[tuple[Sequence[Event], Case | None]]) -> list[str]:
        batch = list(cases)
        for events, _case in batch:
            _check_numbering(0, events)
        at = _now()
        ids = []
        with self._lock:
            for events, case in batch:
                ids.append(str(len(self._cases) + 1))
                self._cases[ids[-1]] = [replace(e, at=at) for e in events]
                self._views[ids[-1]] = _view(ids[-1], events, case)
        return ids

    def append(self, case_id: str, expected_seq: int, events: Sequence[Event], case: Case | None = None) -> list[Event]:
        _check_numbering(expected_seq, events)
        stored = [replace(e, at=_now()) for e in events]
        with self._lock:
            log = self._log(case_id)
            if log[-1].seq != expected_seq:
                raise _conflict(case_id, expected_seq, log[-1].seq)
            log.extend(stored)
            self._views[case_id] = _view(case_id, log, case)
        return stored

    def case_page(self, query: CaseQuery) -> Page:
        with self._lock:
            return projection.case_page_of(list(self._views.values()), query)

    def queue_page(self, department: str, on: date, limit: int | None = None, offset: int = 0,
                   grade: Grade | None = None) -> Page:
        with self._lock:
            return projection.queue_page_of(list(self._views.values()), department, on, limit, offset, grade)

    def rebuild_projection(self) -> tuple[int, int]:
        with self._lock:
            self._views = {key: _view(key, log) for key, log in self._cases.items()}
            return len(self._views), sum(v.damaged is not None for v in self._views.values())

    def load(self, case_id: str) -> list[Event]:
        with self._lock:
            log = self._log(case_id)
            return [replace(e, payload=json.loads(json.dumps(e.payload))) for e in log]  # no shared dicts

    def list_cases(self) -> list[str]:
        with self._lock:
            return list(self._cases)

    def scan(self, *, batch_size: int = SCAN_BATCH, omit: Sequence[str] = ()) -> Iterator[tuple[str, Event]]:
        keys = _omitted(omit)
        with self._lock:
            ids = list(self._cases)  # handed out in order: "1", "2", ...
        for start in range(0, len(ids), max(1, batch_size)):
            with self._lock:  # copies, as load() gives: no shared dicts
                batch = [(case_id, replace(e, payload={k: v for k, v in json.loads(json.dumps(e.payload)).items()
                                                       if e.type != "opened" or k not in keys}))
                         for case_id in ids[start:start + max(1, batch_size)] for e in self._cases[case_id]]
            yield from batch

    def _log(self, case_id: str) -> list[Event]:
        """The case's events (the caller holds the lock)."""
        log = self._cases.get(str(case_id))
        if log is None:
            raise UnknownCaseError(f"no case {case_id} in memory ({len(self._cases)} case(s))")
        return log

    def close(self) -> None:
        pass


# -- helpers ---------------------------------------------------------------------------------
_PG_SCHEMES = ("postgresql://", "postgres://")


def open_store(target: str | Path | None = None, *, create: bool = True) -> Store:
    """A store for `target`: a postgresql:// (or postgres://) DSN, ':memory:', or an SQLite file path
    (default: engine.locations.default_store()). With create=False (read-only commands) a store that does not exist
    yet is a StoreError ("no case store at ...") and nothing is created."""
    text = str(target) if target is not None else default_store()
    if text.startswith(_PG_SCHEMES):
        return PostgresStore(text, create=create)
    scheme = re.match(r"postgres(ql)?:", text, re.IGNORECASE)
    if scheme:  # a mistyped or mangled DSN, never an SQLite file named after it (not shown: it may hold a password)
        raise StoreError(f"the case store '{scheme.group()}...' is not a PostgreSQL DSN: "
                         "write postgresql://USER[:PASSWORD]@HOST[:PORT]/DB")
    return SQLiteStore(text, create=create)


def _no_store(where: str) -> str:
    return f"no case store at {where} (`lianban case open ITEM --applicant NAME` creates it)"


def _pg_display(dsn: str) -> tuple[str, list[str]]:
    """The DSN as it may be shown (host[:port]/db, no user, password or query) and the secrets in it."""
    try:
        parts = urlsplit(dsn)
        netloc, path, query = parts.netloc, parts.path, parts.query
    except ValueError:  # e.g. an unbalanced '[' in the host
        netloc, path, query = dsn.partition("://")[2].partition("/")[0], "", ""
    userinfo, _at, host = netloc.rpartition("@")
    password = userinfo.partition(":")[2]
    secrets = [password, unquote(password)] if password else []
    secrets += [v for k, v in parse_qsl(query) if k == "password" and v]
    shown = host + path
    return shown or "(no host)", sorted(set(secrets), key=len, reverse=True)


def load_case(store: Store, case_id: str) -> Case:
    """Rebuild a case by replaying its events."""
    events = store.load(case_id)
    try:
        return Case.replay(events, str(case_id))
    except (TransitionError, KeyError, ValueError) as exc:
        raise StoreError(f"case {case_id}: its event log does not replay ({exc}); the store is damaged") from exc


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, ...): random, so rivals that collided
    spread out, within a ceiling that doubles from 10 ms up to 50 ms."""
    ceiling = min(0.05, 0.005 * 2 ** attempt)
    return random.uniform(0.005, ceiling)


def transact(store: Store, case_id: str, action: Callable[[Case], Event], retries: int = 5,
             actor: dict[str, Any] | None = None) -> tuple[Case, Event]:
    """Load the case, apply `action` (which calls case.fire) and append its event.

    On a conflict the case is reloaded and the action checked again against the new state, up to
    `retries` times, after a short random pause (:func:`backoff`): a move that another writer made
    illegal raises TransitionError, never a lost update. The last try runs under the store's
    `exclusive(case_id)` lock where it has one (SQLite, PostgreSQL), so busy writers that keep
    winning cannot starve this one; a store without it raises the last ConflictError.
    `actor` (who acts: account, role, department) is recorded beside the event's payload.
    """
    attempt = 0
    while True:
        exclusive = getattr(store, "exclusive", None) if attempt == retries else None
        try:
            with exclusive(case_id) if exclusive is not None else nullcontext():
                case = load_case(store, case_id)
                before = case.seq
                event = action(case)
                if actor is not None:
                    event = replace(event, actor=actor)
                    case.events[-1] = event
                stored = store.append(case_id, before, [event], case)
        except ConflictError:
            attempt += 1
            if attempt > retries:
                raise
            time.sleep(backoff(attempt))
            continue
        return case, stored[0]
