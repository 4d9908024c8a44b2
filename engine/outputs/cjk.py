"""Wrapping Chinese text in the terminal: between characters, never only at spaces, with 禁则.

rich wraps a table cell at spaces and cuts what does not fit with '…': a Chinese material
name has no space, so a narrow column showed ``营业执照（…``. :class:`Wrapped` is a rich
renderable that breaks between any two Chinese characters (and at spaces), keeps a closing
bracket or punctuation mark (、，。）…) off the start of a line and an opening bracket off its
end (the same rule as the site's SVG text, :func:`engine.outputs.html.svg.wrap`), and keeps a
Latin word or a number whole unless it is wider than the column.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

NO_LINE_START = "）)]】」』〉》、，。．：；！？,.:;!?%…→"
NO_LINE_END = "（([【「『〈《←"
# a unit is a run of Latin letters/digits (a word, a number, an id) or any one other character
_UNIT = re.compile(r"[A-Za-z0-9_\-./@#+'’]+|\s+|.", re.DOTALL)


def units(line: str) -> list[str]:
    """*line* cut where it may break: words and numbers whole, each other character alone,
    a closing mark glued to what precedes it and an opening one to what follows."""
    out: list[str] = []
    glue_next = False
    for m in _UNIT.finditer(line):
        piece = m.group()
        if out and (glue_next or (piece[0] in NO_LINE_START and not out[-1].isspace())):
            out[-1] += piece
        else:
            out.append(piece)
        glue_next = piece[-1] in NO_LINE_END
    return out


def break_offsets(line: str, width: int) -> list[int]:
    """Offsets in *line* where a new line starts so that no line is wider than *width* cells
    (a unit wider than the column is folded by characters)."""
    offsets: list[int] = []
    used = 0
    pos = 0
    for unit in units(line):
        w = cell_len(unit)
        if used and used + w > width and not unit.isspace():
            offsets.append(pos)
            used = 0
        if w > width and not unit.isspace():  # a long word or URL: fold it
            for ch in unit:
                cw = cell_len(ch)
                if used and used + cw > width:
                    offsets.append(pos)
                    used = 0
                used += cw
                pos += len(ch)
            continue
        used += 0 if (used == 0 and unit.isspace()) else w
        pos += len(unit)
    return offsets


class Wrapped:
    """A cell (or a line) of text that wraps between Chinese characters; *text* may be a rich Text
    with styles, or a plain str (never read as console markup)."""

    def __init__(self, text: str | Text, style: str = "", *, whole: bool = False) -> None:
        self.text = text if isinstance(text, Text) else Text(text, style=style)
        self.whole = whole  # never broken (a figure such as "11.5 → 11"): its column keeps its width

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.text.plain.split("\n")
        widest_line = max((cell_len(line) for line in lines), default=0)
        widest_unit = widest_line if self.whole else max(
            (cell_len(u) for line in lines for u in units(line) if not u.isspace()), default=0)
        return Measurement(min(widest_unit, options.max_width), min(widest_line, options.max_width))

    def lines(self, width: int) -> list[Text]:
        out: list[Text] = []
        for line in self.text.split("\n", allow_blank=True):
            offsets = break_offsets(line.plain, max(width, 1))
            for part in line.divide(offsets) if offsets else [line]:
                out.append(_lstrip(part))
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        lines = self.lines(options.max_width)
        joined = Text("\n").join(lines)
        joined.no_wrap = True
        joined.overflow = "fold"
        yield joined


def _lstrip(text: Text) -> Text:
    plain = text.plain
    cut = len(plain) - len(plain.lstrip(" "))
    return text[cut:] if cut else text
