"""One item's optimized flow in the terminal: Gantt, stages, materials."""
from __future__ import annotations

import argparse

from engine.cli.common import add_catalog, department_name, load_valid, use_color
from engine.errors import LianbanError
from engine.i18n import N_, _

DESCRIPTION = N_("One item's optimized flow in the terminal: Gantt, stages, materials.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("item", metavar="ITEM", help=_("a definition file"))
    parser.add_argument("--department", metavar="NAME",
                        help=_("one department's view: its steps, what it receives, when it starts, its slack and deadline"))
    parser.add_argument("--width", type=int, help=_("output width in columns (default: the terminal's)"))
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.flow.analysis import analyze
    from engine.outputs.terminal import department_preview, preview

    items, code = load_valid([args.item], args.catalog)
    if len(items) != 1:
        return code or 1
    analysis = analyze(items[0])
    color = use_color()
    if args.department:
        name = department_name(args.department, args.catalog, args.item)
        try:
            view = analysis.department_view(name)
        except KeyError:
            raise LianbanError(_("{department} handles no step of {item}; departments with steps: {departments}").format(
                department=name, item=analysis.item.id,
                departments=", ".join(v.department for v in analysis.department_views()))) from None
        print(department_preview(analysis, view, color, args.width))
    else:
        print(preview(analysis, color, args.width))
    return code
