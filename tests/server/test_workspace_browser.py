"""The workspace in a real browser (Debian's headless chromium over the DevTools pipe, as
tests/test_browser.py drives it): a window clerk opens a case and records materials, two
departments complete it with a 补正 round, a second browser session of the wrong department is
refused, and the applicant looks the case up by number and check code. Every page must load with
no console error, no CSP violation, and no request outside the workspace."""
from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import CATALOG, VALID
from server_helpers import MARKET, PASSWORD, TAX, World, serving, world

from engine.flow.analysis import analyze
from engine.validation.tree import load_items

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outputs"))
_browser = importlib.import_module("test_browser")  # tests/outputs/test_browser.py: the DevTools-pipe client
CHROMIUM, Chromium, problems = _browser.CHROMIUM, _browser.Chromium, _browser.problems

TODAY = date.today().isoformat()


class Session:
    """One browser (its own profile: its own cookies) on the workspace at `base`."""

    def __init__(self, chrome: Chromium, base: str) -> None:
        self.chrome, self.base = chrome, base

    def problems(self) -> list[str]:
        return [p for p in problems(self.chrome.events) if not p.startswith(f"network request: {self.base}/")]

    def goto(self, path: str) -> str:
        self.chrome.events.clear()
        self.chrome.call("Page.navigate", session=self.chrome.session, url=self.base + path)
        self.chrome.wait_for("Page.loadEventFired")
        return self.settle()

    def settle(self, status: int | None = None) -> str:
        """The page's text once loaded; with `status`, the one failed load expected (e.g. a 404 answer)."""
        self.chrome.evaluate("1")
        seen = self.problems()
        if status is not None:
            assert len(seen) == 1 and f"status of {status}" in seen[0], seen
        else:
            assert seen == [], seen
        return str(self.chrome.evaluate("document.body.innerText"))

    def submit(self, form: str, values: dict[str, str] | None = None, button: str | None = None,
               status: int | None = None) -> str:
        """Fill `values` (selector -> value; 'check' ticks a checkbox) in the form and click its button."""
        script = [f"const f = document.querySelector({json.dumps(form)});"]
        for selector, value in (values or {}).items():
            target = f"f.querySelector({json.dumps(selector)})"
            script.append(f"{target}.checked = true;" if value == "check" else f"{target}.value = {json.dumps(value)};")
        script.append(f"f.querySelector({json.dumps(button or 'button')}).click();")
        self.chrome.events.clear()
        self.chrome.evaluate(" ".join(script))
        self.chrome.wait_for("Page.loadEventFired")
        return self.settle(status)

    def login(self, who: str) -> str:
        self.goto("/login")
        return self.submit("form[action='/login']", {"[name=username]": who, "[name=password]": PASSWORD})

    def text(self, selector: str) -> Any:
        return self.chrome.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    if CHROMIUM is None:
        message = "chromium is not installed: apt-get install -y chromium fonts-noto-cjk"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("defs")
    (folder / "demo.yaml").write_text(VALID, encoding="utf-8")
    items, result = load_items([folder], CATALOG)
    assert items, [d.message for d in result.diagnostics]
    w = world(tmp_path_factory.mktemp("ws"), {"li": ("clerk", "综合窗口"), "wang": ("officer", MARKET),
                                              "zhao": ("officer", TAX)}, {"demo": analyze(items[0])})
    with serving(w.app()) as base:
        yield w, base
    w.store.close()


@pytest.fixture
def browsers(tmp_path: Path, workspace: tuple[World, str]) -> Iterator[tuple[Session, Session]]:
    _w, base = workspace
    one, two = Chromium(str(CHROMIUM), tmp_path / "one"), Chromium(str(CHROMIUM), tmp_path / "two")
    try:
        yield Session(one, base), Session(two, base)
    finally:
        one.close()
        two.close()


