"""YAML in, plain data out, with the line and column of every node.

The loader is the only place that touches YAML.  It composes the document from
parser events itself (the C parser when PyYAML has it), so that it can refuse,
with a located :class:`~engine.validation.diagnostics.Diagnostic` and never a traceback:

* syntax errors, duplicate keys, several documents, a top level that is not a
  mapping, empty files and invalid UTF-8;
* every tag beyond plain YAML (nothing is ever constructed from a tag);
* alias expansion past a node budget (billion laughs), nesting past a depth
  limit and files past a size limit, so that no input can hang it or use
  unbounded memory.

Values are plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``;
dates stay strings.  :class:`Positions` maps each JSON-style path
(``("steps", 2, "days")``) to the 1-based line and column of its value and key.
"""
from __future__ import annotations

import errno
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev
from yaml.nodes import ScalarNode

from engine.errors import LianbanError
from engine.validation.diagnostics import Diagnostic, make

try:  # the C parser is ~10x faster; fall back to the pure-Python one
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

# 256 KiB is 25 times the largest real item; with the node budget below, the worst
# file under these limits validates in under half a second (bench/hostile.py).
DEFAULT_MAX_BYTES = 256 * 1024
MAX_BYTES_CEILING = 1024 * 1024 * 1024  # 1 GiB: a larger read buffer can fail to allocate
_SIZE = re.compile(r"\s*([-+]?)([0-9]+)\s*(k|kib|m|mib)?\s*", re.IGNORECASE)
_UNIT = {"": 1, "k": 1024, "kib": 1024, "m": 1024 * 1024, "mib": 1024 * 1024}


def parse_size(text: str) -> int:
    """Bytes from ``262144``, ``256K``, ``256KiB``, ``1M`` or ``1MiB`` (suffixes in any case).

    Raises ValueError, with a message for the user, for anything else and for sizes
    outside 1 byte .. 1 GiB.
    """
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"LIANBAN_MAX_BYTES={text!r} is not a size: write a number of bytes, "
                         "optionally followed by K, KiB, M or MiB (e.g. 512K)")
    sign, digits, unit = m.group(1), m.group(2).lstrip("0") or "0", (m.group(3) or "").lower()
    size = int(digits) * _UNIT[unit] if len(digits) <= 12 else MAX_BYTES_CEILING + 1
    size = -size if sign == "-" else size
    if not 0 < size <= MAX_BYTES_CEILING:
        raise ValueError(f"LIANBAN_MAX_BYTES={text!r} is out of range: "
                         "it must be more than 0 and at most 1024M (1 GiB)")
    return size


def _size_from_environment() -> int | str:
    """The size limit from LIANBAN_MAX_BYTES, or the raw text when it is not a valid size.

    Never raises: importing the engine (``lianban --help``) must not fail on the variable;
    a bad value is reported by :func:`max_bytes` when a file is loaded.
    """
    raw = os.environ.get("LIANBAN_MAX_BYTES", "")
    if not raw.strip():
        return DEFAULT_MAX_BYTES
    try:
        return parse_size(raw)
    except ValueError:
        return raw


# Bytes; tests and bench/run.py assign an int here directly.  A str is an unparsed
# LIANBAN_MAX_BYTES, refused (LianbanError: exit 2) by max_bytes() at the first load.
MAX_BYTES: int | str = _size_from_environment()
MAX_DEPTH = 64
MAX_NODES = 2_000_000  # nodes after alias expansion (and at most one per 8 bytes of MAX_BYTES)
EXPANSION = 4  # text after alias expansion: at most this many times MAX_BYTES characters
BYTES_PER_NODE = 8  # real definitions have one node per 16-28 bytes
MAX_INT_DIGITS = 18


def max_bytes() -> int:
    """:data:`MAX_BYTES`, checked; raises LianbanError (one line, exit 2) for a bad value."""
    value = MAX_BYTES
    try:
        if isinstance(value, str):
            return parse_size(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"engine.validation.loader.MAX_BYTES must be a number of bytes, not {value!r}")
        if not 0 < value <= MAX_BYTES_CEILING:
            raise ValueError(f"engine.validation.loader.MAX_BYTES={value} is out of range: "
                             "it must be more than 0 and at most 1 GiB")
    except ValueError as exc:
        raise LianbanError(str(exc)) from None
    return value


