"""Where the project's data lives: the checkout, or the copy inside an installed package.

The schemas and the project catalog sit at the top of the repository, where editors and
analysts find them; the wheel ships them as the data-only packages
``engine.bundled_schemas`` and ``engine.bundled_catalog`` (see pyproject.toml).
Also which working-day calendar folder a definitions tree uses (:func:`calendar_dir`).
"""
from __future__ import annotations

import importlib
from collections.abc import Sequence
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


def tree_calendar_dir(paths: Sequence[str | Path]) -> Path | None:
    """The ``calendar/`` folder of the definitions tree holding *paths*: for each path, the nearest
    folder (the path itself if it is a folder, else its ancestors) that has a ``calendar/``
    sub-folder, as catalog_dir_for finds ``catalog/``.  None when no path is in such a tree.
    Paths in trees with different calendar folders are a usage error (choose one)."""
    from engine.errors import UsageError
    from engine.i18n import _

    found: dict[Path, str] = {}
    for text in paths:
        path = Path(text).resolve()
        for base in ([path] if path.is_dir() else []) + list(path.parents):
            candidate = base / "calendar"
            if candidate.is_dir() and candidate != path:
                found.setdefault(candidate, str(text))
                break
    if len(found) > 1:
        where = "; ".join(f"{p} (for {t})" for p, t in found.items())
        raise UsageError(_("the definitions come from trees with different calendar folders: {where}; "
                           "choose one with --calendar DIR").format(where=where))
    return next(iter(found), None)


def calendar_dir(paths: Sequence[str | Path], chosen: str | Path | None = None) -> Path | None:
    """The calendar folder for dates of the definitions at *paths*: *chosen* (``--calendar``),
    else ``$LIANBAN_CALENDAR_DIR``, else the definitions tree's ``calendar/``, else the default
    (:func:`engine.workdays.calendar.default_calendar_dir`)."""
    import os

    from engine.workdays.calendar import default_calendar_dir

    if chosen is not None:
        return Path(chosen)
    if os.environ.get("LIANBAN_CALENDAR_DIR"):
        return default_calendar_dir()
    return tree_calendar_dir(paths) or default_calendar_dir()
