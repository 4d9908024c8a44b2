"""The YAML loader: every refusal located at its exact line and column, and the
positions it records for the schema and the checks."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine.cli import main
from engine.errors import LianbanError
from engine.validation import ime, limits, loader
from engine.validation.limits import DEFAULT_LIMITS, Limits
from engine.validation.loader import load_bytes, load_file, load_text

ROOT = Path(__file__).resolve().parents[2]


def findings(text: str | bytes) -> list[tuple[int, int, str, str]]:
    loaded = load_bytes(text) if isinstance(text, bytes) else load_text(textwrap.dedent(text))
    return [(d.line, d.col, d.code, d.message) for d in loaded.diagnostics]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("a: [1, 2\nb: 3\n",
                 (2, 2, "E100", "did not find expected ',' or ']' (while parsing a flow sequence)"),
                 id="unclosed-flow-sequence"),
    pytest.param("a: b: c\n", (1, 5, "E100", "mapping values are not allowed in this context"), id="colon-in-value"),
    pytest.param("a: 1\n\tb: 2\n",
                 (2, 1, "E100", "found a tab character that violates indentation (while scanning a plain scalar)"),
                 id="tab-indent"),
    pytest.param("a: 'open\n", (2, 1, "E100", "found unexpected end of stream (while scanning a quoted scalar)"),
                 id="unterminated-quote"),
    pytest.param("a:\n  b: 1\n c: 2\n", (3, 2, "E100", "did not find expected key (while parsing a block mapping)"),
                 id="bad-indent"),
    pytest.param("[a]: 1\n", (1, 3, "E100", "a mapping key must be a plain scalar"), id="sequence-as-key"),
    pytest.param("a: *nowhere\n", (1, 4, "E100", "unknown alias '*nowhere'"), id="unknown-alias"),
    pytest.param("a: &x [1, *x]\n", (1, 11, "E100", "alias '*x' is inside the node it refers to"), id="recursive-alias"),
    pytest.param("名称: 值: 错\n", (1, 6, "E100", "mapping values are not allowed in this context"),
                 id="columns-count-characters"),
])
def test_syntax_errors_are_located(text: str, expected: tuple[int, int, str, str]) -> None:
    assert findings(text) == [expected]


def test_a_syntax_error_yields_no_data() -> None:
    loaded = load_text("a: [1\n")
    assert loaded.data is None
    assert not loaded.ok


def test_duplicate_key_points_at_the_second_key_and_names_the_first() -> None:
    assert findings("""\
        id: demo
        steps:
          - id: a
            days: 1
            days: 2
        """) == [(5, 5, "E101", "duplicate key 'days' (first at line 4)")]


def test_duplicate_key_keeps_the_last_value_with_its_position() -> None:
    loaded = load_text("a: 1\nb: [x]\nb: {c: 3}\n")
    assert [(d.line, d.col, d.code) for d in loaded.diagnostics] == [(3, 1, "E101")]
    # YAML keeps the last value; the positions the schema uses are that value's
    assert loaded.data == {"a": 1, "b": {"c": 3}}
    assert loaded.positions.at(("b",)) == (3, 4)
    assert loaded.positions.at(("b", "c")) == (3, 8)
    assert loaded.diagnostics[0].hint == "YAML would silently keep only the last one; remove or rename one"


def test_every_duplicate_is_reported() -> None:
    assert [f[:3] for f in findings("a: 1\nb: 2\na: 3\nb: 4\n")] == [(3, 1, "E101"), (4, 1, "E101")]


@pytest.mark.parametrize(("text", "line", "col"), [
    ("a: 1\n---\nb: 2\n", 2, 1),
    ("a: 1\n--- \n", 2, 1),
    ("a: 1\n...\n---\nb: 2\n", 3, 1),
])
def test_a_second_document_is_refused_where_it_starts(text: str, line: int, col: int) -> None:
    assert findings(text) == [(line, col, "E102", "a second YAML document starts here")]


@pytest.mark.parametrize(("text", "expected"), [
    ("- a\n- b\n", (1, 1, "E103", "the top level must be a mapping, found list")),
    ("just text\n", (1, 1, "E103", "the top level must be a mapping, found str")),
    ("42\n", (1, 1, "E103", "the top level must be a mapping, found int")),
    ("---\n", (1, 4, "E103", "the top level must be a mapping, found empty document")),
])
def test_the_top_level_must_be_a_mapping(text: str, expected: tuple[int, int, str, str]) -> None:
    assert findings(text) == [expected]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "   \n  \n", "\ufeff"])
def test_empty_files(text: str) -> None:
    loaded = load_text(text) if not text.startswith("\ufeff") else load_bytes(text.encode("utf-8-sig"))
    assert [(d.line, d.col, d.code, d.message, d.hint) for d in loaded.diagnostics] == [
        (1, 1, "E104", "the file is empty", "an item needs at least id, name, lead and steps")]


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param("id: x\nname: 企业开办\n".encode("gbk"), (2, 7, "E105", "invalid UTF-8 byte 0xc6"), id="gbk"),
    pytest.param(b"id: x\nname: \xe4\xb8\n", (2, 7, "E105", "invalid UTF-8 byte 0xe4"), id="truncated-sequence"),
    pytest.param("name: 中文 ".encode() + b"\xff", (1, 10, "E105", "invalid UTF-8 byte 0xff"), id="column-in-characters"),
    pytest.param("a: 1\n".encode("utf-16"), (1, 1, "E105", "invalid UTF-8 byte 0xff"), id="utf-16"),
])
def test_invalid_utf8_is_located(raw: bytes, expected: tuple[int, int, str, str]) -> None:
    loaded = load_bytes(raw)
    assert [(d.line, d.col, d.code, d.message) for d in loaded.diagnostics] == [expected]
    assert loaded.diagnostics[0].hint == "save the file as UTF-8 (not GBK or GB18030)"


def test_a_utf8_bom_is_accepted() -> None:
    loaded = load_bytes("\ufeffid: x\n".encode())
    assert loaded.diagnostics == []
    assert loaded.data == {"id": "x"}


@pytest.mark.parametrize(("text", "expected"), [
    ("a: b\x00c\n", (1, 5, "E100", "control character U+0000 is not allowed in YAML")),
    ("a: 1\n名: 中\x07\n", (2, 5, "E100", "control character U+0007 is not allowed in YAML")),
    ("a: \ufffe\n", (1, 4, "E100", "control character U+FFFE is not allowed in YAML")),
    ("a: \ud800\n", (1, 4, "E100", "control character U+D800 is not allowed in YAML")),
])
def test_nul_bytes_and_control_characters_are_located(text: str, expected: tuple[int, int, str, str]) -> None:
    assert findings(text) == [expected]


def test_nul_bytes_from_a_file() -> None:
    assert findings(b"id: x\nname: a\x00b\n") == [(2, 8, "E100", "control character U+0000 is not allowed in YAML")]


def test_python_tags_construct_nothing(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    text = f'id: x\nrun: !!python/object/apply:os.system ["touch {target}"]\n'
    loaded = load_text(text)
    assert [(d.line, d.col, d.code, d.message) for d in loaded.diagnostics] == [
        (2, 6, "E106", "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed")]
    assert not target.exists()
    assert loaded.data == {"id": "x", "run": [f"touch {target}"]}  # plain text, never called


@pytest.mark.parametrize(("text", "col", "tag"), [
    ("a: !!python/name:os.system x\n", 4, "tag:yaml.org,2002:python/name:os.system"),
    ("a: !!binary aGVsbG8=\n", 4, "tag:yaml.org,2002:binary"),
    ("a: !!timestamp 2021-01-01\n", 4, "tag:yaml.org,2002:timestamp"),
    ("a: !!set {x, y}\n", 4, "tag:yaml.org,2002:set"),
    ("a: !!omap [x: 1]\n", 4, "tag:yaml.org,2002:omap"),
    ("a: !local x\n", 4, "!local"),
    ("a: !<tag:example.com,2000:app/foo> x\n", 4, "tag:example.com,2000:app/foo"),
    ("a: [1, !custom 2]\n", 8, "!custom"),
])
def test_any_tag_beyond_plain_yaml_is_refused(text: str, col: int, tag: str) -> None:
    assert findings(text) == [(1, col, "E106", f"YAML tag '{tag}' is not allowed")]


def test_plain_yaml_tags_are_allowed() -> None:
    loaded = load_text("a: !!str 12\nb: !!int '7'\nc: ! 3\nd: !!float '0.5'\ne: !!bool 'true'\nf: !!null ''\n")
    assert loaded.diagnostics == []
    assert loaded.data == {"a": "12", "b": 7, "c": "3", "d": 0.5, "e": True, "f": None}


@given(st.one_of(st.from_regex(r"[-+]?[0-9][0-9._]{0,24}", fullmatch=True),
                st.from_regex(r"[0-9]{300,320}\.[0-9]", fullmatch=True)))
def test_plain_numbers_load_as_pyyaml_loads_them(text: str) -> None:
    # the loader reads `2` and `0.5` itself (the numbers items are full of): the same values as PyYAML
    loaded = load_text(f"a: {text}\nb: [{text}]\n")
    expected = yaml.safe_load(f"a: {text}\n")["a"]
    digits = text.lstrip("+-").replace("_", "")
    if isinstance(expected, (int, float)) and ime.yaml11_number(text):  # 010, 1_0: reported, kept as written
        assert [d.code for d in loaded.diagnostics] == ["E116", "E116"]
        assert loaded.data == {"a": text, "b": [text]}
    elif isinstance(expected, int) and len(digits) > 18 or isinstance(expected, float) and expected in (
            float("inf"), -float("inf")):
        assert [d.code for d in loaded.diagnostics] == ["E204", "E204"]
        assert loaded.data == {"a": text, "b": [text]}
    else:
        assert loaded.diagnostics == []
        assert repr(loaded.data) == repr({"a": expected, "b": [expected]})


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!bool maybe\n", "'maybe' is not true or false"),
    ("a: !!int ''\n", "'' is not a usable number: string index out of range"),
    ("a: !!int 0o9\n", "'0o9' is not a usable number: invalid literal for int() with base 8: '0o9'"),
    ("a: 1234567890123456789\n", "'1234567890123456789' is not a usable number: number too large"),
    ("a: .nan\n", "'.nan' is not a usable number: not a finite number"),
    ("a: -.inf\n", "'-.inf' is not a usable number: not a finite number"),
])
def test_unusable_numbers_are_located_and_kept_as_text(text: str, message: str) -> None:
    loaded = load_text(text)
    assert [(d.line, d.col, d.code, d.message) for d in loaded.diagnostics] == [(1, 4, "E204", message)]
    assert isinstance(loaded.data["a"], str)


MAX_BYTES = 256 * 1024  # the documented default (docs/validate.md)
NODES = 32_768  # one node per 8 bytes of it
CHARS = 4 * MAX_BYTES
MAX_DEPTH = 64


def test_the_default_limits_are_the_documented_ones() -> None:
    assert (DEFAULT_LIMITS.max_bytes, DEFAULT_LIMITS.node_budget, DEFAULT_LIMITS.char_budget) == (MAX_BYTES, NODES, CHARS)
    assert (DEFAULT_LIMITS.max_depth, DEFAULT_LIMITS.max_int_digits) == (MAX_DEPTH, 18)
    assert Limits() == DEFAULT_LIMITS == Limits.from_environment({})


def laughs(item: str) -> str:
    lines = [f"a0: &a0 [{', '.join([item] * 9)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_the_alias_that_crosses_the_budget() -> None:
    loaded = load_text(laughs('"lol"'))
    assert [(d.line, d.col, d.code, d.message, d.hint) for d in loaded.diagnostics] == [
        (5, 25, "E107", f"the document expands to more than {NODES:,} nodes",
         "aliases (*name) expand here; copy less, or split the file")]
    assert loaded.data is None


def test_many_plain_values_reach_the_node_budget_too() -> None:
    loaded = load_text("a: [" + "1, " * NODES + "]\n")
    (d,) = loaded.diagnostics
    assert (d.line, d.code, d.message, d.hint) == (
        1, "E107", f"the document expands to more than {NODES:,} nodes", "the file holds too many values: split it")
    assert load_text("a: [" + "1, " * (NODES - 3) + "]\n").diagnostics == []


def test_quadratic_blowup_of_a_long_anchored_string_is_refused() -> None:
    text = f"a: &s \"{'x' * 100_000}\"\nb: [{', '.join(['*s'] * 100)}]\n"
    (line, _col, code, message), = findings(text)
    assert (line, code) == (2, "E107")
    assert message == f"the document expands to more than {CHARS:,} characters of text"


def test_aliases_within_the_budget_are_expanded() -> None:
    loaded = load_text("base: &b {days: 1, needs: [a]}\nstep:\n  <<: *b\n  days: 2\nlist: [*b, *b]\n")
    assert loaded.diagnostics == []
    assert loaded.data["step"] == {"days": 2, "needs": ["a"]}
    assert loaded.data["list"] == [{"days": 1, "needs": ["a"]}] * 2
    assert loaded.positions.at(("list", 1)) == (5, 12)  # the alias, not the anchor
    assert loaded.positions.at(("list", 1, "days")) == (5, 12)
    assert loaded.positions.at(("step", "needs")) == (3, 7)  # merged: where the merge is written


def test_nesting_up_to_the_limit_is_fine_and_one_more_is_refused() -> None:
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert load_text(ok).diagnostics == []
    too_deep = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert findings(too_deep) == [(1, 4 + MAX_DEPTH - 1, "E108", f"nesting deeper than {MAX_DEPTH} levels")]


def test_deep_block_nesting_is_refused() -> None:
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(100))
    assert findings(text) == [(64, 127, "E108", "nesting deeper than 64 levels")]


def test_hundred_thousand_brackets_are_refused_early() -> None:
    assert findings("[" * 100_000) == [(1, 65, "E108", "nesting deeper than 64 levels")]


def test_file_size_limit(tmp_path: Path) -> None:
    fits = tmp_path / "fits.yaml"
    fits.write_bytes(b"a: " + b"x" * (MAX_BYTES - 4) + b"\n")
    assert fits.stat().st_size == MAX_BYTES
    assert load_file(fits).diagnostics == []
    over = tmp_path / "over.yaml"
    over.write_bytes(b"a: " + b"x" * (MAX_BYTES - 3) + b"\n")
    (d,) = load_file(over).diagnostics
    assert (d.line, d.col, d.code, d.message) == (1, 1, "E109", f"file is larger than {MAX_BYTES // 1024} KiB")
    assert d.hint == "split the item, or raise LIANBAN_MAX_BYTES if this is intended"


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # sparse: nothing is written to disk
    read: list[int] = []

    class Spy:
        def __init__(self, fh: object) -> None:
            self.fh = fh

        def __enter__(self) -> Spy:  # a test double
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()  # type: ignore[attr-defined]

        def read(self, size: int = -1) -> bytes:
            data: bytes = self.fh.read(size)  # type: ignore[attr-defined]
            read.append(len(data))
            return data

    monkeypatch.setattr(loader, "open", lambda path, mode: Spy(open(path, mode)), raising=False)  # noqa: SIM115
    (d,) = load_file(huge).diagnostics
    assert d.code == "E109"
    assert sum(read) == MAX_BYTES + 1


# --- LIANBAN_MAX_BYTES ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "size"), [
    ("262144", 262144), ("1", 1), (" 4096 ", 4096), ("512K", 512 * 1024), ("512k", 512 * 1024),
    ("512KiB", 512 * 1024), ("64 kib", 64 * 1024), ("2M", 2 * 1024 * 1024), ("2MiB", 2 * 1024 * 1024),
    ("1024M", 1024 * 1024 * 1024), ("0010K", 10 * 1024),
])
def test_size_limit_accepts_bytes_and_binary_suffixes(text: str, size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits.parse_size(text) == size
    assert Limits.from_environment({"LIANBAN_MAX_BYTES": text}) == Limits(max_bytes=size)
    monkeypatch.setenv("LIANBAN_MAX_BYTES", text)
    assert Limits.from_environment().max_bytes == size
    assert Limits.from_environment().node_budget == min(2_000_000, size // 8)


@pytest.mark.parametrize("text", ["", "   "])
def test_a_blank_size_limit_means_the_default(text: str) -> None:
    assert Limits.from_environment({"LIANBAN_MAX_BYTES": text}) is DEFAULT_LIMITS


@pytest.mark.parametrize(("text", "problem"), [
    ("512X", "is not a size"), ("2G", "is not a size"), ("512KB", "is not a size"), ("1.5M", "is not a size"),
    ("K", "is not a size"), ("1e6", "is not a size"), ("５１２", "is not a size"),
    ("-5", "is out of range"), ("0", "is out of range"), ("0K", "is out of range"), ("1025M", "is out of range"),
    ("9" * 40, "is out of range"),
])
def test_a_bad_size_limit_is_refused_at_the_first_load_not_at_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        text: str, problem: str) -> None:
    monkeypatch.setenv("LIANBAN_MAX_BYTES", text)
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    for load in (lambda: load_file(path), lambda: load_bytes(b"a: 1\n"), lambda: load_text("a: 1\n"),
                 Limits.from_environment):
        with pytest.raises(LianbanError, match=f"^LIANBAN_MAX_BYTES={text!r} {problem}"):
            load()
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith(f"lianban: error: LIANBAN_MAX_BYTES={text!r} ")
    # limits given explicitly do not read the environment at all
    assert load_text("a: 1\n", limits=DEFAULT_LIMITS).data == {"a": 1}


@pytest.mark.parametrize(("field", "value"), [
    ("max_bytes", 0), ("max_bytes", -5), ("max_bytes", True), ("max_bytes", 2 * 1024 ** 3), ("max_bytes", 1.5),
    ("max_depth", 0), ("max_nodes", "9"),
])
def test_bad_limits_built_in_code_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"^Limits.{field}"):
        Limits(**{field: value})  # type: ignore[arg-type]


def test_limits_given_in_code_are_used(tmp_path: Path) -> None:
    small = Limits(max_bytes=100)  # as bench/run.py passes a larger one
    path = tmp_path / "a.yaml"
    path.write_bytes(b"a: " + b"x" * 96 + b"\n")
    assert load_file(path, limits=small).diagnostics == []
    path.write_bytes(b"a: " + b"x" * 97 + b"\n")
    (d,) = load_file(path, limits=small).diagnostics
    assert (d.code, d.message) == ("E109", "file is larger than 100 bytes")  # not "0 KiB"
    assert load_file(path).diagnostics == []  # the default limits are untouched
    shallow = Limits(max_depth=3)
    assert findings_with("a: [1]\n", shallow) == []
    assert findings_with("a: [[1]]\n", shallow) == [(1, 6, "E108", "nesting deeper than 3 levels")]
    assert findings_with("a: 1234\n", Limits(max_int_digits=3)) == [
        (1, 4, "E204", "'1234' is not a usable number: number too large")]
    few = Limits(max_bytes=1024, bytes_per_node=256)  # 4 nodes: the mapping, a key, a list, one value
    assert findings_with("a: [1]\n", few) == []
    assert findings_with("a: [1, 2]\n", few) == [(1, 8, "E107", "the document expands to more than 4 nodes")]


def findings_with(text: str, given: Limits) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.col, d.code, d.message) for d in load_text(text, limits=given).diagnostics]


@pytest.mark.parametrize(("value", "args", "code", "stderr"), [
    ("512K", ["--help"], 0, ""),
    ("512X", ["--help"], 0, ""),
    ("512K", ["validate", "big.yaml"], 0, ""),
    ("1K", ["validate", "big.yaml"], 1, ""),
    ("-5", ["validate", "big.yaml"], 2, "lianban: error: LIANBAN_MAX_BYTES='-5' is out of range: "
                                        "it must be more than 0 and at most 1024M (1 GiB)\n"),
    ("512X", ["validate", "big.yaml"], 2, "lianban: error: LIANBAN_MAX_BYTES='512X' is not a size: write a number "
                                          "of bytes, optionally followed by K, KiB, M or MiB (e.g. 512K)\n"),
])
def test_size_limit_from_the_environment_in_a_real_process(tmp_path: Path, value: str, args: list[str], code: int,
                                                             stderr: str) -> None:
    big = (ROOT / "definitions" / "open-restaurant.yaml").read_bytes()
    assert 1024 < len(big) < 512 * 1024
    (tmp_path / "big.yaml").write_bytes(big)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LIANBAN_MAX_BYTES": value}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run([sys.executable, "-m", "engine", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=60, check=False)
    assert (proc.returncode, proc.stderr) == (code, stderr), proc.stdout
    if value == "1K":
        assert "E109 file is larger than 1 KiB" in proc.stdout


@pytest.mark.parametrize("name", ["missing.yaml", "."])
def test_unreadable_paths_become_e110(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    (d,) = load_file(path, "shown.yaml").diagnostics
    assert (d.path, d.line, d.col, d.code) == ("shown.yaml", 1, 1, "E110")
    assert d.message.startswith("cannot read file: ")
    assert d.message == f"cannot read file: {'No such file or directory' if name != '.' else 'Is a directory'}"


def test_positions_of_values_and_keys() -> None:
    loaded = load_text(textwrap.dedent("""\
        id: demo
        partners: [税务局, 公安局]
        steps:
          - id: a
            name: 名称
            needs:
              - b
          - {id: b, days: 1}
        """))
    pos = loaded.positions
    assert pos.at(()) == (1, 1)
    assert pos.at(("id",)) == (1, 5)
    assert pos.key(("id",)) == (1, 1)
    assert pos.at(("partners", 1)) == (2, 17)  # characters, not bytes
    assert pos.at(("steps",)) == (4, 3)
    assert pos.at(("steps", 0)) == (4, 5)
    assert pos.at(("steps", 0, "needs", 0)) == (7, 9)
    assert pos.key(("steps", 0, "needs")) == (6, 5)
    assert pos.at(("steps", 1)) == (8, 5)
    assert pos.at(("steps", 1, "days")) == (8, 19)
    assert pos.key(("steps", 1, "days")) == (8, 13)
    # a path that is not there falls back to its nearest located ancestor
    assert pos.at(("steps", 1, "name")) == (8, 5)
    assert pos.key(("steps", 1, "name")) == (8, 5)


def test_crlf_line_endings_count_lines_once() -> None:
    loaded = load_text("a: 1\r\nb: 2\r\nb: 3\r\n")
    assert [(d.line, d.col, d.code) for d in loaded.diagnostics] == [(3, 1, "E101")]


def test_plain_values() -> None:
    loaded = load_text(textwrap.dedent("""\
        date: 2021-10-25
        yes_no: [yes, no, on, off, true, false]
        numbers: [1, 0.5, -2]
        nothing: [~, null, ]
        no: key stays text
        1: also text
        """))
    assert loaded.diagnostics == []
    assert loaded.data == {
        "date": "2021-10-25",  # dates stay text
        "yes_no": [True, False, True, False, True, False],
        "numbers": [1, 0.5, -2],  # YAML 1.1's 1_000 and 0x1F are E116 (tests/validation/test_ime.py)
        "nothing": [None, None],
        "no": "key stays text",
        "1": "also text",
    }


def test_several_problems_of_one_file_are_all_reported() -> None:
    assert [f[:3] for f in findings("a: 1\na: 2\nb: !!binary x\nc: .nan\n")] == [
        (2, 1, "E101"), (3, 4, "E106"), (4, 4, "E204")]
