"""Arguments and helpers shared by subcommands."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from engine.fileio import blocker, write_atomic
from engine.i18n import _, os_reason

if TYPE_CHECKING:
    from engine.model import Item


def add_catalog(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="DIR",
                        help=_("catalog folder (default: the definitions tree's catalog/, else the project's)"))


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
                        help=_("write to FILE (atomically; through a link, a device or a pipe) instead of standard output"))


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
    if not any(f.kind == "item" for f in result.files):
        from engine.errors import LianbanError
        if result.files:  # a catalog or calendar folder: checked above, but there is no item to show
            raise LianbanError(_("no item definitions under {paths}, only catalog or calendar files: "
                                 "name the definitions folder or item files").format(paths=", ".join(map(str, paths))))
        raise LianbanError(_("no YAML definitions found under {paths}").format(paths=", ".join(map(str, paths))))
    return result.items, result.exit_code()


def valid_item(ref: str, catalog: str | None, definitions: str | None = None) -> tuple[Item | None, Path, int]:
    """The item *ref* names (a file, or an id under *definitions*, default ./definitions) if it is
    valid, else None (its errors printed); its file; and the exit code so far."""
    from engine.locations import find_item_file

    path = find_item_file(ref, definitions)
    items, code = load_valid([str(path)], catalog)
    return (items[0] if items else None), path, code


def department_name(name: str, catalog: str | None, near: str | None = None) -> str:
    """The catalog's name of the department *name* names (an alias or a did-you-mean error otherwise);
    the catalog is --catalog, else the one beside *near* (a definition file) or ./definitions."""
    from engine.locations import catalog_dir
    from engine.validation.catalog import load_catalog

    return load_catalog(catalog_dir(catalog, Path(near) if near else None)).resolve_department(name).name


def emit(text: str, output: str | None) -> None:
    """Print *text*, or write it to the file *output* (an I/O failure is a LianbanError: exit 2)."""
    if not output:
        print(text)
        return
    try:
        write_atomic(output, text if text.endswith("\n") else text + "\n", through=True)
    except OSError as exc:
        from engine.errors import LianbanError

        reason = os_reason(exc)
        in_the_way = blocker(output) if isinstance(exc, (FileExistsError, NotADirectoryError)) else None
        if in_the_way is not None:
            reason = _("{path} is not a folder").format(path=in_the_way)
        raise LianbanError(_("cannot write {path}: {reason}").format(path=output, reason=reason)) from exc
