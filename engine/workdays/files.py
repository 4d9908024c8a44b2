"""Calendar files (``definitions/calendar/YYYY.yaml``): load, check against the schema, read the days.

One year each, taken from the State Council's notice; the format is in
definitions/calendar/README.md and the schema is ``schemas/calendar.schema.json``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import LianbanError
from engine.i18n import _
from engine.workdays.errors import CalendarError

if TYPE_CHECKING:
    from engine.validation.loader import Loaded

__all__ = ["FileYear", "check_file", "checked", "load_file", "load_text", "read_year"]


@dataclass
class FileYear:
    path: Path
    year: int
    notice: str
    replaces_package: bool
    off: dict[date, str]  # holidays -> name
    on: dict[date, str]  # make-up working days -> name ("" when unnamed)


def first_error(diags: list) -> CalendarError | None:
    errors = [d for d in diags if d.is_error]
    if not errors:
        return None
    d = min(errors)
    more = _(" (and {n} more problem(s))").format(n=len(errors) - 1) if len(errors) > 1 else ""
    hint = f"; {d.hint}" if d.hint else ""
    return CalendarError(f"{d.path}:{d.line}:{d.col}: {d.message}{hint}{more}")


def check_file(path: Path, loaded: Loaded) -> None:
    """Raise CalendarError for what the schema cannot say about a calendar file that *loaded* and
    passed the schema (``validate`` has done both): real dates, in the file's year, each listed once."""
    read_year(path, loaded)


def load_file(path: Path) -> FileYear:
    """Read, load and check one calendar file (CalendarError with ``path:line:col`` when it is bad)."""
    from engine.validation.loader import load_file  # the project's YAML loader: dates stay text, every node located

    return checked(Path(path), load_file(path))


def load_text(text: str, path: Path) -> FileYear:
    """Load and check the text of a calendar file that *path* will hold (``calendar import`` checks its
    output with the same code as the files it reads)."""
    from engine.validation.loader import load_text

    return checked(path, load_text(text, str(path)))


def checked(path: Path, loaded: Loaded) -> FileYear:
    from engine.validation.schema import check

    if any(d.code == "E104" for d in loaded.diagnostics):
        raise CalendarError(_("{path}: the calendar file is empty; see definitions/calendar/README.md").format(path=path))
    error = first_error(loaded.diagnostics)
    if error is None:
        error = first_error(check(loaded.data, loaded.positions, str(path), "calendar"))
    if error is not None:
        raise error
    return read_year(path, loaded)


def read_year(path: Path, loaded: Loaded) -> FileYear:
    """The year of a calendar file that loaded and passed the schema."""
    data = loaded.data

    def fail(where: tuple, msg: str) -> CalendarError:
        line, col = loaded.positions.at(where)
        return CalendarError(f"{path}:{line}:{col}: {msg}", line, col, msg)

    year = data["year"]

    def day(value: str, where: tuple) -> date:
        from engine.units import parse_date  # one wording everywhere: "no such day" vs "write YYYY-MM-DD"

        try:
            parsed = parse_date(value)
        except LianbanError as exc:
            raise fail(where, str(exc)) from None
        if parsed.year != year:
            raise fail(where, _("{date} is not in {year}, the file's year (put it in {other}.yaml)").format(
                date=parsed.isoformat(), year=year, other=parsed.year))
        return parsed

    off: dict[date, str] = {}
    on: dict[date, str] = {}
    for i, entry in enumerate(data.get("holidays") or []):
        where = ("holidays", i)
        if ("date" in entry) == ("from" in entry):
            raise fail(where, _("holiday '{name}' needs either date, or from and to (not both)").format(name=entry["name"]))
        if "date" in entry:
            first = last = day(entry["date"], where + ("date",))
        else:
            first, last = day(entry["from"], where + ("from",)), day(entry["to"], where + ("to",))
            if first > last:
                raise fail(where, _("from {first} is after to {last}").format(first=first, last=last))
        d = first
        while d <= last:
            if d in off:
                raise fail(where, _("{day} is listed twice in holidays ({a} and {b})").format(day=d, a=off[d],
                                                                                             b=entry["name"]))
            off[d] = entry["name"]
            d += timedelta(days=1)
    for i, entry in enumerate(data.get("workdays") or []):
        where = ("workdays", i)
        d = day(entry["date"], where + ("date",))
        if d in off:
            raise fail(where, _("{day} is both a holiday ({name}) and a working day").format(day=d, name=off[d]))
        if d in on:
            raise fail(where, _("{day} is listed twice in workdays").format(day=d))
        on[d] = entry.get("name", "")
    return FileYear(path, year, data["source"], bool(data.get("replaces_package", False)), off, on)
