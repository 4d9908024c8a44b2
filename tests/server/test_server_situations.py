"""The applicant's situation through the workspace: `case open --server URL --answers`, the API's
``answers`` and the window's intake form with the item's questions."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import lb
from server_helpers import MARKET, World, items, serving, world
from starlette.testclient import TestClient
from test_server_authz import login

from engine.situations import parse_answers, specialise


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    made = world(tmp_path, {"li": ("clerk", "综合窗口"), "wang": ("officer", MARKET)})
    yield made
    made.store.close()


def situation_of(answers: str) -> str:
    general = items()["start-business"].item.general
    return specialise(general, parse_answers(general, answers)).situation.describe()  # type: ignore[union-attr]


def test_the_cli_opens_a_case_in_the_applicants_situation(capsys: pytest.CaptureFixture[str], w: World,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(w.app()) as url:
        monkeypatch.setenv("LIANBAN_TOKEN", w.tokens["li"])
        code, out, err = lb(capsys, "case", "open", "start-business", "--applicant", "张三", "--on", "2021-09-29",
                            "--answers", "entity=sole,needs_seal=no", "--server", url)
        assert code == 0, err
        assert f"  situation 「{situation_of('entity=sole,needs_seal=no')}」" in out
        assert "印章刻制备案" not in out and "公安局" not in out  # no seal step in this situation
        code, out, err = lb(capsys, "case", "open", "start-business", "--applicant", "张三", "--on", "2021-09-29",
                            "--answers", "entiy=sole", "--server", url)
        assert (code, out) == (2, "") and "did you mean 'entity'?" in err and "HTTP 400" in err


def test_the_api_takes_answers_as_text_or_an_object(w: World) -> None:
    headers = {"authorization": f"Bearer {w.tokens['li']}"}  # no Accept-Language: the workspace's Chinese
    with TestClient(w.app()) as client:
        body = {"item": "start-business", "applicant": "张三", "on": "2021-09-29"}
        r = client.post("/api/v1/cases", headers=headers, json={**body, "answers": {"entity": "sole", "needs_seal": False}})
        assert r.status_code == 201, r.text
        assert r.json()["case"]["situation"]["description"] == situation_of("entity=sole,needs_seal=no")
        r = client.post("/api/v1/cases", headers=headers, json={**body, "answers": "needs_seal=yes"})
        assert r.json()["case"]["situation"]["answers"]["needs_seal"] is True
        for bad, message in (({"entity": ["sole"]}, "'answers' 必须是"), ({"entity": "a,b"}, "中不能有逗号"),
                             ("entity=nobody", "不是'entity'的选项")):
            r = client.post("/api/v1/cases", headers=headers, json={**body, "answers": bad})
            assert r.status_code == 400 and message in r.json()["message"], r.text


def test_the_intake_form_asks_the_items_questions(w: World) -> None:
    with TestClient(w.app()) as client:
        csrf = login(client, "li")
        page = client.get("/intake", params={"item": "start-business"}).text
        assert 'name="answer.entity"' in page and 'name="answers_for" value="start-business"' in page
        assert "有限责任公司（自然人独资）" in page
        assert 'name="answer.entity"' not in client.get("/intake").text  # no item chosen yet
        form = {"csrf": csrf, "item": "start-business", "applicant": "赵六", "on": "2021-09-29",
                "answers_for": "start-business", "answer.entity": "sole", "answer.needs_seal": "no",
                "answer.needs_invoice": ""}
        r = client.post("/intake", data=form)
        assert r.status_code == 201, r.text
        assert f"申请情形：{situation_of('entity=sole,needs_seal=no')}" in r.text
        r = client.post("/intake", data={**form, "answer.entity": "<script>"})
        assert r.status_code == 400 and "不是&#39;entity&#39;的选项" in r.text and "<script>" not in r.text
        assert 'name="answer.entity"' in r.text  # the questions stay on the form
        # answers for another item than the one chosen in the end are not used
        r = client.post("/intake", data={**form, "answers_for": "other-item"})
        assert r.status_code == 201 and f"申请情形：{situation_of('')}" in r.text  # the default situation
