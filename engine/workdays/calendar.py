"""China's official working-day calendar (法定节假日 and 调休) and deadline counting.

The years come from the ``chinesecalendar`` package (import name ``chinese_calendar``)
and from calendar files (``definitions/calendar/YYYY.yaml``, schema
``schemas/calendar.schema.json``) that add a year the package does not know yet or
correct one it does. A later year that neither gives (no notice published yet) is
*provisional*: its statutory holidays (``engine.workdays.statute``) and weekends, with no
调休, and every answer that reads it says so. Counting rule (docs/workdays.md): the day of acceptance does not
count; the Nth working day after it is the deadline; a fractional N rounds up; N = 0 is
the acceptance day itself.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

from engine.i18n import _
from engine.workdays.errors import CalendarError
from engine.workdays.files import FileYear, check_file, load_file

try:
    from chinese_calendar import constants as _cc
except ImportError:  # declared as a dependency; degrade to "files only" with a clear message
    _cc = None

__all__ = ["CalendarError", "HolidaySpan", "WorkCalendar", "YearSource", "check_file"]

_PACKAGE_NAMES = {  # chinese_calendar.Holiday values -> the names used in the State Council's notices
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

PROVISIONAL = "provisional"


@dataclass(frozen=True)
class YearSource:
    year: int
    kind: str  # "package" | "file" | "file+package" (the file corrects the package's year) | "provisional"
    detail: str  # e.g. "chinesecalendar 1.11.0", or the file path, or the law and lunar tables of a provisional year
    notice: str | None = None  # the file's `source`: the State Council notice it was taken from

    @property
    def provisional(self) -> bool:
        """True for a year with no official arrangement: statutory holidays and weekends only."""
        return self.kind == PROVISIONAL

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "kind": self.kind, "detail": self.detail, "notice": self.notice}

    def describe(self) -> str:
        """One line: ``2021: chinesecalendar 1.11.0`` (with the notice when a file gives one)."""
        if self.provisional:
            return _("{year}: PROVISIONAL, no official arrangement yet: {detail}").format(
                year=self.year, detail=self.detail)
        return f"{self.year}: {self.detail}" + (f" ({self.notice})" if self.notice else "")


@dataclass(frozen=True)
class HolidaySpan:
    """Consecutive days off for one holiday, as counting skips them."""
    name: str
    first: date
    last: date

    def describe(self) -> str:
        """``国庆节 2021-10-01…10-07`` (one day: ``元旦 2022-01-01``)."""
        return f"{self.name} {self.first}" + (f"…{self.last:%m-%d}" if self.last != self.first else "")


def _package_version() -> str:
    try:
        return metadata.version("chinesecalendar")
    except metadata.PackageNotFoundError:
        return str(getattr(_cc, "__version__", "?"))


def _package_years() -> range:
    if _cc is None or not _cc.holidays:
        return range(0)
    return range(min(_cc.holidays).year, max(_cc.holidays).year + 1)


@dataclass(frozen=True)
class _Year:
    ordinals: list[int]  # the year's working days, as sorted date ordinals
    working: frozenset[int]
    names: dict[date, str]  # days off because of a holiday -> Chinese name


class WorkCalendar:
    """Working days of mainland China's official calendar (package years + calendar files).

    With *provisional* (the default), a year no official source gives is counted from the
    statutory holidays and weekends alone (no 调休), when it lies after the first official year
    and no later than the lunar tables' end (2100): see :meth:`source` and docs/workdays.md.
    """

    def __init__(self, files: Iterable[Path] = (), *, use_package: bool = True, provisional: bool = True):
        self._use_package = use_package and _cc is not None
        self._provisional = provisional
        self._files: dict[int, FileYear] = {}
        for f in files:
            fy = load_file(Path(f))
            if fy.year in self._files:
                raise CalendarError(_("{path}: year {year} is already given by {other}; keep one file per year").format(
                    path=fy.path, year=fy.year, other=self._files[fy.year].path))
            self._files[fy.year] = fy
        self._years: dict[int, _Year] = {}

    @classmethod
    def from_dir(cls, directory: Path | None, *, provisional: bool = True) -> WorkCalendar:
        """Load every *.yaml in `directory`; None or a missing directory -> package only."""
        if directory is None or not Path(directory).is_dir():
            return cls(provisional=provisional)
        return cls(sorted(Path(directory).glob("*.yaml")), provisional=provisional)

    # -- coverage -----------------------------------------------------------------
    def _package_knows(self, year: int) -> bool:
        return self._use_package and year in _package_years()

    def covered_years(self) -> list[int]:
        """The years an official source gives (package or file); provisional years are not listed."""
        years = set(self._files)
        if self._use_package:
            years.update(_package_years())
        return sorted(years)

    def _official(self, year: int) -> bool:
        return year in self._files or self._package_knows(year)

    def _provisional_range(self) -> range:
        """The years that may be provisional (those not official): after the first official year
        (from 2000 when there is none) up to the lunar tables' end."""
        from engine.workdays.statute import FIRST_YEAR, LAST_YEAR

        if not self._provisional:
            return range(0)
        official = self.covered_years()
        return range(max(official[0] + 1 if official else FIRST_YEAR, FIRST_YEAR), LAST_YEAR + 1)

    def is_provisional(self, year: int) -> bool:
        """True when *year* is counted provisionally (no official source, within the provisional range)."""
        return not self._official(year) and year in self._provisional_range()

    def provisional_years(self) -> list[int]:
        """Every year that would be counted provisionally (e.g. 2027–2100 with chinesecalendar 1.11.0)."""
        return [y for y in self._provisional_range() if not self._official(y)]

    def _uncovered(self, year: int) -> CalendarError:
        if self._use_package:
            known = _package_years()
            what = _("chinesecalendar {version} knows {first}–{last}").format(
                version=_package_version(), first=known.start, last=known.stop - 1)
        elif _cc is None:
            what = _("the chinesecalendar package is not installed (pip install chinesecalendar)")
        else:
            what = _("the chinesecalendar package is switched off")
        files = ", ".join(map(str, sorted(self._files))) or _("none")
        provisional = self.provisional_years()
        if provisional:
            what += _("; provisional years: {first}–{last}").format(first=provisional[0], last=provisional[-1])
        return CalendarError(
            _("no working-day calendar for {year}: {what}; calendar files cover: {files}. "
              "Add definitions/calendar/{year}.yaml from the State Council's notice "
              "(国务院办公厅关于{year}年部分节假日安排的通知), or upgrade chinesecalendar").format(
                  year=year, what=what, files=files))

    def _provisional_source(self, year: int) -> YearSource:
        from engine.workdays.statute import law_for, lunar_package

        detail = _("statutory holidays of {law}, lunar dates from {package}; weekends off; no 调休 known").format(
            law=law_for(year).title, package=lunar_package())
        return YearSource(year, PROVISIONAL, detail)

    def source(self, year: int) -> YearSource:
        fy = self._files.get(year)
        if fy is not None:
            if self._package_knows(year) and not fy.replaces_package:
                return YearSource(year, "file+package", _("{path} over chinesecalendar {version}").format(
                    path=fy.path, version=_package_version()), fy.notice)
            return YearSource(year, "file", str(fy.path), fy.notice)
        if self._package_knows(year):
            return YearSource(year, "package", f"chinesecalendar {_package_version()}")
        if self.is_provisional(year):
            return self._provisional_source(year)
        raise self._uncovered(year)

    # -- per-year tables ----------------------------------------------------------
    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        fy = self._files.get(year)
        pkg = self._package_knows(year) and not (fy is not None and fy.replaces_package)
        statutory: dict[date, str] = {}
        if fy is None and not pkg:
            if not self.is_provisional(year):
                raise self._uncovered(year)
            from engine.workdays.statute import statutory_days

            statutory = statutory_days(year)
        ordinals: list[int] = []
        names: dict[date, str] = {}
        d, end = date(year, 1, 1), date(year, 12, 31)
        while d <= end:
            if d in statutory:  # a provisional year: the law's days, never moved (no 调休, no 补假)
                working, name = False, statutory[d]
            elif fy is not None and d in fy.off:
                working, name = False, fy.off[d]
            elif (fy is not None and d in fy.on) or (pkg and d in _cc.workdays):
                working, name = True, None
            elif pkg and d in _cc.holidays:
                working, name = False, _PACKAGE_NAMES.get(_cc.holidays[d], _cc.holidays[d])
            else:
                working, name = d.weekday() < 5, None
            if working:
                ordinals.append(d.toordinal())
            elif name:
                names[d] = name
            d += timedelta(days=1)
        result = self._years[year] = _Year(ordinals, frozenset(ordinals), names)
        return result

    # -- queries ------------------------------------------------------------------
    def is_workday(self, d: date) -> bool:
        d = _as_date(d)
        return d.toordinal() in self._year(d.year).working

    def holiday_name(self, d: date) -> str | None:
        """The holiday's Chinese name (e.g. "国庆节") if `d` is a day off for a holiday, else None."""
        d = _as_date(d)
        return self._year(d.year).names.get(d)

    def add_workdays(self, start: date, n: float) -> date:
        """The deadline N working days after `start` (the acceptance day does not count).

        A fractional N rounds up (0.5 -> the 1st working day after `start`); N = 0 -> `start`.
        """
        start = _as_date(start)
        if isinstance(n, bool) or not isinstance(n, (int, float)) or not math.isfinite(n) or n < 0:
            raise ValueError(f"a number of working days must be a finite number >= 0, not {n!r}")
        left = math.ceil(n)
        if left == 0:
            return start
        # Counting starts the day after `start`: its year is the first one consulted (the year of
        # `start` itself is not needed when `start` is 31 December).
        if start == date.max:
            raise CalendarError(_("no working day after {date}").format(date=start))
        first = start + timedelta(days=1)
        year = first.year
        table = self._year(year).ordinals
        i = bisect.bisect_left(table, first.toordinal())
        while i + left > len(table):
            left -= len(table) - i
            year += 1
            table, i = self._year(year).ordinals, 0
        return date.fromordinal(table[i + left - 1])

    def years_consulted(self, start: date, end: date) -> range:
        """The years whose calendar counting from `start` to `end` reads (either order): those
        of the days after the earlier date up to and including the later; none if they are equal."""
        lo, hi = sorted((_as_date(start), _as_date(end)))
        if lo == hi:
            return range(0)
        return range((lo + timedelta(days=1)).year, hi.year + 1)

    def holiday_spans(self, start: date, end: date) -> list[HolidaySpan]:
        """The holidays skipped after *start* up to and including *end*, run by run."""
        spans: list[HolidaySpan] = []
        if _as_date(start) >= date.max:
            return spans
        d = _as_date(start) + timedelta(days=1)
        while d <= end:
            name = self.holiday_name(d)
            if name:
                if spans and spans[-1].name == name and spans[-1].last == d - timedelta(days=1):
                    spans[-1] = HolidaySpan(name, spans[-1].first, d)
                else:
                    spans.append(HolidaySpan(name, d, d))
            d += timedelta(days=1)
        return spans

    def sources_between(self, start: date, end: date) -> list[YearSource]:
        """Where each year that counting from *start* to *end* reads comes from."""
        return [self.source(y) for y in self.years_consulted(start, end)]

    def provisional_between(self, start: date, end: date) -> list[int]:
        """The provisional years that counting from *start* to *end* reads (empty: every date is official)."""
        return [y for y in self.years_consulted(start, end) if self.is_provisional(y)]

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.workdays_between(end, start)
        if end == start:
            return 0
        lo, hi, count = start.toordinal(), end.toordinal(), 0
        for year in self.years_consulted(start, end):
            table = self._year(year).ordinals
            count += bisect.bisect_right(table, hi) - bisect.bisect_right(table, lo)
        return count


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, not {type(d).__name__}")
    return d
