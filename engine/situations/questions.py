"""The questions an item asks the applicant (情形引导), parsed from the definition.

Three types: ``yes-no``, ``one-of`` (options with ids and Chinese texts) and ``number``
(with a unit, optional ``min``/``max``). Each may have a ``default``, ``help``, a short
``label`` used in descriptions, a ``when`` (asked only when it holds, over earlier
questions) and ``frequency`` (the share of applicants per answer, for weighted figures).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.i18n import _
from engine.situations.conditions import TRUE, Condition, Problem, Value, YamlPath, check_value, parse, questions_of

TYPES = ("yes-no", "one-of", "number")


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    frequency: float | None = None


@dataclass(frozen=True)
class Bin:
    """A number question's frequency range: values up to ``up_to`` (None: the rest above)."""
    up_to: float | None
    share: float


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: str
    label: str
    options: tuple[Option, ...] = ()         # one-of; yes-no has (yes, no) with their texts
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    default: Value | None = None
    help: str | None = None
    when: Condition = TRUE
    bins: tuple[Bin, ...] = ()                # number frequencies
    index: int = 0

    def answer_text(self, value: Value) -> str:
        """How an answer reads: 使用燃气 / 不使用燃气, 公司, 300 m²."""
        if self.type == "yes-no":
            return self.options[0 if value else 1].text
        if self.type == "one-of":
            return next((o.text for o in self.options if o.id == value), str(value))
        return f"{self.label} = {self.number_text(float(value))}"

    def number_text(self, value: float) -> str:
        return f"{value:g} {self.unit}" if self.unit else f"{value:g}"

    def option_shares(self) -> dict[Value, float] | None:
        """Share per answer (yes-no, one-of): given ones, the rest split evenly; None when none is given."""
        if self.type == "number" or all(o.frequency is None for o in self.options):
            return None
        keys: list[Value] = [True, False] if self.type == "yes-no" else [o.id for o in self.options]
        given = {k: o.frequency for k, o in zip(keys, self.options, strict=True) if o.frequency is not None}
        missing = [k for k in keys if k not in given]
        rest = max(0.0, 1.0 - sum(given.values()))
        return {k: given[k] if k in given else rest / len(missing) for k in keys}


def parse_questions(raw: Any, problems: list[Problem]) -> dict[str, Question]:
    """The item's questions by id (definition order); problems of their own conditions and values."""
    out: dict[str, Question] = {}
    if not isinstance(raw, list):
        return out
    firsts: dict[str, int] = {}
    pending: list[tuple[int, dict[str, Any]]] = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or entry.get("type") not in TYPES:
            continue  # the schema reports it
        qid = entry["id"]
        _check_keys(entry, i, problems)
        if qid in ("any", "all", "not"):
            problems.append(Problem(("questions", i, "id"), "E204", _("'{id}' is reserved for conditions").format(id=qid),
                                    _("name the question after what it asks (area_m2, gas)")))
            continue
        if qid in firsts:
            problems.append(Problem(("questions", i, "id"), "E334", _("question id '{id}' is already used").format(id=qid),
                                    _("question ids must be unique in the item: rename one")))
            continue
        firsts[qid] = i
        out[qid] = _question(entry, i, problems)
        pending.append((i, entry))
    # conditions and defaults, now that every question is known
    for i, entry in pending:
        q = out[entry["id"]]
        when = TRUE
        if "when" in entry:
            earlier = {k: v for k, v in out.items() if v.index < q.index}
            later = {k: v for k, v in out.items() if v.index >= q.index}
            local: list[Problem] = []
            parsed = parse(entry["when"], ("questions", i, "when"), {**earlier, **later}, local)
            if parsed is not None and (bad := sorted(questions_of(parsed) & set(later), key=lambda k: out[k].index)):
                problems.append(Problem(("questions", i, "when"), "E338", _(
                    "question '{id}' is asked depending on '{other}', which is not asked before it").format(
                    id=q.id, other=bad[0]), _("move '{other}' above '{id}' in questions").format(other=bad[0], id=q.id)
                    if bad[0] != q.id else _("a question cannot depend on its own answer")))
                parsed = None
            problems.extend(local)
            when = parsed if parsed is not None else TRUE
        default = None
        if "default" in entry and entry["default"] is not None:
            default = check_value(q, entry["default"], ("questions", i, "default"), problems, _("its default is"))
            if isinstance(default, float) and not _in_range(q, default):
                problems.append(Problem(("questions", i, "default"), "E204", _(
                    "default {value} is outside the question's range").format(value=f"{default:g}"),
                    _("a default between min and max")))
                default = None
        out[q.id] = Question(**{**q.__dict__, "when": when, "default": default})
    _check_frequencies(raw, out, problems)
    return out


