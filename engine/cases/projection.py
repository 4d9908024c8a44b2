"""The read model (projection): what lists, queues and searches read instead of replaying cases.

Three tables, written in the same transaction as each event (so they never lag the log) and
rebuilt from the events when :data:`PROJECTION_VERSION` changes (``lianban store rebuild`` does
it on demand):

* ``case_view``: one row per case (item, applicant, state, dates, the next deadline, the earliest
  deadline a non-paused open step can miss, the last seq, and ``damaged``: why its log does not
  replay, or NULL);
* ``step_view``: one row per step of a case (flow order, department, state, deadline, paused);
* ``queue_view``: one row per step a department must act on now (accept or approve), indexed by
  (department, deadline, case, flow order): a queue page is one index range scan.

A case whose log does not replay keeps its ``case_view`` row marked damaged and has no step or
queue rows: it drops out of every queue instead of breaking them. See docs/serve.md.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from engine.cases.machine import Case, CaseState, StepState
from engine.units import iso_or_none

__all__ = ["PROJECTION_VERSION", "CaseQuery", "CaseRow", "CaseView", "Grade", "Page", "QueueRow", "Sql"]

PROJECTION_VERSION = 2  # bump when the view's columns or their meaning change: stores rebuild on open
# 2: the two clocks (the case's committed and legal deadlines, the earliest legal deadline of its open
# steps, paused, its pinned ladder), simulated cases, each queue row's legal deadline
OPEN_STATES = (StepState.WAITING, StepState.READY, StepState.ACCEPTED)
_TODO = {StepState.READY: "accept", StepState.ACCEPTED: "approve"}
_CLOSED = tuple(s.value for s in CaseState if s.closed)

# execute(sql with ? placeholders, params) -> rows; one per backend, inside the caller's transaction
Sql = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]
# (committed deadline, legal deadline, the case's pinned ladder as JSON text or None) -> warning level:
# the desk makes one with a calendar and a day (engine/cases/desk.py); the projection stays calendar-free
Grade = Callable[[str | None, str | None, str | None], str | None]


@dataclass(frozen=True)
class CaseRow:
    case: str
    item: str
    name: str
    applicant: str
    state: str
    opened_on: str
    next_deadline: str | None
    overdue: list[str]
    provisional: bool = False  # the next deadline read a year with no official holiday arrangement
    level: str | None = None   # on the warning ladder, when the reader grades (CaseQuery.grade)
    simulated: bool = False    # written by `lianban simulate`

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class QueueRow:
    case: str
    item: str
    applicant: str
    step: str
    name: str
    action: str
    deadline: str
    overdue: bool
    provisional: bool = False  # the deadline read a year with no official holiday arrangement
    legal_deadline: str | None = None
    level: str | None = None   # on the warning ladder, when the reader grades (queue_page's grade)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    total: int
    offset: int
    limit: int | None


@dataclass(frozen=True)
class CaseQuery:
    """A page of the case list. `on` judges overdue steps; `overdue` keeps only late cases."""
    on: date
    overdue: bool = False
    state: str | None = None
    item: str | None = None
    department: str | None = None   # only cases with a step of this department
    text: str | None = None         # a case number, or part of an applicant's or item's name
    newest_first: bool = False
    limit: int | None = None
    offset: int = 0
    grade: Grade | None = field(default=None, compare=False)  # gives each row its warning level on `on`


@dataclass(frozen=True)
class CaseView:
    """The projection rows of one case."""
    case_id: int
    item_id: str
    item_name: str
    applicant: str
    state: str
    opened_on: str
    closed_on: str | None
    next_deadline: str | None
    due: str | None
    seq: int
    damaged: str | None = None
    provisional: bool = False  # the next deadline read a provisional calendar year
    # (ord, step id, name, department, state, deadline, planned, paused)
    steps: list[tuple[int, str, str, str, str, str, str, int]] = field(default_factory=list)
    # (department, deadline, ord, step id, step name, action, provisional, legal deadline)
    todo: list[tuple[str, str, int, str, str, str, int, str | None]] = field(default_factory=list)
    # the two clocks, for the warning levels: the case's committed and legal deadlines, the earliest
    # legal deadline of its open steps that are not paused, whether a step is paused, the ladder
    # pinned at its opening (JSON text, None: the default); and whether it is simulated
    committed: str | None = None
    legal: str | None = None
    legal_due: str | None = None
    paused: bool = False
    ladder: str | None = None
    simulated: bool = False

    @classmethod
    def of(cls, case: Case) -> CaseView:
        from engine.cases.calendar_review import is_provisional

        paused = case.paused_steps()
        open_ = [r for r in case.steps.values() if r.state in OPEN_STATES]
        closed = case.state.closed
        nearest = min(r.deadline for r in open_) if open_ and not closed else None
        live = [r.deadline for r in open_ if r.id not in paused]
        due = min(live).isoformat() if live and not closed else None
        legal_live = [r.legal_deadline for r in open_ if r.id not in paused and r.legal_deadline is not None]
        pinned = case.events[0].payload.get("warnings")
        steps, todo = [], []
        for n, r in enumerate(case.steps.values()):
            steps.append((n, r.id, r.name, r.department, r.state.value, r.deadline.isoformat(), r.planned.isoformat(),
                          int(r.id in paused)))
            if not closed and r.state in _TODO:
                todo.append((r.department, r.deadline.isoformat(), n, r.id, r.name, _TODO[r.state],
                             int(is_provisional(case, r.deadline)), iso_or_none(r.legal_deadline)))
        return cls(int(case.id or 0), case.item["id"], case.item["name"], case.applicant, case.state.value,
                   case.opened_on.isoformat(), case.closed_on.isoformat() if case.closed_on else None,
                   nearest.isoformat() if nearest else None, due, case.seq, None,
                   nearest is not None and is_provisional(case, nearest), steps, todo,
                   iso_or_none(case.committed_deadline), iso_or_none(case.legal_deadline),
                   min(legal_live).isoformat() if legal_live and not closed else None, bool(paused),
                   json.dumps(pinned, ensure_ascii=False, sort_keys=True) if pinned else None, case.simulated)

    @classmethod
    def broken(cls, case_id: int, item_id: str, seq: int, why: str) -> CaseView:
        return cls(case_id, item_id, "", "", "damaged", "", None, None, None, seq, why)

    def case_row(self, on: date, grade: Grade | None = None) -> CaseRow:
        level = _case_level(grade, self.state, self.due, self.legal_due, self.committed, self.legal, self.paused,
                            self.ladder)
        return CaseRow(str(self.case_id), self.item_id, self.item_name, self.applicant, self.state, self.opened_on,
                       self.next_deadline, self.overdue(on), self.provisional, level, self.simulated)

    def overdue(self, on: date) -> list[str]:
        if self.state in _CLOSED or self.damaged:
            return []
        day = on.isoformat()
        return [s[1] for s in self.steps if s[4] in _OPEN and not s[7] and s[5] < day]


_OPEN = tuple(s.value for s in OPEN_STATES)


def _case_level(grade: Grade | None, state: str, due: str | None, legal_due: str | None, committed: str | None,
                legal: str | None, paused: bool | int, ladder: str | None) -> str | None:
    """A case's level: the worst of its open steps' and (while no step is paused) its own clocks'.
    Every rung reads one clock and fires sooner for an earlier deadline, so the worst level is the
    level of the earliest deadline on each clock."""
    if grade is None or state in _CLOSED or state == "damaged":
        return None
    own = (None, None) if paused else (committed, legal)
    first = min((d for d in (due, own[0]) if d), default=None)
    first_legal = min((d for d in (legal_due, own[1]) if d), default=None)
    return grade(first, first_legal, ladder)


# -- writing ---------------------------------------------------------------------------------
def write(sql: Sql, view: CaseView) -> None:
    """Replace the case's projection rows (inside the caller's transaction)."""
    key = view.case_id
    sql("DELETE FROM queue_view WHERE case_id = ?", (key,))
    sql("DELETE FROM step_view WHERE case_id = ?", (key,))
    sql("DELETE FROM case_view WHERE case_id = ?", (key,))
    sql("INSERT INTO case_view (case_id, item_id, item_name, applicant, state, opened_on, closed_on, next_deadline, "
        "due, seq, damaged, provisional, committed, legal, legal_due, paused, ladder, simulated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key, view.item_id, view.item_name, view.applicant, view.state, view.opened_on, view.closed_on,
         view.next_deadline, view.due, view.seq, view.damaged, int(view.provisional), view.committed, view.legal,
         view.legal_due, int(view.paused), view.ladder, int(view.simulated)))
    for s in view.steps:
        sql("INSERT INTO step_view (case_id, ord, step_id, name, department, state, deadline, planned, paused) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (key, *s))
    for t in view.todo:
        sql("INSERT INTO queue_view (department, deadline, case_id, ord, step_id, step_name, action, item_id, applicant, "
            "provisional, legal_deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (t[0], t[1], key, t[2], t[3], t[4], t[5], view.item_id, view.applicant, t[6], t[7]))


# -- reading (SQL) ---------------------------------------------------------------------------
def case_page(sql: Sql, query: CaseQuery) -> Page:
    where, params = _case_filter(query)
    total = int(sql(f"SELECT count(*) FROM case_view{where}", params)[0][0])
    order = " ORDER BY case_id DESC" if query.newest_first else " ORDER BY case_id"
    limit = f" LIMIT {int(query.limit)} OFFSET {int(query.offset)}" if query.limit is not None else ""
    rows = sql("SELECT case_id, item_id, item_name, applicant, state, opened_on, next_deadline, provisional, "
               "due, legal_due, committed, legal, paused, ladder, simulated "
               f"FROM case_view{where}{order}{limit}", params)
    late: dict[int, list[str]] = {}
    ids = [r[0] for r in rows if r[4] not in _CLOSED and r[4] != "damaged"]
    for chunk in _chunks(ids, 500):
        marks = ", ".join("?" * len(chunk))
        for case_id, step in sql(f"SELECT case_id, step_id FROM step_view WHERE case_id IN ({marks}) AND paused = 0 "
                                 f"AND state IN ('waiting', 'ready', 'accepted') AND deadline < ? ORDER BY case_id, ord",
                                 (*chunk, query.on.isoformat())):
            late.setdefault(case_id, []).append(step)
    return Page([CaseRow(str(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], late.get(r[0], []), bool(r[7]),
                         _case_level(query.grade, r[4], *r[8:14]), bool(r[14])) for r in rows],
                total, query.offset, query.limit)


def _case_filter(query: CaseQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.overdue:
        clauses.append("due < ?")
        params.append(query.on.isoformat())
    if query.state:
        clauses.append("state = ?")
        params.append(query.state)
    if query.item:
        clauses.append("item_id = ?")
        params.append(query.item)
    if query.department:
        clauses.append("case_id IN (SELECT case_id FROM step_view WHERE department = ?)")
        params.append(query.department)
    text = (query.text or "").strip()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = "applicant LIKE ? ESCAPE '\\' OR item_name LIKE ? ESCAPE '\\'"
        params += [like, like]
        if text.isascii() and text.isdigit() and len(text) < 19:
            found += " OR case_id = ?"
            params.append(int(text))
        clauses.append(f"({found})")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def queue_page(sql: Sql, department: str, on: date, limit: int | None = None, offset: int = 0,
               grade: Grade | None = None) -> Page:
    total = int(sql("SELECT count(*) FROM queue_view WHERE department = ?", (department,))[0][0])
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    rows = sql("SELECT q.case_id, q.item_id, q.applicant, q.step_id, q.step_name, q.action, q.deadline, q.provisional, "
               "q.legal_deadline, c.ladder FROM queue_view q JOIN case_view c ON c.case_id = q.case_id "
               f"WHERE q.department = ? ORDER BY q.deadline, q.case_id, q.ord{page}", (department,))
    day = on.isoformat()
    return Page([QueueRow(str(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[6] < day, bool(r[7]), r[8],
                          grade(r[6], r[8], r[9]) if grade is not None else None) for r in rows],
                total, offset, limit)


# -- reading (in memory: MemoryStore) ----------------------------------------------------------
def case_page_of(views: Iterable[CaseView], query: CaseQuery) -> Page:
    day, text = query.on.isoformat(), (query.text or "").strip()

    def keep(v: CaseView) -> bool:
        return ((not query.overdue or (v.due is not None and v.due < day))
                and (not query.state or v.state == query.state) and (not query.item or v.item_id == query.item)
                and (not query.department or any(s[3] == query.department for s in v.steps))
                and (not text or text in v.applicant or text in v.item_name or text == str(v.case_id)))
    found = sorted((v for v in views if keep(v)), key=lambda v: v.case_id, reverse=query.newest_first)
    cut = found[query.offset:query.offset + query.limit] if query.limit is not None else found[query.offset:]
    return Page([v.case_row(query.on, query.grade) for v in cut], len(found), query.offset, query.limit)


def queue_page_of(views: Iterable[CaseView], department: str, on: date, limit: int | None = None,
                  offset: int = 0, grade: Grade | None = None) -> Page:
    day = on.isoformat()
    rows = sorted(((t[1], v.case_id, t[2], QueueRow(str(v.case_id), v.item_id, v.applicant, t[3], t[4], t[5], t[1],
                                                     t[1] < day, bool(t[6]), t[7],
                                                     grade(t[1], t[7], v.ladder) if grade is not None else None))
                   for v in views for t in v.todo if t[0] == department), key=lambda r: r[:3])
    cut = rows[offset:offset + limit] if limit is not None else rows[offset:]
    return Page([r[3] for r in cut], len(rows), offset, limit)


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
