"""Output formats for findings: a small interface and an explicit registry.

Each reporter turns a list of diagnostics (and the run's counts) into text;
the CLI's ``--format`` choices are the keys of :data:`REPORTERS`.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Protocol

from engine.validation.diagnostics import CODES, Diagnostic, Severity


class Reporter(Protocol):
    def __call__(self, diagnostics: Sequence[Diagnostic], files: int, color: bool = False) -> str: ...


_COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.INFO: "\033[1;36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    infos = len(diagnostics) - errors - warnings
    parts = [f"{files} file{'s' if files != 1 else ''} checked", _plural(errors, "error"), _plural(warnings, "warning")]
    if infos:
        parts.append(_plural(infos, "suggestion"))
    return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def text(diagnostics: Sequence[Diagnostic], files: int, color: bool = False) -> str:
    lines = []
    for d in diagnostics:
        sev = d.severity.label
        if color:
            head = f"{_BOLD}{d.path}:{d.line}:{d.col}:{_RESET} {_COLOURS[d.severity]}{sev}{_RESET} {d.code}"
        else:
            head = f"{d.path}:{d.line}:{d.col}: {sev} {d.code}"
        hint = f" ({_DIM if color else ''}hint: {d.hint}{_RESET if color else ''})" if d.hint else ""
        lines.append(f"{head} {d.message}{hint}")
    lines.append(summary(diagnostics, files))
    return "\n".join(lines)


def json_report(diagnostics: Sequence[Diagnostic], files: int, color: bool = False) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], ensure_ascii=False, indent=2)


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def github(diagnostics: Sequence[Diagnostic], files: int, color: bool = False) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in diagnostics:
        title = _gh_escape(f"{d.code} {CODES[d.code][1]}", prop=True)
        msg = d.message + (f" (hint: {d.hint})" if d.hint else "")
        lines.append(f"::{level[d.severity]} file={_gh_escape(d.path, True)},line={d.line},col={d.col},"
                     f"title={title}::{_gh_escape(msg)}")
    lines.append(summary(diagnostics, files))
    return "\n".join(lines)


REPORTERS: dict[str, Reporter] = {"text": text, "json": json_report, "github": github}


def pick(name: str) -> Reporter:
    """``auto`` is github under GitHub Actions, else text."""
    if name == "auto":
        name = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return REPORTERS[name]
