"""The message catalogs: complete, translated, compiled from their .po, and chosen by locale or --lang."""
from __future__ import annotations

import argparse
import ast
import gettext
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from engine import i18n
from engine.cli import main, take_language
from engine.errors import UsageError


def _catalogs():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogs = _catalogs()


def test_every_message_of_the_code_is_translated_and_every_mo_is_compiled_from_its_po() -> None:
    assert list(catalogs.problems()) == []


def test_there_is_a_chinese_catalog_with_every_message() -> None:
    (po,) = [p for p in catalogs.po_files() if p.parent.parent.name == "zh_CN"]
    wanted = [(m.context, m.id) for m in catalogs.extract() if m.id]
    assert len(wanted) > 300  # the whole interface, not a sample
    with po.with_suffix(".mo").open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    for context, msgid in wanted:
        singular = msgid[0] if isinstance(msgid, tuple) else msgid
        shown = translations.pgettext(context, singular) if context else translations.gettext(singular)
        chinese_already = any("\u4e00" <= ch <= "\u9fff" for ch in singular) and not any(ch.isascii() and ch.isalpha()
                                                                                        for ch in singular)
        assert shown != singular or chinese_already, singular


@pytest.mark.parametrize(("msgid", "msgstr", "ok"), [
    ("unknown step '{step}'", "未知环节'{step}'", True),
    ("unknown step '{step}'", "未知环节", False),
    ("{n} of {total}", "{total}中的{n}", True),
    ("day {d:02d}", "第{d:02d}天", True),
    ("%(prog)s: error: %(message)s\n", "%(prog)s：错误：%(message)s\n", True),
    ("%(prog)s: error: %(message)s\n", "%(prog)s：错误\n", False),
])
def test_format_fields_are_compared(msgid: str, msgstr: str, ok: bool) -> None:
    assert (catalogs.fields(msgid) == catalogs.fields(msgstr)) is ok


def test_argparse_messages_we_translate_are_the_ones_argparse_uses() -> None:
    source = Path(argparse.__file__).read_text(encoding="utf-8")
    used = {node.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
            and node.args and isinstance(node.args[0], ast.Constant)}
    from engine.cli import argparse_messages

    assert set(argparse_messages.MESSAGES) <= used


@pytest.mark.parametrize(("environ", "lang"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "C"}, "en"), ({}, "en"), ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"), ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "C"}, "en"),
    ({"LC_ALL": "", "LANG": "zh_TW"}, "zh"),
])
def test_the_language_follows_the_posix_variables(environ: dict[str, str], lang: str) -> None:
    assert i18n.detect(environ) == lang


@pytest.mark.parametrize(("argv", "lang", "rest"), [
    (["--lang", "zh", "validate", "x"], "zh", ["validate", "x"]),
    (["validate", "--lang=en", "x"], "en", ["validate", "x"]),
    (["validate", "x", "--", "--lang", "zh"], None, ["validate", "x", "--", "--lang", "zh"]),
])
def test_lang_is_taken_before_the_parser_is_built(argv: list[str], lang: str | None, rest: list[str]) -> None:
    assert take_language(argv) == (lang, rest)


@pytest.mark.parametrize("argv", [["--lang"], ["--lang", "fr"], ["--lang=zh_CN"]])
def test_a_bad_lang_is_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(UsageError):
        take_language(argv)


def test_help_in_chinese_with_lang(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "validate", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法：lianban validate")
    assert "位置参数" in out and "选项" in out and "显示此帮助信息并退出" in out
    assert "usage" not in out and "options" not in out


def test_argparse_errors_in_chinese_under_a_chinese_locale(capsys: pytest.CaptureFixture[str], zh: None) -> None:
    assert main(["report", "--format", "pdf"]) == 2
    err = capsys.readouterr().err
    assert "lianban: 错误: 参数 --format：无效的选择：'pdf'" in err, err


def test_english_stays_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "pdf"]) == 2
    assert "lianban: error: argument --format: invalid choice: 'pdf'" in capsys.readouterr().err


def test_a_subprocess_follows_lang_and_the_suite_runs_in_c() -> None:
    import os

    assert os.environ["LANG"] == "C"
    env = {**os.environ, "LANG": "zh_CN.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "engine", "workdays", "add", "2021-09-29", "x"], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "不是" in done.stderr, done.stderr


def test_an_installed_lianban_carries_the_catalog(tmp_path: Path) -> None:
    """pip install . (not editable) puts the .mo in site-packages: the Chinese works outside the checkout."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(ROOT)], check=True, capture_output=True)
    assert (target / "engine" / "locale" / "zh_CN" / "LC_MESSAGES" / "lianban.mo").is_file()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(target), "LANG": "zh_CN.UTF-8"}
    done = subprocess.run([sys.executable, "-c", "from engine.i18n import _; print(_('usage: '))"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "用法："


def test_every_error_label_is_translated() -> None:
    """Each LianbanError subclass's label (error, refused, stopped ...) has a Chinese word before the message."""
    from engine.cli import label
    from engine.errors import LianbanError

    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    import engine.cases.store
    import engine.server.accounts  # noqa: F401

    labels = {c.label for c in subclasses(LianbanError)}
    assert {"error", "refused", "stopped"} <= labels
    with i18n.using("zh"):
        shown = {lab: label(type("E", (LianbanError,), {"label": lab})("x")) for lab in labels}
    assert all(word != lab and not word.isascii() for lab, word in shown.items()), shown


def test_importing_the_engine_leaves_other_programs_argparse_alone() -> None:
    """Only lianban's own command line translates argparse: a program that imports the engine under a
    Chinese locale keeps argparse's English for its own parser."""
    code = ("import argparse, engine.validation.tree, engine.cli; "
            "print(argparse.ArgumentParser(prog='other').format_usage().strip())")
    env = {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert out.stdout.strip() == "usage: other [-h]"


def test_a_message_is_its_context_and_its_msgid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pgettext("error label", "refused") and _("refused") are two messages: a catalog that
    translates one of them is still missing the other."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    code = Catalog()
    code.add("refused", context="error label")
    code.add("refused")
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "lianban.po"
    po.parent.mkdir(parents=True)
    done = Catalog(locale="zh_CN")
    done.add("refused", "拒绝")
    with po.open("wb") as fh:
        write_po(fh, done)
    monkeypatch.setattr(catalogs, "extract", lambda: code)
    monkeypatch.setattr(catalogs, "po_files", lambda: [po])
    monkeypatch.setattr(catalogs, "ROOT", tmp_path)
    found = [p for p in catalogs.problems() if ".mo" not in p]
    assert found == ["zh_CN/LC_MESSAGES/lianban.po: missing 'refused' (context 'error label') "
                     "(run python tools/catalogs.py update)"]
