"""One situation of an item: its answers, completed and checked, and the item cut down to them.

:func:`specialise` keeps the steps, materials, needs and form fields whose ``when`` holds
for the answers; the result is a plain item (no conditions) that every analysis, picture
and case works on unchanged, with :attr:`~engine.model.Item.situation` saying which one
it is and :attr:`~engine.model.Item.general` pointing back at the whole definition.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from engine.errors import UsageError
from engine.i18n import _
from engine.model import Item, Step
from engine.situations.conditions import TRUE, Answers, Condition, Value, holds
from engine.situations.questions import Question
from engine.situations.space import Situation, Space

YES = {"yes", "y", "true", "1", "是", "有"}
NO = {"no", "n", "false", "0", "否", "无", "没有"}


def conditions(item: Item) -> Iterator[Condition]:
    """Every condition of the item (steps, entries, form fields, questions)."""
    for q in item.questions:
        yield q.when
    for s in item.steps:
        yield s.when
        yield from (c for _k, _t, c in s.entry_when)
        yield from (f.when for f in s.fields)


_SPACES: dict[int, tuple[Item, Space, dict[str, Value | None]]] = {}  # id(item) -> (item, space, defaults)


def space(item: Item) -> Space:
    """The regions of the item's questions (see :mod:`engine.situations.space`), built once per item."""
    return _cached(item)[1]


def _cached(item: Item) -> tuple[Item, Space, dict[str, Value | None]]:
    general = item.general or item
    hit = _SPACES.get(id(general))
    if hit is None or hit[0] is not general:
        if len(_SPACES) > 64:
            _SPACES.clear()
        sp = Space({q.id: q for q in general.questions}, (c for c in conditions(general) if c != TRUE))
        hit = _SPACES[id(general)] = (general, sp, _defaults(general, sp))
    return hit


def default_answers(item: Item) -> dict[str, Value | None]:
    """Each question's default; without one, its most frequent answer, else its first option
    (yes for yes/no; for a number, a value of its lowest range). Unasked questions: None."""
    return dict(_cached(item)[2])


def _defaults(item: Item, sp: Space) -> dict[str, Value | None]:
    out: dict[str, Value | None] = {}
    for q in (item.general or item).questions:
        if not holds(q.when, out):
            out[q.id] = None
            continue
        out[q.id] = q.default if q.default is not None else _fallback(q, sp)
    return out


def _fallback(q: Question, sp: Space) -> Value:
    if q.type == "number":
        regions = sp.regions.get(q.id)
        if regions:
            return max(regions, key=lambda r: (r.share, -r.index)).value if q.bins else regions[0].value
        return q.minimum if q.minimum is not None else 0.0
    shares = q.option_shares()
    keys: list[Value] = [True, False] if q.type == "yes-no" else [o.id for o in q.options]
    if shares:
        return max(keys, key=lambda k: (shares[k], -keys.index(k)))
    return keys[0]


def complete(item: Item, given: Mapping[str, Value]) -> dict[str, Value | None]:
    """*given* answers with defaults for the rest; an answer to a question the situation
    does not ask, or to no question at all, is a :class:`UsageError`."""
    general = item.general or item
    known = {q.id: q for q in general.questions}
    for qid in given:
        if qid not in known:
            from engine.suggest import closest, did_you_mean

            hint = did_you_mean(closest(qid, list(known))) or _("its questions: {ids}").format(
                ids=", ".join(known) or _("none"))
            raise UsageError(_("item {item} asks no question '{id}'; {hint}").format(item=general.id, id=qid, hint=hint))
    defaults = default_answers(general)
    out: dict[str, Value | None] = {}
    for q in general.questions:
        if not holds(q.when, out):
            if q.id in given:
                raise UsageError(_("question '{id}' is not asked when the other answers are as given ({cond})").format(
                    id=q.id, cond=_describe(q.when, general)))
            out[q.id] = None
            continue
        out[q.id] = given[q.id] if q.id in given else defaults.get(q.id)
        if out[q.id] is None:
            out[q.id] = _fallback(q, space(general))
    return out


