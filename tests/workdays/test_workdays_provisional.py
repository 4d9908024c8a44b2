"""Provisional years: a year with no notice is counted from the law's days and weekends.

Expected dates: the statute (STATUTE-2024 research notes: 国务院令第795号, 第644号, 第513号, 第270号)
and the lunar dates of 2027/2028 cross-checked across six libraries (除夕 2027-02-05 is 腊月二十九:
the 12th month of 丙午年 has 29 days)."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

import engine.workdays.calendar as wd
from engine.workdays import statute
from engine.workdays.calendar import CalendarError, WorkCalendar


@pytest.fixture(autouse=True)
def package_to_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """chinesecalendar as of 1.11.0 (2004–2026) whatever is installed: 2027 has no notice."""
    monkeypatch.setattr(wd, "_package_years", lambda: range(2004, 2027))


def days(*spec: str) -> set[date]:
    return {date.fromisoformat(s) for s in spec}


def test_2027_statutory_days_under_the_2024_amendment() -> None:
    got = statute.statutory_days(2027)
    assert set(got) == days("2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05",
                            "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02",
                            "2027-10-03")
    assert got[date(2027, 2, 5)] == "春节"  # 除夕 = the day before 正月初一 (腊月二十九 in 2027)
    assert got[date(2027, 9, 15)] == "中秋节"


def test_2028_mid_autumn_on_national_day_is_one_day_off() -> None:
    got = statute.statutory_days(2028)
    assert got[date(2028, 10, 3)] == "中秋节、国庆节"
    assert got[date(2028, 1, 25)] == "春节" and got[date(2028, 1, 26)] == "春节"  # 除夕, 初一
    assert len(got) == 12  # 13 statutory days, two on one date


@pytest.mark.parametrize("year, total, spring, labour", [
    (2025, 13, 4, 2),  # 国务院令第795号: 除夕 + 初一..初三, 5-01, 5-02
    (2024, 11, 3, 1),  # 第644号: 初一..初三
    (2014, 11, 3, 1),
    (2013, 11, 3, 1),  # 第513号: 除夕, 初一, 初二
    (2008, 11, 3, 1),
    (2007, 10, 3, 3),  # 第270号: no 清明, 端午, 中秋; 劳动节 three days
    (2000, 10, 3, 3),
])
def test_the_law_in_force_each_year(year: int, total: int, spring: int, labour: int) -> None:
    holidays = {h.name: h.days for h in statute.statutory_holidays(year)}
    assert sum(len(d) for d in holidays.values()) == total
    assert (len(holidays["春节"]), len(holidays["劳动节"])) == (spring, labour)
    eve_counts = year >= 2025 or 2008 <= year <= 2013
    first = min(holidays["春节"])
    assert (statute._lunar_days(year)["春节"] - first == timedelta(days=1)) == eve_counts


def test_statutory_days_are_days_off_in_every_official_year() -> None:
    """The law table and the lunar dates against the State Council's arrangements of 2004–2026."""
    for year in range(2004, 2027):
        for day, name in statute.statutory_days(year).items():
            assert not chinese_calendar.is_workday(day), (day, name)


def test_years_outside_the_law_and_the_tables() -> None:
    with pytest.raises(CalendarError, match="no statutory holidays for 1999"):
        statute.statutory_days(1999)
    with pytest.raises(CalendarError, match="no statutory holidays for 2101"):
        statute.statutory_days(2101)


def test_a_provisional_year_counts_weekends_and_statutory_days_only() -> None:
    cal = WorkCalendar()
    src = cal.source(2027)
    assert src.kind == "provisional" and src.provisional and src.notice is None
    assert "国务院令第795号" in src.detail and "holidays " in src.detail and "no 调休" in src.detail
    assert cal.is_provisional(2027) and not cal.is_provisional(2026)
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)  # 元旦 Fri, weekend
    # 劳动节 on Saturday and Sunday: not moved to Monday (no 补假 without a notice), Monday counts
    assert not cal.is_workday(date(2027, 5, 1)) and cal.holiday_name(date(2027, 5, 2)) == "劳动节"
    assert cal.is_workday(date(2027, 5, 3))
    assert cal.add_workdays(date(2027, 2, 4), 1) == date(2027, 2, 9)  # 02-05..08 春节, Tue 02-09
    assert cal.holiday_spans(date(2027, 2, 4), date(2027, 2, 9))[0].describe() == "春节 2027-02-05…02-08"
    assert cal.provisional_between(date(2026, 12, 1), date(2027, 1, 5)) == [2027]
    assert cal.provisional_between(date(2026, 12, 1), date(2026, 12, 31)) == []


def test_provisional_range_and_gaps(tmp_path: Path) -> None:
    cal = WorkCalendar()
    assert cal.provisional_years() == list(range(2027, 2101))
    assert cal.add_workdays(date(2100, 12, 1), 5) == date(2100, 12, 8)
    with pytest.raises(CalendarError, match="no working-day calendar for 2101"):
        cal.add_workdays(date(2100, 12, 1), 30)
    with pytest.raises(CalendarError, match="for 2003"):  # before the first official year: never provisional
        cal.is_workday(date(2003, 6, 2))
    path = tmp_path / "2030.yaml"
    path.write_text("year: 2030\nsource: test fixture\nholidays: []\n", encoding="utf-8")
    cal = WorkCalendar([path])
    assert cal.provisional_years() == [y for y in range(2027, 2101) if y != 2030]
    assert cal.source(2029).kind == "provisional" and cal.source(2030).kind == "file"
    assert cal.is_workday(date(2030, 1, 1))  # the file is the whole truth for 2030


def test_provisional_years_can_be_refused() -> None:
    cal = WorkCalendar(provisional=False)
    assert cal.provisional_years() == [] and not cal.is_provisional(2027)
    with pytest.raises(CalendarError, match="no working-day calendar for 2027"):
        cal.add_workdays(date(2026, 12, 31), 1)
