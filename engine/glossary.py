"""The domain's words, one Chinese term each, used by every surface (terminal, site, catalogs, docs).

Civil servants read the same word for the same thing on every page: 减环节 (never 减流程),
配合单位 (never 协同单位). :data:`TERMS` lists each term, its English word in the code and
the variants that must not appear; ``tests/test_glossary.py`` scans the message catalogs, the
site's templates, the terminal outputs and the Chinese docs for them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    en: str                      # the word in English messages
    zh: str                      # the one Chinese term
    forbidden: tuple[str, ...] = ()  # variants that mean the same and must not be used
    note: str = ""


TERMS: tuple[Term, ...] = (
    # the four reductions (四减)
    Term("fewer steps", "减环节", ("减流程",), "the count of steps (环节) and stages (阶段) before and after"),
    Term("fewer materials", "减材料", ("减资料",)),
    Term("less time", "减时限", ("减时间", "减时长")),
    Term("fewer trips", "减跑动", ("减跑腿", "减跑路")),
    # who handles an item
    Term("lead department", "牵头单位", ("主办单位", "牵头部门")),
    Term("partner department", "配合单位", ("协同单位", "协办单位", "协办部门", "协同部门", "配合部门")),
    Term("department", "部门"),
    Term("applicant", "申请人"),
    # the item and its parts
    Term("item", "事项"),
    Term("joint item", "一事联办事项"),
    Term("step", "环节"),
    Term("stage", "阶段"),
    Term("material", "材料", ("资料",)),
    Term("situation", "情形"),
    Term("question", "问题"),
    Term("option", "选项"),
    Term("condition", "条件"),
    Term("form field", "表单项", ("表单字段",), "a field of an application form; 减表单 counts them"),
    Term("merged application form", "一表申请"),
    Term("working day", "工作日"),
    Term("commitment (committed time limit)", "承诺时限", ("承诺期限",)),
    Term("legal time limit", "法定时限", ("法定期限",)),
    Term("critical path", "关键路径", ("关键链",)),
    Term("slack", "时差", ("松弛时间", "浮动时间")),
    # cases (办件) and their moves
    Term("case", "办件"),
    Term("accept", "受理"),
    Term("approve (complete a step)", "办结"),
    Term("return for correction", "补正", ("补件",)),
    Term("refuse", "不予许可", ("驳回",)),
    Term("withdraw", "撤回", ("撤销申请",)),
    Term("one-time notice of everything to correct", "一次告知", ("一次性告知",)),
    # findings
    Term("error", "错误"),
    Term("warning", "警告"),
    Term("suggestion", "建议"),
    Term("hint", "提示"),
)

_FORBIDDEN = {variant: term for term in TERMS for variant in term.forbidden}
_PATTERN = re.compile("|".join(sorted(map(re.escape, _FORBIDDEN), key=len, reverse=True)))


def forbidden_in(text: str) -> list[tuple[str, Term]]:
    """Every forbidden variant in *text*, with the term to use instead."""
    return [(m.group(), _FORBIDDEN[m.group()]) for m in _PATTERN.finditer(text)]


def term(en: str) -> str:
    """The Chinese term for the English word *en* (KeyError for a word not in the glossary)."""
    for t in TERMS:
        if t.en == en:
            return t.zh
    raise KeyError(en)
