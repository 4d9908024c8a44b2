"""The read model, who acted, corrections and date rules: one suite against every store backend.

The projection must always say what replaying every case says (the old, slow way is the
reference here); a damaged log must drop one case out of the queues, not break them; every
correction must replay to the same state from a fresh load; future dates are refused."""
from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import lb, real_analyses, real_analysis
from test_store import CAL, D0, ROOT, new_case, postgres_store

from engine.cases import projection as projection_mod
from engine.cases import store as store_mod
from engine.cases.desk import act, correct, not_in_future, open_new, queue, receive
from engine.cases.machine import Case, Event, StepState, TransitionError, by_urgency
from engine.cases.projection import CaseQuery
from engine.cases.store import MemoryStore, SQLiteStore, Store, StoreLockedError, load_case
from engine.cases.store import sqlite as sqlite_store
from engine.cases.views import history_rows

TODAY = date(2021, 12, 31)
MARKET, TAX = "市场监管局", "税务局"
CLERK = {"account": "li", "role": "clerk", "department": "综合窗口"}


def slow_queue(store: Store, department: str, on: date) -> list[tuple[str, str, str, bool]]:
    """The queue as it was computed before the projection: replay every case."""
    pairs, actions = [], {}
    for case_id in store.list_cases():
        case = load_case(store, case_id)
        for action, run in case.todo(department):
            pairs.append((case, run))
            actions[(case.id, run.id)] = action
    return [(str(c.id), r.id, actions[(c.id, r.id)], r.deadline < on) for c, r in by_urgency(pairs)]


def busy(store: Store, n: int = 12) -> list[str]:
    """n cases of several items, moved along by every department in a reproducible pattern."""
    ids = []
    for k in range(n):
        analysis = real_analyses()[k % len(real_analyses())]
        case = open_new(store, analysis, f"申请人{k}", D0 + timedelta(days=k % 5), CAL, actor=CLERK, today=TODAY)
        ids.append(str(case.id))
        for m in range(k % 4):  # accept and approve the first ready steps
            live = load_case(store, str(case.id))
            ready = [r for r in live.steps.values() if r.state in (StepState.READY, StepState.ACCEPTED)]
            if not ready or live.state.closed:
                break
            run = ready[0]
            verb = "accept" if run.state is StepState.READY else "approve"
            act(store, str(case.id), verb, step=run.id, department=run.department, on=D0 + timedelta(days=5 + m),
                today=TODAY)
        if k % 5 == 3:
            act(store, str(case.id), "withdraw", step=None, department=None, on=D0 + timedelta(days=9), today=TODAY)
    return ids


def test_queue_and_list_match_a_full_replay(store: Store) -> None:
    ids = busy(store)
    departments = {r.department for i in ids for r in load_case(store, i).steps.values()}
    for on in (D0, D0 + timedelta(days=20)):
        for dept in departments:
            fast = [(r.case, r.step, r.action, r.overdue) for r in queue(store, dept, on)]
            assert fast == slow_queue(store, dept, on), dept
        rows = store.case_page(CaseQuery(on=on)).rows
        assert [r.case for r in rows] == ids
        for row in rows:
            case = load_case(store, row.case)
            assert (row.state, row.applicant, row.overdue) == (case.state.value, case.applicant,
                                                               [r.id for r in case.overdue(on)])
        late = store.case_page(CaseQuery(on=on, overdue=True)).rows
        assert [r.case for r in late] == [r.case for r in rows if r.overdue]


def test_pages_filters_and_search(store: Store) -> None:
    ids = busy(store)
    page = store.case_page(CaseQuery(on=D0, limit=5, offset=5, newest_first=True))
    assert page.total == len(ids) and [r.case for r in page.rows] == ids[::-1][5:10]
    assert [r.case for r in store.case_page(CaseQuery(on=D0, text="申请人7")).rows] == ["8"]
    assert [r.case for r in store.case_page(CaseQuery(on=D0, text="3")).rows] == ["3", "4"]  # case 3; 申请人3
    withdrawn = store.case_page(CaseQuery(on=D0, state="withdrawn")).rows
    assert withdrawn and all(load_case(store, r.case).state.value == "withdrawn" for r in withdrawn)
    tax = store.case_page(CaseQuery(on=D0, department=TAX)).rows
    assert tax and all(any(s.department == TAX for s in load_case(store, r.case).steps.values()) for r in tax)
    assert store.case_page(CaseQuery(on=D0, text="%")).total == 0  # LIKE wildcards are text
    q = store.queue_page(MARKET, D0, limit=2, offset=1)
    assert [r.case for r in q.rows] == [r.case for r in queue(store, MARKET, D0)][1:3]


