"""The case store in a dict (tests, dry runs): the same contract, nothing survives the process."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

from engine.cases import projection
from engine.cases.machine import Case, Event
from engine.cases.projection import CaseQuery, CaseView, Grade, Page
from engine.cases.store.base import (
    SCAN_BATCH,
    NewCases,
    UnknownCaseError,
    _check_numbering,
    _conflict,
    _now,
    _omitted,
    _view,
)


class MemoryStore(NewCases):
    """The same contract in a dict (thread-safe); nothing survives the process."""

    def __init__(self) -> None:
        self._cases: dict[str, list[Event]] = {}
        self._views: dict[str, CaseView] = {}
        self._lock = threading.Lock()

    def _create(self, batch: list[tuple[Sequence[Event], Case | None]], at: str) -> list[str]:
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
