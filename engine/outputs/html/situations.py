"""The situations of an item on the site: the picker, one pre-rendered block per situation, printable forms.

An item that asks questions gets, on its page, a picker (a select per question, the options its
regions) and one block per situation with that situation's reductions, Gantt chart, flow graph and
materials, all rendered when the site is built: the page's one small script (``picker.js``, allowed
by its hash in the Content-Security-Policy) only shows the block whose answers match the selects and
hides the others; it never builds markup. Without the script the default situation shows and a table
lists the others. At most :data:`LIMIT` situations are rendered: all of them when there are no more,
else the default, the best, the worst and the most frequent ones (the page says so).

Each rendered situation of an item with form fields also gets a printable application form
(``ITEM.form-<hash>.html``): the merged form's fields, grouped by the department that first asks,
with the fields filled without the applicant (an electronic licence, an earlier step) marked as such.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from markupsafe import Markup

from engine.flow.analysis import Analysis, MergedMaterial
from engine.model import Item
from engine.outputs.html.dates import DateOf
from engine.outputs.html.svg import flow, gantt
from engine.situations.report import SituationReport, SituationResult, analyze_situations
from engine.situations.specialisation import default_answers, space

LIMIT = 64      # situations pre-rendered on a page when the item has no more
SAMPLE = 16     # past that: the default, the best, the worst and the most frequent, this many in all


@dataclass(frozen=True)
class Option:
    token: str
    text: str
    selected: bool


@dataclass(frozen=True)
class PickerQuestion:
    id: str
    text: str
    help: str | None
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Variant:
    """One pre-rendered situation."""
    key: str
    description: str
    weight: float
    picks: str                      # {question: region token} as JSON, for the picker's script
    analysis: Analysis
    gantt: Markup
    flow: Markup
    materials: list[MergedMaterial]
    default: bool
    tags: tuple[str, ...]           # 默认 最快 最慢
    form_page: str | None


@dataclass(frozen=True)
class Picker:
    questions: list[PickerQuestion]
    variants: list[Variant]
    total: int                      # situations of the item (checked; a sample past 4,096 combinations)
    coverage: str                   # what the page renders of them, in Chinese
    fields: bool                    # the item has form fields
    forms: bool                     # each variant has a printable form

    @property
    def default_description(self) -> str:
        return next(v.description for v in self.variants if v.default)


def form_page_name(item_id: str, key: str) -> str:
    return f"{item_id}.form-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}.html"


def chosen(report: SituationReport) -> tuple[list[SituationResult], bool]:
    """The situations to render (the default first) and whether that is all of them."""
    results = report.results
    default = next(r for r in results if r.situation.key == report.default.key)
    if len(results) <= LIMIT:
        return [default, *(r for r in results if r is not default)], True
    picked = {id(r): r for r in (default, report.best, report.worst)}
    for r in sorted(results, key=lambda r: -r.situation.weight):
        if len(picked) >= SAMPLE:
            break
        picked.setdefault(id(r), r)
    order = {id(r): i for i, r in enumerate(results)}
    return [default, *sorted((r for r in picked.values() if r is not default), key=lambda r: order[id(r)])], False


def picker(a: Analysis, date_of: DateOf | None = None) -> Picker | None:
    """The situations of *a*'s item for its page (None for an item that asks no questions)."""
    general = a.item.general or a.item
    if not general.questions:
        return None
    report = analyze_situations(general)
    sp = space(general)
    results, everything = chosen(report)
    best, worst = report.best.situation.key, report.worst.situation.key
    forms = bool(general.form_fields)
    variants = []
    for n, r in enumerate(results):
        one = a if n == 0 else r.analysis()
        key = r.situation.key
        tags = tuple(t for t, k in (("默认", report.default.key), ("最快", best), ("最慢", worst)) if k == key)
        uid = f"f-{_safe(general.id)}-{n}"
        variants.append(Variant(
            key, r.situation.describe(), r.situation.weight,
            json.dumps({q: reg.token for q, reg in r.situation.picks if reg is not None}, ensure_ascii=False),
            one, gantt(one, date_of), flow(one, uid), _materials(one), n == 0, tags,
            form_page_name(general.id, key) if forms else None))
    defaults = default_answers(general)
    questions = []
    for qid in sp.relevant:
        q = general.question(qid)
        value = defaults.get(qid)
        selected = sp.region_of(qid, value).token if value is not None else sp.regions[qid][0].token
        questions.append(PickerQuestion(q.id, q.text, q.help, tuple(
            Option(reg.token, reg.text, reg.token == selected) for reg in sp.regions[qid])))
    if everything:
        coverage = "本页收录全部情形" if report.exhaustive else f"本页收录抽样检查的全部 {len(results)} 种"
    else:
        coverage = f"本页只收录其中 {len(results)} 种：默认情形、最快和最慢的情形，以及最常见的情形"
    return Picker(questions, variants, len(report.results), coverage, forms, forms)


def _materials(a: Analysis) -> list[MergedMaterial]:
    return [*a.applicant_materials, *(x for x in a.materials if not x.from_applicant)]


def _safe(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and (c.isalnum() or c == "-"))


@dataclass(frozen=True)
class FormField:
    label: str
    type: str
    filled: str | None              # how it is filled without the applicant (None: the applicant writes it)
    departments: str


def form_groups(item: Item) -> list[tuple[str, list[FormField]]]:
    """The merged form of a specialised item, grouped by the department that first asks for each field."""
    from engine.situations.forms import merge_fields

    groups: dict[str, list[FormField]] = {}
    for f in merge_fields(item):
        filled = None if f.asked else "；".join(_source(item, s) for s in f.filled_from)
        groups.setdefault(f.departments[0], []).append(FormField(f.label, f.type, filled, "、".join(f.departments)))
    return list(groups.items())


def _source(item: Item, source: str) -> str:
    kind, _sep, ref = source.partition(":")
    if kind == "licence":
        return f"电子证照（{item.material_name(ref)}）自动填入"
    step = item.step(ref)
    return f"由「{step.name}」（{step.department}）的结果带入"


@cache
def script() -> tuple[Markup, str]:
    """picker.js to inline in a ``<script>`` element, and its CSP source (``sha256-...``)."""
    text = resources.files("engine.outputs.html").joinpath("picker.js").read_text(encoding="utf-8").strip()
    if "</" in text or "<!--" in text:
        raise ValueError("picker.js must not contain '</' or '<!--'")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"sha256-{digest}"


@cache
def stylesheet() -> Markup:
    css = resources.files("engine.outputs.html").joinpath("situations.css").read_text(encoding="utf-8").strip()
    if "</" in css:
        raise ValueError("situations.css must not contain '</'")
    return Markup(css)
