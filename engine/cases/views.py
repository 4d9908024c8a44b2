"""One case's history as rows: every event, who recorded it, and what corrections did to it.

Shared by ``lianban case history`` and the workspace's case page (engine/server/pages.py).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from engine.cases.machine import CORRECTED, RECEIVED, Case
from engine.cases.words import label
from engine.i18n import _

__all__ = ["HistoryRow", "actor_text", "history_rows"]


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    type: str
    step: str | None
    on: str
    by: str | None
    at: str | None
    note: str
    voided: bool
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def actor_text(actor: dict[str, Any] | None) -> str | None:
    """'wang (officer, 税务局)'; None for events recorded before accounts existed."""
    if not actor:
        return None
    detail = _(", ").join(label(str(actor[k])) if k == "role" else str(actor[k])
                          for k in ("role", "department") if actor.get(k))
    return f"{actor.get('account', '?')} ({detail})" if detail else str(actor.get("account", "?"))


def history_rows(case: Case) -> list[HistoryRow]:
    """Every event in seq order, with the date replay uses and what corrected it."""
    fixed_by: dict[int, list[str]] = {}
    for event in case.events:
        if event.type == CORRECTED:
            p = event.payload
            what = (_("annulled") if p.get("void")
                    else _("dated {date} (was {was})").format(date=p["amend"][str(p["target"])]["on"], was=p.get("was")))
            fixed_by.setdefault(int(p["target"]), []).append(_("{what} by #{seq}").format(what=what, seq=event.seq))
    rows = []
    for event in case.events:
        p = case.effective(event)
        notes = list(fixed_by.get(event.seq, []))
        reason = p.get("reason")
        if event.type == CORRECTED:
            notes.insert(0, _("corrects #{seq}").format(seq=p["target"]))
        elif event.type == RECEIVED:
            names = {m["id"]: m["name"] for m in case.materials}
            got = _(", ").join(names.get(m, m) for m in p.get("materials", []))
            notes.insert(0, _("received {names}").format(names=got))
        elif event.type == "resubmitted" and p.get("paused_days"):
            notes.insert(0, _("paused {n} wd").format(n=p["paused_days"]))
        if reason:
            notes.append(str(reason))
        rows.append(HistoryRow(event.seq, event.type, p.get("step"), p.get("on", ""), actor_text(event.actor),
                               event.at, _("; ").join(notes), event.seq in case.voided, reason))
    return rows
