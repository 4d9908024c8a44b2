"""The optimized flow and the four reductions of one or more items."""
from __future__ import annotations

import argparse

from engine.cli.common import add_catalog, add_output, load_valid


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engine.outputs import names

    parser.add_argument("paths", nargs="+", metavar="PATH", help="definition files or folders")
    parser.add_argument("--format", choices=names("analyze"), default="text")
    add_output(parser)
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import emit
    from engine.flow.analysis import analyze
    from engine.outputs import get

    items, code = load_valid(args.paths, args.catalog)
    if not items:
        return code  # the findings went to stderr; no item to show
    emit(get("analyze", args.format).render([analyze(i) for i in items]), args.output)
    return code
