"""The statutory holidays (法定节假日) of 全国年节及纪念日放假办法, year by year.

The law fixes which days are holidays; the yearly State Council notice then arranges them (调休:
weekend days traded for longer breaks, see art. 7 of the 2024 text). This module knows only the
law: the provisional calendar of a year with no notice (``engine.workdays.calendar``) and the
check of an imported notice (``engine.workdays.notice``) both start from it.

Versions of article 2 (the days every citizen has off), by the year they apply from:

* 2025: 国务院令第795号 (2024-11-10, in force 2025-01-01): 元旦 1, 春节 4 (农历除夕、正月初一至初三),
  清明 1, 劳动节 2 (5月1日、2日), 端午 1, 中秋 1, 国庆 3 (10月1日至3日): 13 days.
* 2014: 国务院令第644号 (2013-12-11, in force 2014-01-01): 春节 3 (正月初一至初三), 劳动节 1: 11 days.
* 2008: 国务院令第513号 (2007-12-14, in force 2008-01-01): 春节 3 (农历除夕、正月初一、初二), 劳动节 1,
  清明, 端午 and 中秋 added: 11 days.
* 2000: 国务院令第270号 (1999-09-18): 元旦 1, 春节 3 (正月初一至初三), 劳动节 3, 国庆 3: 10 days.

The lunar and solar-term days (春节, 清明, 端午, 中秋) come from the ``holidays`` package's China
calendar, whose tables cover 1901–2100; 除夕 is the day before 春节 (the 12th lunar month has 29
or 30 days, so it is not always 腊月三十). Years outside 2000 to the tables' last year raise
:class:`~engine.workdays.calendar.CalendarError`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import metadata

from engine.i18n import _
from engine.workdays.errors import CalendarError

__all__ = ["LAWS", "FIRST_YEAR", "LAST_YEAR", "Law", "StatutoryHoliday", "law_for", "lunar_package",
           "statutory_days", "statutory_holidays"]

FIRST_YEAR = 2000  # the 1999 text applies from here; the calendar schema's first year too
LAST_YEAR = 2100  # the holidays package's lunar tables (and the calendar schema) end here

# The holidays' names as the notices write them, in the order of article 2.
NEW_YEAR, SPRING, QINGMING, LABOUR, DRAGON_BOAT, MID_AUTUMN, NATIONAL = (
    "元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
NAMES = (NEW_YEAR, SPRING, QINGMING, LABOUR, DRAGON_BOAT, MID_AUTUMN, NATIONAL)

# The holidays package's English names of the days it takes from its lunar/solar-term tables.
_PACKAGE_NAMES = {"Chinese New Year (Spring Festival)": SPRING, "Tomb-Sweeping Day": QINGMING,
                  "Dragon Boat Festival": DRAGON_BOAT, "Mid-Autumn Festival": MID_AUTUMN}


@dataclass(frozen=True)
class Law:
    """One version of article 2: which days each holiday covers."""
    first_year: int
    title: str  # e.g. "全国年节及纪念日放假办法（国务院令第795号修订）"
    rules: dict[str, str]  # holiday -> its days, as tokens (see _rule_days)


# Each rule: a comma-separated list of day tokens (see _rule_days).
LAWS: tuple[Law, ...] = (
    Law(2025, "全国年节及纪念日放假办法（2024年11月10日国务院令第795号修订，2025年1月1日起施行）",
        {NEW_YEAR: "1-1", SPRING: "eve,lunar+0,lunar+1,lunar+2", QINGMING: "qingming", LABOUR: "5-1,5-2",
         DRAGON_BOAT: "dragon_boat", MID_AUTUMN: "mid_autumn", NATIONAL: "10-1,10-2,10-3"}),
    Law(2014, "全国年节及纪念日放假办法（2013年12月11日国务院令第644号修订，2014年1月1日起施行）",
        {NEW_YEAR: "1-1", SPRING: "lunar+0,lunar+1,lunar+2", QINGMING: "qingming", LABOUR: "5-1",
         DRAGON_BOAT: "dragon_boat", MID_AUTUMN: "mid_autumn", NATIONAL: "10-1,10-2,10-3"}),
    Law(2008, "全国年节及纪念日放假办法（2007年12月14日国务院令第513号修订，2008年1月1日起施行）",
        {NEW_YEAR: "1-1", SPRING: "eve,lunar+0,lunar+1", QINGMING: "qingming", LABOUR: "5-1",
         DRAGON_BOAT: "dragon_boat", MID_AUTUMN: "mid_autumn", NATIONAL: "10-1,10-2,10-3"}),
    Law(2000, "全国年节及纪念日放假办法（1999年9月18日国务院令第270号修订）",
        {NEW_YEAR: "1-1", SPRING: "lunar+0,lunar+1,lunar+2", LABOUR: "5-1,5-2,5-3", NATIONAL: "10-1,10-2,10-3"}),
)


@dataclass(frozen=True)
class StatutoryHoliday:
    name: str
    days: tuple[date, ...]


def law_for(year: int) -> Law:
    """The version of the law whose days apply in *year* (CalendarError before 2000)."""
    for law in LAWS:
        if year >= law.first_year:
            return law
    raise CalendarError(_("no statutory holidays for {year}: the engine knows the law from {first} on").format(
        year=year, first=FIRST_YEAR))


def lunar_package() -> str:
    """``holidays 0.109``: the package the lunar dates come from (or why there is none)."""
    try:
        return f"holidays {metadata.version('holidays')}"
    except metadata.PackageNotFoundError:
        return _("holidays (not installed)")


@functools.lru_cache(maxsize=256)
def _lunar_days(year: int) -> dict[str, date]:
    """春节 (正月初一), 清明, 端午 and 中秋 of *year* from the holidays package's tables."""
    try:
        import holidays
    except ImportError:
        raise CalendarError(_("the lunar dates of {year} need the holidays package (pip install holidays)").format(
            year=year)) from None
    found: dict[str, date] = {}
    table = holidays.country_holidays("CN", years=year, observed=False, language="en_US")
    for day in sorted(table):
        for name in table.get_list(day):
            key = _PACKAGE_NAMES.get(name)
            if key is not None and key not in found:  # 春节: the first day is 正月初一
                found[key] = day
    if SPRING not in found:
        raise CalendarError(_("no lunar dates for {year}: {package} has no table for that year").format(
            year=year, package=lunar_package()))
    return found


