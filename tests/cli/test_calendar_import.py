"""`lianban calendar import NOTICE.txt`: the State Council's notices become calendar files equal,
day by day, to chinesecalendar's years; notices that contradict themselves or the law are refused
with the clause quoted and the problem located (tests/data/notices/SOURCES.md has the texts' sources)."""
from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from helpers import ROOT, lb

from engine.workdays.calendar import _PACKAGE_NAMES, WorkCalendar

NOTICES = ROOT / "tests" / "data" / "notices"
YEARS = [2017, 2021, 2022, 2023, 2024, 2025, 2026]
WORKING_DAYS = {2017: 249, 2021: 250, 2022: 249, 2023: 249, 2024: 251, 2025: 248, 2026: 248}
# Weekend days chinesecalendar names after a holiday that the NEXT year's notice gives: its year's
# notice cannot name them (the import of the next notice reports them: see the 2023 test below).
NAMED_BY_THE_NEXT_NOTICE = {
    date(2022, 12, 31): "元旦",  # 2023 notice: 2022年12月31日至2023年1月2日
    date(2023, 12, 30): "元旦", date(2023, 12, 31): "元旦",  # 2024 notice: 1月1日放假，与周末连休
}


def notice(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def run_import(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str | bytes, *extra: str,
               name: str = "notice.txt") -> tuple[int, str, str, Path]:
    src = tmp_path / name
    if isinstance(text, str):
        src.write_text(text, encoding="utf-8")
    else:
        src.write_bytes(text)
    out = tmp_path / "out" / "calendar.yaml"
    code, stdout, stderr = lb(capsys, "calendar", "import", str(src), "-o", str(out), *extra)
    return code, stdout, stderr, out


@pytest.mark.parametrize("year", YEARS)
def test_a_notice_imports_to_chinesecalendars_year(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                    year: int) -> None:
    code, out, err, path = run_import(capsys, tmp_path, notice(year))
    assert code == 0, err
    assert f"wrote {path}" in out
    cal = WorkCalendar([path], use_package=False, provisional=False)
    assert cal.source(year).kind == "file"
    compared = 0
    day = date(year, 1, 1)
    while day.year == year:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        on_holiday, english = chinese_calendar.get_holiday_detail(day)
        mine = cal.holiday_name(day)
        theirs = _PACKAGE_NAMES.get(english) if on_holiday and english else None
        if day in NAMED_BY_THE_NEXT_NOTICE:
            assert (mine, theirs, day.weekday() >= 5) == (None, NAMED_BY_THE_NEXT_NOTICE[day], True)
            mine = theirs
        # a merged clause names its days "中秋节、国庆节"; chinesecalendar gives each day one of the two
        assert (mine is None) == (theirs is None) and (theirs is None or theirs in mine.split("、")), (day, mine, theirs)
        compared += 1
        day += timedelta(days=1)
    assert compared in (365, 366)
    assert cal.workdays_between(date(year - 1, 12, 31), date(year, 12, 31)) == WORKING_DAYS[year]
    assert f"{WORKING_DAYS[year]} working days in the year" in out


def test_the_calendar_file_is_exactly_this(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    raw = (NOTICES / "2026.txt").read_bytes()
    code, _out, err, path = run_import(capsys, tmp_path, raw)
    assert code == 0, err
    assert path.read_text(encoding="utf-8") == f"""\
# yaml-language-server: $schema=../../schemas/calendar.schema.json
# Imported by `lianban calendar import` from the text of the notice (sha256 {hashlib.sha256(raw).hexdigest()}).
year: 2026
source: "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号），2025年11月4日"
holidays:
  - {{from: 2026-01-01, to: 2026-01-03, name: 元旦}}
  - {{from: 2026-02-15, to: 2026-02-23, name: 春节}}
  - {{from: 2026-04-04, to: 2026-04-06, name: 清明节}}
  - {{from: 2026-05-01, to: 2026-05-05, name: 劳动节}}
  - {{from: 2026-06-19, to: 2026-06-21, name: 端午节}}
  - {{from: 2026-09-25, to: 2026-09-27, name: 中秋节}}
  - {{from: 2026-10-01, to: 2026-10-07, name: 国庆节}}
workdays:
  - {{date: 2026-01-04, name: 元旦调休}}
  - {{date: 2026-02-14, name: 春节调休}}
  - {{date: 2026-02-28, name: 春节调休}}
  - {{date: 2026-05-09, name: 劳动节调休}}
  - {{date: 2026-09-20, name: 国庆节调休}}
  - {{date: 2026-10-10, name: 国庆节调休}}
"""
    # the same text gives the same bytes; the file passes `validate` like any calendar file
    assert lb(capsys, "calendar", "import", str(tmp_path / "notice.txt"), "-o", "-")[1] == path.read_text("utf-8")
    target = tmp_path / "definitions" / "calendar"
    target.mkdir(parents=True)
    (target / "2026.yaml").write_text(path.read_text("utf-8"), encoding="utf-8")
    assert lb(capsys, "validate", str(target / "2026.yaml"))[0] == 0


def test_a_day_of_the_previous_year_is_reported_not_written(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    code, out, _err, path = run_import(capsys, tmp_path, notice(2023), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["other_years"] == [{"date": "2022-12-31", "name": "元旦", "off": True}]
    assert "from: 2023-01-01, to: 2023-01-02, name: 元旦" in path.read_text("utf-8")
    assert (data["year"], data["days_off"], data["make_up_days"], data["working_days"]) == (2023, 26, 7, 249)
    code, out, _err, _path = run_import(capsys, tmp_path, notice(2023), "--force")
    assert "note: 2022-12-31 (元旦, day off) is in 2022: not written here" in out


def test_default_output_and_no_overwrite(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cal"
    folder.mkdir()
    monkeypatch.setenv("LIANBAN_CALENDAR_DIR", str(folder))
    src = tmp_path / "n.txt"
    src.write_text(notice(2021), encoding="utf-8")
    assert lb(capsys, "calendar", "import", str(src))[0] == 0
    written = (folder / "2021.yaml").read_bytes()
    (folder / "2021.yaml").write_text("# kept\n", encoding="utf-8")
    code, out, err = lb(capsys, "calendar", "import", str(src))
    assert code == 2 and out == "" and f"{folder / '2021.yaml'} exists" in err and "--force" in err
    assert (folder / "2021.yaml").read_text("utf-8") == "# kept\n"
    assert lb(capsys, "calendar", "import", str(src), "--force")[0] == 0
    assert (folder / "2021.yaml").read_bytes() == written
    assert sorted(p.name for p in folder.iterdir()) == ["2021.yaml"]  # no temporary file left


# --- wording variants that must import ----------------------------------------------------------------

ASCII = str.maketrans({"，": ",", "：": ":", "（": "(", "）": ")"})


@pytest.mark.parametrize("variant", ["ascii punctuation", "星期 for 周", "周 for 星期", "windows line ends",
                                     "repost header", "fullwidth digits"])
def test_wording_variants_import_the_same(capsys: pytest.CaptureFixture[str], tmp_path: Path, variant: str) -> None:
    year = 2021 if variant == "周 for 星期" else 2026
    text = notice(year)
    if variant == "ascii punctuation":
        text = text.translate(ASCII)
    elif variant == "星期 for 周":
        text = text.replace("周", "星期")
    elif variant == "周 for 星期":
        text = text.replace("星期", "周")
    elif variant == "windows line ends":
        text = text.replace("\n", "\r\n")
    elif variant == "repost header":
        text = "新华社北京11月4日电 " + text
    elif variant == "fullwidth digits":
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    code, _out, err, path = run_import(capsys, tmp_path, text)
    assert code == 0, err
    reference = tmp_path / "ref.yaml"
    assert lb(capsys, "calendar", "import", str(NOTICES / f"{year}.txt"), "-o", str(reference))[0] == 0
    body = [line for line in path.read_text("utf-8").splitlines() if not line.startswith("# Imported")]
    assert body == [line for line in reference.read_text("utf-8").splitlines() if not line.startswith("# Imported")]


# --- notices that must be refused ------------------------------------------------------------------

def _line_col(text: str, needle: str, offset: int = 0) -> str:
    """line:col of *needle* (plus *offset* characters) in *text*."""
    at = text.index(needle) + offset
    line = text.count("\n", 0, at) + 1
    return f"{line}:{at - (text.rfind(chr(10), 0, at) + 1) + 1}"


REFUSED = {
    # name: (year, old, new, where (needle, offset) in the changed text, words[, problems])
    "wrong weekday": (2021, "2月7日（星期日）", "2月7日（星期六）", ("星期六", 0),
                      "2021-02-07 is a Sunday, not a Saturday (星期六)"),
    "wrong 共N天": (2021, "2月11日至17日放假调休，共7天", "2月11日至17日放假调休，共8天", ("共8天", 1),
                   "共8天 does not match 2021-02-11…2021-02-17, which is 7 day(s)"),
    "missing statutory day": (2026, "2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天",
                              "2月17日（农历正月初一、周二）至23日（农历正月初七、周一）放假调休，共7天",
                              ("2月17日", 0), "春节: the law (全国年节及纪念日放假办法（2024年11月10日国务院令第795号修订"),
    "holiday listed twice": (2021, "七、国庆节：", "七、元旦：", ("元旦：10月", 0), "元旦 already has clause 一 (line 5)",
                             2),  # and: no clause for 国庆节
    "make-up day on a weekday": (2021, "9月18日（星期六）上班", "9月17日（星期五）上班", ("9月17日", 0),
                                 "2021-09-17 is a Friday: a make-up working day (上班) is a Saturday or a Sunday"),
    "day both off and on": (2021, "9月18日（星期六）上班", "9月19日（星期日）上班", ("9月19日（星期日）上班", 0),
                            "2021-09-19 is a make-up working day and a day off of clause 六 (中秋节)"),
    "unknown year": (2021, "关于2021年部分", "关于2101年部分", ("2101", 0),
                     "a notice for 2101: the engine knows the law and the lunar calendar for 2000–2100 only"),
    "no such day": (2021, "5月8日（星期六）", "2月30日（星期六）", ("2月30日", 0),
                    "2月30日（星期六）: 2021-02-30: no such day (2021-02 has 28 days)"),
    "range backwards": (2021, "6月12日至14日", "6月14日至12日", ("12日放假", 0),
                        "the range ends on 2021-06-12, before it starts (2021-06-14)"),
    "wrong lunar date": (2026, "农历正月初七", "农历正月初八", ("农历正月初八", 0),
                         "2026-02-23 is not 农历正月初八 (正月初一 is 2026-02-17)"),
    "clause missing": (2021, "五、端午节：6月12日至14日放假，共3天。\n", "", ("2021年部分", 0),
                       "no clause for 端午节: the law", 2),  # and: clause 六 where 五 was expected
    "clauses out of order": (2021, "三、清明节", "四、清明节", ("四、清明节", 0), "clause 四 where clause 三 was expected",
                             2),  # and: clause 五 where 四 was expected
    "unreadable arrangement": (2021, "6月12日至14日放假，共3天", "6月12日起放假三天", ("6月12日起", 0),
                               "cannot read the arrangement '6月12日起放假三天'"),
    "not a holiday": (2021, "五、端午节", "五、端五节", ("端五节", 0), "'端五节' is not a statutory holiday"),
    "a stray arrangement line": (2021, "节假日期间", "另：12月31日放假。\n节假日期间", ("另：", 0),
                                 "a line with days off or make-up days that is not a numbered clause"),
    "not a notice": (2021, "国务院办公厅关于2021年部分节假日安排的通知", "会议纪要", ("会议纪要", 0),
                     "no title 国务院办公厅关于YYYY年部分节假日安排的通知"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_contradicting_notice_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str) -> None:
    year, old, new, (needle, offset), words, *more = REFUSED[case]
    text = notice(year)
    assert old in text
    text = text.replace(old, new, 1)
    code, out, err, path = run_import(capsys, tmp_path, text)
    assert (code, out) == (1, ""), err
    lines = err.splitlines()
    assert lines[0].startswith("lianban: refused: ")
    lines[0] = lines[0][len("lianban: refused: "):]
    where = f"{tmp_path / 'notice.txt'}:{_line_col(text, needle, offset)}: "
    found = [k for k, line in enumerate(lines) if line.startswith(where) and words in line]
    assert len(found) == 1, err
    line_no = int(_line_col(text, needle, offset).split(":")[0])
    assert lines[found[0] + 1] == "    | " + text.splitlines()[line_no - 1].strip()  # the clause, quoted
    problems = more[0] if more else 1
    assert lines[-1].endswith(f"not imported ({problems} problem(s)); nothing was written"), err
    assert len(lines) == 2 * problems + 1
    assert not path.exists()


def test_every_problem_is_reported_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = notice(2021).replace("共7天", "共8天").replace("（星期日）、2月20日", "（星期一）、2月20日")
    code, _out, err, _path = run_import(capsys, tmp_path, text)
    assert code == 1 and "(3 problem(s))" in err.splitlines()[-1]  # 共8天 twice (春节, 国庆节), one weekday


@pytest.mark.parametrize("case, content, words", [
    ("empty", b"", "the file is empty"),
    ("blank", b"  \n\n", "the file is empty"),
    ("gb18030", notice(2021).encode("gb18030"), "1: not UTF-8 text (byte 0xb9)"),
    ("huge", ("国务院办公厅关于2021年部分节假日安排的通知\n" + "经国务院批准。" * 20000).encode(), "too large"),
])
def test_a_file_that_is_no_notice_text(capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str,
                                       content: bytes, words: str) -> None:
    code, out, err, path = run_import(capsys, tmp_path, content)
    assert (code, out) == (2, "") and words in err and err.startswith("lianban: error: ")
    assert not path.exists()


def test_unreadable_notice_and_unwritable_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = lb(capsys, "calendar", "import", str(tmp_path / "missing.txt"))
    assert code == 2 and "cannot read" in err and "missing.txt" in err
    src = tmp_path / "n.txt"
    src.write_text(notice(2021), encoding="utf-8")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _out, err = lb(capsys, "calendar", "import", str(src), "-o", str(tmp_path / "file" / "2021.yaml"))
    assert code == 2 and "cannot write" in err
    code, _out, err = lb(capsys, "calendar", "import", str(src), "-o", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_a_fifo_is_refused_without_waiting(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "notice.fifo"
    os.mkfifo(fifo)
    code, _out, err = lb(capsys, "calendar", "import", str(fifo), "-o", "-")
    assert code == 2 and "FIFO" in err
