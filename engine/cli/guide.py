"""Ask the applicant an item's questions (情形引导) and print the tailored notice (一次告知单).

  lianban guide open-restaurant                       asks in the terminal, one question at a time
  lianban guide open-restaurant --answers area_m2=300,gas=yes --format markdown
  lianban guide open-restaurant --start 2026-03-02    the completion date on the working-day calendar

Only questions that still matter are asked: one whose ``when`` does not hold is not asked, and
one whose answer can no longer change anything, given the answers before it, keeps its default.
An empty answer takes the default shown in brackets; a bad answer is explained and asked again.
Exit codes: 0 done; 1 the input ended before the last question; 2 bad arguments or answers;
130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, TextIO

from engine.cli.common import add_catalog, add_output, date_arg
from engine.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console

    from engine.model import Item
    from engine.situations.conditions import Value
    from engine.situations.questions import Question
    from engine.workdays.calendar import WorkCalendar

DESCRIPTION = N_("Ask the applicant an item's questions (情形引导) and print the tailored notice (一次告知单).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engine.outputs import names

    parser.add_argument("item", metavar="ITEM", help=_("a definition file, or an item id found under --definitions"))
    parser.add_argument("--definitions", metavar="DIR", default="definitions",
                        help=_("where to look an item id up (default: ./definitions)"))
    parser.add_argument("--answers", metavar="Q=A,...",
                        help=_("answer without asking, e.g. area_m2=300,gas=yes (the rest take their defaults)"))
    parser.add_argument("--format", choices=names("guide"), default="text",
                        help=_("text (default), json (docs/situations.md) or markdown (a printable notice)"))
    parser.add_argument("--start", metavar="DATE", type=date_arg,
                        help=_("acceptance date (YYYY-MM-DD): the completion date on the working-day calendar"))
    parser.add_argument("--calendar", metavar="DIR",
                        help=_("folder of YYYY.yaml calendar files for --start (default: as lianban render)"))
    parser.add_argument("--official-only", action="store_true",
                        help=_("refuse a date in a year with no official holiday arrangement"))
    add_output(parser)
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from engine.cli.common import emit
    from engine.cli.export import find_item
    from engine.outputs import get
    from engine.situations import parse_answers
    from engine.situations.guide import build_notice

    item, code = find_item(args.item, args.definitions, args.catalog)
    calendar = None
    if args.start is not None:
        calendar = _calendar(args, item)
    if args.answers is not None:
        given = parse_answers(item, args.answers) if item.questions else _no_questions(item, args.answers)
    else:
        given = interview(item, Console(stderr=True, highlight=False))
    notice = build_notice(item, given, args.start, calendar)
    emit(get("guide", args.format).render(notice), args.output)
    return code


def _no_questions(item: Item, text: str) -> dict[str, Value]:
    from engine.errors import UsageError

    if text.strip():
        raise UsageError(_("item {item} asks no questions: leave out --answers").format(item=item.id))
    return {}


def _calendar(args: argparse.Namespace, item: Item) -> WorkCalendar:
    from engine.cli.workdays import warn
    from engine.locations import calendar_dir
    from engine.workdays.calendar import WorkCalendar
    from engine.workdays.sanity import rest_day_warning

    paths = [item.path] if item.path else []
    calendar = WorkCalendar.from_dir(calendar_dir(args.calendar, paths), provisional=not args.official_only)
    warning = rest_day_warning(calendar, args.start, counts=True)
    warn([warning] if warning else [])
    return calendar


def interview(item: Item, console: Console, stream: TextIO | None = None) -> dict[str, Value]:
    """Ask *item*'s questions that matter, one at a time, on *console* (reading *stream*, default
    standard input); the answers given. InputEndedError when the input ends first."""
    from engine.situations import complete
    from engine.situations.guide import next_question

    given: dict[str, Value] = {}
    if not item.questions:
        return given
    console.print(_("{name}: answer {n} question(s) at most; Enter takes the default in [brackets].").format(
        name=item.name, n=len(item.questions)), markup=False)
    number = 0
    while (q := next_question(item, given)) is not None:
        number += 1
        default = complete(item, given).get(q.id)
        given[q.id] = ask(q, default, number, console, stream)
    return given


def ask(q: Question, default: Value | None, number: int, console: Console, stream: TextIO | None) -> Value:
    """One question, asked until the answer is good."""
    from rich.text import Text

    console.print()
    console.print(Text(f"{number}. {q.text}", style="bold"))
    if q.help:
        console.print(Text("   " + q.help, style="dim"))
    if q.type != "number":
        for i, o in enumerate(q.options, 1):
            console.print(Text(f"   {i}. {o.text}"))
    while True:
        prompt = Text("   " + _hint(q, default) + ": ")
        raw = _read(console, prompt, stream).strip()
        if not raw and default is not None:
            return default
        try:
            return parse(q, raw)
        except ValueError as exc:
            console.print(Text("   " + str(exc), style="red"))


def _read(console: Console, prompt: object, stream: TextIO | None) -> str:
    from engine.errors import InputEndedError

    try:
        line = console.input(prompt, stream=stream)  # type: ignore[arg-type]
    except EOFError:
        line = None
    if line is None or (stream is not None and line == ""):
        console.print()
        raise InputEndedError(_("the input ended before the questions were answered; nothing was written "
                                "(use --answers to answer without a terminal)"))
    return line


def _hint(q: Question, default: Value | None) -> str:
    shown = "" if default is None else f" [{_default_text(q, default)}]"
    if q.type == "number":
        low = f"{q.minimum:g}" if q.minimum is not None else "−∞"
        high = f"{q.maximum:g}" if q.maximum is not None else "∞"
        unit = f"{q.unit}, " if q.unit else ""
        return _("a number ({unit}{low} … {high}){default}").format(unit=unit, low=low, high=high, default=shown)
    return _("choose 1–{n}{default}").format(n=len(q.options), default=shown)


def _default_text(q: Question, default: Value) -> str:
    if q.type == "number":
        return q.number_text(float(default))
    keys: list[Value] = [True, False] if q.type == "yes-no" else [o.id for o in q.options]
    i = keys.index(default) if default in keys else 0
    return f"{i + 1}. {q.options[i].text}"


_NUMBER = re.compile(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*(.*)$")


def parse(q: Question, raw: str) -> Value:
    """*raw* typed into the terminal as an answer to *q* (ValueError with the reason)."""
    from engine.errors import UsageError
    from engine.situations.specialisation import parse_value

    if not raw:
        raise ValueError(_("please answer (there is no default)"))
    if q.type != "number":
        if raw.isdigit():
            n = int(raw)
            if not 1 <= n <= len(q.options):
                raise ValueError(_("choose a number from 1 to {n}").format(n=len(q.options)))
            if q.type == "yes-no":
                return n == 1
            return q.options[n - 1].id
        try:
            return parse_value(q, raw)
        except UsageError as exc:
            raise ValueError(_("{reason}; or choose a number from 1 to {n}").format(
                reason=exc, n=len(q.options))) from None
    m = _NUMBER.match(raw.replace("，", "").replace(",", ""))
    if m is None:
        raise ValueError(_("'{raw}' is not a number").format(raw=raw[:40]))
    number, unit = m.groups()
    if unit and not _same_unit(unit, q.unit):
        raise ValueError(_("'{unit}' is not the unit of this question: answer in {expected}").format(
            unit=unit[:20], expected=q.unit or _("a plain number")))
    try:
        return parse_value(q, number)
    except UsageError as exc:
        raise ValueError(str(exc)) from None


def _same_unit(typed: str, unit: str | None) -> bool:
    if not unit:
        return False

    def norm(u: str) -> str:
        return u.strip().lower().replace("²", "2").replace("³", "3").replace(" ", "")

    spelled = {norm(unit), *(_SPELLINGS.get(norm(unit), ()))}
    return norm(typed) in spelled


_SPELLINGS = {"m2": ("平方米", "平米", "㎡", "sqm"), "kg": ("公斤", "千克"), "t": ("吨",), "人": ("名", "个人")}
