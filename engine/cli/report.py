"""The portfolio table: every item with the four reductions, and the totals."""
from __future__ import annotations

import argparse
import sys

from engine.cli.common import add_catalog, add_output, emit, load_valid, use_color
from engine.i18n import N_, _
from engine.locations import default_definitions_dir
from engine.outputs import names

DESCRIPTION = N_("The portfolio table: every item with the four reductions, and the totals.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help=_("definition files or folders (default: the project's definitions/)"))
    parser.add_argument("--format", choices=names("report"), default="table", help=_("output format (default: table)"))
    parser.add_argument("--width", type=int, help=_("table width in columns (default: the terminal's)"))
    add_output(parser)
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.flow.analysis import analyze
    from engine.outputs import Options, get

    paths = args.paths or [str(default_definitions_dir())]
    with _progress() as tick:
        items, code = load_valid(paths, args.catalog, progress=tick)
    options = Options(color=use_color() and not args.output, width=args.width)
    emit(get("report", args.format).render([analyze(i) for i in items], options), args.output)
    return code


class _progress:
    """A rich progress bar on a terminal's stderr while many files are read."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn(_("reading definitions")), BarColumn(), MofNCompleteColumn(),
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
