"""Validation of questions, conditions and form fields: located findings, smallest situations.

Every code has an example in docs/codes.md (run by tests/test_docs_codes.py); these tests
cover what one example cannot: two questions in one finding, producers that exclude each
other, the item-wide forms of E309/E310, the sample past the limit, positions.
"""
from __future__ import annotations

from collections.abc import Callable

Check = Callable[..., list]

HEAD = """\
id: demo
name: 演示事项
lead: 市场监管局
partners: [应急管理局, 税务局]
"""
QUESTIONS = """\
questions:
  - {id: area_m2, text: 面积？, label: 营业面积, type: number, unit: m²}
  - {id: gas, text: 燃气？, type: yes-no, labels: {yes: 使用燃气, no: 不使用燃气}}
"""
LICENCE = "  - {id: licence, name: 营业执照, department: 市场监管局, days: 1, produces: [营业执照]}\n"


def test_the_smallest_situation_fixes_only_the_answers_that_matter(assert_diagnostics: Check) -> None:
    assert_diagnostics(HEAD + QUESTIONS + "steps:\n" + LICENCE + """\
  - {id: fire, name: 消防检查, department: 应急管理局, days: 5, when: {area_m2: {gt: 300}}}
  - {id: tax, name: 税务登记, department: 税务局, days: 1, when: {gas: yes}, needs: [fire]}
""", [(11, 79, "E335", "step 'tax' needs step 'fire', which the situation 「营业面积 ≤ 300 m² 且 使用燃气」 leaves out")])


def test_a_conditional_need_that_matches_is_fine(assert_diagnostics: Check) -> None:
    assert_diagnostics(HEAD + QUESTIONS + "steps:\n" + LICENCE + """\
  - {id: fire, name: 消防检查, department: 应急管理局, days: 5, when: {area_m2: {gt: 300}}}
  - {id: tax, name: 税务登记, department: 税务局, days: 1, needs: [{step: fire, when: {area_m2: {gt: 300}}}],
     when: {gas: yes}}
""", [])


def test_producers_that_exclude_each_other_are_not_two_producers(assert_diagnostics: Check) -> None:
    text = HEAD + QUESTIONS + "steps:\n" + """\
  - {id: licence, name: 营业执照, department: 市场监管局, days: 1, produces: [营业执照], when: {gas: no}}
  - {id: check, name: 核验, department: 市场监管局, days: 1, produces: [营业执照], when: {gas: yes}}
  - {id: fire, name: 消防检查, department: 应急管理局, days: 5, materials: [营业执照]}
  - {id: tax, name: 税务登记, department: 税务局, days: 1, materials: [营业执照]}
"""
    assert_diagnostics(text.replace("days: 5, materials", "days: 5, when: {area_m2: {gt: 5}}, materials"), [])
    overlapping = text.replace("when: {gas: yes}}", "when: {any: [{gas: yes}, {area_m2: {gt: 300}}]}}")
    assert_diagnostics(overlapping, [(10, 66, "E310", "'营业执照' is also produced by step 'licence' (line 9) in the "
                                                        "situation 「营业面积 > 300 m² 且 不使用燃气」")])


def test_problems_in_every_situation_keep_the_item_wide_messages(assert_diagnostics: Check) -> None:
    assert_diagnostics(HEAD + "commitment: 1\n" + QUESTIONS + "steps:\n" + LICENCE + """\
  - {id: change, name: 变更, department: 市场监管局, days: 1, produces: [营业执照]}
  - {id: fire, name: 消防检查, department: 应急管理局, days: 5, materials: [营业执照], when: {gas: yes}}
  - {id: tax, name: 税务登记, department: 税务局, days: 1, materials: [营业执照]}
  - {id: sign, name: 招牌, department: 市场监管局, days: 1, when: {area_m2: {gt: 5}}}
""", [(5, 13, "E309", "commitment of 1 working days cannot be kept: the chain licence → fire takes 6"),
      (11, 67, "E310", "'营业执照' is also produced by step 'licence' (line 10)")])


def test_a_material_whose_producer_is_left_out(assert_diagnostics: Check) -> None:
    assert_diagnostics(HEAD + QUESTIONS + "steps:\n" + """\
  - {id: licence, name: 营业执照, department: 市场监管局, days: 1, produces: [营业执照], when: {gas: no}}
  - id: fire
    name: 消防检查
    department: 应急管理局
    days: 5
    materials: [{material: 营业执照, when: {gas: no}}]
  - {id: tax, name: 税务登记, department: 税务局, days: 1, materials: [营业执照], when: {area_m2: {gt: 300}}}
""", [(15, 65, "E336", "step 'tax' uses '营业执照', issued by step 'licence', which the situation "
                       "「营业面积 > 300 m² 且 使用燃气」 leaves out")])


