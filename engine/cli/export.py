"""Export one item's optimized flow: ``export mermaid ITEM``, ``export dot ITEM``, ``export bpmn ITEM``.

ITEM is a definition file, or an item id looked up under ``--definitions``
(default ``./definitions``).  Each format is an :class:`Exporter` in
:data:`EXPORTERS`.
"""
from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from engine.cli.common import add_catalog

if TYPE_CHECKING:
    from engine.flow.analysis import Analysis
    from engine.model import Item


@dataclass(frozen=True)
class Exporter:
    module: str                                                    # imported on use
    help: str
    options: Callable[[argparse.ArgumentParser], None]             # format-specific arguments
    render: Callable[[ModuleType, Analysis, argparse.Namespace], str]


def _no_options(parser: argparse.ArgumentParser) -> None:
    pass


def _mermaid_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--group", choices=["department", "stage"], default="department",
                        help="a subgraph per department (swimlanes, default) or per stage")


def _bpmn_options(parser: argparse.ArgumentParser) -> None:
    from engine.outputs import FLAVOR_NAMES

    flavors = list(FLAVOR_NAMES)
    parser.add_argument("--flavor", choices=flavors, default=flavors[0], help=f"target BPMN tool (default {flavors[0]})")


EXPORTERS: dict[str, Exporter] = {
    "mermaid": Exporter("engine.outputs.mermaid", "Mermaid flowchart (swimlanes, critical path styled)", _mermaid_options,
                        lambda m, a, args: m.flowchart([a], args.group)),
    "dot": Exporter("engine.outputs.dot", "Graphviz digraph (a cluster per department, rankdir=LR)", _no_options,
                    lambda m, a, args: m.render([a])),
    "bpmn": Exporter("engine.outputs.bpmn.writer", "BPMN 2.0 XML (a lane per department)", _bpmn_options,
                     lambda m, a, args: m.render_bpmn(a, args.flavor)),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="export_format", metavar="FORMAT", required=True)
    for name, exporter in EXPORTERS.items():
        p = sub.add_parser(name, help=exporter.help, description=exporter.help)
        p.add_argument("item", metavar="ITEM", help="a definition file, or an item id found under --definitions")
        p.add_argument("--definitions", metavar="DIR", default="definitions",
                       help="where to look an item id up (default: ./definitions)")
        p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of standard output")
        add_catalog(p)
        exporter.options(p)


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import emit
    from engine.flow.analysis import analyze

    exporter = EXPORTERS[args.export_format]
    item, code = find_item(args.item, args.definitions, args.catalog)
    emit(exporter.render(importlib.import_module(exporter.module), analyze(item), args), args.output)
    return code


def find_item(ref: str, definitions: str, catalog: str | None) -> tuple[Item, int]:
    """The one valid item *ref* names (a file, or an id under *definitions*), and the exit code so far."""
    from engine.cli.common import load_valid
    from engine.errors import UsageError
    from engine.locations import find_item_file

    path = find_item_file(ref, definitions)
    items, code = load_valid([str(path)], catalog)
    if not items:
        raise UsageError(f"{path} has errors; fix them first (lianban validate {path})")
    return items[0], code
