"""Every output the engine writes, in one registry: :data:`OUTPUTS`.

Each :class:`Output` names the function that renders it (imported only when used, so the
CLI starts fast), what it renders (``flow``: the analyses of a run; ``findings``: the
diagnostics of a validation) and which commands offer it; every renderer has one signature,
``render(subject, options: Options) -> str``. The CLI's ``--format`` choices and the
``export`` sub-commands are read from here (:func:`names`), never listed again elsewhere.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from engine.i18n import N_, _

if TYPE_CHECKING:
    from engine.flow.analysis import Analysis
    from engine.situations.guide import Notice
    from engine.situations.report import SituationReport
    from engine.validation.diagnostics import Diagnostic


@dataclass(frozen=True)
class Options:
    """What a renderer may be asked besides its subject (each uses the fields it knows)."""
    color: bool = False
    width: int | None = None
    group: str = "department"  # mermaid: a subgraph per department or per stage
    flavor: str = "plain"      # bpmn: the target engine
    answers: str | None = None  # form: the situation (area_m2=300,gas=yes); None: the whole form


@dataclass(frozen=True)
class Findings:
    """The subject of the ``findings`` outputs: every diagnostic of a run and how many files it read."""
    diagnostics: Sequence[Diagnostic]
    files: int


class Renderer(Protocol):
    def __call__(self, subject: Any, options: Options, /) -> str: ...


@dataclass(frozen=True)
class Output:
    name: str
    subject: str                    # "flow" | "findings" | "situations" (SituationReports) | "notice" (a Notice)
    target: str                     # "module:function", imported on use
    help: str
    commands: tuple[str, ...]       # the commands that offer it
    one_item: bool = False          # renders exactly one item (the export takes ITEM)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # option -> its values, default first

    def renderer(self) -> Renderer:
        module, _, function = self.target.partition(":")
        render: Renderer = getattr(importlib.import_module(module), function)
        return render

    def render(self, subject: Sequence[Analysis] | Sequence[SituationReport] | Findings | Notice,
               options: Options | None = None) -> str:
        return self.renderer()(subject, options or Options())


# The BPMN flavours, known without importing the writer (its FLAVORS are built from these names).
BPMN_FLAVORS = ("plain", "camunda7", "zeebe", "flowable")
MERMAID_GROUPS = ("department", "stage")

OUTPUTS: dict[tuple[str, str], Output] = {(o.subject, o.name): o for o in (
    Output("table", "flow", "engine.outputs.terminal:portfolio", N_("the portfolio table for the terminal"), ("report",)),
    Output("text", "flow", "engine.outputs.summaries:as_text", N_("the four reductions and the stages, as text"),
           ("analyze",)),
    Output("json", "flow", "engine.outputs.summaries:as_json", N_("the analysis as JSON (docs/analysis.md)"),
           ("analyze", "report")),
    Output("markdown", "flow", "engine.outputs.summaries:as_markdown", N_("the portfolio table in Markdown"),
           ("analyze", "report")),
    Output("mermaid", "flow", "engine.outputs.mermaid:render",
           N_("Mermaid flowchart (swimlanes, critical path styled)"), ("analyze", "export"),
           choices={"group": MERMAID_GROUPS}),
    Output("dot", "flow", "engine.outputs.dot:render", N_("Graphviz digraph (a cluster per department, rankdir=LR)"),
           ("analyze", "export")),
    Output("bpmn", "flow", "engine.outputs.bpmn.writer:render", N_("BPMN 2.0 XML (a lane per department)"), ("export",),
           one_item=True, choices={"flavor": BPMN_FLAVORS}),
    Output("form", "flow", "engine.situations.form:render_output",
           N_("the merged application form (一表申请) as JSON Schema 2020-12"), ("export",), one_item=True),
    Output("text", "situations", "engine.outputs.situations:as_text", N_("every situation with the reductions, as text"),
           ("analyze --all-situations",)),
    Output("json", "situations", "engine.outputs.situations:as_json", N_("every situation as JSON (docs/analysis.md)"),
           ("analyze --all-situations",)),
    Output("markdown", "situations", "engine.outputs.situations:as_markdown", N_("a table of the situations per item"),
           ("analyze --all-situations",)),
    Output("text", "notice", "engine.outputs.guide:as_text", N_("the notice of one situation (一次告知单), as text"),
           ("guide",)),
    Output("json", "notice", "engine.outputs.guide:as_json", N_("the notice as JSON (docs/situations.md)"), ("guide",)),
    Output("markdown", "notice", "engine.outputs.guide:as_markdown", N_("the notice as printable Markdown (Chinese)"),
           ("guide",)),
    Output("text", "findings", "engine.outputs.findings:text", N_("path:line:col findings, as compilers print them"),
           ("validate",)),
    Output("json", "findings", "engine.outputs.findings:json_report", N_("the findings as a JSON list"), ("validate",)),
    Output("github", "findings", "engine.outputs.findings:github", N_("GitHub Actions annotations"), ("validate",)),
)}


def names(command: str) -> list[str]:
    """The outputs *command* offers, in registry order (its ``--format`` choices)."""
    return [o.name for o in OUTPUTS.values() if command in o.commands]


def get(command: str, name: str) -> Output:
    """The output *name* of *command* (a KeyError names the choices)."""
    for o in OUTPUTS.values():
        if o.name == name and command in o.commands:
            return o
    raise KeyError(_("{command} has no output {name}; choose one of {names}").format(
        command=command, name=repr(name), names=", ".join(names(command))))
