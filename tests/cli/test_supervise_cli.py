"""`lianban simulate` and `lianban supervise` through engine.cli.main: seeded and marked simulations,
every output format of the report, and the usage errors."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import ND_CLOCKS_YAML, lb, write

from engine.cases.store import open_store


@pytest.fixture
def item(tmp_path: Path) -> str:
    return str(write(tmp_path, "national-day.yaml", ND_CLOCKS_YAML))


def simulate(capsys: pytest.CaptureFixture[str], item: str, db: str, *more: str) -> dict[str, Any]:
    code, out, err = lb(capsys, "simulate", item, "--cases", "120", "--seed", "3", "--from", "2021-09-01",
                        "--rate", "10", "--db", db, "--format", "json", *more)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def payloads(db: str) -> list[tuple[str, int, str, dict[str, Any]]]:
    store = open_store(db, create=False)
    try:
        return [(c, e.seq, e.type, {k: v for k, v in e.payload.items() if k != "applicant"})
                for c, e in store.scan()]
    finally:
        store.close()


def test_the_same_seed_gives_the_same_cases(capsys: pytest.CaptureFixture[str], item: str, tmp_path: Path) -> None:
    first = simulate(capsys, item, str(tmp_path / "a.db"))
    second = simulate(capsys, item, str(tmp_path / "b.db"))
    assert first == second and first["cases"] == 120 and first["first_opened"] == "2021-09-01"
    assert sum(first["states"].values()) == 120 and first["events"] > 120 * 3
    assert payloads(str(tmp_path / "a.db")) == payloads(str(tmp_path / "b.db"))
    other = simulate(capsys, item, str(tmp_path / "c.db"), "--seed", "4")
    assert payloads(str(tmp_path / "c.db")) != payloads(str(tmp_path / "a.db"))
    assert other["simulation"] != first["simulation"]


def test_simulated_cases_are_marked_and_listed_as_such(capsys: pytest.CaptureFixture[str], item: str,
                                                       tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    assert lb(capsys, "case", "open", item, "--applicant", "张三", "--on", "2021-09-29", "--db", db)[0] == 0
    sim = simulate(capsys, item, db)
    opened = [p for _c, seq, _t, p in payloads(db) if seq == 1]
    assert [p.get("simulated", False) for p in opened] == [False] + [True] * 120
    assert {json.dumps(p["simulation"]) for p in opened[1:]} == {json.dumps({"id": sim["simulation"], "seed": 3})}
    code, out, err = lb(capsys, "case", "list", "--on", "2021-10-20", "--format", "json", "--db", db)
    rows = json.loads(out)
    assert [r["simulated"] for r in rows] == [False] + [True] * 120
    code, out, err = lb(capsys, "case", "list", "--on", "2021-10-20", "--db", db)
    lines = out.splitlines()
    assert lines[1].split()[0] == "1" and lines[2].startswith("2 (simulated)")
    code, out, err = lb(capsys, "case", "show", "2", "--on", "2021-10-20", "--db", db)
    assert f"simulated case (lianban simulate): id {sim['simulation']}, seed 3" in out


def test_supervise_leaves_simulated_cases_out_and_says_so(capsys: pytest.CaptureFixture[str], item: str,
                                                          tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    lb(capsys, "case", "open", item, "--applicant", "张三", "--on", "2021-09-29", "--db", db)
    simulate(capsys, item, db)
    code, out, err = lb(capsys, "supervise", "--db", db, "--to", "2021-10-20")
    assert code == 0, err
    assert out.splitlines()[:2] == [
        "督办 report: the first case to 2021-10-20 (as of 2021-10-20)",
        "  1 real case(s) counted; 120 simulated case(s) left out (--include-simulated counts them)"]
    code, out, err = lb(capsys, "supervise", "--db", db, "--to", "2021-10-20", "--include-simulated")
    assert out.splitlines()[1] == "  1 real and 120 simulated case(s) counted together (--include-simulated)"
    assert "(simulated)" in out  # the overdue list marks simulated cases
    doc = json.loads(lb(capsys, "supervise", "--db", db, "--to", "2021-10-20", "--format", "json")[1])
    assert doc["cases"]["real"] == 1 and doc["cases"]["simulated_excluded"] == 120
    assert doc["include_simulated"] is False and not any(o["simulated"] for o in doc["overdue"])


def test_every_format_of_the_report(capsys: pytest.CaptureFixture[str], item: str, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    simulate(capsys, item, db)
    argv = ["supervise", "--db", db, "--from", "2021-09-01", "--to", "2021-10-20", "--include-simulated"]
    doc = json.loads(lb(capsys, *argv, "--format", "json")[1])
    assert [d["department"] for d in doc["departments"]] == ["公安局", "市场监管局", "税务局"]
    assert [s["step"] for s in doc["steps"]] == ["licence", "seal", "tax"]
    assert (doc["from"], doc["to"]) == ("2021-09-01", "2021-10-20")
    code, out, _ = lb(capsys, *argv, "--format", "markdown")
    assert code == 0 and out.startswith("# 督办通报\n")
    for heading in ("## 按部门", "## 按环节", "## 超期事项", "| 部门 | 办结件数 |"):
        assert heading in out
    page = tmp_path / "site" / "督办通报.html"
    code, out, err = lb(capsys, *argv, "--format", "html", "--output", str(page))
    assert (code, out, err) == (0, "", "")
    html = page.read_text(encoding="utf-8")
    for text in ("<h1>督办通报</h1>", "<h2>按部门</h2>", "<h2>按环节</h2>", "<h2>超期事项</h2>", '<section class="wide">',
                 "@page wide { size: A4 landscape", "default-src 'none'", "真实办件 0 件与模拟办件 120 件合并统计"):
        assert text in html
    assert "<script" not in html
    code, out, _ = lb(capsys, *argv, "--department", "税务")  # an alias
    assert code == 0 and "税务局" in out and "公安局" not in out


@pytest.mark.parametrize("argv, message", [
    (["supervise", "--from", "2021-10-02", "--to", "2021-10-01"], "--from 2021-10-02 is after --to 2021-10-01"),
    (["supervise", "--department", "外星局"], "unknown department '外星局'"),
    (["supervise", "--to", "2021-02-30"], "2021-02-30: no such day"),
    (["supervise", "--top", "-1"], "--top must be 0 or more"),
    (["simulate", "national-day.yaml", "--cases", "0", "--seed", "1"], "--cases must be between 1 and 10000000"),
    (["simulate", "national-day.yaml", "--cases", "5", "--seed", "1", "--rate", "0"], "the arrival rate must be above 0"),
    (["simulate", "nowhere.yaml", "--cases", "5", "--seed", "1"], "nowhere.yaml: no such file"),
])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], item: str, tmp_path: Path, argv: list[str],
                             message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "c.db")
    lb(capsys, "case", "open", item, "--applicant", "张三", "--on", "2021-09-29", "--db", db)
    code, out, err = lb(capsys, *argv, "--db", db)
    assert (code, out) == (2, "") and message in err.splitlines()[-1], err


def test_supervise_creates_no_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    code, out, err = lb(capsys, "supervise", "--db", str(db))
    assert (code, out) == (2, "") and err.startswith(f"lianban: error: no case store at {db}")
    assert not db.exists()


def test_an_empty_store_gives_an_empty_report(capsys: pytest.CaptureFixture[str], item: str, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    lb(capsys, "case", "open", item, "--applicant", "张三", "--on", "2021-09-29", "--db", db)
    code, out, _ = lb(capsys, "supervise", "--db", db, "--to", "2021-09-28")  # before the only case opened
    assert code == 0 and out.endswith("no case in the store matches\n")


def test_answers_pin_the_simulation_to_one_situation(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from helpers import ROOT

    item = str(ROOT / "definitions" / "open-restaurant.yaml")
    db = str(tmp_path / "s.db")
    simulate(capsys, item, db, "--answers", "area_m2=800,fire_mode=inspect")
    opened = [p for _c, seq, _t, p in payloads(db) if seq == 1]
    assert {p["situation"]["answers"]["area_m2"] for p in opened} == {800}
    assert all("fire-check" in {s["id"] for s in p["steps"]} for p in opened)
    code, out, err = lb(capsys, "simulate", item, "--cases", "5", "--seed", "1", "--db", db,
                        "--answers", "area=800")
    assert code == 2 and "area" in err
