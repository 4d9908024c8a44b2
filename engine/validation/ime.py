"""The mistakes of typing YAML with a Chinese input method, found where they are made.

A Chinese IME types full-width punctuation and digits unless the author switches it off: a
full-width colon after a key (``department：税务局``), a full-width comma or 、 between list items
(``[营业执照，经办人身份证]``), full-width spaces as indentation, full-width digits (``０.５``),
full-width brackets. YAML reads each of them as text, so the parser either fails a line later
with words about the grammar, or reads a wrong value that a later check reports with a hint
that points the wrong way (“did you mean '经办人身份证'?” invites deleting 营业执照). YAML 1.1's
numbers are the other trap: ``010`` is read as 8, ``1:30`` as 90, ``0x10`` as 16.

This module finds them and says so at the character, with a hint that names it and its fix:

* :func:`scan` reads the raw text (every time, and before the parser's verdict counts):
  full-width colons after a key (E111), full-width spaces in indentation (E113), full-width
  brackets where a list or mapping starts (E117), full-width quotes on a line the parser
  could not read (E117);
* :func:`settle` merges those with the loader's findings: a YAML syntax error (E100) that an
  IME mistake on its line or the line before explains is dropped (it points at the wrong place);
* :func:`yaml11_number` tells the loader that a plain scalar is a number only under YAML 1.1
  (E116): it is reported and kept as the text written, never silently converted;
* :func:`number_as_text` turns the schema's "expected number, found text" into E115 (a quoted
  number) or E114 (full-width digits);
* :func:`separator` tells the reference checks that an unknown name is two known names joined by
  a full-width separator (E112), so neither of them is offered as a "did you mean".
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.i18n import _
from engine.validation.diagnostics import Diagnostic, make

IME_CODES = ("E111", "E112", "E113", "E114", "E115", "E116", "E117")
FULL_COLON = "："
SEPARATORS = "，、；"
BRACKETS = {"［": "[", "］": "]", "【": "[", "】": "]", "｛": "{", "｝": "}"}
QUOTES = {"“": '"', "”": '"', "‘": "'", "’": "'"}
_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
# a key, then a full-width colon: at the start of a block line (after an optional '- '), or after '{' or ','
_COLON_AFTER_KEY = re.compile(rf"^[ \t]*(?:-[ \t]+)?({_KEY})[ \t]*{FULL_COLON}")
_COLON_IN_FLOW = re.compile(rf"[{{,][ \t]*({_KEY})[ \t]*{FULL_COLON}")
_VALUE_START = re.compile(rf"^[ \t]*(?:-[ \t]+)?(?:{_KEY}[ \t]*[:{FULL_COLON}][ \t]*)?([［【｛])")
_FULL_DIGITS = re.compile("[０-９．]")
# a line can hold a finding of scan() only if it holds one of these (E113, E111, E117; quotes after a parse error)
_TRIGGERS = re.compile("[\u3000：［【｛]")
_QUOTED_TRIGGERS = re.compile("[\u3000：［【｛“”‘’]")
# YAML 1.1 numbers that YAML 1.2 (and every reader of the file) reads otherwise
_YAML11 = (
    (re.compile(r"[-+]?0[0-7_]+"), "octal"),
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+"), "hex"),
    (re.compile(r"[-+]?0b[01_]+"), "binary"),
    (re.compile(r"[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"), "sexagesimal"),
    (re.compile(r"[-+]?[0-9][0-9]*(?:_[0-9]+)+(?:\.[0-9_]*)?"), "underscore"),
)
_OCTAL_TEXT = re.compile(r"[-+]?0o[0-7]+")


def scan(text: str, path: str, parse_failed: bool = False) -> list[Diagnostic]:
    """Every full-width colon after a key, full-width space in indentation and full-width
    bracket opening a value; with *parse_failed*, full-width quotes too."""
    out: list[Diagnostic] = []
    triggers = _QUOTED_TRIGGERS if parse_failed else _TRIGGERS
    if not triggers.search(text):  # the usual file: none of the characters these findings are about
        return out
    for n, line in enumerate(text.splitlines(), 1):
        if not triggers.search(line) or line.lstrip().startswith("#"):
            continue
        code_part = _before_comment(line)
        indent = len(line) - len(line.lstrip(" \t\u3000"))
        if "\u3000" in line[:indent]:
            col = line.index("\u3000") + 1
            out.append(make(path, n, col, "E113", _("full-width space (U+3000) in the indentation"),
                            _("full-width space '\u3000' found: indent with ASCII spaces ' ' "
                              "(switch the input method to half-width)")))
        colons = [*_COLON_AFTER_KEY.finditer(code_part)]
        if "{" in code_part:  # {id: x, name：y}
            colons += [m for m in _COLON_IN_FLOW.finditer(code_part) if "{" in code_part[:m.start()]]
        for m in colons:
            col = m.end()  # the full-width colon is the last character matched
            out.append(make(path, n, col, "E111", _("full-width colon after the key '{key}'").format(
                key=m.group(1)), _("full-width colon '：' found: write the ASCII colon ':' and a space after it")))
        start = _VALUE_START.match(code_part)
        if start:
            ch = start.group(1)
            out.append(make(path, n, start.start(1) + 1, "E117",
                            _("full-width bracket '{char}' where a list or mapping starts").format(char=ch),
                            _("full-width bracket '{char}' found: write the ASCII '{ascii}'").format(
                                char=ch, ascii=BRACKETS[ch])))
        if parse_failed:
            for i, ch in enumerate(code_part):
                if ch in QUOTES and _quote_is_syntax(code_part, i):
                    out.append(make(path, n, i + 1, "E117", _("full-width quote '{char}' where YAML needs a quote").format(
                        char=ch), _("full-width quote '{char}' found: YAML's quotes are the ASCII '{ascii}'").format(
                        char=ch, ascii=QUOTES[ch])))
                    break
    return out


def _before_comment(line: str) -> str:
    """The line without a trailing comment (' #' outside quotes)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _quote_is_syntax(line: str, i: int) -> bool:
    """A full-width quote where a YAML quote would stand: right after 'key: ', '- ', '[' or ','."""
    before = line[:i].rstrip(" \t")
    return before == "" or before.endswith((":", "-", "[", ",", "{", FULL_COLON))


