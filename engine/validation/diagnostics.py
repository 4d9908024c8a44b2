"""One value type for every finding: loader, schema and semantic checks alike.

A :class:`Diagnostic` always carries a location (1-based line and column), a
stable code documented in ``docs/codes.md``, a severity, a message and, where we
can say how to fix it, a hint.  Codes and their one-line titles live in
:data:`CODES`, the single registry that the docs test checks against.
"""
from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field

from engine.i18n import N_, _


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        """The stable word (JSON, GitHub annotations): error, warning, info."""
        return self.name.lower()

    @property
    def shown(self) -> str:
        """The word people read in text findings, in the current language."""
        return _(_SHOWN[self])


_SHOWN = {Severity.INFO: N_("info"), Severity.WARNING: N_("warning"), Severity.ERROR: N_("error")}


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    code: str
    severity: Severity = field(compare=False)
    message: str  # part of identity: two findings of one code at one place are both kept
    hint: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.line < 1 or self.col < 1:
            raise ValueError(f"diagnostic location must be 1-based, got {self.line}:{self.col}")
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code}")

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity.label,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


# code -> (default severity, title).  Keep in step with docs/codes.md (a test checks).
CODES: dict[str, tuple[Severity, str]] = {
    # loading (E1xx)
    "E100": (Severity.ERROR, N_("YAML syntax error")),
    "E101": (Severity.ERROR, N_("duplicate key")),
    "E102": (Severity.ERROR, N_("more than one YAML document")),
    "E103": (Severity.ERROR, N_("top level is not a mapping")),
    "E104": (Severity.ERROR, N_("empty file")),
    "E105": (Severity.ERROR, N_("file is not valid UTF-8")),
    "E106": (Severity.ERROR, N_("YAML tag not allowed")),
    "E107": (Severity.ERROR, N_("alias expansion too large")),
    "E108": (Severity.ERROR, N_("nesting too deep")),
    "E109": (Severity.ERROR, N_("file too large")),
    "E110": (Severity.ERROR, N_("file cannot be read")),
    # typing with a Chinese input method, and YAML 1.1's numbers (engine/validation/ime.py)
    "E111": (Severity.ERROR, N_("full-width colon after a key")),
    "E112": (Severity.ERROR, N_("full-width separator inside a list item")),
    "E113": (Severity.ERROR, N_("full-width space in the indentation")),
    "E114": (Severity.ERROR, N_("full-width digits in a number")),
    "E115": (Severity.ERROR, N_("number in quotes")),
    "E116": (Severity.ERROR, N_("number only in YAML 1.1")),
    "E117": (Severity.ERROR, N_("full-width bracket or quote in YAML syntax")),
    # structure, from the JSON Schema (E2xx)
    "E201": (Severity.ERROR, N_("required field missing")),
    "E202": (Severity.ERROR, N_("unknown field")),
    "E203": (Severity.ERROR, N_("wrong type")),
    "E204": (Severity.ERROR, N_("invalid value")),
    # meaning (E3xx errors, W3xx warnings)
    "E301": (Severity.ERROR, N_("duplicate item id")),
    "E302": (Severity.ERROR, N_("duplicate step id")),
    "E303": (Severity.ERROR, N_("duplicate material id")),
    "E304": (Severity.ERROR, N_("unknown department")),
    "E305": (Severity.ERROR, N_("unknown step in needs")),
    "E306": (Severity.ERROR, N_("unknown material")),
    "E307": (Severity.ERROR, N_("step needs itself")),
    "E308": (Severity.ERROR, N_("dependency cycle")),
    "E309": (Severity.ERROR, N_("commitment shorter than the longest dependency chain")),
    "E310": (Severity.ERROR, N_("material produced by more than one step")),
    "E311": (Severity.ERROR, N_("document cycle")),
    "E312": (Severity.ERROR, N_("warning level listed twice")),
    "W321": (Severity.WARNING, N_("partner has no step")),
    "W322": (Severity.WARNING, N_("step department is neither lead nor partner")),
    "W323": (Severity.WARNING, N_("lead has no step")),
    "W324": (Severity.WARNING, N_("department listed twice")),
    "W325": (Severity.WARNING, N_("produced material also asked from the applicant too early")),
    "W326": (Severity.WARNING, N_("same material listed twice in a step")),
    "W327": (Severity.WARNING, N_("file name differs from item id")),
    "W328": (Severity.WARNING, N_("local material shadows a catalog material")),
    "W329": (Severity.WARNING, N_("step time limit exceeds its legal limit")),
    # situations and form fields (E331-E341 errors, W341-W347 warnings)
    "E331": (Severity.ERROR, N_("unknown question in a condition")),
    "E332": (Severity.ERROR, N_("answer of the wrong type")),
    "E333": (Severity.ERROR, N_("unknown option")),
    "E334": (Severity.ERROR, N_("duplicate question, option or field id")),
    "E335": (Severity.ERROR, N_("step needs a step its situation leaves out")),
    "E336": (Severity.ERROR, N_("material issued by a step its situation leaves out")),
    "E337": (Severity.ERROR, N_("commitment that a situation cannot keep")),
    "E338": (Severity.ERROR, N_("question depends on a later question")),
    "E339": (Severity.ERROR, N_("unknown form field or field source")),
    "E340": (Severity.ERROR, N_("frequencies that do not add up")),
    "E341": (Severity.ERROR, N_("conditions too large")),
    "W341": (Severity.WARNING, N_("in no situation")),
    "W342": (Severity.WARNING, N_("question no condition uses")),
    "W343": (Severity.WARNING, N_("frequency range across a threshold")),
    "W344": (Severity.WARNING, N_("too many situations to check each")),
    "W345": (Severity.WARNING, N_("condition that always holds")),
    "W346": (Severity.WARNING, N_("same form field listed twice in a step")),
    "W347": (Severity.WARNING, N_("options no condition tells apart")),
    # catalogs (E4xx)
    "E401": (Severity.ERROR, N_("catalog not found")),
    "E402": (Severity.ERROR, N_("duplicate catalog name or alias")),
    "E403": (Severity.ERROR, N_("invalid calendar file")),
    # suggestions from the analysis (I5xx)
    "I501": (Severity.INFO, N_("look-alike materials not linked in the catalog")),
}


def title(code: str) -> str:
    """The code's one-line title in the current language."""
    return _(CODES[code][1])


def severity_of(code: str) -> Severity:
    return CODES[code][0]


def make(path: str, line: int, col: int, code: str, message: str, hint: str | None = None,
         severity: Severity | None = None) -> Diagnostic:
    """Build a diagnostic with the code's default severity."""
    return Diagnostic(path, max(1, line), max(1, col), code,
                      severity if severity is not None else severity_of(code), message, hint)


def display_path(path: object) -> str:
    """How a path is shown in findings: relative to the working folder when under it."""
    text = os.fspath(path)  # type: ignore[call-overload]
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return str(text)
    return str(text) if rel.startswith("..") else rel
