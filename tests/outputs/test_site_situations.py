"""The site's situations: the picker, a pre-rendered block per situation and the printable forms.

(The browser test drives the picker in chromium; this checks what the pages hold.)
"""
from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from helpers import ROOT
from sitedom import Dom

from engine.flow.analysis import Analysis, analyze
from engine.outputs.html.pages import build
from engine.outputs.html.situations import LIMIT, SAMPLE, form_page_name
from engine.situations import analyze_situations
from engine.situations.forms import merge_fields
from engine.situations.specialisation import space
from engine.validation.tree import load_items


@pytest.fixture(scope="module")
def built() -> tuple[list[Analysis], dict[str, str]]:
    items, _result = load_items([ROOT / "definitions"])
    analyses = [analyze(i) for i in items]
    return analyses, build(analyses)


def blocks(page: str) -> list[tuple[str, dict[str, str], bool, str]]:
    """Each situation block: key, picks, hidden, body."""
    found = re.findall(r'<div class="situation" data-situation="([^"]*)" data-picks="([^"]*)"( hidden)?>\n(.*?)\n</div>\n',
                       page, re.DOTALL)
    return [(key, json.loads(Dom(f"<p>{picks}</p>").root.text()), bool(hidden), body)
            for key, picks, hidden, body in found]


def test_every_situation_is_rendered_up_to_the_limit(built: tuple[list[Analysis], dict[str, str]]) -> None:
    analyses, pages = built
    situated = [a for a in analyses if a.item.has_situations]
    assert len(situated) >= 7
    for a in situated:
        report = analyze_situations(a.item)
        page = pages[f"{a.item.id}.html"]
        found = blocks(page)
        by_key = {r.situation.key: r for r in report.results}
        if len(report.results) <= LIMIT:
            assert sorted(k for k, *_ in found) == sorted(by_key), a.item.id
            assert "本页收录全部情形" in page
        else:
            keys = [k for k, *_ in found]
            assert len(keys) == SAMPLE and {report.default.key, report.best.situation.key,
                                            report.worst.situation.key} <= set(keys)
            assert f"本页只收录其中 {SAMPLE} 种" in page
        assert found[0][0] == report.default.key and not found[0][2]
        assert all(hidden for _k, _p, hidden, _b in found[1:])
        for key, picks, _hidden, body in found:
            r = by_key[key]
            assert picks == {q: reg.token for q, reg in r.situation.picks if reg is not None}
            fig = Dom(body).root.all("div", "fig")[0].all("b")[0].text()
            assert fig == f"{r.metrics.optimized_days:g}", (a.item.id, key)
            steps = re.findall(r'<g class="step[^"]*"', body.split('class="flow"', 1)[1])
            assert len(steps) == len(r.item.steps), (a.item.id, key)
        # the picker: a select per relevant question, its options the question's regions
        sp = space(a.item.general or a.item)
        selects = re.findall(r'<select id="q-\d+" name="([^"]*)">(.*?)</select>', page, re.DOTALL)
        assert [name for name, _o in selects] == list(sp.relevant)
        for name, options in selects:
            assert re.findall(r'<option value="([^"]*)"', options) == [reg.token for reg in sp.regions[name]]


def test_the_only_script_is_the_pickers_and_the_policy_allows_just_it(
        built: tuple[list[Analysis], dict[str, str]]) -> None:
    analyses, pages = built
    for a in analyses:
        page = pages[f"{a.item.id}.html"]
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)  # type: ignore[union-attr]
        scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
        if not a.item.has_situations:
            assert scripts == [] and "script-src" not in policy
            continue
        assert len(scripts) == 1 and "innerHTML" not in scripts[0] and "eval" not in scripts[0]
        digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
        assert policy.endswith(f"; script-src 'sha256-{digest}'")
        assert 'id="situation-picker" class="picker" hidden>' in page  # shown by the script only


def test_each_situation_has_a_printable_form(built: tuple[list[Analysis], dict[str, str]]) -> None:
    analyses, pages = built
    a = next(x for x in analyses if x.item.id == "open-restaurant")
    report = analyze_situations(a.item)
    for r in (report.best, report.worst):
        name = form_page_name("open-restaurant", r.situation.key)
        assert f'<a href="{name}">' in pages["open-restaurant.html"]
        dom = Dom(pages[name]).root
        fields = merge_fields(r.item)
        assert len([td for td in dom.all("td", "box")]) == r.metrics.fields_after == sum(f.asked for f in fields)
        filled = [td.text() for td in dom.all("td", "filled")]
        assert len(filled) == sum(not f.asked for f in fields)
        labels = [tr.all("td")[0].text() for tr in dom.all("tbody")[0].all("tr")]
        assert labels[0] == fields[0].label
        assert dom.all("p", "current")[0].text() == f"申请情形：{r.situation.describe()}"
        assert "<script" not in pages[name] and "@media print" in pages[name]
    licenced = [p for n, p in pages.items() if n.startswith("open-restaurant.form-") and "电子证照（" in p]
    assert licenced, "a situation with a licence fills fields from the electronic licence"
