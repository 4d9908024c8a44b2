"""Run cases (办件) through an item's optimized flow: open, accept, approve, return, resubmit, refuse, withdraw.

  lianban case open start-business --applicant 张三 --on 2021-09-29
  lianban case accept 1 licence --as 市场监管 --on 2021-09-29
  lianban case show 1
  lianban case queue --as 税务局

The store is --db PATH (or a postgresql:// DSN), else $LIANBAN_DB, else an SQLite file in the
user's data folder. open and the moves create it; show, list and queue only read an existing one.
Exit codes: 0 done; 1 the move was refused (illegal in the case's state) or the definition has
errors; 2 usage, unknown case or department, store or calendar problems.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.cli.common import add_catalog, use_color
from engine.cli.workdays import add_calendar, load_calendar, parse_date

if TYPE_CHECKING:
    from engine.cases.machine import Case, Event
    from engine.cases.store import Store

STEP_VERBS = {"accept": "受理: take the step in", "approve": "办结: approve the step",
              "return": "补正: return for correction (the clock stops)",
              "resubmit": "the applicant resubmitted the corrections (the clock restarts)",
              "refuse": "不予许可: refuse the step (the case ends refused)"}

READ_ONLY = ("show", "list", "queue")  # verbs that never create a store: a missing one is "no case store at PATH"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", help="case store (default: $LIANBAN_DB, else the user data folder)")
    common.add_argument("--format", choices=["text", "json"], default="text")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True, parser_class=type(parser))

    p = sub.add_parser("open", parents=[common], help="open a case of an item for an applicant")
    p.add_argument("item", metavar="ITEM", help="a definition file, or an item id in ./definitions/")
    p.add_argument("--applicant", required=True, metavar="NAME")
    p.add_argument("--on", type=parse_date, metavar="DATE", help="the day of opening (default: today)")
    p.add_argument("--answers", metavar="Q=A,...",
                   help="the applicant's situation, for items that ask questions (e.g. area_m2=300,gas=yes); "
                        "unanswered questions take their defaults")
    add_catalog(p)
    add_calendar(p)
    for verb, help_text in STEP_VERBS.items():
        p = sub.add_parser(verb, parents=[common], help=help_text)
        p.add_argument("case", metavar="CASE")
        p.add_argument("step", metavar="STEP")
        _as(p)
        p.add_argument("--on", type=parse_date, metavar="DATE", help="(default: today)")
        p.add_argument("--reason", help="required for return (what to correct) and refuse (the grounds)")
        if verb == "resubmit":
            add_calendar(p)
    p = sub.add_parser("withdraw", parents=[common], help="the applicant withdraws the case")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--on", type=parse_date, metavar="DATE", help="(default: today)")
    p.add_argument("--reason")
    p = sub.add_parser("show", parents=[common], help="the flow of a case: each step's state and deadline")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--on", type=parse_date, metavar="DATE", help="judge overdue steps on DATE (default: today)")
    p = sub.add_parser("list", parents=[common], help="every case, with its next deadline")
    p.add_argument("--overdue", action="store_true", help="only cases with a step past its deadline")
    p.add_argument("--on", type=parse_date, metavar="DATE", help="(default: today)")
    p = sub.add_parser("queue", parents=[common], help="what a department must do now, most urgent first")
    _as(p)
    p.add_argument("--on", type=parse_date, metavar="DATE", help="(default: today)")


def _as(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="department", required=True, metavar="DEPT",
                   help="the acting department (catalog names and aliases: 市场监管 = 市场监管局)")
    add_catalog(p)


def run(args: argparse.Namespace) -> int:
    from engine.cases.store import open_store

    store = open_store(args.db, create=args.verb not in READ_ONLY)  # a mistyped --db of show/list/queue creates nothing
    try:
        return _VERBS.get(args.verb, _act)(store, args)
    finally:
        store.close()


# -- actions -----------------------------------------------------------------------------------
def _open(store: Store, args: argparse.Namespace) -> int:
    from engine.cases.machine import open_case
    from engine.cli.common import load_valid
    from engine.flow.analysis import analyze

    path = _find_item(args.item)
    on = args.on or date.today()
    items, _code = load_valid([str(path)], args.catalog)
    if not items:
        print(f"lianban: cannot open a case: {path} has errors", file=sys.stderr)
        return 1
    item = items[0]
    if args.answers is not None or item.has_situations:
        from engine.situations import parse_answers, specialise

        item = specialise(item, parse_answers(item, args.answers or ""))
    case = open_case(analyze(item), args.applicant, on, load_calendar(args.calendar))
    case.id = store.create_case(case.events)
    if args.format == "json":
        print(json.dumps(case.as_dict(on), ensure_ascii=False, indent=2))
        return 0
    lines = [f"opened case {case.id}: {case.item['name']} ({case.item['id']}) for {case.applicant} on {case.opened_on}",
             f"  definition {case.item.get('path')} pinned, sha256 {case.sha256[:16]}…",
             *([f"  situation 「{case.situation['description']}」"] if case.situation else []),
             f"  materials, submitted once and shared by every department ({len(case.materials)}):"]
    lines += [f"    - {m['name']} ({m['id']}): {', '.join(m['departments'])}" for m in case.materials]
    print("\n".join(lines))
    _print_flow(case, on)
    return 0


def _act(store: Store, args: argparse.Namespace) -> int:
    from engine.cases.store import transact

    department = _department(args) if args.verb != "withdraw" else None
    on = args.on or date.today()
    calendar = load_calendar(args.calendar) if args.verb == "resubmit" else None

    def action(case: Case) -> Event:
        return case.fire(args.verb, step=getattr(args, "step", None), department=department, on=on,
                         reason=args.reason, calendar=calendar)
    case, event = transact(store, args.case, action)
    if args.format == "json":
        print(json.dumps({"case": case.id, "event": {"seq": event.seq, "type": event.type, **event.payload},
                          "state": case.state.value}, ensure_ascii=False, indent=2))
        return 0
    if args.verb == "withdraw":
        print(f"case {case.id}: withdrawn by the applicant on {on}")
        return 0
    run_ = case.steps[event.payload["step"]]
    text = f"case {case.id}: step '{run_.id}' ({run_.name}) {event.type} by {department} on {on}"
    if run_.state.value in ("accepted", "returned"):
        text += f"; due {run_.deadline}" + (" (clock stopped until resubmitted)" if args.verb == "return" else "")
    if args.verb == "resubmit":
        text += f" (paused {event.payload.get('paused_days', 0)} working day(s))"
    print(text)
    if case.state.closed:
        print(f"case {case.id} is {case.state.value} on {case.closed_on}")
    else:
        ready = [r.id for r in case.steps.values() if r.state.value == "ready"]
        if ready:
            print(f"  ready now: {', '.join(ready)}")
    return 0


def _show(store: Store, args: argparse.Namespace) -> int:
    from engine.cases.store import load_case

    case = load_case(store, args.case)
    on = args.on or date.today()
    if args.format == "json":
        print(json.dumps(case.as_dict(on), ensure_ascii=False, indent=2))
        return 0
    closed = f", {case.state.value} on {case.closed_on}" if case.closed_on else ""
    print(f"case {case.id}: {case.item['name']} ({case.item['id']}) for {case.applicant}\n"
          f"  state {case.state.value}; opened {case.opened_on}{closed}; definition sha256 {case.sha256[:16]}…\n"
          f"  materials submitted once: {', '.join(m['name'] for m in case.materials) or 'none'}")
    _print_flow(case, on)
    return 0


def _list(store: Store, args: argparse.Namespace) -> int:
    from engine.cases.store import load_case

    on = args.on or date.today()
    rows = []
    for case_id in store.list_cases():
        case = load_case(store, case_id)
        late = case.overdue(on)
        if args.overdue and not late:
            continue
        open_ = [r.deadline for r in case.steps.values() if r.state.value in ("waiting", "ready", "accepted")]
        nxt = min(open_).isoformat() if open_ and not case.state.closed else None
        rows.append({"case": case.id, "item": case.item["id"], "name": case.item["name"],
                     "applicant": case.applicant, "state": case.state.value, "opened_on": case.opened_on.isoformat(),
                     "next_deadline": nxt, "overdue": [r.id for r in late]})
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no overdue case" if args.overdue else "no case yet: `lianban case open ITEM --applicant NAME`")
        return 0
    _table(["case", "item", "applicant", "state", "opened", "next deadline", "overdue"],
           [[r["case"], f"{r['name']} ({r['item']})", r["applicant"], r["state"], r["opened_on"],
             r["next_deadline"] or "-", ", ".join(r["overdue"]) or "-"] for r in rows])
    return 0


def _queue(store: Store, args: argparse.Namespace) -> int:
    from engine.cases.machine import by_urgency
    from engine.cases.store import load_case

    department = _department(args)
    on = args.on or date.today()
    pairs, actions = [], {}
    for case_id in store.list_cases():
        case = load_case(store, case_id)
        for action, run_ in case.todo(department):
            pairs.append((case, run_))
            actions[(case.id, run_.id)] = action
    rows = [{"case": c.id, "item": c.item["id"], "applicant": c.applicant, "step": r.id, "name": r.name,
             "action": actions[(c.id, r.id)], "deadline": r.deadline.isoformat(), "overdue": r.deadline < on}
            for c, r in by_urgency(pairs)]
    if args.format == "json":
        print(json.dumps({"department": department, "on": on.isoformat(), "todo": rows}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"nothing for {department} to do")
        return 0
    _table(["deadline", "case", "step", "do", "item", "applicant"],
           [[r["deadline"] + (" overdue" if r["overdue"] else ""), r["case"], f"{r['name']} ({r['step']})",
             r["action"], r["item"], r["applicant"]] for r in rows], title=f"{department}: {len(rows)} to do on {on}")
    return 0


_VERBS: dict[str, Callable[[Any, argparse.Namespace], int]] = {
    "open": _open, "show": _show, "list": _list, "queue": _queue}


# -- helpers ---------------------------------------------------------------------------------
def _find_item(ref: str) -> Path:
    """A definition file, or the file of item id `ref` under ./definitions/."""
    import difflib

    from engine.errors import LianbanError
    from engine.validation.loader import load_file
    from engine.validation.tree import discover, kind_of

    path = Path(ref)
    if path.is_file():
        return path
    root = Path("definitions")
    if not root.is_dir():
        raise LianbanError(f"{ref}: no such file, and no definitions/ folder here to look up an item id")
    for suffix in (".yaml", ".yml"):
        if (root / f"{ref}{suffix}").is_file():
            return root / f"{ref}{suffix}"
    ids: dict[str, Path] = {}
    for f in discover([root]):
        if kind_of(f) == "item":
            data = load_file(f).data
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                ids.setdefault(data["id"], f)
    if ref in ids:
        return ids[ref]
    near = difflib.get_close_matches(ref, list(ids), n=1)
    hint = f"; did you mean '{near[0]}'?" if near else f"; items: {', '.join(sorted(ids))}"
    raise LianbanError(f"no item '{ref}' in {root}/{hint}")


def _department(args: argparse.Namespace) -> str:
    from engine.errors import LianbanError
    from engine.validation.catalog import load_catalog, project_catalog_dir

    catalog = load_catalog(Path(args.catalog) if args.catalog else project_catalog_dir())
    dept = catalog.department(args.department)
    if dept is None:
        near = catalog.suggest_department(args.department)
        raise LianbanError(f"unknown department '{args.department}'" + (f"; did you mean '{near}'?" if near else ""))
    return dept.name


def _print_flow(case: Case, on: date) -> None:
    late = {r.id for r in case.overdue(on)}
    rows = []
    for r in case.steps.values():
        note = []
        if r.id in late:
            note.append(f"overdue on {on}")
        if r.state.value == "returned":
            note.append(f"补正 since {r.returned_on}: {r.reason}")
        if r.paused_days:
            note.append(f"paused {r.paused_days} wd")
        if r.state.value == "refused":
            note.append(f"不予许可: {r.reason}")
        rows.append([r.id, r.name, r.department, r.state.value, ", ".join(r.needs) or "-",
                     r.planned.isoformat(), r.deadline.isoformat(), "; ".join(note)])
    _table(["step", "name", "department", "state", "needs", "planned", "deadline", "note"], rows)


def _table(columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
    import shutil

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Every cell and the title may hold text from a definition or a user (step names, applicants,
    # reasons): render them as plain Text, never as console markup or :emoji: codes.
    color = use_color()
    width = shutil.get_terminal_size().columns if color else 200
    console = Console(file=sys.stdout, width=width, no_color=not color, highlight=False, soft_wrap=False,
                      force_terminal=color, markup=False, emoji=False)
    table = Table(*columns, title=Text(title) if title is not None else None, box=None,
                  header_style="bold" if color else "", pad_edge=False)
    for row in rows:
        table.add_row(*(Text(str(c)) for c in row))
    console.print(table)
