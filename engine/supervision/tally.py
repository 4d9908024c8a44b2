"""The aggregates of a report: counters and exact histograms, never lists of cases.

Working days are whole or half days, so a :class:`Histogram` keeps one counter per half day
and gives exact quantiles (nearest rank: the smallest value with at least q of the values at
or below it) in memory bounded by the number of distinct durations.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from engine.units import json_number

__all__ = ["CaseTally", "Clock", "Histogram", "Tally"]


class Histogram:
    """Counts per half working day."""

    __slots__ = ("counts", "n")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.n = 0

    def add(self, days: float) -> None:
        key = round(days * 2)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.n += 1

    def merge(self, other: Histogram) -> None:
        for key, count in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + count
        self.n += other.n

    def quantile(self, q: float) -> float | None:
        """The nearest-rank q-quantile (0 < q <= 1); None when empty."""
        if not self.n:
            return None
        rank = max(1, math.ceil(q * self.n))
        seen = 0
        for key in sorted(self.counts):
            seen += self.counts[key]
            if seen >= rank:
                return key / 2
        raise AssertionError("unreachable: the counts add up to n")

    def as_dict(self) -> dict[str, float | int | None]:
        median, p90 = self.quantile(0.5), self.quantile(0.9)
        return {"n": self.n, "median": json_number(median) if median is not None else None,
                "p90": json_number(p90) if p90 is not None else None}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Histogram) and (self.counts, self.n) == (other.counts, other.n)

    def __repr__(self) -> str:
        return f"Histogram({dict(sorted(self.counts.items()))})"


@dataclass
class Clock:
    """Decisions judged against one clock: how many had a deadline on it, how many met it."""
    counted: int = 0
    on_time: int = 0

    def count(self, deadline: str | None, done_on: str) -> None:
        if deadline is not None:
            self.counted += 1
            self.on_time += done_on <= deadline

    def merge(self, other: Clock) -> None:
        self.counted += other.counted
        self.on_time += other.on_time

    def as_dict(self) -> dict[str, Any]:
        rate = round(self.on_time / self.counted, 4) if self.counted else None
        return {"on_time": self.on_time, "of": self.counted, "rate": rate}


@dataclass
class Tally:
    """The figures of one step of one item, or of one department (the sum of its steps)."""
    cases: int = 0                  # cases in which it decided a step in the period
    decided: int = 0                # steps approved or refused in the period
    committed: Clock = field(default_factory=Clock)
    legal: Clock = field(default_factory=Clock)
    used: Histogram = field(default_factory=Histogram)            # working days from 受理 to decision, pauses out
    committed_days: Histogram = field(default_factory=Histogram)  # the steps' committed days
    late_in_cases_on_time: int = 0  # decided after its deadline in a case that finished within its commitment
    overdue_committed: int = 0      # open now and past the committed deadline
    overdue_legal: int = 0          # open now and past the legal deadline
    overdue_in_cases_on_time: int = 0
    corrections: int = 0            # 补正 rounds begun in the period
    procedures: int = 0             # 特别程序 begun in the period
    late_starts: int = 0            # accepted more working days after it was ready than its slack
    serialized: int = 0             # accepted only after a step it does not depend on was done

    def merge(self, other: Tally) -> None:
        for name in ("decided", "late_in_cases_on_time", "overdue_committed", "overdue_legal",
                     "overdue_in_cases_on_time", "corrections", "procedures", "late_starts", "serialized"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.committed.merge(other.committed)
        self.legal.merge(other.legal)
        self.used.merge(other.used)
        self.committed_days.merge(other.committed_days)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases, "decided": self.decided,
            "on_time": {"committed": self.committed.as_dict(), "legal": self.legal.as_dict()},
            "days": {"used": self.used.as_dict(), "committed": self.committed_days.as_dict()},
            "late_in_cases_on_time": self.late_in_cases_on_time,
            "overdue_now": {"committed": self.overdue_committed, "legal": self.overdue_legal,
                            "in_cases_on_time": self.overdue_in_cases_on_time},
            "corrections": self.corrections, "procedures": self.procedures,
            "gap": {"late_start": self.late_starts, "serialized": self.serialized},
        }


@dataclass
class CaseTally:
    """Whole cases: how many were counted, opened and closed in the period, and on time."""
    real: int = 0
    simulated_included: int = 0
    simulated_excluded: int = 0
    opened: int = 0
    closed: dict[str, int] = field(default_factory=dict)  # completed / refused / withdrawn in the period
    committed: Clock = field(default_factory=Clock)       # completed or refused in the period, by its deadline
    legal: Clock = field(default_factory=Clock)
    open_now: int = 0
    overdue_committed: int = 0
    overdue_legal: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"counted": self.real + self.simulated_included, "real": self.real,
                "simulated_included": self.simulated_included, "simulated_excluded": self.simulated_excluded,
                "opened": self.opened,
                "closed": {k: self.closed.get(k, 0) for k in ("completed", "refused", "withdrawn")},
                "on_time": {"committed": self.committed.as_dict(), "legal": self.legal.as_dict()},
                "open_now": self.open_now,
                "overdue_now": {"committed": self.overdue_committed, "legal": self.overdue_legal}}
