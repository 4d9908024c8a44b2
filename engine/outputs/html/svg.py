"""SVG pictures of an analysis: the before/after Gantt chart and the swimlane flow graph.

The pictures are built as elements (:mod:`xml.etree.ElementTree`, as the BPMN export is) and
serialised once, so a text from a definition is only ever an element's text or an attribute's
value: the serialiser escapes it, and a name such as ``</text></svg><script>`` cannot break the
markup.  Characters XML 1.0 cannot hold (control characters) become U+FFFD.  :func:`gantt` and
:func:`flow` return :class:`markupsafe.Markup`, which the page templates insert as it is: every
picture is a self-contained ``<svg>`` element inlined in an HTML page (it inherits the page's
fonts).  Sizes are in CSS pixels of the ``viewBox``; pages scale the picture to fit.
"""
from __future__ import annotations

import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from markupsafe import Markup

from engine.flow.analysis import Analysis, critical_edges, edges
from engine.outputs.html.dates import DateOf
from engine.units import days_text as fmt

CRITICAL = "#b42318"
NORMAL = "#1f4e79"
BEFORE = "#98a2b3"
SLACK = "#c7d7ea"
INK = "#1d2939"
MUTED = "#667085"
EDGE = "#667085"

# Characters neither XML 1.0 nor HTML take as text: C0/C1 controls (but tab, line feed and carriage
# return), lone surrogates and the two non-characters U+FFFE/U+FFFF.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: object) -> str:
    """*text* as a string that markup can hold: each character it cannot is replaced by U+FFFD."""
    return NOT_TEXT.sub("\ufffd", str(text))


def element(tag: str, attrs: Mapping[str, str] | None = None, text: str | None = None,
            *children: ET.Element) -> ET.Element:
    """A detached element (:func:`markup` escapes its texts and attribute values when serialising)."""
    el = ET.Element(tag, dict(attrs or {}))
    el.text = text
    el.extend(children)
    return el


def markup(el: ET.Element) -> Markup:
    """The element as markup for a page (built from elements, so it is safe as it is): serialised,
    then any character markup cannot hold, which only a text can bring, becomes U+FFFD."""
    return Markup(clean(ET.tostring(el, encoding="unicode")))


def _1(x: float) -> str:
    return f"{x:.1f}"


