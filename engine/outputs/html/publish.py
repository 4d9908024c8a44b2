"""Publishing a built site into a folder, safely.

:func:`publish` writes the pages :func:`engine.outputs.html.pages.build` returns into a folder
atomically (temporary file, then rename) and removes the pages an earlier run wrote that are
gone now, using a manifest (``.lianban-site.json``).  It never deletes a file it did not list
there, never writes outside the folder, and never replaces something that is not a regular
file (a symbolic link, a folder, a device): it refuses before writing anything.
"""
from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine import __version__
from engine.fileio import write_atomic
from engine.i18n import _, os_reason
from engine.outputs.html.pages import PAGE_NAME, SiteError

MANIFEST = ".lianban-site.json"


@dataclass(frozen=True)
class Published:
    directory: Path
    written: tuple[str, ...]
    removed: tuple[str, ...]


def _inside(base: Path, name: str) -> Path:
    """base/name, after checking that it is a page name directly inside *base*."""
    path = base / name
    if not PAGE_NAME.fullmatch(name) or Path(os.path.abspath(path)).parent != base:
        raise SiteError(_("refusing to write {name!r}: not a page name inside {base}").format(name=name, base=base))
    return path


def _kind(path: Path) -> str | None:
    """None when *path* is missing or a regular file (which may be replaced); else what it is."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return _("a symbolic link")
    if stat.S_ISDIR(mode):
        return _("a folder")
    return _("a device, pipe or socket")


def _check_replaceable(paths: Sequence[Path]) -> None:
    for path in paths:
        kind = _kind(path)
        if kind is not None:
            raise SiteError(_("refusing to replace {path}: it is {kind}, not a file the site wrote; "
                              "move it away and render again").format(path=path, kind=kind))


def _manifest(base: Path) -> list[str]:
    """The pages an earlier run wrote (an unreadable manifest counts as none: nothing is deleted)."""
    try:
        data = json.loads((base / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    files = data.get("files") if isinstance(data, dict) else None
    return [f for f in files if isinstance(f, str) and PAGE_NAME.fullmatch(f)] if isinstance(files, list) else []


def _folder(out_dir: str | Path) -> Path:
    """The output folder, created if needed (an empty path would be the working folder: refused)."""
    if not str(out_dir).strip():
        raise SiteError(_("no output folder given (an empty path would publish into the working folder): "
                          "name the folder for the site"))
    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise SiteError(_("{root} exists and is not a folder").format(root=root))
    root.mkdir(parents=True, exist_ok=True)
    return root.resolve()


def publish(out_dir: str | Path, pages: Mapping[str, str]) -> Published:
    """Write *pages* into *out_dir*; remove the pages of an earlier run that are not in *pages*.

    *pages* must be the whole site: a page left out is deleted as stale.  So build it from
    every definition, and publish nothing when a definition has errors (as ``render`` does)
    rather than a site without that item.  An I/O failure raises SiteError naming the file.
    """
    try:
        return _publish(_folder(out_dir), pages)
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else str(out_dir)
        reason = os_reason(exc)
        raise SiteError(_("cannot publish to {where}: {reason}").format(where=where, reason=reason)) from exc


def _publish(base: Path, pages: Mapping[str, str]) -> Published:
    targets = {name: _inside(base, name) for name in pages}
    _check_replaceable([base / MANIFEST, *targets.values()])
    old = _manifest(base)

    def record(names: Sequence[str]) -> None:
        doc = {"generator": f"lianban {__version__}", "files": sorted(set(names))}
        write_atomic(base / MANIFEST, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")

    record([*old, *pages])  # a run cut short still knows every page it may have left
    for name, path in targets.items():
        write_atomic(path, pages[name])
    removed = []
    for name in sorted(set(old) - set(pages)):
        path = _inside(base, name)
        if path.exists() and _kind(path) is None:  # only a regular file, as the site writes them
            path.unlink()
            removed.append(name)
    record(list(pages))
    return Published(base, tuple(sorted(pages)), tuple(removed))
