"""The department and material catalogs, and name resolution with suggestions.

A catalog folder holds ``departments.yaml``, ``materials.yaml`` and, optionally,
``fields.yaml`` (the form fields that several departments' application forms share).  A definition
inside a definitions tree uses that tree's ``catalog/``; anything else uses the
project's ``definitions/catalog/`` (shipped inside the package when installed).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from engine.errors import LianbanError, UsageError
from engine.i18n import _, language
from engine.locations import DEPARTMENTS_FILE
from engine.suggest import closest, did_you_mean
from engine.validation import schema
from engine.validation.diagnostics import Diagnostic, display_path, make
from engine.validation.limits import Limits
from engine.validation.loader import load_file

MATERIALS_FILE = "materials.yaml"
FIELDS_FILE = "fields.yaml"
FIELD_TYPES = ("text", "number", "date", "yes-no", "one-of", "several-of")

_Entry = TypeVar("_Entry")


@dataclass(frozen=True)
class Department:
    name: str
    full_name: str | None = None
    aliases: tuple[str, ...] = ()
    kind: str = "government"


@dataclass(frozen=True)
class Material:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    issued_by: str | None = None
    local: bool = False  # defined in the item rather than the catalog

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, self.name, *self.aliases)


@dataclass(frozen=True)
class FormField:
    """A field of an application form (表单项): shared in the catalog, or local to an item."""
    id: str
    label: str
    type: str = "text"
    aliases: tuple[str, ...] = ()
    unit: str | None = None
    options: tuple[str, ...] = ()    # one-of and several-of
    help: str | None = None
    local: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, self.label, *self.aliases)


def form_field(entry: dict[str, object], local: bool = False) -> FormField:
    """A field from its (schema-checked) definition."""
    aliases = entry.get("aliases")
    options = entry.get("options")
    ftype = entry.get("type")
    kind = ftype if isinstance(ftype, str) and ftype in FIELD_TYPES else "text"
    return FormField(str(entry["id"]), str(entry["label"]), kind,
                     tuple(a for a in aliases if isinstance(a, str)) if isinstance(aliases, list) else (),
                     entry["unit"] if isinstance(entry.get("unit"), str) else None,  # type: ignore[arg-type]
                     tuple(str(o) for o in options) if isinstance(options, list) else (),
                     entry["help"] if isinstance(entry.get("help"), str) else None, local)  # type: ignore[arg-type]


@dataclass
class Catalog:
    directory: Path
    departments: list[Department] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    fields: list[FormField] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _dept_index: dict[str, Department] = field(default_factory=dict, repr=False)
    _mat_index: dict[str, Material] = field(default_factory=dict, repr=False)
    _field_index: dict[str, FormField] = field(default_factory=dict, repr=False)

    def department(self, name: str) -> Department | None:
        return self._dept_index.get(name.strip())

    def material(self, ref: str) -> Material | None:
        return self._mat_index.get(ref.strip())

    def form_field(self, ref: str) -> FormField | None:
        return self._field_index.get(ref.strip())

    def field_names(self) -> list[str]:
        return list(self._field_index)

    def suggest_department(self, name: str) -> str | None:
        return _suggest(name, self._dept_index, lambda d: d.name)

    def resolve_department(self, name: str) -> Department:
        """The department *name* names (a name, full name or alias); a usage error that offers
        the closest name when there is none."""
        dept = self.department(name)
        if dept is None:
            guess = self.suggest_department(name)
            raise UsageError(_("unknown department '{name}'").format(name=name)
                             + (f" ({did_you_mean(guess)})" if guess else ""))
        return dept

    def suggest_material(self, ref: str, extra: Mapping[str, Material] | None = None) -> str | None:
        index = {**self._mat_index, **(extra or {})}
        return _suggest(ref, index, lambda m: m.id if m.local else m.name)


def shorten(text: str, limit: int = 60) -> str:
    """*text* cut to *limit* characters for a message (hostile files have megabyte names)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _suggest(text: str, index: Mapping[str, _Entry], canonical: Callable[[_Entry], str]) -> str | None:
    hit = closest(text, index, contained=True)
    return canonical(index[hit]) if hit is not None else None


