"""`lianban case receive | correct | history`, and who acts in the local single-operator mode.

  lianban case receive 7 id-card premises-proof           # the window's materials checklist
  lianban case correct 7 3 --date 2021-10-08 --reason 退回日期录错
  lianban case correct 7 5 --void --reason 误点办结
  lianban case history 7                                   # every event: by whom, when, corrected how

Each works on the local store or, with --server, through a running workspace (engine/cli/remote.py).
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from engine.cases.words import label
from engine.cli.common import date_arg
from engine.cli.workdays import add_calendar, load_calendar
from engine.i18n import _

__all__ = ["RECORD_VERBS", "add_record_verbs", "is_remote", "local_actor"]


def add_record_verbs(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("receive", parents=[common], help=_("the window received materials from the applicant"))
    p.add_argument("case", metavar="CASE")
    p.add_argument("materials", nargs="+", metavar="MATERIAL", help=_("material ids of the case's checklist"))
    p.add_argument("--on", type=date_arg, metavar="DATE", help=_("(default: today)"))
    p = sub.add_parser("correct", parents=[common],
                       help=_("a supervisor's correction of an earlier event (kept in the log)"))
    p.add_argument("case", metavar="CASE")
    p.add_argument("seq", type=int, metavar="EVENT",
                   help=_("the number of the event to correct (`case history` shows them)"))
    fix = p.add_mutually_exclusive_group(required=True)
    fix.add_argument("--date", type=date_arg, metavar="DATE", help=_("the event's right business date"))
    fix.add_argument("--void", action="store_true", help=_("annul the event: it was recorded in error"))
    p.add_argument("--reason", required=True, help=_("why (kept in the case's history)"))
    add_calendar(p)
    p = sub.add_parser("history", parents=[common], help=_("every event of a case: what, by whom, when"))
    p.add_argument("case", metavar="CASE")


def is_remote(store: object) -> bool:
    return getattr(store, "remote", False) is True


def local_actor(department: str | None) -> dict[str, Any]:
    """Who acts in the local single-operator mode: the operating-system user (and the claimed department)."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        import os
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    actor: dict[str, Any] = {"account": f"os:{user}", "role": "local"}
    if department:
        actor["department"] = department
    return actor


def _print_json(doc: object) -> int:
    print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0


def _receive(store: Any, args: argparse.Namespace) -> int:
    from engine.cases.desk import receive

    on = args.on or date.today()
    if is_remote(store):
        case, event = store.receive(args.case, args.materials, on)
    else:
        case, event = receive(store, args.case, args.materials, on=on, actor=local_actor(None))
    if args.format == "json":
        return _print_json({"case": case.id, "event": {"seq": event.seq, "type": event.type, **event.payload}})
    names = {m["id"]: m["name"] for m in case.materials}
    print(_("case {case}: received {names} on {on}; {n} of {total} materials in").format(
        case=case.id, names=_(", ").join(names[m] for m in args.materials), on=on, n=len(case.received),
        total=len(case.materials)))
    return 0


def _correct(store: Any, args: argparse.Namespace) -> int:
    from engine.cases.desk import correct

    if is_remote(store):
        case, event = store.correct(args.case, args.seq, args.reason, args.date, args.void)
    else:
        case, event = correct(store, args.case, args.seq, reason=args.reason,
                              calendar=load_calendar(args.calendar, args.official_only), on=args.date, void=args.void,
                              actor=local_actor(None))
    if args.format == "json":
        return _print_json({"case": case.id, "event": {"seq": event.seq, "type": event.type, **event.payload},
                            "state": case.state.value})
    what = (_("dated {date} (was {was})").format(date=args.date, was=event.payload["was"]) if args.date
            else _("annulled"))
    print(_("case {case}: event #{seq} {what}; correction recorded as event #{event}").format(
        case=case.id, seq=args.seq, what=what, event=event.seq))
    return 0


def _history(store: Any, args: argparse.Namespace) -> int:
    from engine.cases.store import load_case
    from engine.cases.views import history_rows
    from engine.cli.common import use_color
    from engine.outputs.terminal import plain_table

    rows = history_rows(store.load_case(args.case) if is_remote(store) else load_case(store, args.case))
    if args.format == "json":
        return _print_json([r.as_dict() for r in rows])
    print(plain_table(["#", _("event"), _("step"), _("on"), _("by"), _("recorded"), _("note")],
                      [[str(r.seq), label(r.type), r.step or "-", r.on, r.by or "-", r.at or "-", r.note] for r in rows],
                      None, color=use_color()))
    return 0


RECORD_VERBS: dict[str, Callable[[Any, argparse.Namespace], int]] = {
    "receive": _receive, "correct": _correct, "history": _history}
