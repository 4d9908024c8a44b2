"""The language of each answer: the workspace speaks its reader's language, whatever the locale
the server process runs under (a service manager's ``LANG=C`` must not put English on a clerk's
page).

- Pages are Chinese: their templates are written in Chinese, so the messages shown on them
  (a refusal, a validation error) are Chinese too, never a mix.
- The JSON API follows the request's ``Accept-Language`` (``zh``, ``en``; Chinese when it names
  neither or is absent). ``lianban case --server`` sends its own language, so a refusal reads
  as the local commands' do.

Every response says which (``Content-Language``).
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.i18n import negotiate, using

API_PREFIX = "/api/"
TAGS = {"zh": b"zh-CN", "en": b"en"}


def request_language(path: str, accept_language: str | None) -> str:
    """``zh`` or ``en`` for a request to *path* with this ``Accept-Language`` header."""
    return negotiate(accept_language) if path.startswith(API_PREFIX) else "zh"


class Language:
    """ASGI middleware: each HTTP request runs in its language (:func:`engine.i18n.using`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"accept-language"),
                      None)
        lang = request_language(scope.get("path", ""), header)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-language", TAGS[lang])]
            await send(message)
        with using(lang):
            await self.app(scope, receive, send_with_language)
