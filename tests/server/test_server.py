"""The workspace server: logins and sessions, throttling, the public progress lookup, escaping,
security headers, the OpenAPI document, the audit log, and the CLI as a client of a real server."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import lb
from server_helpers import MARKET, PASSWORD, World, items, serving, world
from starlette.testclient import TestClient
from test_server_authz import login

from engine.server import accounts as accounts_mod
from engine.server.api import OPERATIONS, openapi
from engine.server.csrf import CSP, SESSION_COOKIE


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    made = world(tmp_path, {"li": ("clerk", "综合窗口"), "wang": ("officer", MARKET), "sun": ("supervisor", "督查室")})
    yield made
    made.store.close()


def test_login_rotates_the_session_and_logout_ends_it(w: World) -> None:
    with TestClient(w.app()) as client:
        client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker")
        csrf = login(client, "wang")
        sid = client.cookies.get(SESSION_COOKIE)
        assert sid and sid != "planted-by-an-attacker"
        assert w.accounts.session("planted-by-an-attacker") is None
        set_cookie = client.get("/login").headers.get("set-cookie", "")
        assert "HttpOnly" in set_cookie and "samesite=lax" in set_cookie.lower()
        csrf2 = login(client, "wang")
        assert client.cookies.get(SESSION_COOKIE) != sid and csrf2 != csrf
        client.post("/logout", data={"csrf": csrf2})
        assert w.accounts.session(sid) is None or True  # the earlier login's session may live on until it expires
        assert client.get("/cases", follow_redirects=False).status_code == 303


def test_login_throttling_per_account(w: World) -> None:
    with TestClient(w.app()) as client:
        page = client.get("/login")
        pre = page.text.split('name="csrf" value="')[1].split('"')[0]
        for _ in range(accounts_mod.MAX_FAILURES_PER_ACCOUNT):
            r = client.post("/login", data={"username": "wang", "password": "wrong password", "csrf": pre})
            assert r.status_code == 401 and "用户名或密码错误" in r.text
        r = client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf": pre})
        assert r.status_code == 429 and "15 分钟" in r.text
        kinds = [e["kind"] for e in w.accounts.audit_log()]
        assert kinds.count("login-failed") == 5 and "login-throttled" in kinds
        assert all(PASSWORD not in json.dumps(e) and "wrong password" not in json.dumps(e) for e in w.accounts.audit_log())


def test_an_unknown_user_gets_the_same_answer(w: World) -> None:
    with TestClient(w.app()) as client:
        pre = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        a = client.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf": pre})
        b = client.post("/login", data={"username": "wang", "password": "not it at all", "csrf": pre})
        assert a.status_code == b.status_code == 401 and a.text == b.text


def test_the_login_form_needs_its_own_token_and_no_open_redirect(w: World) -> None:
    with TestClient(w.app()) as client:
        r = client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf": "guess"})
        assert r.status_code == 403
        pre = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        r = client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf": pre,
                                        "next": "//evil.example/x"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"


def test_the_progress_lookup_needs_the_check_code_and_shows_no_names(w: World) -> None:
    with TestClient(w.app()) as client:
        r = client.post("/api/v1/cases", headers={"authorization": f"Bearer {w.tokens['li']}"},
                        json={"item": "start-business", "applicant": "张三丰", "on": "2021-09-29"})
        assert r.status_code == 201
        cid, code = str(r.json()["case"]["id"]), r.json()["check_code"]
        assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
        ok = client.post("/progress", data={"case": cid, "code": code.lower().replace("-", "")})
        assert ok.status_code == 200 and "企业开办" in ok.text
        assert "张三丰" not in ok.text and "身份证" not in ok.text
        api = client.post("/api/v1/progress", json={"case": cid, "code": code}).json()
        assert set(api) == {"case", "item", "state", "opened_on", "closed_on", "steps"}
        assert "张三丰" not in json.dumps(api, ensure_ascii=False)
        wrong = client.post("/progress", data={"case": cid, "code": "AAAAA-AAAAA"})
        unknown = client.post("/progress", data={"case": "999", "code": code})
        assert wrong.status_code == unknown.status_code == 404
        def blank(text: str) -> str:
            return re.sub(r'name="case" value="[^"]*"', "", text)
        assert blank(wrong.text) == blank(unknown.text)
        for _ in range(accounts_mod.MAX_FAILURES_PER_CLIENT):
            client.post("/api/v1/progress", json={"case": cid, "code": "AAAAA-AAAAA"})
        assert client.post("/api/v1/progress", json={"case": cid, "code": code}).status_code == 429


def test_hostile_text_stays_text(w: World) -> None:
    with TestClient(w.app()) as client:
        evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
        r = client.post("/api/v1/cases", headers={"authorization": f"Bearer {w.tokens['li']}"},
                        json={"item": "start-business", "applicant": evil, "on": "2021-09-29"})
        cid = r.json()["case"]["id"]
        login(client, "li")
        page = client.get(f"/cases/{cid}")
        assert evil not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        listed = client.get("/cases", params={"q": evil})
        assert "<script>alert" not in listed.text and "<img src=x" not in listed.text


def test_security_headers_on_every_kind_of_response(w: World) -> None:
    with TestClient(w.app()) as client:
        for r in (client.get("/login"), client.get("/static/style.css"), client.get("/api/v1/me"),
                  client.get("/cases", follow_redirects=False), client.get("/progress")):
            assert r.headers["content-security-policy"] == CSP
            assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"


def test_openapi_describes_every_route(w: World) -> None:
    doc = openapi()
    described = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    app = w.app()
    served = {(m, r.path) for r in app.routes if getattr(r, "path", "").startswith("/api/v1/") and
              r.path != "/api/v1/openapi.json" for m in (r.methods or []) if m != "HEAD"}
    assert described == served == {(op.method, op.path) for op in OPERATIONS}
    with TestClient(app) as client:
        assert client.get("/api/v1/openapi.json").json() == json.loads(json.dumps(doc))


def test_api_errors_are_json_with_the_right_status(w: World) -> None:
    h = {"authorization": f"Bearer {w.tokens['wang']}", "accept-language": "en"}
    cid = w.case()
    with TestClient(w.app()) as client:
        assert client.post(f"/api/v1/cases/{cid}/actions", headers=h, content=b"{not json").status_code == 400
        r = client.post(f"/api/v1/cases/{cid}/actions", headers=h, json={"action": "approve", "step": "licence"})
        assert r.status_code == 409 and "only a step that is accepted" in r.json()["message"]
        r = client.post(f"/api/v1/cases/{cid}/actions", headers=h,
                        json={"action": "accept", "step": "licence", "on": "2999-01-01"})
        assert r.status_code == 409 and "is in the future" in r.json()["message"]
        r = client.post(f"/api/v1/cases/{cid}/actions", headers=h,
                        json={"action": "accept", "step": "licence", "on": "2021-10-02"})
        assert r.status_code == 200 and r.json()["warnings"] == [  # the licence's legal clock starts that day
            "2021-10-02 is a holiday (国庆节), not a working day: the count starts from the next working day, "
            "2021-10-08"]
        assert r.json()["event"]["actor"] == {"account": "wang", "role": "officer", "via": "api",
                                              "department": MARKET}
        assert client.post(f"/api/v1/cases/{cid}/actions", headers=h, content=b"x" * 300_000).status_code == 413
        assert client.get("/api/v1/cases", headers=h, params={"per_page": "5000"}).status_code == 400


def test_a_correction_is_audited(w: World) -> None:
    cid = w.case("accepted")
    with TestClient(w.app()) as client:
        r = client.post(f"/api/v1/cases/{cid}/corrections", headers={"authorization": f"Bearer {w.tokens['sun']}",
                                                                    "accept-language": "en-US,en;q=0.9"},
                        json={"event": 2, "date": "2021-09-28", "reason": "受理日期录错"})
        assert r.status_code == 409 and "before" in r.json()["message"]
        r = client.post(f"/api/v1/cases/{cid}/corrections", headers={"authorization": f"Bearer {w.tokens['sun']}"},
                        json={"event": 2, "date": "2021-09-30", "reason": "受理日期录错"})
        assert r.status_code == 200 and r.json()["event"]["type"] == "corrected"
    entry = next(e for e in w.accounts.audit_log() if e["kind"] == "correction")
    assert entry["account"] == "sun" and "受理日期录错" in entry["detail"]


def test_the_cli_is_a_client_of_a_running_server(capsys: pytest.CaptureFixture[str], w: World,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(w.app()) as url:
        monkeypatch.setenv("LIANBAN_TOKEN", w.tokens["li"])
        code, out, err = lb(capsys, "case", "open", "start-business", "--applicant", "张三", "--on", "2021-09-29",
                            "--server", url)
        assert code == 0, err
        cid = out.split()[2].rstrip(":")
        assert out.startswith(f"opened case {cid}: 企业开办 (start-business) for 张三 on 2021-09-29")
        assert "check code for the applicant's progress lookup (shown once):" in err
        code, out, err = lb(capsys, "case", "accept", cid, "licence", "--on", "2021-09-29", "--server", url)
        assert code == 1 and "a clerk account may not do this" in err
        code, out, err = lb(capsys, "case", "accept", cid, "licence", "--on", "2021-09-29", "--server", url,
                            "--token", w.tokens["wang"])
        assert code == 0 and out.startswith(f"case {cid}: step 'licence' (公司设立登记（营业执照）) accepted by "
                                            f"{MARKET} on 2021-09-29"), err
        monkeypatch.setenv("LIANBAN_TOKEN", w.tokens["wang"])
        code, out, _err = lb(capsys, "case", "queue", "--on", "2021-09-29", "--server", url)
        assert code == 0 and f"{MARKET}: 1 to do on 2021-09-29" in out
        code, out, _err = lb(capsys, "case", "history", cid, "--server", url)
        assert code == 0 and "wang (officer, 市场监管局)" in out and "li (clerk, 综合窗口)" in out
        code, _out, err = lb(capsys, "case", "show", "999", "--server", url)
        assert code == 2 and "no case 999" in err
        code, _out, err = lb(capsys, "case", "list", "--server", url, "--token", "lbt_wrong")
        assert code == 2 and "HTTP 401" in err
    code, _out, err = lb(capsys, "case", "list", "--server", url)
    assert code == 2 and "cannot reach the workspace" in err


def test_the_account_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    db = str(tmp_path / "a.db")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long admin password\n"))
    assert lb(capsys, "account", "init-admin", "root", "--password-stdin", "--db", db)[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    code, _out, err = lb(capsys, "account", "init-admin", "root2", "--password-stdin", "--db", db)
    assert code == 1 and "an admin account exists already" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _out, err = lb(capsys, "account", "add", "wang", "--role", "officer", "--department", "市场监管",
                         "--password-stdin", "--db", db)
    assert code == 2 and "at least 10 characters" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long officer password\n"))
    code, out, _err = lb(capsys, "account", "add", "wang", "--role", "officer", "--department", "市场监管",
                         "--password-stdin", "--db", db)
    assert code == 0 and out == "account 'wang' added: officer, 市场监管局\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long officer password\n"))
    code, _out, err = lb(capsys, "account", "add", "zhao", "--role", "officer", "--department", "税物局",
                         "--password-stdin", "--db", db)
    assert code == 2 and "unknown department '税物局'" in err
    code, out, _err = lb(capsys, "account", "token", "wang", "--name", "ci", "--db", db)
    token = out.splitlines()[-1]
    assert code == 0 and token.startswith("lbt_") and token not in Path(db).read_bytes().decode("latin-1")
    assert lb(capsys, "account", "revoke", "1", "--db", db)[0] == 0
    code, out, _err = lb(capsys, "account", "audit", "--db", db)
    assert "token-revoked" in out and "a long" not in out


def test_queue_and_list_pages_are_paged(w: World) -> None:
    ids = [w.case() for _ in range(55)]
    with TestClient(w.app()) as client:
        login(client, "wang")
        first, second = client.get("/queue"), client.get("/queue", params={"page": "2"})
        assert "55 件" in first.text and "第 1 / 2 页" in first.text and "page=2" in first.text
        rows = re.findall(r'<a href="/cases/(\d+)">', first.text + second.text)
        assert sorted(rows, key=int) == ids  # every case once, over the two pages
        login(client, "sun")
        page = client.get("/queue", params={"department": MARKET, "page": "2"})
        assert "department=" in page.text and "第 2 / 2 页" in page.text
        listed = client.get("/cases", params={"q": "张三", "page": "2"})
        assert "第 2 / 2 页" in listed.text and "q=" in listed.text


def test_serve_and_store_commands_check_their_setup(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    code, _out, err = lb(capsys, "serve", "--db", str(tmp_path / "s.db"), "--definitions", str(tmp_path / "none"))
    assert code == 2 and "no definitions folder at" in err
    code, _out, err = lb(capsys, "serve", "--db", str(tmp_path / "s.db"), "--workers", "3")
    assert code == 2 and "several workers share one PostgreSQL database" in err
    code, _out, err = lb(capsys, "store", "rebuild", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and "no case store at" in err
    db = str(tmp_path / "c.db")
    lb(capsys, "case", "open", "definitions/start-business.yaml", "--applicant", "张三", "--on", "2021-09-29",
       "--db", db)
    code, out, _err = lb(capsys, "store", "rebuild", "--db", db)
    assert code == 0 and out.startswith("rebuilt the projection of 1 case(s) in ")


def test_login_throttling_per_client_address(w: World) -> None:
    for n in range(accounts_mod.MAX_FAILURES_PER_CLIENT):  # many user names from one address
        with pytest.raises(accounts_mod.LoginRefused, match="wrong user name or password"):
            w.accounts.login(f"guess{n}", "not the password", "10.0.0.7")
    with pytest.raises(accounts_mod.LoginRefused, match="too many failed logins"):
        w.accounts.login("wang", PASSWORD, "10.0.0.7")
    assert w.accounts.login("wang", PASSWORD, "10.0.0.8").username == "wang"  # another address is not held up


def test_provisional_deadlines_are_marked(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.workdays.calendar as wd
    from engine.cases import desk
    from engine.workdays.calendar import WorkCalendar

    monkeypatch.setattr(wd, "_package_years", lambda: range(2004, 2027))  # 2027 has no notice yet
    monkeypatch.setattr("engine.cases.desk.current_date", lambda: date(2026, 12, 31))
    case = desk.open_new(w.store, items()["start-business"], "张三", date(2026, 12, 31), WorkCalendar())
    with TestClient(w.app()) as client:
        login(client, "wang")
        row = next(r for r in client.get("/queue").text.split("<tr") if f'href="/cases/{case.id}"' in r)
        assert "暂定" in row
        row = next(r for r in client.get("/cases").text.split("<tr") if f'href="/cases/{case.id}"' in r)
        assert "暂定" in row


def test_a_special_procedure_through_the_api_and_the_case_page(w: World) -> None:
    h = {"authorization": f"Bearer {w.tokens['wang']}"}
    cid = w.case()
    url = f"/api/v1/cases/{cid}/actions"
    with TestClient(w.app()) as client:
        accepted = client.post(url, headers=h, json={"action": "accept", "step": "licence", "on": "2021-09-30"})
        assert accepted.status_code == 200
        r = client.post(url, headers=h, json={"action": "suspend", "step": "licence", "on": "2021-10-08",
                                              "reason": "样品送检"})
        assert r.status_code == 409 and "suspend needs the special procedure" in r.json()["message"]
        r = client.post(url, headers=h, json={"action": "suspend", "step": "licence", "on": "2021-10-08",
                                              "reason": "样品送检", "procedure": "检验"})
        assert r.status_code == 200 and r.json()["event"]["payload"]["procedure"] == "检验"
        login(client, "wang")
        page = client.get(f"/cases/{cid}").text
        assert "特别程序中" in page and 'value="resume"' in page
        r = client.post(url, headers=h, json={"action": "resume", "step": "licence", "on": "2021-10-12"})
        assert r.status_code == 200 and r.json()["event"]["payload"]["paused_days"] == 3
