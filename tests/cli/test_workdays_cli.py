"""`lianban workdays add|between|sources` through engine.cli.main."""
from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest
from helpers import lb

PKG = f"chinesecalendar {metadata.version('chinesecalendar')}"
Y2035 = """\
year: 2035
source: test fixture, not a real notice
holidays:
  - {date: 2035-01-01, name: 元旦}
workdays:
  - {date: "2035-01-06"}
"""


@pytest.fixture(autouse=True)
def package_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Calendar files come from an empty folder unless a test writes one."""
    folder = tmp_path / "calendar"
    folder.mkdir()
    monkeypatch.setenv("LIANBAN_CALENDAR_DIR", str(folder))
    return folder


def test_add_over_national_day(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = lb(capsys, "workdays", "add", "2021-09-29", "3")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "2021-10-09"
    assert "  holidays skipped: 国庆节 2021-10-01…10-07" in lines
    assert f"  calendar 2021: {PKG}" in lines


def test_add_json_names_every_year_involved(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lb(capsys, "workdays", "add", "2021-12-30", "2.5", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["deadline"] == "2022-01-05" and data["days"] == 2.5  # 12-31, (元旦 01-01..03), 01-04, 01-05
    assert [(s["year"], s["kind"], s["detail"]) for s in data["sources"]] == [(2021, "package", PKG),
                                                                          (2022, "package", PKG)]


def test_between(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lb(capsys, "workdays", "between", "2021-09-29", "2021-10-09")
    assert code == 0 and out.splitlines()[0] == "3"
    code, out, _ = lb(capsys, "workdays", "between", "2021-10-09", "2021-09-29", "--format", "json")
    assert json.loads(out)["workdays"] == -3


def test_the_day_before_the_count_needs_no_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    # chinesecalendar starts in 2004; the start day never counts, so 2003 is neither needed nor a source
    code, out, err = lb(capsys, "workdays", "between", "2003-12-31", "2004-01-05")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["2", "  working days after 2003-12-31 up to and including 2004-01-05",
                                f"  calendar 2004: {PKG}"]
    code, out, _ = lb(capsys, "workdays", "between", "2004-01-05", "2003-12-31", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["workdays"] == -2 and [s["year"] for s in data["sources"]] == [2004]
    code, out, _ = lb(capsys, "workdays", "add", "2003-12-31", "2", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["deadline"] == "2004-01-05" and [s["year"] for s in data["sources"]] == [2004]
    assert data["holidays"] == ["元旦 2004-01-01"]
    code, out, _ = lb(capsys, "workdays", "between", "2021-09-29", "2021-09-29", "--format", "json")
    assert code == 0 and json.loads(out)["sources"] == []  # nothing counted, no year read
    code, _out, err = lb(capsys, "workdays", "add", "2003-12-30", "1")
    assert code == 2 and "no working-day calendar for 2003" in err


def test_sources_include_calendar_files(capsys: pytest.CaptureFixture[str], package_only: Path,
                                       package_to_2026: None) -> None:
    (package_only / "2035.yaml").write_text(Y2035, encoding="utf-8")
    code, out, _ = lb(capsys, "workdays", "sources")
    lines = out.splitlines()
    assert code == 0 and f"2021: {PKG}" in lines
    assert f"2035: {package_only / '2035.yaml'} (test fixture, not a real notice)" in lines
    # the years around the file that no notice gives are provisional, in year order
    assert [line[:10] for line in lines[-3:]] == ["2027–2034:", "2035: " + str(package_only)[:4], "2036–2100:"]
    code, out, _ = lb(capsys, "workdays", "sources", "--format", "json")
    assert json.loads(out)["years"][-1] == {"year": 2035, "kind": "file", "detail": str(package_only / "2035.yaml"),
                                            "notice": "test fixture, not a real notice"}


def test_explicit_calendar_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "2035.yaml").write_text(Y2035, encoding="utf-8")
    code, out, _ = lb(capsys, "workdays", "add", "2035-01-04", "2", "--calendar", str(other))
    assert code == 0 and out.splitlines()[0] == "2035-01-06"  # Friday 01-05, then make-up Saturday 01-06
    assert f"  calendar 2035: {other / '2035.yaml'} (test fixture, not a real notice)" in out.splitlines()


@pytest.mark.parametrize("argv, message", [
    (["workdays", "add", "2026-12-20", "30", "--official-only"], "lianban: error: no working-day calendar for 2027: "),
    (["workdays", "add", "2100-12-20", "30"], "lianban: error: no working-day calendar for 2101: "),
    (["workdays", "add", "2021-13-01", "3"], "2021-13-01: no such day (there is no month 13)"),
    (["workdays", "add", "2021-9-29", "3"], "'2021-9-29' is not a date: write YYYY-MM-DD"),
    (["workdays", "add", "2021-09-29", "-1"], "'-1' is not a number of working days"),
    (["workdays", "add", "2021-09-29", "1", "--calendar", "/no/such/folder"], "--calendar /no/such/folder: no such folder"),
    (["workdays", "between", "2021-01-01", "2030-01-01", "--official-only"], "no working-day calendar for 2027"),
])
def test_errors_exit_2_with_one_clear_line(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = lb(capsys, *argv)
    assert code == 2 and out == "" and message in err
    assert err.strip().splitlines()[-1].startswith("lianban: error: ")


def test_a_bad_calendar_file_is_a_clear_error(capsys: pytest.CaptureFixture[str], package_only: Path) -> None:
    (package_only / "2035.yaml").write_text("year: 2035\n", encoding="utf-8")
    code, _out, err = lb(capsys, "workdays", "add", "2021-09-29", "3")
    assert code == 2 and "2035.yaml" in err and err.startswith("lianban: error: ")


# --- provisional years and date sanity ------------------------------------------------------------

@pytest.fixture
def package_to_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """chinesecalendar as of 1.11.0 (2004–2026), whatever version is installed: 2027 has no notice."""
    import engine.workdays.calendar as wd

    monkeypatch.setattr(wd, "_package_years", lambda: range(2004, 2027))


def test_a_count_into_a_year_with_no_notice_is_provisional(capsys: pytest.CaptureFixture[str],
                                                           package_to_2026: None) -> None:
    # 2026-12-03 (Thu) + 39: Dec 2026 has 20 working days after the 3rd (04..31), 元旦 2027-01-01 is off,
    # January 2027 then gives 04..08, 11..15, 18..22, 25..28 = 19 more: 2027-01-28.
    code, out, err = lb(capsys, "workdays", "add", "2026-12-03", "39")
    lines = out.splitlines()
    assert (code, err) == (0, "") and lines[0] == "2027-01-28 (provisional)"
    assert "  holidays skipped: 元旦 2027-01-01" in lines
    assert f"  calendar 2026: {PKG}" in lines
    assert lines[-2].startswith("  calendar 2027: PROVISIONAL, no official arrangement yet: statutory holidays of "
                                "全国年节及纪念日放假办法（2024年11月10日国务院令第795号修订")
    assert lines[-1].startswith("  PROVISIONAL: 2027 has no official holiday arrangement yet")
    data = json.loads(lb(capsys, "workdays", "add", "2026-12-03", "39", "--format", "json")[1])
    assert (data["deadline"], data["provisional"], data["provisional_years"]) == ("2027-01-28", True, [2027])
    assert [s["kind"] for s in data["sources"]] == ["package", "provisional"]
    # official years only: no provisional flag
    data = json.loads(lb(capsys, "workdays", "add", "2026-12-01", "3", "--format", "json")[1])
    assert (data["provisional"], data["provisional_years"], data["warnings"]) == (False, [], [])


def test_between_across_a_provisional_year(capsys: pytest.CaptureFixture[str], package_to_2026: None) -> None:
    # 2027: 261 weekdays, minus the statutory days on weekdays: 01-01, 02-05, 02-08, 04-05, 06-09, 09-15, 10-01 = 254
    code, out, _ = lb(capsys, "workdays", "between", "2026-12-31", "2027-12-31", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["workdays"] == 254 and data["provisional_years"] == [2027]


def test_sources_list_the_provisional_years(capsys: pytest.CaptureFixture[str], package_to_2026: None) -> None:
    code, out, _ = lb(capsys, "workdays", "sources")
    assert code == 0 and out.splitlines()[-1].startswith("2027–2100: PROVISIONAL, no official arrangement yet: ")
    data = json.loads(lb(capsys, "workdays", "sources", "--format", "json")[1])
    assert [(r["first"], r["last"], r["kind"]) for r in data["provisional"]] == [(2027, 2100, "provisional")]
    data = json.loads(lb(capsys, "workdays", "sources", "--official-only", "--format", "json")[1])
    assert data["provisional"] == [] and data["years"][-1]["year"] == 2026


@pytest.mark.parametrize("start, words", [
    ("2026-10-01", "2026-10-01 is a holiday (国庆节), not a working day: the count starts from the next working "
                   "day, 2026-10-08"),
    ("2026-10-10", None),  # a make-up Saturday is a working day
    ("2026-10-17", "2026-10-17 is a Saturday, not a working day: the count starts from the next working day, "
                   "2026-10-19"),
])
def test_a_start_on_a_rest_day_is_a_warning(capsys: pytest.CaptureFixture[str], start: str, words: str | None) -> None:
    code, out, err = lb(capsys, "workdays", "add", start, "1")
    assert code == 0
    assert err == (f"lianban: warning: {words}\n" if words else "")
    data = json.loads(lb(capsys, "workdays", "add", start, "1", "--format", "json")[1])
    assert data["warnings"] == ([words] if words else [])
