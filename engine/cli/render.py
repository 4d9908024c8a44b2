"""Render a static HTML site: an index of every item and one printable page per item."""
from __future__ import annotations

import argparse
import sys

from engine.cli.common import add_catalog, date_arg
from engine.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="definition files or folders")
    parser.add_argument("--out", required=True, metavar="DIR", type=_folder,
                        help="folder for the site (created if needed; pages an earlier run wrote there are replaced;"
                             " left untouched when any definition has errors)")
    parser.add_argument("--start", metavar="DATE", type=date_arg,
                        help="acceptance date (YYYY-MM-DD): show calendar dates from the working-day calendar")
    parser.add_argument("--calendar", metavar="DIR",
                        help="folder of YYYY.yaml calendar files for --start (default: $LIANBAN_CALENDAR_DIR, "
                             "else the calendar/ folder of the definitions tree, else the nearest "
                             "definitions/calendar/)")
    add_catalog(parser)


def _folder(text: str) -> str:
    """--out: an empty path (an unset shell variable) would be the working folder: refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError(_("an empty path would publish into the working folder: "
                                           "name a folder (--out . if you mean the working folder)"))
    return text


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import load_valid
    from engine.flow.analysis import analyze
    from engine.locations import calendar_dir
    from engine.outputs.html.dates import workday_dates
    from engine.outputs.html.pages import build
    from engine.outputs.html.publish import publish
    from engine.workdays.calendar import WorkCalendar

    items, code = load_valid(args.paths, args.catalog)
    if code:
        # Publish all or nothing: an item left out of this run would lose its page (stale
        # pages are deleted), so a typo in one definition must not take a page off the site.
        print(f"lianban: render: not published: fix the errors above and render again; "
              f"nothing in {args.out} was changed", file=sys.stderr)
        return code
    date_of = None
    if args.start is not None:
        date_of = workday_dates(WorkCalendar.from_dir(calendar_dir(args.calendar, args.paths)), args.start)
    done = publish(args.out, build([analyze(i) for i in items], date_of))
    print(f"wrote {len(done.written)} page(s) to {done.directory}"
          + (f"; removed {len(done.removed)} stale page(s)" if done.removed else ""))
    return code
