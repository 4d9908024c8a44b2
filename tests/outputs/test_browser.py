"""The rendered site in a real browser: Debian's headless chromium, driven over the DevTools protocol.

One chromium process is started with ``--remote-debugging-pipe`` (JSON messages separated by NUL
bytes on file descriptors 3 and 4; no port, no websocket library).  For every page the test
collects what a person would see go wrong: uncaught exceptions, console errors, ``Log`` errors
(failed loads, CSP violations), dialogs (``alert``) and any request that is not ``file:``
(the site must work offline).  Then it reads the rendered DOM, checks the key figures and step
names, and decodes a scaled screenshot (pure-Python PNG decoder) to make sure it is not blank.

Without chromium the tests fail under CI (``CI`` set) and skip locally.
Install: ``apt-get install -y chromium fonts-noto-cjk``.
"""
from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import CATALOG, PROMISED, ROOT, SINGLE

from engine.flow.analysis import analyze
from engine.outputs.html.pages import build
from engine.outputs.html.publish import publish
from engine.validation.tree import load_items

DEFINITIONS = ROOT / "definitions"
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--mute-audio", "--hide-scrollbars"]
CJK_FONTS = ("CJK", "Han Sans", "Han Serif", "PingFang", "YaHei", "WenQuanYi", "Droid Sans Fallback", "AR PL")


