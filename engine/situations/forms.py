"""Form fields (一表申请): each department's own form against the merged one.

*Before*, the applicant fills every step's own form: the sum of their fields. *After*,
one merged form asks each distinct field once, and not at all where every step that
needs it gets it elsewhere: from an electronic licence the government already holds
(``source: {licence: ...}``) or from the output of a step of the same situation
(``source: {step: ...}``). A step whose source is absent in the situation needs the
applicant after all, so the field stays on the form.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.model import FieldRef, Item, Step


@dataclass(frozen=True)
class MergedField:
    id: str
    label: str
    type: str
    steps: tuple[str, ...]            # steps whose forms ask for it, definition order
    departments: tuple[str, ...]
    asked: bool                       # on the merged form: some step needs it from the applicant
    filled_from: tuple[str, ...] = ()  # how the others get it: "step:<id>" or "licence:<material id>"

    @property
    def requests(self) -> int:
        return len(self.steps)


def available(ref: FieldRef, present: set[str]) -> tuple[str, ...]:
    """The sources of *ref* the situation has (an e-licence always; a step when it is present)."""
    return tuple(f"{s.kind}:{s.ref}" for s in ref.sources if s.kind == "licence" or s.ref in present)


def merge_fields(item: Item) -> list[MergedField]:
    """Every field of a specialised item's steps once, in order of first use."""
    present = {s.id for s in item.steps}
    uses: dict[str, list[tuple[Step, FieldRef]]] = {}
    for s in item.steps:
        for f in s.fields:
            uses.setdefault(f.field, []).append((s, f))
    out = []
    for fid, refs in uses.items():
        sources = [available(f, present) for _s, f in refs]
        definition = item.form_fields.get(fid)
        out.append(MergedField(
            fid, definition.label if definition else fid, definition.type if definition else "text",
            tuple(s.id for s, _f in refs), tuple(dict.fromkeys(s.department for s, _f in refs)),
            any(not src for src in sources), tuple(dict.fromkeys(x for src in sources for x in src))))
    return out


def field_counts(item: Item) -> tuple[int, int]:
    """(before, after): the fields of every step's own form, and of the merged form."""
    before = sum(len(s.fields) for s in item.steps)
    after = sum(1 for f in merge_fields(item) if f.asked)
    return before, after
