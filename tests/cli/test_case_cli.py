"""`lianban case ...` through engine.cli.main: every item of definitions/ run from open to
completed, National Day deadlines, refusals and exit codes, list and queue."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import ND_YAML, ROOT, lb

ITEMS = sorted(p for p in (ROOT / "definitions").glob("*.y*ml"))


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cases.db")


@pytest.fixture
def nd(tmp_path: Path) -> str:
    path = tmp_path / "national-day.yaml"
    path.write_text(ND_YAML, encoding="utf-8")
    return str(path)


def lb_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = lb(capsys, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def open_case(capsys: pytest.CaptureFixture[str], db: str, item: str, on: str = "2021-09-29") -> dict[str, Any]:
    return lb_json(capsys, "case", "open", item, "--applicant", "张三", "--on", on, "--db", db)


def test_there_are_items_to_run() -> None:
    assert len(ITEMS) >= 3


@pytest.mark.parametrize("path", ITEMS, ids=lambda p: p.stem)
def test_every_item_runs_from_open_to_completed(capsys: pytest.CaptureFixture[str], db: str, path: Path) -> None:
    case = open_case(capsys, db, str(path))
    assert case["state"] == "open" and case["steps"] and case["sha256"]
    for step in case["steps"]:  # topological order; each step by its own department
        for verb in ("accept", "approve"):
            code, _out, err = lb(capsys, "case", verb, case["id"], step["id"], "--as", step["department"],
                                 "--on", "2021-09-29", "--db", db)
            assert code == 0, err
    shown = lb_json(capsys, "case", "show", case["id"], "--db", db, "--on", "2021-09-29")
    assert shown["state"] == "completed" and shown["closed_on"] == "2021-09-29"
    assert {s["state"] for s in shown["steps"]} == {"approved"}


def test_national_day_deadline(capsys: pytest.CaptureFixture[str], db: str, nd: str) -> None:
    case = open_case(capsys, db, nd)
    licence = next(s for s in case["steps"] if s["id"] == "licence")
    assert (licence["days"], licence["deadline"]) == (3, "2021-10-09")
    assert "2021" in case["calendar"]
    code, out, _ = lb(capsys, "case", "accept", case["id"], "licence", "--as", "市场监管", "--on", "2021-09-29",
                      "--db", db)
    assert code == 0
    assert out.splitlines()[0] == ("case 1: step 'licence' (营业执照) accepted by 市场监管局 on 2021-09-29; "
                                   "due 2021-10-09")


def test_open_text_shows_materials_and_flow(capsys: pytest.CaptureFixture[str], db: str, nd: str) -> None:
    code, out, _ = lb(capsys, "case", "open", nd, "--applicant", "张三", "--on", "2021-09-29", "--db", db)
    assert code == 0
    assert out.startswith("opened case 1: 国庆测试 (national-day) for 张三 on 2021-09-29\n")
    assert "居民身份证 (id-card): 市场监管局, 公安局" in out and "2021-10-09" in out


def test_open_by_item_id_from_the_working_folder(capsys: pytest.CaptureFixture[str], db: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert open_case(capsys, db, "start-business")["item"]["id"] == "start-business"
    code, _out, err = lb(capsys, "case", "open", "start-busines", "--applicant", "张三", "--db", db)
    assert code == 2 and "no item 'start-busines' in definitions (did you mean 'start-business'?)" in err


def test_refused_moves_exit_1_with_one_line(capsys: pytest.CaptureFixture[str], db: str, nd: str) -> None:
    case_id = open_case(capsys, db, nd)["id"]
    code, out, err = lb(capsys, "case", "accept", case_id, "licence", "--as", "税务", "--on", "2021-09-29", "--db", db)
    assert (code, out, err) == (1, "", "lianban: refused: 税务局 cannot act on step 'licence' (市场监管局)\n")
    code, _out, err = lb(capsys, "case", "approve", case_id, "tax", "--as", "税务局", "--db", db)
    assert code == 1 and err == "lianban: refused: step 'tax' cannot be approved yet: it waits for 'licence' (ready)\n"


@pytest.mark.parametrize("argv, message", [
    (["case", "show", "7"], "no case 7 in"),
    (["case", "accept", "1", "licence", "--as", "外星局"], "unknown department '外星局'"),
    (["case", "accept", "1", "licence", "--as", "市场监管局", "--on", "2021-02-30"],
     "2021-02-30: no such day (2021-02 has 28 days)"),
    (["case", "open", "nowhere.yaml", "--applicant", "张三"], "nowhere.yaml: no such file"),
])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], db: str, nd: str, argv: list[str],
                             message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    open_case(capsys, db, nd)
    code, _out, err = lb(capsys, *argv, "--db", db)
    assert code == 2 and message in err


def test_open_refuses_a_definition_with_errors(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(ND_YAML.replace("needs: [licence]", "needs: [licens]"), encoding="utf-8")
    code, _out, err = lb(capsys, "case", "open", str(bad), "--applicant", "张三", "--db", db)
    assert code == 1 and "E305" in err and "cannot open a case" in err


def test_return_resubmit_refuse_and_withdraw(capsys: pytest.CaptureFixture[str], db: str, nd: str) -> None:
    case_id = open_case(capsys, db, nd)["id"]
    run = ["--db", db]
    assert lb(capsys, "case", "accept", case_id, "licence", "--as", "市场监管局", "--on", "2021-09-29", *run)[0] == 0
    code, _o, err = lb(capsys, "case", "return", case_id, "licence", "--as", "市场监管局", "--on", "2021-09-30", *run)
    assert code == 1 and "return needs a reason" in err
    code, out, _ = lb(capsys, "case", "return", case_id, "licence", "--as", "市场监管局", "--on", "2021-09-30",
                      "--reason", "缺经营场所证明", *run)
    assert code == 0 and "clock stopped" in out
    event = lb_json(capsys, "case", "resubmit", case_id, "licence", "--as", "市场监管局", "--on", "2021-10-11", *run)
    assert event["event"]["paused_days"] == 3 and event["event"]["deadlines"]["licence"] == "2021-10-13"
    assert lb(capsys, "case", "withdraw", case_id, "--on", "2021-10-12", *run)[0] == 0
    code, _o, err = lb(capsys, "case", "approve", case_id, "licence", "--as", "市场监管局", "--on", "2021-10-12", *run)
    assert code == 1 and "is withdrawn on 2021-10-12: no further action is possible" in err
    shown = lb_json(capsys, "case", "show", case_id, *run)
    assert shown["state"] == "withdrawn" and shown["steps"][0]["paused_days"] == 3


def test_list_overdue_and_queue(capsys: pytest.CaptureFixture[str], db: str, nd: str) -> None:
    first = open_case(capsys, db, nd, on="2021-09-29")["id"]
    second = open_case(capsys, db, nd, on="2021-09-01")["id"]
    lb(capsys, "case", "accept", second, "licence", "--as", "市场监管局", "--on", "2021-09-01", "--db", db)
    rows = lb_json(capsys, "case", "list", "--db", db, "--on", "2021-09-07")
    assert [(r["case"], r["state"]) for r in rows] == [(first, "open"), (second, "in_progress")]
    late = lb_json(capsys, "case", "list", "--overdue", "--db", db, "--on", "2021-09-07")
    assert [r["case"] for r in late] == [second] and late[0]["overdue"] == ["licence"]
    queue = lb_json(capsys, "case", "queue", "--as", "市场监管", "--db", db, "--on", "2021-09-07")
    assert [(t["case"], t["step"], t["action"], t["overdue"]) for t in queue["todo"]] == [
        (second, "licence", "approve", True), (first, "licence", "accept", False)]
    code, out, _ = lb(capsys, "case", "queue", "--as", "人社局", "--db", db)
    assert (code, out) == (0, "nothing for 人社局 to do\n")
    code, out, _ = lb(capsys, "case", "list", "--db", db, "--on", "2021-09-07")
    assert code == 0 and "国庆测试 (national-day)" in out


def test_lianban_db_environment_variable(capsys: pytest.CaptureFixture[str], tmp_path: Path, nd: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIANBAN_DB", str(tmp_path / "env.db"))
    assert lb(capsys, "case", "open", nd, "--applicant", "张三")[0] == 0
    assert (tmp_path / "env.db").is_file()
    assert lb_json(capsys, "case", "show", "1")["applicant"] == "张三"


def test_markup_in_names_and_reasons_is_shown_verbatim(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # rich would read these as console markup (a stray "[/]" raised MarkupError, exit 3) or eat them
    monkeypatch.setenv("NO_COLOR", "1")
    item, step, other = "[/bold] 事项 [link=file:///etc/passwd]x[/link]", "[/] 步骤", ":smile: [bold red]红"
    applicant, reason = "[bold]李四 [i]", "[/nope] 缺证明"
    path = tmp_path / "markup.yaml"
    path.write_text(ND_YAML.replace("name: 国庆测试", f'name: "{item}"').replace("name: 营业执照", f'name: "{step}"')
                    .replace("name: 印章", f'name: "{other}"'), encoding="utf-8")
    code, out, err = lb(capsys, "case", "open", str(path), "--applicant", applicant, "--on", "2021-09-29", "--db", db)
    assert (code, err) == (0, "")
    assert f"{item} (national-day) for {applicant}" in out and step in out and other in out
    for verb in ("accept", "return"):
        code, _out, err = lb(capsys, "case", verb, "1", "licence", "--as", "市场监管", "--on", "2021-09-30",
                             "--reason", reason, "--db", db)
        assert code == 0, err
    code, out, err = lb(capsys, "case", "show", "1", "--on", "2021-12-01", "--db", db)
    assert (code, err) == (0, "")
    assert f"{step}" in out and other in out and f"补正 since 2021-09-30: {reason}" in out
    code, out, err = lb(capsys, "case", "list", "--on", "2021-12-01", "--db", db)
    assert (code, err) == (0, "") and f"{item} (national-day)" in out and applicant in out
    code, out, err = lb(capsys, "case", "queue", "--as", "公安局", "--on", "2021-09-30", "--db", db)
    assert (code, err) == (0, "") and f"{other} (seal)" in out and applicant in out


@pytest.mark.parametrize("case_id", ["01", "١", "+1", " 1", "1.0", "0", "-1", "99999999999999999999999", "9" * 5000],
                         ids=lambda s: s if len(s) < 30 else f"{len(s)}-digits")
def test_case_ids_are_exact(capsys: pytest.CaptureFixture[str], db: str, nd: str, case_id: str) -> None:
    assert open_case(capsys, db, nd)["id"] == "1"
    for argv in (["show", case_id], ["accept", case_id, "licence", "--as", "市场监管"], ["withdraw", case_id]):
        code, out, err = lb(capsys, "case", *argv, "--db", db)
        assert (code, out) == (2, "") and err.startswith(f"lianban: error: no case {case_id} in ")
        assert len(err.splitlines()) == 1
    assert lb_json(capsys, "case", "show", "1", "--db", db)["seq"] == 1  # nothing was written


@pytest.mark.parametrize("how", ["env", "--db"])
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_dsn_is_never_an_sqlite_path(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, how: str, scheme: str) -> None:
    # Path(dsn) folded '//' and the DSN became ./postgresql:/postgres:pw@127.0.0.1:1/db, an SQLite file
    monkeypatch.chdir(tmp_path)
    dsn = f"{scheme}://postgres:s3cr3t@127.0.0.1:1/db"  # a closed port
    if how == "env":
        monkeypatch.setenv("LIANBAN_DB", dsn)
    argv = ["case", "list"] + (["--db", dsn] if how == "--db" else [])
    code, out, err = lb(capsys, *argv)
    assert (code, out) == (2, "") and len(err.splitlines()) == 1
    assert "s3cr3t" not in err and "postgresql" in err.lower()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        assert "needs psycopg" in err
    else:
        assert err.startswith("lianban: error: cannot connect to the PostgreSQL case store at 127.0.0.1:1/db: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["show", "1"], ["list"], ["list", "--overdue"], ["queue", "--as", "市场监管"]])
def test_read_only_commands_create_no_store(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for db in ("typo/dir/cases.db", "cases.db"):
        code, out, err = lb(capsys, "case", *argv, "--db", db)
        assert (code, out) == (2, "")
        assert err == f"lianban: error: no case store at {db} (`lianban case open ITEM --applicant NAME` creates it)\n"
    monkeypatch.setenv("LIANBAN_DB", str(tmp_path / "env" / "cases.db"))
    code, _out, err = lb(capsys, "case", *argv)
    assert code == 2 and f"no case store at {tmp_path / 'env' / 'cases.db'}" in err
    assert list(tmp_path.iterdir()) == []


def test_writing_commands_still_create_the_store(capsys: pytest.CaptureFixture[str], tmp_path: Path, nd: str) -> None:
    db = tmp_path / "new" / "dir" / "cases.db"
    assert open_case(capsys, str(db), nd)["id"] == "1" and db.is_file()
    assert lb_json(capsys, "case", "list", "--db", str(db))[0]["case"] == "1"