# keys that only one type of question takes
_ONLY = {"options": ("one-of",), "labels": ("yes-no",), "unit": ("number",), "min": ("number",), "max": ("number",),
         "frequency": ("yes-no", "number")}


def _check_keys(entry: dict[str, Any], i: int, problems: list[Problem]) -> None:
    qtype = entry["type"]
    for key, types in _ONLY.items():
        if key in entry and qtype not in types:
            hint = _("one-of options carry their own frequency") if key == "frequency" else \
                _("'{key}' is for {types} questions").format(key=key, types=" and ".join(types))
            problems.append(Problem(("questions", i, key), "E202", _("question '{id}': '{key}' does not apply to a {type} "
                                    "question").format(id=entry["id"], key=key, type=qtype), hint, key=True))
    freq = entry.get("frequency")
    if qtype in ("yes-no", "number") and freq is not None and isinstance(freq, list) != (qtype == "number"):
        shape = _("a list of ranges such as [{up_to: 50, share: 0.4}, {share: 0.6}]") if qtype == "number" \
            else _("a mapping such as {yes: 0.3, no: 0.7}")
        message = _("question '{id}': the frequency of a {type} question is {shape}").format(
            id=entry["id"], type=qtype, shape=shape)
        problems.append(Problem(("questions", i, "frequency"), "E203", message))


def _in_range(q: Question, value: float) -> bool:
    return (q.minimum is None or value >= q.minimum) and (q.maximum is None or value <= q.maximum)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _question(entry: dict[str, Any], i: int, problems: list[Problem]) -> Question:
    qtype = entry["type"]
    text = _text(entry, "text") or entry["id"]
    label = _text(entry, "label") or _default_label(text)
    options: tuple[Option, ...] = ()
    bins: tuple[Bin, ...] = ()
    freq = entry.get("frequency")
    if qtype == "yes-no":
        labels = entry["labels"] if isinstance(entry.get("labels"), dict) else {}
        shares = freq if isinstance(freq, dict) else {}
        options = tuple(Option(k, _text(labels, k) or f"{label}：{word}", _number(shares.get(k)))
                        for k, word in (("yes", "是"), ("no", "否")))
    elif qtype == "one-of":
        seen: set[str] = set()
        opts = []
        for j, o in enumerate(entry.get("options") or []):
            if not isinstance(o, dict) or not isinstance(o.get("id"), str):
                continue
            if o["id"] in seen:
                problems.append(Problem(("questions", i, "options", j, "id"), "E334", _(
                    "option id '{id}' is already used in question '{question}'").format(id=o["id"], question=entry["id"]),
                    _("option ids must be unique in a question")))
                continue
            seen.add(o["id"])
            opts.append(Option(o["id"], _text(o, "text") or o["id"], _number(o.get("frequency"))))
        options = tuple(opts)
    elif isinstance(freq, list):
        bins = tuple(Bin(_number(b.get("up_to")), s) for b in freq
                     if isinstance(b, dict) and (s := _number(b.get("share"))) is not None)
    return Question(entry["id"], text, qtype, label, options, _text(entry, "unit"), _number(entry.get("min")),
                    _number(entry.get("max")), None, _text(entry, "help"), TRUE, bins, i)


def _text(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _default_label(text: str) -> str:
    """The question's text as a label: without a final question mark or a leading 是否."""
    label = text.strip().rstrip("？?：: ")
    return label[2:] if label.startswith("是否") and len(label) > 2 else label


def _check_frequencies(raw: list[Any], questions: Mapping[str, Question], problems: list[Problem]) -> None:
    for q in questions.values():
        where: YamlPath = ("questions", q.index, "frequency")
        if q.type == "number":
            shares = [b.share for b in q.bins]
            complete = any(b.up_to is None for b in q.bins)
            ups = [b.up_to for b in q.bins if b.up_to is not None]
            if ups != sorted(ups) or len(set(ups)) != len(ups) or (complete and q.bins[-1].up_to is not None):
                problems.append(Problem(where, "E340", _("frequency ranges of '{id}' are not in increasing order").format(
                    id=q.id), _("list up_to values from low to high, the rest (no up_to) last")))
                continue
        else:
            shares = [o.frequency for o in q.options if o.frequency is not None]
            complete = len(shares) == len(q.options)
            where = ("questions", q.index, "frequency") if q.type == "yes-no" else ("questions", q.index, "options")
        if not shares:
            continue
        total = sum(shares)
        if total > 1 + 1e-9 or (complete and abs(total - 1) > 1e-6):
            problems.append(Problem(where, "E340", _("the shares of '{id}' add up to {total}, not 1").format(
                id=q.id, total=f"{total:.4g}"), _("shares are fractions of all applicants asked: 0.3 is 30%")))
