"""Message catalogs: the interface speaks Chinese when the locale says so, else English.

Every user-facing string is written in English in the code, wrapped in :func:`_` (or
:func:`ngettext` for counts), and translated through the gettext catalog
``engine/locale/<lang>/LC_MESSAGES/lianban.mo`` (compiled from the ``.po`` beside it).
Strings defined at import time (tables of titles, argparse help) are marked with
:func:`N_` and translated where they are shown. Codes (E304 …), ids and JSON keys are
never translated.

The language is chosen once per process by :func:`set_language`: ``--lang`` on the command
line, else the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set (``zh_CN.UTF-8``,
``zh_TW``, ``zh`` → Chinese; anything else, ``C`` included → English).
"""
from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

DOMAIN = "lianban"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")  # "en" is the source language: no catalog
_CATALOG_NAME = {"zh": "zh_CN"}

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
# a request's own language (the workspace server answers each request in its reader's language)
_scoped: ContextVar[tuple[str, gettext.NullTranslations] | None] = ContextVar("lianban_language", default=None)


def detect(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: ``zh`` or ``en`` (POSIX precedence)."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(language: str | None = None) -> str:
    """Use *language* (``zh``/``en``; None: from the environment) from now on; return it."""
    global _translations, _language
    lang = language or detect()
    _translations = _catalog(lang)
    _language = lang
    return lang


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[_CATALOG_NAME[lang]], fallback=True)


def language() -> str:
    """The current language: the scope's (:func:`using`), else the process's."""
    scoped = _scoped.get()
    return scoped[0] if scoped else _language


def _current() -> gettext.NullTranslations:
    scoped = _scoped.get()
    return scoped[1] if scoped else _translations


@contextmanager
def using(lang: str) -> Iterator[str]:
    """Speak *lang* (``zh``/``en``) inside the block, in this thread or task only (a server's
    request); the process's language is unchanged."""
    token = _scoped.set((lang, _catalog(lang)))
    try:
        yield lang
    finally:
        _scoped.reset(token)


def negotiate(accept_language: str | None, default: str = "zh") -> str:
    """The language an HTTP ``Accept-Language`` header prefers among ours (``zh-CN,zh;q=0.9,en;q=0.8``
    → ``zh``); *default* when it names none of them, or is absent or malformed."""
    best, best_q = default, 0.0
    for part in (accept_language or "").split(",")[:32]:
        tag, _sep, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def _(message: str) -> str:
    """*message* in the current language."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """*message* in the current language, where the same English word needs another translation
    in *context* (the error label "refused" is not the case state "refused")."""
    return _current().pgettext(context, message)


def N_(message: str) -> str:
    """Mark *message* for the catalog without translating it now (translate it where shown)."""
    return message


# The operating system's reasons (strerror is English whatever the locale: Python never sets LC_MESSAGES).
_ERRNO = {
    "ENOENT": N_("No such file or directory"), "EACCES": N_("Permission denied"), "EPERM": N_("Operation not permitted"),
    "EISDIR": N_("Is a directory"), "ENOTDIR": N_("Not a directory"), "EEXIST": N_("File exists"),
    "ENOSPC": N_("No space left on device"), "EROFS": N_("Read-only file system"),
    "ELOOP": N_("Too many levels of symbolic links"), "ENAMETOOLONG": N_("File name too long"),
    "EBUSY": N_("Device or resource busy"), "EIO": N_("Input/output error"), "EINVAL": N_("Invalid argument"),
}


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in the current language (the system's words for a
    reason we do not know, and the exception's own text when it carries no errno)."""
    import errno as _errno

    name = _errno.errorcode.get(exc.errno or -1, "")
    if name in _ERRNO and (not exc.strerror or exc.strerror == os.strerror(exc.errno or 0)):
        return _(_ERRNO[name])
    return exc.strerror or str(exc) or type(exc).__name__


def translate_argparse() -> None:
    """argparse builds its own words (``usage:``, ``options``, ``invalid choice``) with its module's
    ``_``: point it at our catalog, which carries them (engine/cli/argparse_messages.py). That
    changes argparse for the whole process, so only lianban's own command line calls it (main()),
    never a program that merely imports the engine."""
    import argparse

    argparse._ = _translations.gettext  # type: ignore[attr-defined]
    argparse.ngettext = _translations.ngettext  # type: ignore[attr-defined]


set_language()
