"""The 督办通报: the supervision report as one printable page of the site.

Rendered from ``templates/supervision.html.j2`` in the site's environment (autoescaped, strict
undefined, the site's style sheet inlined); printed, it fills A4 landscape sheets (the tables are
wide) with the table headers repeated. Headings are Chinese (督办通报, 按部门, 按环节, 超期事项):
the page is meant to be circulated as a 通报.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from engine.outputs.html.pages import environment
from engine.outputs.supervision import MD_COLUMNS, counted_zh, md_cells, rate
from engine.units import percent

if TYPE_CHECKING:
    from engine.supervision.report import Report
    from engine.supervision.tally import Clock


def share(clock: Clock) -> str:
    return percent(clock.on_time / clock.counted) if clock.counted else "-"


def page(r: Report) -> str:
    departments = [[d, *md_cells(t)] for d, t in sorted(r.departments.items())]
    steps = [[r.names[k][0], f"{r.names[k][1]} ({k[1]})", k[2], *md_cells(t)] for k, t in r.steps.items()]
    return environment().get_template("supervision.html.j2").render(
        r=r, counted=counted_zh(r), columns=MD_COLUMNS, departments=departments, steps=steps, overdue=r.overdue,
        share=share, rate=rate)