def _describe(c: Condition, item: Item) -> str:
    from engine.situations.conditions import describe

    return describe(c, {q.id: q for q in item.questions})


def parse_answers(item: Item, text: str) -> dict[str, Value]:
    """``area_m2=300,gas=yes,entity=公司`` as typed answers (UsageError for anything else)."""
    general = item.general or item
    known = {q.id: q for q in general.questions}
    out: dict[str, Value] = {}
    for part in (p.strip() for p in text.replace("，", ",").split(",")):
        if not part:
            continue
        qid, sep, raw = part.partition("=")
        qid, raw = qid.strip(), raw.strip()
        if not sep or not qid:
            raise UsageError(_("answer '{part}' is not question=value (e.g. area_m2=300,gas=yes)").format(part=part[:60]))
        q = known.get(qid)
        if q is None:
            out[qid] = raw  # complete() names the unknown question with a suggestion
            continue
        out[qid] = parse_value(q, raw)
    return out


def parse_value(q: Question, raw: str) -> Value:
    if q.type == "yes-no":
        low = raw.lower()
        if low in YES or raw in (q.options[0].text,):
            return True
        if low in NO or raw in (q.options[1].text,):
            return False
        raise UsageError(_("'{q}' is a yes/no question: answer yes or no, not '{raw}'").format(q=q.id, raw=raw[:40]))
    if q.type == "number":
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(_("'{q}' is a number question ({unit}): answer a number, not '{raw}'").format(
                q=q.id, unit=q.unit or _("no unit"), raw=raw[:40])) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise UsageError(_("'{q}': answer a finite number").format(q=q.id))
        if (q.minimum is not None and value < q.minimum) or (q.maximum is not None and value > q.maximum):
            raise UsageError(_("'{q}': {value} is outside {low} … {high}").format(
                q=q.id, value=f"{value:g}", low=f"{q.minimum:g}" if q.minimum is not None else "−∞",
                high=f"{q.maximum:g}" if q.maximum is not None else "∞"))
        return value
    for o in q.options:
        if raw in (o.id, o.text):
            return o.id
    from engine.suggest import closest, did_you_mean

    guess = closest(raw, [o.id for o in q.options] + [o.text for o in q.options])
    raise UsageError(_("'{raw}' is not an option of '{q}'; {hint}").format(
        raw=raw[:40], q=q.id, hint=did_you_mean(guess) or _("options: {ids}").format(
            ids=", ".join(f"{o.id} ({o.text})" for o in q.options))))


def specialise(item: Item, answers: Answers | Situation | None = None) -> Item:
    """*item* in one situation: given answers (completed with defaults), a :class:`Situation`
    from :func:`engine.situations.situations`, or None for the default situation."""
    general = item.general or item
    if not general.questions:
        return general
    given = answers.answers if isinstance(answers, Situation) else (answers or {})
    values = complete(general, {k: v for k, v in given.items() if v is not None})
    present = [s for s in general.steps if holds(s.when, values)]
    ids = {s.id for s in present}
    steps = tuple(_step(s, values, ids) for s in present)
    situation = space(general).situation(values)
    situation = Situation(situation.picks, situation.weight, tuple(values.items()))
    used = {m for s in steps for m in (*s.materials, *s.produces)}
    return replace(general, steps=steps, materials={k: v for k, v in general.materials.items() if k in used},
                   situation=situation, general=general)


def _step(s: Step, answers: Answers, present: set[str]) -> Step:
    if s.when == TRUE and not s.entry_when and all(f.when == TRUE for f in s.fields):
        return s
    off = {(k, t) for k, t, c in s.entry_when if not holds(c, answers)}
    return replace(
        s, when=TRUE, entry_when=(),
        needs=tuple(n for n in s.needs if ("needs", n) not in off and n in present),
        materials=tuple(m for m in s.materials if ("materials", m) not in off),
        produces=tuple(m for m in s.produces if ("produces", m) not in off),
        fields=tuple(replace(f, when=TRUE) for f in s.fields if holds(f.when, answers)))
