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
from engine.errors import EXIT_BUG, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, LianbanError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("engine.cli.validate", "check item definitions and catalogs"),
    "analyze": ("engine.cli.analyze", "the optimized flow and the four reductions of items"),
    "preview": ("engine.cli.preview", "one item's optimized flow in the terminal"),
    "guide": ("engine.cli.guide", "ask an item's questions and print the applicant's notice (一次告知单)"),
    "report": ("engine.cli.report", "the portfolio table of every item"),
    "export": ("engine.cli.export", "the flow as Mermaid, Graphviz dot or BPMN 2.0"),
    "render": ("engine.cli.render", "a static HTML site of the flows"),
    "workdays": ("engine.cli.workdays", "working-day arithmetic on the Chinese calendar"),
    "calendar": ("engine.cli.calendar", "calendar files from the State Council's holiday notices"),
    "case": ("engine.cli.case", "run cases (办件) through a flow"),
    "supervise": ("engine.cli.supervise", "督办: how departments perform, from the case store"),
    "simulate": ("engine.cli.simulate", "simulated cases of an item, for supervise to run on"),
    "serve": ("engine.cli.serve", "the department workspace: web pages and a JSON API over the case store"),
    "account": ("engine.cli.account", "accounts, roles and API tokens of the workspace"),
    "store": ("engine.cli.store", "maintain the case store (rebuild its case list and queues)"),
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
    """Run one command; return its exit code (the one place that maps errors to exit codes)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        check_arguments(args_list)
        parser = build_parser()
        args = parser.parse_args(args_list)
        if not getattr(args, "_run", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args._run(args))
    except LianbanError as exc:
        print(f"lianban: {exc.label}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("lianban: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # I/O the command did not expect to fail (disk full, a vanished folder): not a bug
        print(f"lianban: error: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # the one place that turns bugs into a report
        import traceback

        print(f"lianban: internal error: {type(exc).__name__}: {exc}\n"
              f"This is a bug. Please report it with the command you ran and these versions:\n"
              f"  lianban {__version__}, Python {platform.python_version()}, {platform.platform()}",
              file=sys.stderr)
        if "--debug" in args_list:
            traceback.print_exc()
        return EXIT_BUG


def check_arguments(argv: Sequence[str]) -> None:
    """Refuse arguments that are not valid UTF-8 (Python keeps their bytes as lone surrogates,
    which no message could print)."""
    for n, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise LianbanError(f"argument {n} ({shown!r}) is not valid UTF-8: "
                               "name files and values in UTF-8") from None


def describe_os_error(exc: OSError) -> str:
    """One line for an operating-system error: what failed, on which file, and why."""
    import errno

    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device (free some space and run the command again)"
    where = exc.filename if isinstance(exc.filename, str) else None
    return f"{where}: {reason}" if where else reason