def test_who_acted_is_kept_beside_the_payload(store: Store) -> None:
    case = open_new(store, real_analysis("start-business"), "张三", D0, CAL, actor=CLERK, today=TODAY)
    officer = {"account": "wang", "role": "officer", "department": MARKET}
    act(store, str(case.id), "accept", step="licence", department=MARKET, on=D0, actor=officer, today=TODAY)
    events = store.load(str(case.id))
    assert [e.actor for e in events] == [CLERK, officer]
    assert all("account" not in e.payload for e in events) and all(e.at for e in events)
    assert [r.by for r in history_rows(load_case(store, str(case.id)))] == ["li (clerk, 综合窗口)",
                                                                            "wang (officer, 市场监管局)"]


def test_a_damaged_case_leaves_the_queue_alone(store: Store) -> None:
    good = open_new(store, real_analysis("start-business"), "张三", D0, CAL, today=TODAY)
    bad = open_new(store, real_analysis("start-business"), "李四", D0, CAL, today=TODAY)
    # a raw append that bypasses the machine: approving a step that was never accepted
    store.append(str(bad.id), 1, [Event(2, "approved", {"on": D0.isoformat(), "step": "licence",
                                                        "department": MARKET})])
    assert [r.case for r in queue(store, MARKET, D0)] == [str(good.id)]
    rows = {r.case: r for r in store.case_page(CaseQuery(on=D0)).rows}
    assert rows[str(bad.id)].state == "damaged" and rows[str(good.id)].state == "open"
    assert store.rebuild_projection() == (2, 1)
    assert [r.case for r in queue(store, MARKET, D0)] == [str(good.id)]


def test_a_move_in_error_is_annulled_not_deleted(store: Store) -> None:
    case = open_new(store, real_analysis("start-business"), "张三", D0, CAL, today=TODAY)
    cid = str(case.id)
    act(store, cid, "accept", step="licence", department=MARKET, on=D0, today=TODAY)
    act(store, cid, "approve", step="licence", department=MARKET, on=D0 + timedelta(days=1), today=TODAY)
    with pytest.raises(TransitionError, match=r"would make event #3 \(approved\) illegal"):
        correct(store, cid, 2, reason="误点", calendar=CAL, void=True, today=TODAY)
    correct(store, cid, 3, reason="误点办结", calendar=CAL, void=True, today=TODAY)
    live, _event = correct(store, cid, 2, reason="误点受理", calendar=CAL, void=True, today=TODAY)
    fresh = load_case(store, cid)
    assert [e.type for e in store.load(cid)] == ["opened", "accepted", "approved", "corrected", "corrected"]
    assert fresh.as_dict() == live.as_dict() and fresh.steps["licence"].state is StepState.READY
    assert fresh.voided == {2, 3} and [r.case for r in queue(store, MARKET, D0)] == [cid]
    with pytest.raises(TransitionError, match="already annulled"):
        correct(store, cid, 2, reason="again", calendar=CAL, void=True, today=TODAY)
    act(store, cid, "accept", step="licence", department=MARKET, on=D0 + timedelta(days=2), today=TODAY)
    assert [r.voided for r in history_rows(load_case(store, cid))] == [False, True, True, False, False, False]


def test_a_wrong_date_is_corrected_and_the_pause_recomputed(store: Store) -> None:
    case = open_new(store, real_analysis("start-business"), "张三", D0, CAL, today=TODAY)
    cid = str(case.id)
    act(store, cid, "accept", step="licence", department=MARKET, on=D0, today=TODAY)
    act(store, cid, "return", step="licence", department=MARKET, on=D0, reason="缺章程", today=TODAY)
    resub = date(2021, 10, 11)  # 国庆节 lies between: 1 working day (10-09 is a make-up working day)
    act(store, cid, "resubmit", step="licence", department=MARKET, on=resub, calendar=CAL, today=TODAY)
    before = load_case(store, cid).steps["licence"]
    live, event = correct(store, cid, 3, reason="退回日期录错", calendar=CAL, on=date(2021, 10, 8), today=TODAY)
    assert event.payload["was"] == "2021-09-29" and event.payload["amend"]["3"] == {"on": "2021-10-08"}
    after = load_case(store, cid)
    assert after.as_dict() == live.as_dict()
    assert after.steps["licence"].paused_days == CAL.workdays_between(date(2021, 10, 8), resub) < before.paused_days
    assert after.steps["licence"].deadline < before.deadline


