"""YAML in, plain data out, with the line and column of every node.

The loader is the only place that touches YAML.  It composes the document from
parser events itself (the C parser when PyYAML has it), so that it can refuse,
with a located :class:`~engine.validation.diagnostics.Diagnostic` and never a traceback:

* syntax errors, duplicate keys, several documents, a top level that is not a
  mapping, empty files and invalid UTF-8;
* every tag beyond plain YAML (nothing is ever constructed from a tag);
* alias expansion past a node budget (billion laughs), nesting past a depth
  limit and files past a size limit, so that no input can hang it or use
  unbounded memory (the bounds are a :class:`~engine.validation.limits.Limits`
  value, from ``LIANBAN_MAX_BYTES`` unless the caller passes its own).

Values are plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``;
dates stay strings.  :class:`Positions` maps each JSON-style path
(``("steps", 2, "days")``) to the 1-based line and column of its value and key.
"""
from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.i18n import _, os_reason
from engine.validation import ime
from engine.validation.composer import Abort, Composer, LibyamlDepth, Positions, YamlPath
from engine.validation.diagnostics import Diagnostic, make
from engine.validation.limits import Limits

__all__ = ["Loaded", "Positions", "YamlPath", "load_bytes", "load_file", "load_text"]

# What YAML 1.1 accepts in a stream (PyYAML's Reader.NON_PRINTABLE); checked here so the
# error has a line and column (libyaml reports a byte offset without a mark).
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")


@dataclass
class Loaded:
    path: str
    data: Any
    positions: Positions
    diagnostics: list[Diagnostic]
    text: str | None = None  # the decoded text (the IME checks locate characters in it)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def load_file(path: str | Path, display: str | None = None, limits: Limits | None = None) -> Loaded:
    """Read and load one YAML file; I/O problems become an E110 diagnostic.

    *limits* default to :meth:`Limits.from_environment`, which refuses a bad
    ``LIANBAN_MAX_BYTES`` (LianbanError: exit 2); so do :func:`load_bytes` and :func:`load_text`.
    """
    shown = display or str(path)
    limits = Limits.from_environment() if limits is None else limits
    try:
        raw = read_regular(path, limits.max_bytes + 1)
    except OSError as exc:
        return Loaded(shown, None, Positions(), [make(shown, 1, 1, "E110", _("cannot read file: {reason}").format(
            reason=os_reason(exc)))])
    return load_bytes(raw, shown, limits)


def read_regular(path: str | Path, limit: int) -> bytes:
    """At most *limit* bytes of the regular file *path*. Anything else (a FIFO, a device, a
    socket) raises OSError without blocking: opening a FIFO for reading would wait for a writer."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(mode):
            kind = _("a FIFO (named pipe)") if stat.S_ISFIFO(mode) else _("a device or socket")
            raise OSError(errno.EINVAL, _("it is {kind}, not a regular file").format(kind=kind))
        os.set_blocking(fd, True)
        with open(fd, "rb") as fh:
            fd = -1
            data: bytes = fh.read(limit)
            return data
    finally:
        if fd >= 0:
            os.close(fd)


def load_bytes(raw: bytes, path: str = "<input>", limits: Limits | None = None) -> Loaded:
    limits = Limits.from_environment() if limits is None else limits
    limit = limits.max_bytes
    if len(raw) > limit:
        shown = f"{limit // 1024} KiB" if limit % 1024 == 0 else _("{n} bytes").format(n=limit)
        return Loaded(path, None, Positions(), [make(
            path, 1, 1, "E109", _("file is larger than {size}").format(size=shown),
            _("split the item, or raise LIANBAN_MAX_BYTES if this is intended"))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[start:exc.start].decode("utf-8", "replace")) + 1
        return Loaded(path, None, Positions(), [make(
            path, line, col, "E105", _("invalid UTF-8 byte {byte}").format(byte=f"0x{raw[exc.start]:02x}"),
            _("save the file as UTF-8 (not GBK or GB18030)"))])
    return load_text(text, path, limits)


def load_text(text: str, path: str = "<input>", limits: Limits | None = None) -> Loaded:
    limits = Limits.from_environment() if limits is None else limits
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return Loaded(path, None, Positions(), [make(
            path, line, col, "E100", _("control character {char} is not allowed in YAML").format(
                char=f"U+{ord(bad.group()):04X}"),
            _("remove it (a file full of NUL bytes is usually UTF-16: save it as UTF-8)"))])
    composer = Composer(path, limits)
    try:
        try:
            data = composer.run(text)
        except LibyamlDepth:
            # The pure-Python parser has no such limit, so our own depth limit answers, at the
            # same place whatever libyaml the installed PyYAML carries.
            composer = Composer(path, limits)
            data = composer.run(text, yaml.SafeLoader)
    except Abort as abort:
        composer.diagnostics.append(abort.diag)
        data = None
    diagnostics = ime.settle(ime.scan(text, path, parse_failed=data is None), composer.diagnostics)
    return Loaded(path, data, composer.positions, diagnostics, text)
