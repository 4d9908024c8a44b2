"""Cases whose dates fall in a year with no official holiday arrangement: they open, say which
dates are provisional, and `case show` lists what would move once the year's notice is imported.
The package is held at 2004–2026 (chinesecalendar 1.11.0) whatever version is installed."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import ND_YAML, ROOT, lb

import engine.workdays.calendar as wd

ITEMS = sorted(p for p in (ROOT / "definitions").glob("*.y*ml"))
TODAY = "2026-12-03"  # the day the issue was filed: no 2027 notice anywhere

# An INVENTED 2027 notice (the real one was not published when this was written): the 2025
# principles applied to 2027 dates, weekdays and 农历 notes correct, so that it imports.
NOTICE_2027 = """\
国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月14日（周日）、2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
国务院办公厅
2026年12月1日
"""


@pytest.fixture(autouse=True)
def no_2027(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(wd, "_package_years", lambda: range(2004, 2027))
    folder = tmp_path / "calendar"
    folder.mkdir()
    monkeypatch.setenv("LIANBAN_CALENDAR_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def late_2027(monkeypatch: pytest.MonkeyPatch) -> None:
    """Business dates after today are refused (docs/cases.md): these cases live in 2027, so the
    clock stands at the end of 2027, a year that still has no official arrangement here."""
    monkeypatch.setattr("engine.cases.desk.current_date", lambda: date(2027, 12, 31))


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cases.db")


def lb_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = lb(capsys, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_every_item_opens_on_2026_12_03(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert len(ITEMS) == 14
    reaching_2027 = 0
    for path in ITEMS:
        case = lb_json(capsys, "case", "open", str(path), "--applicant", "张三", "--on", TODAY, "--db", db)
        dates = {s["id"]: (date.fromisoformat(s["planned"]), date.fromisoformat(s["deadline"])) for s in case["steps"]}
        into_2027 = {sid for sid, (planned, deadline) in dates.items() if deadline.year == 2027 or planned.year == 2027}
        assert {s["id"] for s in case["steps"] if s["provisional"]} == into_2027, path.name
        # the case's own clocks (its commitment, its legal cap of 45 wd) read 2027 too
        clocks_2027 = any((d or "").startswith("2027") for d in (case["clocks"]["committed"], case["clocks"]["legal"]))
        assert case["provisional_years"] == ([2027] if into_2027 or clocks_2027 else [])
        assert case["calendar"]["2026"]["kind"] == "package"
        if into_2027 or clocks_2027:
            assert case["calendar"]["2027"]["kind"] == "provisional"
        if into_2027:
            reaching_2027 += 1
            assert "国务院令第795号" in case["calendar"]["2027"]["detail"]
        assert case["warnings"] == []  # 2026-12-03 is a Thursday
    assert reaching_2027 >= 6  # the items that could not be opened before (every one with more than 19 days)
    # the text says so too
    code, out, err = lb(capsys, "case", "open", str(ROOT / "definitions" / "construction-permit.yaml"),
                        "--applicant", "李四", "--on", TODAY, "--db", db)
    assert (code, err) == (0, "")
    assert "provisional date" in out and "  PROVISIONAL: 2027 had no official holiday arrangement" in out


def _nd(tmp_path: Path) -> str:
    path = tmp_path / "national-day.yaml"
    path.write_text(ND_YAML, encoding="utf-8")
    return str(path)


def test_show_lists_the_dates_that_move_once_the_year_is_official(capsys: pytest.CaptureFixture[str], db: str,
                                                                  tmp_path: Path, no_2027: Path) -> None:
    # opened Wednesday 2027-02-03; provisionally only 除夕 02-05 and 初三 02-08 are weekdays off
    case = lb_json(capsys, "case", "open", _nd(tmp_path), "--applicant", "张三", "--on", "2027-02-03", "--db", db)
    steps = {s["id"]: s for s in case["steps"]}
    assert (steps["licence"]["deadline"], steps["tax"]["deadline"]) == ("2027-02-10", "2027-02-11")
    assert all(s["provisional"] for s in case["steps"])
    cid = case["id"]
    for verb, on in (("accept", "2027-02-04"), ("return", "2027-02-04"), ("resubmit", "2027-02-09")):
        extra = ["--reason", "补正身份证明"] if verb == "return" else []
        code, _out, err = lb(capsys, "case", verb, cid, "licence", "--as", "市场监管局", "--on", on, "--db", db, *extra)
        assert code == 0, err
    shown = lb_json(capsys, "case", "show", cid, "--db", db, "--on", "2027-02-09")
    # the resubmission paused one provisional working day (02-09): licence and tax (after it) moved by one
    assert [(s["id"], s["deadline"]) for s in shown["steps"]] == [
        ("licence", "2027-02-11"), ("seal", "2027-02-11"), ("tax", "2027-02-12")]
    assert shown["calendar_review"] == {"provisional_years": [2027], "now_official": {}, "moves": [], "error": None}
    # the notice arrives: 02-05..13 off, Sunday 02-14 worked; the pause was no working day at all
    code, _out, err = lb(capsys, "calendar", "import", _write(tmp_path, NOTICE_2027))
    assert code == 0, err
    assert (no_2027 / "2027.yaml").is_file()
    shown = lb_json(capsys, "case", "show", cid, "--db", db, "--on", "2027-02-09")
    review = shown["calendar_review"]
    assert list(review["now_official"]) == ["2027"] and "2027.yaml" in review["now_official"]["2027"]
    assert [(m["step"], m["field"], m["old"], m["new"]) for m in review["moves"]] == [
        ("licence", "deadline", "2027-02-11", "2027-02-15"),  # 3 + 0 paused: 02-04, 02-14 (Sun), 02-15
        ("licence", "planned", "2027-02-10", "2027-02-15"),
        ("seal", "deadline", "2027-02-11", "2027-02-16"),  # 4: 02-04, 02-14, 02-15, 02-16 (planned 02-04 stays)
        ("tax", "deadline", "2027-02-12", "2027-02-16"),  # 4 + 0 paused
        ("tax", "planned", "2027-02-11", "2027-02-16")]
    # the stored case keeps its recorded dates
    assert [s["deadline"] for s in shown["steps"]] == ["2027-02-11", "2027-02-11", "2027-02-12"]
    code, out, _err = lb(capsys, "case", "show", cid, "--db", db, "--on", "2027-02-09")
    assert "  calendar: 2027 was PROVISIONAL when the case was opened and is official now: " in out
    assert "    licence (营业执照) deadline 2027-02-11 → 2027-02-15" in out
    assert "PROVISIONAL: 2027 had no" not in out


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "notice-2027.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_case_on_a_holiday_or_weekend_warns(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, out, err = lb(capsys, "case", "open", _nd(tmp_path), "--applicant", "张三", "--on", "2026-10-01",
                        "--db", db, "--format", "json")
    words = ("2026-10-01 is a holiday (国庆节), not a working day: the count starts from the next working day, "
             "2026-10-08")
    assert code == 0 and err == f"lianban: warning: {words}\n"
    case = json.loads(out)
    assert case["warnings"] == [words]
    code, out, err = lb(capsys, "case", "accept", case["id"], "licence", "--as", "市场监管局", "--on", "2026-10-03",
                        "--db", db, "--format", "json")
    words = "2026-10-03 is a holiday (国庆节), not a working day: is the date right?"
    assert code == 0 and err == f"lianban: warning: {words}\n" and json.loads(out)["warnings"] == [words]
    code, out, err = lb(capsys, "case", "approve", case["id"], "licence", "--as", "市场监管局", "--on", "2026-10-10",
                        "--db", db)
    assert code == 0 and err == ""  # Saturday 10-10 is a make-up working day


def test_a_case_opened_before_provisional_years_existed(capsys: pytest.CaptureFixture[str], db: str,
                                                        tmp_path: Path) -> None:
    """Cases in a store from before: the opened event's calendar held the detail text only."""
    from engine.cases.calendar_review import provisional_years
    from engine.cases.machine import Case, Event

    case = lb_json(capsys, "case", "open", _nd(tmp_path), "--applicant", "张三", "--on", "2026-09-29", "--db", db)
    opened = {"on": "2026-09-29", "applicant": "张三", "item": case["item"], "sha256": case["sha256"],
              "definition": {}, "materials": [], "calendar": {"2026": "chinesecalendar 1.11.0"},
              "steps": [{k: s[k] for k in ("id", "name", "department", "days", "needs", "earliest_finish",
                                          "latest_finish", "planned", "deadline")} for s in case["steps"]]}
    old = Case(Event(1, "opened", opened))
    assert provisional_years(old) == []
    from engine.cases.desk import flow_rows

    assert all("provisional date" not in r.notes for r in flow_rows(old, date(2026, 9, 29)))


def test_list_and_queue_mark_provisional_deadlines(capsys: pytest.CaptureFixture[str], db: str,
                                                   tmp_path: Path) -> None:
    nd = _nd(tmp_path)
    lb_json(capsys, "case", "open", nd, "--applicant", "张三", "--on", "2026-12-01", "--db", db)  # all in 2026
    lb_json(capsys, "case", "open", nd, "--applicant", "李四", "--on", "2026-12-30", "--db", db)  # into 2027
    rows = lb_json(capsys, "case", "list", "--db", db, "--on", "2026-12-30")
    assert [(r["next_deadline"], r["provisional"]) for r in rows] == [("2026-12-04", False), ("2027-01-05", True)]
    todo = lb_json(capsys, "case", "queue", "--as", "市场监管局", "--db", db, "--on", "2026-12-30")["todo"]
    assert [(t["deadline"], t["provisional"]) for t in todo] == [("2026-12-04", False), ("2027-01-05", True)]
    code, out, _err = lb(capsys, "case", "queue", "--as", "市场监管局", "--db", db, "--on", "2026-12-30")
    assert code == 0 and "2027-01-05 provisional" in out and "2026-12-04 overdue " in out
