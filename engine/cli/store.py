"""Maintenance of the case store: rebuild the read model (projection) from the events.

  lianban store rebuild [--db PATH]

The projection (case list, queues) is written with every event and rebuilt automatically when a
new lianban changes its format; `rebuild` does it on demand (after restoring a backup of the
events alone, or to check that the projection says what the events say).
"""
from __future__ import annotations

import argparse

from engine.i18n import N_, _

DESCRIPTION = N_("Maintenance of the case store: rebuild the read model (projection) from the events.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True, parser_class=type(parser))
    p = sub.add_parser("rebuild", help=_("rebuild the case list and queues from every case's events"))
    p.add_argument("--db", metavar="PATH", help=_("the store (default: $LIANBAN_DB, else the user data folder)"))


def run(args: argparse.Namespace) -> int:
    import time

    from engine.cases.store import open_store

    store = open_store(args.db, create=False)
    try:
        start = time.perf_counter()
        total, damaged = store.rebuild_projection()
    finally:
        store.close()
    print(_("rebuilt the projection of {n} case(s) in {seconds} s").format(n=total,
                                                                          seconds=f"{time.perf_counter() - start:.1f}")
          + (_("; {n} case(s) whose events do not replay are marked damaged").format(n=damaged) if damaged else ""))
    return 1 if damaged else 0
