"""The JSON API (``/api/v1``): the same operations as the pages, for machines and for the CLI's
``--server`` mode. Authentication is a per-account API token (``Authorization: Bearer lbt_...``,
issued by ``lianban account token``); browsers' session cookies are not accepted here, so the API
needs no CSRF token. :data:`OPERATIONS` is the route table and the source of the OpenAPI document
(``GET /api/v1/openapi.json``): a test checks that they agree.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine import __version__
from engine.cases.machine import ACTIONS
from engine.cases.projection import CaseQuery
from engine.cases.views import history_rows
from engine.errors import UsageError
from engine.i18n import _
from engine.server.accounts import Account
from engine.server.csrf import BodyTooLarge, read_body
from engine.server.errors import error_status
from engine.server.service import Workspace

__all__ = ["OPERATIONS", "openapi", "routes"]

MAX_JSON_BYTES = 256 * 1024
PER_PAGE, MAX_PER_PAGE = 50, 200


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    handler: Callable[[Workspace, Account | None, Request, dict[str, Any]], Any]
    body: dict[str, Any] | None = None     # JSON Schema of the request body
    query: tuple[str, ...] = ()
    public: bool = False
    status: int = 200


def _date(value: Any, what: str = "on") -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise UsageError(_("'{what}' must be a date YYYY-MM-DD").format(what=what))
    from engine.units import parse_date
    return parse_date(value, what)


def _text(body: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise UsageError(_("'{key}' must be a non-empty string").format(key=key))
    return value


def _page(request: Request) -> tuple[int, int]:
    try:
        page = int(request.query_params.get("page", "1"))
        per = int(request.query_params.get("per_page", str(PER_PAGE)))
    except ValueError:
        raise UsageError(_("page and per_page are whole numbers")) from None
    if page < 1 or not 1 <= per <= MAX_PER_PAGE:
        raise UsageError(_("page starts at 1; per_page is 1 to {max}").format(max=MAX_PER_PAGE))
    return per, (page - 1) * per


def _paged(page: Any, per: int, offset: int) -> dict[str, Any]:
    return {"total": page.total, "page": offset // per + 1, "per_page": per,
            "rows": [r.as_dict() for r in page.rows]}


def _event(event: Any) -> dict[str, Any]:
    return {"seq": event.seq, "type": event.type, "payload": event.payload, "at": event.at, "actor": event.actor}


# -- handlers ------------------------------------------------------------------------------------
def me(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    return {"username": account.username, "name": account.display_name, "role": account.role,
            "department": account.department}


def items(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    ws.allow(account, "items.read")
    return [{"id": a.item.id, "name": a.item.name, "lead": a.item.lead,
             "optimized_days": a.metrics.optimized_days} for a in ws.items.values()]


def list_cases(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    q = request.query_params
    per, offset = _page(request)
    query = CaseQuery(on=_date(q.get("on")) or date.today(), overdue=q.get("overdue") in ("1", "true"),
                      state=q.get("state") or None, item=q.get("item") or None, text=q.get("q") or None,
                      newest_first=q.get("order") == "newest", limit=per, offset=offset)
    return _paged(ws.cases(account, query), per, offset)


def open_case(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    case, code, warnings = ws.open_case(account, str(_text(body, "item")), str(_text(body, "applicant")),
                                        _date(body.get("on")), "api", _answers(body.get("answers")))
    return {"case": case.as_dict(), "check_code": code, "warnings": warnings}


def _answers(value: Any) -> str | None:
    """``answers`` of an opening: ``"area_m2=300,gas=yes"``, or an object ``{"area_m2": 300, "gas": true}``."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float, bool)) for v in value.values()):
        raise UsageError(_("'answers' must be \"question=answer,...\" or an object of question ids to answers"))
    for k, v in value.items():
        if any(c in f"{k}{v}" for c in ",，="):
            raise UsageError(_("answer '{key}' may not hold a comma or '='").format(key=str(k)[:40]))
    return ",".join(f"{k}={('yes' if v else 'no') if isinstance(v, bool) else v}" for k, v in value.items())


