"""Validation of files and trees: loader, schema and meaning, every problem at once.

:func:`validate_paths` is the library entry point behind ``lianban validate``
and every command that reads definitions: it returns every diagnostic of every
file (sorted by place) and the models of the items that had no errors.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import UsageError
from engine.i18n import _
from engine.locations import CALENDAR_DIR, CATALOG_DIR, DEPARTMENTS_FILE, YAML_SUFFIXES, catalog_dir_for
from engine.model import Item
from engine.validation import ime, schema
from engine.validation.catalog import FIELDS_FILE, MATERIALS_FILE, Catalog, load_catalog
from engine.validation.checks import check_item
from engine.validation.diagnostics import Diagnostic, Severity, display_path, make
from engine.validation.limits import Limits
from engine.validation.loader import load_file


@dataclass
class FileResult:
    path: str
    kind: str  # "item" | "departments" | "materials" | "fields" | "calendar"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    item: Item | None = None
    item_id: tuple[str, int, int] | None = None  # the item's id and where it is written


@dataclass
class Result:
    files: list[FileResult] = field(default_factory=list)
    extra: list[Diagnostic] = field(default_factory=list)  # catalog findings reported once

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted({d for f in self.files for d in f.diagnostics} | set(self.extra))

    @property
    def items(self) -> list[Item]:
        return [f.item for f in self.files if f.item is not None]

    def exit_code(self, strict: bool = False) -> int:
        diags = self.diagnostics
        if any(d.code == "E110" for d in diags):
            return 2
        worst = Severity.WARNING if strict else Severity.ERROR
        return 1 if any(d.severity >= worst for d in diags) else 0


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files under *paths* (files as given, folders recursively, sorted).

    Anything named ``*.yaml`` that is not a folder is listed, FIFOs and devices included, so the
    loader refuses it with a located finding instead of skipping it silently. The walk is
    iterative (a 1,500-level tree needs no recursion) and enters each real folder once (a
    symbolic link back up the tree is no loop).
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(_walk(p)))
        elif p.exists() or p.is_symlink():
            out.append(p)
        else:
            raise UsageError(_("{path}: no such file or folder").format(path=p))
    unique: dict[Path, Path] = {}  # one file named twice (a.yaml and ./dir/../a.yaml) is read once
    for f in out:
        unique.setdefault(_resolved(f), f)
    return list(unique.values())


def _walk(root: Path) -> Iterator[Path]:
    seen: set[tuple[int, int]] = set()
    todo = [root]
    while todo:
        folder = todo.pop()
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue  # unreadable or vanished: what cannot be listed cannot be checked either
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                todo.append(path)
            elif path.suffix in YAML_SUFFIXES:
                yield path


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: keep the name as given
        return path.absolute()


def kind_of(path: Path) -> str:
    if path.parent.name == CATALOG_DIR and path.name in (DEPARTMENTS_FILE, MATERIALS_FILE, FIELDS_FILE):
        return path.stem
    if path.parent.name == CALENDAR_DIR and path.stem.isdigit():
        return "calendar"
    return "item"


def validate_paths(paths: Sequence[str | Path], catalog_dir: str | Path | None = None,
                   progress: object = None, limits: Limits | None = None) -> Result:
    """Validate every definition under *paths*.

    *catalog_dir* overrides the catalog lookup (``--catalog``); *progress*, if
    given, is called with ``(done, total)`` after each file.  *limits* bound
    each file; by default they come from the environment (LIANBAN_MAX_BYTES),
    read when the first file is loaded.
    """
    files = discover(paths)
    fixed: Catalog | None = load_catalog(Path(catalog_dir), limits) if catalog_dir is not None else None
    result = Result()
    seen_catalogs: set[str] = set()
    catalogs: dict[Path, Catalog] = {}  # folder -> the catalog of its items, for this run
    item_ids: dict[str, tuple[str, int]] = {}  # id -> (file, line)
    for n, path in enumerate(files, 1):
        kind = kind_of(path)
        shown = display_path(path)
        if kind == "item":
            catalog = fixed or _catalog_for(path, catalogs, limits)
            limits = Limits.from_environment() if limits is None else limits
            key = str(catalog.directory)
            if key not in seen_catalogs:
                seen_catalogs.add(key)
                result.extra.extend(catalog.diagnostics)
            fr = _validate_item(path, shown, catalog, limits)
            if fr.item_id is not None:  # even when the file has other problems
                item_id, line, col = fr.item_id
                if item_id in item_ids:
                    first, first_line = item_ids[item_id]
                    fr.diagnostics.append(make(shown, line, col, "E301",
                                               _("item id '{id}' is already used by {file} (line {line})").format(
                                                   id=item_id, file=first, line=first_line),
                                               _("item ids must be unique in a definitions tree")))
                    fr.item = None
                else:
                    item_ids[item_id] = (shown, line)
        else:
            fr = _validate_other(path, shown, kind, limits)
        result.files.append(fr)
        if callable(progress):
            progress(n, len(files))
    return result


def _catalog_for(path: Path, catalogs: dict[Path, Catalog], limits: Limits | None) -> Catalog:
    """The catalog of an item file: looked up once per folder (a linked file: each time,
    as its catalog is found from where the link points)."""
    if path.is_symlink():
        return load_catalog(catalog_dir_for(path), limits)
    if path.parent not in catalogs:
        catalogs[path.parent] = load_catalog(catalog_dir_for(path), limits)
    return catalogs[path.parent]


def _validate_item(path: Path, shown: str, catalog: Catalog, limits: Limits) -> FileResult:
    loaded = load_file(path, shown, limits)
    fr = FileResult(shown, "item", list(loaded.diagnostics))
    if loaded.data is None:
        return fr
    if isinstance(loaded.data.get("id"), str):
        fr.item_id = (loaded.data["id"], *loaded.positions.at(("id",)))
    # where the loader already replaced a value it could not use (a number, a tagged scalar),
    # the schema would only repeat the complaint about the replacement
    reported = {(d.line, d.col) for d in loaded.diagnostics if d.code in ("E106", "E204", "E116")}
    structure = schema.check(loaded.data, loaded.positions, shown, "item", skip=reported)
    fr.diagnostics.extend(structure)
    schema_ok = loaded.ok and not any(d.is_error for d in structure)
    diags, item = check_item(shown, loaded.data, loaded.positions, catalog, schema_ok=schema_ok, text=loaded.text)
    fr.diagnostics.extend(diags)
    fr.diagnostics = ime.consequences(fr.diagnostics)
    if not any(d.is_error for d in fr.diagnostics):
        fr.item = item
    return fr


def _validate_other(path: Path, shown: str, kind: str, limits: Limits | None) -> FileResult:
    if kind in ("departments", "materials", "fields"):  # loader, schema and E402 findings, as the catalog saw them
        return FileResult(shown, kind, [d for d in load_catalog(path.parent, limits).diagnostics if d.path == shown])
    loaded = load_file(path, shown, limits)  # a calendar file
    fr = FileResult(shown, kind, list(loaded.diagnostics))
    if loaded.data is None:
        return fr
    fr.diagnostics.extend(schema.check(loaded.data, loaded.positions, shown, kind))
    if not any(d.is_error for d in fr.diagnostics):
        from engine.workdays.calendar import CalendarError, check_file

        try:  # what the schema cannot say: real dates, in the file's year, each listed once
            check_file(path, loaded)
        except CalendarError as exc:
            fr.diagnostics.append(make(shown, exc.line or 1, exc.col or 1, "E403", exc.reason,
                                       _("see definitions/calendar/README.md for the format")))
    return fr


def load_items(paths: Sequence[str | Path], catalog_dir: str | Path | None = None,
               progress: object = None, limits: Limits | None = None) -> tuple[list[Item], Result]:
    """The items under *paths* that validated, and the validation result."""
    result = validate_paths(paths, catalog_dir, progress, limits)
    return result.items, result
