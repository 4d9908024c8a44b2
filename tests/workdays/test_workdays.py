"""Working-day calendar: expected values are hand-checked against the State Council notices
(2021: 2020-11-25; 2022: 2021-10-25; see /work/shared/reference/joint-items.md §C)."""
from __future__ import annotations

import math
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.workdays.calendar as wd
from engine.locations import CHECKOUT, default_calendar_dir
from engine.workdays.calendar import CalendarError, WorkCalendar, YearSource

CAL = WorkCalendar()  # package only: independent of definitions/calendar
OFFICIAL = WorkCalendar(provisional=False)  # no provisional years: a year past the package is an error

# A made-up year far beyond the package, for file-only behaviour. 2035-01-01 is a Monday;
# 2035-02-07 is a Wednesday, 02-04 a Sunday, 02-17 a Saturday.
Y2035 = """\
# yaml-language-server: $schema=../../schemas/calendar.schema.json
year: 2035
source: test fixture, not a real notice
holidays:
  - {date: 2035-01-01, name: 元旦}
  - {from: 2035-02-07, to: "2035-02-13", name: 春节}
workdays:
  - {date: 2035-02-04, name: 春节调休}
  - {date: "2035-02-17"}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- 2021 and 2022 from the package ---------------------------------------------------------

def test_national_day_2021_example():
    assert CAL.add_workdays(date(2021, 9, 29), 3) == date(2021, 10, 9)
    assert CAL.add_workdays(date(2021, 9, 30), 1) == date(2021, 10, 8)
    assert CAL.add_workdays(date(2021, 9, 24), 5) == date(2021, 9, 30)  # Sunday 09-26 counts


def test_national_day_2021_days():
    assert CAL.is_workday(date(2021, 9, 26))  # Sunday, 调休上班
    assert CAL.is_workday(date(2021, 10, 9))  # Saturday, 调休上班
    assert not CAL.is_workday(date(2021, 10, 10))  # ordinary Sunday
    for day in range(1, 8):
        assert not CAL.is_workday(date(2021, 10, day))
        assert CAL.holiday_name(date(2021, 10, day)) == "国庆节"
    assert CAL.is_workday(date(2021, 10, 8))
    assert CAL.holiday_name(date(2021, 10, 8)) is None
    assert CAL.holiday_name(date(2021, 10, 9)) is None  # a working day has no holiday name
    assert CAL.holiday_name(date(2021, 10, 10)) is None  # a plain weekend is not a holiday


def test_spring_festival_2021():
    assert CAL.is_workday(date(2021, 2, 7))  # Sunday make-up day
    assert CAL.is_workday(date(2021, 2, 20))  # Saturday make-up day
    for day in range(11, 18):
        assert not CAL.is_workday(date(2021, 2, day))
        assert CAL.holiday_name(date(2021, 2, day)) == "春节"
    assert CAL.is_workday(date(2021, 2, 10)) and CAL.is_workday(date(2021, 2, 18))
    assert CAL.add_workdays(date(2021, 2, 10), 3) == date(2021, 2, 20)
    assert CAL.add_workdays(date(2021, 2, 5), 1) == date(2021, 2, 7)  # Fri -> the make-up Sunday


def test_other_2021_2022_days():
    assert CAL.is_workday(date(2021, 4, 25)) and CAL.is_workday(date(2021, 5, 8))
    assert not CAL.is_workday(date(2021, 5, 4))
    assert CAL.holiday_name(date(2021, 5, 4)) == "劳动节"
    assert CAL.holiday_name(date(2021, 6, 14)) == "端午节"
    assert CAL.holiday_name(date(2021, 9, 20)) == "中秋节"
    assert CAL.holiday_name(date(2021, 4, 5)) == "清明节"
    assert CAL.holiday_name(date(2021, 1, 1)) == "元旦"
    assert CAL.add_workdays(date(2022, 1, 28), 1) == date(2022, 1, 29)  # Saturday make-up day
    assert CAL.add_workdays(date(2022, 9, 30), 1) == date(2022, 10, 8)
    assert CAL.is_workday(date(2022, 10, 9))  # Sunday make-up day


def test_year_totals():
    # 2021: 261 weekdays - 18 weekday holidays + 7 make-up days = 250; 2022: 260 - 18 + 7 = 249.
    assert CAL.workdays_between(date(2020, 12, 31), date(2021, 12, 31)) == 250
    assert CAL.workdays_between(date(2021, 12, 31), date(2022, 12, 31)) == 249


def test_across_new_year():
    # 2021-12-31 Fri is day 1; 2022-01-01..03 off; 01-04 Tue day 2; 01-05 Wed day 3.
    assert CAL.add_workdays(date(2021, 12, 30), 3) == date(2022, 1, 5)
    assert CAL.workdays_between(date(2021, 12, 30), date(2022, 1, 5)) == 3


def test_source_and_coverage():
    assert CAL.source(2021) == YearSource(2021, "package", f"chinesecalendar {wd._package_version()}")
    years = CAL.covered_years()
    assert years == sorted(years)
    assert {2004, 2021, 2022, 2026} <= set(years)
    assert 2003 not in years and 2035 not in years


# --- counting rule ------------------------------------------------------------------------------

def test_zero_is_the_acceptance_day_itself():
    assert CAL.add_workdays(date(2021, 10, 2), 0) == date(2021, 10, 2)  # even on a holiday
    assert CAL.add_workdays(date(2021, 9, 29), 0) == date(2021, 9, 29)


def test_half_days_round_up():
    assert CAL.add_workdays(date(2021, 9, 30), 0.5) == date(2021, 10, 8)
    assert CAL.add_workdays(date(2021, 9, 29), 2.5) == date(2021, 10, 9)
    assert CAL.add_workdays(date(2021, 9, 29), 1.5) == date(2021, 10, 8)


def test_acceptance_on_a_holiday():
    assert CAL.add_workdays(date(2021, 10, 3), 1) == date(2021, 10, 8)
    assert CAL.add_workdays(date(2021, 10, 10), 1) == date(2021, 10, 11)  # Sunday -> Monday


@pytest.mark.parametrize("bad", [-1, -0.5, math.inf, math.nan])
def test_bad_n(bad):
    with pytest.raises(ValueError) as info:
        CAL.add_workdays(date(2021, 9, 29), bad)
    assert "working days" in str(info.value)


def test_workdays_between():
    assert CAL.workdays_between(date(2021, 9, 29), date(2021, 10, 9)) == 3
    assert CAL.workdays_between(date(2021, 10, 9), date(2021, 9, 29)) == -3
    assert CAL.workdays_between(date(2021, 9, 29), date(2021, 9, 29)) == 0
    assert CAL.workdays_between(date(2021, 9, 30), date(2021, 10, 7)) == 0  # only holidays
    assert CAL.workdays_between(date(2021, 9, 30), date(2021, 10, 8)) == 1


def test_fast_enough():
    t0 = time.perf_counter()
    for _ in range(1000):
        CAL.add_workdays(date(2021, 1, 4), 300)
    assert time.perf_counter() - t0 < 1.0  # about a microsecond each; a generous bound


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2025, 12, 31)), st.integers(0, 60))
def test_add_and_between_agree(start, n):
    end = CAL.add_workdays(start, n)
    if n > 0:
        assert end > start
        assert CAL.is_workday(end)
    else:
        assert end == start
    assert CAL.workdays_between(start, end) == n
    assert CAL.workdays_between(end, start) == -n


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2025, 12, 31)),
       st.floats(min_value=0, max_value=60, allow_nan=False))
def test_fractions_round_up(start, n):
    assert CAL.add_workdays(start, n) == CAL.add_workdays(start, math.ceil(n))


# --- years not covered --------------------------------------------------------------------------

def test_year_not_covered_is_a_clear_error():
    with pytest.raises(CalendarError) as info:
        OFFICIAL.is_workday(date(2035, 3, 1))
    msg = str(info.value)
    assert "no working-day calendar for 2035" in msg
    assert "chinesecalendar" in msg and "2004–" in msg
    assert "definitions/calendar/2035.yaml" in msg
    assert "provisional" not in msg
    # a year before the first official one is never provisional: its notice exists, only not here
    with pytest.raises(CalendarError) as info:
        CAL.source(2003)
    assert "2003" in str(info.value) and "provisional years: " in str(info.value)
    with pytest.raises(CalendarError):
        CAL.holiday_name(date(2003, 1, 1))
    # past the lunar tables: no provisional year either
    with pytest.raises(CalendarError) as info:
        CAL.is_workday(date(2101, 3, 1))
    assert "no working-day calendar for 2101" in str(info.value) and "–2100" in str(info.value)


def test_package_switched_off():
    cal = WorkCalendar(use_package=False, provisional=False)
    assert cal.covered_years() == []
    with pytest.raises(CalendarError) as info:
        cal.is_workday(date(2021, 10, 8))
    assert "switched off" in str(info.value)
    # with no official year at all, every year from 2000 (the 1999 text of the law) is provisional
    cal = WorkCalendar(use_package=False)
    assert cal.source(2021).kind == "provisional" and cal.provisional_years()[0] == 2000
    assert cal.is_workday(date(2021, 10, 8))  # no 调休 known: an ordinary Friday
    assert not cal.is_workday(date(2021, 10, 1)) and cal.holiday_name(date(2021, 10, 1)) == "国庆节"


# --- calendar files -----------------------------------------------------------------------------

def test_file_adds_a_year(tmp_path):
    path = write(tmp_path, "2035.yaml", Y2035)
    cal = WorkCalendar([path])
    assert cal.source(2035) == YearSource(2035, "file", str(path), "test fixture, not a real notice")
    assert 2035 in cal.covered_years() and 2021 in cal.covered_years()
    assert not cal.is_workday(date(2035, 1, 1))  # listed holiday (Monday)
    assert cal.is_workday(date(2035, 1, 2))  # ordinary Tuesday
    assert not cal.is_workday(date(2035, 1, 6))  # ordinary Saturday
    assert cal.is_workday(date(2035, 2, 4))  # listed make-up Sunday
    assert cal.is_workday(date(2035, 2, 17))  # listed make-up Saturday (quoted date)
    assert not cal.is_workday(date(2035, 2, 13))  # last day of the quoted range
    assert cal.holiday_name(date(2035, 2, 10)) == "春节"
    assert cal.add_workdays(date(2035, 2, 6), 1) == date(2035, 2, 14)
    assert cal.add_workdays(date(2035, 2, 6), 4) == date(2035, 2, 17)
    # February 2035: 1, 2, 4(Sun), 5, 6, 14, 15, 16, 17(Sat), 19-23, 26, 27, 28 = 17 days.
    assert cal.workdays_between(date(2035, 1, 31), date(2035, 2, 28)) == 17


def test_deadline_running_into_an_uncovered_year(tmp_path):
    cal = WorkCalendar([write(tmp_path, "2035.yaml", Y2035)], use_package=False, provisional=False)
    assert cal.covered_years() == [2035]
    assert cal.add_workdays(date(2035, 12, 27), 2) == date(2035, 12, 31)  # Thu -> Fri 28, Mon 31
    with pytest.raises(CalendarError) as info:
        cal.add_workdays(date(2035, 12, 20), 30)
    msg = str(info.value)
    assert "no working-day calendar for 2036" in msg and "2035" in msg
    # by default 2036 is provisional: the count goes on and says so
    cal = WorkCalendar([write(tmp_path, "2035.yaml", Y2035)], use_package=False)
    end = cal.add_workdays(date(2035, 12, 20), 30)
    assert end.year == 2036 and cal.provisional_between(date(2035, 12, 20), end) == [2036]


def test_file_corrects_a_package_year(tmp_path):
    path = write(tmp_path, "2021.yaml", """\
