"""How failures become HTTP answers, and the public progress lookup that both front ends share."""
from __future__ import annotations

from typing import Any

from engine.cases.store import ConflictError, StoreError, UnknownCaseError, load_case
from engine.errors import LianbanError, RefusedError
from engine.i18n import _
from engine.server.accounts import LoginRefused
from engine.server.service import Denied, NotFound, Workspace, progress

__all__ = ["error_status", "public_progress"]


def error_status(exc: BaseException) -> tuple[int, str]:
    """(HTTP status, error code) of a failure; anything unexpected is re-raised (a 500, logged)."""
    if isinstance(exc, Denied):
        return 403, "forbidden"
    if isinstance(exc, (NotFound, UnknownCaseError)):
        return 404, "not_found"
    if isinstance(exc, LoginRefused):
        return 429, "throttled"
    if isinstance(exc, ConflictError):
        return 409, "conflict"
    if isinstance(exc, StoreError):
        return 503, "store"
    if isinstance(exc, RefusedError):
        return 409, "refused"
    if isinstance(exc, LianbanError):
        return 400, "bad_request"
    raise exc


def public_progress(ws: Workspace, case_id: str, code: str, client: str) -> dict[str, Any]:
    """The progress of a case for whoever holds its number and check code (no login); the same
    answer for an unknown case and a wrong code, and wrong codes are throttled per client."""
    case_id = case_id.strip()
    if not case_id or not code.strip() or not ws.accounts.check(case_id, code, client):
        raise NotFound(_("no case with that number and check code"))
    try:
        return progress(load_case(ws.store, case_id))
    except UnknownCaseError:
        raise NotFound(_("no case with that number and check code")) from None
