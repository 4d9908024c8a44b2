"""`lianban validate`: output formats, exit codes, colour and the catalog options,
through ``engine.cli.main`` (and once through a real process)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, TREE_ITEM, VALID, lb, make_tree, write

from engine.validation.diagnostics import make
from engine.validation.tree import FileResult, Result

ERRORS = VALID.replace("    department: 市场监管局", "    department: 市场监督局")  # E304 at 12:17
WARNINGS = VALID.replace("partners: [税务局]", "partners: [税务局, 公安局]")  # W321 at 4:17


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "LIANBAN_CATALOG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path, so paths show as written (relative)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return lb(capsys, "validate", *argv)


# --- formats -------------------------------------------------------------------------

def test_text_format(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "demo.yaml", ERRORS)
    code, out, err = run(capsys, "demo.yaml", "--format", "text")
    assert (code, err) == (1, "")
    assert out == ("demo.yaml:12:17: error E304 unknown department '市场监督局' (hint: did you mean '市场监管局'?)\n"
                   "1 file checked, 1 error, 0 warnings\n")


def test_text_is_the_default_outside_github(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "demo.yaml", WARNINGS)
    code, out, _err = run(capsys, "demo.yaml")
    assert code == 0
    assert out == ("demo.yaml:4:17: warning W321 partner 公安局 handles no step "
                   "(hint: add the sub-item it handles, or remove it from partners)\n"
                   "1 file checked, 0 errors, 1 warning\n")


def test_json_format(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "demo.yaml", ERRORS)
    write(in_tmp, "other.yaml", WARNINGS.replace("id: demo", "id: other"))
    code, out, _err = run(capsys, ".", "--format", "json")
    assert code == 1
    assert json.loads(out) == [
        {"path": "demo.yaml", "line": 12, "col": 17, "severity": "error", "code": "E304",
         "message": "unknown department '市场监督局'", "hint": "did you mean '市场监管局'?"},
        {"path": "other.yaml", "line": 4, "col": 17, "severity": "warning", "code": "W321",
         "message": "partner 公安局 handles no step", "hint": "add the sub-item it handles, or remove it from partners"},
    ]


def test_json_of_a_clean_run_is_an_empty_list(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "demo.yaml", VALID)
    code, out, _err = run(capsys, "demo.yaml", "--format", "json")
    assert (code, json.loads(out)) == (0, [])


def test_github_format(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "demo.yaml", WARNINGS.replace("days: 0.5", "days: 0"))
    code, out, _err = run(capsys, "demo.yaml", "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        ("::warning file=demo.yaml,line=4,col=17,title=W321 partner has no step::partner 公安局 handles no step "
         "(hint: add the sub-item it handles, or remove it from partners)"),
        ("::error file=demo.yaml,line=19,col=11,title=E204 invalid value::step 'tax' → days: 0 must be greater than 0 "
         "(hint: time limits are working days: a number above 0, in halves (0.5, 1, 1.5 ...))"),
        "1 file checked, 1 error, 1 warning",
    ]


def test_github_escapes_properties_and_data(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "a,b:c.yaml", VALID.replace("id: demo", "id: a-b-c").replace("days: 0.5", "days: 100%"))
    _code, out, _err = run(capsys, "a,b:c.yaml", "--format", "github")
    first, second = out.splitlines()[:2]
    assert first.startswith("::warning file=a%2Cb%3Ac.yaml,line=1,col=5,title=W327 file name differs from item id::"
                            "file 'a,b:c.yaml' holds item 'a-b-c'")
    assert second.startswith("::error file=a%2Cb%3Ac.yaml,line=19,col=11,title=E203 wrong type::")
    assert "found text '100%25'" in second


def test_auto_picks_github_under_github_actions(in_tmp: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write(in_tmp, "demo.yaml", ERRORS)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _code, out, _err = run(capsys, "demo.yaml")
    assert out.startswith("::error file=demo.yaml,line=12,col=17,title=E304 unknown department::")
    _code, out, _err = run(capsys, "demo.yaml", "--format", "text")  # an explicit format wins
    assert out.startswith("demo.yaml:12:17: error E304 ")
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    _code, out, _err = run(capsys, "demo.yaml", "--format", "auto")
    assert out.startswith("demo.yaml:12:17: error E304 ")


def test_findings_are_sorted_by_path_line_and_column(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "b.yaml", ERRORS.replace("id: demo", "id: b"))
    write(in_tmp, "a.yaml", ERRORS.replace("id: demo", "id: a").replace("days: 0.5", "days: 0"))
    _code, out, _err = run(capsys, "b.yaml", "a.yaml", "--format", "json")
    assert [(d["path"], d["line"]) for d in json.loads(out)] == [("a.yaml", 12), ("a.yaml", 19), ("b.yaml", 12)]


# --- exit codes ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "strict", "expected"), [
    (VALID, False, 0),
    (VALID, True, 0),
    (WARNINGS, False, 0),
    (WARNINGS, True, 1),
    (ERRORS, False, 1),
    (ERRORS, True, 1),
    ("id: [\n", False, 1),
])
def test_exit_codes(in_tmp: Path, capsys: pytest.CaptureFixture[str], text: str, strict: bool, expected: int) -> None:
    write(in_tmp, "demo.yaml", text)
    code, _out, _err = run(capsys, "demo.yaml", *(["--strict"] if strict else []))
    assert code == expected


@pytest.mark.parametrize(("argv", "message"), [
    (["missing.yaml"], "lianban: error: missing.yaml: no such file or folder\n"),
    (["--bogus", "demo.yaml"], "lianban: error: unrecognized arguments: --bogus\n"),
    ([], "lianban: error: the following arguments are required: PATH\n"),
    (["--format", "xml", "demo.yaml"], ("lianban: error: argument --format: invalid choice: 'xml' "
                                        "(choose from 'auto', 'text', 'json', 'github')\n")),
    (["--catalog", "nowhere", "demo.yaml"],
     "lianban: error: E401 no catalog at nowhere: it needs departments.yaml (and materials.yaml)\n"),
])
def test_usage_and_io_problems_exit_2_with_one_line(in_tmp: Path, capsys: pytest.CaptureFixture[str],
                                                     argv: list[str], message: str) -> None:
    write(in_tmp, "demo.yaml", VALID)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.endswith(message)
    assert "Traceback" not in err


def test_an_unreadable_file_exits_2() -> None:
    result = Result([FileResult("x.yaml", "item", [make("x.yaml", 1, 1, "E110", "cannot read file: Permission denied")])])
    assert result.exit_code() == 2


def test_a_folder_without_yaml_is_a_usage_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong path in CI must not pass: nothing checked is exit 2, with the reason."""
    (in_tmp / "empty").mkdir()
    code, out, err = run(capsys, "empty")
    assert (code, out) == (2, "")
    assert err == "lianban: error: no YAML definitions found under empty: nothing was checked\n"


