"""The regions of one question: groups of answers on which every comparison of the item agrees.

A yes/no question has two; a one-of question one per group of options no condition tells
apart; a number question one per interval between the thresholds the conditions use,
computed in one pass over the sorted thresholds (see :func:`_intervals`).
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from engine.situations.conditions import Cmp, Value, compare
from engine.situations.questions import Question


@dataclass(frozen=True)
class Region:
    """A group of answers to one question that no condition tells apart."""
    question: str
    index: int
    value: Value                 # a representative answer (what conditions are evaluated on)
    text: str                    # readable Chinese: 营业面积 ≤ 50 m², 使用燃气, 主体类型：公司 或 合伙
    token: str                   # ascii, for situation keys: yes, company.sole, le50, gt50-le500
    share: float                 # of the applicants asked this question
    members: tuple[Value, ...] = ()   # yes-no and one-of: the answers in the group
    low: float = -math.inf       # number: the interval
    high: float = math.inf
    low_closed: bool = False
    high_closed: bool = False

    def contains(self, value: Value) -> bool:
        if self.members:
            return value in self.members
        v = float(value)
        above = self.low < v or (self.low_closed and v == self.low)
        return above and (v < self.high or (self.high_closed and v == self.high))


def regions_of(q: Question, cmps: Sequence[Cmp]) -> tuple[Region, ...]:
    if q.type == "number":
        return _intervals(q, cmps)
    values: list[Value] = [True, False] if q.type == "yes-no" else [o.id for o in q.options]
    shares = q.option_shares() or {v: 1 / len(values) for v in values}
    groups: dict[tuple[bool, ...], list[Value]] = {}
    for v in values:
        groups.setdefault(tuple(compare(c, v) for c in cmps), []).append(v)
    out = []
    for n, members in enumerate(groups.values()):
        if q.type == "yes-no" and len(members) == 1:
            text, token = q.answer_text(members[0]), "yes" if members[0] else "no"
        elif q.type == "yes-no":
            text, token = f"{q.label}：是或否", "any"
        else:
            text = f"{q.label}：" + " 或 ".join(q.answer_text(m) for m in members)
            token = ".".join(str(m) for m in members)
        out.append(Region(q.id, n, members[0], text, token, sum(shares[m] for m in members), tuple(members)))
    return tuple(out)


def _intervals(q: Question, cmps: Sequence[Cmp]) -> tuple[Region, ...]:
    """Maximal intervals of the number line (within min..max) on which every comparison agrees.

    Linear in the thresholds: a comparison changes its truth only at its own threshold, so a
    point [p] joins the interval on its left when every comparison at p is ``gt``/``le``, the
    one on its right when every one is ``ge``/``lt`` (a point without comparison, min or max,
    joins both); ``eq``, ``ne`` and ``in`` keep it apart.
    """
    at: dict[float, set[str]] = {}
    for c in cmps:
        for v in (c.value if isinstance(c.value, tuple) else (c.value,)):
            at.setdefault(float(v), set()).add(c.op)
    points = sorted(set(at) | {x for x in (q.minimum, q.maximum) if x is not None})
    bottom = q.minimum if q.minimum is not None else -math.inf
    top = q.maximum if q.maximum is not None else math.inf
    # elementary pieces (−inf, p0), [p0], (p0, p1), [p1], ..., (pn, inf), each with a representative
    pieces: list[tuple[_Piece, bool, bool]] = []  # piece, joins the piece on its left, joins the one on its right
    edges = [-math.inf, *points, math.inf]
    for a, b in itertools.pairwise(edges):
        if a != -math.inf:
            ops = at.get(a, set())
            pieces.append((_Piece(a, True, a, True, a), ops <= {"gt", "le"}, ops <= {"ge", "lt"}))
        pieces.append((_Piece(a, False, b, False, _inside(a, b)), False, False))
    kept = [(p, left, right) for p, left, right in pieces if bottom <= p.value <= top]
    merged: list[_Piece] = []
    joins_next = False
    for p, left, right in kept:
        if merged and (left or joins_next):
            last = merged[-1]
            merged[-1] = _Piece(last.low, last.low_closed, p.high, p.high_closed, last.value)
        else:
            merged.append(p)
        joins_next = right
    out: list[Region] = []
    for n, p in enumerate(merged):
        text, token = _interval_text(q, p)
        out.append(Region(q.id, n, _nice(p), text, token, 0.0, (), p.low, p.high, p.low_closed, p.high_closed))
    return _with_shares(q, tuple(out))


@dataclass(frozen=True)
class _Piece:
    low: float
    low_closed: bool
    high: float
    high_closed: bool
    value: float  # a representative inside

    def holds(self, v: float) -> bool:
        above = self.low < v or (self.low_closed and v == self.low)
        return above and (v < self.high or (self.high_closed and v == self.high))


def _inside(a: float, b: float) -> float:
    if math.isfinite(a) and math.isfinite(b):
        return (a + b) / 2
    if math.isfinite(b):
        return b - 1
    return a + 1 if math.isfinite(a) else 0.0


def _nice(p: _Piece) -> float:
    """A round representative inside the interval when there is one (275 rather than 275.5)."""
    for candidate in (math.floor(p.value), math.ceil(p.value)):
        if p.holds(candidate):
            return float(candidate)
    return p.value


def _interval_text(q: Question, p: _Piece) -> tuple[str, str]:
    low, lc, high, hc = p.low, p.low_closed, p.high, p.high_closed
    bound_low = math.isfinite(low) and not (q.minimum is not None and low == q.minimum and lc)
    bound_high = math.isfinite(high) and not (q.maximum is not None and high == q.maximum and hc)
    n = q.number_text
    if low == high:
        return f"{q.label} = {n(low)}", f"eq{low:g}"
    if bound_low and bound_high:
        return (f"{n(low)} {'≤' if lc else '<'} {q.label} {'≤' if hc else '<'} {n(high)}",
                f"{'ge' if lc else 'gt'}{low:g}-{'le' if hc else 'lt'}{high:g}")
    if bound_low:
        return f"{q.label} {'≥' if lc else '>'} {n(low)}", f"{'ge' if lc else 'gt'}{low:g}"
    if bound_high:
        return f"{q.label} {'≤' if hc else '<'} {n(high)}", f"{'le' if hc else 'lt'}{high:g}"
    return f"{q.label}：任意", "any"


def _with_shares(q: Question, regions: tuple[Region, ...]) -> tuple[Region, ...]:
    """Each frequency range's share goes to the region holding its upper end (the rest: the last region)."""
    if not q.bins:
        return tuple(_replace_share(r, 1 / len(regions)) for r in regions)
    shares = [0.0] * len(regions)
    given = 0.0
    for b in q.bins:
        given += b.share
        last = len(regions) - 1
        where = last if b.up_to is None else next((r.index for r in regions if r.contains(b.up_to)), last)
        shares[where] += b.share
    if all(b.up_to is not None for b in q.bins):
        shares[-1] += max(0.0, 1.0 - given)
    return tuple(_replace_share(r, s) for r, s in zip(regions, shares, strict=True))


def _replace_share(r: Region, share: float) -> Region:
    return replace(r, share=share)


def straddled(q: Question, regions: Sequence[Region]) -> list[tuple[int, Region, Region]]:
    """(bin index, first, last region) for each frequency range that spans a threshold."""
    out = []
    low = q.minimum if q.minimum is not None else -math.inf
    for i, b in enumerate(q.bins):
        high = b.up_to if b.up_to is not None else (q.maximum if q.maximum is not None else math.inf)
        inside = [r for r in regions
                  if r.high > low and (r.low < high or (r.low == high and r.low_closed and b.up_to is not None))]
        if len(inside) > 1:
            out.append((i, inside[0], inside[-1]))
        low = high
    return out
