"""The PostgreSQL case store (a ``postgresql://`` DSN, through psycopg 3): several server processes
share it; the primary key (case_id, seq) turns a concurrent append into a conflict."""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

from engine.cases import projection
from engine.cases.machine import Case, Event
from engine.cases.projection import CaseQuery, Grade, Page
from engine.cases.schema import V2_POSTGRES, V3
from engine.cases.store.base import (
    SCAN_BATCH,
    NewCases,
    StoreError,
    UnknownCaseError,
    _check_numbering,
    _conflict,
    _disk_full,
    _item_id,
    _locked,
    _no_case,
    _no_store,
    _now,
    _omitted,
    _pg_display,
    _row_id,
    _view,
    _write_views,
    lock_timeout,
)
from engine.i18n import _

PG_MIGRATIONS: list[str] = [  # PG_MIGRATIONS[i] takes the schema from version i to i + 1
    ("CREATE TABLE cases (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_id TEXT NOT NULL, "
     "created_at TEXT NOT NULL);"
     "CREATE TABLE events (case_id BIGINT NOT NULL REFERENCES cases(id), seq INTEGER NOT NULL CHECK (seq >= 1), "
     "type TEXT NOT NULL, payload JSONB NOT NULL, at TEXT NOT NULL, PRIMARY KEY (case_id, seq))"),
    ";".join(V2_POSTGRES),
    ";".join(V3),
]


class PostgresStore(NewCases):
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
            raise StoreError(_("a postgresql:// store needs psycopg: pip install 'psycopg[binary]'")) from exc
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
            if self._projection_version() != projection.PROJECTION_VERSION:
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
                raise StoreError(_("{path}: schema version {version} is newer than this lianban knows ({known}); "
                                   "upgrade lianban").format(path=self.path, version=version, known=len(PG_MIGRATIONS)))
            for number, sql in enumerate(PG_MIGRATIONS[version:], version + 1):
                self._db.execute(sql)
                self._db.execute("INSERT INTO schema_version VALUES (%s)", (number,))

    def _projection_version(self) -> int:
        with self._tx():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'projection_version'").fetchone()
        return int(row[0]) if row else 0

    def _create(self, batch: list[tuple[Sequence[Event], Case | None]], at: str) -> list[str]:
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
                                     "DO UPDATE SET value = excluded.value", (str(projection.PROJECTION_VERSION),))
                    return total, damaged
                rows = self._db.execute("SELECT case_id, seq, type, payload, at, actor FROM events WHERE case_id "
                                        "BETWEEN %s AND %s ORDER BY case_id, seq", (ids[0], ids[-1])).fetchall()
                logs: dict[int, list[Event]] = {}
                for key, seq, type_, payload, at, actor in rows:
                    logs.setdefault(key, []).append(Event(seq, type_, payload, at, actor))
                damaged += _write_views(self._sql, ids, logs)
                total += len(ids)
                last = ids[-1]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _unknown(self, case_id: str) -> str:
        with self._tx():
            row = self._db.execute("SELECT count(*) FROM cases").fetchone()
        return _no_case(case_id, self.path, row[0] if row else 0)
