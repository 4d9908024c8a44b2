"""The portfolio table: every item with the four reductions, and the totals."""
from __future__ import annotations

import argparse
import sys

from engine.cli.common import add_catalog, emit, load_valid, use_color
from engine.locations import default_definitions_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="definition files or folders (default: the project's definitions/)")
    parser.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.flow.analysis import analyze
    from engine.outputs.summaries import FORMATS

    paths = args.paths or [str(default_definitions_dir())]
    with _progress() as tick:
        items, code = load_valid(paths, args.catalog, progress=tick)
    analyses = [analyze(i) for i in items]
    if args.format == "table":
        from engine.outputs.terminal import portfolio_table

        text = portfolio_table(analyses, color=use_color() and not args.output)
    else:
        text = FORMATS[args.format](analyses)
    emit(text, args.output)
    return code


class _progress:
    """A rich progress bar on a terminal's stderr while many files are read."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("reading definitions"), BarColumn(), MofNCompleteColumn(),
                                console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("read", total=None)
            self.bar.start()
        return self.tick

    def tick(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
