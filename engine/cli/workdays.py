"""Working-day arithmetic on China's official calendar: deadlines, counts and where each year comes from.

  lianban workdays add 2021-09-29 3        -> 2021-10-09 (the acceptance day does not count)
  lianban workdays between 2021-09-29 2021-10-09
  lianban workdays sources

A year with no official arrangement yet (no notice, e.g. 2027 with chinesecalendar 1.11.0)
is counted provisionally from the statutory holidays; every answer that reads one says so
(text: PROVISIONAL; JSON: "provisional": true and "provisional_years").
Exit codes: 0 done; 2 a bad date or number, or a year the calendar does not cover.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from engine.cli.common import date_arg
from engine.i18n import N_, _

if TYPE_CHECKING:
    from engine.workdays.calendar import WorkCalendar

DESCRIPTION = N_("Working-day arithmetic on China's official calendar: deadlines, counts and where each year comes from.")
_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _days(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        n = math.nan
    if not math.isfinite(n) or n < 0:
        message = _("'{text}' is not a number of working days (a number >= 0, halves allowed)")
        raise argparse.ArgumentTypeError(message.format(text=text))
    return n


def add_calendar(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calendar", metavar="DIR",
                        help=_("folder of YYYY.yaml calendar files (default: $LIANBAN_CALENDAR_DIR, else the "
                               "nearest definitions/calendar/)"))
    parser.add_argument("--official-only", action="store_true",
                        help=_("refuse to count a year with no official arrangement (no provisional years)"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True, parser_class=type(parser))
    add = sub.add_parser("add", help=_("the deadline N working days after DATE"))
    add.add_argument("start", type=date_arg, metavar="DATE", help=_("the day of acceptance (does not count)"))
    add.add_argument("n", type=_days, metavar="N", help=_("working days (fractions round up)"))
    between = sub.add_parser("between", help=_("working days after A up to and including B"))
    between.add_argument("start", type=date_arg, metavar="A")
    between.add_argument("end", type=date_arg, metavar="B")
    sub.add_parser("sources", help=_("every year the calendar covers and where it comes from"))
    for p in (add, between, sub.choices["sources"]):
        add_calendar(p)
        p.add_argument("--format", choices=["text", "json"], default="text", help=_("output format (default: text)"))


def load_calendar(directory: str | None, official_only: bool = False) -> WorkCalendar:
    """The calendar for --calendar DIR (or the default); a bad folder or file is a usage error."""
    from engine.locations import calendar_dir
    from engine.workdays.calendar import WorkCalendar

    return WorkCalendar.from_dir(calendar_dir(directory), provisional=not official_only)


def warn(lines: list[str]) -> None:
    """Print date-sanity warnings to standard error, one line each."""
    for line in lines:
        print(_("lianban: warning: {message}").format(message=line), file=sys.stderr)


def provisional_note(years: list[int]) -> str:
    """The line every text answer that read a provisional year ends with."""
    return _("  PROVISIONAL: {years} has no official holiday arrangement yet: counted from the statutory holidays "
             "and weekends only (no 调休); the date may move when the State Council's notice is imported "
             "(lianban calendar import)").format(years=", ".join(map(str, years)))


def run(args: argparse.Namespace) -> int:
    cal = load_calendar(args.calendar, args.official_only)
    out, text = _VERBS[args.verb](cal, args)
    warn(out.get("warnings", []))
    print(json.dumps(out, ensure_ascii=False, indent=2) if args.format == "json" else text)
    return 0


def _add(cal: WorkCalendar, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from engine.units import json_number
    from engine.workdays.sanity import rest_day_warning

    end = cal.add_workdays(args.start, args.n)
    sources = cal.sources_between(args.start, end)
    n = json_number(args.n)
    holidays = [h.describe() for h in cal.holiday_spans(args.start, end)]
    provisional = [s.year for s in sources if s.provisional]
    warning = rest_day_warning(cal, args.start, counts=True) if args.n else None
    out = {"start": args.start.isoformat(), "days": n, "deadline": end.isoformat(),
           "holidays": holidays, "sources": [s.as_dict() for s in sources],
           "provisional": bool(provisional), "provisional_years": provisional, "warnings": [warning] if warning else []}
    lines = [end.isoformat() + (_(" (provisional)") if provisional else ""),
             _("  {n} working day(s) after {start} ({weekday}; the day of acceptance does not count) -> "
               "{end} ({end_weekday})").format(n=n, start=args.start, weekday=_(_WEEKDAYS[args.start.weekday()]),
                                               end=end, end_weekday=_(_WEEKDAYS[end.weekday()]))]
    if holidays:
        lines.append(_("  holidays skipped: {holidays}").format(holidays=", ".join(holidays)))
    lines += [_("  calendar {source}").format(source=s.describe()) for s in sources]
    if provisional:
        lines.append(provisional_note(provisional))
    return out, "\n".join(lines)


def _between(cal: WorkCalendar, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    count = cal.workdays_between(args.start, args.end)
    sources = cal.sources_between(args.start, args.end)
    provisional = [s.year for s in sources if s.provisional]
    out = {"start": args.start.isoformat(), "end": args.end.isoformat(), "workdays": count,
           "sources": [s.as_dict() for s in sources], "provisional": bool(provisional),
           "provisional_years": provisional}
    lines = [str(count) + (_(" (provisional)") if provisional else ""),
             _("  working days after {start} up to and including {end}").format(start=args.start, end=args.end)]
    lines += [_("  calendar {source}").format(source=s.describe()) for s in sources]
    if provisional:
        lines.append(provisional_note(provisional))
    return out, "\n".join(lines)


def _sources(cal: WorkCalendar, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    sources = [cal.source(y) for y in cal.covered_years()]
    runs = _runs(cal.provisional_years())
    out: dict[str, Any] = {"years": [s.as_dict() for s in sources],
                           "provisional": [{"first": a, "last": b, "kind": "provisional",
                                            "detail": cal.source(a).detail} for a, b in runs]}
    rows = [(s.year, s.describe()) for s in sources]
    rows += [(a, _("{first}–{last}: PROVISIONAL, no official arrangement yet: {detail}").format(
        first=a, last=b, detail=cal.source(a).detail) if b > a else cal.source(a).describe()) for a, b in runs]
    lines = [line for _year, line in sorted(rows)]
    if not lines:
        return out, _("no year is covered: install chinesecalendar or add definitions/calendar/YYYY.yaml")
    return out, "\n".join(lines)


def _runs(years: list[int]) -> list[tuple[int, int]]:
    """[2027, 2028, 2029] -> [(2027, 2029)]: consecutive years as (first, last)."""
    runs: list[tuple[int, int]] = []
    for y in years:
        if runs and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


_VERBS = {"add": _add, "between": _between, "sources": _sources}
