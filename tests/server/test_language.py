"""The workspace answers in its reader's language, whatever the server process's locale: pages in
Chinese (their templates are Chinese), the API by Accept-Language (Chinese by default), and the
CLI's --server mode asks for its own language."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import lb
from server_helpers import MARKET, World, serving, world
from starlette.testclient import TestClient

from engine import i18n
from engine.server.language import request_language


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    made = world(tmp_path, {"li": ("clerk", "综合窗口"), "wang": ("officer", MARKET)})
    yield made
    made.store.close()


@pytest.mark.parametrize(("header", "expected"), [
    (None, "zh"), ("", "zh"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-US,en;q=0.9,zh-CN;q=0.5", "en"),
    ("en", "en"), ("fr-FR,fr;q=0.9", "zh"), ("en;q=0", "zh"), ("de, en;q=0.3, zh-TW;q=0.4", "zh"),
    ("en;q=bogus, zh;q=0.1", "zh"), ("EN-gb", "en"), (";;,,q=", "zh"),
])
def test_accept_language_picks_one_of_ours_and_chinese_by_default(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header) == expected
    assert request_language("/api/v1/cases", header) == expected
    assert request_language("/cases", header) == "zh"  # pages: their templates are Chinese


def test_a_page_is_chinese_under_an_english_server(w: World) -> None:
    assert i18n.language() == "en"  # the process (the suite runs under LANG=C)
    with TestClient(w.app()) as client:
        r = client.get("/login", headers={"accept-language": "en"})
        assert r.headers["content-language"] == "zh-CN"
        pre = r.text.split('name="csrf" value="')[1].split('"')[0]
        r = client.post("/login", data={"username": "wang", "password": "wrong password", "csrf": pre},
                        headers={"accept-language": "en"})
        assert r.status_code == 401 and "用户名或密码错误" in r.text and "wrong user name" not in r.text
    assert i18n.language() == "en"  # a request's language does not leak into the process


def test_the_api_speaks_the_requests_language(w: World) -> None:
    cid = w.case()
    auth = {"authorization": f"Bearer {w.tokens['wang']}"}
    move = {"action": "approve", "step": "licence"}
    with TestClient(w.app()) as client:
        zh = client.post(f"/api/v1/cases/{cid}/actions", headers=auth, json=move)
        en = client.post(f"/api/v1/cases/{cid}/actions", headers={**auth, "accept-language": "en-US,en;q=0.9"},
                         json=move)
    assert zh.status_code == en.status_code == 409
    assert zh.headers["content-language"] == "zh-CN" and en.headers["content-language"] == "en"
    assert "only a step that is accepted" in en.json()["message"]
    assert zh.json()["message"].startswith("环节'licence'") and "only a step" not in zh.json()["message"]


def test_the_cli_gets_the_servers_refusals_in_its_own_language(capsys: pytest.CaptureFixture[str], w: World,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cid = w.case()
    with serving(w.app()) as url:
        monkeypatch.setenv("LIANBAN_TOKEN", w.tokens["li"])
        code, _out, err = lb(capsys, "case", "accept", cid, "licence", "--on", "2021-09-29", "--server", url)
        assert code == 1 and "a clerk account may not do this" in err
        code, _out, err = lb(capsys, "--lang", "zh", "case", "accept", cid, "licence", "--on", "2021-09-29",
                             "--server", url)
        assert code == 1 and "账号不能执行此操作" in err and "may not" not in err
