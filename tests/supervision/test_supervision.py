"""督办 figures on a small store built by hand (every expected number counted in the comments),
the designed-vs-actual gap, simulated cases kept apart, and the streaming report equal to the
report over the same cases loaded one by one."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import ND_CLOCKS_YAML, analysis_of

from engine.cases.machine import Case, Event
from engine.cases.opening import open_case
from engine.cases.store import MemoryStore, Store
from engine.flow.analysis import Analysis
from engine.supervision.facts import CaseFacts, fold
from engine.supervision.report import Period, Supervisor, supervise
from engine.supervision.tally import Histogram
from engine.workdays.calendar import WorkCalendar

CAL = WorkCalendar()
D = date.fromisoformat
AS_OF = D("2021-10-20")


@pytest.fixture(scope="module")
def nd(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return analysis_of(tmp_path_factory.mktemp("sup"), ND_CLOCKS_YAML, "national-day.yaml")


def run(case: Case, *moves: tuple[str, str | None, str] | tuple[str, str | None, str, dict[str, str]]) -> Case:
    for move in moves:
        action, step, on = move[:3]
        extra: dict[str, Any] = move[3] if len(move) > 3 else {}  # type: ignore[misc]
        case.fire(action, step=step, department=case.steps[step].department if step else None, on=D(on),
                  calendar=CAL, **extra)
    return case


def hand_built(nd: Analysis) -> list[Case]:
    """The national-day item (licence 3 wd, legal 5 → tax 1 wd, legal 3; seal 0.5 wd beside them;
    the case promises 5 wd, legal 20). Deadlines: licence 10-09, tax 10-11, seal 10-11 (LF 4)."""
    a = run(open_case(nd, "甲", D("2021-09-29"), CAL),
            ("accept", "licence", "2021-09-29"),  # legal 10-12
            ("approve", "licence", "2021-10-08"),  # on time; used 2 (09-30, 10-08)
            ("accept", "seal", "2021-10-08"),      # ready 09-29, waited 2 <= slack 3.5 ... but for the licence
            ("approve", "seal", "2021-10-08"),     # used 0
            ("accept", "tax", "2021-10-08"),       # legal 10-12
            ("approve", "tax", "2021-10-12"))      # late (10-11) on time legally; used 3; case done on 10-12 = its deadline
    b = run(open_case(nd, "乙", D("2021-09-29"), CAL),
            ("accept", "licence", "2021-09-30"),   # waited 1 wd, slack 0: a late start
            ("return", "licence", "2021-10-08", {"reason": "缺章程"}),
            ("resubmit", "licence", "2021-10-11"),  # paused 2: licence due 10-12, tax 10-13, case 10-14; legal 10-15
            ("approve", "licence", "2021-10-13"),   # late; used 5 - 2 = 3
            ("accept", "tax", "2021-10-14"))        # late start again; legal 10-19; seal never accepted
    c = run(open_case(nd, "丙", D("2021-10-18"), CAL),
            ("accept", "licence", "2021-10-18"),
            ("suspend", "licence", "2021-10-19", {"procedure": "检验", "reason": "送检"}))  # licence and tax paused
    d = run(open_case(nd, "丁", D("2021-09-29"), CAL, simulation={"id": "test", "seed": 1}),
            ("accept", "licence", "2021-09-29"))
    e = open_case(nd, "戊", D("2021-10-21"), CAL)  # opened after the report's day
    f = run(open_case(nd, "己", D("2021-09-30"), CAL), ("withdraw", None, "2021-10-08"))
    return [a, b, c, d, e, f]


@pytest.fixture(scope="module")
def store(nd: Analysis) -> Store:
    s = MemoryStore()
    for case in hand_built(nd):
        case.id = s.create_case(case.events)
    return s


def test_cases_and_the_case_clocks(store: Store) -> None:
    r = supervise(store, CAL, Period(None, AS_OF)).as_dict()
    assert r["cases"] == {
        "counted": 4, "real": 4, "simulated_included": 0, "simulated_excluded": 1,  # 丁 left out, 戊 not yet opened
        "opened": 4, "closed": {"completed": 1, "refused": 0, "withdrawn": 1},
        "on_time": {"committed": {"on_time": 1, "of": 1, "rate": 1.0}, "legal": {"on_time": 1, "of": 1, "rate": 1.0}},
        "open_now": 2,  # 乙 and 丙
        "overdue_now": {"committed": 1, "legal": 0}}  # 乙 (due 10-14); 丙's clocks stand still (its licence is suspended)


def test_figures_per_step(store: Store) -> None:
    steps = {s["step"]: s for s in supervise(store, CAL, Period(None, AS_OF)).as_dict()["steps"]}
    assert list(steps) == ["licence", "seal", "tax"]
    assert steps["licence"] == {
        "item": "national-day", "item_name": "国庆测试", "step": "licence", "name": "营业执照", "department": "市场监管局",
        "cases": 2, "decided": 2,
        "on_time": {"committed": {"on_time": 1, "of": 2, "rate": 0.5}, "legal": {"on_time": 2, "of": 2, "rate": 1.0}},
        "days": {"used": {"n": 2, "median": 2, "p90": 3}, "committed": {"n": 2, "median": 3, "p90": 3}},
        "late_in_cases_on_time": 0,
        "overdue_now": {"committed": 0, "legal": 0, "in_cases_on_time": 0},  # 丙's licence is suspended
        "corrections": 1, "procedures": 1,
        "gap": {"late_start": 1, "serialized": 0}}  # 乙 accepted a day after it was ready, with no slack
    seal, tax = steps["seal"], steps["tax"]
    assert (seal["decided"], seal["on_time"]["committed"]["rate"], seal["on_time"]["legal"]) == (
        1, 1.0, {"on_time": 0, "of": 0, "rate": None})
    assert seal["days"]["used"] == {"n": 1, "median": 0, "p90": 0}
    assert seal["days"]["committed"] == {"n": 1, "median": 0.5, "p90": 0.5}
    assert seal["overdue_now"] == {"committed": 1, "legal": 0, "in_cases_on_time": 0}  # 乙's, never accepted
    # 甲's seal was ready on 09-29 and accepted only on 10-08, the day the licence (not a dependency) was approved
    assert seal["gap"] == {"late_start": 0, "serialized": 1}
    assert tax["on_time"] == {"committed": {"on_time": 0, "of": 1, "rate": 0.0},
                              "legal": {"on_time": 1, "of": 1, "rate": 1.0}}
    assert tax["late_in_cases_on_time"] == 1  # 甲: tax late, the case within its commitment
    assert tax["days"]["used"] == {"n": 1, "median": 3, "p90": 3}
    assert tax["overdue_now"] == {"committed": 1, "legal": 1, "in_cases_on_time": 0}  # 乙: due 10-13, legal 10-19
    assert tax["gap"] == {"late_start": 1, "serialized": 0}


def test_figures_per_department_and_the_overdue_list(store: Store) -> None:
    r = supervise(store, CAL, Period(None, AS_OF)).as_dict()
    depts = {d["department"]: d for d in r["departments"]}
    assert [(d, v["cases"], v["decided"]) for d, v in depts.items()] == [("公安局", 1, 1), ("市场监管局", 2, 2),
                                                                        ("税务局", 1, 1)]
    assert depts["市场监管局"]["corrections"] == 1 and depts["市场监管局"]["procedures"] == 1
    assert r["overdue_total"] == 2
    assert [(o["case"], o["step"], o["days_late"], o["level"], o["case_on_time"]) for o in r["overdue"]] == [
        ("2", "seal", 7, "黄", False),   # due 10-11: 10-12…15, 18…20 late
        ("2", "tax", 5, "红", False)]    # due 10-13: 10-14, 15, 18, 19, 20; its legal deadline 10-19 passed too


def test_a_period_counts_what_happened_in_it(store: Store) -> None:
    r = supervise(store, CAL, Period(D("2021-10-09"), AS_OF)).as_dict()
    steps = {s["step"]: s for s in r["steps"]}
    assert [(k, s["decided"]) for k, s in steps.items()] == [("licence", 1), ("seal", 0), ("tax", 1)]
    assert steps["licence"]["corrections"] == 0       # 乙's return was on 10-08
    assert steps["licence"]["gap"]["late_start"] == 0  # accepted on 09-30
    assert steps["tax"]["gap"]["late_start"] == 1      # 乙's tax, accepted 10-14
    assert r["cases"]["opened"] == 1 and r["cases"]["closed"] == {"completed": 1, "refused": 0, "withdrawn": 0}
    # the report's day cuts the histories: on 10-12 乙's licence was not approved yet, 甲 completed that day
    early = supervise(store, CAL, Period(None, D("2021-10-12"))).as_dict()
    assert early["cases"]["closed"]["completed"] == 1 and early["cases"]["open_now"] == 1
    assert {s["step"]: s["decided"] for s in early["steps"]} == {"licence": 1, "seal": 1, "tax": 1}


def test_one_department(store: Store) -> None:
    r = supervise(store, CAL, Period(None, AS_OF), department="税务局").as_dict()
    assert [d["department"] for d in r["departments"]] == ["税务局"] and [s["step"] for s in r["steps"]] == ["tax"]
    assert r["department"] == "税务局" and r["overdue_total"] == 1


def test_simulated_cases_are_left_out_unless_asked_and_then_marked(store: Store) -> None:
    left_out = supervise(store, CAL, Period(None, AS_OF)).as_dict()
    counted = supervise(store, CAL, Period(None, AS_OF), include_simulated=True).as_dict()
    assert (counted["cases"]["real"], counted["cases"]["simulated_included"]) == (4, 1)
    assert counted["cases"]["simulated_excluded"] == 0 and counted["include_simulated"] is True
    assert counted["overdue_total"] == left_out["overdue_total"] + 3
    simulated = [o for o in counted["overdue"] if o["simulated"]]
    # 丁: the licence accepted 09-29 and due 10-09 (8 wd late); seal and tax due 10-11 (7), waiting or not
    assert [(o["case"], o["step"], o["days_late"]) for o in simulated] == [
        ("4", "licence", 8), ("4", "seal", 7), ("4", "tax", 7)]
    assert not any(o["simulated"] for o in left_out["overdue"])


def test_the_streaming_report_equals_the_report_over_cases_loaded_one_by_one(store: Store) -> None:
    for period in (Period(None, AS_OF), Period(D("2021-10-09"), AS_OF), Period(None, D("2021-10-08"))):
        for include in (False, True):
            streamed = supervise(store, CAL, period, include_simulated=include).as_dict()
            one_by_one = Supervisor(CAL, period, include_simulated=include)
            for case_id in reversed(store.list_cases()):  # any order
                events = [e for e in store.load(case_id) if e.payload["on"] <= period.end.isoformat()]
                if events and events[0].type == "opened":
                    one_by_one.add(CaseFacts.from_case(Case.replay(events, case_id)))
            assert one_by_one.report().as_dict() == streamed


def test_histogram_quantiles_are_exact_nearest_ranks() -> None:
    h = Histogram()
    for days in (0, 0.5, 1, 1, 2, 3, 3, 3, 8, 20):
        h.add(days)
    assert (h.quantile(0.5), h.quantile(0.9), h.quantile(1.0), h.quantile(0.01)) == (2, 8, 20, 0)
    assert h.counts == {0: 1, 1: 1, 2: 2, 4: 1, 6: 3, 16: 1, 40: 1} and Histogram().quantile(0.5) is None


def test_the_fold_agrees_with_the_state_machine_on_simulated_histories(nd: Analysis, tmp_path: Path) -> None:
    from engine.supervision.simulate import Assumptions, simulate

    store = MemoryStore()
    busy = Assumptions(rate=5, correction=0.5, procedure=0.4, refusal=0.05, withdrawal=0.1, serial_departments=1)
    simulate(store, nd, 300, seed=11, start=D("2021-09-01"), calendar=CAL, assumptions=busy)
    for case_id in store.list_cases():
        events = store.load(case_id)
        for until in ("2021-09-15", "2021-10-11", "2021-12-31"):
            cut = [e for e in events if e.payload["on"] <= until]
            expected = CaseFacts.from_case(Case.replay(cut, case_id)) if cut[:1] and cut[0].type == "opened" else None
            assert fold(case_id, events, until) == expected


def test_a_damaged_log_is_an_error_not_a_figure(store: Store) -> None:
    from engine.cases.store import StoreError

    opened = store.load("1")[0]
    with pytest.raises(StoreError, match="unknown event type 'teleported' at #2"):
        fold("1", [opened, Event(2, "teleported", {"on": "2021-09-30"})])
    with pytest.raises(StoreError, match="its first event is 'accepted' #2"):
        fold("1", [Event(2, "accepted", {"on": "2021-09-30"})])
    with pytest.raises(StoreError, match="names no step of the case"):
        fold("1", [opened, Event(2, "accepted", {"on": "2021-09-30", "step": "nowhere"})])


def test_reports_of_old_cases_count_what_they_recorded() -> None:
    import json

    from helpers import ROOT
    old = json.loads((ROOT / "tests" / "data" / "cases-v0.json").read_text(encoding="utf-8"))["cases"]
    store = MemoryStore()
    for c in old:
        store.create_case([Event(e["seq"], e["type"], e["payload"]) for e in c["events"]])
    r = supervise(store, CAL, Period(None, D("2021-10-20"))).as_dict()
    assert r["cases"]["real"] == 5 and r["cases"]["on_time"]["committed"]["of"] == 0  # no case clock recorded
    licence = next(s for s in r["steps"] if s["step"] == "licence")
    assert licence["on_time"]["legal"]["of"] == 0 and licence["decided"] == 3  # approved twice, refused once
    assert licence["corrections"] == 2 and licence["days"]["used"]["n"] == 3


def test_simulated_applicants_bring_the_mix_of_situations_the_shares_say() -> None:
    """open-restaurant asks questions: each case draws its situation by the definition's shares, holds
    only that situation's steps, and the draws follow the weights; --answers (mix=False) pins one."""
    from collections import Counter

    from helpers import real_analysis

    from engine.situations import situations
    from engine.supervision.simulate import simulate

    flow = real_analysis("open-restaurant")
    weights = {s.key: s.weight for s in situations(flow.item.general).situations}
    store = MemoryStore()
    simulate(store, flow, 2000, seed=3, start=D("2021-09-01"), calendar=CAL)
    seen: Counter[str] = Counter()
    for case_id in store.list_cases():
        opened = store.load(case_id)[0].payload
        seen[repr(sorted(opened["situation"]["answers"].items()))] += 1
        steps = {s["id"] for s in opened["steps"]}
        assert steps, opened["situation"]
    assert len(seen) >= 10  # 60 situations, many of them rare
    top_key, top_weight = max(weights.items(), key=lambda kv: kv[1])
    top_share = seen.most_common(1)[0][1] / 2000
    assert abs(top_share - top_weight / sum(weights.values())) < 0.05, (top_key, top_share, top_weight)

    pinned = MemoryStore()
    simulate(pinned, flow, 50, seed=3, start=D("2021-09-01"), calendar=CAL, mix=False)
    assert len({repr(pinned.load(c)[0].payload["situation"]) for c in pinned.list_cases()}) == 1
