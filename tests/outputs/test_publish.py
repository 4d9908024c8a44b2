"""Publishing the site into a folder: the manifest, stale pages, and what is never touched."""
from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import CATALOG, DEMO, ND_YAML, analysis_of, lb

from engine.cli import main
from engine.outputs.html import publish as publishing
from engine.outputs.html.pages import SiteError, build
from engine.outputs.html.publish import MANIFEST, publish

OTHER = DEMO.replace("id: demo", "id: other")


def test_regenerating_removes_only_the_pages_it_wrote(tmp_path: Path) -> None:
    demo, other = analysis_of(tmp_path, DEMO, "demo.yaml"), analysis_of(tmp_path, OTHER, "other.yaml")
    out = tmp_path / "site"
    publish(out, build([demo, other]))
    (out / "notes.html").write_text("mine", encoding="utf-8")  # a page the tool did not write
    (out / "logo.png").write_bytes(b"x")
    done = publish(out, build([demo]))
    assert done.removed == ("other.html",)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "demo.html", "index.html", "logo.png", "notes.html"]


def test_a_tampered_manifest_cannot_delete_outside_or_foreign_files(tmp_path: Path) -> None:
    demo = analysis_of(tmp_path, DEMO, "demo.yaml")
    out = tmp_path / "site"
    publish(out, build([demo]))
    outside = tmp_path / "victim.html"
    outside.write_text("keep", encoding="utf-8")
    (out / "keep.txt").write_text("keep", encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps({"files": ["../victim.html", str(outside), "keep.txt", "/etc/passwd",
                                                      ".lianban-site.json", "sub/x.html", 3]}), encoding="utf-8")
    assert publish(out, build([demo])).removed == ()
    assert outside.read_text(encoding="utf-8") == "keep" and (out / "keep.txt").exists()
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    assert publish(out, build([demo])).removed == ()


def test_page_names_are_checked(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="not a page name"):
        publish(tmp_path / "site", {"../escape.html": "x"})
    assert not (tmp_path / "escape.html").exists()
    index = analysis_of(tmp_path, DEMO.replace("id: demo", "id: index"), "index.yaml")
    with pytest.raises(SiteError, match="clashes"):
        build([index])
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(SiteError, match="not a folder"):
        publish(tmp_path / "file", {"index.html": "x"})


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("break_items", [
    pytest.param({"demo.yaml": ("days: 0.5, materials: [business-licence],", "days: 0, materials: [business-licence],")},
                 id="one-invalid-value"),
    pytest.param({"demo.yaml": ("id: demo", "id: demo\nid: twice"), "nd.yaml": ("steps:", "steps: [")},
                 id="every-item-invalid"),
    pytest.param({"nd.yaml": ("id: national-day", "id: demo")}, id="duplicate-id"),
])
def test_render_with_an_invalid_definition_publishes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], break_items: dict[str, tuple[str, str]]) -> None:
    defs, out = tmp_path / "defs", tmp_path / "s2"
    defs.mkdir()
    sources = {"demo.yaml": DEMO, "nd.yaml": ND_YAML}
    for name, text in sources.items():
        (defs / name).write_text(text, encoding="utf-8")
    render = ["render", str(defs), "--out", str(out), "--catalog", str(CATALOG)]
    assert main(render) == 0
    before = _snapshot(out)
    assert set(before) == {MANIFEST, "index.html", "demo.html", "national-day.html"}
    capsys.readouterr()
    for name, (old, new) in break_items.items():
        assert old in sources[name]
        (defs / name).write_text(sources[name].replace(old, new, 1), encoding="utf-8")
    assert main(render) == 1
    err = capsys.readouterr().err
    assert "error" in err and f"not published: fix the errors above and render again; nothing in {out} was changed" in err
    assert _snapshot(out) == before  # no page lost, none rewritten, the manifest untouched
    assert main([*render[:3], str(tmp_path / "new"), *render[4:]]) == 1
    assert not (tmp_path / "new").exists()  # a first run with errors creates nothing either


