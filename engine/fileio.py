"""Writing files so that nothing is ever lost or half-written, and nothing that is not a file is replaced.

:func:`write_atomic` writes a regular file through a temporary file in the same folder and a
rename. What is not a regular file is never replaced: with ``through=True`` (command output,
``-o FILE``) a symbolic link is written through (its target is replaced, the link stays) and
a character device or a FIFO (``/dev/stdout``, a pipe) is written to directly; without it
(pages of a site, which must stay inside their folder) both are refused, and a folder, a
socket or a block device always is.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from engine.errors import LianbanError


class NotAFileError(LianbanError):
    """The target of a write exists and is not a regular file (one user-facing line)."""


def write_atomic(path: str | Path, text: str | bytes, *, through: bool = False) -> None:
    """Write *text* to *path* so that the file is either the old one or the new one, never half.

    With *through*, a symbolic link is followed and a character device or FIFO is written to
    directly; without it they are refused with :class:`NotAFileError` (see the module).
    """
    target = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if target.is_symlink():
        if not through:
            raise NotAFileError(f"cannot write {path}: it is a symbolic link; it will not be replaced or followed")
        target = Path(os.path.realpath(target))  # write through the link; never replace the link itself
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if mode is not None and not stat.S_ISREG(mode):
        if through and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            with open(target, "wb") as fh:
                fh.write(data)
            return
        raise NotAFileError(f"cannot write {path}: it is {_kind(mode)}, not a regular file; "
                            "name a file to write (it will not be replaced)")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp creates the file 0600; give it the mode an ordinary write would
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def blocker(path: str | Path) -> Path | None:
    """The nearest ancestor of *path* that exists but is not a folder (a file where a folder
    should be), if any: the reason *path* can be neither written nor created."""
    return next((p for p in Path(path).parents if p.exists() and not p.is_dir()), None)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
