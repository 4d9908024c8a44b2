"""The slow and unsafe corners: what is not a regular file, deep trees, odd arguments, edge dates.

Each ends in a clear message and its exit code (2 for usage and I/O, 1 for findings), never
in a hang or an internal error (exit 3).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, VALID, lb, write

FIFO_TIMEOUT = 20  # seconds: a hang on a FIFO would exceed it; the answer takes well under one


def _run(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, timeout=FIFO_TIMEOUT,
                          cwd=cwd or ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "defs" / "piped.yaml"
    path.parent.mkdir()
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("how", ["named", "in a folder"])
def test_a_fifo_among_definitions_is_refused_not_waited_on(fifo: Path, how: str) -> None:
    target = fifo if how == "named" else fifo.parent
    done = _run("validate", str(target))
    assert done.returncode == 2
    assert f"{fifo}:1:1: error E110 cannot read file: it is a FIFO (named pipe), not a regular file" \
        in done.stdout.decode()


@pytest.mark.parametrize("command", [["report"], ["analyze"], ["preview"]])
def test_commands_that_read_definitions_refuse_a_fifo(fifo: Path, command: list[str]) -> None:
    done = _run(*command, str(fifo))
    assert done.returncode in (1, 2) and b"E110" in done.stderr


def test_a_fifo_among_calendar_files_is_refused(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    os.mkfifo(calendar / "2027.yaml")
    done = _run("workdays", "add", "2021-09-29", "3", "--calendar", str(calendar))
    assert done.returncode == 2
    assert b"not a regular file" in done.stderr and b"internal error" not in done.stderr


def test_a_tree_1500_folders_deep_is_walked(tmp_path: Path) -> None:
    folder = tmp_path
    os.chdir(tmp_path)  # build it with short relative paths: the absolute path is 3,000+ bytes
    for _ in range(1500):
        os.mkdir("d")
        os.chdir("d")
    Path("demo.yaml").write_text(VALID, encoding="utf-8")
    os.chdir(ROOT)
    try:
        done = _run("validate", str(folder), "--catalog", str(ROOT / "definitions" / "catalog"))
    finally:
        _remove_deep(tmp_path / "d")  # pytest's own clean-up of old temp folders recurses and would fail on it
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().endswith("1 file checked, 0 errors, 0 warnings\n")


def _remove_deep(top: Path) -> None:
    """Remove a chain of nested folders without recursion and without long paths."""
    here = os.getcwd()
    depth = 0
    os.chdir(top.parent)
    while os.path.isdir("d"):
        os.chdir("d")
        depth += 1
    for name in os.listdir("."):
        os.unlink(name)
    for _ in range(depth):
        os.chdir("..")
        os.rmdir("d")
    os.chdir(here)


def test_a_symlink_loop_in_a_tree_is_walked_once(tmp_path: Path) -> None:
    write(tmp_path, "defs/demo.yaml", VALID)
    (tmp_path / "defs" / "loop").symlink_to(tmp_path / "defs")
    done = _run("validate", str(tmp_path / "defs"), "--catalog", str(ROOT / "definitions" / "catalog"))
    assert done.returncode == 0 and done.stdout.decode().endswith("1 file checked, 0 errors, 0 warnings\n")


def test_non_utf8_arguments_get_a_clear_message() -> None:
    done = _run("validate", b"caf\xe9.yaml")
    assert done.returncode == 2
    assert done.stderr.decode() == "lianban: error: argument 2 ('caf\ufffd.yaml') is not valid UTF-8: " \
                                   "name files and values in UTF-8\n"


@pytest.mark.parametrize("argv, out", [
    (["workdays", "add", "9999-12-31", "0"], "9999-12-31\n"),
    (["workdays", "between", "9999-12-31", "9999-12-31"], "0\n"),
])
def test_the_last_day_of_the_calendar(capsys: pytest.CaptureFixture[str], argv: list[str], out: str) -> None:
    code, got, err = lb(capsys, *argv)
    assert (code, err) == (0, "") and got.startswith(out)


def test_a_count_past_the_last_day_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = lb(capsys, "workdays", "add", "9999-12-31", "1", "--calendar", str(tmp_path))
    assert code == 2 and err.startswith("lianban: error: ") and "no working day after 9999-12-31" in err


def test_disk_full_is_reported_as_such(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import engine.fileio

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(engine.fileio.os, "fsync", full)
    code, _out, err = lb(capsys, "analyze", str(ROOT / "definitions" / "start-business.yaml"),
                         "-o", str(tmp_path / "out.txt"))
    assert code == 2 and "No space left on device" in err
    assert not list(tmp_path.iterdir())  # the temporary file is gone, nothing half-written
