"""Where things live: the project's data, a definitions tree's catalog and calendar, the
definitions to read by default, an item named by id, and the case store.

Every lookup of "the folder that belongs to this file" goes through :func:`nearest`, so the
rules are the same everywhere: a definition inside a definitions tree uses that tree's
``catalog/`` and ``calendar/``; anything else uses the project's. The schemas and the project
catalog sit at the top of the repository, where editors and analysts find them; the wheel
ships them as the data-only packages ``engine.bundled_schemas`` and ``engine.bundled_catalog``
(see pyproject.toml).

Environment: ``LIANBAN_CATALOG`` (the project catalog), ``LIANBAN_CALENDAR_DIR`` (the calendar
folder), ``LIANBAN_DB`` (the case store: an SQLite path or a postgresql:// DSN).
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from engine.errors import UsageError
from engine.i18n import _

CHECKOUT = Path(__file__).resolve().parent.parent
CATALOG_DIR = "catalog"
CALENDAR_DIR = "calendar"
DEFINITIONS_DIR = "definitions"
DEPARTMENTS_FILE = "departments.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


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


def schema_dir() -> Path:
    """The JSON Schemas: the checkout's ``schemas/``, else the installed copy."""
    return data_dir("schemas", "engine.bundled_schemas", "item.schema.json")


def nearest(start: Path, folder: str, marker: str | None = None) -> Path | None:
    """The ``folder`` sub-folder of *start* (when it is a folder) or of its nearest ancestor that
    has one (holding *marker*, when given); never *start* itself. None when there is none."""
    path = Path(start).resolve()
    for base in ([path] if path.is_dir() else []) + list(path.parents):
        candidate = base / folder
        if candidate != path and candidate.is_dir() and (marker is None or (candidate / marker).is_file()):
            return candidate
    return None


# -- catalogs ----------------------------------------------------------------------------------
def project_catalog_dir() -> Path:
    """The project's own catalog: $LIANBAN_CATALOG, else the checkout's, else the packaged copy."""
    env = os.environ.get("LIANBAN_CATALOG")
    if env:
        return Path(env)
    return data_dir(f"{DEFINITIONS_DIR}/{CATALOG_DIR}", "engine.bundled_catalog", DEPARTMENTS_FILE)


def catalog_dir_for(item_path: Path) -> Path:
    """The catalog a definition uses: its tree's ``catalog/``, else the project's."""
    return nearest(Path(item_path).resolve().parent, CATALOG_DIR, DEPARTMENTS_FILE) or project_catalog_dir()


def catalog_dir(explicit: str | Path | None, item_path: Path | None = None) -> Path:
    """``--catalog DIR`` if given, else the catalog of *item_path*, else the project's."""
    if explicit is not None:
        return Path(explicit)
    return catalog_dir_for(item_path) if item_path is not None else project_catalog_dir()


# -- calendars ---------------------------------------------------------------------------------
def default_calendar_dir() -> Path | None:
    """$LIANBAN_CALENDAR_DIR if set; else the nearest ``definitions/calendar`` of the working
    folder (or its parents), else the project checkout's; else None."""
    env = os.environ.get("LIANBAN_CALENDAR_DIR")
    if env:
        return Path(env)
    cwd = Path.cwd().resolve()
    for base in (cwd, *cwd.parents):
        candidate = base / DEFINITIONS_DIR / CALENDAR_DIR
        if candidate.is_dir():
            return candidate
    checkout = CHECKOUT / DEFINITIONS_DIR / CALENDAR_DIR
    return checkout if checkout.is_dir() else None


def tree_calendar_dir(paths: Iterable[str | Path]) -> Path | None:
    """The ``calendar/`` folder of the definitions tree holding *paths*, or None when no path is
    in such a tree. Paths in trees with different calendar folders are a usage error."""
    found: dict[Path, str] = {}
    for text in paths:
        candidate = nearest(Path(text), CALENDAR_DIR)
        if candidate is not None:
            found.setdefault(candidate, str(text))
    if len(found) > 1:
        where = "; ".join(f"{p} (for {t})" for p, t in found.items())
        raise UsageError(_("the definitions come from trees with different calendar folders: {where}; "
                           "choose one with --calendar DIR").format(where=where))
    return next(iter(found), None)


def calendar_dir(explicit: str | Path | None = None, paths: Sequence[str | Path] = ()) -> Path | None:
    """``--calendar DIR``, else $LIANBAN_CALENDAR_DIR, else the calendar of the definitions
    tree holding *paths*, else :func:`default_calendar_dir`. A named folder must exist."""
    if explicit is not None:
        if not Path(explicit).is_dir():
            raise UsageError(_("--calendar {dir}: no such folder").format(dir=explicit))
        return Path(explicit)
    if os.environ.get("LIANBAN_CALENDAR_DIR"):
        return default_calendar_dir()
    return tree_calendar_dir(paths) or default_calendar_dir()


# -- definitions -------------------------------------------------------------------------------
def default_definitions_dir() -> Path:
    """``./definitions`` if there is one, else the checkout's; a usage error when neither exists."""
    here = Path(DEFINITIONS_DIR)
    if here.is_dir():
        return here
    checkout = CHECKOUT / DEFINITIONS_DIR
    if checkout.is_dir():
        return checkout
    raise UsageError(_("no definitions/ folder here: name the definitions to read"))


def find_item_file(ref: str, definitions: str | Path | None = None) -> Path:
    """The definition file *ref* names: a file, or the id of an item under *definitions*
    (default ``./definitions``), found by file name (``<id>.yaml``) and else by reading ids."""
    from engine.suggest import closest, did_you_mean

    path = Path(ref)
    if path.is_file():
        return path
    if path.is_dir():
        raise UsageError(_("{ref} is a folder: give one definition file or an item id").format(ref=ref))
    root = Path(definitions) if definitions is not None else Path(DEFINITIONS_DIR)
    if not root.is_dir():
        raise UsageError(_("{ref}: no such file, and no definitions folder {root} to look the id up in").format(
            ref=ref, root=root))
    for suffix in YAML_SUFFIXES:
        candidate = root / f"{ref}{suffix}"
        if candidate.is_file():
            return candidate
    ids = item_ids(root)
    if ref in ids:
        return ids[ref]
    guess = closest(ref, ids)
    hint = did_you_mean(guess) if guess else _("items: {ids}").format(ids=", ".join(sorted(ids)) or "-")
    raise UsageError(_("no item '{ref}' in {root} ({hint})").format(ref=ref, root=root, hint=hint))


def item_ids(root: Path) -> dict[str, Path]:
    """id -> file of every item definition under *root* that has a readable id."""
    from engine.validation.loader import load_file
    from engine.validation.tree import discover, kind_of

    ids: dict[str, Path] = {}
    for f in discover([root]):
        if kind_of(f) == "item":
            data = load_file(f).data
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                ids.setdefault(data["id"], f)
    return ids


# -- the case store ----------------------------------------------------------------------------
def default_store() -> str:
    """$LIANBAN_DB verbatim, else cases.sqlite3 in the user's data folder (platformdirs).

    Text, not a Path: the variable may hold a postgresql:// DSN, whose '//' a Path would fold
    into a folder name ('postgresql:/user:password@host/db'), turning the DSN into an SQLite file.
    """
    env = os.environ.get("LIANBAN_DB")
    if env:
        return env
    import platformdirs

    return str(Path(platformdirs.user_data_dir("lianban")) / "cases.sqlite3")