year: 2021
source: test correction
holidays:
  - {date: 2021-10-08, name: 国庆节（测试）}
workdays:
  - {date: 2021-10-10}
""")
    cal = WorkCalendar([path])
    src = cal.source(2021)
    assert src.kind == "file+package" and str(path) in src.detail and "chinesecalendar" in src.detail
    assert not cal.is_workday(date(2021, 10, 8))  # the file's holiday wins
    assert cal.holiday_name(date(2021, 10, 8)) == "国庆节（测试）"
    assert cal.is_workday(date(2021, 10, 10))  # the file's make-up Sunday
    assert cal.is_workday(date(2021, 10, 9))  # the package's make-up Saturday remains
    assert cal.holiday_name(date(2021, 10, 1)) == "国庆节"  # the package's holiday remains
    assert cal.add_workdays(date(2021, 9, 30), 1) == date(2021, 10, 9)
    assert cal.add_workdays(date(2021, 9, 30), 2) == date(2021, 10, 10)
    assert cal.source(2022).kind == "package"
    assert CAL.is_workday(date(2021, 10, 8))  # other calendars are unaffected


def test_file_replaces_a_package_year(tmp_path):
    path = write(tmp_path, "2021.yaml", "year: 2021\nsource: test\nreplaces_package: true\n"
                                        "holidays:\n  - {date: 2021-01-01, name: 元旦}\n")
    cal = WorkCalendar([path])
    assert cal.source(2021).kind == "file"
    assert cal.is_workday(date(2021, 10, 1))  # a Friday; the package's 国庆节 is ignored
    assert not cal.is_workday(date(2021, 9, 26))  # Sunday; the package's make-up day is ignored


def test_from_dir(tmp_path):
    write(tmp_path, "2035.yaml", Y2035)
    write(tmp_path, "README.md", "not loaded")
    assert 2035 in WorkCalendar.from_dir(tmp_path).covered_years()
    assert 2035 not in WorkCalendar.from_dir(None).covered_years()
    assert 2035 not in WorkCalendar.from_dir(tmp_path / "missing").covered_years()


def test_shipped_calendar_files_load():
    cal = WorkCalendar.from_dir(CHECKOUT / "definitions" / "calendar")
    assert 2021 in cal.covered_years()


def test_default_calendar_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LIANBAN_CALENDAR_DIR", str(tmp_path / "cal"))
    assert default_calendar_dir() == tmp_path / "cal"
    monkeypatch.delenv("LIANBAN_CALENDAR_DIR")
    project = tmp_path / "project"
    (project / "definitions" / "calendar").mkdir(parents=True)
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    assert default_calendar_dir() == (project / "definitions" / "calendar").resolve()
    monkeypatch.chdir(tmp_path)
    checkout = CHECKOUT / "definitions" / "calendar"
    assert default_calendar_dir() == (checkout if checkout.is_dir() else None)


# --- bad files ----------------------------------------------------------------------------------

BAD = {
    "missing source": ("year: 2035\nholidays: []\n", 1, "source"),
    "unknown field": ("year: 2035\nsource: x\nholidays: []\nholiday: []\n", 4, "holiday"),
    "wrong type": ("year: 2035\nsource: x\nholidays:\n  - {date: 2035-01-01, name: 元旦}\n"
                   "workdays: 2035-02-04\n", 5, "workdays"),
    "date in wrong year": ("year: 2035\nsource: x\nholidays:\n  - {date: 2035-01-01, name: 元旦}\n"
                           "  - {date: 2034-12-31, name: 元旦}\n", 5, "2034-12-31 is not in 2035"),
    "both lists": ("year: 2035\nsource: x\nholidays:\n  - {from: 2035-02-07, to: 2035-02-13, name: 春节}\n"
                   "workdays:\n  - {date: 2035-02-10}\n", 6, "both a holiday (春节) and a working day"),
    "from after to": ("year: 2035\nsource: x\nholidays:\n  - {from: 2035-02-13, to: 2035-02-07, name: 春节}\n",
                      4, "after"),
    "impossible date": ("year: 2035\nsource: x\nholidays:\n  - {date: 2035-02-30, name: 春节}\n", 4,
                        "2035-02-30: no such day (2035-02 has 28 days)"),
    "listed twice": ("year: 2035\nsource: x\nholidays:\n  - {from: 2035-02-07, to: 2035-02-13, name: 春节}\n"
                     "  - {date: 2035-02-13, name: 春节}\n", 5, "listed twice"),
    "neither date nor range": ("year: 2035\nsource: x\nholidays:\n  - {name: 元旦}\n", 4, "needs either date"),
    "not YYYY-MM-DD": ("year: 2035\nsource: x\nholidays:\n  - {date: 2035/01/01, name: 元旦}\n", 4,
                       "'2035/01/01' is not a date: write YYYY-MM-DD"),
    "no such month": ("year: 2035\nsource: x\nworkdays:\n  - {date: 2035-13-01}\nholidays: []\n", 4,
                      "2035-13-01: no such day (there is no month 13)"),
    "yaml syntax": ("year: 2035\nsource: [x\n", None, ""),
    "empty": ("", None, ""),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_names_the_file(tmp_path, case):
    text, line, words = BAD[case]
    path = write(tmp_path, "2035.yaml", text)
    with pytest.raises(CalendarError) as info:
        WorkCalendar([path])
    msg = str(info.value)
    assert msg.startswith(f"{path}:")
    if line is not None:
        assert msg.startswith(f"{path}:{line}:")
    assert words in msg


def test_unreadable_file(tmp_path):
    with pytest.raises(CalendarError) as info:
        WorkCalendar([tmp_path / "2035.yaml"])
    assert str(tmp_path / "2035.yaml") in str(info.value)


def test_two_files_for_one_year(tmp_path):
    a = write(tmp_path, "a.yaml", Y2035)
    b = write(tmp_path, "b.yaml", Y2035)
    with pytest.raises(CalendarError) as info:
        WorkCalendar([a, b])
    assert str(a) in str(info.value) and str(b) in str(info.value)


def test_accepts_datetime_input():
    from datetime import datetime
    assert CAL.add_workdays(datetime(2021, 9, 29, 15, 30), 3) == date(2021, 10, 9)
    assert CAL.is_workday(datetime(2021, 10, 9, 9, 0))
    assert CAL.add_workdays(date(2021, 9, 29), 3) - date(2021, 9, 29) == timedelta(days=10)


# --- only the years counted are needed ----------------------------------------------------------

def test_the_start_year_is_not_needed_from_new_years_eve(tmp_path):
    # the package starts in 2004: 2003-12-31 itself never counts, so 2003 is never read
    assert CAL.add_workdays(date(2003, 12, 31), 1) == date(2004, 1, 2)  # 元旦 01-01
    assert CAL.add_workdays(date(2003, 12, 31), 2) == date(2004, 1, 5)
    assert CAL.add_workdays(date(2003, 12, 31), 0) == date(2003, 12, 31)
    assert CAL.workdays_between(date(2003, 12, 31), date(2004, 1, 5)) == 2
    assert CAL.workdays_between(date(2004, 1, 5), date(2003, 12, 31)) == -2
    with pytest.raises(CalendarError, match="for 2003"):
        CAL.add_workdays(date(2003, 12, 30), 1)
    cal = WorkCalendar([write(tmp_path, "2035.yaml", Y2035)], use_package=False)
    assert cal.add_workdays(date(2034, 12, 31), 1) == date(2035, 1, 2)  # 2035-01-01 is 元旦 in the file
    assert cal.workdays_between(date(2034, 12, 31), date(2035, 1, 2)) == 1


def test_years_consulted():
    assert CAL.years_consulted(date(2003, 12, 31), date(2004, 1, 5)) == range(2004, 2005)
    assert CAL.years_consulted(date(2004, 1, 5), date(2003, 12, 31)) == range(2004, 2005)
    assert list(CAL.years_consulted(date(2021, 12, 30), date(2022, 1, 5))) == [2021, 2022]
    assert list(CAL.years_consulted(date(2021, 9, 29), date(2021, 9, 29))) == []
    assert list(CAL.years_consulted(date.max - timedelta(days=1), date.max)) == [9999]


def test_no_day_after_the_last_date():
    with pytest.raises(CalendarError, match="no working day after 9999-12-31"):
        CAL.add_workdays(date.max, 1)
    assert CAL.add_workdays(date.max, 0) == date.max


def test_2026_follows_the_state_council_notice_of_2025_11_04() -> None:
    """国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04): cases opened now count on it."""
    cal = WorkCalendar()
    make_up = [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
               date(2026, 9, 20), date(2026, 10, 10)]
    breaks = [(date(2026, 1, 1), date(2026, 1, 3)), (date(2026, 2, 15), date(2026, 2, 23)),
              (date(2026, 4, 4), date(2026, 4, 6)), (date(2026, 5, 1), date(2026, 5, 5)),
              (date(2026, 6, 19), date(2026, 6, 21)), (date(2026, 9, 25), date(2026, 9, 27)),
              (date(2026, 10, 1), date(2026, 10, 7))]
    assert all(cal.is_workday(d) for d in make_up)
    for first, last in breaks:
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        assert not any(cal.is_workday(d) for d in days), (first, last)
    # accepted on Thursday 2026-09-24, 3 working days: 09-25..27 off, 09-28, 09-29, 09-30
    assert cal.add_workdays(date(2026, 9, 24), 3) == date(2026, 9, 30)
    # accepted 2026-09-30: 10-01..07 off, Thursday 10-08, Friday 10-09, Saturday 10-10 is a working day
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
