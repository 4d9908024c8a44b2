"""Render a static HTML site: an index of every item and one printable page per item."""
from __future__ import annotations

import argparse
import math
import sys
from datetime import date

from engine.cli.common import add_catalog, date_arg


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="definition files or folders")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder for the site (created if needed; pages an earlier run wrote there are replaced;"
                             " left untouched when any definition has errors)")
    parser.add_argument("--start", metavar="DATE", type=date_arg,
                        help="acceptance date (YYYY-MM-DD): show calendar dates from the working-day calendar")
    parser.add_argument("--calendar", metavar="DIR",
                        help="folder of YYYY.yaml calendar files for --start (default: $LIANBAN_CALENDAR_DIR, "
                             "else the calendar/ folder of the definitions tree, else the nearest "
                             "definitions/calendar/)")
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import load_valid
    from engine.flow.analysis import analyze
    from engine.locations import calendar_dir
    from engine.outputs.html.pages import SiteError, build, publish
    from engine.outputs.html.svg import DateOf
    from engine.workdays.calendar import WorkCalendar

    items, code = load_valid(args.paths, args.catalog)
    if code:
        # Publish all or nothing: an item left out of this run would lose its page (stale
        # pages are deleted), so a typo in one definition must not take a page off the site.
        print(f"lianban: render: not published: fix the errors above and render again; "
              f"nothing in {args.out} was changed", file=sys.stderr)
        return code
    analyses = [analyze(i) for i in items]
    date_of: DateOf | None = None
    try:
        if args.start is not None:
            calendar = WorkCalendar.from_dir(calendar_dir(args.calendar, args.paths))
            start: date = args.start

            def date_of_workday(d: float) -> date:
                return calendar.add_workdays(start, math.ceil(d))

            date_of = date_of_workday
        pages = build(analyses, date_of)
        done = publish(args.out, pages)
    except OSError as exc:
        raise SiteError(str(exc)) from exc
    print(f"wrote {len(done.written)} page(s) to {done.directory}"
          + (f"; removed {len(done.removed)} stale page(s)" if done.removed else ""))
    return code
