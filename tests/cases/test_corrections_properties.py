"""Property: random moves mixed with random corrections (new dates, annulments) never leave a case
that replays differently from the live one, never break the case's invariants, and keep the
projection rows equal to those of a fresh replay. Refused moves and corrections change nothing.
The dates a correction recomputes (legal deadlines, pauses, the case's clocks) equal those of the
corrected moves counted afresh, and the 督办 fold reads the corrected log as replay does."""
from __future__ import annotations

import os
from datetime import date, timedelta

from helpers import real_analysis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_store import CAL

from engine.cases.calendar_review import replay_with
from engine.cases.corrections import correction
from engine.cases.machine import Case, TransitionError, illegal_states
from engine.cases.opening import open_case
from engine.cases.projection import CaseView
from engine.supervision.facts import CaseFacts, fold

ANALYSIS = real_analysis("start-business")

D0 = date(2021, 9, 29)
TODAY = date(2021, 12, 31)
ACTIONS = ["accept", "approve", "return", "resubmit", "suspend", "resume", "refuse", "withdraw"]
STEPS = [s.id for s in ANALYSIS.item.steps]

move = st.tuples(st.just("move"), st.sampled_from(ACTIONS), st.sampled_from(STEPS), st.integers(0, 3))
fix = st.tuples(st.just("fix"), st.integers(1, 12), st.booleans(), st.integers(-3, 3))


@settings(max_examples=int(os.environ.get("LIANBAN_EXAMPLES") or 60), deadline=timedelta(seconds=5),
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(move, move, move, fix), max_size=30))
def test_corrections_replay_like_the_live_case(ops: list[tuple]) -> None:
    case = open_case(ANALYSIS, "张三", D0, CAL)
    case.id = "1"
    day = D0
    for op in ops:
        before = case.as_dict()
        events = list(case.events)
        try:
            if op[0] == "move":
                _kind, action, step, gap = op
                day = min(TODAY, day + timedelta(days=gap))
                run = case.steps[step]
                case.fire(action, step=step, department=run.department, on=day, reason="理由", calendar=CAL,
                          procedure="检验")
            else:
                _kind, target, void, shift = op
                on = None if void else min(TODAY, day + timedelta(days=shift))
                case.apply(correction(case, target, reason="更正", today=TODAY, calendar=CAL, on=on, void=void))
        except TransitionError:
            assert case.as_dict() == before and case.events == events  # a refusal changes nothing
            continue
        fresh = Case.replay(case.events, "1")
        assert fresh.as_dict() == case.as_dict()
        assert illegal_states(fresh) == []
        assert CaseView.of(fresh) == CaseView.of(case)
        assert _dates(replay_with(fresh, CAL)) == _dates(fresh)  # what the corrections recorded, counted afresh
        assert fold("1", case.events) == CaseFacts.from_case(fresh)


def _dates(case: Case) -> dict[str, object]:
    return {"case": (case.committed_deadline, case.legal_deadline),
            **{sid: (r.deadline, r.legal_deadline, r.paused_days) for sid, r in case.steps.items()}}
