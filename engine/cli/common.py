"""Arguments and helpers shared by subcommands."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from engine.fileio import blocker, write_atomic


def add_catalog(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="DIR",
                        help="catalog folder (default: the definitions tree's catalog/, else the project's)")


def date_arg(text: str) -> date:
    """argparse type for a date: YYYY-MM-DD, a real day (see engine.units.parse_date)."""
    from engine.errors import UsageError
    from engine.units import parse_date

    try:
        return parse_date(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write to FILE (atomically; through a link, a device or a pipe) instead of standard output")


def use_color(stream: object = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def load_valid(paths: list[str], catalog: str | None, progress: object = None) -> tuple[list, int]:
    """Validate *paths*; print errors to stderr; return the valid items and the exit code so far."""
    from engine.outputs import Findings, Options
    from engine.outputs.findings import text
    from engine.validation.tree import validate_paths

    result = validate_paths(paths, catalog, progress)
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        print(text(Findings(errors, len(result.files)), Options(color=use_color(sys.stderr))), file=sys.stderr)
    if not result.files:
        from engine.errors import LianbanError
        raise LianbanError(f"no YAML definitions found under {', '.join(map(str, paths))}")
    return result.items, result.exit_code()


def emit(text: str, output: str | None) -> None:
    """Print *text*, or write it to the file *output* (an I/O failure is a LianbanError: exit 2)."""
    if not output:
        print(text)
        return
    try:
        write_atomic(output, text if text.endswith("\n") else text + "\n", through=True)
    except OSError as exc:
        from engine.errors import LianbanError

        reason = exc.strerror or str(exc) or type(exc).__name__
        in_the_way = blocker(output) if isinstance(exc, (FileExistsError, NotADirectoryError)) else None
        if in_the_way is not None:
            reason = f"{in_the_way} is not a folder"
        raise LianbanError(f"cannot write {output}: {reason}") from exc