def settle(found: Sequence[Diagnostic], loaded: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The loader's findings with the IME findings: a syntax error (E100) on the line of an IME
    mistake or the line after it is a consequence, reported at the wrong place: it is dropped."""
    if not found:
        return list(loaded)
    lines = {d.line for d in found} | {d.line + 1 for d in found}
    kept = [d for d in loaded if not (d.code == "E100" and d.line in lines)]
    return kept + list(found)


def consequences(found: Sequence[Diagnostic]) -> list[Diagnostic]:
    """*found* without the findings an IME mistake in it causes on its own line (a key read as
    'department：税务局' is an unknown field, a list read as one string is the wrong type)."""
    lines = {(d.path, d.line) for d in found if d.code in ("E111", "E113", "E117")}
    return [d for d in found if d.code in IME_CODES or (d.path, d.line) not in lines]


def yaml11_number(text: str) -> str | None:
    """Why a plain scalar that YAML 1.1 reads as a number must be written otherwise, or None.

    ``010`` (octal 8), ``0x10`` (16), ``0b101`` (5), ``1:30`` (base 60: 90) and ``1_000`` are
    numbers only in YAML 1.1; YAML 1.2, JSON and people read them otherwise."""
    for pattern, kind in _YAML11:
        if pattern.fullmatch(text):
            return kind
    return None


def yaml11_finding(path: str, line: int, col: int, text: str, kind: str, value: object) -> Diagnostic:
    hints = {
        "octal": _("write the number without a leading 0: {plain}; if it is a code, quote it: \"{text}\""),
        "hex": _("write the decimal number {plain}; if it is a code, quote it: \"{text}\""),
        "binary": _("write the decimal number {plain}; if it is a code, quote it: \"{text}\""),
        "sexagesimal": _("a time limit is a number of working days (such as 1.5); if it is a time or a code, "
                         "quote it: \"{text}\""),
        "underscore": _("write {plain} without underscores; if it is a code, quote it: \"{text}\""),
    }
    return make(path, line, col, "E116",
                _("'{text}' is a number only in YAML 1.1 (it would be read as {value}): not converted").format(
                    text=text, value=value),
                hints[kind].format(plain=_plain(text, kind, value), text=text))


def _plain(text: str, kind: str, value: object) -> str:
    if kind == "octal":
        sign = text[0] if text[0] in "+-" else ""
        return sign + (text.lstrip("+-").lstrip("0").replace("_", "") or "0")
    if kind == "underscore":
        return text.replace("_", "")
    return str(value)


def number_as_text(path: str, line: int, col: int, value: str, where: str) -> Diagnostic | None:
    """E115 for a number in quotes ("3"), E114 for full-width digits (０.５), where a number is
    expected; None for other text (a unit, a word: the schema's own finding stands)."""
    stripped = value.strip()
    if _FULL_DIGITS.search(stripped):
        ascii_text = unicodedata.normalize("NFKC", stripped)
        if _is_number(ascii_text):
            return make(path, line, col, "E114",
                        _("{where}: full-width digits '{text}'").format(where=where, text=value),
                        _("full-width digits '{text}' found: write the ASCII digits '{ascii}'").format(
                            text=stripped, ascii=ascii_text))
        return None
    if _OCTAL_TEXT.fullmatch(stripped):  # 0o17: YAML 1.2's octal, text to YAML 1.1
        return yaml11_finding(path, line, col, stripped, "hex", int(stripped, 8))
    if _is_number(stripped):
        return make(path, line, col, "E115", _("{where}: the number {text} is written as text").format(
            where=where, text=value), _("write the number without quotes: {text}").format(text=stripped))
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return "_" not in text and text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "+inf", "infinity")


@dataclass(frozen=True)
class Separated:
    """An unknown reference that is several known names joined by a full-width separator."""
    char: str
    offset: int   # of the first separator in the text
    parts: tuple[str, ...]


def separator(text: str, known: Callable[[str], bool]) -> Separated | None:
    """*text* split at its full-width separators when every part is a known name."""
    if not any(ch in text for ch in SEPARATORS):
        return None
    parts = tuple(p.strip() for p in re.split(f"[{SEPARATORS}]", text))
    if len(parts) < 2 or not all(p and known(p) for p in parts):
        return None
    offset = min(text.index(ch) for ch in SEPARATORS if ch in text)
    return Separated(text[offset], offset, parts)


def separator_finding(path: str, line: int, col: int, sep: Separated) -> Diagnostic:
    return make(path, line, col, "E112",
                _("'{char}' separates {first} and {second} inside one list item").format(
                    char=sep.char, first=f"'{sep.parts[0]}'", second=f"'{sep.parts[1]}'"),
                _("full-width separator '{char}' found: '{first}' and '{second}' are two items: separate them with "
                  "an ASCII comma ',' and a space").format(
                    char=sep.char, first=sep.parts[0], second=sep.parts[1]))


def column_in_line(text: str | None, line: int, col: int, needle: str, fallback_offset: int) -> int:
    """The 1-based column of *needle* at or after (line, col) of *text*; without the text, the
    value's column plus *fallback_offset*."""
    if text is not None:
        lines = text.splitlines()
        if 0 < line <= len(lines):
            found = lines[line - 1].find(needle, col - 1)
            if found >= 0:
                return found + 1
    return col + fallback_offset
