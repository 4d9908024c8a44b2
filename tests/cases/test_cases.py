"""The case lifecycle (engine/cases.py): legal moves, exact refusals, deadlines, pinning, and a
property test that random event sequences never reach an illegal state."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import ND_YAML, analysis_of, definition_files, real_analyses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cases.machine import (
    ACTIONS,
    STEP_MACHINE,
    Case,
    CaseState,
    Event,
    StepRun,
    StepState,
    TransitionError,
    by_urgency,
    illegal_states,
)
from engine.cases.opening import definition_sha256, open_case, rebuild_analysis
from engine.flow.analysis import Analysis
from engine.locations import project_catalog_dir
from engine.validation.catalog import load_catalog
from engine.workdays.calendar import WorkCalendar

CAL = WorkCalendar()  # the package's calendar only: independent of definitions/calendar
D0 = date(2021, 9, 29)  # a Wednesday before National Day 2021


@pytest.fixture(scope="module")
def nd(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return analysis_of(tmp_path_factory.mktemp("nd"), ND_YAML, "national-day.yaml")


@pytest.fixture
def case(nd: Analysis) -> Case:
    return open_case(nd, "张三", D0, CAL)


def test_opening_computes_deadlines_from_latest_finish(case: Case) -> None:
    # licence: 3 wd after 2021-09-29 -> 09-30, (10-01..07 国庆节), 10-08, Saturday 10-09 (调休上班)
    assert case.steps["licence"].deadline == date(2021, 10, 9)
    assert case.steps["tax"].deadline == date(2021, 10, 11)        # latest finish 4
    assert case.steps["seal"].planned == date(2021, 9, 30)         # earliest finish 0.5 -> 1st working day
    assert case.steps["seal"].deadline == date(2021, 10, 11)       # latest finish 4: slack keeps the item on time
    assert case.calendar == {"2021": {"kind": "package", "detail": CAL.source(2021).detail, "notice": None}}
    assert [r.state for r in case.steps.values()] == [StepState.READY, StepState.READY, StepState.WAITING]
    assert case.state is CaseState.OPEN


def test_opening_records_the_merged_materials_once(case: Case) -> None:
    mats = {m["id"]: m for m in case.materials}
    assert set(mats) == {"id-card", "agent-id-card"}  # business-licence is produced inside the item
    assert mats["id-card"]["departments"] == ["市场监管局", "公安局"]


def test_full_run_completes(case: Case) -> None:
    for sid in list(case.steps):
        run = case.steps[sid]
        case.fire("accept", step=sid, department=run.department, on=D0)
        case.fire("approve", step=sid, department=run.department, on=D0)
    assert case.state is CaseState.COMPLETED and case.closed_on == D0
    assert {r.state for r in case.steps.values()} == {StepState.APPROVED}
    assert case.as_dict() == Case.replay(case.events).as_dict()


@pytest.mark.parametrize("moves, message", [
    ([("accept", "licence", "税务局")], "税务局 cannot act on step 'licence' (市场监管局)"),
    ([("approve", "tax", "税务局")], "step 'tax' cannot be approved yet: it waits for 'licence' (ready)"),
    ([("accept", "tax", "税务局")], "step 'tax' cannot be accepted yet: it waits for 'licence' (ready)"),
    ([("approve", "licence", "市场监管局")], "step 'licence' is ready: only a step that is accepted can be approved"),
    ([("resubmit", "licence", "市场监管局")], "step 'licence' is ready: only a step that is returned can be resubmitted"),
    ([("accept", "licence", "市场监管局"), ("accept", "licence", "市场监管局")],
     "step 'licence' is accepted: only a step that is ready can be accepted"),
    ([("accept", "licence", "市场监管局"), ("return", "licence", "市场监管局")],
     "return needs a reason: what the applicant must correct (一次告知)"),
    ([("accept", "licnce", "市场监管局")],
     "no step 'licnce' in item national-day; did you mean 'licence'? steps: licence, seal, tax"),
    ([("accept", "licence", None)], "accept needs the acting department"),
    ([("withdraw", None, None), ("accept", "licence", "市场监管局")],
     "the case is withdrawn on 2021-09-29: no further action is possible"),
    ([("dance", "licence", "市场监管局")],
     "unknown action 'dance'; use one of accept, approve, return, resubmit, suspend, resume, refuse, withdraw"),
])
def test_illegal_moves_are_refused_with_a_clear_message(case: Case, moves: list, message: str) -> None:
    *before, last = moves
    for action, step, dept in before:
        case.fire(action, step=step, department=dept, on=D0)
    snapshot = case.as_dict()
    with pytest.raises(TransitionError) as err:
        case.fire(last[0], step=last[1], department=last[2], on=D0)
    assert str(err.value) == message
    assert case.as_dict() == snapshot  # a refused move changes nothing


def test_actions_are_recorded_in_date_order(case: Case) -> None:
    case.fire("accept", step="licence", department="市场监管局", on=D0 + timedelta(days=1))
    with pytest.raises(TransitionError) as err:
        case.fire("approve", step="licence", department="市场监管局", on=D0)
    assert str(err.value) == ("2021-09-29 is before the case's last action (2021-09-30); "
                              "actions are recorded in date order")


def test_return_stops_the_clock_and_resubmit_pushes_the_deadlines(case: Case) -> None:
    case.fire("accept", step="licence", department="市场监管局", on=D0)
    case.fire("return", step="licence", department="市场监管局", on=date(2021, 9, 30), reason="缺经营场所证明")
    assert case.steps["licence"].state is StepState.RETURNED
    assert case.paused("tax") and not case.paused("seal")
    assert [r.id for r in case.overdue(date(2021, 12, 1))] == ["seal"]  # the paused branch is not overdue
    event = case.fire("resubmit", step="licence", department="市场监管局", on=date(2021, 10, 11), calendar=CAL)
    # paused 10-08, 10-09, 10-11 = 3 working days; licence and tax (after it) move, seal (parallel) does not
    assert event.payload["paused_days"] == 3
    assert case.steps["licence"].deadline == CAL.add_workdays(date(2021, 10, 9), 3) == date(2021, 10, 13)
    assert case.steps["tax"].deadline == date(2021, 10, 14)
    assert case.steps["seal"].deadline == date(2021, 10, 11)
    assert case.steps["licence"].state is StepState.ACCEPTED and case.steps["licence"].paused_days == 3
    assert Case.replay(case.events).as_dict() == case.as_dict()  # replay needs no calendar


def test_refusal_ends_the_case_as_refused(case: Case) -> None:
    case.fire("accept", step="licence", department="市场监管局", on=D0)
    case.fire("refuse", step="licence", department="市场监管局", on=D0, reason="经营范围不符合规定")
    assert case.state is CaseState.REFUSED and case.steps["licence"].reason == "经营范围不符合规定"
    with pytest.raises(TransitionError, match="is refused on 2021-09-29: no further action"):
        case.fire("accept", step="seal", department="公安局", on=D0)


@pytest.mark.parametrize("accept_first", [False, True])
def test_withdraw_any_time_before_closing(case: Case, accept_first: bool) -> None:
    if accept_first:
        case.fire("accept", step="seal", department="公安局", on=D0)
        assert case.state is CaseState.IN_PROGRESS
    case.fire("withdraw", on=D0)
    assert case.state is CaseState.WITHDRAWN and case.todo("公安局") == []


def test_queue_order_is_most_urgent_first(nd: Analysis) -> None:
    early, late = open_case(nd, "甲", D0, CAL), open_case(nd, "乙", date(2021, 9, 1), CAL)
    early.id, late.id = "1", "2"
    late.fire("accept", step="licence", department="市场监管局", on=date(2021, 9, 1))
    pairs = [(c, r) for c in (early, late) for _a, r in c.todo("市场监管局")]
    assert [(c.id, r.id) for c, r in by_urgency(pairs)] == [("2", "licence"), ("1", "licence")]
    assert late.todo("市场监管局")[0][0] == "approve" and early.todo("市场监管局")[0][0] == "accept"


def test_the_definition_ispinned(tmp_path: Path) -> None:
    analysis = analysis_of(tmp_path, ND_YAML, "national-day.yaml")
    case = open_case(analysis, "张三", D0, CAL)
    edited = analysis_of(tmp_path, ND_YAML.replace("days: 3", "days: 9"), "national-day.yaml")  # a later edit
    again = Case.replay(case.events)
    assert again.steps["licence"].days == 3 and again.steps["licence"].deadline == date(2021, 10, 9)
    assert case.sha256 == definition_sha256(analysis.item.source or {})
    assert case.sha256 != definition_sha256(edited.item.source or {})
    rebuilt = rebuild_analysis(again, load_catalog(project_catalog_dir()))
    assert rebuilt.schedule.timings == analysis.schedule.timings


def test_every_project_item_opens(tmp_path: Path) -> None:
    assert len(real_analyses()) >= 3
    for analysis in real_analyses():
        item = analysis.item
        case = open_case(analysis, "张三", D0, CAL)
        assert not illegal_states(case) and case.item["id"] == item.id
        assert all(r.planned <= r.deadline for r in case.steps.values())


# -- property: random event sequences never reach an illegal state ---------------------------------
# (step index, action or None = the natural next move of a live step, department (0 = another one),
# days after the last action, reason given unless 0): biased towards legal moves so runs get deep.
MOVE = st.tuples(st.integers(0, 50), st.sampled_from([None] * 12 + list(ACTIONS) + ["return", "resubmit", "suspend"]),
                 st.integers(0, 9), st.sampled_from([0, 0, 0, 1, 1, 2, 3, -1]), st.integers(0, 9))
NATURAL = {StepState.READY: "accept", StepState.ACCEPTED: "approve", StepState.RETURNED: "resubmit",
           StepState.SUSPENDED: "resume"}


def pick(case: Case, index: int, action: str | None) -> tuple[StepRun, str]:
    """The first step from `index` on that `action` (or its natural move) fits; else step `index`."""
    runs = list(case.steps.values())
    for k in range(len(runs)):
        run = runs[(index + k) % len(runs)]
        if action is None and run.state in NATURAL:
            return run, NATURAL[run.state]
        if action in STEP_MACHINE.events and run.state.name in STEP_MACHINE.events[action].transitions:
            return run, action
    return runs[index % len(runs)], action or "approve"


@pytest.fixture(scope="module")
def hypothesis_items(nd: Analysis) -> list[Analysis]:
    return [nd, *real_analyses()]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, len(definition_files())), moves=st.lists(MOVE, max_size=40))
def test_random_events_never_reach_an_illegal_state(hypothesis_items: list[Analysis], which: int, moves: list) -> None:
    case = open_case(hypothesis_items[which], "张三", D0, CAL)
    departments = sorted({r.department for r in case.steps.values()})
    on = D0
    for index, action, own, delta, reason in moves:
        run, action = pick(case, index, action)
        dept = run.department if own else departments[index % len(departments)]
        day = on + timedelta(days=delta)
        before, closed = case.as_dict(), case.state.closed
        try:
            case.fire(action, step=run.id, department=dept, on=day, reason="补正材料" if reason else None, calendar=CAL,
                      procedure="检验" if reason % 3 else None)
        except TransitionError:
            assert case.as_dict() == before
            continue
        assert not closed, "a closed case accepted a move"
        on = day
        assert illegal_states(case) == []
    assert Case.replay(case.events).as_dict() == case.as_dict()


def lattice_case(layers: int, width: int = 2) -> Case:
    """`layers` layers of `width` steps; every step needs every step of the layer before it."""
    steps = [{"id": f"s{i}-{j}", "name": f"步骤{i}-{j}", "department": "市场监管局", "days": 1,
              "needs": [f"s{i - 1}-{k}" for k in range(width)] if i else [],
              "earliest_finish": i + 1, "latest_finish": i + 1,
              "planned": (D0 + timedelta(days=i + 1)).isoformat(),
              "deadline": (D0 + timedelta(days=i + 1)).isoformat()}
             for i in range(layers) for j in range(width)]
    return Case(Event(1, "opened", {"on": D0.isoformat(), "applicant": "张三", "item": {"id": "lattice", "name": "格子"},
                                    "sha256": "0" * 64, "definition": {}, "materials": [], "steps": steps}))


def test_paused_and_overdue_are_linear_on_a_deep_lattice() -> None:
    # 2**1500 routes from the last layer down to the first: one walk per route never ends, and
    # one recursion per layer overflows the stack.
    case = lattice_case(1500)
    late = date(2030, 1, 1)
    assert not case.paused("s1499-1")
    assert len(case.overdue(late)) == 3000
    case.fire("accept", step="s0-0", department="市场监管局", on=D0)
    case.fire("return", step="s0-0", department="市场监管局", on=D0, reason="缺经营场所证明")
    assert case.paused("s1499-1") and case.paused("s0-0") and not case.paused("s0-1")
    assert case.paused_steps() == frozenset(case.steps) - {"s0-1"}
    assert [r.id for r in case.overdue(late)] == ["s0-1"]  # every step after the returned one waits
    with pytest.raises(KeyError):
        case.paused("nope")


def test_opening_on_new_years_eve_needs_only_the_years_counted(nd: Analysis) -> None:
    # the package starts in 2004; the day of opening never counts, so 2003 is not needed
    case = open_case(nd, "张三", date(2003, 12, 31), CAL)
    assert case.steps["licence"].deadline == date(2004, 1, 6)  # 01-02, 01-05, 01-06 (元旦 01-01)
    assert case.steps["tax"].deadline == date(2004, 1, 7)
    assert list(case.calendar) == ["2004"]