YamlPath = tuple[str | int, ...]
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map")} | {"!"}
_resolver = yaml.resolver.Resolver()
# What YAML 1.1 accepts in a stream (PyYAML's Reader.NON_PRINTABLE); checked here so the
# error has a line and column (libyaml reports a byte offset without a mark).
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Positions:
    """Line and column (1-based) of each value and each mapping key, by path."""

    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def at(self, path: YamlPath) -> tuple[int, int]:
        """Position of the value at *path*, or of its nearest located ancestor."""
        p = tuple(path)
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (1, 1))

    def key(self, path: YamlPath) -> tuple[int, int]:
        """Position of the key that holds *path* (falls back to the value)."""
        p = tuple(path)
        return self.keys[p] if p in self.keys else self.at(p)


@dataclass
class Loaded:
    path: str
    data: Any
    positions: Positions
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


class _LibyamlDepth(Exception):
    """Newer libyaml refuses past 1,000 levels while scanning ahead, before we see events."""


class _Abort(Exception):
    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def _line_col(mark: Any) -> tuple[int, int]:
    """1-based (line, column) of a parser mark (the parser sets one on every event)."""
    return (mark.line + 1, mark.column + 1)


def load_file(path: str | Path, display: str | None = None) -> Loaded:
    """Read and load one YAML file; I/O problems become an E110 diagnostic."""
    shown = display or str(path)
    limit = max_bytes()
    try:
        raw = read_regular(path, limit + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Loaded(shown, None, Positions(), [make(shown, 1, 1, "E110", f"cannot read file: {reason}")])
    return load_bytes(raw, shown)


def read_regular(path: str | Path, limit: int) -> bytes:
    """At most *limit* bytes of the regular file *path*. Anything else (a FIFO, a device, a
    socket) raises OSError without blocking: opening a FIFO for reading would wait for a writer."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(mode):
            kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device or socket"
            raise OSError(errno.EINVAL, f"it is {kind}, not a regular file")
        os.set_blocking(fd, True)
        with open(fd, "rb") as fh:
            fd = -1
            data: bytes = fh.read(limit)
            return data
    finally:
        if fd >= 0:
            os.close(fd)


def load_bytes(raw: bytes, path: str = "<input>") -> Loaded:
    limit = max_bytes()
    if len(raw) > limit:
        shown = f"{limit // 1024} KiB" if limit % 1024 == 0 else f"{limit} bytes"
        return Loaded(path, None, Positions(), [make(
            path, 1, 1, "E109", f"file is larger than {shown}",
            "split the item, or raise LIANBAN_MAX_BYTES if this is intended")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[start:exc.start].decode("utf-8", "replace")) + 1
        return Loaded(path, None, Positions(), [make(
            path, line, col, "E105", f"invalid UTF-8 byte 0x{raw[exc.start]:02x}",
            "save the file as UTF-8 (not GBK or GB18030)")])
    return load_text(text, path)


def load_text(text: str, path: str = "<input>") -> Loaded:
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return Loaded(path, None, Positions(), [make(
            path, line, col, "E100", f"control character U+{ord(bad.group()):04X} is not allowed in YAML",
            "remove it (a file full of NUL bytes is usually UTF-16: save it as UTF-8)")])
    composer = _Composer(path)
    try:
        try:
            data = composer.run(text)
        except _LibyamlDepth:
            # The pure-Python parser has no such limit, so our own depth limit answers, at the
            # same place whatever libyaml the installed PyYAML carries.
            composer = _Composer(path)
            data = composer.run(text, yaml.SafeLoader)
    except _Abort as abort:
        composer.diagnostics.append(abort.diag)
        data = None
    return Loaded(path, data, composer.positions, composer.diagnostics)


class _Composer:
    """Builds plain data from parser events, iteratively and within budgets."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.positions = Positions()
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, nodes, characters)
        self.nodes = 0
        self.chars = 0
        limit = max_bytes()
        self.max_chars = EXPANSION * limit
        self.max_nodes = min(MAX_NODES, limit // BYTES_PER_NODE)

    def _diag(self, mark: Any, code: str, message: str, hint: str | None = None) -> Diagnostic:
        line, col = _line_col(mark) if mark is not None else (1, 1)
        return make(self.path, line, col, code, message, hint)

    def run(self, text: str, parser_class: Any = None) -> Any:
        parser = (parser_class or _Parser)(text)
        try:
            return self._compose(parser)
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in str(exc.problem) and parser_class is None and _Parser is not yaml.SafeLoader:
                raise _LibyamlDepth from None
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or str(exc)
            if exc.context:
                problem = f"{problem} ({exc.context})"
            raise _Abort(self._diag(mark, "E100", problem)) from None
        except yaml.YAMLError as exc:  # reader errors without a mark
            raise _Abort(make(self.path, 1, 1, "E100", str(exc))) from None
        finally:
            parser.dispose()

    def _compose(self, parser: Any) -> Any:
        parser.get_event()  # StreamStart
        if parser.check_event(ev.StreamEndEvent):
            raise _Abort(self._diag(None, "E104", "the file is empty",
                                    "an item needs at least id, name, lead and steps"))
        start = parser.get_event()  # DocumentStart
        root = self._compose_document(parser)
        parser.get_event()  # DocumentEnd
        if not parser.check_event(ev.StreamEndEvent):
            extra = parser.get_event()
            raise _Abort(self._diag(extra.start_mark, "E102", "a second YAML document starts here",
                                    "keep one item per file; remove the '---' separator"))
        if not isinstance(root, dict):
            kind = "empty document" if root is None else type(root).__name__
            raise _Abort(self._diag(start.end_mark if root is None else start.start_mark, "E103",
                                    f"the top level must be a mapping, found {kind}"))
        return root

    def _compose_document(self, parser: Any) -> Any:
        # Each frame: [container, path, anchor, node count, pending key, key mark,
        #              keys filled by a merge '<<', pending key is plain, characters]
        stack: list[list[Any]] = []
        result: Any = None
        while True:
            event = parser.get_event()
            if isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                container, _path, anchor, count, *_rest, chars = stack.pop()
                if anchor is not None:
                    self.anchors[anchor] = (container, count, chars)
                value, size, length, done = container, count, chars, not stack
            elif isinstance(event, ev.AliasEvent):
                if event.anchor not in self.anchors:
                    if any(frame[2] == event.anchor for frame in stack):
                        raise _Abort(self._diag(event.start_mark, "E100",
                                                f"alias '*{event.anchor}' is inside the node it refers to",
                                                "a recursive alias never ends: copy the values instead"))
                    raise _Abort(self._diag(event.start_mark, "E100", f"unknown alias '*{event.anchor}'",
                                            "define the anchor '&name' before using it"))
                value, size, length = self.anchors[event.anchor]
                self._count(size, event, length)
                done = not stack
            else:
                path = self._child_path(stack)
                if len(stack) >= MAX_DEPTH:
                    raise _Abort(self._diag(event.start_mark, "E108",
                                            f"nesting deeper than {MAX_DEPTH} levels"))
                if isinstance(event, ev.ScalarEvent):
                    value = self._scalar(event, path, key_position=self._is_key(stack))
                    size, length, done = 1, len(event.value), not stack
                    self._count(1, event, length)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (value, 1, length)
                elif isinstance(event, (ev.MappingStartEvent, ev.SequenceStartEvent)):
                    self._check_tag(event)
                    self._count(1, event)
                    self.positions.values[path] = _line_col(event.start_mark)
                    container = {} if isinstance(event, ev.MappingStartEvent) else []
                    stack.append([container, path, event.anchor, 1, _NOKEY, None, set(), False, 0])
                    continue
                else:  # pragma: no cover - the parser guarantees the event grammar
                    raise _Abort(self._diag(event.start_mark, "E100", f"unexpected {type(event).__name__}"))
            if done:
                result = value
                break
            self._attach(stack[-1], value, size, length, event)
        return result

    @staticmethod
    def _is_key(stack: list[list[Any]]) -> bool:
        return bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][4] is _NOKEY

    def _child_path(self, stack: list[list[Any]]) -> YamlPath:
        if not stack:
            return ()
        container, path, _a, _c, key, *_ = stack[-1]
        if isinstance(container, list):
            return path + (len(container),)
        return path if key is _NOKEY else path + (key,)

    def _attach(self, frame: list[Any], value: Any, size: int, length: int, event: Any) -> None:
        container, path = frame[0], frame[1]
        frame[3] += size
        frame[8] += length
        if isinstance(container, list):
            if isinstance(event, ev.AliasEvent):
                self.positions.values[path + (len(container),)] = _line_col(event.start_mark)
            container.append(value)
            return
        if frame[4] is _NOKEY:  # this node is a key
            if not isinstance(event, ev.ScalarEvent):
                raise _Abort(self._diag(event.start_mark, "E100", "a mapping key must be a plain scalar"))
            frame[4], frame[5] = value, event.start_mark
            frame[7] = event.implicit[0] and event.tag is None
            return
        key, key_mark, merged = frame[4], frame[5], frame[6]
        frame[4] = _NOKEY
        if key == "<<" and frame[7]:
            self._merge(container, merged, value, event, path)
            return
        if key in container and key not in merged:
            first = self.positions.keys.get(path + (key,))
            where = f" (first at line {first[0]})" if first else ""
            self.diagnostics.append(self._diag(key_mark, "E101", f"duplicate key '{key}'{where}",
                                               "YAML would silently keep only the last one; remove or rename one"))
            # keep the last value, as YAML does: the positions recorded are the last one's
        merged.discard(key)
        container[key] = value
        self.positions.keys[path + (key,)] = _line_col(key_mark)
        if isinstance(event, ev.AliasEvent):
            self.positions.values[path + (key,)] = _line_col(event.start_mark)

    def _merge(self, container: dict[str, Any], merged: set[str], value: Any, event: Any, path: YamlPath) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(s, dict) for s in sources):
            self.diagnostics.append(
                self._diag(event.start_mark, "E100", "a merge key '<<' needs a mapping or a list of mappings"))
            return
        mark = _line_col(event.start_mark)
        for source in sources:
            for k, v in source.items():
                if k not in container:
                    container[k] = v
                    merged.add(k)
                    self.positions.values[path + (k,)] = mark
                    self.positions.keys[path + (k,)] = mark

    def _scalar(self, event: Any, path: YamlPath, key_position: bool) -> Any:
        tag = self._check_tag(event)
        mark = event.start_mark
        if key_position:
            return event.value
        self.positions.values[path] = _line_col(mark)
        if tag is None or tag == "!":
            if not event.implicit[0] or tag == "!":
                return event.value
            tag = _resolver.resolve(ScalarNode, event.value, (True, False))
        node = ScalarNode(tag, event.value, mark, event.end_mark)
        try:
            if tag == _CORE + "int":
                digits = event.value.lstrip("+-").replace("_", "")
                if len(digits) > MAX_INT_DIGITS:
                    raise ValueError("number too large")
                return _constructor.construct_yaml_int(node)
            if tag == _CORE + "float":
                number = _constructor.construct_yaml_float(node)
                if not math.isfinite(number):
                    raise ValueError("not a finite number")
                return number
            if tag == _CORE + "bool":
                return _constructor.construct_yaml_bool(node)
            if tag == _CORE + "null":
                return None
        except (ValueError, KeyError, IndexError, yaml.constructor.ConstructorError) as exc:
            if tag == _CORE + "bool":
                self.diagnostics.append(self._diag(mark, "E204", f"'{event.value[:40]}' is not true or false",
                                                   "write true or false"))
                return event.value
            self.diagnostics.append(self._diag(mark, "E204", f"'{event.value[:40]}' is not a usable number: {exc}",
                                               "write an ordinary decimal number such as 3 or 0.5"))
            return event.value
        return event.value  # str, and timestamps stay text

    def _check_tag(self, event: Any) -> str | None:
        tag = event.tag
        if tag is None or tag in _ALLOWED_TAGS:
            return tag
        self.diagnostics.append(self._diag(
            event.start_mark, "E106", f"YAML tag '{tag}' is not allowed",
            "item definitions are plain YAML: remove the tag"))
        return "!"  # treat the value as plain text; nothing is constructed from a tag

    def _count(self, n: int, event: Any, chars: int = 0) -> None:
        self.nodes += n
        self.chars += chars
        if self.nodes > self.max_nodes or self.chars > self.max_chars:
            what = f"{self.max_nodes:,} nodes" if self.nodes > self.max_nodes else f"{self.max_chars:,} characters of text"
            hint = ("aliases (*name) expand here; copy less, or split the file" if isinstance(event, ev.AliasEvent)
                    else "the file holds too many values: split it")
            raise _Abort(self._diag(event.start_mark, "E107", f"the document expands to more than {what}", hint))


class _NoKey:
    __slots__ = ()


_NOKEY: Any = _NoKey()
