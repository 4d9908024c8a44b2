"""Hostile notices: any edit of a real notice is imported or refused with a LianbanError, never a crash."""
from __future__ import annotations

from pathlib import Path

from helpers import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import LianbanError
from engine.workdays.files import load_text
from engine.workdays.notice import NoticeError
from engine.workdays.notice_check import import_notice

TEXT = (ROOT / "tests" / "data" / "notices" / "2026.txt").read_text(encoding="utf-8")
PIECES = ["至", "日", "月", "年", "（", "）", "、", "，", "。", "：", "上班", "放假", "调休", "共", "天", "周六", "星期日",
          "农历", "除夕", "补休", "与周末连休", "一、", "七、", "0", "1", "2", "9", "12", "31", "2027", "\n", " ", "(", ")"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(TEXT)), st.integers(0, 6), st.sampled_from(PIECES)), max_size=6))
def test_an_edited_notice_is_imported_or_refused(edits: list[tuple[int, int, str]]) -> None:
    text = TEXT
    for at, cut, piece in edits:
        at = min(at, len(text))
        text = text[:at] + piece + text[at + cut:]
    try:
        imported = import_notice(text.encode("utf-8"), "notice.txt")
    except NoticeError as exc:
        assert exc.problems and all(p.line >= 1 and p.col >= 1 for p in exc.problems)
        assert str(exc).splitlines()[-1].endswith("nothing was written")
        return
    except LianbanError:
        return
    # what is imported is a calendar file like any other, whose days off the notice gave
    year = load_text(imported.text, Path(f"{imported.notice.year}.yaml"))
    assert set(year.off) == set(imported.off) and set(year.on) == set(imported.on)
