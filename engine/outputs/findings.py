"""Findings as text (path:line:col, as compilers print them), JSON and GitHub annotations.

Each renderer takes a :class:`~engine.outputs.Findings` (the diagnostics of a run and how
many files it read) and :class:`~engine.outputs.Options`; they are registered in
:data:`engine.outputs.OUTPUTS` under the subject ``findings``.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence

from engine.i18n import _, ngettext
from engine.outputs import Findings, Options
from engine.validation.diagnostics import Diagnostic, Severity, title

_COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.INFO: "\033[1;36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    infos = len(diagnostics) - errors - warnings
    parts = [ngettext("{n} file checked", "{n} files checked", files).format(n=files),
             ngettext("{n} error", "{n} errors", errors).format(n=errors),
             ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings)]
    if infos:
        parts.append(ngettext("{n} suggestion", "{n} suggestions", infos).format(n=infos))
    return _(", ").join(parts)


def _hint(d: Diagnostic) -> str:
    return _("hint: {hint}").format(hint=d.hint)


def text(run: Findings, options: Options) -> str:
    diagnostics, color = run.diagnostics, options.color
    lines = []
    for d in diagnostics:
        sev = d.severity.shown
        if color:
            head = f"{_BOLD}{d.path}:{d.line}:{d.col}:{_RESET} {_COLOURS[d.severity]}{sev}{_RESET} {d.code}"
        else:
            head = f"{d.path}:{d.line}:{d.col}: {sev} {d.code}"
        hint = _(" ({hint})").format(hint=f"{_DIM if color else ''}{_hint(d)}{_RESET if color else ''}") if d.hint else ""
        lines.append(f"{head} {d.message}{hint}")
    lines.append(summary(diagnostics, run.files))
    return "\n".join(lines)


def json_report(run: Findings, options: Options) -> str:
    return json.dumps([d.as_dict() for d in run.diagnostics], ensure_ascii=False, indent=2)


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def github(run: Findings, options: Options) -> str:
    diagnostics = run.diagnostics
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in diagnostics:
        heading = _gh_escape(f"{d.code} {title(d.code)}", prop=True)
        msg = d.message + (_(" ({hint})").format(hint=_hint(d)) if d.hint else "")
        lines.append(f"::{level[d.severity]} file={_gh_escape(d.path, True)},line={d.line},col={d.col},"
                     f"title={heading}::{_gh_escape(msg)}")
    lines.append(summary(diagnostics, run.files))
    return "\n".join(lines)


def auto_format() -> str:
    """What ``--format auto`` means: github under GitHub Actions, else text."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
