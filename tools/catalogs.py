"""The message catalogs: extract, update, compile, check (needs Babel: ``pip install -e '.[test]'``).

    python tools/catalogs.py update    # code -> engine/locale/lianban.pot -> every <lang>/LC_MESSAGES/lianban.po
    python tools/catalogs.py compile   # every .po -> its .mo (what the program reads)
    python tools/catalogs.py check     # what the tests check: complete, translated, in sync; exit 1 if not
    python tools/catalogs.py init fr   # start a new language (docs/i18n.md)

The files carry no line numbers and are sorted by message, so a change in the code touches only
the messages that changed (and merges stay easy).
"""
from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "engine" / "locale"
DOMAIN = "lianban"
POT = LOCALE / f"{DOMAIN}.pot"
# A fixed date in the headers: a new date on every update would make each branch's catalog conflict.
STAMP = datetime(2026, 12, 1, tzinfo=UTC)
FIELD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:[:!][^{}]*)?\}|%\([A-Za-z_]+\)[rsd]|%[rsd]")


def extract() -> Catalog:
    """Every message marked in the code (``_``, ``N_``, ``ngettext``)."""
    catalog = Catalog(project="lianban", domain=DOMAIN, charset="utf-8", creation_date=STAMP, revision_date=STAMP)
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        methods, options = parse_mapping_cfg(fh)
    for filename, lineno, message, comments, context in extract_from_dir(ROOT, methods, options):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_files() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def _write(catalog: Catalog, path: Path) -> None:
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=True, include_lineno=False, ignore_obsolete=True)
    path.write_bytes(out.getvalue())


def update() -> None:
    template = extract()
    _write(template, POT)
    for path in po_files():
        catalog = read(path)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.revision_date = STAMP
        _write(catalog, path)


def init(locale: str) -> Path:
    path = LOCALE / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        raise SystemExit(f"{path} exists: use update")
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(locale=locale, project="lianban", domain=DOMAIN, charset="utf-8", creation_date=STAMP,
                      revision_date=STAMP, fuzzy=False, last_translator="lianban", language_team=locale)
    catalog.update(extract())
    _write(catalog, path)
    return path


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_all() -> None:
    for path in po_files():
        path.with_suffix(".mo").write_bytes(mo_bytes(read(path)))


def fields(text: str) -> list[str]:
    """The format fields of a message ({name}, %(name)s, %s), sorted."""
    return sorted(set(FIELD.findall(text)))  # a field may be used twice in one language


def _shown(key: tuple[str | None, object]) -> str:
    context, msgid = key
    return f"{msgid!r}" if context is None else f"{msgid!r} (context {context!r})"


def problems() -> Iterator[str]:
    """Everything that keeps a catalog from being complete and in step with the code. A message is
    its (context, msgid): pgettext("error label", "error") and _("error") are two messages."""
    wanted = {(m.context, m.id) for m in extract() if m.id}
    for path in po_files():
        catalog = read(path)
        rel = path.relative_to(ROOT)
        have = {(m.context, m.id): m for m in catalog if m.id}
        for key in sorted(wanted, key=str):
            m = have.get(key)
            shown = _shown(key)
            if m is None:
                yield f"{rel}: missing {shown} (run python tools/catalogs.py update)"
            elif m.fuzzy:
                yield f"{rel}: fuzzy {shown}"
            elif not all(m.string if isinstance(m.string, tuple) else (m.string,)):
                yield f"{rel}: untranslated {shown}"
        for key, m in have.items():
            ids = key[1] if isinstance(key[1], tuple) else (key[1],)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            for s in strings:
                if s and fields(s) != fields(ids[-1]) and fields(s) != fields(ids[0]):
                    yield f"{rel}: format fields differ in {ids[0]!r}: {fields(ids[0])} vs {fields(s)}"
            if key not in wanted:
                yield f"{rel}: {_shown(key)} is no longer in the code (run python tools/catalogs.py update)"
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            yield f"{mo.relative_to(ROOT)} is not compiled from the .po (run python tools/catalogs.py compile)"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "init" and len(argv) == 2:
        print(init(argv[1]))
    elif command == "check":
        found = list(problems())
        print("\n".join(found) or "catalogs complete")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
