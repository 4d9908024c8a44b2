"""The situations of an item: answers grouped into regions, enumerated within a bound.

Only distinctions some condition makes matter, so each question's answers are grouped
into **regions** on which every comparison of the item agrees: a yes/no question has
two, a one-of question one per group of options that no condition tells apart, a number
question one per interval between the thresholds the conditions use (``gt: 500`` splits
at 500). A **situation** picks one region per question that is asked (a question whose
``when`` does not hold is not asked) and that some condition uses.

Up to :data:`EXHAUSTIVE` combinations are enumerated one by one; past that a pairwise
sample (every two regions of every two questions together at least once, plus the
default situation) stands in, and :attr:`Enumeration.exhaustive` says so.
"""
from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from engine.situations.conditions import Answers, Cmp, Condition, Value, atoms, compile_condition, questions_of
from engine.situations.questions import Question
from engine.situations.regions import Region, regions_of

EXHAUSTIVE = 4096   # answer combinations enumerated one by one; past that, a pairwise sample
FORCING_WORK = 400_000  # situation checks spent looking for the fewest answers that force a problem
PAIRS = 50_000          # region pairs a pairwise sample covers; past that, every region once


@dataclass(frozen=True)
class Situation:
    """One region per relevant question (None: not asked), and the share of applicants in it."""
    picks: tuple[tuple[str, Region | None], ...]
    weight: float
    given: tuple[tuple[str, Value | None], ...] = ()  # every question's concrete answer, when known

    @property
    def answers(self) -> dict[str, Value | None]:
        """The answers conditions are evaluated on: the concrete ones when known, else one per region."""
        if self.given:
            return dict(self.given)
        return {q: r.value if r is not None else None for q, r in self.picks}

    @property
    def key(self) -> str:
        """A stable ascii name, e.g. ``area_m2=gt500+gas=yes`` (``default`` when nothing is asked)."""
        return "+".join(f"{q}={r.token}" for q, r in self.picks if r is not None) or "default"

    def describe(self) -> str:
        """Readable Chinese: ``营业面积 > 500 m² 且 使用燃气``."""
        return " 且 ".join(r.text for _q, r in self.picks if r is not None) or "所有情形"


@dataclass(frozen=True)
class Enumeration:
    situations: list[Situation]
    exhaustive: bool
    combinations: int      # product of the region counts (an upper bound when questions have `when`)
    method: str = "exhaustive"  # or "pairwise", or "regions" (every region of every question once)


