"""Simulated case histories of an item, so `supervise` has data: seeded, marked, never mixed silently.

  lianban simulate start-business --cases 1000 --seed 7 --db sim.db --from 2021-01-04

Every case is written through the case machine's checks, in bulk, and its opened event says
"simulated": true with the simulation's id and seed; `supervise` leaves such cases out unless
--include-simulated, and `case list` marks them. The assumptions are in docs/supervision.md.
Exit codes: 0 done; 1 the definition has errors; 2 usage, store or calendar problems.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from engine.cli.common import add_catalog, date_arg
from engine.cli.workdays import add_calendar, load_calendar
from engine.i18n import N_, _

DESCRIPTION = N_("Simulated case histories of an item, so `supervise` has data: seeded, marked, never mixed silently.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("item", metavar="ITEM", help=_("a definition file, or an item id in ./definitions/"))
    parser.add_argument("--cases", type=int, required=True, metavar="N", help=_("how many cases to simulate"))
    parser.add_argument("--seed", type=int, required=True, metavar="S",
                        help=_("the random seed: the same seed gives the same cases"))
    parser.add_argument("--db", metavar="PATH", help=_("case store (default: $LIANBAN_DB, else the user data folder)"))
    parser.add_argument("--from", dest="start", type=date_arg, metavar="DATE",
                        help=_("the first day cases open (default: today)"))
    parser.add_argument("--rate", type=float, default=20.0, metavar="R",
                        help=_("cases opened per working day, on average (default 20)"))
    parser.add_argument("--answers", metavar="Q=A,...",
                        help=_("simulate one applicant situation only (default: each case draws its situation "
                               "by the definition's shares)"))
    parser.add_argument("--format", choices=["text", "json"], default="text")
    add_calendar(parser)
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.cases.store import open_store
    from engine.cli.common import valid_item
    from engine.errors import UsageError
    from engine.flow.analysis import analyze
    from engine.supervision.simulate import Assumptions, simulate

    if args.cases < 1 or args.cases > 10_000_000:
        raise UsageError(_("--cases must be between 1 and 10000000, not {n}").format(n=args.cases))
    assumptions = Assumptions(rate=args.rate)
    assumptions.check()
    item, path, _code = valid_item(args.item, args.catalog)
    if item is None:
        print(_("lianban: cannot simulate: {path} has errors").format(path=path), file=sys.stderr)
        return 1
    if args.answers is not None:
        from engine.situations import parse_answers, specialise

        item = specialise(item, parse_answers(item, args.answers))
    calendar = load_calendar(args.calendar, args.official_only)
    store = open_store(args.db)
    try:
        done = simulate(store, analyze(item), args.cases, args.seed, args.start or date.today(), calendar,
                        assumptions, mix=args.answers is None)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(done.as_dict(), ensure_ascii=False, indent=2))
        return 0
    from engine.cases.words import label

    states = _(", ").join(f"{n} {label(state)}" for state, n in sorted(done.states.items()))
    print(_("simulated {n} case(s) of {item} (seed {seed}, simulation {sim}): cases {first}…{last}, opened "
            "{opened} to {cut}, histories cut at {cut}; {events} events; {states}").format(
        n=len(done.ids), item=done.item, seed=done.seed, sim=done.id, first=done.ids[0], last=done.ids[-1],
        opened=done.first, cut=done.last, events=done.events, states=states))
    print(_("they are marked simulated: `lianban supervise --to {cut}` leaves them out unless --include-simulated")
          .format(cut=done.last))
    return 0
