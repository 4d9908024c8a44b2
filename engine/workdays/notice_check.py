"""Check a parsed holiday notice and turn it into a calendar file (``lianban calendar import``).

A notice is refused, with every problem located and its clause quoted, when it contradicts
itself or the law: a holiday in two clauses, a day off twice, a day both off and a make-up
working day, a make-up day that is not a Saturday or Sunday, a date far from the notice's
year, or a statutory day of the law in force that year (``engine.workdays.statute``) that its
holiday's clause leaves out (or no clause for a statutory holiday at all). The calendar file
is then checked by the same code as every ``definitions/calendar`` file before it is written.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from engine.i18n import _
from engine.workdays.notice import Block, Notice, NoticeError, Problem, decode, parse_notice

__all__ = ["Imported", "OtherYearDay", "calendar_text", "check_notice", "import_notice"]


@dataclass(frozen=True)
class OtherYearDay:
    """A day the notice gives that lies in another year (2022-12-31 in the 2023 notice): not written."""
    day: date
    name: str
    off: bool

    def as_dict(self) -> dict[str, object]:
        return {"date": self.day.isoformat(), "name": self.name, "off": self.off}


@dataclass(frozen=True)
class Imported:
    notice: Notice
    text: str  # the calendar file
    off: dict[date, str]  # the year's days off -> holiday
    on: dict[date, str]  # the year's make-up working days -> name
    other_years: list[OtherYearDay]


def _days(block: Block) -> list[date]:
    return [block.first + timedelta(days=k) for k in range((block.last - block.first).days + 1)]


def check_notice(notice: Notice) -> list[Problem]:
    """Every way *notice* contradicts itself or the law (empty: it can be imported)."""
    problems: list[Problem] = []

    def add(line: int, col: int, message: str) -> None:
        problems.append(Problem(line, col, message, notice.lines[line - 1]))

    first_clause: dict[str, Block] = {}
    off: dict[date, Block] = {}
    low, high = date(notice.year - 1, 12, 1), date(notice.year + 1, 1, 31)
    for block in notice.blocks:
        for name in block.names:
            earlier = first_clause.setdefault(name, block)
            if earlier.clause != block.clause:
                add(block.line, block.name_col, _("{name} already has clause {clause} (line {line})").format(
                    name=name, clause=earlier.clause, line=earlier.line))
        if not (low <= block.first and block.last <= high):
            add(block.line, block.col, _("{first}…{last} is not in or next to {year}").format(
                first=block.first, last=block.last, year=notice.year))
            continue
        for day in _days(block):
            if day in off and off[day] is not block:
                add(block.line, block.col, _("{day} is already a day off in clause {clause} ({name})").format(
                    day=day, clause=off[day].clause, name=off[day].name))
            off.setdefault(day, block)
    on: set[date] = set()
    for work in notice.workdays:
        if day_off := off.get(work.day):
            add(work.line, work.col, _("{day} is a make-up working day and a day off of clause {clause} "
                                       "({name})").format(day=work.day, clause=day_off.clause, name=day_off.name))
        elif work.day in on:
            add(work.line, work.col, _("{day} is listed twice as a make-up working day").format(day=work.day))
        elif work.day.weekday() < 5:
            from engine.workdays.sanity import weekday_name

            add(work.line, work.col, _("{day} is a {weekday}: a make-up working day (上班) is a Saturday or a "
                                       "Sunday").format(day=work.day, weekday=weekday_name(work.day.weekday())))
        if not low <= work.day <= high:
            add(work.line, work.col, _("{day} is not in or next to {year}").format(day=work.day, year=notice.year))
        on.add(work.day)
    problems += _statutory(notice, first_clause, off)
    return problems


def _statutory(notice: Notice, clauses: dict[str, Block], off: dict[date, Block]) -> list[Problem]:
    """The law's days that the notice does not give off under their holiday's clause."""
    from engine.workdays.statute import law_for, statutory_holidays

    law = law_for(notice.year)
    problems = []
    for holiday in statutory_holidays(notice.year):
        if holiday.name in notice.unread:  # its clause could not be read: that problem is reported already
            continue
        shown = "、".join(f"{d.month}月{d.day}日" for d in holiday.days)
        clause = clauses.get(holiday.name)
        if clause is None:
            problems.append(Problem(notice.line, notice.col, _("no clause for {name}: the law ({law}) gives {days} "
                                                               "off").format(name=holiday.name, law=law.title,
                                                                             days=shown),
                                    notice.lines[notice.line - 1]))
            continue
        missing = [d for d in holiday.days if d not in off or holiday.name not in off[d].names]
        if missing:
            problems.append(Problem(clause.line, clause.col, _(
                "{name}: the law ({law}) gives {days} off, but the clause leaves out {missing}").format(
                name=holiday.name, law=law.title, days=shown,
                missing=", ".join(d.isoformat() for d in missing)), notice.lines[clause.line - 1]))
    return problems


def calendar_text(notice: Notice, off: dict[date, str], on: dict[date, str], sha256: str) -> str:
    """The calendar file for *notice*'s year: its blocks (clipped to the year) and make-up days."""
    lines = ["# yaml-language-server: $schema=../../schemas/calendar.schema.json",
             f"# Imported by `lianban calendar import` from the text of the notice (sha256 {sha256}).",
             f"year: {notice.year}",
             f"source: {json.dumps(notice.source, ensure_ascii=False)}",
             "holidays:"]
    for block in notice.blocks:
        days = [d for d in _days(block) if d.year == notice.year]
        if not days:
            continue
        if days[0] == days[-1]:
            lines.append(f"  - {{date: {days[0]}, name: {block.name}}}")
        else:
            lines.append(f"  - {{from: {days[0]}, to: {days[-1]}, name: {block.name}}}")
    if on:
        lines.append("workdays:")
        lines += [f"  - {{date: {d}, name: {name}}}" for d, name in sorted(on.items())]
    return "\n".join(lines) + "\n"


def import_notice(raw: bytes, path: str, output: Path | None = None) -> Imported:
    """Decode, read and check a notice, and build the calendar file *output* (default ``YYYY.yaml``) will
    hold: checked, not written. LianbanError (exit 2) for a file that is no text; NoticeError (exit 1) for
    a refused notice."""
    from engine.workdays.files import load_text

    text = decode(raw, path)
    notice, problems = parse_notice(text)
    if notice is not None:
        problems += check_notice(notice)
    if problems or notice is None:
        raise NoticeError(path, problems)
    output = output or Path(f"{notice.year}.yaml")
    off: dict[date, str] = {}
    on: dict[date, str] = {}
    other: list[OtherYearDay] = []
    for block in notice.blocks:
        for day in _days(block):
            if day.year == notice.year:
                off[day] = block.name
            else:
                other.append(OtherYearDay(day, block.name, True))
    for work in notice.workdays:
        if work.day.year == notice.year:
            on[work.day] = work.name
        else:
            other.append(OtherYearDay(work.day, work.name, False))
    result = calendar_text(notice, off, on, hashlib.sha256(raw).hexdigest())
    load_text(result, output)  # the same checks as every calendar file: schema, real dates, in the year, once
    return Imported(notice, result, off, on, sorted(other, key=lambda o: o.day))
