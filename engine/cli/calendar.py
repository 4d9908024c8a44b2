"""Calendar files from the State Council's holiday notices.

  lianban calendar import NOTICE.txt                 -> definitions/calendar/YYYY.yaml
  lianban calendar import NOTICE.txt -o 2027.yaml --force
  lianban calendar import NOTICE.txt -o -            (print the file, write nothing)

NOTICE.txt holds the text of 国务院办公厅关于YYYY年部分节假日安排的通知 as published (UTF-8).
The notice is checked (weekdays, 共N天, days off and make-up days, the statutory days of the law
in force that year) and the calendar file with it (schemas/calendar.schema.json) before anything
is written, atomically; an existing file is replaced only with --force.
Exit codes: 0 written; 1 the notice was refused (every problem located, its clause quoted);
2 the file cannot be read, is not UTF-8 text or is empty, or the output exists or cannot be written.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.i18n import N_, _, os_reason

DESCRIPTION = N_("Calendar files from the State Council's holiday notices.")

if TYPE_CHECKING:
    from engine.workdays.notice_check import Imported


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True, parser_class=type(parser))
    p = sub.add_parser("import", help=_("turn the text of a State Council holiday notice into YYYY.yaml"))
    p.add_argument("notice", metavar="NOTICE", help=_("the notice's text (UTF-8), as published on gov.cn"))
    p.add_argument("-o", "--output", metavar="PATH",
                   help=_("the calendar file to write ('-': print it; default: YYYY.yaml in $LIANBAN_CALENDAR_DIR, "
                          "else the nearest definitions/calendar/)"))
    p.add_argument("--force", action="store_true", help=_("replace an existing calendar file"))
    p.add_argument("--format", choices=["text", "json"], default="text", help=_("output format (default: text)"))


def run(args: argparse.Namespace) -> int:
    from engine.errors import LianbanError
    from engine.validation.loader import read_regular
    from engine.workdays.notice import MAX_BYTES
    from engine.workdays.notice_check import import_notice

    try:
        raw = read_regular(args.notice, MAX_BYTES + 1)  # a FIFO or a device is refused, never waited on
    except OSError as exc:
        raise LianbanError(_("cannot read {path}: {reason}").format(
            path=args.notice, reason=os_reason(exc))) from None
    imported = import_notice(raw, args.notice, Path(args.output) if args.output not in (None, "-") else None)
    if args.output == "-":
        sys.stdout.write(imported.text)
        return 0
    target = _target(args.output, imported.notice.year)
    _write(target, imported.text, args.force)
    summary = _summary(imported, target)
    if args.format == "json":
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(_text(imported, summary))
    return 0


def _target(output: str | None, year: int) -> Path:
    from engine.errors import UsageError
    from engine.locations import default_calendar_dir

    if output:
        return Path(output)
    folder = default_calendar_dir()
    if folder is None:
        raise UsageError(_("no definitions/calendar/ folder here: name the file to write with -o PATH"))
    return folder / f"{year}.yaml"


def _write(target: Path, text: str, force: bool) -> None:
    from engine.errors import LianbanError
    from engine.fileio import write_atomic

    if target.is_dir():
        raise LianbanError(_("{path} is a folder: name the calendar file to write").format(path=target))
    if target.exists() and not force:
        raise LianbanError(_("{path} exists: compare it with `lianban calendar import NOTICE -o -`, "
                             "or replace it with --force").format(path=target))
    try:
        write_atomic(target, text, through=True)  # -o through a symbolic link writes its target
    except OSError as exc:
        raise LianbanError(_("cannot write {path}: {reason}").format(
            path=target, reason=os_reason(exc))) from exc


def _summary(imported: Imported, target: Path) -> dict[str, Any]:
    notice = imported.notice
    year = notice.year
    day, working = date(year, 1, 1), 0
    while day.year == year:
        working += day in imported.on or (day.weekday() < 5 and day not in imported.off)
        day += timedelta(days=1)
    return {"year": year, "source": notice.source, "output": str(target), "clauses": len({b.clause for b in notice.blocks}),
            "days_off": len(imported.off), "make_up_days": len(imported.on), "working_days": working,
            "other_years": [o.as_dict() for o in imported.other_years]}


def _text(imported: Imported, summary: dict[str, Any]) -> str:
    lines = [_("imported {source}").format(source=summary["source"]),
             _("  {year}: {off} days off in {clauses} clause(s), {on} make-up working day(s); {working} working days "
               "in the year").format(year=summary["year"], off=summary["days_off"], clauses=summary["clauses"],
                                     on=summary["make_up_days"], working=summary["working_days"]),
             _("  wrote {path}").format(path=summary["output"])]
    for other in imported.other_years:
        kind = _("day off") if other.off else _("make-up working day")
        lines.append(_("  note: {day} ({name}, {kind}) is in {year}: not written here; the {year} calendar must "
                       "have it").format(day=other.day, name=other.name, kind=kind, year=other.day.year))
    return "\n".join(lines)