class Chromium:
    """A minimal DevTools-protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, exe: str, profile: Path, timeout: float = 20.0) -> None:
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()
        # move the child's ends above 9 so that the dup2 onto 3 and 4 cannot overwrite one of them
        to_child, from_child = (_high(fd) for fd in (to_child, from_child))
        # a tiny trampoline puts the pipe ends on the descriptors chromium expects (3: commands, 4: replies)
        trampoline = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
                      "os.execv(sys.argv[3], sys.argv[3:])")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", trampoline, str(to_child), str(from_child), exe, *FLAGS,
             f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next = 0
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=self.session)
        self.call("Emulation.setDeviceMetricsOverride", session=self.session,
                  width=1280, height=2000, deviceScaleFactor=1, mobile=False)

    def _read(self) -> None:
        buf = b""
        while chunk := os.read(self._in, 1 << 16):
            buf += chunk
            *messages, buf = buf.split(b"\0")
            for m in messages:
                self._messages.put(json.loads(m))
        self._messages.put(None)

    def _receive(self) -> dict[str, Any]:
        try:
            message = self._messages.get(timeout=self.timeout)
        except queue.Empty:
            raise AssertionError(f"chromium did not answer within {self.timeout} s") from None
        if message is None:
            raise AssertionError("chromium closed the DevTools pipe (did it crash?)")
        return message

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        """The next event *method*; dialogs (alert, confirm) met on the way are recorded and dismissed."""
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            # each dialog is dismissed once, even when a later wait meets its event again
            waiting = [e for e in self.events if e.get("method") == "Page.javascriptDialogOpening"
                       and not e.get("dismissed")]
            if waiting:
                for event in waiting:
                    event["dismissed"] = True
                    self.call("Page.handleJavaScriptDialog", session=self.session, accept=False)
                continue
            self.events.append(self._receive())

    def open(self, url: str) -> list[str]:
        """Load *url*; return the problems seen while loading (errors, dialogs, network requests)."""
        self.events.clear()
        self.call("Page.navigate", session=self.session, url=url)
        self.wait_for("Page.loadEventFired")
        self.evaluate("1")  # flush the events the page produced while loading
        return problems(self.events)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=self.session, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screenshot(self, scale: float = 1.0, full_page: bool = False) -> bytes:
        height = 2000.0
        if full_page:
            height = self.call("Page.getLayoutMetrics", session=self.session)["cssContentSize"]["height"]
        shot = self.call("Page.captureScreenshot", session=self.session, format="png", captureBeyondViewport=full_page,
                         clip={"x": 0, "y": 0, "width": 1280, "height": height, "scale": scale})
        return base64.b64decode(shot["data"])

    def fonts_of(self, selector: str) -> list[str]:
        self.call("DOM.enable", session=self.session)
        self.call("CSS.enable", session=self.session)
        root = self.call("DOM.getDocument", session=self.session)["root"]["nodeId"]
        node = self.call("DOM.querySelector", session=self.session, nodeId=root, selector=selector)["nodeId"]
        fonts = self.call("CSS.getPlatformFontsForNode", session=self.session, nodeId=node)["fonts"]
        return [f["familyName"] for f in fonts]

    def close(self) -> None:
        with contextlib.suppress(AssertionError):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._out)
        os.close(self._in)


def _high(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


def problems(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = p["exceptionDetails"]
            out.append(f"uncaught: {details.get('exception', {}).get('description') or details.get('text')}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            out.append(f"console.{p['type']}: {[a.get('value') for a in p.get('args', [])]}")
        elif method == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            out.append(f"log {p['entry']['level']}: {p['entry']['text']} {p['entry'].get('url', '')}")
        elif method == "Page.javascriptDialogOpening":
            out.append(f"dialog: {p.get('message')}")
        elif method == "Network.requestWillBeSent" and not p["request"]["url"].startswith(("file:", "data:")):
            out.append(f"network request: {p['request']['url']}")
    return out


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of pixels of an 8-bit RGB/RGBA PNG (pure Python: zlib and struct)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        header = chunk if kind == b"IHDR" else header
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unexpected PNG format {depth=} {colour=}"
    bpp = 3 if colour == 2 else 4
    raw, stride, prev, rows = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    if bpp == 4:
        rows = [b"".join(r[i:i + 3] for i in range(0, stride, bpp)) for r in rows]
    return width, height, rows


def colour_stats(png: bytes) -> tuple[int, float]:
    """Distinct colours and the share of pixels that are not near-white."""
    width, height, rows = png_pixels(png)
    colours: set[bytes] = set()
    dark = 0
    for row in rows:
        for i in range(0, len(row), 3):
            px = row[i:i + 3]
            colours.add(px)
            dark += min(px) < 200
    return len(colours), dark / (width * height)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    if CHROMIUM is None:
        message = "chromium is not installed: apt-get install -y chromium fonts-noto-cjk"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    chrome = Chromium(CHROMIUM, tmp_path_factory.mktemp("profile"))
    yield chrome
    chrome.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    items, _result = load_items([DEFINITIONS])
    assert items, "no valid item under definitions/"
    analyses = [analyze(i) for i in items]
    out = tmp_path_factory.mktemp("site")
    publish(out, build(analyses))
    return out, analyses


def test_every_page_renders_cleanly(browser: Chromium, site: tuple[Path, list]) -> None:
    out, analyses = site
    assert browser.open((out / "index.html").as_uri()) == []
    index_text = browser.evaluate("document.body.innerText")
    links = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    for a in analyses:
        assert a.item.name in index_text
        assert f"{a.item.id}.html" in links
        assert browser.open((out / f"{a.item.id}.html").as_uri()) == [], a.item.id
        text = browser.evaluate("document.body.innerText")
        assert a.item.name in text
        figures = browser.evaluate("document.querySelector('.fig b').textContent")
        assert figures == f"{a.metrics.optimized_days:g}"
        for step in a.item.steps:
            assert step.name in text, (a.item.id, step.name)
        # an item that asks questions has a block per situation: only one (the default) is shown
        assert browser.evaluate(f"[...document.querySelectorAll('svg.gantt, svg.flow')].filter({VISIBLE}).length") == 2
        assert browser.evaluate(f"[...document.querySelectorAll('svg.flow g.step')].filter({VISIBLE}).length") == len(
            a.item.steps)


VISIBLE = "e => e.getClientRects().length > 0"
SHOWN = f"[...document.querySelectorAll('div[data-situation]')].filter({VISIBLE}).map(d => d.dataset.situation)"


GANTT_BOXES = """(() => { const svg = document.querySelector('svg.gantt');
  return [svg.viewBox.baseVal.width, [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBBox(); return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height]; })]; })()"""


def test_gantt_texts_never_overlap_as_drawn(browser: Chromium, tmp_path: Path) -> None:
    """With the real fonts: no text of a Gantt chart over another or off the picture (dates shown)."""
    import math
    from datetime import date

    from engine.workdays.calendar import WorkCalendar

    crowded = {"narrow.yaml": SINGLE.replace("steps:", "commitment: 10\nsteps:"),  # the margin, and a commitment
               "promised.yaml": PROMISED.replace("commitment: 5", "commitment: 5.5")}  # a commitment inside the notes
    for name, text in crowded.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    items, result = load_items([DEFINITIONS, tmp_path / "narrow.yaml", tmp_path / "promised.yaml"])
    assert len(items) == len(load_items([DEFINITIONS])[0]) + 2, [d.message for d in result.diagnostics]
    calendar = WorkCalendar.from_dir(DEFINITIONS / "calendar")
    start = date(2021, 9, 29)  # long labels: "10 天 · 10-19 · 关键"
    publish(tmp_path / "site", build([analyze(i) for i in items], lambda d: calendar.add_workdays(start, math.ceil(d))))
    for item in items:
        assert browser.open((tmp_path / "site" / f"{item.id}.html").as_uri()) == []
        width, boxes = browser.evaluate(GANTT_BOXES)
        for i, (words, x0, y0, x1, y1) in enumerate(boxes):
            assert x0 >= -0.5 and x1 <= width + 0.5, (item.id, words, x0, x1, width)
            for other, u0, v0, u1, v1 in boxes[i + 1:]:  # boxes include the line gap: allow 2px of it
                assert not (x0 < u1 and u0 < x1 and y0 + 2 < v1 and v0 + 2 < y1), (item.id, words, other)


def test_screenshot_is_not_blank(browser: Chromium, site: tuple[Path, list]) -> None:
    out, analyses = site
    browser.open((out / f"{analyses[0].item.id}.html").as_uri())
    colours, ink = colour_stats(browser.screenshot(scale=0.25))
    assert colours > 50, f"only {colours} distinct colours: the page looks blank"
    assert ink > 0.02, f"only {ink:.1%} of the pixels are not white"


def test_chinese_text_uses_a_cjk_font(browser: Chromium, site: tuple[Path, list]) -> None:
    out, analyses = site
    browser.open((out / f"{analyses[0].item.id}.html").as_uri())
    fonts = browser.fonts_of("h1")
    assert any(k in f for f in fonts for k in CJK_FONTS), (
        f"the title is drawn with {fonts}: no CJK font installed (apt-get install -y fonts-noto-cjk)")


def test_the_harness_sees_errors(browser: Chromium, tmp_path: Path) -> None:
    """A page that misbehaves in every way the site must not: each is reported."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>hi</p><script>fetch('http://lianban.invalid/x').catch(() => {});"
                   "console.error('boom'); alert('a'); throw new Error('oops')</script>", encoding="utf-8")
    problems_seen = browser.open(bad.as_uri())
    # The failed fetch is logged only once the name lookup gives up, which may be after the load:
    # wait for it here, or it lands among the next page's problems (a failure of another test).
    if not any(p.startswith("log error:") for p in problems_seen):
        problems_seen += problems([browser.wait_for("Log.entryAdded")])
    seen = "\n".join(problems_seen)
    for expected in ("network request: http://lianban.invalid/x", "console.error: ['boom']", "dialog: a",
                     "uncaught: Error: oops", "log error: Failed to load resource"):
        assert expected in seen


