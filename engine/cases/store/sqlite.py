"""The SQLite case store: one file in WAL mode, one ``BEGIN IMMEDIATE`` transaction per append,
schema versioned by ``PRAGMA user_version`` (:data:`MIGRATIONS`)."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from engine.cases import projection
from engine.cases.machine import Case, Event
from engine.cases.projection import CaseQuery, Grade, Page
from engine.cases.schema import V2_SQLITE, V3, V4_SQLITE
from engine.cases.store.base import (
    SCAN_BATCH,
    NewCases,
    StoreError,
    UnknownCaseError,
    _actor,
    _check_numbering,
    _conflict,
    _Decoder,
    _disk_full,
    _item_id,
    _locked,
    _no_case,
    _no_store,
    _now,
    _omitted,
    _row_id,
    _view,
    _write_views,
    lock_timeout,
)
from engine.fileio import blocker
from engine.i18n import _, os_reason


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


def _m4_definitions(db: sqlite3.Connection) -> None:
    for statement in V4_SQLITE:
        db.execute(statement)


# Ordered: MIGRATIONS[i] takes the schema from version i to i + 1 (PRAGMA user_version).
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m1_initial, _m2_workspace, _m3_clocks, _m4_definitions]

_PINNED = "$pinned"  # an opened event's definition kept in the definitions table: {"$pinned": its key}


def _pinned_key(payload: dict[str, Any]) -> str | None:
    """The key of the definition an opened event's payload refers to, or None (kept inline)."""
    ref = payload.get("definition")
    if isinstance(ref, dict) and len(ref) == 1 and isinstance(ref.get(_PINNED), str):
        return str(ref[_PINNED])
    return None


_SQLITE_INSERT = "INSERT INTO events (case_id, seq, type, payload, at, actor) VALUES (?, ?, ?, ?, ?, ?)"


class SQLiteStore(NewCases):
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
            reason = os_reason(exc)
            in_the_way = blocker(self.path)
            if in_the_way is not None:
                reason = _("{path} is not a folder").format(path=in_the_way)
            elif isinstance(exc, FileNotFoundError) and not create:
                raise StoreError(_no_store(str(path))) from exc
            raise StoreError(_("{path}: cannot open the case store ({reason})").format(path=path, reason=reason)) from exc
        except sqlite3.Error as exc:
            raise StoreError(_("{path}: cannot open the case store ({reason})").format(path=path, reason=exc)) from exc
        try:
            if not create and not memory and self.schema_version() == 0:  # an empty or foreign SQLite file
                raise StoreError(_no_store(str(path)))
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            if self._projection_version() != projection.PROJECTION_VERSION:
                self.rebuild_projection()
        except BaseException as exc:
            self._db.close()
            known = _sqlite_reason(exc, path, timeout) if isinstance(exc, sqlite3.OperationalError) else None
            if known is not None:
                raise known from exc
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(_("{path}: not a usable lianban case store ({reason})").format(
                    path=path, reason=exc)) from exc
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
                raise StoreError(_("{path}: schema version {version} is newer than this lianban knows ({known}); "
                                   "upgrade lianban").format(path=self.path, version=version, known=len(MIGRATIONS)))
            for number, migration in enumerate(MIGRATIONS[version:], version + 1):
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")

    def _create(self, batch: list[tuple[Sequence[Event], Case | None]], at: str) -> list[str]:
        ids = []
        with self._tx() as db:
            for events, case in batch:
                cur = db.execute("INSERT INTO cases (item_id, created_at) VALUES (?, ?)", (_item_id(events), at))
                ids.append(str(cur.lastrowid))
                db.executemany(_SQLITE_INSERT, self._rows(db, ids[-1], events, at))
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
                db.executemany(_SQLITE_INSERT, self._rows(db, case_id, events, at))
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
        bodies: dict[str, Any] = {}
        return [Event(seq, type_, self._repin(json.loads(payload), bodies) if type_ == "opened" else json.loads(payload),
                      at, _actor(actor)) for seq, type_, payload, at, actor in rows]

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
        repin = "definition" not in keys
        bodies: dict[str, Any] = {}
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
                if repin and type_ == "opened":
                    body = self._repin(body, bodies)
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
                               "DO UPDATE SET value = excluded.value", (str(projection.PROJECTION_VERSION),))
                    return total, damaged
                rows = db.execute("SELECT case_id, seq, type, payload, at, actor FROM events WHERE case_id BETWEEN ? "
                                  "AND ? ORDER BY case_id, seq", (ids[0], ids[-1])).fetchall()
                logs: dict[int, list[Event]] = {}
                bodies: dict[str, Any] = {}
                for key, seq, type_, payload, at, actor in rows:
                    body = json.loads(payload)
                    if type_ == "opened":
                        body = self._repin(body, bodies)
                    logs.setdefault(key, []).append(Event(seq, type_, body, at, _actor(actor)))
                damaged += _write_views(self._sql, ids, logs)
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
    def _rows(db: sqlite3.Connection, case_id: str, events: Sequence[Event],
              at: str) -> list[tuple[int, int, str, str, str, str | None]]:
        """The events as rows; an opened event's definition goes to the definitions table (once per text)."""
        out = []
        for e in events:
            payload = e.payload
            if e.type == "opened" and isinstance(payload.get("definition"), dict):
                text = json.dumps(payload["definition"], ensure_ascii=False)
                key = hashlib.sha256(text.encode("utf-8")).hexdigest()
                db.execute("INSERT OR IGNORE INTO definitions (key, body) VALUES (?, ?)", (key, text))
                payload = {k: ({_PINNED: key} if k == "definition" else v) for k, v in payload.items()}
            out.append((int(case_id), e.seq, e.type, json.dumps(payload, ensure_ascii=False), at,
                        json.dumps(e.actor, ensure_ascii=False) if e.actor is not None else None))
        return out

    def _repin(self, payload: dict[str, Any], bodies: dict[str, Any]) -> dict[str, Any]:
        """An opened payload with its definition back (a new dict: scanned payloads may be shared);
        `bodies` caches the definitions read so far. A missing definition is a damaged store."""
        key = _pinned_key(payload)
        if key is None:
            return payload
        body = bodies.get(key)
        if body is None:
            with self._lock, self._errors():
                row = self._db.execute("SELECT body FROM definitions WHERE key = ?", (key,)).fetchone()
            if row is None:
                raise StoreError(_("{path}: the definition {key} pinned by a case is missing; the store is damaged")
                                 .format(path=self.path, key=key[:12]))
            body = bodies[key] = json.loads(row[0])
        return {k: (body if k == "definition" else v) for k, v in payload.items()}

    def _unknown(self, case_id: str) -> str:
        with self._lock:
            count = self._db.execute("SELECT count(*) FROM cases").fetchone()[0]
        return _no_case(case_id, self.path, count)