def test_a_case_from_the_window_to_completion(workspace: tuple[World, str], browsers: tuple[Session, Session]) -> None:
    w, _base = workspace
    first, second = browsers
    # the window clerk opens the case
    text = first.login("li")
    assert "综合窗口收件" in text
    text = first.submit("#intake", {"[name=applicant]": "张三", "[name=on]": TODAY})
    case_id, code = first.text("#case-id"), first.text("#check-code")
    assert case_id and code and f"办件 {case_id}" in text
    first.goto(f"/cases/{case_id}")
    text = first.submit("#materials", {"[value='form-a']": "check"})
    assert "材料已登记" in text and "1 / 1 已收" in text
    first.submit("form[action='/logout']")

    # 市场监管局 takes it in and returns it for correction (补正)
    text = first.login("wang")
    assert "市场监管局 · 待办" in text and case_id in first.text("#queue")
    first.goto(f"/cases/{case_id}")
    first.submit("#move-accept-licence")
    text = first.submit("#move-return-licence", {"[name=reason]": "缺股东会决议"})
    assert "已退回补正" in text and "缺股东会决议" in first.text("#returns")

    # a second browser, logged in as 税务局, cannot act on 市场监管局's step
    second.login("zhao")
    second.goto(f"/cases/{case_id}")
    assert second.chrome.evaluate("document.querySelectorAll('form.move[id^=move-]').length") == 0
    before = len(w.store.load(case_id))
    csrf = second.chrome.evaluate("document.querySelector('form[action=\"/logout\"] [name=csrf]').value")
    second.chrome.events.clear()
    second.chrome.evaluate(  # a hand-made form: what a person could send whatever the page offers
        "const f = document.createElement('form'); f.method = 'post'; "
        f"f.action = '/cases/{case_id}/act'; "
        f"for (const [k, v] of Object.entries({json.dumps({'csrf': csrf, 'action': 'resubmit', 'step': 'licence'})}))"
        " { const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i); } "
        "document.body.appendChild(f); f.submit();")
    second.chrome.wait_for("Page.loadEventFired")
    second.settle(403)
    assert f"{TAX}不能办理环节'licence'（由{MARKET}办理）" in second.text("#error")  # Chinese under LANG=C too
    assert len(w.store.load(case_id)) == before

    # the corrections come back; 市场监管局 approves; 税务局 completes the case
    first.goto(f"/cases/{case_id}")
    first.submit("#move-resubmit-licence")
    text = first.submit("#move-approve-licence")
    assert "已办结" in text
    text = second.goto("/queue")
    assert case_id in second.text("#queue")
    second.goto(f"/cases/{case_id}")
    second.submit("#move-accept-tax")
    text = second.submit("#move-approve-tax")
    assert second.chrome.evaluate("document.querySelector('#case-state').dataset.state") == "completed"
    history = second.text("#history")
    for who in ("li (clerk、综合窗口)", "wang (officer、市场监管局)", "zhao (officer、税务局)"):  # the page's language
        assert who in history
    assert "缺股东会决议" in history
    assert second.chrome.evaluate("document.querySelectorAll('svg.flow g.step').length") == 2

    # the applicant, with no login, sees the progress and nothing else
    second.submit("form[action='/logout']")
    second.goto("/progress")
    text = second.submit("#lookup", {"[name=case]": case_id, "[name=code]": code})
    assert "已办结" in second.text("#progress-state") and "张三" not in text
    text = second.submit("#lookup", {"[name=case]": case_id, "[name=code]": "WRONG-CODE1"}, status=404)
    assert "未找到" in text
    assert [e.type for e in w.store.load(case_id)] == ["opened", "received", "accepted", "returned", "resubmitted",
                                                       "approved", "accepted", "approved"]


def test_pages_are_drawn_with_the_stylesheet_and_a_cjk_font(workspace: tuple[World, str],
                                                            browsers: tuple[Session, Session]) -> None:
    first, _second = browsers
    first.goto("/login")
    assert first.chrome.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "flex"
    assert first.chrome.evaluate("document.styleSheets.length") == 1
