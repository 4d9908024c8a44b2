"""Writing files so that nothing is ever lost or half-written."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write a file through a temporary file in the same folder, then rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp creates the file 0600; give it the mode an ordinary write would
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def blocker(path: str | Path) -> Path | None:
    """The nearest ancestor of *path* that exists but is not a folder (a file where a folder
    should be), if any: the reason *path* can be neither written nor created."""
    return next((p for p in Path(path).parents if p.exists() and not p.is_dir()), None)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
