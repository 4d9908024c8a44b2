"""The two clocks of a case, the periods that do not count, and the warning ladder.

Every step and every case runs on two clocks, both in working days (docs/cases.md):

* the **committed** clock (承诺时限): a step is due at the latest finish of the optimized
  schedule, counted from the case's opening; the case is due at the item's ``commitment``;
* the **legal** clock (法定时限): a step with ``legal_days`` is due that many working days after
  its own acceptance (受理, 行政许可法 art.42: "自受理行政许可申请之日起"); the case is due
  ``legal_days`` of the item after its opening (the joint window's 受理).

Time that does not count (art.45 and the 补正 rule) is recorded as :class:`Pause` periods:
补正 (``return`` → ``resubmit``) and 特别程序 (``suspend`` → ``resume``: 听证, 检验, 专家评审 …).
When a pause ends, both clocks of the paused step, of every step after it and of the case
move by the working days it lasted; the event records the new dates, so replay needs no calendar.

The **ladder** turns deadlines into warning levels (default 蓝 2 working days before the
committed deadline, 黄 once it passed, 红 once the legal deadline passed); an item overrides it
with a ``warnings:`` block, and a command with ``--ladder FILE``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import LianbanError
from engine.i18n import N_, _
from engine.suggest import closest, did_you_mean

if TYPE_CHECKING:
    from engine.cases.machine import Case, StepRun
    from engine.workdays.calendar import WorkCalendar

__all__ = ["CLOCKS", "DEFAULT_LADDER", "PROCEDURES", "Ladder", "LadderError", "Pause", "Rung", "load_ladder"]

# 行政许可法 art.45: the time these take "不计算在本节规定的期限内".
PROCEDURES: tuple[str, ...] = ("听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审")
CLOCKS: dict[str, str] = {"committed": N_("committed (承诺时限)"), "legal": N_("legal (法定时限)")}


class LadderError(LianbanError):
    """A warning ladder file that cannot be used (located: path:line:col: message)."""


@dataclass
class Pause:
    """A period during which a step's clocks stood still."""
    kind: str                    # "correction" (补正) or "procedure" (特别程序)
    start: date
    reason: str
    procedure: str | None = None  # for kind "procedure": one of PROCEDURES
    end: date | None = None       # None while it lasts (or when the step was refused during it)
    days: int | None = None       # working days it lasted, known at its end

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "procedure": self.procedure, "reason": self.reason, "start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None, "days": self.days}


@dataclass(frozen=True)
class Rung:
    """One level of the ladder. It fires on a day when, on its clock, at most `before` working days
    are left (a warning ahead of time), or else when the deadline passed by more than `after`."""
    level: str
    clock: str = "committed"
    before: int | None = None
    after: int = 0

    def fires(self, deadline: date | None, on: date, calendar: WorkCalendar) -> bool:
        if deadline is None:
            return False
        if self.before is not None:
            return on > deadline or calendar.workdays_between(on, deadline) <= self.before
        if on <= deadline:
            return False
        return self.after == 0 or on > calendar.add_workdays(deadline, self.after)

    def describe(self) -> str:
        clock = _(CLOCKS[self.clock])
        if self.before is not None:
            return _("{level}: {n} working day(s) or fewer before the {clock} deadline").format(
                level=self.level, n=self.before, clock=clock)
        if self.after:
            return _("{level}: more than {n} working day(s) past the {clock} deadline").format(
                level=self.level, n=self.after, clock=clock)
        return _("{level}: the {clock} deadline passed").format(level=self.level, clock=clock)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"level": self.level, "clock": self.clock}
        if self.before is not None:
            out["before"] = self.before
        elif self.after:
            out["after"] = self.after
        return out


@dataclass(frozen=True)
class Ladder:
    """Rungs from the mildest to the most severe: a step's level is the last rung that fires."""
    rungs: tuple[Rung, ...]
    source: str = "default"  # "default", "definition", or the path of a ladder file

    @classmethod
    def from_raw(cls, raw: Iterable[dict[str, Any]], source: str) -> Ladder:
        """From a `warnings:` list that passed the schema (see schemas/warnings.schema.json)."""
        return cls(tuple(Rung(str(r["level"]), str(r.get("clock", "committed")),
                              int(r["before"]) if "before" in r else None, int(r.get("after", 0))) for r in raw), source)

    def level(self, committed: date | None, legal: date | None, on: date, calendar: WorkCalendar) -> str | None:
        """The level on `on` of something due on `committed` and `legal` (None: no rung fires)."""
        deadlines = {"committed": committed, "legal": legal}
        found = None
        for rung in self.rungs:
            if rung.fires(deadlines[rung.clock], on, calendar):
                found = rung.level
        return found

    def rank(self, level: str | None) -> int:
        """0 for no level, else 1 + the level's position (a higher rank is more severe)."""
        names = [r.level for r in self.rungs]
        return 0 if level is None else len(names) - names[::-1].index(level)

    def worst(self, levels: Iterable[str | None]) -> str | None:
        return max(levels, key=self.rank, default=None)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rungs": [r.as_dict() for r in self.rungs]}


