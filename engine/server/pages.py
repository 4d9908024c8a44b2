"""The workspace's pages: server-rendered HTML in Chinese (Jinja2, autoescaped), no JavaScript.

Login; my queue; the case list and search; one case (flow picture, materials checklist, history,
the moves the account may make); the window's intake form; the applicant's progress lookup
(case number + check code, no login). Every form POST carries the session's CSRF token; every
move goes through engine/server/service.py, like the API's.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from engine.cases.clocks import PROCEDURES
from engine.cases.projection import CaseQuery
from engine.cases.views import history_rows
from engine.cases.words import label
from engine.errors import LianbanError, UsageError
from engine.server import auth
from engine.server.accounts import ROLES, Account, LoginRefused, LoginThrottled
from engine.server.csrf import PRE_COOKIE, SESSION_COOKIE, BodyTooLarge, Form, csrf_ok, read_form, set_session_cookie
from engine.server.errors import error_status, public_progress
from engine.server.flowpic import flow_picture
from engine.server.service import Workspace

__all__ = ["routes"]

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                        autoescape=select_autoescape(["html", "svg"], default=True), trim_blocks=True,
                        lstrip_blocks=True)


class _Labels(Mapping[str, str]):
    """The words for states and events, from the catalog (engine/cases/words.py) in the request's
    language: the pages say what the CLI says (等待前置环节, 已退回补正), never a word of their own."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self._keys = keys

    def __getitem__(self, key: str) -> str:
        if key not in self._keys:
            raise KeyError(key)
        return label(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


STEP_STATES = _Labels(("waiting", "ready", "accepted", "returned", "suspended", "approved", "refused"))
CASE_STATES = _Labels(("open", "in_progress", "completed", "refused", "withdrawn", "damaged"))
ACTIONS = {"accept": "受理", "approve": "办结", "return": "退回补正", "resubmit": "补正材料已提交",
           "suspend": "转入特别程序", "resume": "特别程序结束", "refuse": "不予许可",
           "withdraw": "撤回申请"}  # buttons: what the clerk does, not a state
EVENTS = _Labels(("opened", "accepted", "approved", "returned", "resubmitted", "suspended", "resumed", "refused",
                  "withdrawn", "received", "corrected"))
AUDIT_KINDS = {"login": "登录", "login-failed": "登录失败", "login-throttled": "登录受限", "account-created": "创建账号",
               "password-set": "设置密码", "account-enabled": "启用账号", "account-disabled": "停用账号",
               "token-issued": "签发令牌", "token-revoked": "吊销令牌", "token-used": "使用令牌",
               "correction": "更正"}  # the kinds (stable values in the log) as the audit page names them
DONE = {"moved": "已记录。", "received": "材料已登记。", "corrected": "更正已记录。"}
PER_PAGE = 50
TEMPLATES.globals.update(step_states=STEP_STATES, case_states=CASE_STATES, actions=ACTIONS, events=EVENTS,
                         audit_kinds=AUDIT_KINDS,
                         roles=ROLES, procedures=PROCEDURES)
Session = tuple[Account, str]


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(**context), status)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def _ws(request: Request) -> Workspace:
    workspace: Workspace = request.app.state.workspace
    return workspace


def _session(request: Request) -> Session | None:
    sid = request.cookies.get(SESSION_COOKIE)
    return _ws(request).accounts.session(sid) if sid else None


def page(handler: Callable[[Request, Session, Form | None], Any], post: bool = False
         ) -> Callable[[Request], Awaitable[Response]]:
    """A page that needs a login (else: to the login form) and, for a POST, the session's CSRF token."""
    async def endpoint(request: Request) -> Response:
        session = await run_in_threadpool(_session, request)
        if session is None:
            if post:
                return render("error.html", 403, message="登录已失效，请重新登录。", session=None)
            return RedirectResponse("/login?" + urlencode({"next": request.url.path}), 303)
        form = None
        if post:
            try:
                form = await read_form(request)
            except BodyTooLarge:
                return render("error.html", 413, message="提交的内容过大。", session=session)
            if not csrf_ok(session[1], form.get("csrf")):
                return render("error.html", 403, message="表单已过期（CSRF 校验失败），请返回重试。", session=session)
        try:
            return await run_in_threadpool(handler, request, session, form)
        except Exception as exc:
            status, _code = error_status(exc)
            return render("error.html", status, message=str(exc), session=session)
    return endpoint


