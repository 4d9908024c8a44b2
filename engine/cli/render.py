"""Render a static HTML site: an index of every item and one printable page per item."""
from __future__ import annotations

import argparse
import math
import sys
from datetime import date
from typing import TYPE_CHECKING

from engine.cli.common import add_catalog, date_arg
from engine.i18n import N_, _

DESCRIPTION = N_("Render a static HTML site: an index of every item and one printable page per item.")

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.flow.analysis import Analysis
    from engine.workdays.calendar import WorkCalendar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help=_("definition files or folders"))
    parser.add_argument("--out", required=True, metavar="DIR", type=_folder,
                        help=_("folder for the site (created if needed; pages an earlier run wrote there are replaced;"
                               " left untouched when any definition has errors)"))
    parser.add_argument("--start", metavar="DATE", type=date_arg,
                        help=_("acceptance date (YYYY-MM-DD): show calendar dates from the working-day calendar"))
    parser.add_argument("--calendar", metavar="DIR",
                        help=_("folder of YYYY.yaml calendar files for --start (default: $LIANBAN_CALENDAR_DIR, "
                               "else the calendar/ folder of the definitions tree, else the nearest "
                               "definitions/calendar/)"))
    parser.add_argument("--official-only", action="store_true",
                        help=_("refuse dates in a year with no official holiday arrangement (no provisional years)"))
    add_catalog(parser)


def _folder(text: str) -> str:
    """--out: an empty path (an unset shell variable) would be the working folder: refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError(_("an empty path would publish into the working folder: "
                                           "name a folder (--out . if you mean the working folder)"))
    return text


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import load_valid
    from engine.cli.workdays import warn
    from engine.flow.analysis import analyze
    from engine.locations import calendar_dir
    from engine.outputs.html.dates import workday_dates
    from engine.outputs.html.pages import build
    from engine.outputs.html.publish import publish
    from engine.workdays.calendar import WorkCalendar
    from engine.workdays.sanity import rest_day_warning

    items, code = load_valid(args.paths, args.catalog)
    if code:
        # Publish all or nothing: an item left out of this run would lose its page (stale
        # pages are deleted), so a typo in one definition must not take a page off the site.
        print(_("lianban: render: not published: fix the errors above and render again; "
                "nothing in {dir} was changed").format(dir=args.out), file=sys.stderr)
        return code
    analyses = [analyze(i) for i in items]
    date_of = None
    notes: dict[str, str] = {}
    if args.start is not None:
        calendar = WorkCalendar.from_dir(calendar_dir(args.calendar, args.paths), provisional=not args.official_only)
        date_of = workday_dates(calendar, args.start)
        warning = rest_day_warning(calendar, args.start, counts=True)
        warn([warning] if warning else [])
        notes = provisional_notes(analyses, calendar, args.start)
    done = publish(args.out, build(analyses, date_of, notes))
    print(_("wrote {n} page(s) to {dir}").format(n=len(done.written), dir=done.directory)
          + (_("; removed {n} stale page(s)").format(n=len(done.removed)) if done.removed else ""))
    return code


def provisional_notes(analyses: Sequence[Analysis], calendar: WorkCalendar, start: date) -> dict[str, str]:
    """A visible note for every page whose dates read a year with no official holiday arrangement
    (the index gets one when any item does); the page is in Chinese, like the rest of the site."""
    from engine.outputs.html.pages import INDEX, page_name

    notes: dict[str, str] = {}
    every: set[int] = set()
    for a in analyses:
        m = a.metrics
        last = max(m.serial_days, m.optimized_days, a.item.commitment or 0, 1)  # the gantt axis's span
        years = calendar.provisional_between(start, calendar.add_workdays(start, math.ceil(last)))
        if years:
            every.update(years)
            notes[page_name(a.item.id)] = _note(years)
    if every:
        notes[INDEX] = _note(sorted(every))
    return notes


def _note(years: list[int]) -> str:
    shown = "、".join(f"{y} 年" for y in years)
    return (f"临时日期：{shown}的国务院节假日安排尚未公布，本页落在{shown}的日期按法定节假日和周末推算（未含调休），"
            "安排公布后可能变动。")
