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
from engine.errors import EXIT_BUG, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, LianbanError, UsageError
from engine.i18n import LANGUAGES, N_, _, os_reason, pgettext, set_language, translate_argparse

# name -> (module, one-line help); each module's DESCRIPTION (else its docstring's first line) heads its help
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("engine.cli.validate", N_("check item definitions and catalogs")),
    "analyze": ("engine.cli.analyze", N_("the optimized flow and the four reductions of items")),
    "preview": ("engine.cli.preview", N_("one item's optimized flow in the terminal")),
    "guide": ("engine.cli.guide", N_("ask an item's questions and print the applicant's notice (一次告知单)")),
    "report": ("engine.cli.report", N_("the portfolio table of every item")),
    "export": ("engine.cli.export", N_("the flow as Mermaid, Graphviz dot or BPMN 2.0")),
    "render": ("engine.cli.render", N_("a static HTML site of the flows")),
    "workdays": ("engine.cli.workdays", N_("working-day arithmetic on the Chinese calendar")),
    "calendar": ("engine.cli.calendar", N_("calendar files from the State Council's holiday notices")),
    "case": ("engine.cli.case", N_("run cases (办件) through a flow")),
    "supervise": ("engine.cli.supervise", N_("督办: how departments perform, from the case store")),
    "simulate": ("engine.cli.simulate", N_("simulated cases of an item, for supervise to run on")),
    "serve": ("engine.cli.serve", N_("the department workspace: web pages and a JSON API over the case store")),
    "account": ("engine.cli.account", N_("accounts, roles and API tokens of the workspace")),
    "store": ("engine.cli.store", N_("maintain the case store (rebuild its case list and queues)")),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise LianbanError(message)


def build_parser() -> argparse.ArgumentParser:
    """The parser, in the current language (build it after :func:`set_language`)."""
    parser = _Parser(prog="lianban", description=_("Declarative workflow engine for 一事联办 joint items."))
    parser.add_argument("--version", action="version", version=f"lianban {__version__}",
                        help=_("show program's version number and exit"))
    parser.add_argument("--lang", choices=LANGUAGES,
                        help=_("language of the output: zh or en (default: from LC_ALL, LC_MESSAGES or LANG)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        description = getattr(module, "DESCRIPTION", None) or (module.__doc__ or help_text).strip().splitlines()[0]
        p = sub.add_parser(name, help=_(help_text), description=_(description))
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def take_language(argv: list[str]) -> tuple[str | None, list[str]]:
    """``--lang zh|en`` (or ``--lang=zh``) anywhere before ``--``, and the arguments without it.

    It is taken out before the parser is built, because the help texts are translated then."""
    rest: list[str] = []
    lang: str | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        if arg == "--lang" or arg.startswith("--lang="):
            if arg == "--lang":
                if i + 1 >= len(argv):
                    raise UsageError(_("--lang needs a value: {choices}").format(choices=_(" or ").join(LANGUAGES)))
                value, i = argv[i + 1], i + 1
            else:
                value = arg.partition("=")[2]
            if value not in LANGUAGES:
                raise UsageError(_("--lang {value}: choose {choices}").format(value=value,
                                                                              choices=_(" or ").join(LANGUAGES)))
            lang = value
        else:
            rest.append(arg)
        i += 1
    return lang, rest


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (the one place that maps errors to exit codes)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    set_language(None)  # the environment's, until --lang says otherwise
    try:
        check_arguments(args_list)
        lang, args_list = take_language(args_list)
        if lang is not None:
            set_language(lang)
        translate_argparse()
        parser = build_parser()
        args = parser.parse_args(args_list)
        if not getattr(args, "_run", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args._run(args))
    except LianbanError as exc:
        print(f"lianban: {label(exc)}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("lianban: interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # I/O the command did not expect to fail (disk full, a vanished folder): not a bug
        print(_("lianban: error: {reason}").format(reason=describe_os_error(exc)), file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # the one place that turns bugs into a report
        import traceback

        print(_("lianban: internal error: {error}\n"
                "This is a bug. Please report it with the command you ran and these versions:\n"
                "  {versions}").format(error=f"{type(exc).__name__}: {exc}",
                                       versions=f"lianban {__version__}, Python {platform.python_version()}, "
                                                f"{platform.platform()}"),
              file=sys.stderr)
        if "--debug" in args_list:
            traceback.print_exc()
        return EXIT_BUG


def label(exc: LianbanError) -> str:
    """The word before an error's message: error, refused (a move the rules do not allow), or stopped
    (the input ended before the questions were answered)."""
    labels = {"error": pgettext("error label", "error"), "refused": pgettext("error label", "refused"),
              "stopped": pgettext("error label", "stopped")}
    return labels.get(exc.label, exc.label)


def check_arguments(argv: Sequence[str]) -> None:
    """Refuse arguments that are not valid UTF-8 (Python keeps their bytes as lone surrogates,
    which no message could print)."""
    for n, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise LianbanError(_("argument {n} ({shown}) is not valid UTF-8: name files and values in UTF-8").format(
                n=n, shown=repr(shown))) from None


def describe_os_error(exc: OSError) -> str:
    """One line for an operating-system error: what failed, on which file, and why."""
    import errno

    reason = os_reason(exc)
    if exc.errno == errno.ENOSPC:
        reason = _("no space left on the device (free some space and run the command again)")
    where = exc.filename if isinstance(exc.filename, str) else None
    return f"{where}: {reason}" if where else reason