def _date(text: str | None) -> date | None:
    if not text:
        return None
    from engine.units import parse_date
    return parse_date(text, "日期")


def _int(text: str | None, default: int) -> int:
    try:
        return max(1, int(text or default))
    except ValueError:
        return default


# -- login -------------------------------------------------------------------------------------
async def login_form(request: Request) -> Response:
    pre = request.cookies.get(PRE_COOKIE) or auth.new_token()
    response = render("login.html", csrf=pre, next=_safe_next(request.query_params.get("next")), session=None)
    set_session_cookie(response, PRE_COOKIE, pre, request.app.state.secure_cookies)
    return response


async def login(request: Request) -> Response:
    try:
        form = await read_form(request)
    except BodyTooLarge:
        return render("error.html", 413, message="提交的内容过大。", session=None)
    pre = request.cookies.get(PRE_COOKIE)
    if not csrf_ok(pre, form.get("csrf")):
        return render("error.html", 403, message="表单已过期（CSRF 校验失败），请刷新登录页。", session=None)
    ws = _ws(request)
    try:
        account = await run_in_threadpool(ws.accounts.login, form.get("username").strip(), form.get("password"),
                                          _client(request))
    except LoginRefused as exc:
        throttled = isinstance(exc, LoginThrottled)  # (never the wording: it is translated)
        message = "登录失败次数过多，请 15 分钟后再试。" if throttled else "用户名或密码错误。"
        return render("login.html", 429 if throttled else 401, csrf=pre, next=_safe_next(form.get("next")),
                      error=message, session=None)
    sid, _csrf = await run_in_threadpool(ws.accounts.new_session, account)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await run_in_threadpool(ws.accounts.end_session, old)
    response = RedirectResponse(_safe_next(form.get("next")) or "/", 303)
    set_session_cookie(response, SESSION_COOKIE, sid, request.app.state.secure_cookies)
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no //host, no scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


def logout(request: Request, session: Session, form: Form | None) -> Response:
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        _ws(request).accounts.end_session(sid)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def home(request: Request, session: Session, form: Form | None) -> Response:
    role = session[0].role
    target = {"officer": "/queue", "clerk": "/intake", "admin": "/audit"}.get(role, "/cases")
    return RedirectResponse(target, 303)


