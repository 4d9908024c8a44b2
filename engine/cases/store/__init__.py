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

import random
import re
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.cases.machine import Case, Event, TransitionError
from engine.cases.store.base import (
    SCAN_BATCH,
    ConflictError,
    Store,
    StoreError,
    StoreLockedError,
    UnknownCaseError,
    lock_timeout,
)
from engine.cases.store.memory import MemoryStore
from engine.cases.store.postgres import PostgresStore
from engine.cases.store.sqlite import MIGRATIONS, SQLiteStore
from engine.i18n import _
from engine.locations import default_store

__all__ = [
    "MIGRATIONS",
    "SCAN_BATCH",
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
    "lock_timeout",
    "open_store",
    "transact",
]


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
        raise StoreError(_("the case store '{scheme}...' is not a PostgreSQL DSN: "
                           "write postgresql://USER[:PASSWORD]@HOST[:PORT]/DB").format(scheme=scheme.group()))
    return SQLiteStore(text, create=create)


def load_case(store: Store, case_id: str) -> Case:
    """Rebuild a case by replaying its events."""
    events = store.load(case_id)
    try:
        return Case.replay(events, str(case_id))
    except (TransitionError, KeyError, ValueError) as exc:
        raise StoreError(_("case {case}: its event log does not replay ({reason}); the store is damaged").format(
            case=case_id, reason=exc)) from exc


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