class Space:
    """Regions of every relevant question of an item, built from all of its conditions."""

    def __init__(self, questions: Mapping[str, Question], conditions: Iterable[Condition]) -> None:
        self.questions = dict(questions)
        cmps: dict[str, list[Cmp]] = {}
        for c in conditions:
            for a in atoms(c):
                cmps.setdefault(a.question, []).append(a)
        for q in self.questions.values():  # a question's own `when` splits the questions it depends on
            for a in atoms(q.when):
                cmps.setdefault(a.question, []).append(a)
        self.comparisons = {q: list(dict.fromkeys(v)) for q, v in cmps.items()}
        order = sorted(self.comparisons, key=lambda k: self.questions[k].index)
        self.relevant: tuple[str, ...] = tuple(order)
        self.regions: dict[str, tuple[Region, ...]] = {q: regions_of(self.questions[q], self.comparisons[q]) for q in order}
        self._when = {q: compile_condition(self.questions[q].when) for q in order}
        self._lows: dict[str, list[float]] = {}

    # -- single answers ---------------------------------------------------------------------
    def region_of(self, question: str, value: Value) -> Region:
        regions = self.regions[question]
        if not regions[0].members:  # a number: the intervals are in order
            lows = self._lows.get(question)
            if lows is None:
                lows = self._lows[question] = [r.low for r in regions]
            i = max(0, bisect.bisect_right(lows, float(value)) - 1)
            for r in regions[max(0, i - 1):i + 2]:
                if r.contains(value):
                    return r
        for r in regions:
            if r.contains(value):
                return r
        raise ValueError(f"{value!r} is in no region of {question}")

    def situation(self, answers: Answers) -> Situation:
        """The situation of concrete *answers* (relevant questions; unasked ones None)."""
        picks: list[tuple[str, Region | None]] = []
        weight = 1.0
        for q in self.relevant:
            value = answers.get(q)
            if value is None or not self._when[q](answers):
                picks.append((q, None))
                continue
            r = self.region_of(q, value)
            picks.append((q, r))
            weight *= r.share
        return Situation(tuple(picks), weight)

    # -- enumeration ------------------------------------------------------------------------
    def combinations(self, questions: Sequence[str] | None = None) -> int:
        return math.prod(len(self.regions[q]) for q in (self.relevant if questions is None else questions))

    def enumerate(self, questions: Iterable[str] | None = None, limit: int = EXHAUSTIVE,
                  default: Answers | None = None) -> Enumeration:
        """Every situation over *questions* (default: all relevant ones) and the questions that gate
        them, or a pairwise sample when there are more than *limit* combinations."""
        qs = self.closure(self.relevant if questions is None else questions)
        total = self.combinations(qs)
        if total <= limit:
            return Enumeration(list(self._walk(qs)), True, total)
        found: list[Situation] = []
        for s in self._walk(qs):  # `when` may keep the real count under the limit
            found.append(s)
            if len(found) > limit:
                break
        else:
            return Enumeration(found, True, total)
        sample, method = self._pairwise(qs, default or {})
        return Enumeration(sample, False, total, method)

    def closure(self, questions: Iterable[str]) -> list[str]:
        """*questions* and every question their `when` depends on, in question order."""
        todo, seen = [q for q in questions if q in self.regions], set()
        while todo:
            q = todo.pop()
            if q not in seen:
                seen.add(q)
                todo.extend(x for x in questions_of(self.questions[q].when) if x in self.regions)
        return sorted(seen, key=lambda k: self.questions[k].index)

    def _walk(self, qs: Sequence[str]) -> Iterable[Situation]:
        answers: dict[str, Value | None] = {}
        picks: list[tuple[str, Region | None]] = []

        def step(i: int, weight: float) -> Iterable[Situation]:
            if i == len(qs):
                yield Situation(tuple(picks), weight)
                return
            q = qs[i]
            if not self._when[q](answers):
                answers[q] = None
                picks.append((q, None))
                yield from step(i + 1, weight)
                picks.pop()
                return
            for r in self.regions[q]:
                answers[q] = r.value
                picks.append((q, r))
                yield from step(i + 1, weight * r.share)
                picks.pop()
            answers[q] = None

        return step(0, 1.0)

    def _pairwise(self, qs: Sequence[str], default: Answers) -> tuple[list[Situation], str]:
        """A greedy all-pairs sample over the regions of *qs*, the two boundary rows (every question at
        its first region, then at its last) and the default situation. Past :data:`PAIRS` pairs (questions
        with thousands of thresholds) every region of every question once instead, at most
        :data:`EXHAUSTIVE` situations."""
        sizes = {q: len(self.regions[q]) for q in qs}
        pairs = sum(sizes[a] * sizes[b] for a, b in itertools.combinations(qs, 2))
        rows: list[dict[str, int]] = []
        method = "pairwise"
        if pairs > PAIRS:
            method = "regions"
            rows = [{q: k % sizes[q] for q in qs} for k in range(min(max(sizes.values()), EXHAUSTIVE))]
            uncovered: set[tuple[str, int, str, int]] = set()
        else:
            uncovered = {(a, i, b, j) for a, b in itertools.combinations(qs, 2)
                         for i in range(sizes[a]) for j in range(sizes[b])}
            uncovered |= {(a, i, a, i) for a in qs for i in range(sizes[a])}
        while uncovered:
            a, i, b, j = min(uncovered)
            row = {a: i, b: j}
            for q in qs:
                if q not in row:
                    gains = [self._gain(uncovered, row, q, k) for k in range(sizes[q])]
                    row[q] = gains.index(max(gains))
            rows.append(row)
            uncovered -= {(p, row[p], r, row[r]) for p, r in itertools.combinations(qs, 2)}
            uncovered -= {(p, row[p], p, row[p]) for p in qs}
        rows.append({q: 0 for q in qs})                  # the boundaries: every first region,
        rows.append({q: sizes[q] - 1 for q in qs})       # and every last one
        out: dict[str, Situation] = {}
        for row in rows:
            s = self._normalised({q: self.regions[q][row[q]].value for q in qs}, qs)
            out.setdefault(s.key, s)
        if default:
            s = self._normalised(default, qs)
            out.setdefault(s.key, s)
        return list(out.values()), method

    def _gain(self, uncovered: set[tuple[str, int, str, int]], row: dict[str, int], q: str, k: int) -> int:
        """How many uncovered pairs region *k* of *q* would cover with the row so far."""
        index = self.questions[q].index
        pairs = ((p, row[p], q, k) if self.questions[p].index < index else (q, k, p, row[p]) for p in row)
        return sum(pair in uncovered for pair in pairs)

    def _normalised(self, values: Answers, qs: Sequence[str]) -> Situation:
        answers: dict[str, Value | None] = {}
        picks: list[tuple[str, Region | None]] = []
        weight = 1.0
        for q in qs:
            value = values.get(q)
            if value is None or not self._when[q](answers):
                answers[q] = None
                picks.append((q, None))
                continue
            r = self.region_of(q, value)
            answers[q] = r.value
            picks.append((q, r))
            weight *= r.share
        return Situation(tuple(picks), weight)


def forcing(situations: Sequence[Situation], bad: Sequence[bool], exhaustive: bool = True) -> Situation | None:
    """The fewest answers that force a problem: a partial situation whose every completion
    among *situations* is bad (``bad[i]`` for ``situations[i]``). None when nothing is bad.

    Subsets of the asked questions are tried smallest first (in question order), within
    :data:`FORCING_WORK`; past that, or when *situations* are only a sample (not
    *exhaustive*: a completion outside the sample could be fine), the first bad situation
    itself is the answer.
    """
    first = next((i for i, b in enumerate(bad) if b), None)
    if first is None:
        return None
    if not exhaustive:
        return situations[first]
    qs = [q for q, _r in situations[first].picks]
    work = 0
    for k in range(len(qs) + 1):
        for subset in itertools.combinations(range(len(qs)), k):
            work += len(situations)
            if work > FORCING_WORK:
                return _partial(situations[first], range(len(qs)))
            verdict: dict[tuple[Region | None, ...], bool] = {}
            for s, b in zip(situations, bad, strict=True):
                key = tuple(s.picks[i][1] for i in subset)
                verdict[key] = verdict.get(key, True) and b
            for s, b in zip(situations, bad, strict=True):  # the first bad one's group, in enumeration order
                key = tuple(s.picks[i][1] for i in subset)
                if b and verdict[key] and all(r is not None for r in key):
                    return _partial(s, subset)
    return _partial(situations[first], range(len(qs)))


def _partial(s: Situation, keep: Iterable[int]) -> Situation:
    kept = set(keep)
    picks = tuple(p for i, p in enumerate(s.picks) if i in kept)
    return Situation(picks, math.prod(r.share for _q, r in picks if r is not None))

