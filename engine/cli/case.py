"""Run cases (办件) through an item's optimized flow: open, act on a step (accept ... refuse), withdraw, show, list.

  lianban case open start-business --applicant 张三 --on 2021-09-29
  lianban case accept 1 licence --as 市场监管 --on 2021-09-29
  lianban case show 1
  lianban case queue --as 税务局
  lianban case suspend 1 licence --as 市场监管局 --procedure 检验 --reason 样品送检

Each step runs on two clocks (committed and legal); show, list and queue give each step and case
its warning level (蓝/黄/红 by default; --ladder FILE, else the item's `warnings:`). docs/cases.md.

The store is --db PATH (or a postgresql:// DSN), else $LIANBAN_DB, else an SQLite file in the
user's data folder. open and the moves create it; show, list and queue only read an existing one.
This is the local single-operator mode: --as is the operator's claim, and each event records the
operating-system user who ran the command. A department workspace shared by several people runs
`lianban serve` (docs/serve.md); with --server URL (and a token) these commands are its client.
Exit codes: 0 done; 1 the move was refused (illegal in the case's state) or the definition has
errors; 2 usage, unknown case or department, store or calendar problems.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.cases.words import label
from engine.cli.case_record import RECORD_VERBS, add_record_verbs, is_remote, local_actor
from engine.cli.common import add_catalog, date_arg, use_color
from engine.cli.workdays import add_calendar, load_calendar, warn
from engine.i18n import N_, _

if TYPE_CHECKING:
    from engine.cases.machine import Case
    from engine.workdays.calendar import WorkCalendar

DESCRIPTION = N_("Run cases (办件) through an item's optimized flow: open, act on a step (accept ... refuse), withdraw, "
                 "show, list.")
STEP_VERBS = {"accept": N_("受理: take the step in"), "approve": N_("办结: approve the step"),
              "return": N_("补正: return for correction (the clock stops)"),
              "resubmit": N_("the applicant resubmitted the corrections (the clock restarts)"),
              "suspend": N_("特别程序: 听证, 检验, 专家评审 ... whose time does not count (the clock stops)"),
              "resume": N_("the special procedure ended (the clock restarts)"),
              "refuse": N_("不予许可: refuse the step (the case ends refused)")}

READ_ONLY = ("show", "list", "queue", "history")  # verbs that never create a store: a missing one is "no case store at PATH"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", help=_("case store (default: $LIANBAN_DB, else the user data folder)"))
    common.add_argument("--format", choices=["text", "json"], default="text", help=_("output format (default: text)"))
    common.add_argument("--server", metavar="URL", help=_("act through a running workspace (`lianban serve`; "
                                                          "default: $LIANBAN_SERVER) instead of the local store"))
    common.add_argument("--token", metavar="TOKEN", help=_("the API token for --server (default: $LIANBAN_TOKEN)"))
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True, parser_class=type(parser))

    p = sub.add_parser("open", parents=[common], help=_("open a case of an item for an applicant"))
    p.add_argument("item", metavar="ITEM", help=_("a definition file, or an item id in ./definitions/"))
    p.add_argument("--applicant", required=True, metavar="NAME", help=_("the applicant's name"))
    p.add_argument("--on", type=date_arg, metavar="DATE", help=_("the day of opening (default: today)"))
    p.add_argument("--answers", metavar="Q=A,...",
                   help=_("the applicant's situation, for items that ask questions (e.g. area_m2=300,gas=yes); "
                          "unanswered questions take their defaults"))
    add_catalog(p)
    add_calendar(p)
    for verb, help_text in STEP_VERBS.items():
        p = sub.add_parser(verb, parents=[common], help=_(help_text))
        p.add_argument("case", metavar="CASE", help=_("the case number"))
        p.add_argument("step", metavar="STEP", help=_("the step id"))
        _as(p)
        p.add_argument("--on", type=date_arg, metavar="DATE", help=_("(default: today)"))
        p.add_argument("--reason", help=_("required for return (what to correct), suspend (what the procedure is "
                                          "for) and refuse (the grounds)"))
        if verb == "suspend":
            from engine.cases.clocks import PROCEDURES
            p.add_argument("--procedure", required=True, metavar="NAME",
                           help=_("the special procedure (行政许可法 art.45): {names}").format(names=", ".join(PROCEDURES)))
        add_calendar(p)
    p = sub.add_parser("withdraw", parents=[common], help=_("the applicant withdraws the case"))
    p.add_argument("case", metavar="CASE")
    p.add_argument("--on", type=date_arg, metavar="DATE", help=_("(default: today)"))
    p.add_argument("--reason")
    add_calendar(p)
    add_record_verbs(sub, common)
    p = sub.add_parser("show", parents=[common], help=_("the flow of a case: each step's state and deadline"))
    p.add_argument("case", metavar="CASE")
    p.add_argument("--on", type=date_arg, metavar="DATE", help=_("judge overdue steps on DATE (default: today)"))
    _reading(p)
    p = sub.add_parser("list", parents=[common], help=_("every case, with its next deadline"))
    p.add_argument("--overdue", action="store_true", help=_("only cases with a step past its deadline"))
    p.add_argument("--on", type=date_arg, metavar="DATE", help=_("(default: today)"))
    _reading(p)
    p = sub.add_parser("queue", parents=[common], help=_("what a department must do now, most urgent first"))
    _as(p)
    p.add_argument("--on", type=date_arg, metavar="DATE", help=_("(default: today)"))
    _reading(p)


def _reading(p: argparse.ArgumentParser) -> None:
    """Options of the commands that show warning levels."""
    add_calendar(p)
    add_ladder(p)


def add_ladder(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ladder", metavar="FILE", help=_("warning ladder file (YAML `warnings:` list) used instead of "
                                                      "each item's own, else the default 蓝/黄/红"))


def load_ladder_arg(path: str | None) -> Any:
    from engine.cases.clocks import load_ladder

    return load_ladder(path) if path else None


def _as(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="department", metavar="DEPT",
                   help=_("the acting department (catalog names and aliases: 市场监管 = 市场监管局); required "
                          "locally, with --server the token's account acts for its own department"))
    add_catalog(p)


def run(args: argparse.Namespace) -> int:
    import os

    from engine.cases.store import open_store

    server = args.server or os.environ.get("LIANBAN_SERVER")
    store: Any
    if server:
        from engine.cli.remote import Remote

        if args.db:
            from engine.errors import UsageError
            raise UsageError(_("--db and --server exclude each other: a store is local, a server has its own"))
        store = Remote(server, args.token or os.environ.get("LIANBAN_TOKEN"))
    else:
        store = open_store(args.db, create=args.verb not in READ_ONLY)  # a mistyped --db of show/list/queue creates nothing
    try:
        return _VERBS.get(args.verb, _act)(store, args)
    finally:
        store.close()


def _print_json(doc: object) -> int:
    print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0


# -- actions -----------------------------------------------------------------------------------
def _open(store: Any, args: argparse.Namespace) -> int:
    import sys

    from engine.cases.calendar_review import provisional_years
    from engine.cases.desk import case_doc, date_warnings, open_new
    from engine.cli.common import valid_item
    from engine.flow.analysis import analyze

    on = args.on or date.today()
    calendar = None  # a workspace counts with its own calendar; the levels shown here use the local one
    if is_remote(store):
        from pathlib import Path

        item = Path(args.item).stem if args.item.endswith((".yaml", ".yml")) else args.item
        case, code, warnings = store.open(item, args.applicant, on, args.answers)
        warn(warnings)
        print(_("check code for the applicant's progress lookup (shown once): {code}").format(code=code), file=sys.stderr)
    else:
        model, path, _code = valid_item(args.item, args.catalog)
        if model is None:
            print(_("lianban: cannot open a case: {path} has errors").format(path=path), file=sys.stderr)
            return 1
        if args.answers is not None or model.has_situations:
            from engine.situations import parse_answers, specialise

            model = specialise(model, parse_answers(model, args.answers or ""))
        calendar = load_calendar(args.calendar, args.official_only)
        case = open_new(store, analyze(model), args.applicant, on, calendar, actor=local_actor(None))
        warnings = date_warnings(on, calendar, "open")
        warn(warnings)
    if args.format == "json":
        return _print_json({**case_doc(case, on), "warnings": warnings})
    lines = [_("opened case {case}: {name} ({id}) for {applicant} on {on}").format(
                 case=case.id, name=case.item["name"], id=case.item["id"], applicant=case.applicant, on=case.opened_on),
             _("  definition {path} pinned, sha256 {sha}…").format(path=case.item.get("path"), sha=case.sha256[:16]),
             *([_("  situation 「{description}」").format(description=case.situation["description"])]
               if case.situation else []),
             _("  materials, submitted once and shared by every department ({n}):").format(n=len(case.materials))]
    lines += [f"    - {m['name']} ({m['id']}): {_(', ').join(m['departments'])}" for m in case.materials]
    print("\n".join(lines))
    _print_flow(case, on, calendar)
    years = provisional_years(case)
    if years:
        print(_provisional_note(years))
    return 0


def _provisional_note(years: list[int]) -> str:
    return _("  PROVISIONAL: {years} had no official holiday arrangement when the case was opened: the dates "
             "marked 'provisional date' count the statutory holidays and weekends only (no 调休) and may move "
             "when the State Council's notice is imported; `lianban case show` then lists the moves").format(
        years=", ".join(map(str, years)))


# moves that may need the calendar: the legal clock of an accepted step, the clocks again after a pause
_STARTS_A_COUNT = ("accept", "resubmit", "resume")


def _calendar_for_warnings(args: argparse.Namespace) -> WorkCalendar | None:
    """The calendar of a move: needed by accept (the legal deadline), resubmit and resume (paused days),
    used by the others to check the date."""
    from engine.workdays.errors import CalendarError

    try:
        return load_calendar(args.calendar, args.official_only)
    except CalendarError as exc:
        if args.verb in _STARTS_A_COUNT:
            raise
        warn([_("cannot check the date against the calendar: {error}").format(error=exc)])
        return None


def _act(store: Any, args: argparse.Namespace) -> int:
    from engine.cases.desk import act, date_warnings

    on = args.on or date.today()
    if is_remote(store):
        department = _department(args) if args.department else None
        case, event, warnings = store.act(args.case, args.verb, getattr(args, "step", None), on, args.reason,
                                          getattr(args, "procedure", None))
        department = (event.actor or {}).get("department", department)
    else:
        department = _department(args) if args.verb != "withdraw" else None
        calendar = _calendar_for_warnings(args)
        case, event = act(store, args.case, args.verb, step=getattr(args, "step", None), department=department, on=on,
                          reason=args.reason, calendar=calendar, actor=local_actor(department),
                          procedure=getattr(args, "procedure", None))
        warnings = date_warnings(on, calendar, args.verb, event)
    warn(warnings)
    if args.format == "json":
        return _print_json({"case": case.id, "event": {"seq": event.seq, "type": event.type, **event.payload},
                            "state": case.state.value, "warnings": warnings})
    if args.verb == "withdraw":
        print(_("case {case}: withdrawn by the applicant on {on}").format(case=case.id, on=on))
        return 0
    run_ = case.steps[event.payload["step"]]
    text = _("case {case}: step '{step}' ({name}) {event} by {department} on {on}").format(
        case=case.id, step=run_.id, name=run_.name, event=label(event.type), department=department, on=on)
    if run_.state.value in ("accepted", "returned", "suspended"):
        text += _("; due {date}").format(date=run_.deadline) + (
            _(" (clock stopped until resubmitted)") if args.verb == "return" else "")
        if run_.legal_deadline is not None and args.verb != "return":
            text += _(", legal deadline {day}").format(day=run_.legal_deadline)
        if args.verb == "suspend":
            text += _(" (clocks stopped for {procedure} until resumed)").format(procedure=args.procedure)
    if args.verb in ("resubmit", "resume"):
        text += _(" (paused {n} working day(s))").format(n=event.payload.get("paused_days", 0))
    print(text)
    if case.state.closed:
        print(_("case {case} is {state} on {on}").format(case=case.id, state=label(case.state.value), on=case.closed_on))
    else:
        ready = [r.id for r in case.steps.values() if r.state.value == "ready"]
        if ready:
            print(_("  ready now: {steps}").format(steps=", ".join(ready)))
    return 0


def _show(store: Any, args: argparse.Namespace) -> int:
    from engine.cases.calendar_review import provisional_years, review
    from engine.cases.desk import case_view, levels
    from engine.cases.store import load_case

    case = store.load_case(args.case) if is_remote(store) else load_case(store, args.case)
    on = args.on or date.today()
    calendar, ladder = load_calendar(args.calendar, args.official_only), load_ladder_arg(args.ladder)
    checked = review(case, calendar) if provisional_years(case) else None
    if args.format == "json":
        return _print_json({**case_view(case, on, calendar, ladder),
                            "calendar_review": checked.as_dict() if checked else None})
    closed = _(", {state} on {on}").format(state=label(case.state.value), on=case.closed_on) if case.closed_on else ""
    print(_("case {case}: {name} ({id}) for {applicant}").format(case=case.id, name=case.item["name"],
                                                                 id=case.item["id"], applicant=case.applicant))
    print(_("  state {state}; opened {on}{closed}; definition sha256 {sha}…").format(
        state=label(case.state.value), on=case.opened_on, closed=closed, sha=case.sha256[:16]))
    print(_("  materials submitted once: {names}").format(
        names=_(", ").join(m["name"] for m in case.materials) or _("none")))
    print(_("  clocks: committed {committed}, legal {legal}; level on {on}: {level}").format(
        committed=case.committed_deadline or "-", legal=case.legal_deadline or "-", on=on,
        level=levels(case, on, calendar, ladder).case or "-"))
    if case.simulated:
        print(_("  simulated case (lianban simulate): {detail}").format(
            detail=_(", ").join(f"{k} {v}" for k, v in (case.simulation or {}).items())))
    _print_flow(case, on, calendar, ladder)
    if checked is not None:
        print("\n".join(_review_lines(checked)))
    return 0


def _review_lines(checked: Any) -> list[str]:
    """What `case show` says about a case that relied on provisional years."""
    still = [y for y in checked.provisional if y not in checked.official]
    lines = [_provisional_note(still)] if still else []
    for year, where in checked.official.items():
        lines.append(_("  calendar: {year} was PROVISIONAL when the case was opened and is official now: "
                       "{where}").format(year=year, where=where))
    if checked.error:
        lines.append(_("  cannot recount the case with the current calendar: {error}").format(error=checked.error))
    elif checked.official and not checked.moves:
        lines.append(_("  no date of the case moves with the official calendar"))
    elif checked.moves:
        lines.append(_("  dates that would move with the official calendar (the case keeps its recorded dates):"))
        lines += [_("    {step} ({name}) {field} {old} → {new}").format(
            step=m.step, name=m.name, field=_(m.field), old=m.old, new=m.new) for m in checked.moves]
    return lines


def _list(store: Any, args: argparse.Namespace) -> int:
    from engine.cases.desk import case_rows

    on = args.on or date.today()
    rows = store.case_rows(on, args.overdue) if is_remote(store) else case_rows(
        store, on, args.overdue, load_calendar(args.calendar, args.official_only), load_ladder_arg(args.ladder))
    if args.format == "json":
        return _print_json([r.as_dict() for r in rows])
    if not rows:
        print(_("no overdue case") if args.overdue else _("no case yet: `lianban case open ITEM --applicant NAME`"))
        return 0
    _table([_("case"), _("item"), _("applicant"), _("state"), _("opened"), _("next deadline"), _("overdue"), _("level")],
           [[_("{case} (simulated)").format(case=r.case) if r.simulated else r.case, f"{r.name} ({r.item})",
             r.applicant, label(r.state), r.opened_on,
             (r.next_deadline or "-") + (_(" provisional") if r.provisional else ""),
             ", ".join(r.overdue) or "-", r.level or "-"] for r in rows])
    return 0


def _queue(store: Any, args: argparse.Namespace) -> int:
    from engine.cases.desk import queue

    on = args.on or date.today()
    if is_remote(store):
        department, rows = store.queue(_department(args) if args.department else None, on)
    else:
        department = _department(args)
        rows = queue(store, department, on, load_calendar(args.calendar, args.official_only),
                     load_ladder_arg(args.ladder))
    if args.format == "json":
        return _print_json({"department": department, "on": on.isoformat(), "todo": [r.as_dict() for r in rows]})
    if not rows:
        print(_("nothing for {department} to do").format(department=department))
        return 0
    _table([_("deadline"), _("case"), _("step"), _("do"), _("item"), _("applicant"), _("legal deadline"), _("level")],
           [[r.deadline + (_(" overdue") if r.overdue else "") + (_(" provisional") if r.provisional else ""), r.case,
             f"{r.name} ({r.step})", label(r.action), r.item, r.applicant, r.legal_deadline or "-", r.level or "-"]
            for r in rows],
           title=_("{department}: {n} to do on {on}").format(department=department, n=len(rows), on=on))
    return 0


_VERBS: dict[str, Callable[[Any, argparse.Namespace], int]] = {
    "open": _open, "show": _show, "list": _list, "queue": _queue, **RECORD_VERBS}


# -- helpers ---------------------------------------------------------------------------------
def _department(args: argparse.Namespace) -> str:
    if not args.department:
        from engine.errors import UsageError
        raise UsageError(_("the following arguments are required: --as (or --server with an officer's token)"))
    from engine.cli.common import department_name

    return department_name(args.department, args.catalog)


def _print_flow(case: Case, on: date, calendar: Any = None, ladder: Any = None) -> None:
    from engine.cases.desk import flow_rows

    if calendar is None:
        calendar = _levels_calendar()
    _table([_("step"), _("name"), _("department"), _("state"), _("needs"), _("planned"), _("deadline"),
            _("legal deadline"), _("level"), _("note")],
           [[r.step, r.name, r.department, label(r.state), ", ".join(r.needs) or "-", r.planned, r.deadline,
             r.legal_deadline or "-", r.level or "-", _("; ").join(r.notes)]
            for r in flow_rows(case, on, calendar, ladder)])


def _levels_calendar() -> Any:
    """The default calendar for the warning levels; None (no levels) when it cannot be loaded."""
    from engine.workdays.errors import CalendarError

    try:
        return load_calendar(None)
    except CalendarError:
        return None


def _table(columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
    from engine.outputs.terminal import plain_table

    print(plain_table(columns, rows, title, color=use_color()))
