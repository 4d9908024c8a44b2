"""Render a static HTML site: an index of every item and one printable page per item."""
from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from engine.cli.common import add_catalog


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="definition files or folders")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder for the site (created if needed; pages an earlier run wrote there are replaced;"
                             " left untouched when any definition has errors)")
    parser.add_argument("--start", metavar="DATE", type=_iso_date,
                        help="acceptance date (YYYY-MM-DD): show calendar dates from the working-day calendar")
    parser.add_argument("--calendar", metavar="DIR",
                        help="folder of YYYY.yaml calendar files for --start (default: $LIANBAN_CALENDAR_DIR, "
                             "else the calendar/ folder of the definitions tree, else the nearest "
                             "definitions/calendar/)")
    add_catalog(parser)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


def tree_calendar_dir(paths: Sequence[str]) -> Path | None:
    """The ``calendar/`` folder of the definitions tree holding *paths*: for each path, the nearest
    folder (the path itself if it is a folder, else its ancestors) that has a ``calendar/``
    sub-folder, as catalog_dir_for finds ``catalog/``.  None when no path is in such a tree.
    Paths in trees with different calendar folders are a usage error (pass --calendar)."""
    from engine.errors import LianbanError

    found: dict[Path, str] = {}
    for text in paths:
        path = Path(text).resolve()
        for base in ([path] if path.is_dir() else []) + list(path.parents):
            candidate = base / "calendar"
            if candidate.is_dir() and candidate != path:
                found.setdefault(candidate, text)
                break
    if len(found) > 1:
        where = "; ".join(f"{p} (for {t})" for p, t in found.items())
        raise LianbanError(f"the definitions come from trees with different calendar folders: {where}; "
                           "choose one with --calendar DIR")
    return next(iter(found), None)


def calendar_dir(args: argparse.Namespace) -> Path | None:
    """--calendar, else $LIANBAN_CALENDAR_DIR, else the rendered tree's calendar/, else the default."""
    from engine.workdays.calendar import default_calendar_dir

    if args.calendar is not None:
        return Path(args.calendar)
    if os.environ.get("LIANBAN_CALENDAR_DIR"):
        return default_calendar_dir()
    return tree_calendar_dir(args.paths) or default_calendar_dir()


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import load_valid
    from engine.cli.workdays import load_calendar
    from engine.flow.analysis import analyze
    from engine.outputs.html.pages import SiteError, build, publish
    from engine.outputs.html.svg import DateOf

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
            where = calendar_dir(args)
            calendar = load_calendar(str(where) if where is not None else None)
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
