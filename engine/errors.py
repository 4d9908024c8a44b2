"""The one error policy: every expected failure is a :class:`LianbanError` that carries its exit code.

The CLI handles them in one place (:func:`engine.cli.main`): one line on standard error,
``lianban: <label>: <message>``, and the class's :attr:`~LianbanError.exit_code`. Anything
else is a bug and gets "please report this". Exit codes:

* 0 done; 1 findings (errors, or warnings under ``--strict``) or a move refused by a case;
* 2 usage, input, I/O, store and calendar problems (:class:`LianbanError` and most subclasses);
* 3 an internal error (a bug); 130 interrupted.
"""
from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130


class LianbanError(Exception):
    """An expected failure the CLI reports in one line (usage, input or I/O problems: exit 2)."""

    exit_code: ClassVar[int] = EXIT_USAGE
    label: ClassVar[str] = "error"  # translated where shown (engine.cli.label)


class UsageError(LianbanError):
    """Bad arguments: a wrong path, an unknown name, a value out of range."""


class RefusedError(LianbanError):
    """A move the rules do not allow now (an illegal case transition, a lost race): exit 1."""

    exit_code: ClassVar[int] = EXIT_REFUSED
    label: ClassVar[str] = "refused"


class InputEndedError(LianbanError):
    """The input ended (end of file, Ctrl-D) before a questionnaire was finished: exit 1, nothing written."""

    exit_code: ClassVar[int] = EXIT_REFUSED
    label: ClassVar[str] = "stopped"
