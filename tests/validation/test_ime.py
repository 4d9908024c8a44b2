"""The mistakes of typing with a Chinese input method, and YAML 1.1's numbers: each found at its
character, with a hint that names it and says the fix (English under LANG=C, Chinese under zh)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import VALID, write

from engine.validation import ime
from engine.validation.loader import load_text
from engine.validation.tree import validate_paths

Check = Callable[..., list]


def item(old: str, new: str) -> str:
    """The valid test item with one line changed."""
    assert old in VALID
    return VALID.replace(old, new, 1)


def only(diags: list, code: str) -> tuple[int, int, str, str | None]:
    (d,) = diags
    assert d.code == code, diags
    return d.line, d.col, d.message, d.hint


# --- the full-width colon after a key -----------------------------------------------------------

def test_full_width_colon_at_the_top_level_is_on_its_own_line_not_the_next(assert_diagnostics: Check) -> None:
    # the parser alone says "could not find expected ':'" on line 4
    diags = assert_diagnostics(item("lead: 市场监管局", "lead：市场监管局"), [(3, 5, "E111")])
    assert diags[0].message == "full-width colon after the key 'lead'"
    assert diags[0].hint == "full-width colon '：' found: write the ASCII colon ':' and a space after it"


def test_full_width_colon_inside_a_step_in_chinese(assert_diagnostics: Check, zh: None) -> None:
    diags = assert_diagnostics(item("    department: 税务局", "    department：税务局"), [(18, 15, "E111")])
    assert diags[0].message == "键'department'后用了全角冒号"
    assert diags[0].hint == "检测到全角冒号'：'，请改为半角冒号':'，冒号后加一个空格"


def test_full_width_colon_in_a_flow_mapping(assert_diagnostics: Check) -> None:
    # the material has no name, so the step that asks for it names an unknown material (a consequence)
    assert_diagnostics(item("  - {id: form-a, name: 测试申请表甲}", "  - {id: form-a, name：测试申请表甲}"),
                       [(7, 22, "E111"), (14, 17, "E306")])


def test_a_full_width_colon_inside_a_value_is_text(assert_diagnostics: Check) -> None:
    assert_diagnostics(item("name: 演示事项", "name: 演示事项：副本"), [])
    assert_diagnostics(item("name: 演示事项", "name: 演示事项  # 备注：副本"), [])


# --- full-width separators inside a flow list ---------------------------------------------------

@pytest.mark.parametrize("sep", ["，", "、", "；"])
def test_a_full_width_separator_names_both_items_and_offers_neither(assert_diagnostics: Check, sep: str) -> None:
    diags = assert_diagnostics(item("    materials: [cert-b]", f"    materials: [cert-b{sep}经办人身份证]"),
                               [(20, 23, "E112")])
    assert diags[0].message == f"'{sep}' separates 'cert-b' and '经办人身份证' inside one list item"
    assert diags[0].hint == (f"full-width separator '{sep}' found: 'cert-b' and '经办人身份证' are two items: "
                             "separate them with an ASCII comma ',' and a space")
    assert "did you mean" not in diags[0].hint


def test_the_issue_example_in_chinese(tmp_path: Path, zh: None) -> None:
    path = write(tmp_path, "demo.yaml", item("    materials: [cert-b]", "    materials: [营业执照，经办人身份证]"))
    (d,) = validate_paths([path]).diagnostics
    assert (d.line, d.col, d.code) == (20, 21, "E112")
    assert d.message == "同一列表项中用'，'分隔了'营业执照'和'经办人身份证'"
    assert d.hint == "检测到全角分隔符'，'：'营业执照'和'经办人身份证'是两项，请用半角逗号','分隔，逗号后加一个空格"


def test_separators_in_needs_and_partners(assert_diagnostics: Check) -> None:
    text = item("partners: [税务局]", "partners: [税务局、公安局]")
    text = text.replace("    materials: [cert-b]", "    materials: [cert-b]\n  - {id: seal, name: 印章, department: 公安局, "
                        "days: 1, needs: [licence，tax]}")
    assert_diagnostics(text, [(4, 15, "E112"), (21, 67, "E112")])


def test_an_id_being_defined_with_a_separator_is_still_not_a_valid_id(assert_diagnostics: Check) -> None:
    """Only references are left to the reference checks: an id (item, step, material) with '，' is E204."""
    text = item("  - id: tax\n", "  - id: tax，b\n").replace("id: demo", "id: demo，x").replace(
        "{id: cert-b,", "{id: cert-b，c,")
    # the material's own uses of 'cert-b' (lines 15 and 20) now name no material: E306
    assert_diagnostics(text, [(1, 5, "E204"), (1, 5, "W327"), (8, 10, "E204"), (15, 16, "E306"), (16, 9, "E204"),
                              (20, 17, "E306")])


def test_a_name_that_holds_a_separator_is_not_split(assert_diagnostics: Check) -> None:
    # a real catalog material: 公众聚集场所投入使用、营业前消防安全检查申请表
    name = "公众聚集场所投入使用、营业前消防安全检查申请表"
    assert_diagnostics(item("    materials: [cert-b]", f"    materials: [cert-b, {name}]"), [])


def test_an_unknown_part_keeps_the_unknown_material_finding(assert_diagnostics: Check) -> None:
    assert_diagnostics(item("    materials: [cert-b]", "    materials: [cert-b，神秘证明]"), [(20, 17, "E306")])


# --- full-width spaces, digits, brackets and quotes ---------------------------------------------

def test_full_width_spaces_as_indentation(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(item("    days: 0.5", "　　days: 0.5"), [(19, 1, "E113")])
    assert diags[0].hint == ("full-width space '\u3000' found: indent with ASCII spaces ' ' "
                             "(switch the input method to half-width)")


def test_full_width_digits(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(item("    days: 0.5", "    days: ０.５"), [(19, 11, "E114")])
    assert diags[0].message == "step 'tax' → days: full-width digits '０.５'"
    assert diags[0].hint == "full-width digits '０.５' found: write the ASCII digits '0.5'"


def test_full_width_digits_in_chinese(assert_diagnostics: Check, zh: None) -> None:
    diags = assert_diagnostics(item("commitment: 2", "commitment: ２"), [(5, 13, "E114")])
    assert diags[0].hint == "检测到全角数字'２'，请改为半角数字'2'"


@pytest.mark.parametrize("quoted", ['"3"', "'3'", '"0.5"'])
def test_a_number_in_quotes(assert_diagnostics: Check, quoted: str) -> None:
    diags = assert_diagnostics(item("    days: 0.5", f"    days: {quoted}"), [(19, 11, "E115")])
    assert diags[0].hint == f"write the number without quotes: {quoted[1:-1]}"


def test_a_unit_is_still_the_schema_finding(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(item("    days: 0.5", "    days: 3天"), [(19, 11, "E203")])
    assert diags[0].hint == "write the number alone, without a unit (days are working days)"


def test_a_full_width_bracket(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(item("partners: [税务局]", "partners: ［税务局］"), [(4, 11, "E117")])
    assert diags[0].hint == "full-width bracket '［' found: write the ASCII '['"


def test_a_full_width_quote_where_the_parser_needed_one(assert_diagnostics: Check) -> None:
    # name: “a: b” is a syntax error (a colon in a plain value); the quote is the cause
    diags = assert_diagnostics(item("name: 演示事项", "name: “演示: 事项”"), [(2, 7, "E117")])
    assert diags[0].hint == "full-width quote '“' found: YAML's quotes are the ASCII '\"'"


def test_full_width_quotes_inside_a_value_are_text(assert_diagnostics: Check) -> None:
    assert_diagnostics(item("name: 演示事项", "name: “演示”事项"), [])


# --- YAML 1.1's numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "read", "hint"), [
    ("010", "8", 'write the number without a leading 0: 10; if it is a code, quote it: "010"'),
    ("1:30", "90", 'a time limit is a number of working days (such as 1.5); if it is a time or a code, '
                   'quote it: "1:30"'),
    ("0x10", "16", 'write the decimal number 16; if it is a code, quote it: "0x10"'),
    ("0o17", "15", 'write the decimal number 15; if it is a code, quote it: "0o17"'),
    ("0b101", "5", 'write the decimal number 5; if it is a code, quote it: "0b101"'),
    ("1_000", "1000", 'write 1000 without underscores; if it is a code, quote it: "1_000"'),
])
def test_yaml_11_numbers_are_reported_not_converted(assert_diagnostics: Check, written: str, read: str,
                                                    hint: str) -> None:
    diags = assert_diagnostics(item("commitment: 2", f"commitment: {written}"), [(5, 13, "E116")])
    assert diags[0].message == f"'{written}' is a number only in YAML 1.1 (it would be read as {read}): not converted"
    assert diags[0].hint == hint


def test_the_model_gets_the_text_written_and_no_item_is_built(tmp_path: Path) -> None:
    loaded = load_text(item("commitment: 2", "commitment: 010"))
    assert loaded.data["commitment"] == "010"
    assert validate_paths([write(tmp_path, "demo.yaml", item("commitment: 2", "commitment: 010"))]).items == []


def test_yaml_11_number_in_chinese(assert_diagnostics: Check, zh: None) -> None:
    diags = assert_diagnostics(item("commitment: 2", "commitment: 010"), [(5, 13, "E116")])
    assert diags[0].message == "'010'只在 YAML 1.1 中是数（会被读成 8）：未作转换"
    assert diags[0].hint == '数字前不要加 0：写成 10；如果是编号，请加引号写成 "010"'


@pytest.mark.parametrize("fine", ["0", "10", "0.5", "-1", "1.5", "10:30 办理"])
def test_ordinary_values_are_left_alone(fine: str) -> None:
    assert ime.yaml11_number(fine) is None


@pytest.mark.parametrize("quoted", ['"010"', "'1:30'", "'0x10'"])
def test_quoted_yaml_11_lookalikes_are_text_not_findings(quoted: str) -> None:
    """The loader reads a quoted scalar as text: no E116 (the quotes never reach yaml11_number)."""
    loaded = load_text(f"id: {quoted}\n", "q.yaml")
    assert loaded.diagnostics == [] and loaded.data["id"] == quoted[1:-1]


def test_each_finding_of_a_file_with_every_mistake_at_once(tmp_path: Path) -> None:
    """Mistakes the parser survives are all reported in one run, each at its place."""
    text = (item("    days: 0.5", '    days: "0.5"').replace("commitment: 2", "commitment: 010")
            .replace("partners: [税务局]", "partners: [税务局、公安局]"))
    found = [(d.line, d.col, d.code) for d in validate_paths([write(tmp_path, "demo.yaml", text)]).diagnostics]
    assert found == [(4, 15, "E112"), (5, 13, "E116"), (19, 11, "E115")]