def text_width(text: str, size: float) -> float:
    """Approximate rendered width: wide (CJK) characters are 1em, others about 0.58em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.58 for c in text)


_NO_LINE_START = "）)]】」』〉》、，。．：；！？,.:;!?%"  # kept at the end of the line before (禁则)


def wrap(text: str, width: float, size: float, max_lines: int = 2) -> list[str]:
    """Break *text* into lines no wider than *width*; the last line ends in … if cut."""
    text = " ".join(text.split())
    lines: list[str] = []
    line = ""
    for c in text:
        if text_width(line + c, size) <= width or not line:
            line += c
            continue
        if len(lines) == max_lines - 1:
            while line and text_width(line + "…", size) > width:
                line = line[:-1]
            return [*lines, line + "…"]
        if c in _NO_LINE_START and len(line) > 1:  # carry the last character along
            lines.append(line[:-1])
            line = line[-1] + c
        else:
            lines.append(line)
            line = c.lstrip()
    return [*lines, line] if line or not lines else lines


def _text(x: float, y: float, lines: Sequence[str], size: float, *, anchor: str = "start", cls: str = "",
          fill: str = INK, weight: str = "normal", gap: float = 1.25) -> ET.Element:
    attrs = {"x": _1(x), "y": _1(y), "font-size": fmt(size), "fill": fill, "text-anchor": anchor}
    if weight != "normal":
        attrs["font-weight"] = weight
    if cls:
        attrs["class"] = cls
    if len(lines) == 1:
        return element("text", attrs, lines[0])
    return element("text", attrs, None, *(element("tspan", {"x": _1(x), "dy": _1(0 if i == 0 else size * gap)}, s)
                                          for i, s in enumerate(lines)))


def _svg(width: float, height: float, body: Sequence[ET.Element], label: str, cls: str) -> Markup:
    root = element("svg", {"xmlns": "http://www.w3.org/2000/svg", "class": cls,
                           "viewBox": f"0 0 {width:.0f} {height:.0f}", "width": f"{width:.0f}",
                           "height": f"{height:.0f}", "role": "img", "aria-label": label},
                   None, element("title", None, label), *body)
    return markup(root)


def _tick_step(span: float, max_ticks: int = 12) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if span / step <= max_ticks:
            return step
    return 10000


def ticks(span: float) -> list[float]:
    """The working days :func:`gantt` marks on its axis for a chart *span* days long."""
    step = _tick_step(span)
    return [i * step for i in range(math.floor(span / step + 1e-9) + 1)]


def serial_order(analysis: Analysis) -> list[str]:
    """The steps one after another as an applicant visits them without joint handling:
    definition order, except that a step never comes before one it depends on."""
    preds = analysis.schedule.predecessors
    done: set[str] = set()
    left = [s.id for s in analysis.item.steps]
    out: list[str] = []
    while left:
        nxt = next((s for s in left if all(p in done for p in preds[s])), left[0])
        out.append(nxt)
        done.add(nxt)
        left.remove(nxt)
    return out


NOTE_SIZE, NOTE_GAP = 10.5, 5.0  # a bar's note: font size, and its distance from the bar's end
COMMIT_SIZE = 10.0
MIN_RIGHT, MIN_PLOT = 96.0, 200.0


def gantt(analysis: Analysis, date_of: DateOf | None = None) -> Markup:
    """Before (serial) and after (parallel) bars on one working-day axis, slack shown after each bar.

    Every bar's note (days, end date, slack) sits just after the bar's end, never over the step
    names on the left: the plot is narrowed until the widest note fits in the right margin.  The
    commitment's dashed line has its label in a row of its own under the "after" heading, and
    leaves a gap where it would cross a note.
    """
    return _Gantt(analysis, date_of).render()


class _Gantt:
    """One chart being drawn: the layout (widths, the plot's scale) and the elements so far."""

    SIZE, ROW, BAR = 12.0, 24.0, 14.0  # step names' font size, row height, bar height

    def __init__(self, analysis: Analysis, date_of: DateOf | None) -> None:
        self.analysis, self.date_of = analysis, date_of
        item, sched = analysis.item, analysis.schedule
        self.item, self.sched, self.m = item, sched, analysis.metrics
        self.names = {s.id: s.name for s in item.steps}
        self.label_w = min(max((text_width(n, self.SIZE) for n in self.names.values()), default=80) + 12, 360)
        self.left, self.span = self.label_w + 16, max(self.m.serial_days, item.commitment or 0, 1)
        self.serial = serial_order(analysis)
        self.serial_notes: list[tuple[float, float, str]] = []  # (start, end, words) in working days
        t = 0.0
        for sid in self.serial:
            d = item.step(sid).days
            self.serial_notes.append((t, t + d, f"{fmt(d)} 天{self.when(t + d)}"))
            t += d
        self.after_notes = {
            s.id: (sched[s.id].earliest_start, max(sched[s.id].earliest_finish, sched[s.id].latest_finish),
                   f"{fmt(s.days)} 天{self.when(sched[s.id].earliest_finish)}"
                   + (f" · 时差 {fmt(sched[s.id].slack)}" if sched[s.id].slack else " · 关键"))
            for s in item.steps}
        self.commit_words = f"承诺 {fmt(item.commitment)} 天" if item.commitment is not None else ""
        self._scale()
        self.body: list[ET.Element] = []
        self.grid: list[ET.Element] = []

    def _scale(self) -> None:
        """The plot's width: narrowed until every text that follows a point of the axis fits."""
        width = 1000.0
        # Right ends of texts that follow a point of the axis: (working day, gap, width in px).
        tails = [(end, NOTE_GAP, text_width(w, NOTE_SIZE))
                 for _s, end, w in (*self.serial_notes, *self.after_notes.values())]
        if self.item.commitment is not None:
            tails.append((self.item.commitment, 3.0, text_width(self.commit_words, COMMIT_SIZE)))
        plot_w = width - self.left - MIN_RIGHT
        for d, gap, w in tails:
            if d > 0:
                plot_w = min(plot_w, (width - 4 - self.left - gap - w) * self.span / d)
        self.plot_w = max(plot_w, MIN_PLOT)
        self.width = max(width, *(self.x_of(d) + gap + w + 4 for d, gap, w in tails))

    def when(self, d: float) -> str:
        return f" · {self.date_of(d):%m-%d}" if self.date_of else ""

    def x_of(self, d: float) -> float:
        return self.left + d / self.span * self.plot_w

    def label(self, sid: str, y: float) -> None:
        line = wrap(self.names[sid], self.label_w - 8, self.SIZE, 1)
        self.body.append(element("g", None, None,
                                 element("title", None, f"{self.names[sid]} · {self.item.step(sid).department}"),
                                 _text(self.left - 10, y + self.BAR / 2 + self.SIZE * 0.36, line, self.SIZE,
                                       anchor="end")))

    def note(self, end: float, y: float, words: str, fill: str) -> None:
        self.body.append(_text(self.x_of(end) + NOTE_GAP, y + self.BAR / 2 + 4, [words], NOTE_SIZE, fill=fill,
                               cls="note"))

    def render(self) -> Markup:
        y = 8.0
        self.body.append(_text(0, y + 14, [f"联办前：逐个部门串联办理，共 {fmt(self.m.serial_days)} 个工作日"], 13,
                               weight="bold"))
        top_before = y = y + 26
        y = self.before(y) + 10
        m = self.m
        after = (f"联办后：并联办理，共 {fmt(m.optimized_days)} 个工作日"
                 f"（节省 {fmt(m.saved_days)} 天，{m.saved_ratio * 100:.1f}%）")
        self.body.append(_text(0, y + 14, [after], 13, weight="bold"))
        y += 26
        if self.item.commitment is not None:
            y += 14  # the commitment's label gets a row of its own, clear of the heading
        top_after = y
        xc = self.x_of(self.item.commitment) if self.item.commitment is not None else -1.0
        y, crossed = self.after(y, xc)
        bottom = y + 2
        self.axis(top_before, bottom)
        if self.item.commitment is not None:
            self.commitment(xc, top_after, bottom, crossed)
        height = bottom + (34 if self.date_of else 22)
        return _svg(self.width, height, self.grid + self.body, f"{self.item.name} 办理时序（联办前后）", "gantt")

    def before(self, y: float) -> float:
        """The serial bars, one row each from *y*; the y after them."""
        for sid, (t0, t1, words) in zip(self.serial, self.serial_notes, strict=True):
            self.label(sid, y)
            self.body.append(element(
                "rect", {"x": _1(self.x_of(t0)), "y": _1(y), "width": _1(max(self.x_of(t1) - self.x_of(t0), 1.5)),
                         "height": f"{self.BAR:.0f}", "rx": "2", "fill": BEFORE},
                None, element("title", None, f"{self.names[sid]}: {fmt(t0)}–{fmt(t1)}")))
            self.note(t1, y, words, MUTED)
            y += self.ROW
        return y

    def after(self, y: float, xc: float) -> tuple[float, list[float]]:
        """The parallel bars with their slack, from *y*; the y after them and the tops of the rows
        whose note the commitment line at *xc* would cross."""
        crossed: list[float] = []
        bar = self.BAR
        for s in self.item.steps:
            tm = self.sched[s.id]
            x0, x1, x2 = self.x_of(tm.earliest_start), self.x_of(tm.earliest_finish), self.x_of(tm.latest_finish)
            self.label(s.id, y)
            if tm.slack > 0:
                mid = y + bar / 2
                self.body.append(element("rect", {"class": "slack", "x": _1(x1), "y": _1(mid - 3),
                                                  "width": _1(x2 - x1), "height": "6", "fill": SLACK}))
                self.body.append(element("line", {"x1": _1(x2), "y1": _1(y + 2), "x2": _1(x2), "y2": _1(y + bar - 2),
                                                  "stroke": NORMAL, "stroke-width": "1.2"}))
            self.body.append(element(
                "rect", {"class": "critical" if tm.critical else "bar", "x": _1(x0), "y": _1(y),
                         "width": _1(max(x1 - x0, 1.5)), "height": f"{bar:.0f}", "rx": "2",
                         "fill": CRITICAL if tm.critical else NORMAL},
                None, element("title", None, f"{s.name}: {fmt(tm.earliest_start)}–{fmt(tm.earliest_finish)}，"
                                             f"时差 {fmt(tm.slack)}")))
            _t0, end, words = self.after_notes[s.id]
            self.note(end, y, words, CRITICAL if tm.critical else MUTED)
            nx = self.x_of(end) + NOTE_GAP
            if nx - 3 <= xc <= nx + text_width(words, NOTE_SIZE) + 3:
                crossed.append(y)
            y += self.ROW
        return y, crossed

    def axis(self, top: float, bottom: float) -> None:
        """Grid lines and the working days (and dates) under the bars."""
        left, date_of = self.left, self.date_of
        for k in ticks(self.span):
            x = self.x_of(k)
            self.grid.append(element("line", {"x1": _1(x), "y1": _1(top - 4), "x2": _1(x), "y2": _1(bottom),
                                              "stroke": "#eaecf0", "stroke-width": "1"}))
            self.body.append(_text(x, bottom + 14, [fmt(k)], 10.5, anchor="middle", fill=MUTED))
            if date_of:
                self.body.append(_text(x, bottom + 27, [f"{date_of(k):%m-%d}"], 10, anchor="middle", fill=MUTED))
        self.body.append(_text(left - 26, bottom + 14, ["工作日"], 10.5, anchor="end", fill=MUTED))
        if date_of:
            self.body.append(_text(left - 26, bottom + 27, ["日期"], 10, anchor="end", fill=MUTED))

    def commitment(self, xc: float, top: float, bottom: float, crossed: list[float]) -> None:
        """The commitment's dashed line, one segment between consecutive crossed notes, and its label."""
        y0, path = top - 14, ""
        for yy in [*crossed, bottom]:
            y1 = min(yy, bottom)
            if y1 > y0:
                path += f"M{xc:.1f},{y0:.1f}V{y1:.1f}"
            y0 = yy + self.BAR
        self.grid.append(element("path", {"class": "commitment", "d": path, "fill": "none", "stroke": CRITICAL,
                                          "stroke-dasharray": "4 3", "stroke-width": "1"}))
        self.body.append(_text(xc + 3, top - 5, [self.commit_words], COMMIT_SIZE, fill=CRITICAL, cls="commitment"))


# --- the flow graph -----------------------------------------------------------------------------
BOX_W, GAP, LABEL_SEG, LANE_W, HEAD = 156.0, 176.0, 118.0, 112.0, 30.0
PAD, STACK, PORT = 12.0, 10.0, 26.0


def flow(analysis: Analysis, uid: str = "f") -> Markup:
    """Swimlanes per department (lead first), one column per stage, arrows labelled by material."""
    item = analysis.item
    stage_of = {sid: i for i, st in enumerate(analysis.stages) for sid in st}
    arrows_of = {(s, t): names for s, t, names in edges(analysis)}
    n_in = {s.id: sum(1 for _s, t in arrows_of if t == s.id) for s in item.steps}
    name_lines = {s.id: wrap(s.name, BOX_W - 16, 12.5, 3) for s in item.steps}
    box_h = {sid: max(18 + len(lines) * 16 + 18, n_in[sid] * PORT + 8) for sid, lines in name_lines.items()}
    lanes = [d for d in item.departments if any(s.department == d for s in item.steps)]
    x_col = [LANE_W + 16 + i * (BOX_W + GAP) for i in range(len(analysis.stages))]
    pos: dict[str, tuple[float, float]] = {}
    lane_top: dict[str, float] = {}
    body: list[ET.Element] = []
    y = HEAD
    width = (x_col[-1] if x_col else LANE_W) + BOX_W + 20
    for li, dept in enumerate(lanes):
        lane_top[dept] = y
        tallest = 0.0
        for ci, stage in enumerate(analysis.stages):
            yy = y + PAD
            for sid in (s for s in stage if item.step(s).department == dept):
                pos[sid] = (x_col[ci], yy)
                yy += box_h[sid] + STACK
            tallest = max(tallest, yy - STACK - y - PAD)
        lane_h = tallest + 2 * PAD
        role = "牵头单位" if dept == item.lead else "配合单位" if dept in item.partners else "其他部门"
        body.append(element("rect", {"x": "0", "y": _1(y), "width": f"{width:.0f}", "height": _1(lane_h),
                                     "fill": "#f5f8fc" if li % 2 == 0 else "#ffffff", "stroke": "#d0d5dd",
                                     "stroke-width": "0.8"}))
        body.append(element("rect", {"x": "0", "y": _1(y), "width": f"{LANE_W:.0f}", "height": _1(lane_h),
                                     "fill": "#e9eef5", "stroke": "#d0d5dd", "stroke-width": "0.8"}))
        lines = wrap(dept, LANE_W - 16, 13, 3)
        ty = y + lane_h / 2 - (len(lines) - 1) * 8 - 2
        body.append(_text(LANE_W / 2, ty, lines, 13, anchor="middle", weight="bold"))
        body.append(_text(LANE_W / 2, ty + len(lines) * 16 + 2, [role], 10.5, anchor="middle", fill=MUTED))
        y += lane_h
    height = y + 4
    for ci, x in enumerate(x_col):
        body.append(_text(x + BOX_W / 2, 19, [f"阶段 {ci + 1}"], 12, anchor="middle", fill=MUTED, weight="bold"))
    layout = _Layout(pos, box_h, stage_of, lane_top)
    arrows, labels = _arrows(analysis, arrows_of, layout, critical_edges(analysis), uid)
    boxes = [_box(analysis, sid, *pos[sid], box_h[sid], name_lines[sid]) for sid in (s.id for s in item.steps)]
    markers = (element("marker", {"id": f"{uid}-{kind}", "viewBox": "0 0 10 10", "refX": "9", "refY": "5",
                                  "markerWidth": "7", "markerHeight": "7", "orient": "auto-start-reverse"},
                       None, element("path", {"d": "M0,0 L10,5 L0,10 z", "fill": colour}))
               for kind, colour in (("arrow", EDGE), ("crit", CRITICAL)))
    return _svg(width, height, [element("defs", None, None, *markers), *body, *arrows, *boxes, *labels],
                f"{item.name} 并联流程图", "flow")


def _box(analysis: Analysis, sid: str, x: float, y: float, h: float, lines: list[str]) -> ET.Element:
    step, tm = analysis.item.step(sid), analysis.schedule[sid]
    colour = CRITICAL if tm.critical else NORMAL
    meta = f"{fmt(step.days)} 个工作日" + (" · 关键路径" if tm.critical else f" · 时差 {fmt(tm.slack)}")
    return element(
        "g", {"class": "step critical" if tm.critical else "step"}, None,
        element("title", None, f"{step.name}（{step.department}）"),
        element("rect", {"x": _1(x), "y": _1(y), "width": f"{BOX_W:.0f}", "height": _1(h), "rx": "6",
                         "fill": "#ffffff", "stroke": colour, "stroke-width": "2" if tm.critical else "1.2"}),
        element("rect", {"x": _1(x), "y": _1(y), "width": "5", "height": _1(h), "rx": "2", "fill": colour}),
        _text(x + 13, y + 20, lines, 12.5, gap=1.28),
        _text(x + 13, y + h - 9, [meta], 10.5, fill=CRITICAL if tm.critical else MUTED))


class _Layout(NamedTuple):
    pos: dict[str, tuple[float, float]]  # each box's top left corner
    box_h: dict[str, float]
    stage_of: dict[str, int]
    lane_top: dict[str, float]


def _arrows(analysis: Analysis, arrows_of: dict[tuple[str, str], list[str]], layout: _Layout,
            crit: set[tuple[str, str]], uid: str) -> tuple[list[ET.Element], list[ET.Element]]:
    pos, box_h = layout.pos, layout.box_h
    centre = {sid: pos[sid][1] + box_h[sid] / 2 for sid in pos}
    ins: dict[str, list[str]] = {}
    outs: dict[str, list[str]] = {}
    for s, t in arrows_of:
        ins.setdefault(t, []).append(s)
        outs.setdefault(s, []).append(t)

    def port(sid: str, others: list[str], other: str) -> float:
        order = sorted(others, key=lambda o: (centre[o], o))
        return pos[sid][1] + box_h[sid] * (order.index(other) + 1) / (len(order) + 1)

    arrows: list[ET.Element] = []
    labels: list[ET.Element] = []
    for (s, t), materials in arrows_of.items():
        sx, sy = pos[s][0] + BOX_W, port(s, outs[s], t)
        tx, ty = pos[t][0], port(t, ins[t], s)
        mx = tx - LABEL_SEG
        if layout.stage_of[t] - layout.stage_of[s] > 1:  # run in the target lane's top margin, clear of every box
            yc = layout.lane_top[analysis.item.step(t).department] + PAD / 2
            gx = sx + GAP
            d = (f"M{sx:.1f},{sy:.1f} C{sx + GAP / 2:.1f},{sy:.1f} {gx - GAP / 2:.1f},{yc:.1f} {gx:.1f},{yc:.1f} "
                 f"L{tx - GAP:.1f},{yc:.1f} C{tx - GAP + 29:.1f},{yc:.1f} {mx - 29:.1f},{ty:.1f} {mx:.1f},{ty:.1f} "
                 f"L{tx - 1:.1f},{ty:.1f}")
        else:
            k = (mx - sx) / 2
            d = f"M{sx:.1f},{sy:.1f} C{sx + k:.1f},{sy:.1f} {mx - k:.1f},{ty:.1f} {mx:.1f},{ty:.1f} L{tx - 1:.1f},{ty:.1f}"
        hot = (s, t) in crit
        attrs = {"class": "edge critical" if hot else "edge", "d": d, "fill": "none",
                 "stroke": CRITICAL if hot else EDGE, "stroke-width": "1.8" if hot else "1.1"}
        if not materials:
            attrs["stroke-dasharray"] = "5 3"
        attrs["marker-end"] = f"url(#{uid}-{'crit' if hot else 'arrow'})"
        arrows.append(element("path", attrs))
        if materials:
            lines = wrap("、".join(materials), LABEL_SEG - 14, 11, 2)
            w = max(text_width(line, 11) for line in lines) + 8
            h = len(lines) * 13 + 3
            cx = tx - LABEL_SEG / 2 - 3
            labels.append(element(
                "g", {"class": "material"}, None, element("title", None, "、".join(materials)),
                element("rect", {"x": _1(cx - w / 2), "y": _1(ty - h / 2), "width": _1(w), "height": _1(h),
                                 "rx": "3", "fill": "#fffbeb", "stroke": "#f0c36d", "stroke-width": "0.8"}),
                _text(cx, ty - h / 2 + 11.5, lines, 11, anchor="middle", fill="#7a4b00", gap=1.18)))
    return arrows, labels
