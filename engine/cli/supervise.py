"""督办: per department and per step, how cases actually went (on-time rates, days used, overdue steps).

  lianban supervise --from 2021-01-01 --to 2021-12-31
  lianban supervise --format html --output 督办通报.html
  lianban supervise --department 税务局 --format json

Simulated cases (`lianban simulate`) are left out, and counted as left out, unless
--include-simulated. Exit codes: 0 done; 2 usage, store or calendar problems. docs/supervision.md.
"""
from __future__ import annotations

import argparse
from datetime import date

from engine.cli.common import add_catalog, date_arg, emit
from engine.cli.workdays import add_calendar, load_calendar
from engine.i18n import N_, _

DESCRIPTION = N_("督办: per department and per step, how cases actually went (on-time rates, days used, overdue steps).")

FORMATS = ("text", "json", "markdown", "html")  # engine.outputs.supervision.FORMATS, without importing it


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engine.cli.case import add_ladder

    parser.add_argument("--db", metavar="PATH", help=_("case store (default: $LIANBAN_DB, else the user data folder)"))
    parser.add_argument("--from", dest="start", type=date_arg, metavar="DATE",
                        help=_("count what happened from DATE on (default: from the first case)"))
    parser.add_argument("--to", dest="end", type=date_arg, metavar="DATE",
                        help=_("count up to DATE, and judge overdue steps on it (default: today)"))
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help=_("write to FILE (atomically) instead of standard output"))
    parser.add_argument("--department", metavar="NAME", help=_("only this department's steps (catalog names and aliases)"))
    parser.add_argument("--include-simulated", action="store_true",
                        help=_("count simulated cases too (they are left out by default, and the report says how many)"))
    parser.add_argument("--top", type=int, default=50, metavar="N", help=_("list the N most overdue steps (default 50)"))
    add_calendar(parser)
    add_ladder(parser)
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.cases.store import open_store
    from engine.cli.case import load_ladder_arg
    from engine.errors import UsageError
    from engine.outputs.supervision import FORMATS as RENDER
    from engine.supervision.report import Period, supervise

    end = args.end or date.today()
    if args.start is not None and args.start > end:
        raise UsageError(_("--from {start} is after --to {end}").format(start=args.start, end=end))
    if args.top < 0:
        raise UsageError(_("--top must be 0 or more, not {n}").format(n=args.top))
    department = _department(args.department, args.catalog) if args.department else None
    calendar, ladder = load_calendar(args.calendar, args.official_only), load_ladder_arg(args.ladder)
    store = open_store(args.db, create=False)
    try:
        report = supervise(store, calendar, Period(args.start, end), department=department,
                           include_simulated=args.include_simulated, ladder=ladder, top=args.top)
    finally:
        store.close()
    emit(RENDER[args.format](report), args.output)
    return 0


def _department(name: str, catalog: str | None) -> str:
    from engine.cli.common import department_name

    return department_name(name, catalog)
