"""Registry of every flow output format (text, json, markdown, mermaid, dot, ...).

Formats that work on a list of analyses live here so ``analyze --format`` and
``export`` offer the same choices; per-item exports (BPMN) have their own
registry in :mod:`engine.bpmn`.
"""
from __future__ import annotations

import importlib
import importlib.util

from .summaries import FORMATS, Formatter

# format name -> module providing ``render(analyses) -> str``, imported on use
_PLUGINS: dict[str, str] = {
    "mermaid": "engine.mermaid",
    "dot": "engine.dot",
}


def all_formats() -> dict[str, Formatter]:
    out = dict(FORMATS)
    for name, module_name in _PLUGINS.items():
        spec = importlib.util.find_spec(module_name)
        if spec is not None:
            out[name] = lambda analyses, _m=module_name: importlib.import_module(_m).render(analyses)
    return out
