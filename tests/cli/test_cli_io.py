"""I/O failures through engine.cli.main: exit 2 with one `lianban: error:` line, never an
internal error (exit 3)."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, lb

ITEM = str(ROOT / "definitions" / "start-business.yaml")
COMMANDS = {"analyze": ["analyze", ITEM], "report": ["report", ITEM], "export": ["export", "mermaid", ITEM]}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_output_to_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str) -> None:
    code, out, err = lb(capsys, *COMMANDS[command], "-o", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"lianban: error: cannot write {tmp_path}: Is a directory\n"
    assert not list(tmp_path.parent.glob(f".{tmp_path.name}.*.tmp"))  # no temporary file left behind


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("below", ["x.txt", "sub/x.txt"])
def test_output_below_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, below: str) -> None:
    blocker = tmp_path / "file.yaml"
    blocker.write_text("keep\n", encoding="utf-8")
    target = blocker / below
    code, out, err = lb(capsys, *COMMANDS[command], "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"lianban: error: cannot write {target}: {blocker} is not a folder\n"
    assert blocker.read_text(encoding="utf-8") == "keep\n"


def test_output_still_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "new" / "report.json"
    code, out, err = lb(capsys, "analyze", ITEM, "--format", "json", "-o", str(target))
    assert (code, out, err) == (0, "", "") and target.read_text(encoding="utf-8").endswith("\n")


@pytest.mark.parametrize("below", ["x.db", "sub/x.db"])
def test_case_store_below_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, below: str) -> None:
    blocker = tmp_path / "file.yaml"
    blocker.write_text("keep\n", encoding="utf-8")
    db = blocker / below
    code, out, err = lb(capsys, "case", "list", "--db", str(db))
    assert (code, out) == (2, "")
    assert err == f"lianban: error: {db}: cannot open the case store ({blocker} is not a folder)\n"


def test_output_through_a_symlink_keeps_the_link(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    code, _out, err = lb(capsys, "analyze", ITEM, "--format", "json", "-o", str(link))
    assert (code, err) == (0, "")
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("{")


def test_output_to_a_fifo_writes_through(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _out, err = lb(capsys, "analyze", ITEM, "--format", "json", "-o", str(fifo))
    reader.join(timeout=10)
    assert (code, err) == (0, "")
    assert fifo.exists() and not fifo.is_file()  # still the FIFO, never replaced by a file
    assert got and got[0].decode("utf-8").startswith("{")


def test_output_to_a_character_device_is_written_not_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = lb(capsys, "analyze", ITEM, "-o", "/dev/null")
    assert (code, err) == (0, "")
    assert Path("/dev/null").is_char_device()


def test_atomic_write_refuses_a_device_unless_asked(tmp_path: Path) -> None:
    from engine.fileio import NotAFileError, write_atomic

    with pytest.raises(NotAFileError, match="/dev/null: it is a character device, not a regular file"):
        write_atomic("/dev/null", "x")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "target")
    with pytest.raises(NotAFileError, match="it is a symbolic link"):
        write_atomic(link, "x")
    assert link.is_symlink() and not (tmp_path / "target").exists()
    assert Path("/dev/null").is_char_device()
