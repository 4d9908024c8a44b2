"""From parser events to plain data and positions, within the limits: the loader's core.

:class:`Composer` takes the events of one YAML document (libyaml's C parser when
PyYAML has it) and builds ``dict``/``list``/scalar values itself, iteratively, so
that every refusal is a located diagnostic: a duplicate key, a tag beyond plain
YAML, a recursive or unknown alias, nesting past ``max_depth``, expansion past
the node and text budgets.  :class:`Positions` records the line and column of
every value and mapping key by its JSON-style path.

This loop runs once per node of every file ``lianban validate`` reads, so the
common events (plain scalars, keys, values set without a merge or a duplicate)
take short paths written out in :meth:`Composer._compose_document`; every other
case goes through the methods after it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev
from yaml.nodes import ScalarNode

from engine.i18n import N_, _
from engine.validation import ime
from engine.validation.diagnostics import Diagnostic, make
from engine.validation.limits import Limits

try:  # the C parser is ~10x faster; fall back to the pure-Python one
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

YamlPath = tuple[str | int, ...]
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map")} | {"!"}
_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
# The numbers items are full of (days: 2, days: 0.5): PyYAML's resolver and constructor give
# int(text) and float(text) for these; anything else (signs, '_', octal, exponents) goes through them.
_PLAIN_NUMBER = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?", re.ASCII)


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


class LibyamlDepth(Exception):
    """Newer libyaml refuses past 1,000 levels while scanning ahead, before we see events."""


class Abort(Exception):
    """Composing stops at the first problem that leaves no usable document."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def _line_col(mark: Any) -> tuple[int, int]:
    """1-based (line, column) of a parser mark (the parser sets one on every event)."""
    return (mark.line + 1, mark.column + 1)


_ScalarEvent, _AliasEvent = ev.ScalarEvent, ev.AliasEvent
_MappingStart, _SequenceStart = ev.MappingStartEvent, ev.SequenceStartEvent
_MappingEnd, _SequenceEnd = ev.MappingEndEvent, ev.SequenceEndEvent


class _NoKey:
    __slots__ = ()


_NOKEY: Any = _NoKey()


class _Frame:
    """An open mapping or sequence, from its start event to its end event."""

    __slots__ = ("container", "is_map", "path", "anchor", "nodes", "chars", "key", "key_mark", "key_plain", "child",
                 "merged")

    def __init__(self, container: dict[str, Any] | list[Any], path: YamlPath, anchor: str | None) -> None:
        self.container: Any = container  # the loop appends or sets by is_map, unchecked for speed
        self.is_map = type(container) is dict
        self.path = path
        self.anchor = anchor
        self.nodes = 1  # nodes in it after alias expansion, itself included
        self.chars = 0  # characters of scalar text in it after alias expansion
        self.key: Any = _NOKEY  # a mapping's key waiting for its value
        self.key_mark: Any = None  # where that key is written
        self.key_plain = False  # that key is a plain scalar (so '<<' merges)
        self.child = path  # the path of that key's value
        self.merged: set[str] | None = None  # keys filled by a merge '<<', until written explicitly


