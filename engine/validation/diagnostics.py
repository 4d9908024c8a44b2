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


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()


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
    "E100": (Severity.ERROR, "YAML syntax error"),
    "E101": (Severity.ERROR, "duplicate key"),
    "E102": (Severity.ERROR, "more than one YAML document"),
    "E103": (Severity.ERROR, "top level is not a mapping"),
    "E104": (Severity.ERROR, "empty file"),
    "E105": (Severity.ERROR, "file is not valid UTF-8"),
    "E106": (Severity.ERROR, "YAML tag not allowed"),
    "E107": (Severity.ERROR, "alias expansion too large"),
    "E108": (Severity.ERROR, "nesting too deep"),
    "E109": (Severity.ERROR, "file too large"),
    "E110": (Severity.ERROR, "file cannot be read"),
    # structure, from the JSON Schema (E2xx)
    "E201": (Severity.ERROR, "required field missing"),
    "E202": (Severity.ERROR, "unknown field"),
    "E203": (Severity.ERROR, "wrong type"),
    "E204": (Severity.ERROR, "invalid value"),
    # meaning (E3xx errors, W3xx warnings)
    "E301": (Severity.ERROR, "duplicate item id"),
    "E302": (Severity.ERROR, "duplicate step id"),
    "E303": (Severity.ERROR, "duplicate material id"),
    "E304": (Severity.ERROR, "unknown department"),
    "E305": (Severity.ERROR, "unknown step in needs"),
    "E306": (Severity.ERROR, "unknown material"),
    "E307": (Severity.ERROR, "step needs itself"),
    "E308": (Severity.ERROR, "dependency cycle"),
    "E309": (Severity.ERROR, "commitment shorter than the longest dependency chain"),
    "E310": (Severity.ERROR, "material produced by more than one step"),
    "E311": (Severity.ERROR, "document cycle"),
    "E312": (Severity.ERROR, "warning level listed twice"),
    "W321": (Severity.WARNING, "partner has no step"),
    "W322": (Severity.WARNING, "step department is neither lead nor partner"),
    "W323": (Severity.WARNING, "lead has no step"),
    "W324": (Severity.WARNING, "department listed twice"),
    "W325": (Severity.WARNING, "produced material also asked from the applicant too early"),
    "W326": (Severity.WARNING, "same material listed twice in a step"),
    "W327": (Severity.WARNING, "file name differs from item id"),
    "W328": (Severity.WARNING, "local material shadows a catalog material"),
    "W329": (Severity.WARNING, "step time limit exceeds its legal limit"),
    # situations and form fields (E331-E341 errors, W341-W347 warnings)
    "E331": (Severity.ERROR, "unknown question in a condition"),
    "E332": (Severity.ERROR, "answer of the wrong type"),
    "E333": (Severity.ERROR, "unknown option"),
    "E334": (Severity.ERROR, "duplicate question, option or field id"),
    "E335": (Severity.ERROR, "step needs a step its situation leaves out"),
    "E336": (Severity.ERROR, "material issued by a step its situation leaves out"),
    "E337": (Severity.ERROR, "commitment that a situation cannot keep"),
    "E338": (Severity.ERROR, "question depends on a later question"),
    "E339": (Severity.ERROR, "unknown form field or field source"),
    "E340": (Severity.ERROR, "frequencies that do not add up"),
    "E341": (Severity.ERROR, "conditions too large"),
    "W341": (Severity.WARNING, "in no situation"),
    "W342": (Severity.WARNING, "question no condition uses"),
    "W343": (Severity.WARNING, "frequency range across a threshold"),
    "W344": (Severity.WARNING, "too many situations to check each"),
    "W345": (Severity.WARNING, "condition that always holds"),
    "W346": (Severity.WARNING, "same form field listed twice in a step"),
    "W347": (Severity.WARNING, "options no condition tells apart"),
    # catalogs (E4xx)
    "E401": (Severity.ERROR, "catalog not found"),
    "E402": (Severity.ERROR, "duplicate catalog name or alias"),
    "E403": (Severity.ERROR, "invalid calendar file"),
    # suggestions from the analysis (I5xx)
    "I501": (Severity.INFO, "look-alike materials not linked in the catalog"),
}


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