def test_the_opening_date_is_corrected_with_its_deadlines(store: Store) -> None:
    case = open_new(store, real_analysis("start-business"), "张三", date(2021, 10, 8), CAL, today=TODAY)
    live, _event = correct(store, str(case.id), 1, reason="开办日期录错", calendar=CAL, on=D0, today=TODAY)
    fresh = load_case(store, str(case.id))
    assert fresh.opened_on == D0 and fresh.as_dict() == live.as_dict()
    assert fresh.steps["licence"].deadline == CAL.add_workdays(D0, fresh.steps["licence"].latest_finish)
    assert store.case_page(CaseQuery(on=D0)).rows[0].opened_on == D0.isoformat()


@pytest.mark.parametrize("bad, message", [
    ({"target": 9, "void": True}, "has no event #9"), ({"target": 1, "void": True}, "the opening cannot be annulled"),
    ({"target": 2, "reason": " ", "void": True}, "needs a reason"), ({"target": 2, "on": date(2022, 1, 1)}, "in the future"),
    ({"target": 2, "on": D0, "void": True}, "not both or neither"),
])
def test_corrections_that_are_refused(bad: dict, message: str) -> None:
    store = MemoryStore()
    case = open_new(store, real_analysis("start-business"), "张三", D0, CAL, today=TODAY)
    act(store, str(case.id), "accept", step="licence", department=MARKET, on=D0, today=TODAY)
    args = {"reason": "r", **bad}
    with pytest.raises(TransitionError, match=message):
        correct(store, str(case.id), args.pop("target"), calendar=CAL, today=TODAY, **args)
    assert len(store.load(str(case.id))) == 2


def test_future_dates_are_refused_everywhere() -> None:
    store = MemoryStore()
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(TransitionError, match="is in the future"):
        open_new(store, real_analysis("start-business"), "张三", tomorrow, CAL, today=TODAY)
    case = open_new(store, real_analysis("start-business"), "张三", D0, CAL, today=TODAY)
    for call in (lambda: act(store, str(case.id), "accept", step="licence", department=MARKET, on=tomorrow,
                             today=TODAY),
                 lambda: receive(store, str(case.id), ["id-card"], on=tomorrow, today=TODAY)):
        with pytest.raises(TransitionError, match=f"{tomorrow} is in the future"):
            call()
    not_in_future(TODAY, TODAY)
    assert len(store.load(str(case.id))) == 1


def test_the_materials_checklist(store: Store) -> None:
    case = open_new(store, real_analysis("start-business"), "张三", D0, CAL, today=TODAY)
    live, _ = receive(store, str(case.id), ["id-card"], on=D0, today=TODAY)
    assert live.received == {"id-card": D0} and load_case(store, str(case.id)).received == {"id-card": D0}
    with pytest.raises(TransitionError, match="no material 'id-crd'.*did you mean 'id-card'"):
        receive(store, str(case.id), ["id-crd"], on=D0, today=TODAY)


