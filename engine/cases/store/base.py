"""What every case store shares: its errors, the :class:`Store` interface, and the helpers the
backends use (payload decoding in batches, event numbering, the lock timeout, the messages)."""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from engine.cases import projection
from engine.cases.machine import Case, Event, TransitionError
from engine.cases.projection import CaseQuery, CaseView, Grade, Page
from engine.errors import LianbanError, RefusedError
from engine.i18n import _


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




class NewCases:
    """What every backend does the same way to store new cases: number checks, one time stamp for the
    batch, then its own :meth:`_create` (one transaction) that returns the new ids."""

    def create_case(self, events: Sequence[Event], case: Case | None = None) -> str:
        return self.create_cases([(events, case)])[0]

    def create_cases(self, cases: Iterable[tuple[Sequence[Event], Case | None]]) -> list[str]:
        batch = list(cases)
        for events, _case in batch:
            _check_numbering(0, events)
        return self._create(batch, _now())

    def _create(self, batch: list[tuple[Sequence[Event], Case | None]], at: str) -> list[str]:
        raise NotImplementedError


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
    return ConflictError(_("case {case} changed while this action was prepared (expected last event #{expected}, "
                           "found #{found}); nothing was written: reload the case and try again").format(
                               case=case_id, expected=expected, found=found))


def _item_id(events: Sequence[Event]) -> str:
    """The id of the item a new case runs, from its 'opened' event (the cases table keeps it)."""
    return str(events[0].payload.get("item", {}).get("id", ""))


def _no_case(case_id: str, where: object, count: int) -> str:
    return _("no case {case} in {where} ({n} case(s); `lianban case list` shows them)").format(
        case=case_id, where=where, n=count)


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


def _write_views(sql: projection.Sql, ids: Sequence[int], logs: dict[int, list[Event]]) -> int:
    """Write each case's projection rows from its events (a case with none is marked damaged);
    how many of them are damaged. Rebuilding the projection does this one batch at a time."""
    damaged = 0
    for key in ids:
        view = _view(str(key), logs[key]) if key in logs else CaseView.broken(key, "", 0, "no events")
        projection.write(sql, view)
        damaged += view.damaged is not None
    return damaged


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


def _no_store(where: str) -> str:
    return _("no case store at {where} (`lianban case open ITEM --applicant NAME` creates it)").format(where=where)


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
