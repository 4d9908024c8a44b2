"""Export one item: its optimized flow (``export mermaid|dot|bpmn ITEM``) or its merged form (``export form ITEM``).

ITEM is a definition file, or an item id looked up under ``--definitions`` (default
``./definitions``). The formats, their help and their options are the outputs that
:data:`engine.outputs.OUTPUTS` offers to ``export``.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from engine.cli.common import add_catalog, add_output
from engine.i18n import N_, _

if TYPE_CHECKING:
    from engine.model import Item

DESCRIPTION = N_("Export one item's optimized flow: ``export mermaid ITEM``, ``export dot ITEM``, ``export bpmn ITEM``.")
_OPTION_HELP = {"group": N_("a subgraph per department (swimlanes, default) or per stage"),
                "flavor": N_("target BPMN tool")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engine.outputs import get, names

    sub = parser.add_subparsers(dest="export_format", metavar="FORMAT", required=True)
    for name in names("export"):
        output = get("export", name)
        p = sub.add_parser(name, help=_(output.help), description=_(output.help))
        p.add_argument("item", metavar="ITEM", help=_("a definition file, or an item id found under --definitions"))
        p.add_argument("--definitions", metavar="DIR", default="definitions",
                       help=_("where to look an item id up (default: ./definitions)"))
        add_output(p)
        add_catalog(p)
        for option, values in output.choices.items():
            p.add_argument(f"--{option}", choices=list(values), default=values[0],
                           help=_("{what} (default {value})").format(
                               what=_(_OPTION_HELP[option]) if option in _OPTION_HELP else option, value=values[0]))
        p.add_argument("--answers", metavar="Q=A,...",
                       help=_("for an item that asks questions: this situation (default: the default situation; "
                              "for form, the whole form with its conditions)"))


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import emit
    from engine.flow.analysis import analyze
    from engine.outputs import Options, get

    output = get("export", args.export_format)
    options = Options(**{option: getattr(args, option) for option in output.choices}, answers=args.answers)
    item, code = find_item(args.item, args.definitions, args.catalog)
    if args.answers is not None:
        from engine.situations import parse_answers, specialise

        item = specialise(item, parse_answers(item, args.answers))
    emit(output.render([analyze(item)], options), args.output)
    return code


def find_item(ref: str, definitions: str, catalog: str | None) -> tuple[Item, int]:
    """The one valid item *ref* names (a file, or an id under *definitions*), and the exit code so far."""
    from engine.cli.common import valid_item
    from engine.errors import UsageError

    item, path, code = valid_item(ref, catalog, definitions)
    if item is None:
        raise UsageError(_("{path} has errors; fix them first (lianban validate {path})").format(path=path))
    return item, code