DEFAULT_LADDER = Ladder((Rung("蓝", "committed", before=2), Rung("黄", "committed"), Rung("红", "legal")))


def procedure_problem(procedure: str | None) -> str:
    """Why `procedure` cannot suspend a step (a missing name, or one that is not in PROCEDURES)."""
    if not procedure:
        return _("suspend needs the special procedure (特别程序): one of {procedures}").format(
            procedures=", ".join(PROCEDURES))
    guess = closest(procedure, PROCEDURES)
    did = f" {did_you_mean(guess)}" if guess else ""
    return _("'{procedure}' is not a special procedure whose time does not count (行政许可法 art.45);{did} "
             "use one of {procedures}").format(procedure=procedure, did=did, procedures=", ".join(PROCEDURES))


def shifts(case: Case, extra: dict[str, int] | None = None) -> dict[str, int]:
    """Working days each step's committed clock moved: its own pauses plus the longest chain of
    pauses before it (with `extra` paused days added to some steps)."""
    shift: dict[str, int] = {}
    for sid, r in case.steps.items():  # topological order
        own = r.paused_days + (extra or {}).get(sid, 0)
        shift[sid] = own + max((shift[n] for n in r.needs), default=0)
    return shift


def moved_clocks(case: Case, run: StepRun, paused: int, cal: WorkCalendar) -> dict[str, Any]:
    """The payload of a pause's end: where `paused` more working days of `run` move the committed
    deadlines (the step and every step after it), the step's legal deadline and the case's."""
    shift = shifts(case, {run.id: paused})
    out: dict[str, Any] = {"deadlines": {}}
    for sid, r in case.steps.items():
        new = cal.add_workdays(case.opened_on, r.latest_finish + shift[sid])
        if new != r.deadline:
            out["deadlines"][sid] = new.isoformat()
    if run.legal_days is not None and run.accepted_on is not None and run.legal_deadline is not None:
        out["legal_deadline"] = cal.add_workdays(run.accepted_on, run.legal_days + run.paused_days + paused).isoformat()
    longest = max(shift.values(), default=0)
    clocks = {}
    for key, days, current in (("committed", case.commitment, case.committed_deadline),
                               ("legal", case.legal_days, case.legal_deadline)):
        if days is not None and current is not None:
            new = cal.add_workdays(case.opened_on, days + longest)
            if new != current:
                clocks[key] = new.isoformat()
    if clocks:
        out["clocks"] = clocks
    return out


def ladder_of(definition: dict[str, Any] | None, pinned: Sequence[dict[str, Any]] | None = None) -> Ladder:
    """A case's ladder: the one pinned at its opening, else its definition's, else the default."""
    raw = pinned if pinned is not None else (definition or {}).get("warnings")
    return Ladder.from_raw(raw, "definition") if raw else DEFAULT_LADDER


def load_ladder(path: str | Path) -> Ladder:
    """A ladder file (YAML with a `warnings:` list): checked against schemas/warnings.schema.json
    and for repeated levels; the first problem raises LadderError as ``path:line:col: message``."""
    from engine.validation.checks import repeated_levels
    from engine.validation.loader import load_file
    from engine.validation.schema import check

    loaded = load_file(Path(path))
    diags = [d for d in loaded.diagnostics if d.is_error]
    if not diags:
        diags = [d for d in check(loaded.data, loaded.positions, str(path), "warnings") if d.is_error]
    if not diags:
        diags = repeated_levels(loaded.data.get("warnings", []), str(path), loaded.positions.at)
    if diags:
        d = min(diags)
        hint = _(" (hint: {hint})").format(hint=d.hint) if d.hint else ""
        raise LadderError(f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}{hint}")
    return Ladder.from_raw(loaded.data["warnings"], str(path))
