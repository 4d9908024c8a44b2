"""The loader's limits: what a file may cost before it is refused.

One frozen :class:`Limits` value carries every bound (file size, nesting depth,
nodes and text after alias expansion, digits of an integer).  Callers build it
once (:meth:`Limits.from_environment` reads ``LIANBAN_MAX_BYTES``) and pass it
down; code and tests that want other bounds pass their own, e.g.
``Limits(max_bytes=64 * 1024 * 1024)``.  Nothing here is read at import time, so
a bad ``LIANBAN_MAX_BYTES`` never stops ``lianban --help``: it is refused, with
one line and exit code 2, by the first command that reads a definition.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from engine.errors import LianbanError
from engine.i18n import _

# 256 KiB is 25 times the largest real item; with the node budget below, the worst
# file under these limits validates in under half a second (bench/hostile.py).
DEFAULT_MAX_BYTES = 256 * 1024
MAX_BYTES_CEILING = 1024 * 1024 * 1024  # 1 GiB: a larger read buffer can fail to allocate
ENVIRONMENT_VARIABLE = "LIANBAN_MAX_BYTES"
_SIZE = re.compile(r"\s*([-+]?)([0-9]+)\s*(k|kib|m|mib)?\s*", re.IGNORECASE)
_UNIT = {"": 1, "k": 1024, "kib": 1024, "m": 1024 * 1024, "mib": 1024 * 1024}


def parse_size(text: str) -> int:
    """Bytes from ``262144``, ``256K``, ``256KiB``, ``1M`` or ``1MiB`` (suffixes in any case).

    Raises ValueError, with a message for the user, for anything else and for sizes
    outside 1 byte .. 1 GiB.
    """
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(_("LIANBAN_MAX_BYTES={text} is not a size: write a number of bytes, "
                           "optionally followed by K, KiB, M or MiB (e.g. 512K)").format(text=repr(text)))
    sign, digits, unit = m.group(1), m.group(2).lstrip("0") or "0", (m.group(3) or "").lower()
    size = int(digits) * _UNIT[unit] if len(digits) <= 12 else MAX_BYTES_CEILING + 1
    size = -size if sign == "-" else size
    if not 0 < size <= MAX_BYTES_CEILING:
        raise ValueError(_("LIANBAN_MAX_BYTES={text} is out of range: "
                           "it must be more than 0 and at most 1024M (1 GiB)").format(text=repr(text)))
    return size


@dataclass(frozen=True)
class Limits:
    """Bounds on one file; the node and text budgets follow from *max_bytes*."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = 64
    max_nodes: int = 2_000_000  # nodes after alias expansion (and at most one per bytes_per_node bytes)
    expansion: int = 4  # text after alias expansion: at most this many times max_bytes characters
    bytes_per_node: int = 8  # real definitions have one node per 16-28 bytes
    max_int_digits: int = 18

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_depth", "max_nodes", "expansion", "bytes_per_node", "max_int_digits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{name} must be a whole number above 0, not {value!r}")
        if self.max_bytes > MAX_BYTES_CEILING:
            raise ValueError(f"Limits.max_bytes={self.max_bytes} is out of range: it must be at most 1 GiB")

    @property
    def node_budget(self) -> int:
        """Nodes a document may expand to."""
        return min(self.max_nodes, self.max_bytes // self.bytes_per_node)

    @property
    def char_budget(self) -> int:
        """Characters of scalar text a document may expand to."""
        return self.expansion * self.max_bytes

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The default limits with the size from ``LIANBAN_MAX_BYTES`` (unset or blank: the default).

        Raises LianbanError (one line, exit code 2) for a value that is not a size.
        """
        raw = (os.environ if environ is None else environ).get(ENVIRONMENT_VARIABLE, "")
        if not raw.strip():
            return DEFAULT_LIMITS
        try:
            return cls(max_bytes=parse_size(raw))
        except ValueError as exc:
            raise LianbanError(str(exc)) from None


DEFAULT_LIMITS = Limits()
