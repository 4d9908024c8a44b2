"""Two clocks per step and per case, paused periods (补正 and 特别程序), the warning ladder, and
old event logs (written before the clocks) replaying unchanged. Dates are counted by hand on
2021's calendar: 10-01…10-07 国庆节, Saturday 10-09 a make-up working day."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from helpers import ND_CLOCKS_YAML, ROOT, analysis_of, lb, write

from engine.cases.clocks import DEFAULT_LADDER, Ladder, LadderError, Rung, load_ladder
from engine.cases.desk import Levels, case_view, levels
from engine.cases.machine import Case, Event, StepState, TransitionError
from engine.cases.opening import open_case
from engine.cases.store import MemoryStore, load_case
from engine.flow.analysis import Analysis
from engine.workdays.calendar import WorkCalendar

CAL = WorkCalendar()
D0 = date(2021, 9, 29)
D = date.fromisoformat


@pytest.fixture(scope="module")
def nd(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return analysis_of(tmp_path_factory.mktemp("ndc"), ND_CLOCKS_YAML, "national-day.yaml")


@pytest.fixture
def case(nd: Analysis) -> Case:
    return open_case(nd, "张三", D0, CAL)


def fire(case: Case, action: str, step: str, on: str, **kw: str) -> Event:
    return case.fire(action, step=step, department=case.steps[step].department, on=D(on), calendar=CAL, **kw)


def test_opening_sets_both_case_clocks(case: Case) -> None:
    # committed 5 wd after 09-29: 09-30, 10-08, 10-09 (Sat, 调休), 10-11, 10-12
    assert case.committed_deadline == D("2021-10-12")
    # legal 20 wd: 8 by 10-15 (above + 10-13…15), 13 by 10-22, 18 by 10-29, 11-01, 11-02
    assert case.legal_deadline == D("2021-11-02")
    assert case.events[0].payload["clocks"] == {"commitment": 5, "legal_days": 20, "committed": "2021-10-12",
                                                "legal": "2021-11-02"}
    assert [r.legal_days for r in case.steps.values()] == [5, None, 3]  # licence, seal, tax (flow order)
    assert all(r.legal_deadline is None for r in case.steps.values())   # a legal clock starts at acceptance


def test_the_legal_clock_of_a_step_runs_from_its_acceptance(case: Case) -> None:
    event = fire(case, "accept", "licence", "2021-09-30")
    # 5 wd after 09-30: 10-08, 10-09, 10-11, 10-12, 10-13
    assert event.payload["legal_deadline"] == "2021-10-13" and case.steps["licence"].legal_deadline == D("2021-10-13")
    assert fire(case, "accept", "seal", "2021-09-30").payload.get("legal_deadline") is None  # no legal limit
    fire(case, "approve", "licence", "2021-10-12")
    assert case.steps["tax"].ready_on == D("2021-10-12")
    fire(case, "accept", "tax", "2021-10-13")
    assert case.steps["tax"].legal_deadline == D("2021-10-18")  # 10-14, 10-15, 10-18: not from the opening


def test_a_special_procedure_moves_both_clocks_of_the_step_its_dependants_and_the_case(case: Case) -> None:
    fire(case, "accept", "licence", "2021-09-30")
    fire(case, "suspend", "licence", "2021-10-08", procedure="检验", reason="样品送检")
    assert case.steps["licence"].state is StepState.SUSPENDED
    assert case.paused_steps() == {"licence", "tax"}
    event = fire(case, "resume", "licence", "2021-10-12")
    # paused: working days after 10-08 up to 10-12 = 10-09, 10-11, 10-12 = 3
    assert event.payload["paused_days"] == 3
    assert event.payload["deadlines"] == {"licence": "2021-10-13", "tax": "2021-10-14"}  # LF 3+3, 4+3; seal unmoved
    assert event.payload["legal_deadline"] == "2021-10-18"   # 09-30 + 5 + 3 wd
    assert event.payload["clocks"] == {"committed": "2021-10-15", "legal": "2021-11-05"}  # 5+3 and 20+3 wd
    run = case.steps["licence"]
    assert (run.deadline, run.legal_deadline, run.paused_days) == (D("2021-10-13"), D("2021-10-18"), 3)
    assert (case.committed_deadline, case.legal_deadline) == (D("2021-10-15"), D("2021-11-05"))
    assert [p.as_dict() for p in run.pauses] == [{"kind": "procedure", "procedure": "检验", "reason": "样品送检",
                                                  "start": "2021-10-08", "end": "2021-10-12", "days": 3}]
    assert Case.replay(case.events).as_dict() == case.as_dict()


def test_correction_and_procedure_pauses_add_up(case: Case) -> None:
    fire(case, "accept", "licence", "2021-09-30")
    fire(case, "return", "licence", "2021-10-08", reason="缺章程")
    fire(case, "resubmit", "licence", "2021-10-09")       # 1 wd
    fire(case, "suspend", "licence", "2021-10-11", procedure="专家评审", reason="评审")
    fire(case, "resume", "licence", "2021-10-13")         # 10-12, 10-13: 2 wd
    run = case.steps["licence"]
    assert [(p.kind, p.days) for p in run.pauses] == [("correction", 1), ("procedure", 2)]
    assert run.paused_days == 3 and run.legal_deadline == D("2021-10-18")
    assert case.committed_deadline == D("2021-10-15")


@pytest.mark.parametrize("kw, message", [
    ({"reason": "送检"},
     "suspend needs the special procedure (特别程序): one of 听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审"),
    ({"reason": "送检", "procedure": "专家评议"},
     "'专家评议' is not a special procedure whose time does not count (行政许可法 art.45); did you mean '专家评审'? "
     "use one of 听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审"),
    ({"procedure": "检验"}, "suspend needs a reason: what the special procedure is for"),
])
def test_suspend_needs_a_known_procedure_and_a_reason(case: Case, kw: dict[str, str], message: str) -> None:
    fire(case, "accept", "licence", "2021-09-30")
    with pytest.raises(TransitionError) as err:
        fire(case, "suspend", "licence", "2021-10-08", **kw)
    assert str(err.value) == message


def test_a_suspended_step_is_resumed_or_refused_never_approved(case: Case) -> None:
    fire(case, "accept", "licence", "2021-09-30")
    fire(case, "suspend", "licence", "2021-10-08", procedure="听证", reason="听证会")
    with pytest.raises(TransitionError) as err:
        fire(case, "approve", "licence", "2021-10-09")
    assert str(err.value) == "step 'licence' is suspended: only a step that is accepted can be approved"
    with pytest.raises(TransitionError) as err:
        fire(case, "resubmit", "licence", "2021-10-09")
    assert str(err.value) == "step 'licence' is suspended: only a step that is returned can be resubmitted"
    fire(case, "refuse", "licence", "2021-10-11", reason="听证后不予许可")
    assert case.state.value == "refused" and case.steps["licence"].pauses[0].end is None


# -- the ladder -------------------------------------------------------------------------------
@pytest.mark.parametrize("on, licence, case_level", [
    ("2021-09-29", None, None),   # 09-30, 10-08, 10-09 left: 3 wd before the committed deadline 10-09
    ("2021-09-30", "蓝", "蓝"),   # 10-08, 10-09 left: 2
    ("2021-10-09", "蓝", "蓝"),   # due today
    ("2021-10-11", "黄", "黄"),   # committed deadline passed; legal 10-13 not yet; the case's 10-12 not yet
    ("2021-10-13", "黄", "黄"),
    ("2021-10-14", "红", "红"),   # the licence's legal deadline 10-13 passed
])
def test_default_ladder_per_step_and_per_case(case: Case, on: str, licence: str | None, case_level: str | None) -> None:
    fire(case, "accept", "licence", "2021-09-30")
    fire(case, "accept", "seal", "2021-09-30")
    found = levels(case, D(on), CAL)
    assert found.steps["licence"] == licence and found.case == case_level
    assert "tax" in found.steps  # waiting steps have a committed clock too


def test_the_case_clocks_give_the_case_its_level(case: Case) -> None:
    for action in ("accept", "approve"):
        for sid in ("licence", "seal"):
            fire(case, action, sid, "2021-09-29" if action == "accept" else "2021-09-30")
    # the tax step is ready, not accepted: its legal clock has not started; committed due 10-11 (LF 4)
    # on 11-03 the item's legal deadline (11-02) passed: 红 through the case's own clock
    assert levels(case, D("2021-11-03"), CAL).case == "红"
    assert levels(case, D("2021-10-11"), CAL).steps == {"tax": "蓝"}
    ladder = Ladder((Rung("注意", "committed", after=1), Rung("严重", "legal", after=10)), "test")
    # 10-12: one working day past the tax step's committed deadline (10-11), not more than one
    assert levels(case, D("2021-10-12"), CAL, ladder) == Levels(None, {"tax": None})
    assert levels(case, D("2021-10-13"), CAL, ladder).steps == {"tax": "注意"}
    # 10 wd past the case's legal deadline 11-02 is 11-16: 严重 from 11-17, through the case's own clock
    assert levels(case, D("2021-11-16"), CAL, ladder).case == "注意"
    assert levels(case, D("2021-11-17"), CAL, ladder).case == "严重"


def test_paused_and_closed_cases_have_no_level(case: Case) -> None:
    fire(case, "accept", "licence", "2021-09-30")
    fire(case, "return", "licence", "2021-10-08", reason="缺章程")
    found = levels(case, D("2021-12-01"), CAL)
    assert found.steps == {"seal": "黄"}  # the seal has no legal limit; licence and tax are paused
    assert found.case == "黄"              # the case's own clocks stand still while a step is paused
    case.fire("withdraw", on=D("2021-12-01"))
    assert levels(case, D("2021-12-01"), CAL) == Levels(None, {})


def test_a_definition_ladder_is_pinned_at_opening(tmp_path: Path) -> None:
    text = ND_CLOCKS_YAML.replace("legal_days: 20\n", "legal_days: 20\nwarnings:\n  - {level: 橙, before: 0}\n")
    case = open_case(analysis_of(tmp_path, text, "national-day.yaml"), "张三", D0, CAL)
    assert case.events[0].payload["warnings"] == [{"level": "橙", "before": 0}]
    assert case.ladder == Ladder((Rung("橙", "committed", before=0),), "definition")
    fire(case, "accept", "licence", "2021-09-30")
    assert levels(case, D("2021-10-08"), CAL).steps["licence"] is None
    assert levels(case, D("2021-10-09"), CAL).steps["licence"] == "橙"
    assert case_view(case, D("2021-10-09"), CAL)["ladder"] == {"source": "definition",
                                                              "rungs": [{"level": "橙", "clock": "committed", "before": 0}]}


def test_ladder_files_are_checked_with_locations(tmp_path: Path) -> None:
    good = write(tmp_path, "ladder.yaml", "warnings:\n  - {level: 注意, before: 3}\n  - {level: 超期, clock: legal}\n")
    assert load_ladder(good).rungs == (Rung("注意", "committed", 3), Rung("超期", "legal"))
    cases = {
        "both.yaml": ("warnings:\n  - {level: 蓝, before: 1, after: 2}\n",
                      "both.yaml:2:5: E204 rung #1: a rung fires either before or after its deadline: "
                      "give one of before and after, not both"),
        "twice.yaml": ("warnings:\n  - {level: 黄}\n  - {level: 黄, clock: legal}\n",
                       "twice.yaml:3:13: E312 warning level '黄' is listed twice "
                       "(hint: give each rung of the ladder its own level)"),
        "clock.yaml": ("warnings:\n  - {level: 黄, clock: promised}\n",
                       "clock.yaml:2:23: E204 rung #1 → clock: text 'promised' is not one of committed, legal"),
    }
    for name, (text, message) in cases.items():
        with pytest.raises(LadderError) as err:
            load_ladder(write(tmp_path, name, text))
        assert str(err.value) == str(tmp_path / message)


def test_default_ladder_describes_itself() -> None:
    assert [r.describe() for r in DEFAULT_LADDER.rungs] == [
        "蓝: 2 working day(s) or fewer before the committed (承诺时限) deadline",
        "黄: the committed (承诺时限) deadline passed", "红: the legal (法定时限) deadline passed"]


# -- old stores ---------------------------------------------------------------------------------
OLD = json.loads((ROOT / "tests" / "data" / "cases-v0.json").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def old_store() -> MemoryStore:
    """The old logs in a store, appended as the old version did (ids 1..5)."""
    store = MemoryStore()
    for old in OLD:
        events = [Event(e["seq"], e["type"], e["payload"], e["at"]) for e in old["events"]]
        case_id = store.create_case(events[:1])
        assert case_id == old["id"]
        if events[1:]:
            store.append(case_id, 1, events[1:])
    return store


@pytest.mark.parametrize("old", OLD, ids=lambda c: c["id"])
def test_event_logs_from_before_the_clocks_replay_unchanged(old: dict, old_store: MemoryStore) -> None:
    case = load_case(old_store, old["id"])
    now = case.as_dict(D("2021-10-20"))
    then = old["state_on_2021-10-20"]
    assert {k: now[k] for k in then if k != "steps"} == {k: v for k, v in then.items() if k != "steps"}
    for step_now, step_then in zip(now["steps"], then["steps"], strict=True):
        assert {k: step_now[k] for k in step_then} == step_then
    # what the old events do not record stays unknown, never guessed
    assert now["clocks"] == {"commitment": None, "committed": None, "legal_days": None, "legal": None}
    assert all(s["legal_deadline"] is None for s in now["steps"])
    assert now["simulated"] is False
    assert levels(case, D("2021-10-20"), CAL).case == ("黄" if then["overdue"] else None)


def test_an_old_return_and_resubmit_becomes_a_correction_pause() -> None:
    old = next(c for c in OLD if any(e["type"] == "resubmitted" for e in c["events"]))
    case = Case.replay(Event(e["seq"], e["type"], e["payload"]) for e in old["events"])
    assert [p.as_dict() for p in case.steps["licence"].pauses] == [
        {"kind": "correction", "procedure": None, "reason": "缺经营场所证明", "start": "2021-09-30", "end": "2021-10-11",
         "days": 3}]
    # the legal limits come from the pinned definition even for an old case
    assert case.steps["licence"].legal_days == 3 and case.steps["tax"].legal_days == 5


# -- the command line ---------------------------------------------------------------------------
def test_suspend_and_resume_from_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    item = write(tmp_path, "national-day.yaml", ND_CLOCKS_YAML)
    db = ["--db", str(tmp_path / "cases.db")]
    assert lb(capsys, "case", "open", str(item), "--applicant", "张三", "--on", "2021-09-29", *db)[0] == 0
    code, out, err = lb(capsys, "case", "accept", "1", "licence", "--as", "市场监管", "--on", "2021-09-30", *db)
    assert (code, out.splitlines()[0]) == (0, "case 1: step 'licence' (营业执照) accepted by 市场监管局 on 2021-09-30; "
                                              "due 2021-10-09, legal deadline 2021-10-13"), err
    code, out, err = lb(capsys, "case", "suspend", "1", "licence", "--as", "市场监管", "--on", "2021-10-08",
                        "--procedure", "检测", "--reason", "样品检测", *db)
    assert (code, out) == (0, "case 1: step 'licence' (营业执照) suspended by 市场监管局 on 2021-10-08; due 2021-10-09, "
                              "legal deadline 2021-10-13 (clocks stopped for 检测 until resumed)\n"
                              "  ready now: seal\n"), err
    code, out, err = lb(capsys, "case", "suspend", "1", "licence", "--as", "市场监管", "--procedure", "检测", *db)
    assert code == 1 and "suspend needs a reason" in err
    code, out, err = lb(capsys, "case", "show", "1", "--on", "2021-10-11", *db)
    assert code == 0 and "特别程序 检测 since 2021-10-08: 样品检测" in out
    code, out, err = lb(capsys, "case", "resume", "1", "licence", "--as", "市场监管", "--on", "2021-10-12", *db)
    assert code == 0 and out.startswith("case 1: step 'licence' (营业执照) resumed by 市场监管局 on 2021-10-12; "
                                        "due 2021-10-13, legal deadline 2021-10-18 (paused 3 working day(s))")
    code, out, err = lb(capsys, "case", "show", "1", "--on", "2021-10-14", "--format", "json", *db)
    shown = json.loads(out)  # licence 黄 (due 10-13), seal 黄 (due 10-11), tax 蓝 (due 10-14, moved by 3)
    assert (shown["level"], [s["level"] for s in shown["steps"]]) == ("黄", ["黄", "黄", "蓝"])
    assert shown["clocks"]["committed"] == "2021-10-15" and shown["ladder"]["source"] == "default"
    code, out, err = lb(capsys, "case", "list", "--on", "2021-10-14", "--format", "json", *db)
    assert [(r["case"], r["level"], r["simulated"]) for r in json.loads(out)] == [("1", "黄", False)]
    code, out, err = lb(capsys, "case", "queue", "--as", "市场监管", "--on", "2021-10-14", "--format", "json", *db)
    assert [(t["step"], t["legal_deadline"], t["level"]) for t in json.loads(out)["todo"]] == [
        ("licence", "2021-10-18", "黄")]


def test_a_ladder_file_on_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    item = write(tmp_path, "national-day.yaml", ND_CLOCKS_YAML)
    ladder = write(tmp_path, "ladder.yaml", "warnings:\n  - {level: 提醒, before: 5}\n")
    db = ["--db", str(tmp_path / "cases.db")]
    lb(capsys, "case", "open", str(item), "--applicant", "张三", "--on", "2021-09-29", *db)
    code, out, err = lb(capsys, "case", "list", "--on", "2021-09-29", "--ladder", str(ladder), "--format", "json", *db)
    assert code == 0 and json.loads(out)[0]["level"] == "提醒", err
    bad = write(tmp_path, "bad.yaml", "warnings: []\n")
    code, out, err = lb(capsys, "case", "list", "--ladder", str(bad), *db)
    assert (code, out) == (2, "") and err == f"lianban: error: {bad}:1:11: E204 warnings: needs at least 1 entry\n"


# -- corrections (更正) recount what the corrected day decides ------------------------------------
def test_a_corrected_opening_date_moves_the_case_clocks(case: Case) -> None:
    from engine.cases.corrections import correction

    case.apply(correction(case, 1, reason="收件日期录错", today=D("2021-12-31"), calendar=CAL, on=D("2021-09-30")))
    # committed 5 wd after 09-30: 10-08, 10-09, 10-11, 10-12, 10-13; legal 20 wd: 11-03
    assert (case.committed_deadline, case.legal_deadline) == (D("2021-10-13"), D("2021-11-03"))
    assert Case.replay(case.events).as_dict() == case.as_dict()


def test_a_corrected_acceptance_date_moves_the_legal_deadline(case: Case) -> None:
    from engine.cases.corrections import correction

    fire(case, "accept", "licence", "2021-09-30")               # legal 10-13
    case.apply(correction(case, 2, reason="受理日期录错", today=D("2021-12-31"), calendar=CAL, on=D("2021-10-08")))
    assert case.steps["licence"].legal_deadline == D("2021-10-14")  # 5 wd after 10-08
    assert case.steps["licence"].deadline == D("2021-10-09")         # the committed clock runs from the opening


def test_a_corrected_resume_date_recounts_the_pause(case: Case) -> None:
    from engine.cases.corrections import correction

    fire(case, "accept", "licence", "2021-09-30")
    fire(case, "suspend", "licence", "2021-10-08", procedure="检验", reason="送检")
    fire(case, "resume", "licence", "2021-10-12")               # 3 wd
    case.apply(correction(case, 4, reason="检验报告日期录错", today=D("2021-12-31"), calendar=CAL, on=D("2021-10-11")))
    run = case.steps["licence"]
    assert (run.paused_days, run.pauses[0].days) == (2, 2)       # 10-09, 10-11
    assert run.legal_deadline == D("2021-10-15")                 # 09-30 + 5 + 2
    assert case.committed_deadline == D("2021-10-14")            # 5 + 2 wd after 09-29


# -- the case list and the queues read the levels from the projection ----------------------------
@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_list_and_queue_levels_from_the_projection_equal_the_replayed_case(nd: Analysis, tmp_path: Path,
                                                                          backend: str) -> None:
    from engine.cases.desk import case_rows, queue
    from engine.cases.store import SQLiteStore
    from engine.supervision.simulate import Assumptions, simulate

    store = MemoryStore() if backend == "memory" else SQLiteStore(tmp_path / "c.db")
    busy = Assumptions(rate=3, correction=0.4, procedure=0.4, accept_same_day=0.3)
    simulate(store, nd, 80, seed=5, start=D("2021-09-01"), calendar=CAL, assumptions=busy)
    for on in (D("2021-09-20"), D("2021-10-11"), D("2021-11-15")):
        listed = {r.case: r for r in case_rows(store, on, calendar=CAL)}
        assert all(r.simulated for r in listed.values())
        for case_id in store.list_cases():
            assert listed[case_id].level == levels(load_case(store, case_id), on, CAL).case, (case_id, on)
        for department in ("市场监管局", "税务局", "公安局"):
            for row in queue(store, department, on, CAL):
                case = load_case(store, row.case)
                assert (row.legal_deadline, row.level) == (
                    case.steps[row.step].legal_deadline and case.steps[row.step].legal_deadline.isoformat(),
                    levels(case, on, CAL).steps[row.step])
    assert {r.level for r in case_rows(store, D("2021-11-15"), calendar=CAL)} >= {"黄", "红"}
    assert case_rows(store, D("2021-11-15"))[0].level is None  # no calendar, no levels