_CACHE: dict[tuple[str, tuple[float, ...], Limits, str], Catalog] = {}


def load_catalog(directory: Path, limits: Limits | None = None) -> Catalog:
    """Load and check a catalog folder (cached while its files are unchanged).

    *limits* default to :meth:`Limits.from_environment`.
    """
    directory = Path(directory)
    files = [directory / DEPARTMENTS_FILE, directory / MATERIALS_FILE, directory / FIELDS_FILE]
    if not directory.is_dir() or not files[0].is_file():
        raise LianbanError(_("E401 no catalog at {dir}: it needs {departments} (and {materials})").format(
            dir=directory, departments=DEPARTMENTS_FILE, materials=MATERIALS_FILE))
    limits = Limits.from_environment() if limits is None else limits
    stamp = tuple(f.stat().st_mtime if f.is_file() else 0.0 for f in files)
    key = (str(directory.resolve()), stamp, limits, language())  # findings are worded in the run's language
    if key not in _CACHE:
        _CACHE[key] = _read_catalog(directory, limits)
    return _CACHE[key]


def _read_catalog(directory: Path, limits: Limits) -> Catalog:
    cat = Catalog(directory)
    # name -> (entry, what, line), per index: a department and a material may share a name
    owners: dict[int, dict[str, tuple[object, str, int]]] = {}

    def register(index: dict, name: str, value: object, where: tuple[str, int, int], what: str) -> None:
        name = name.strip()
        owner = owners.setdefault(id(index), {})
        if name in owner and owner[name][0] is not value:
            _entry, prev, prev_line = owner[name]
            cat.diagnostics.append(make(where[0], where[1], where[2], "E402",
                                        _("'{name}' names both {first} (line {line}) and {second}").format(
                                            name=name, first=prev, line=prev_line, second=what),
                                        _("a name or alias must name one entry only")))
            return
        owner[name] = (value, what, where[1])
        index[name] = value

    files = ((DEPARTMENTS_FILE, "departments"), (MATERIALS_FILE, "materials"), (FIELDS_FILE, "fields"))
    for file_name, schema_name in files:
        path = directory / file_name
        if not path.is_file():
            continue
        loaded = load_file(path, display_path(path), limits)
        cat.diagnostics.extend(loaded.diagnostics)
        if not loaded.ok:
            continue
        problems = schema.check(loaded.data, loaded.positions, loaded.path, schema_name)
        cat.diagnostics.extend(problems)
        if problems:
            continue
        for i, entry in enumerate(loaded.data[schema_name]):
            line, col = loaded.positions.at((schema_name, i))
            where = (loaded.path, line, col)
            aliases = tuple(entry.get("aliases", ()))
            if schema_name == "departments":
                dept = Department(entry["name"], entry.get("full_name"), aliases, entry.get("kind", "government"))
                cat.departments.append(dept)
                what = _("department '{name}'").format(name=dept.name)
                for name in {dept.name, *aliases, *([dept.full_name] if dept.full_name else [])}:
                    register(cat._dept_index, name, dept, where, what)
            elif schema_name == "fields":
                ff = form_field(entry)
                cat.fields.append(ff)
                what = _("field '{id}'").format(id=ff.id)
                for name in dict.fromkeys(ff.names):
                    register(cat._field_index, name, ff, where, what)
            else:
                mat = Material(entry["id"], entry["name"], aliases, entry.get("issued_by"))
                cat.materials.append(mat)
                what = _("material '{id}'").format(id=mat.id)
                for name in dict.fromkeys(mat.names):
                    register(cat._mat_index, name, mat, where, what)
    return cat
