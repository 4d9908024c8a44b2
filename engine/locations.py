"""Where the project's data lives: the checkout, or the copy inside an installed package.

The schemas and the project catalog sit at the top of the repository, where editors and
analysts find them; the wheel ships them as the data-only packages
``engine.bundled_schemas`` and ``engine.bundled_catalog`` (see pyproject.toml).
"""
from __future__ import annotations

import importlib
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def data_dir(checkout_relative: str, package: str, marker: str) -> Path:
    """The checkout's folder if it holds *marker*, else the installed package's folder."""
    here = CHECKOUT / checkout_relative
    if (here / marker).is_file():
        return here
    try:
        module = importlib.import_module(package)
    except ImportError:
        return here
    for entry in getattr(module, "__path__", []):  # a namespace package: no __init__.py
        if (Path(entry) / marker).is_file():
            return Path(entry)
    return here