def test_a_condition_without_questions_and_entries_located_at_their_target(assert_diagnostics: Check) -> None:
    assert_diagnostics(HEAD + "steps:\n" + LICENCE + """\
  - {id: fire, name: 消防检查, department: 应急管理局, days: 5, when: {gas: yes}}
  - id: tax
    name: 税务登记
    department: 税务局
    days: 1
    needs: [{step: firee, when: {gas: yes}}]
""", [(7, 63, "E331", "unknown question 'gas' in a condition"),
      (12, 20, "E305", "step 'tax' needs unknown step 'firee'"),
      (12, 34, "E331", "unknown question 'gas' in a condition")])


def test_question_shape_problems(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(HEAD + """\
questions:
  - {id: any, text: 任意？, type: yes-no}
  - {id: gas, text: 燃气？, type: yes-no, options: [{id: a, text: 甲}, {id: b, text: 乙}], frequency: [{share: 1}]}
  - {id: mode, text: 方式？, type: one-of, options: [{id: a, text: 甲}, {id: a, text: 乙}], default: c}
steps:
""" + LICENCE + "  - {id: fire, name: 消防检查, department: 应急管理局, days: 5}\n"
        + "  - {id: tax, name: 税务登记, department: 税务局, days: 1}\n", [
        (6, 10, "E204", "'any' is reserved for conditions"),
        (7, 40, "E202", "question 'gas': 'options' does not apply to a yes-no question"),
        (7, 98, "E203"),
        (8, 74, "E334", "option id 'a' is already used in question 'mode'"),
        (8, 97, "E333", "'c' is not an option of question 'mode'")])
    assert diags[2].message.startswith("question 'gas': the frequency of a yes-no question is a mapping")


def test_past_the_limit_never_and_always_are_not_claimed(assert_diagnostics: Check) -> None:
    questions = "".join(f"  - {{id: q{i}, text: 问{i}？, type: yes-no}}\n" for i in range(13))
    every = ", ".join(f"{{q{i}: yes}}" for i in range(13))
    assert_diagnostics(HEAD + "questions:\n" + questions + "steps:\n" + LICENCE + f"""\
  - {{id: fire, name: 消防检查, department: 应急管理局, days: 5, when: {{any: [{every}]}}}}
  - {{id: tax, name: 税务登记, department: 税务局, days: 1, needs: [fire]}}
""", [(5, 1, "W344"), (22, 61, "E335", "step 'tax' needs step 'fire', which the situation 「" +
                                         " 且 ".join(f"问{i}：否" for i in range(13)) + "」 leaves out")])


def test_form_fields_resolve_through_the_catalog_and_the_item(assert_diagnostics: Check) -> None:
    assert_diagnostics(HEAD + """\
fields:
  - {id: seats, label: 就餐座位数, type: number}
  - {id: seats, label: 座位}
steps:
  - id: licence
    name: 营业执照
    department: 市场监管局
    days: 1
    produces: [营业执照]
    fields: [企业名称, seats, {field: 统一社会信用代码, source: {step: licence}}]
  - id: fire
    name: 消防检查
    department: 应急管理局
    days: 5
    fields: [{field: 名称, source: [{step: licenc}, {licence: 神秘证照}]}, 名称]
""" + "  - {id: tax, name: 税务登记, department: 税务局, days: 1}\n", [
        (7, 10, "E334", "field id 'seats' is already used (line 6)"),
        (14, 60, "E339", "step 'licence' cannot fill its own form from its own output"),
        (19, 42, "E339", "a form field of step 'fire' is filled from unknown step 'licenc'"),
        (19, 61, "E306", "unknown material '神秘证照'"),
        (19, 70, "W346", "'名称' and '名称' are the same form field (名称)")])


def test_conditions_past_the_budget_are_refused_where_they_cross_it(assert_diagnostics: Check) -> None:
    many = ", ".join(f"{{a: {n}}}" for n in range(300))
    more = ", ".join(f"{{b: {{gt: {n}}}}}" for n in range(300))
    assert_diagnostics(HEAD.replace("partners: [应急管理局, 税务局]\n", "") + f"""\
questions:
  - {{id: a, text: 甲？, type: number}}
  - {{id: b, text: 乙？, type: number}}
steps:
  - {{id: s1, name: 一, department: 市场监管局, days: 1, when: {{any: [{many}]}}}}
  - {{id: s2, name: 二, department: 市场监管局, days: 1, when: {{any: [{more}]}}}}
""", [(9, 57, "E341", "the conditions hold more than 500 comparisons")])
