"""The ``lianban`` command line: a thin shell over the library.

``main(argv)`` returns an exit code; tests call it directly.  Each subcommand
lives in ``engine/commands/<name>.py`` with ``add_arguments(parser)`` and
``run(args) -> int``; :data:`COMMANDS` is the registry.  Command modules import
heavy libraries inside ``run`` so that ``lianban --help`` starts fast.

Exit codes: 0 success, 1 findings (errors, or warnings under ``--strict``),
2 usage or I/O problems, 3 an internal error (a bug: please report it).
"""
from __future__ import annotations

import argparse
import importlib
import platform
import sys
from collections.abc import Sequence

from engine import __version__
from engine.validation.diagnostics import LianbanError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("engine.cli.validate", "check item definitions and catalogs"),
    "analyze": ("engine.cli.analyze", "the optimized flow and the four reductions of items"),
    "preview": ("engine.cli.preview", "one item's optimized flow in the terminal"),
    "report": ("engine.cli.report", "the portfolio table of every item"),
    "export": ("engine.cli.export", "the flow as Mermaid, Graphviz dot or BPMN 2.0"),
    "render": ("engine.cli.render", "a static HTML site of the flows"),
    "workdays": ("engine.cli.workdays", "working-day arithmetic on the Chinese calendar"),
    "case": ("engine.cli.case", "run cases (办件) through a flow"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise LianbanError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lianban", description="Declarative workflow engine for 一事联办 joint items.")
    parser.add_argument("--version", action="version", version=f"lianban {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip().splitlines()[0])
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "_run", None):
            parser.print_help()
            return 2
        return int(args._run(args))
    except LianbanError as exc:
        print(f"lianban: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lianban: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the one place that turns bugs into a report
        import traceback

        print(f"lianban: internal error: {type(exc).__name__}: {exc}\n"
              f"This is a bug. Please report it with the command you ran and these versions:\n"
              f"  lianban {__version__}, Python {platform.python_version()}, {platform.platform()}",
              file=sys.stderr)
        if "--debug" in (argv or sys.argv):
            traceback.print_exc()
        return 3