class Composer:
    """Builds plain data from parser events, iteratively and within the limits."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.positions = Positions()
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, nodes, characters)
        self.max_chars = limits.char_budget
        self.max_nodes = limits.node_budget

    def _diag(self, mark: Any, code: str, message: str, hint: str | None = None) -> Diagnostic:
        line, col = _line_col(mark) if mark is not None else (1, 1)
        return make(self.path, line, col, code, message, hint)

    def run(self, text: str, parser_class: Any = None) -> Any:
        parser = (parser_class or _Parser)(text)
        try:
            return self._compose(parser)
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in str(exc.problem) and parser_class is None and _Parser is not yaml.SafeLoader:
                raise LibyamlDepth from None
            mark = exc.problem_mark or exc.context_mark
            problem = _(exc.problem) if exc.problem else str(exc)  # the parser's words: PARSER_MESSAGES
            if exc.context:
                problem = _("{problem} ({context})").format(problem=problem, context=_(exc.context))
            raise Abort(self._diag(mark, "E100", problem)) from None
        except yaml.YAMLError as exc:  # reader errors without a mark
            raise Abort(make(self.path, 1, 1, "E100", str(exc))) from None
        finally:
            parser.dispose()

    def _compose(self, parser: Any) -> Any:
        parser.get_event()  # StreamStart
        if parser.check_event(ev.StreamEndEvent):
            raise Abort(self._diag(None, "E104", _("the file is empty"),
                                   _("an item needs at least id, name, lead and steps")))
        start = parser.get_event()  # DocumentStart
        root = self._compose_document(parser)
        parser.get_event()  # DocumentEnd
        if not parser.check_event(ev.StreamEndEvent):
            extra = parser.get_event()
            raise Abort(self._diag(extra.start_mark, "E102", _("a second YAML document starts here"),
                                   _("keep one item per file; remove the '---' separator")))
        if not isinstance(root, dict):
            kind = _("empty document") if root is None else _(_KINDS.get(type(root), type(root).__name__))
            raise Abort(self._diag(start.end_mark if root is None else start.start_mark, "E103",
                                   _("the top level must be a mapping, found {kind}").format(kind=kind)))
        return root

    def _compose_document(self, parser: Any) -> Any:
        # The hot loop of validation: plain scalars, keys and values without a merge or a
        # duplicate take the short paths written out here; everything else goes through
        # the methods below.  Every node is counted against the budgets as it arrives.
        get_event = parser.get_event
        values = self.positions.values
        keys = self.positions.keys
        implicit_resolvers = _resolver.yaml_implicit_resolvers
        max_depth, max_nodes, max_chars = self.limits.max_depth, self.max_nodes, self.max_chars
        max_digits = self.limits.max_int_digits
        nodes = chars = 0
        stack: list[_Frame] = []
        top: _Frame | None = None
        while True:
            event = get_event()
            kind = type(event)
            if kind is _ScalarEvent:
                if len(stack) >= max_depth:
                    raise self._too_deep(event)
                text = event.value
                length = len(text)
                nodes += 1
                chars += length
                if top is not None and top.is_map and top.key is _NOKEY:  # a mapping key
                    if event.tag is not None:
                        self._check_tag(event)
                    if nodes > max_nodes or chars > max_chars:
                        raise self._over_budget(event, nodes > max_nodes)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (text, 1, length)
                    top.nodes += 1
                    top.chars += length
                    top.key, top.key_mark = text, event.start_mark
                    top.key_plain = event.implicit[0] and event.tag is None
                    top.child = top.path + (text,)
                    continue
                path = () if top is None else top.child if top.is_map else top.path + (len(top.container),)
                mark = event.start_mark
                values[path] = (mark.line + 1, mark.column + 1)
                if event.tag is None and (not event.implicit[0] or (
                        not implicit_resolvers.get(text[0] if text else "") and None not in implicit_resolvers)):
                    value: Any = text  # quoted, or plain text that no implicit type matches
                elif length <= max_digits and event.tag is None and (number := _PLAIN_NUMBER.fullmatch(text)):
                    value = float(text) if number.group(2) else int(text)  # as the resolver and constructor make them
                else:
                    value = self._scalar(event)
                if nodes > max_nodes or chars > max_chars:
                    raise self._over_budget(event, nodes > max_nodes)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1, length)
                if top is None:
                    return value
                if not top.is_map:
                    top.nodes += 1
                    top.chars += length
                    top.container.append(value)
                elif top.key not in top.container and top.key != "<<":
                    top.nodes += 1
                    top.chars += length
                    top.container[top.key] = value
                    keys[top.child] = _line_col(top.key_mark)
                    top.key = _NOKEY
                else:
                    self._attach(top, value, 1, length, event)
            elif kind is _MappingEnd or kind is _SequenceEnd:
                done = stack.pop()
                if done.anchor is not None:
                    self.anchors[done.anchor] = (done.container, done.nodes, done.chars)
                if not stack:
                    return done.container
                top = stack[-1]
                self._attach(top, done.container, done.nodes, done.chars, event)
            elif kind is _MappingStart or kind is _SequenceStart:
                if len(stack) >= max_depth:
                    raise self._too_deep(event)
                if event.tag is not None:
                    self._check_tag(event)
                nodes += 1
                if nodes > max_nodes:
                    raise self._over_budget(event, True)
                if top is None:
                    path = ()
                elif top.is_map:
                    path = top.path if top.key is _NOKEY else top.child
                else:
                    path = top.path + (len(top.container),)
                values[path] = _line_col(event.start_mark)
                top = _Frame({} if kind is _MappingStart else [], path, event.anchor)
                stack.append(top)
            elif kind is _AliasEvent:
                value, size, length = self._alias(event, stack)
                nodes += size
                chars += length
                if nodes > max_nodes or chars > max_chars:
                    raise self._over_budget(event, nodes > max_nodes)
                if top is None:
                    return value
                self._attach(top, value, size, length, event)
            else:  # pragma: no cover - the parser guarantees the event grammar
                raise Abort(self._diag(event.start_mark, "E100", f"unexpected {type(event).__name__}"))

    def _too_deep(self, event: Any) -> Abort:
        depth = self.limits.max_depth
        return Abort(self._diag(event.start_mark, "E108", _("nesting deeper than {n} levels").format(n=depth)))

    def _over_budget(self, event: Any, nodes: bool) -> Abort:
        what = (_("{n} nodes").format(n=f"{self.max_nodes:,}") if nodes
                else _("{n} characters of text").format(n=f"{self.max_chars:,}"))
        hint = (_("aliases (*name) expand here; copy less, or split the file") if isinstance(event, ev.AliasEvent)
                else _("the file holds too many values: split it"))
        return Abort(self._diag(event.start_mark, "E107", _("the document expands to more than {what}").format(
            what=what), hint))

    def _alias(self, event: Any, stack: list[_Frame]) -> tuple[Any, int, int]:
        """The anchored value an alias repeats, with its node and character counts."""
        if event.anchor not in self.anchors:
            if any(frame.anchor == event.anchor for frame in stack):
                raise Abort(self._diag(event.start_mark, "E100",
                                       _("alias '*{name}' is inside the node it refers to").format(name=event.anchor),
                                       _("a recursive alias never ends: copy the values instead")))
            raise Abort(self._diag(event.start_mark, "E100", _("unknown alias '*{name}'").format(name=event.anchor),
                                   _("define the anchor '&name' before using it")))
        return self.anchors[event.anchor]

    def _attach(self, frame: _Frame, value: Any, size: int, length: int, event: Any) -> None:
        """Put a finished node into *frame*: every case, where the loop has only the common ones."""
        frame.nodes += size
        frame.chars += length
        container = frame.container
        if not frame.is_map:
            if isinstance(event, ev.AliasEvent):
                self.positions.values[frame.path + (len(container),)] = _line_col(event.start_mark)
            container.append(value)
            return
        assert isinstance(container, dict)
        if frame.key is _NOKEY:  # this node is a key (scalar keys never get here)
            raise Abort(self._diag(event.start_mark, "E100", _("a mapping key must be a plain scalar")))
        key, where = frame.key, frame.child
        frame.key = _NOKEY
        if key == "<<" and frame.key_plain:
            self._merge(frame, container, value, event)
            return
        merged = frame.merged
        if key in container and (merged is None or key not in merged):
            first = self.positions.keys.get(where)
            message = (_("duplicate key '{key}' (first at line {line})").format(key=key, line=first[0]) if first
                       else _("duplicate key '{key}'").format(key=key))
            self.diagnostics.append(self._diag(frame.key_mark, "E101", message,
                                               _("YAML would silently keep only the last one; remove or rename one")))
            # keep the last value, as YAML does: the positions recorded are the last one's
        if merged:
            merged.discard(key)
        container[key] = value
        self.positions.keys[where] = _line_col(frame.key_mark)
        if isinstance(event, ev.AliasEvent):
            self.positions.values[where] = _line_col(event.start_mark)

    def _merge(self, frame: _Frame, container: dict[str, Any], value: Any, event: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(s, dict) for s in sources):
            self.diagnostics.append(
                self._diag(event.start_mark, "E100", _("a merge key '<<' needs a mapping or a list of mappings")))
            return
        mark = _line_col(event.start_mark)
        merged = frame.merged if frame.merged is not None else set()
        frame.merged = merged
        for source in sources:
            for k, v in source.items():
                if k not in container:
                    container[k] = v
                    merged.add(k)
                    self.positions.values[frame.path + (k,)] = mark
                    self.positions.keys[frame.path + (k,)] = mark

    def _scalar(self, event: Any) -> Any:
        """The value of a scalar that is tagged or may be a number, a boolean or null."""
        tag = self._check_tag(event)
        mark = event.start_mark
        if tag is None or tag == "!":
            if not event.implicit[0] or tag == "!":
                return event.value
            tag = _resolver.resolve(ScalarNode, event.value, (True, False))
            if tag in (_CORE + "int", _CORE + "float") and (kind := ime.yaml11_number(event.value)):
                return self._yaml11(event, kind, tag)
        node = ScalarNode(tag, event.value, mark, event.end_mark)
        try:
            if tag == _CORE + "int":
                digits = event.value.lstrip("+-").replace("_", "")
                if len(digits) > self.limits.max_int_digits:
                    raise ValueError(_("number too large"))
                return _constructor.construct_yaml_int(node)
            if tag == _CORE + "float":
                number = _constructor.construct_yaml_float(node)
                if not math.isfinite(number):
                    raise ValueError(_("not a finite number"))
                return number
            if tag == _CORE + "bool":
                return _constructor.construct_yaml_bool(node)
            if tag == _CORE + "null":
                return None
        except (ValueError, KeyError, IndexError, yaml.constructor.ConstructorError) as exc:
            if tag == _CORE + "bool":
                self.diagnostics.append(self._diag(mark, "E204", _("'{value}' is not true or false").format(
                    value=event.value[:40]), _("write true or false")))
                return event.value
            self.diagnostics.append(self._diag(mark, "E204", _("'{value}' is not a usable number: {reason}").format(
                value=event.value[:40], reason=exc), _("write an ordinary decimal number such as 3 or 0.5")))
            return event.value
        return event.value  # str, and timestamps stay text

    def _check_tag(self, event: Any) -> str | None:
        tag = event.tag
        if tag is None or tag in _ALLOWED_TAGS:
            return tag
        self.diagnostics.append(self._diag(
            event.start_mark, "E106", _("YAML tag '{tag}' is not allowed").format(tag=tag),
            _("item definitions are plain YAML: remove the tag")))
        return "!"  # treat the value as plain text; nothing is constructed from a tag

    def _yaml11(self, event: Any, kind: str, tag: str) -> str:
        """A YAML 1.1-only number (010, 0x10, 1:30): reported, and kept as the text written."""
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        value: object
        try:
            value = (_constructor.construct_yaml_int(node) if tag == _CORE + "int"
                     else _constructor.construct_yaml_float(node))
        except (ValueError, KeyError, IndexError, yaml.constructor.ConstructorError):
            value = "?"
        line, col = _line_col(event.start_mark)
        self.diagnostics.append(ime.yaml11_finding(self.path, line, col, event.value, kind, value))
        return str(event.value)


# what the top level was instead of a mapping (the English is Python's type name)
_KINDS = {list: N_("list"), str: N_("str"), int: N_("int"), float: N_("float"), bool: N_("bool")}

# The parser's own words (libyaml's and PyYAML's), so that a syntax error reads in the user's language.
PARSER_MESSAGES = (
    N_("could not find expected ':'"), N_("while scanning a simple key"),
    N_("did not find expected ',' or ']'"), N_("while parsing a flow sequence"),
    N_("did not find expected ',' or '}'"), N_("while parsing a flow mapping"),
    N_("did not find expected '-' indicator"), N_("while parsing a block collection"),
    N_("did not find expected key"), N_("while parsing a block mapping"),
    N_("did not find expected node content"), N_("while parsing a block node"), N_("while parsing a flow node"),
    N_("did not find the expected '>'"), N_("while scanning a tag"),
    N_("did not find expected <document start>"),
    N_("did not find expected alphabetic or numeric character"), N_("while scanning an alias"),
    N_("while scanning an anchor"),
    N_("did not find expected comment or line break"), N_("while scanning a block scalar"),
    N_("found an indentation indicator equal to 0"),
    N_("found character that cannot start any token"), N_("while scanning for the next token"),
    N_("found unexpected end of stream"), N_("while scanning a quoted scalar"),
    N_("found unknown escape character"), N_("while parsing a quoted scalar"),
    N_("mapping values are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("while scanning a plain scalar"), N_("found a tab character that violates indentation"),
)