# --- colour ----------------------------------------------------------------------------

def test_no_colour_when_not_a_terminal(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "demo.yaml", ERRORS)
    _code, out, _err = run(capsys, "demo.yaml")
    assert "\033[" not in out


def test_colour_when_forced_and_never_with_no_color(in_tmp: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write(in_tmp, "demo.yaml", ERRORS)
    monkeypatch.setenv("FORCE_COLOR", "1")
    _code, out, _err = run(capsys, "demo.yaml")
    assert out.startswith("\033[1mdemo.yaml:12:17:\033[0m \033[1;31merror\033[0m E304 unknown department")
    monkeypatch.setenv("NO_COLOR", "1")
    _code, out, _err = run(capsys, "demo.yaml")
    assert "\033[" not in out


def test_colour_on_a_terminal(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.cli import common

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(common.sys, "stdout", Tty())
    assert common.use_color() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert common.use_color() is False


# --- catalogs ---------------------------------------------------------------------------

def test_catalog_option_overrides_the_lookup(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(in_tmp / "mine")
    write(in_tmp, "elsewhere/a.yaml", TREE_ITEM)
    code, out, _err = run(capsys, "elsewhere/a.yaml")
    assert code == 1 and "E304 unknown department '甲'" in out  # the project catalog knows no 甲
    code, out, _err = run(capsys, "elsewhere/a.yaml", "--catalog", "mine/catalog")
    assert (code, out) == (0, "1 file checked, 0 errors, 0 warnings\n")


def test_a_tree_catalog_and_the_project_catalog_in_one_run(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(in_tmp / "tree", items={"items/a.yaml": TREE_ITEM})
    write(in_tmp, "loose/demo.yaml", VALID)
    code, out, _err = run(capsys, "tree", "loose")
    # the tree's two catalog files are checked too
    assert (code, out) == (0, "4 files checked, 0 errors, 0 warnings\n")


def test_hidden_folders_are_skipped(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "defs/demo.yaml", VALID)
    write(in_tmp, "defs/.git/bad.yaml", "id: [\n")
    code, out, _err = run(capsys, "defs")
    assert (code, out) == (0, "1 file checked, 0 errors, 0 warnings\n")


def test_the_project_definitions_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, str(ROOT / "definitions"), "--strict")
    assert code == 0, out


def test_a_real_process(tmp_path: Path) -> None:
    write(tmp_path, "demo.yaml", ERRORS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run([sys.executable, "-m", "engine", "validate", "demo.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)
    assert proc.returncode == 1
    assert proc.stdout.startswith("demo.yaml:12:17: error E304 unknown department '市场监督局'")
    assert proc.stderr == ""


# --- pre-commit --------------------------------------------------------------------------

def test_pre_commit_hooks() -> None:
    import re
    import tomllib

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"lianban-validate", "lianban-validate-tree"}
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["lianban"] == "engine.cli:main"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["entry"].startswith("lianban validate")
        assert hook["require_serial"] is True
    changed = hooks["lianban-validate"]
    assert changed["pass_filenames"] is True
    assert hooks["lianban-validate-tree"]["pass_filenames"] is False
    files = re.compile(changed["files"])
    for path in ("definitions/open-restaurant.yaml", "definitions/catalog/materials.yaml", "city/definitions/x.yml"):
        assert files.search(path), path
    for path in (".pre-commit-config.yaml", ".github/workflows/ci.yml", "definitions/calendar/README.md", "docs/x.yaml"):
        assert not files.search(path), path


def test_the_pre_commit_entry_accepts_what_pre_commit_passes(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # pre-commit appends the changed files to the entry's arguments
    write(in_tmp, "definitions/demo.yaml", VALID)
    write(in_tmp, "definitions/other.yaml", VALID.replace("id: demo", "id: other"))
    code, out, _err = run(capsys, "definitions/demo.yaml", "definitions/other.yaml")
    assert (code, out) == (0, "2 files checked, 0 errors, 0 warnings\n")


# --- regressions from review ----------------------------------------------------------

def test_every_missing_field_at_one_place_is_reported(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "only.yaml", "id: only\n")
    code, out, _err = run(capsys, "only.yaml")
    assert code == 1
    assert [line.split(" is missing")[0] for line in out.splitlines()[:-1]] == [
        "only.yaml:1:1: error E201 top level: required field 'lead'",
        "only.yaml:1:1: error E201 top level: required field 'name'",
        "only.yaml:1:1: error E201 top level: required field 'steps'",
    ]


def test_a_duplicate_unknown_key_gets_both_findings(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "dup.yaml", "id: dup\nname: 演示\nlead: 市场监管局\nsteps:\n"
                              "  - {id: a, name: 甲, department: 市场监管局, days: 1, need: [b], need: [b]}\n")
    code, out, _err = run(capsys, "dup.yaml")
    assert code == 1
    assert [line.split(" (hint")[0] for line in out.splitlines()[:-1]] == [
        "dup.yaml:5:61: error E101 duplicate key 'need' (first at line 5)",
        "dup.yaml:5:61: error E202 step 'a': unknown field 'need'",
    ]


def test_one_file_named_twice_is_read_once(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "demo.yaml", VALID)
    code, out, _err = run(capsys, "demo.yaml", str(in_tmp / "demo.yaml"), "./demo.yaml")
    assert (code, out.strip()) == (0, "1 file checked, 0 errors, 0 warnings")


def test_a_department_and_a_material_may_share_a_name(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(in_tmp, departments="departments:\n  - {name: 测绘公司}\n",
              materials="materials:\n  - {id: survey, name: 测绘公司}\n", items={})
    code, out, _err = run(capsys, str(in_tmp))
    assert (code, out.splitlines()[-1]) == (0, "2 files checked, 0 errors, 0 warnings")