def show_case(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    case = ws.case(account, request.path_params["case"])
    return case.as_dict(_date(request.query_params.get("on")) or date.today())


def case_events(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    case = ws.case(account, request.path_params["case"])
    return [_event(e) for e in case.events]


def case_history(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    return [r.as_dict() for r in history_rows(ws.case(account, request.path_params["case"]))]


def act(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    case, event, warnings = ws.act(account, request.path_params["case"], str(_text(body, "action")),
                                   _text(body, "step", required=False), _date(body.get("on")),
                                   _text(body, "reason", required=False), "api",
                                   _text(body, "procedure", required=False))
    return {"case": case.as_dict(), "event": _event(event), "warnings": warnings}


def receive(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    materials = body.get("materials")
    if not isinstance(materials, list) or not all(isinstance(m, str) for m in materials):
        raise UsageError(_("'materials' must be a list of material ids"))
    case, event = ws.receive(account, request.path_params["case"], materials, _date(body.get("on")), "api")
    return {"case": case.as_dict(), "event": _event(event)}


def correct(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    target = body.get("event")
    if not isinstance(target, int) or isinstance(target, bool):
        raise UsageError(_("'event' must be the number of the event to correct"))
    case, event = ws.correct(account, request.path_params["case"], target, str(_text(body, "reason")),
                             _date(body.get("date"), "date"), bool(body.get("void")), "api")
    return {"case": case.as_dict(), "event": _event(event)}


def queue(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    assert account is not None
    per, offset = _page(request)
    on = _date(request.query_params.get("on")) or date.today()
    page = ws.queue(account, on, request.query_params.get("department") or None, per, offset)
    return {"department": request.query_params.get("department") or account.department, "on": on.isoformat(),
            **_paged(page, per, offset)}


def lookup(ws: Workspace, account: Account | None, request: Request, body: dict[str, Any]) -> Any:
    from engine.server.errors import public_progress
    return public_progress(ws, str(body.get("case", "")), str(body.get("code", "")), _client(request))


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


CASE = {"type": "object"}
OPERATIONS: list[Operation] = [
    Operation("GET", "/api/v1/me", "the account of the token", me),
    Operation("GET", "/api/v1/items", "the items this workspace runs", items),
    Operation("GET", "/api/v1/cases", "a page of cases (search, filters)", list_cases,
              query=("q", "state", "item", "overdue", "on", "order", "page", "per_page")),
    Operation("POST", "/api/v1/cases", "open a case (window clerks); returns its check code once", open_case,
              body={"type": "object", "required": ["item", "applicant"],
                    "properties": {"item": {"type": "string"}, "applicant": {"type": "string"},
                                   "on": {"type": "string", "format": "date"},
                                   "answers": {"oneOf": [
                                       {"type": "string", "description": "question=answer,... (area_m2=300,gas=yes)"},
                                       {"type": "object", "additionalProperties": {
                                           "type": ["string", "number", "boolean"]}}]}}}, status=201),
    Operation("GET", "/api/v1/cases/{case}", "one case: flow, deadlines, materials", show_case, query=("on",)),
    Operation("GET", "/api/v1/cases/{case}/events", "every event of a case, with who acted", case_events),
    Operation("GET", "/api/v1/cases/{case}/history", "the case's history as rows (corrections marked)", case_history),
    Operation("POST", "/api/v1/cases/{case}/actions", "a move on a step (or withdraw)", act,
              body={"type": "object", "required": ["action"],
                    "properties": {"action": {"enum": list(ACTIONS)},
                                   "step": {"type": "string"}, "on": {"type": "string", "format": "date"},
                                   "reason": {"type": "string"},
                                   "procedure": {"type": "string", "description": "suspend: 听证, 检验, 专家评审 ..."}}}),
    Operation("POST", "/api/v1/cases/{case}/receipts", "materials received at the window", receive,
              body={"type": "object", "required": ["materials"],
                    "properties": {"materials": {"type": "array", "items": {"type": "string"}},
                                   "on": {"type": "string", "format": "date"}}}),
    Operation("POST", "/api/v1/cases/{case}/corrections", "a supervisor's correction of an event", correct,
              body={"type": "object", "required": ["event", "reason"],
                    "properties": {"event": {"type": "integer"}, "reason": {"type": "string"},
                                   "date": {"type": "string", "format": "date"}, "void": {"type": "boolean"}}}),
    Operation("GET", "/api/v1/queue", "what the department must do now, most urgent first", queue,
              query=("on", "department", "page", "per_page")),
    Operation("POST", "/api/v1/progress", "the applicant's progress lookup (case number + check code)", lookup,
              body={"type": "object", "required": ["case", "code"],
                    "properties": {"case": {"type": "string"}, "code": {"type": "string"}}}, public=True),
]


def _endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        ws: Workspace = request.app.state.workspace
        try:
            body: dict[str, Any] = {}
            if op.body is not None:
                raw = await read_body(request, MAX_JSON_BYTES)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    raise UsageError(_("the body is not JSON")) from None
                if not isinstance(body, dict):
                    raise UsageError(_("the body must be a JSON object"))
            account = None
            if not op.public:
                account = await run_in_threadpool(_authenticate, ws, request)
                if account is None:
                    return JSONResponse({"error": "unauthorized", "message": _("an API token is needed: "
                                         "Authorization: Bearer <token>")}, 401, {"WWW-Authenticate": "Bearer"})
            result = await run_in_threadpool(op.handler, ws, account, request, body)
        except BodyTooLarge:
            return JSONResponse({"error": "too_large", "message": _("the body is too large")}, 413)
        except Exception as exc:
            status, code = error_status(exc)
            return JSONResponse({"error": code, "message": str(exc)}, status)
        return JSONResponse(result, op.status)
    return endpoint


def _authenticate(ws: Workspace, request: Request) -> Account | None:
    header = request.headers.get("authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return ws.accounts.token_account(token.strip(), _client(request))


def openapi() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        entry: dict[str, Any] = {"summary": op.summary, "operationId": f"{op.handler.__name__}",
                                 "responses": {str(op.status): {"description": "done",
                                                                "content": {"application/json": {"schema": {}}}},
                                               "400": {"description": "bad input"}, "403": {"description": "denied"},
                                               "404": {"description": "no such case"},
                                               "409": {"description": "the move is not allowed now"}}}
        if not op.public:
            entry["security"] = [{"token": []}]
            entry["responses"]["401"] = {"description": "no valid token"}
        params = [{"name": "case", "in": "path", "required": True, "schema": {"type": "string"}}] \
            if "{case}" in op.path else []
        params += [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}} for q in op.query]
        if params:
            entry["parameters"] = params
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {"openapi": "3.1.0", "info": {"title": "lianban workspace API", "version": __version__},
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}}, "paths": paths}


async def openapi_endpoint(request: Request) -> Response:
    return JSONResponse(openapi())


def routes() -> list[Route]:
    out = [Route(op.path, _endpoint(op), methods=[op.method], name=op.handler.__name__) for op in OPERATIONS]
    out.append(Route("/api/v1/openapi.json", openapi_endpoint, methods=["GET"]))
    return out