# -- reading -----------------------------------------------------------------------------------
def queue_page(request: Request, session: Session, form: Form | None) -> Response:
    ws, account = _ws(request), session[0]
    on = _date(request.query_params.get("on")) or date.today()
    number = _int(request.query_params.get("page"), 1)
    department = request.query_params.get("department") or account.department
    result = ws.queue(account, on, department, PER_PAGE, (number - 1) * PER_PAGE)
    keep = urlencode({"department": department}) if department != account.department else ""
    return render("queue.html", session=session, rows=result.rows, total=result.total, page=number, keep=keep,
                  pages=max(1, -(-result.total // PER_PAGE)), department=department, on=on,
                  departments=ws.departments if ws.may(account, "queue.any") else [])


def cases_page(request: Request, session: Session, form: Form | None) -> Response:
    ws, account = _ws(request), session[0]
    q = request.query_params
    number = _int(q.get("page"), 1)
    on = date.today()
    query = CaseQuery(on=on, overdue=q.get("overdue") == "1", state=q.get("state") or None,
                      item=q.get("item") or None, text=q.get("q") or None, newest_first=True, limit=PER_PAGE,
                      offset=(number - 1) * PER_PAGE)
    result = ws.cases(account, query)
    keep = {k: v for k, v in q.items() if k != "page" and v}
    return render("cases.html", session=session, rows=result.rows, total=result.total, page=number,
                  pages=max(1, -(-result.total // PER_PAGE)), q=q, keep=urlencode(keep), items=ws.items)


def case_page(request: Request, session: Session, form: Form | None, error: str | None = None,
              status: int = 200) -> Response:
    ws, account = _ws(request), session[0]
    case = ws.case(account, request.path_params["case"])
    today = date.today()
    late = {r.id for r in case.overdue(today)}
    history = history_rows(case)
    returns = [h for h in history if h.type == "returned"]
    return render("case.html", status, session=session, case=case, late=late, history=history, returns=returns,
                  picture=flow_picture(case, late), moves=ws.moves(account, case), today=today,
                  may_receive=ws.may(account, "case.receive") and not case.state.closed,
                  may_withdraw=ws.may(account, "case.withdraw") and not case.state.closed,
                  may_correct=ws.may(account, "case.correct"), done=DONE.get(request.query_params.get("done", "")),
                  error=error)


# -- moves -------------------------------------------------------------------------------------
def _after(request: Request, session: Session, work: Callable[[], Any], done: str) -> Response:
    try:
        work()
    except LianbanError as exc:
        status, _code = error_status(exc)
        if status in (400, 409):
            return case_page(request, session, None, error=str(exc), status=status)
        raise
    return RedirectResponse(f"/cases/{request.path_params['case']}?done={done}", 303)


def act(request: Request, session: Session, form: Form | None) -> Response:
    assert form is not None
    ws, account = _ws(request), session[0]
    return _after(request, session, lambda: ws.act(account, request.path_params["case"], form.get("action"),
                                                   form.get("step") or None, _date(form.get("on")),
                                                   form.get("reason") or None, "web", form.get("procedure") or None),
                  "moved")


def receive(request: Request, session: Session, form: Form | None) -> Response:
    assert form is not None
    ws, account = _ws(request), session[0]
    return _after(request, session, lambda: ws.receive(account, request.path_params["case"], form.all("material"),
                                                       _date(form.get("on")), "web"), "received")


def correct(request: Request, session: Session, form: Form | None) -> Response:
    assert form is not None
    ws, account = _ws(request), session[0]
    try:
        target = int(form.get("event"))
    except ValueError:
        raise UsageError("请填写要更正的事件编号。") from None
    void = form.get("kind") == "void"
    return _after(request, session, lambda: ws.correct(account, request.path_params["case"], target,
                                                       form.get("reason"), None if void else _date(form.get("date")),
                                                       void, "web"), "corrected")


def intake_form(request: Request, session: Session, form: Form | None) -> Response:
    ws = _ws(request)
    ws.allow(session[0], "case.open")
    chosen = request.query_params.get("item") or ""
    return render("intake.html", session=session, items=ws.items, today=date.today(), error=None,
                  values={"item": chosen}, questions=_questions(ws, chosen), answers={})


def _questions(ws: Workspace, item_id: str) -> list[dict[str, Any]]:
    """The questions of the item *item_id* asks, for the intake form (none for an unknown item)."""
    from engine.situations.conditions import TRUE, describe
    from engine.situations.specialisation import default_answers

    analysis = ws.items.get(item_id)
    if analysis is None:
        return []
    general = analysis.item.general or analysis.item
    by_id = {q.id: q for q in general.questions}
    defaults = default_answers(general)
    out = []
    for q in general.questions:
        options = [("yes", q.options[0].text), ("no", q.options[1].text)] if q.type == "yes-no" else \
            [(o.id, o.text) for o in q.options]
        default = defaults.get(q.id)
        shown = None if default is None else q.number_text(float(default)) if q.type == "number" else \
            q.answer_text(default)
        out.append({"id": q.id, "text": q.text, "type": q.type, "help": q.help, "options": options, "unit": q.unit,
                    "min": q.minimum, "max": q.maximum, "default": shown,
                    "when": describe(q.when, by_id) if q.when != TRUE else None})
    return out


def _form_answers(form: Form) -> tuple[str | None, dict[str, str]]:
    """The answers the intake form carries (``answer.<question>`` fields of the item it showed questions
    for), as ``q=a,...`` (None when it showed none: the default situation), and by question."""
    given = {k.removeprefix("answer."): v.strip() for k, v in form.pairs() if k.startswith("answer.") and v.strip()}
    if form.get("answers_for") != form.get("item"):
        return None, {}
    for qid, v in given.items():
        if any(c in qid + v for c in ",，="):
            raise UsageError(f"答案不能包含逗号或等号：{qid[:40]}")
    return ",".join(f"{k}={v}" for k, v in given.items()), given


def intake(request: Request, session: Session, form: Form | None) -> Response:
    assert form is not None
    ws = _ws(request)
    given: dict[str, str] = {}
    try:
        text, given = _form_answers(form)
        case, code, warnings = ws.open_case(session[0], form.get("item"), form.get("applicant"),
                                            _date(form.get("on")), "web", text)
    except LianbanError as exc:
        status, _code = error_status(exc)
        if status not in (400, 409):
            raise
        shown = form.get("answers_for") if form.get("answers_for") == form.get("item") else ""
        return render("intake.html", status, session=session, items=ws.items, today=date.today(), error=str(exc),
                      values={"item": form.get("item"), "applicant": form.get("applicant"), "on": form.get("on")},
                      questions=_questions(ws, shown), answers=given)
    return render("intake_done.html", 201, session=session, case=case, code=code, warnings=warnings)


def items_page(request: Request, session: Session, form: Form | None) -> Response:
    ws = _ws(request)
    ws.allow(session[0], "items.read")
    return render("items.html", session=session, items=ws.items)


def audit(request: Request, session: Session, form: Form | None) -> Response:
    ws = _ws(request)
    ws.allow(session[0], "audit.read")
    return render("audit.html", session=session, entries=ws.accounts.audit_log(200))


# -- the public progress lookup ------------------------------------------------------------------
async def progress_form(request: Request) -> Response:
    return render("progress.html", session=None, result=None, error=None, case_id="")


async def progress(request: Request) -> Response:
    try:
        form = await read_form(request)
    except BodyTooLarge:
        return render("progress.html", 413, session=None, result=None, error="提交的内容过大。", case_id="")
    case_id = form.get("case").strip()
    try:
        result = await run_in_threadpool(public_progress, _ws(request), case_id, form.get("code"), _client(request))
    except LianbanError as exc:
        status, _code = error_status(exc)
        message = "查询过于频繁，请 15 分钟后再试。" if status == 429 else "未找到：请核对办件编号和查询码。"
        return render("progress.html", status, session=None, result=None, error=message, case_id=case_id)
    return render("progress.html", session=None, result=result, error=None, case_id=case_id)


def routes() -> list[Route]:
    return [
        Route("/login", login_form, methods=["GET"]), Route("/login", login, methods=["POST"]),
        Route("/logout", page(logout, post=True), methods=["POST"]),
        Route("/", page(home), methods=["GET"]),
        Route("/queue", page(queue_page), methods=["GET"]),
        Route("/cases", page(cases_page), methods=["GET"]),
        Route("/cases/{case}", page(case_page), methods=["GET"]),
        Route("/cases/{case}/act", page(act, post=True), methods=["POST"]),
        Route("/cases/{case}/receive", page(receive, post=True), methods=["POST"]),
        Route("/cases/{case}/correct", page(correct, post=True), methods=["POST"]),
        Route("/intake", page(intake_form), methods=["GET"]), Route("/intake", page(intake, post=True), methods=["POST"]),
        Route("/audit", page(audit), methods=["GET"]), Route("/items", page(items_page), methods=["GET"]),
        Route("/progress", progress_form, methods=["GET"]), Route("/progress", progress, methods=["POST"]),
    ]
