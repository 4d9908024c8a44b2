"""Working-day arithmetic on China's official calendar: deadlines, counts and where each year comes from.

  lianban workdays add 2021-09-29 3        -> 2021-10-09 (the acceptance day does not count)
  lianban workdays between 2021-09-29 2021-10-09
  lianban workdays sources

Exit codes: 0 done; 2 a bad date or number, or a year the calendar does not cover.
"""
from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING, Any

from engine.cli.common import date_arg

if TYPE_CHECKING:
    from engine.workdays.calendar import WorkCalendar

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _days(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        n = math.nan
    if not math.isfinite(n) or n < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of working days (a number >= 0, halves allowed)")
    return n


def add_calendar(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calendar", metavar="DIR",
                        help="folder of YYYY.yaml calendar files (default: $LIANBAN_CALENDAR_DIR, else the "
                             "nearest definitions/calendar/)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True, parser_class=type(parser))
    add = sub.add_parser("add", help="the deadline N working days after DATE")
    add.add_argument("start", type=date_arg, metavar="DATE", help="the day of acceptance (does not count)")
    add.add_argument("n", type=_days, metavar="N", help="working days (fractions round up)")
    between = sub.add_parser("between", help="working days after A up to and including B")
    between.add_argument("start", type=date_arg, metavar="A")
    between.add_argument("end", type=date_arg, metavar="B")
    sub.add_parser("sources", help="every year the calendar covers and where it comes from")
    for p in (add, between, sub.choices["sources"]):
        add_calendar(p)
        p.add_argument("--format", choices=["text", "json"], default="text")


def load_calendar(directory: str | None) -> WorkCalendar:
    """The calendar for --calendar DIR (or the default); a bad folder or file is a usage error."""
    from engine.locations import calendar_dir
    from engine.workdays.calendar import WorkCalendar

    return WorkCalendar.from_dir(calendar_dir(directory))


def run(args: argparse.Namespace) -> int:
    cal = load_calendar(args.calendar)
    out, text = _VERBS[args.verb](cal, args)
    print(json.dumps(out, ensure_ascii=False, indent=2) if args.format == "json" else text)
    return 0


def _add(cal: WorkCalendar, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from engine.units import json_number

    end = cal.add_workdays(args.start, args.n)
    sources = cal.sources_between(args.start, end)
    n = json_number(args.n)
    holidays = [h.describe() for h in cal.holiday_spans(args.start, end)]
    out = {"start": args.start.isoformat(), "days": n, "deadline": end.isoformat(),
           "holidays": holidays, "sources": [s.as_dict() for s in sources]}
    lines = [end.isoformat(),
             (f"  {n} working day(s) after {args.start} ({_WEEKDAYS[args.start.weekday()]}; the day of acceptance "
              f"does not count) -> {end} ({_WEEKDAYS[end.weekday()]})")]
    if holidays:
        lines.append(f"  holidays skipped: {', '.join(holidays)}")
    lines += [f"  calendar {s.describe()}" for s in sources]
    return out, "\n".join(lines)


def _between(cal: WorkCalendar, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    count = cal.workdays_between(args.start, args.end)
    sources = cal.sources_between(args.start, args.end)
    out = {"start": args.start.isoformat(), "end": args.end.isoformat(), "workdays": count,
           "sources": [s.as_dict() for s in sources]}
    lines = [str(count), f"  working days after {args.start} up to and including {args.end}"]
    lines += [f"  calendar {s.describe()}" for s in sources]
    return out, "\n".join(lines)


def _sources(cal: WorkCalendar, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    sources = [cal.source(y) for y in cal.covered_years()]
    out = {"years": [s.as_dict() for s in sources]}
    if not sources:
        return out, "no year is covered: install chinesecalendar or add definitions/calendar/YYYY.yaml"
    return out, "\n".join(s.describe() for s in sources)


_VERBS = {"add": _add, "between": _between, "sources": _sources}