_TABLE_TOKENS = {"qingming": QINGMING, "dragon_boat": DRAGON_BOAT, "mid_autumn": MID_AUTUMN}


def _rule_days(year: int, rule: str, lunar: dict[str, date]) -> list[date]:
    """The days of one rule: ``M-D`` (a fixed day), ``eve`` (除夕: the day before 正月初一),
    ``lunar+N`` (正月初一 + N days), or ``qingming``/``dragon_boat``/``mid_autumn`` (the tables)."""
    days = []
    spring = lunar[SPRING]
    for token in rule.split(","):
        if token == "eve":
            days.append(spring - timedelta(days=1))
        elif token.startswith("lunar+"):
            days.append(spring + timedelta(days=int(token[len("lunar+"):])))
        elif token in _TABLE_TOKENS:
            if _TABLE_TOKENS[token] not in lunar:
                raise CalendarError(_("no date of {name} in {year}: {package} does not give it").format(
                    name=_TABLE_TOKENS[token], year=year, package=lunar_package()))
            days.append(lunar[_TABLE_TOKENS[token]])
        else:
            month, day = (int(x) for x in token.split("-"))
            days.append(date(year, month, day))
    return days


def statutory_holidays(year: int) -> list[StatutoryHoliday]:
    """The holidays of article 2 in *year*, in the article's order (CalendarError outside 2000–2100)."""
    law = law_for(year)
    if year > LAST_YEAR:
        raise CalendarError(_("no statutory holidays for {year}: the lunar tables ({package}) end in {last}").format(
            year=year, package=lunar_package(), last=LAST_YEAR))
    lunar = _lunar_days(year)
    return [StatutoryHoliday(name, tuple(_rule_days(year, rule, lunar))) for name, rule in law.rules.items()]


def statutory_days(year: int) -> dict[date, str]:
    """Every statutory day off in *year* -> its holiday ("中秋节、国庆节" when two fall on one day)."""
    out: dict[date, str] = {}
    for holiday in statutory_holidays(year):
        for day in holiday.days:
            out[day] = f"{out[day]}、{holiday.name}" if day in out else holiday.name
    return out
