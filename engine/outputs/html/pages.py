"""The pages of the static site: an index of every item and one printable page per item.

:func:`build` is pure: analyses in, ``{file name: html}`` out (writing them is
:mod:`engine.outputs.html.publish`'s job).  The pages come from the Jinja2 templates in
``templates/`` (a base layout, the index, the item page and its partials), rendered with
autoescaping on for every template, whatever its name, and ``StrictUndefined`` (a misspelt
variable is an error, not an empty string).  A text from a definition is only ever inserted
through ``{{ }}``, so it is escaped; characters HTML cannot hold become U+FFFD.  Only two things
are inserted as they are: the SVG pictures, which :mod:`engine.outputs.html.svg` builds as
elements, and the style sheet ``site.css``, which ships with the package.  Pages are
self-contained (inline CSS and SVG, no network) and a Content-Security-Policy forbids scripts and
remote loads as a second line of defence; the one exception is the situation picker of an item that
asks questions (:mod:`engine.outputs.html.situations`), a script of the package allowed by its hash.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from engine import __version__
from engine.errors import LianbanError
from engine.flow.analysis import Analysis, StepView, total
from engine.model import Item
from engine.outputs.html import situations
from engine.outputs.html.dates import DateOf
from engine.outputs.html.situations import Picker
from engine.outputs.html.svg import clean, flow, gantt
from engine.units import days_text, percent

INDEX = "index.html"
PAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html")


class SiteError(LianbanError):
    """A site cannot be built or written as asked (the message is user-facing)."""


def page_name(item_id: str) -> str:
    return f"{item_id}.html"


def _finalize(value: object) -> object:
    """Every ``{{ }}`` value before it is escaped: text loses the characters HTML cannot hold."""
    return clean(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def _ymd(day: date) -> str:
    return f"{day:%Y-%m-%d}"


def step_labels(item: Item, step_ids: Sequence[str]) -> list[str]:
    """``name（department）`` of each step."""
    return [f"{item.step(s).name}（{item.step(s).department}）" for s in step_ids]


def receives(a: Analysis, v: StepView) -> list[str]:
    """What a step receives and from where, then the steps it waits for without a material."""
    got = {r.from_step for r in v.receives}
    lines = [f"{r.name} ← {a.item.step(r.from_step).name}（{r.from_department}）" for r in v.receives]
    return lines + [f"等待「{a.item.step(p).name}」完成" for p in v.waits_for if p not in got]


@cache
def environment() -> jinja2.Environment:
    """The templates' environment: autoescape for every template (not by file name), strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("engine.outputs.html", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False)  # the package's templates do not change while a site is built
    env.filters.update(days=days_text, pct=percent, ymd=_ymd)
    env.globals.update(version=__version__, css=stylesheet(), index=INDEX, page_name=page_name,
                       step_labels=step_labels, receives=receives)
    return env


@cache
def stylesheet() -> Markup:
    """site.css, to inline in a ``<style>`` element (a trusted file of the package, not escaped)."""
    css = resources.files("engine.outputs.html").joinpath("site.css").read_text(encoding="utf-8").strip()
    if "</" in css:  # would end the <style> element early
        raise SiteError("site.css must not contain '</'")
    return Markup(css)


def item_page(a: Analysis, date_of: DateOf | None = None, note: str | None = None,
              picker: Picker | None = None) -> str:
    """The self-contained page of one item; *note*: a notice under the title (which dates are provisional);
    *picker*: the situations of an item that asks questions (:func:`engine.outputs.html.situations.picker`)."""
    uid = "f-" + re.sub(r"[^a-z0-9-]", "", a.item.id)
    materials = [*a.applicant_materials, *(x for x in a.materials if not x.from_applicant)]
    extra = {}
    if picker is not None:
        script, digest = situations.script()
        extra = {"script": script, "script_hash": digest, "extra_css": situations.stylesheet()}
    return environment().get_template("item.html.j2").render(
        a=a, date_of=date_of, gantt=gantt(a, date_of) if picker is None else None,
        flow=flow(a, uid) if picker is None else None, materials=materials,
        departments=a.department_views(), note=note, picker=picker, **extra)


def form_pages(picker: Picker, item_page_name: str) -> dict[str, str]:
    """The printable application form of every situation *picker* renders, by file name."""
    template = environment().get_template("form.html.j2")
    return {v.form_page: template.render(item=v.analysis.item, a=v.analysis, page=item_page_name,
                                         groups=situations.form_groups(v.analysis.item),
                                         extra_css=situations.stylesheet())
            for v in picker.variants if v.form_page}


def index_page(analyses: Sequence[Analysis], date_of: DateOf | None = None, note: str | None = None) -> str:
    """Every item with its four reductions, and the portfolio totals."""
    return environment().get_template("index.html.j2").render(
        analyses=analyses, total=total(analyses), date_of=date_of, note=note)


def build(analyses: Sequence[Analysis], date_of: DateOf | None = None,
          notes: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every page of the site, by file name (raises SiteError on a clash of names). *notes*: a notice for
    some pages, by file name (render --start: which dates are provisional)."""
    notes = notes or {}
    pages = {INDEX: index_page(analyses, date_of, notes.get(INDEX))}
    for a in analyses:
        name = page_name(a.item.id)
        if not PAGE_NAME.fullmatch(name):
            raise SiteError(f"item id {a.item.id!r} cannot be used as a file name")
        if name in pages:
            raise SiteError(f"item id {a.item.id!r} clashes with another page ({name}); rename the item")
        chooser = situations.picker(a, date_of)
        pages[name] = item_page(a, date_of, notes.get(name), chooser)
        if chooser is not None:
            pages.update(form_pages(chooser, name))
    return pages
