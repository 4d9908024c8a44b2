"""The optimized flow and the four reductions of one or more items."""
from __future__ import annotations

import argparse

from engine.cli.common import add_catalog, load_valid


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engine.outputs import FORMAT_NAMES

    parser.add_argument("paths", nargs="+", metavar="PATH", help="definition files or folders")
    parser.add_argument("--format", choices=FORMAT_NAMES, default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import emit
    from engine.flow.analysis import analyze
    from engine.outputs import all_formats

    items, code = load_valid(args.paths, args.catalog)
    if not items:
        return code  # the findings went to stderr; no item to show
    analyses = [analyze(i) for i in items]
    emit(all_formats()[args.format](analyses), args.output)
    return code