def test_cli_warns_of_holidays_and_refuses_the_future(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    item = str(ROOT / "definitions" / "start-business.yaml")
    code, _out, err = lb(capsys, "case", "open", item, "--applicant", "张三", "--on", "2021-10-02", "--db", db)
    assert code == 0 and ("lianban: warning: 2021-10-02 is a holiday (国庆节), not a working day: the count starts "
                          "from the next working day, 2021-10-08") in err
    future = (date.today() + timedelta(days=400)).isoformat()
    code, _out, err = lb(capsys, "case", "accept", "1", "licence", "--as", MARKET, "--on", future, "--db", db)
    assert code == 1 and f"{future} is in the future" in err
    code, out, _err = lb(capsys, "case", "history", "1", "--db", db)
    assert code == 0 and "os:" in out
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_a_lock_held_too_long_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "c.db"
    s = SQLiteStore(db)
    s.create_case(new_case().events)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setenv("LIANBAN_LOCK_TIMEOUT", "0.2")
    with pytest.raises(StoreLockedError, match="stayed locked by another writer for 0.2 s"):
        SQLiteStore(db).append("1", 1, [new_case().fire("withdraw", on=D0)])
    code, _out, err = lb(capsys, "case", "withdraw", "1", "--db", str(db), "--on", "2021-09-29")
    assert code == 2 and "stayed locked by another writer for 0.2 s" in err and "bug" not in err
    holder.execute("ROLLBACK")
    monkeypatch.setenv("LIANBAN_LOCK_TIMEOUT", "soon")
    code, _out, err = lb(capsys, "case", "list", "--db", str(db))
    assert code == 2 and "LIANBAN_LOCK_TIMEOUT=soon is not a number" in err
    s.close()


def test_an_old_store_gets_its_projection_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.db"
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", sqlite_store.MIGRATIONS[:1])
    raw = sqlite3.connect(db, isolation_level=None)
    sqlite_store._m1_initial(raw)
    raw.execute("PRAGMA user_version = 1")
    case = new_case()
    raw.execute("INSERT INTO cases (item_id, created_at) VALUES ('start-business', 'x')")
    ev = case.fire("accept", step="licence", department=MARKET, on=D0)
    for e in (case.events[0], ev):
        raw.execute("INSERT INTO events VALUES (1, ?, ?, ?, 'x')", (e.seq, e.type, __import__("json").dumps(e.payload)))
    raw.close()
    monkeypatch.undo()
    s = SQLiteStore(db)
    assert s.schema_version() == len(store_mod.MIGRATIONS)
    assert [(r.case, r.action) for r in queue(s, MARKET, D0)] == [("1", "approve")]
    assert s.load("1")[0].actor is None
    s.close()


def test_a_new_projection_version_rebuilds_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = SQLiteStore(tmp_path / "c.db")
    busy(s, 4)
    s._sql("DELETE FROM queue_view", ())  # as if the view were from an older format
    s.close()
    monkeypatch.setattr(projection_mod, "PROJECTION_VERSION", projection_mod.PROJECTION_VERSION + 1)
    s = SQLiteStore(tmp_path / "c.db")
    departments = {r.department for i in s.list_cases() for r in load_case(s, i).steps.values()}
    queues = {d: [(r.case, r.step) for r in queue(s, d, D0)] for d in departments}
    assert any(queues.values()) and queues == {d: [(c, st) for c, st, *_ in slow_queue(s, d, D0)] for d in departments}
    s.close()


def test_replaying_a_case_is_independent_of_the_projection() -> None:
    case = new_case()
    case.fire("accept", step="licence", department=MARKET, on=D0)
    assert Case.replay(case.events).as_dict() == case.as_dict()


def test_a_full_disk_is_reported_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = SQLiteStore(tmp_path / "c.db")
    case_id = s.create_case(new_case().events)

    class Full:
        in_transaction = False

        def execute(self, sql: str, *args: object) -> object:
            raise sqlite3.OperationalError("database or disk is full")
    real, s._db = s._db, Full()  # type: ignore[assignment]
    with pytest.raises(store_mod.StoreError, match="the disk is full; nothing was written") as err:
        s.append(case_id, 1, [new_case().fire("withdraw", on=D0)])
    assert not isinstance(err.value, StoreLockedError)
    s._db = real
    assert len(s.load(case_id)) == 1
    s.close()


@pytest.mark.skipif(not os.environ.get("LIANBAN_PG_DSN") and not os.environ.get("CI"), reason="needs LIANBAN_PG_DSN")
def test_postgres_lock_timeout_and_a_lost_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    s = postgres_store(empty=True)
    case_id = s.create_case(new_case().events)
    monkeypatch.setenv("LIANBAN_LOCK_TIMEOUT", "0.3")
    waiting = store_mod.PostgresStore(os.environ.get("LIANBAN_PG_DSN", ""))
    with psycopg.connect(os.environ.get("LIANBAN_PG_DSN", "")) as holder:
        holder.execute("SELECT id FROM cases WHERE id = %s FOR UPDATE", (int(case_id),))
        with pytest.raises(StoreLockedError, match="stayed locked by another writer for 0.3 s"), \
                waiting.exclusive(case_id):
            pass
    pid = s._db.info.backend_pid  # type: ignore[attr-defined]
    with psycopg.connect(os.environ.get("LIANBAN_PG_DSN", ""), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(store_mod.StoreError, match="lost the connection to the PostgreSQL case store"):
        s.load(case_id)
    assert len(s.load(case_id)) == 1  # the next call connects again
    waiting.close()
    s.close()
