"""Check item definitions and catalogs: every finding as path:line:col."""
from __future__ import annotations

import argparse

from engine.cli.common import add_catalog, use_color
from engine.i18n import N_, _

DESCRIPTION = N_("Check item definitions and catalogs: every finding as path:line:col.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engine.outputs import names

    parser.add_argument("paths", nargs="+", metavar="PATH", help=_("definition files or folders (searched recursively)"))
    parser.add_argument("--format", choices=["auto", *names("validate")], default="auto",
                        help=_("text (default on a terminal), json, or github annotations (auto under GitHub Actions)"))
    parser.add_argument("--strict", action="store_true", help=_("treat warnings as errors"))
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.outputs import Findings, Options, get
    from engine.outputs.findings import auto_format
    from engine.validation.tree import validate_paths

    result = validate_paths(args.paths, args.catalog)
    if not result.files:  # a wrong path in CI must not pass
        from engine.errors import UsageError

        raise UsageError(_("no YAML definitions found under {paths}: nothing was checked").format(
            paths=", ".join(args.paths)))
    name = auto_format() if args.format == "auto" else args.format
    print(get("validate", name).render(Findings(result.diagnostics, len(result.files)), Options(color=use_color())))
    return result.exit_code(strict=args.strict)
