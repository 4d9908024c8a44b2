""""Did you mean …": one way to find the closest name and one way to say it.

Every unknown name a user types (a department, a material, a step, an item id, a case
step) goes through :func:`closest`; every message that offers it uses :func:`did_you_mean`.
difflib's cost grows with the text, so text longer than :data:`MAX_TEXT` gets no suggestion
(hostile files carry megabyte names).
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

MAX_TEXT = 100
CUTOFF = 0.6


def closest(text: str, candidates: Iterable[str], *, contained: bool = False, limit: int | None = None) -> str | None:
    """The candidate most like *text*, or None.

    *contained* also accepts a candidate that contains *text* or is contained in it
    (市场监督管理 → 市场监督管理局), the nearest in length first; *limit* skips the search
    when there are more candidates than that.
    """
    if not text or len(text) > MAX_TEXT:
        return None
    keys = sorted(set(candidates))
    if limit is not None and len(keys) > limit:
        return None
    hits = difflib.get_close_matches(text, keys, n=1, cutoff=CUTOFF)
    if not hits and contained and len(text) >= 2:
        inside = [k for k in keys if len(k) >= 2 and (text in k or k in text)]
        hits = sorted(inside, key=lambda k: abs(len(k) - len(text)))[:1]
    return hits[0] if hits else None


def did_you_mean(guess: str | None) -> str:
    """The hint for a guess: ``did you mean 'X'?`` (empty when there is none)."""
    from engine.i18n import _

    return _("did you mean '{name}'?").format(name=guess) if guess else ""
