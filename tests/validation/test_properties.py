"""Property tests: random and mutated definitions never crash, never hang, and
exit only with 0, 1 or 2; plain YAML loads as PyYAML loads it, every node located."""
from __future__ import annotations

import contextlib
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from helpers import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.validation.diagnostics import display_path
from engine.validation.loader import load_bytes, load_text
from engine.validation.tree import validate_paths

REAL = sorted((ROOT / "definitions").glob("*.yaml")) + [ROOT / "examples" / "broken.yaml"]
SOURCES = [p.read_bytes() for p in REAL]

# LIANBAN_EXAMPLES=5000 for a longer hunt; the deadline catches a hang
FAST = settings(max_examples=int(os.environ.get("LIANBAN_EXAMPLES") or 60), deadline=timedelta(seconds=2),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def yaml_lines(raw: bytes) -> int:
    """How many lines YAML sees in *raw*: it also breaks lines at NEL, LS, PS and a lone CR."""
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    return 1 + sum(text.count(c) for c in "\n\r\x85\u2028\u2029")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("props")


# --- mutations of real definitions -----------------------------------------------------

@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "lines", "unicode", "truncate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        n = draw(st.integers(1, 40))
        if kind == "delete":
            del data[i:i + n]
        elif kind == "duplicate":
            data[i:i] = data[i:i + n]
        elif kind == "swap":
            j = draw(st.integers(0, len(data) - 1))
            data[i], data[j] = data[j], data[i]
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "unicode":
            data[i:i] = draw(st.text(min_size=1, max_size=4)).encode("utf-8", "surrogatepass")
        elif kind == "truncate":
            del data[i:]
        else:  # delete, duplicate or swap whole lines
            lines = bytes(data).split(b"\n")
            a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            op = draw(st.sampled_from(["delete", "duplicate", "swap"]))
            if op == "delete":
                del lines[a]
            elif op == "duplicate":
                lines.insert(b, lines[a])
            else:
                lines[a], lines[b] = lines[b], lines[a]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def run_cli(path: Path) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(["validate", str(path)])
    assert "internal error" not in err.getvalue(), err.getvalue()
    return code


@FAST
@given(raw=mutated())
def test_mutated_definitions_never_crash(workdir: Path, raw: bytes) -> None:
    path = workdir / "mutant.yaml"
    path.write_bytes(raw)
    result = validate_paths([path])  # raises on a bug
    lines = yaml_lines(raw)
    for d in result.diagnostics:  # every finding is about this file, at a place inside it
        assert d.path == display_path(path) and d.line <= lines + 1, (d, lines)
    assert result.exit_code() in (0, 1)
    assert run_cli(path) in (0, 1, 2)


@FAST
@given(raw=st.binary(max_size=400))
def test_random_bytes_never_crash(workdir: Path, raw: bytes) -> None:
    path = workdir / "bytes.yaml"
    path.write_bytes(raw)
    assert validate_paths([path]).exit_code() in (0, 1)
    assert run_cli(path) in (0, 1, 2)


YAMLISH = st.lists(st.sampled_from(list("abc:-[]{}&*!|>'\"#?,. \n\t0123456789%@`~<=") + ["步", "市场监管局", "\u3000"]),
                   max_size=120).map("".join)


@FAST
@given(text=st.one_of(YAMLISH, st.text(max_size=200)))
def test_random_text_never_crashes(workdir: Path, text: str) -> None:
    load_text(text)  # the loader alone, then the whole pipeline
    path = workdir / "text.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    assert run_cli(path) in (0, 1, 2)


# --- plain data loads as PyYAML loads it, with a position for every node -----------

KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_步骤", min_size=1, max_size=8)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**15, 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=20).filter(lambda s: "\x00" not in s),
)
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
                    max_leaves=25)


def paths(value: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, prefix + (i,))
    return out


@FAST
@given(data=st.dictionaries(KEYS, DATA, min_size=1, max_size=5), flow=st.booleans())
def test_plain_yaml_loads_like_pyyaml_and_every_node_is_located(data: dict, flow: bool) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    if any(ch in text for ch in "\x85\u2028\u2029"):  # line breaks to YAML, not to us
        return
    loaded = load_bytes(text.encode())
    assert loaded.diagnostics == []
    assert loaded.data == yaml.safe_load(text)
    lines = text.split("\n")
    for path in paths(loaded.data):
        line, col = loaded.positions.at(path)
        assert path in loaded.positions.values or path == ()
        assert 1 <= line <= len(lines)
        assert 1 <= col <= len(lines[line - 1]) + 1


@FAST
@given(depth=st.integers(1, 200), style=st.sampled_from(["[", "{a: ", "- ", "a:\n"]))
def test_nesting_never_crashes(depth: int, style: str) -> None:
    if style == "a:\n":
        text = "".join(f"{'  ' * i}a:\n" for i in range(depth))
    elif style == "- ":
        text = "a:\n" + "".join(f"{'  ' * i}- \n" for i in range(depth))
    else:
        text = "a: " + style * depth
    loaded = load_text(text)
    assert all(d.code in ("E100", "E108") for d in loaded.diagnostics)
