"""The optimized flow and the reductions of one or more items, in one situation or in all of them.

Items that ask questions (情形) are analysed in their default situation; ``--answers
area_m2=300,gas=yes`` picks another one (unanswered questions keep their defaults), and
``--all-situations`` analyses every situation with best, worst and weighted figures.
"""
from __future__ import annotations

import argparse

from engine.cli.common import add_catalog, add_output, load_valid
from engine.i18n import N_, _

DESCRIPTION = N_("The optimized flow and the reductions of one or more items, in one situation or in all of them.")

ALL_SITUATIONS = "analyze --all-situations"  # the outputs registry's name for what that flag offers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engine.outputs import names

    parser.add_argument("paths", nargs="+", metavar="PATH", help=_("definition files or folders"))
    parser.add_argument("--format", choices=names("analyze"), default="text",
                        help=_("output format (default: text)"))
    add_output(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--answers", metavar="Q=A,...",
                       help=_("the situation to analyse: answers to the items' questions, e.g. area_m2=300,gas=yes"))
    which.add_argument("--all-situations", action="store_true",
                       help=_("every situation ({formats}): the reductions of each, best, worst, weighted").format(
                           formats=", ".join(names(ALL_SITUATIONS))))
    add_catalog(parser)


def run(args: argparse.Namespace) -> int:
    from engine.cli.common import emit
    from engine.flow.analysis import analyze
    from engine.outputs import get

    items, code = load_valid(args.paths, args.catalog)
    if not items:
        return code  # the findings went to stderr; no item to show
    if args.all_situations:
        from engine.errors import UsageError
        from engine.outputs import names
        from engine.situations import analyze_situations

        if args.format not in names(ALL_SITUATIONS):
            raise UsageError(_("--all-situations writes {formats}, not {format}").format(
                formats=", ".join(names(ALL_SITUATIONS)), format=args.format))
        emit(get(ALL_SITUATIONS, args.format).render([analyze_situations(i) for i in items]), args.output)
        return code
    if args.answers is not None:
        items = specialised(items, args.answers)
    emit(get("analyze", args.format).render([analyze(i) for i in items]), args.output)
    return code


def specialised(items: list, text: str) -> list:
    """Each item in the situation *text* describes (answers to questions an item does not ask are
    for the other items; an answer no item's question takes is a usage error)."""
    from engine.errors import UsageError
    from engine.situations import parse_answers, specialise
    from engine.suggest import closest, did_you_mean

    pairs = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    known = {q.id for i in items for q in i.questions}
    for pair in pairs:
        qid = pair.partition("=")[0].strip()
        if qid not in known:
            listed = ", ".join(sorted(known)) or _("none")
            hint = did_you_mean(closest(qid, known)) or _("questions: {ids}").format(ids=listed)
            raise UsageError(_("no item here asks '{id}'; {hint}").format(id=qid, hint=hint))
    out = []
    for item in items:
        mine = ",".join(p for p in pairs if p.partition("=")[0].strip() in {q.id for q in item.questions})
        out.append(specialise(item, parse_answers(item, mine)) if item.questions else item)
    return out
