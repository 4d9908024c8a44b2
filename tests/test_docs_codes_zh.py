"""docs/codes.zh.md, the Chinese page of finding codes: every code, its Chinese title, and every
example printing under LANG=zh_CN.UTF-8 exactly the Chinese findings the page shows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_docs_codes as english
from helpers import ROOT

from engine.validation.diagnostics import CODES, title

DOC = (ROOT / "docs" / "codes.zh.md").read_text(encoding="utf-8")
HEADING = re.compile(r"^## (\S+) (.+)$", re.MULTILINE)


def sections() -> dict[str, tuple[str, str]]:
    marks = list(HEADING.finditer(DOC))
    return {m.group(1): (m.group(2), DOC[m.end():nxt.start() if nxt else len(DOC)])
            for m, nxt in zip(marks, marks[1:] + [None], strict=False)}


SECTIONS = sections()


def test_every_code_is_on_the_chinese_page_too() -> None:
    assert list(SECTIONS) == list(CODES)


@pytest.mark.parametrize("code", list(CODES))
def test_chinese_title_meaning_and_fix(code: str, zh: None) -> None:
    heading, body = SECTIONS[code]
    assert heading == title(code)
    assert "**含义。**" in body and "**修正。**" in body


@pytest.mark.parametrize("code", list(CODES))
def test_the_example_prints_exactly_what_the_chinese_page_shows(code: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, zh: None) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIANBAN_CATALOG", raising=False)
    _title, body = SECTIONS[code]
    if code in english.SPECIAL:
        special = english.SPECIAL[code]
        got = special(tmp_path, monkeypatch) if code == "E110" else special(tmp_path)
    else:
        got = english.run_validate(tmp_path, english.files_of(body), analysis=code.startswith("I"))
    assert got == english.shown_output(body)


def test_the_examples_are_the_english_pages_examples() -> None:
    for code, (_title, body) in SECTIONS.items():
        assert english.files_of(body) == english.files_of(english.SECTIONS[code][1]), code
