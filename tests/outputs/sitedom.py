"""Reading the site's pages in tests: a small DOM over html.parser, the visible text, the inline SVGs."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import ClassVar

SVG = "{http://www.w3.org/2000/svg}"


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.parts: list[str | Node] = []  # text and child elements, in document order

    @property
    def children(self) -> list[Node]:
        return [p for p in self.parts if isinstance(p, Node)]

    def all(self, tag: str, cls: str | None = None) -> list[Node]:
        """Descendants with *tag* (and class *cls*), in document order."""
        out = []
        for c in self.children:
            if c.tag == tag and (cls is None or cls in (c.attrs.get("class") or "").split()):
                out.append(c)
            out.extend(c.all(tag, cls))
        return out

    def content(self) -> str:
        return "".join(p if isinstance(p, str) else p.content() for p in self.parts)

    def text(self) -> str:
        """The content with its whitespace normalised (runs of white space are one space, none at the ends)."""
        return " ".join(self.content().split())

    def words(self) -> list[str]:
        """The text nodes inside, in order, each with its whitespace normalised; empty ones dropped."""
        out: list[str] = []
        for p in self.parts:
            if isinstance(p, Node):
                out.extend(p.words())
            elif text := " ".join(p.split()):
                out.append(text)
        return out

    def lines(self) -> list[str]:
        """The text split at ``<br>``: each line its text nodes joined by a space."""
        out: list[list[str]] = [[]]
        for p in self.parts:
            if isinstance(p, Node) and p.tag == "br":
                out.append([])
            elif isinstance(p, Node):
                out[-1].extend(p.words())
            elif text := " ".join(p.split()):
                out[-1].append(text)
        return [" ".join(line) for line in out]


class Dom(HTMLParser):
    """Enough of a DOM to find elements and their text; fails on unbalanced tags."""
    VOID: ClassVar[set[str]] = {"meta", "br", "col", "img", "link", "input", "hr"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.here = Node("#root", {}, None)
        self.feed(text)
        self.close()
        assert self.here is self.root, f"<{self.here.tag}> is never closed"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.here)
        self.here.parts.append(node)
        if tag not in self.VOID:
            self.here = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.here.parts.append(Node(tag, dict(attrs), self.here))

    def handle_endtag(self, tag: str) -> None:
        assert self.here.tag == tag, f"</{tag}> closes <{self.here.tag}>"
        assert self.here.parent is not None
        self.here = self.here.parent

    def handle_data(self, data: str) -> None:
        self.here.parts.append(data)


def visible_text(page: str) -> list[str]:
    """Every text node a reader meets, in order, whitespace normalised, empty ones dropped: the
    page's title and its body, with the pictures' texts and tooltips (not the style sheet)."""
    out: list[str] = []

    def walk(node: Node) -> None:
        for p in node.parts:
            if isinstance(p, Node):
                if p.tag not in ("style", "script"):
                    walk(p)
            elif text := " ".join(p.split()):
                out.append(text)

    walk(Dom(page).root)
    return out


def svgs(page: str) -> dict[str, ET.Element]:
    """Every inline SVG of a page, parsed as XML (so it must be well-formed), by class."""
    return {m.group(1): ET.fromstring(m.group(0)) for m in re.finditer(r'<svg [^>]*class="(\w+)".*?</svg>', page, re.DOTALL)}


def texts(el: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in el.iter(f"{SVG}text")]


def titles(el: ET.Element) -> list[str]:
    return [t.text or "" for t in el.iter(f"{SVG}title")]


def style(page: str) -> str:
    """The inline style sheet with comments dropped and white space squeezed out (``a{b:c}``)."""
    css = re.search(r"<style>(.*?)</style>", page, re.DOTALL)
    assert css, "no inline style sheet"
    squeezed = re.sub(r"\s+", " ", re.sub(r"/\*.*?\*/", "", css.group(1), flags=re.DOTALL))
    return re.sub(r"\s*([{};:,>])\s*", r"\1", squeezed).replace(";}", "}").strip()
