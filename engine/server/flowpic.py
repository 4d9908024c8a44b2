"""The layout of a case's flow picture: one column per stage, one box per step, arrows for needs.

Only numbers and the steps' texts leave this module; the template draws them (autoescaped SVG,
presentation attributes only, so the strict CSP needs no inline style).
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.cases.machine import Case

__all__ = ["Box", "Picture", "flow_picture"]

W, H, GAP_X, GAP_Y, PAD = 180, 58, 56, 18, 12
FILL = {"waiting": "#eef0f3", "ready": "#dbeafe", "accepted": "#fef3c7", "returned": "#fee2e2",
        "approved": "#dcfce7", "refused": "#fecaca"}


@dataclass(frozen=True)
class Box:
    id: str
    name: str
    department: str
    state: str
    deadline: str
    x: int
    y: int
    fill: str
    late: bool


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    boxes: list[Box]
    edges: list[tuple[int, int, int, int]]  # x1, y1, x2, y2
    box_w: int = W
    box_h: int = H


def flow_picture(case: Case, late: set[str]) -> Picture:
    depth: dict[str, int] = {}
    for run in case.steps.values():  # topological order
        depth[run.id] = 1 + max((depth[n] for n in run.needs), default=-1)
    rows: dict[int, int] = {}
    where: dict[str, tuple[int, int]] = {}
    boxes = []
    for run in case.steps.values():
        col = depth[run.id]
        row = rows.get(col, 0)
        rows[col] = row + 1
        x, y = PAD + col * (W + GAP_X), PAD + row * (H + GAP_Y)
        where[run.id] = (x, y)
        name = run.name if len(run.name) <= 12 else run.name[:11] + "…"
        boxes.append(Box(run.id, name, run.department, run.state.value, run.deadline.isoformat(), x, y,
                         FILL.get(run.state.value, "#ffffff"), run.id in late))
    edges = []
    for run in case.steps.values():
        x2, y2 = where[run.id]
        for need in run.needs:
            x1, y1 = where[need]
            edges.append((x1 + W, y1 + H // 2, x2 - 4, y2 + H // 2))
    cols = max(depth.values(), default=0) + 1
    most = max(rows.values(), default=1)
    return Picture(PAD * 2 + cols * W + (cols - 1) * GAP_X, PAD * 2 + most * H + (most - 1) * GAP_Y, boxes, edges)
