"""Authorization: every API operation and every page, for every role (and for no login at all).

Each cell of the matrix runs the operation on a case in the state where it would succeed, so a
refusal can only come from authorization; a refused move must leave the event log as it was."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from server_helpers import MARKET, PASSWORD, PEOPLE, World, world
from starlette.testclient import TestClient

from engine.server.api import OPERATIONS

ROLES_OF = {name: role for name, (role, _d) in PEOPLE.items()}
EVERYONE = set(PEOPLE)
READERS = EVERYONE - {"admin"}
CASE_READERS = {"li", "wang", "zhao", "sun", "qian"}  # zhou's 卫健局 has no step in start-business: 404


@pytest.fixture(scope="module")
def w(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    made = world(tmp_path_factory.mktemp("authz"))
    yield made
    made.store.close()


@pytest.fixture(scope="module")
def client(w: World) -> Iterator[TestClient]:
    with TestClient(w.app()) as c:
        yield c


# operation -> (who may, how to call it: (world, client, headers) -> response)
Call = Callable[[World, TestClient, dict[str, str]], Any]


def _move(action: str, state: str, step: str | None = "licence", **extra: Any) -> Call:
    def call(w: World, c: TestClient, h: dict[str, str]) -> Any:
        cid = w.case(state)
        before = len(w.store.load(cid))
        r = c.post(f"/api/v1/cases/{cid}/actions", headers=h,
                   json={"action": action, "step": step, "on": "2021-09-30", **extra})
        if r.status_code >= 400:
            assert len(w.store.load(cid)) == before, "a refused move wrote an event"
        return r
    return call


API_MATRIX: dict[str, tuple[set[str], Call]] = {
    "me": (EVERYONE, lambda w, c, h: c.get("/api/v1/me", headers=h)),
    "items": (READERS, lambda w, c, h: c.get("/api/v1/items", headers=h)),
    "list_cases": (READERS, lambda w, c, h: c.get("/api/v1/cases", headers=h)),
    "show_case": (CASE_READERS, lambda w, c, h: c.get(f"/api/v1/cases/{w.case()}", headers=h)),
    "case_events": (CASE_READERS, lambda w, c, h: c.get(f"/api/v1/cases/{w.case()}/events", headers=h)),
    "case_history": (CASE_READERS, lambda w, c, h: c.get(f"/api/v1/cases/{w.case()}/history", headers=h)),
    "open_case": ({"li"}, lambda w, c, h: c.post("/api/v1/cases", headers=h,
                                                 json={"item": "start-business", "applicant": "王五",
                                                       "on": "2021-09-29"})),
    "accept": ({"wang"}, _move("accept", "fresh")),
    "approve": ({"wang"}, _move("approve", "accepted")),
    "return": ({"wang"}, _move("return", "accepted", reason="缺股东会决议")),
    "refuse": ({"wang"}, _move("refuse", "accepted", reason="名称不合规")),
    "resubmit": ({"wang", "li"}, _move("resubmit", "returned")),
    "withdraw": ({"li", "sun"}, _move("withdraw", "fresh", step=None)),
    "receive": ({"li"}, lambda w, c, h: c.post(f"/api/v1/cases/{w.case()}/receipts", headers=h,
                                               json={"materials": ["id-card"], "on": "2021-09-29"})),
    "correct": ({"sun"}, lambda w, c, h: c.post(f"/api/v1/cases/{w.case('accepted')}/corrections", headers=h,
                                                json={"event": 2, "void": True, "reason": "误操作"})),
    "queue": ({"wang", "zhao", "zhou", "sun"},
              lambda w, c, h: c.get("/api/v1/queue", headers=h,
                                    params={"department": MARKET} if h.get("x-who") == "sun" else {})),
    "queue_of_another_department": ({"sun"}, lambda w, c, h: c.get("/api/v1/queue", headers=h,
                                                                    params={"department": MARKET, "on": "2021-10-01"})
                                    if h.get("x-who") != "wang" else c.get("/api/v1/queue", headers=h,
                                                                           params={"department": "税务局"})),
}


def test_the_matrix_covers_every_operation() -> None:
    names = {op.handler.__name__ for op in OPERATIONS} - {"lookup"}  # the public lookup: test_server.py
    covered = set(API_MATRIX) - {"accept", "approve", "return", "refuse", "resubmit", "withdraw",
                                 "queue_of_another_department"}
    assert names == covered | {"act"}


@pytest.mark.parametrize("who", sorted(PEOPLE))
@pytest.mark.parametrize("operation", sorted(API_MATRIX))
def test_api_matrix(w: World, client: TestClient, operation: str, who: str) -> None:
    allowed, call = API_MATRIX[operation]
    response = call(w, client, {"authorization": f"Bearer {w.tokens[who]}", "x-who": who})
    if who in allowed:
        assert response.status_code in (200, 201), (operation, who, response.text)
    else:
        expected = (404,) if operation.startswith(("show", "case_")) and ROLES_OF[who] == "officer" else (403, 404)
        assert response.status_code in expected, (operation, who, response.status_code, response.text)
        assert response.json()["error"] in ("forbidden", "not_found")


@pytest.mark.parametrize("operation", sorted(API_MATRIX))
@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Basic YWRtaW46eA==", "Bearer "])
def test_api_needs_a_valid_token(w: World, client: TestClient, operation: str, header: str | None) -> None:
    _allowed, call = API_MATRIX[operation]
    response = call(w, client, {"authorization": header} if header else {})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_token_and_a_disabled_account_stop_working(w: World, client: TestClient) -> None:
    token_id, token = w.accounts.issue_token("qian", "short-lived")
    assert client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"}).status_code == 200
    w.accounts.revoke_token(token_id)
    assert client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"}).status_code == 401
    w.accounts.set_active("qian", False)
    assert client.get("/api/v1/me", headers={"authorization": f"Bearer {w.tokens['qian']}"}).status_code == 401
    w.accounts.set_active("qian", True)


# -- pages -----------------------------------------------------------------------------------------
def login(client: TestClient, who: str) -> str:
    """Log in through the form; return the session's CSRF token (read from a page's logout form)."""
    client.cookies.clear()
    page = client.get("/login")
    pre = page.text.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": who, "password": PASSWORD, "csrf": pre}, follow_redirects=False)
    assert r.status_code == 303, r.text
    home = client.get("/cases" if who != "admin" else "/audit")
    return home.text.split('name="csrf" value="')[1].split('"')[0]


PAGES: dict[str, set[str]] = {"/queue": {"wang", "zhao", "zhou", "sun"}, "/cases": READERS, "/intake": {"li"},
                              "/audit": {"admin", "sun"}, "/cases/{case}": CASE_READERS, "/items": READERS}


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_pages_matrix(w: World, who: str) -> None:
    with TestClient(w.app()) as client:
        csrf = login(client, who)
        cid = w.case()
        for path, allowed in PAGES.items():
            params = {"department": MARKET} if who == "sun" and path == "/queue" else {}
            r = client.get(path.format(case=cid), params=params)
            assert (r.status_code == 200) == (who in allowed), (path, who, r.status_code)
            if who not in allowed:
                assert r.status_code in (403, 404)
        for action, state, allowed in (("accept", "fresh", {"wang"}), ("resubmit", "returned", {"wang", "li"}),
                                       ("withdraw", "fresh", {"li", "sun"})):
            cid = w.case(state)
            r = client.post(f"/cases/{cid}/act", data={"csrf": csrf, "action": action, "step": "licence",
                                                       "on": "2021-09-30"}, follow_redirects=False)
            assert (r.status_code == 303) == (who in allowed), (action, who, r.status_code, r.text[:300])
        r = client.post(f"/cases/{w.case('accepted')}/correct", data={"csrf": csrf, "event": "2", "kind": "void",
                                                                      "reason": "误操作"}, follow_redirects=False)
        assert (r.status_code == 303) == (who == "sun")
        r = client.post("/intake", data={"csrf": csrf, "item": "start-business", "applicant": "赵六",
                                         "on": "2021-09-29"})
        assert (r.status_code == 201) == (who == "li")


@pytest.mark.parametrize("path", ["/", "/queue", "/cases", "/cases/1", "/intake", "/audit", "/items"])
def test_pages_without_a_login_go_to_the_login_form(client: TestClient, path: str) -> None:
    client.cookies.clear()
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/cases/1/act", "/cases/1/receive", "/cases/1/correct", "/intake", "/logout"])
def test_every_form_post_needs_the_sessions_csrf_token(w: World, path: str) -> None:
    with TestClient(w.app()) as client:
        csrf = login(client, "sun" if "correct" in path else "li")
        cid = w.case()
        before = len(w.store.load(cid))
        target = path.replace("/1/", f"/{cid}/")
        for token in (None, "", "x" * len(csrf), csrf[:-1]):
            data = {"action": "withdraw", "material": "id-card", "event": "2", "kind": "void", "reason": "r",
                    "item": "start-business", "applicant": "x"}
            if token is not None:
                data["csrf"] = token
            r = client.post(target, data=data, follow_redirects=False)
            assert r.status_code == 403, (path, token, r.status_code)
        assert len(w.store.load(cid)) == before
        client.cookies.clear()
        assert client.post(target, data={"csrf": csrf}, follow_redirects=False).status_code == 403  # no session
