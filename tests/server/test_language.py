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


def visible_text(html: str) -> str:
    """What a reader sees of a page: its text and the words of its controls, not tags, ids or URLs."""
    import re

    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    shown = re.findall(r'\b(?:placeholder|title|alt|aria-label)="([^"]*)"', html)
    return re.sub(r"<[^>]*>", " ", html) + "\n" + "\n".join(shown)


def test_no_english_word_on_any_workspace_page(tmp_path: Path) -> None:
    """Every page a clerk, an officer or the applicant sees, with a case in every kind of state and an
    error shown, under an English server process (the suite runs under LANG=C)."""
    from html import unescape

    from server_helpers import PEOPLE
    from test_server_authz import login
    from test_zh_walk import IDS, english_words

    full = world(tmp_path, PEOPLE)
    fresh, accepted, returned = full.case(), full.case("accepted"), full.case("returned")
    pages: dict[str, str] = {}
    with TestClient(full.app()) as client:
        pages["login"] = client.get("/login").text
        for who, paths in (("li", ["/", "/queue", "/cases", "/intake", "/items", f"/cases/{fresh}"]),
                           ("wang", ["/queue", f"/cases/{accepted}", f"/cases/{returned}", "/cases?state=open"]),
                           ("sun", [f"/cases/{returned}"]), ("admin", ["/audit"])):
            csrf = login(client, who)
            for path in paths:
                pages[f"{who} {path}"] = client.get(path).text
            if who == "wang":  # a refusal shown on the case page
                pages["wang refused"] = client.post(f"/cases/{fresh}/act", data={
                    "csrf": csrf, "action": "approve", "step": "licence"}).text
        client.cookies.clear()
        pages["progress"] = client.get("/progress").text
        pages["progress wrong"] = client.post("/progress", data={"case": fresh, "code": "wrong"}).text
    full.store.close()
    import re

    ids = IDS | set(PEOPLE) | {"testclient"}  # account names and the test client's address are data
    found = {}
    for name, html in pages.items():
        if name == "admin /audit":  # its details are stored text (data, in the language of the day they were written)
            html = re.sub(r"(?s)<td>[^<]*</td></tr>", "</tr>", html)
        text = re.sub(r"（[a-z]+\.[a-z]+）", " ", unescape(visible_text(html)))  # an operation's code: queue.read
        if words := english_words(text, ids):
            found[name] = words
    assert found == {}, found
    assert "环节" in pages["wang refused"]  # the refusal is there, in Chinese


@pytest.mark.parametrize(("lang", "words"), [("en", "no definitions folder at"), ("zh", "没有事项定义文件夹")])
def test_serve_takes_the_global_lang_for_its_own_messages(lang: str, words: str, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    code, _out, err = lb(capsys, "serve", "--lang", lang, "--db", str(tmp_path / "s.db"),
                         "--definitions", str(tmp_path / "none"))
    assert code == 2 and words in err
