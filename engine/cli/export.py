"""Export one item: ``export mermaid|dot|bpmn ITEM`` (the optimized flow), ``export form ITEM`` (the merged form).

ITEM is a definition file, or an item id looked up under ``--definitions``
(default ``./definitions``).  Each format is an :class:`Exporter` in
:data:`EXPORTERS`.
"""
from __future__ import annotations

import argparse
import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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


def _form_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", metavar="Q=A,...",
                        help="the form of one situation (default: the whole form, with conditions as if/then)")


EXPORTERS: dict[str, Exporter] = {
    "mermaid": Exporter("engine.outputs.mermaid", "Mermaid flowchart (swimlanes, critical path styled)", _mermaid_options,
                        lambda m, a, args: m.flowchart([a], args.group)),
    "dot": Exporter("engine.outputs.dot", "Graphviz digraph (a cluster per department, rankdir=LR)", _no_options,
                    lambda m, a, args: m.render([a])),
    "bpmn": Exporter("engine.outputs.bpmn.writer", "BPMN 2.0 XML (a lane per department)", _bpmn_options,
                     lambda m, a, args: m.render_bpmn(a, args.flavor)),
    "form": Exporter("engine.situations.form_schema", "the merged application form (一表申请) as JSON Schema 2020-12",
                     _form_options, lambda m, a, args: m.render(a.item.general or a.item, args.answers)),
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
    from engine.errors import LianbanError

    path = Path(ref)
    if path.is_file():
        items, code = load_valid([ref], catalog)
        if not items:
            raise LianbanError(f"{ref} has errors; fix them first (lianban validate {ref})")
        return items[0], code
    if path.exists():
        raise LianbanError(f"{ref} is a folder: give one definition file or an item id")
    root = Path(definitions)
    if not root.is_dir():
        raise LianbanError(f"{ref}: no such file, and no definitions folder {definitions} to look the id up in")
    guess = root / f"{ref}.yaml"
    if guess.is_file():  # item files are named after their id (W327)
        items, code = load_valid([str(guess)], catalog)
        if items and items[0].id == ref:
            return items[0], code
    items, code = load_valid([definitions], catalog)
    for item in items:
        if item.id == ref:
            return item, code
    close = difflib.get_close_matches(ref, [i.id for i in items], n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise LianbanError(f"no valid item with id {ref!r} under {definitions}{hint}")