def test_render_still_removes_the_page_of_an_item_that_is_gone(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    defs, out = tmp_path / "defs", tmp_path / "site"
    defs.mkdir()
    (defs / "demo.yaml").write_text(DEMO, encoding="utf-8")
    (defs / "nd.yaml").write_text(ND_YAML, encoding="utf-8")
    render = ["render", str(defs), "--out", str(out), "--catalog", str(CATALOG)]
    assert main(render) == 0
    (defs / "nd.yaml").unlink()
    assert main(render) == 0
    assert "removed 1 stale page(s)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "demo.html", "index.html"]


# --- refusals: the working folder, and anything that is not a regular file -----------------------

@pytest.mark.parametrize("out", ["", "  "])
def test_an_empty_out_is_refused_not_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str], out: str) -> None:
    (tmp_path / "demo.yaml").write_text(DEMO, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, _out, err = lb(capsys, "render", str(tmp_path / "demo.yaml"), "--out", out, "--catalog", str(CATALOG))
    assert code == 2
    assert "argument --out: an empty path would publish into the working folder" in err
    assert list(work.iterdir()) == []
    with pytest.raises(SiteError, match="no output folder given"):
        publish(out, {"index.html": "x"})
    assert list(work.iterdir()) == []


def _symlink_out(tmp_path: Path, where: Path) -> None:
    (tmp_path / "outside.html").write_text("keep", encoding="utf-8")
    where.symlink_to(tmp_path / "outside.html")


def _dangling(tmp_path: Path, where: Path) -> None:
    where.symlink_to(tmp_path / "nowhere.html")


def _folder(tmp_path: Path, where: Path) -> None:
    where.mkdir()
    (where / "inside.txt").write_text("keep", encoding="utf-8")


def _fifo(tmp_path: Path, where: Path) -> None:
    os.mkfifo(where)


def _device(tmp_path: Path, where: Path) -> None:
    where.symlink_to("/dev/null")


@pytest.mark.parametrize("make, kind", [(_symlink_out, "a symbolic link"), (_dangling, "a symbolic link"),
                                        (_folder, "a folder"), (_fifo, "a device, pipe or socket"),
                                        (_device, "a symbolic link")], ids=["symlink", "dangling", "folder", "fifo",
                                                                            "link-to-device"])
@pytest.mark.parametrize("name", ["demo.html", "index.html", MANIFEST])
def test_what_is_not_a_regular_file_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       make: Callable[[Path, Path], None], kind: str, name: str) -> None:
    out = tmp_path / "site"
    out.mkdir()
    make(tmp_path, out / name)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(SiteError) as refused:
        publish(out, build([analysis_of(tmp_path, DEMO, "demo.yaml")]))
    assert str(refused.value) == (f"refusing to replace {out.resolve() / name}: it is {kind}, not a file the site "
                                  "wrote; move it away and render again")
    assert sorted(p.name for p in out.iterdir()) == before  # refused before writing anything
    if (tmp_path / "outside.html").exists():
        assert (tmp_path / "outside.html").read_text(encoding="utf-8") == "keep"
    # the command says the same, exit 2
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "demo.yaml").write_text(DEMO, encoding="utf-8")
    code, _out, err = lb(capsys, "render", str(tmp_path / "defs"), "--out", str(out), "--catalog", str(CATALOG))
    assert code == 2 and f"refusing to replace {out.resolve() / name}: it is {kind}" in err
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_stale_page_that_became_a_link_is_left_alone(tmp_path: Path) -> None:
    demo, other = analysis_of(tmp_path, DEMO, "demo.yaml"), analysis_of(tmp_path, OTHER, "other.yaml")
    out = tmp_path / "site"
    publish(out, build([demo, other]))
    (out / "other.html").unlink()
    (tmp_path / "outside.html").write_text("keep", encoding="utf-8")
    (out / "other.html").symlink_to(tmp_path / "outside.html")
    assert publish(out, build([demo])).removed == ()
    assert (out / "other.html").is_symlink() and (tmp_path / "outside.html").read_text(encoding="utf-8") == "keep"


def test_a_failed_write_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    def full(path: str | Path, text: str | bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(publishing, "write_atomic", full)
    out = tmp_path / "site"
    with pytest.raises(SiteError, match=f"cannot publish to {out / MANIFEST}: No space left on device"):
        publish(out, {"index.html": "x"})
    (tmp_path / "demo.yaml").write_text(DEMO, encoding="utf-8")
    code, _out, err = lb(capsys, "render", str(tmp_path / "demo.yaml"), "--out", str(out), "--catalog", str(CATALOG))
    assert code == 2 and "lianban: error: cannot publish to" in err and "No space left on device" in err
