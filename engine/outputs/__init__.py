"""Registry of every flow output format (text, json, markdown, mermaid, dot, ...).

Formats that work on a list of analyses live here so ``analyze --format`` and
``export`` offer the same choices; per-item exports (BPMN) have their own
registry in :mod:`engine.outputs.bpmn.writer`.
"""
from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.flow.analysis import Analysis
    from engine.outputs.summaries import Formatter

# The choices of ``analyze --format``, known without importing any format (CLI start-up);
# a test checks they are exactly the keys of all_formats().
FORMAT_NAMES: tuple[str, ...] = ("text", "json", "markdown", "mermaid", "dot")
# The choices of ``export bpmn --flavor``, likewise; they are the keys of engine.outputs.bpmn.writer.FLAVORS.
FLAVOR_NAMES: tuple[str, ...] = ("plain", "camunda7", "zeebe", "flowable")

# format name -> module providing ``render(analyses) -> str``, imported on use
_PLUGINS: dict[str, str] = {
    "mermaid": "engine.outputs.mermaid",
    "dot": "engine.outputs.dot",
}


def all_formats() -> dict[str, Formatter]:
    from engine.outputs.summaries import FORMATS

    return {**FORMATS, **{name: _imported_on_use(module_name) for name, module_name in _PLUGINS.items()}}


def _imported_on_use(module_name: str) -> Formatter:
    """A formatter that imports *module_name* only when it is called."""
    def render(analyses: Sequence[Analysis]) -> str:
        text: str = importlib.import_module(module_name).render(analyses)
        return text
    return render
