"""Browser sessions, CSRF tokens, form bodies and the security headers of every response.

* The session cookie holds a random id (only its hash is stored), is HttpOnly, SameSite=Lax, and
  Secure when the server runs behind TLS (``lianban serve --secure-cookies``). Logging in always
  makes a new session id (no fixation).
* Every state-changing form carries the session's CSRF token, compared in constant time; the login
  form, which has no session yet, carries a token tied to a pre-login cookie (double submit).
* Every response has a strict Content-Security-Policy (no script, no inline style: the pages work
  without JavaScript), nosniff, no framing and a same-origin referrer.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.server import auth

__all__ = ["CSP", "SESSION_COOKIE", "Form", "SecurityHeaders", "read_form"]

SESSION_COOKIE = "lianban_session"
PRE_COOKIE = "lianban_pre"
MAX_FORM_BYTES = 64 * 1024
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
           (b"cache-control", b"no-store")]


class BodyTooLarge(Exception):
    pass


class Form:
    """A parsed application/x-www-form-urlencoded body (every value of a repeated field kept)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def get(self, key: str, default: str = "") -> str:
        for k, v in self._pairs:
            if k == key:
                return v
        return default

    def all(self, key: str) -> list[str]:
        return [v for k, v in self._pairs if k == key]

    def pairs(self) -> list[tuple[str, str]]:
        return list(self._pairs)


async def read_body(request: Request, limit: int = MAX_FORM_BYTES) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return body


async def read_form(request: Request) -> Form:
    body = await read_body(request)
    text = body.decode("utf-8", "replace")
    return Form(parse_qsl(text, keep_blank_values=True, max_num_fields=200))


def csrf_ok(expected: str | None, given: str) -> bool:
    return bool(expected) and bool(given) and auth.same(expected or "", given)


def set_session_cookie(response: Response, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=secure)


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _v in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)
        await self.app(scope, receive, send_with_headers)


Handler = Callable[..., Awaitable[Any]]