HOSTILE = """\
id: hostile
name: "<script>alert(1)</script>"
lead: 市场监管局
partners: [税务局]
materials:
  - {id: evil-doc, name: "<img src=x onerror=alert(2)>"}
steps:
  - id: one
    name: "<script>alert(3)</script>\\" onload=\\"alert(4)"
    department: 市场监管局
    days: 1
    materials: [id-card]
    produces: [evil-doc]
  - id: two
    name: "</svg><script>alert(5)</script>"
    department: 税务局
    days: 2
    materials: [evil-doc]
"""


def test_hostile_names_stay_text(browser: Chromium, tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    items, result = load_items([path], catalog_dir=CATALOG)
    assert items, [d.message for d in result.diagnostics]
    publish(tmp_path / "site", build([analyze(items[0])]))
    for page in ("index.html", "hostile.html"):
        assert browser.open((tmp_path / "site" / page).as_uri()) == []
        text = browser.evaluate("document.body.innerText")
        assert "<script>alert(1)</script>" in text
        assert browser.evaluate("document.querySelectorAll('script, img').length") == 0
    text = browser.evaluate("document.body.innerText")
    assert '<script>alert(3)</script>" onload="alert(4)' in text
    assert "</svg><script>alert(5)</script>" in text
    assert "<img src=x onerror=alert(2)>" in text


def pick(browser: Chromium, answers: dict[str, str]) -> list[str]:
    """Choose *answers* (question id -> region token) in the picker as a person would; the shown blocks."""
    for qid, token in answers.items():
        browser.evaluate(f"(() => {{ const s = document.querySelector('#situation-picker select[name={json.dumps(qid)}]');"
                         f" s.value = {json.dumps(token)}; s.dispatchEvent(new Event('change')); }})()")
    return list(browser.evaluate(SHOWN))


def test_the_situation_picker_shows_the_chosen_situation(browser: Chromium, site: tuple[Path, list]) -> None:
    from engine.situations import analyze_situations

    out, analyses = site
    a = next(x for x in analyses if x.item.id == "open-restaurant")
    report = analyze_situations(a.item)
    assert browser.open((out / "open-restaurant.html").as_uri()) == []
    assert browser.evaluate("document.getElementById('situation-picker').hidden") is False
    assert browser.evaluate(SHOWN) == [report.default.key]
    for r in (report.worst, report.best):
        answers = {q: reg.token for q, reg in r.situation.picks if reg is not None}
        assert pick(browser, answers) == [r.situation.key]
        shown = "document.querySelector('div[data-situation]:not([hidden])')"
        assert browser.evaluate(f"{shown}.querySelector('.fig b').textContent") == f"{r.metrics.optimized_days:g}"
        steps = browser.evaluate(f"[...{shown}.querySelectorAll('svg.flow g.step')].length")
        assert steps == len(r.item.steps)
        # a question this situation does not ask is greyed out
        unasked = {q for q, reg in r.situation.picks if reg is None}
        greyed = browser.evaluate("[...document.querySelectorAll('.q.unasked select')].map(s => s.name)")
        assert set(greyed) == unasked
    assert problems(browser.events) == []


def test_the_picker_says_when_a_situation_is_not_on_the_page(browser: Chromium, site: tuple[Path, list]) -> None:
    out, _analyses = site
    assert browser.open((out / "open-pharmacy.html").as_uri()) == []  # 72 situations: 16 are rendered
    rendered = browser.evaluate("[...document.querySelectorAll('div[data-situation]')].length")
    assert rendered == 16
    selects = browser.evaluate("[...document.querySelectorAll('#situation-picker select')].map("
                               "s => [s.name, [...s.options].map(o => o.value)])")
    import itertools

    for combo in itertools.product(*(values for _name, values in selects)):
        shown = pick(browser, dict(zip((name for name, _v in selects), combo, strict=True)))
        missing = browser.evaluate("document.getElementById('situation-missing').hidden")
        assert len(shown) <= 1 and missing == (len(shown) == 1)
        if not shown:
            break
    else:
        raise AssertionError("every combination is on the page, yet the page says only 16 are")
    assert problems(browser.events) == []


HOSTILE_QUESTIONS = """\
id: hostile-questions
name: 情形注入
lead: 市场监管局
partners: [税务局]
questions:
  - id: gas
    text: "</script><script>alert(1)</script>\\"'"
    help: "<img src=x onerror=alert(2)>"
    type: yes-no
    labels: {yes: "</option></select><script>alert(3)</script>", no: "' onmouseover='alert(4)"}
steps:
  - {id: one, name: 登记, department: 市场监管局, days: 1}
  - {id: two, name: "</div><script>alert(5)</script>", department: 税务局, days: 2, when: {gas: yes}}
"""


def test_hostile_question_texts_stay_text(browser: Chromium, tmp_path: Path) -> None:
    path = tmp_path / "hostile-questions.yaml"
    path.write_text(HOSTILE_QUESTIONS, encoding="utf-8")
    items, result = load_items([path], catalog_dir=CATALOG)
    assert items, [d.message for d in result.diagnostics]
    publish(tmp_path / "site", build([analyze(items[0])]))
    assert browser.open((tmp_path / "site" / "hostile-questions.html").as_uri()) == []
    assert browser.evaluate("document.querySelectorAll('script').length") == 1  # the picker's own
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    text = browser.evaluate("document.body.innerText")
    assert "</script><script>alert(1)</script>\"'" in text and "<img src=x onerror=alert(2)>" in text
    options = browser.evaluate("[...document.querySelectorAll('option')].map(o => o.textContent)")
    assert options == ["</option></select><script>alert(3)</script>", "' onmouseover='alert(4)"]
    assert pick(browser, {"gas": "yes"}) == ["gas=yes"]
    assert "</div><script>alert(5)</script>" in browser.evaluate("document.body.innerText")
    assert problems(browser.events) == []


def screenshot(page: Path, out: Path, upto: str = "section.new-page .legend", width: int = 1100) -> None:
    """The README picture: the top of an item page (down to the flow graph's legend), 1:1 pixels."""
    assert CHROMIUM, "chromium is not installed"
    profile = out.parent / ".screenshot-profile"
    chrome = Chromium(CHROMIUM, profile)
    try:
        chrome.call("Emulation.setDeviceMetricsOverride", session=chrome.session, width=width, height=1200,
                    deviceScaleFactor=1, mobile=False)
        assert chrome.open(page.as_uri()) == []
        x, w, bottom = chrome.evaluate(
            "(() => { const m = document.querySelector('main').getBoundingClientRect();"
            f" const e = document.querySelector('{upto}').getBoundingClientRect();"
            " return [m.x, m.width, e.bottom + window.scrollY + 16]; })()")
        shot = chrome.call("Page.captureScreenshot", session=chrome.session, format="png", captureBeyondViewport=True,
                           clip={"x": x, "y": 0, "width": w, "height": bottom, "scale": 1})
        out.write_bytes(base64.b64decode(shot["data"]))
    finally:
        chrome.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":  # PYTHONPATH=. python tests/test_browser.py SITE/open-restaurant.html docs/item-page.png
    screenshot(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
