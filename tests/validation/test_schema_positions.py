"""JSON Schema errors mapped back to the YAML node that causes them (E201-E204).

Each test changes one thing in the valid item of ``helpers.VALID`` and checks
every finding of the file with its line, column and, for the ones users read
most, the exact message.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from helpers import VALID

from engine.validation import schema
from engine.validation.loader import load_text

Check = Callable[..., Any]


def test_the_valid_item_has_no_findings(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID, [])


def test_missing_field_points_at_the_mapping(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("    days: 1\n", ""), [
        (10, 5, "E201", "step 'licence': required field 'days' is missing")])
    assert diags[0].hint == "add 'days:' here"


def test_missing_top_level_field_points_at_the_top(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("name: 演示事项\n", ""), [
        (1, 1, "E201", "top level: required field 'name' is missing")])


def test_missing_field_of_a_flow_mapping(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("  - {id: cert-b, name: 测试证照乙}", "  - {id: cert-b}"), [
        (8, 5, "E201", "material 'cert-b': required field 'name' is missing"),
        (15, 16, "E306"),  # the material is not defined without a name
        (20, 17, "E306"),
    ])


def test_unknown_field_points_at_the_key_with_did_you_mean(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("    days: 0.5\n", "    dayz: 0.5\n"), [
        (16, 5, "E201", "step 'tax': required field 'days' is missing"),
        (19, 5, "E202", "step 'tax': unknown field 'dayz'"),
    ])
    assert diags[1].hint == "did you mean 'days'?"


def test_unknown_top_level_field(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("commitment: 2", "comitment: 2"), [
        (5, 1, "E202", "top level: unknown field 'comitment'")])
    assert diags[0].hint == "did you mean 'commitment'?"


def test_unknown_field_with_nothing_close_lists_the_known_ones(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("    days: 1\n", "    days: 1\n    colour: red\n"), [
        (14, 5, "E202", "step 'licence': unknown field 'colour'")])
    assert diags[0].hint == ("known fields: basis, channel, days, department, fields, id, legal_days, materials, "
                             "name, needs, notes, produces, visits, when; prefix your own with 'x-'")


def test_extension_fields_are_allowed(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("commitment: 2", "commitment: 2\nx-note: {any: [thing]}")
                       .replace("    days: 1\n", "    days: 1\n    x-source: notice\n"), [])


@pytest.mark.parametrize(("old", "new", "expected", "hint"), [
    ("days: 0.5", "days: 3天", (19, 11, "E203", "step 'tax' → days: expected number, found text '3天'"),
     "write the number alone, without a unit (days are working days)"),
    ("days: 0.5", 'days: "2"', (19, 11, "E115", "step 'tax' → days: the number 2 is written as text"),
     "write the number without quotes: 2"),
    ("partners: [税务局]", "partners: 税务局", (4, 11, "E203", "partners: expected list, found text '税务局'"),
     "write a list: [税务局]"),
    ("name: 演示事项", "name: yes", (2, 7, "E203", "name: expected text, found true (true/false)"),
     "YAML reads yes/no/on/off as true/false: quote the text"),
    ("commitment: 2", "commitment: [2]", (5, 13, "E203", "commitment: expected number, found a list"), None),
    ("    materials: [form-a]", "    materials: {form-a: 1}",
     (14, 16, "E203", "step 'licence' → materials: expected list, found a mapping"), None),
])
def test_wrong_type_points_at_the_value(assert_diagnostics: Check, old: str, new: str,
                                        expected: tuple[int, int, str, str], hint: str | None) -> None:
    diags = assert_diagnostics(VALID.replace(old, new, 1), [expected])
    assert diags[0].hint == hint


def test_a_step_that_is_not_a_mapping(assert_diagnostics: Check) -> None:
    text = VALID.replace("  - id: tax\n    name: 税务登记\n    department: 税务局\n    days: 0.5\n    materials: [cert-b]\n",
                         "  - tax\n")
    assert_diagnostics(text, [(4, 12, "W321"), (16, 5, "E203", "step #2: expected mapping, found text 'tax'")])


DAYS_HINT = "time limits are working days: a number above 0, in halves (0.5, 1, 1.5 ...)"


@pytest.mark.parametrize(("value", "message"), [
    ("0", "step 'tax' → days: 0 must be greater than 0"),
    ("-1", "step 'tax' → days: -1 must be greater than 0"),
    ("-0.5", "step 'tax' → days: -0.5 must be greater than 0"),
    ("0.3", "step 'tax' → days: 0.3 must be a multiple of 0.5"),
])
def test_days_must_be_positive_halves(assert_diagnostics: Check, value: str, message: str) -> None:
    diags = assert_diagnostics(VALID.replace("days: 0.5", f"days: {value}"), [(19, 11, "E204", message)])
    assert diags[0].hint == DAYS_HINT


def test_days_has_an_upper_bound(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("days: 0.5", "days: 10001").replace("commitment: 2", "commitment: 10002"), [
        (19, 11, "E204", "step 'tax' → days: 10001 must be at most 10000"),
        (5, 13, "E204", "commitment: 10002 must be at most 10000"),
    ][::-1])


SLUG = "is not a valid id (lowercase ascii letters, digits and '-', e.g. 'open-restaurant')"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("id: demo", "id: Demo_1", [(1, 5, "E204", f"id: 'Demo_1' {SLUG}"), (1, 5, "W327")]),
    ("id: licence", "id: 营业执照", [(10, 9, "E204", f"step '营业执照' → id: '营业执照' {SLUG}")]),
    ("id: tax", "id: tax-", [(16, 9, "E204", f"step 'tax-' → id: 'tax-' {SLUG}")]),
    ("{id: form-a,", "{id: form a,", [(7, 10, "E204", f"material 'form a' → id: 'form a' {SLUG}"),
                                        (14, 17, "E306", "unknown material 'form-a'")]),
])
def test_bad_slugs(assert_diagnostics: Check, old: str, new: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert_diagnostics(VALID.replace(old, new), expected)


def test_needs_entries_are_slugs_and_unique(assert_diagnostics: Check) -> None:
    text = VALID.replace("    materials: [cert-b]", "    materials: [cert-b]\n    needs: [licence, licence, Licence]")
    assert_diagnostics(text, [
        (21, 12, "E204", "step 'tax' → needs: lists the same entry twice"),
        (21, 31, "E204"),  # 'Licence' is not a slug ...
        (21, 31, "E305"),  # ... nor a step
    ])


def test_steps_must_not_be_empty(assert_diagnostics: Check) -> None:
    text = VALID[:VALID.index("steps:")] + "steps: []\n"
    assert_diagnostics(text, [(3, 7, "W323"), (4, 12, "W321"), (9, 8, "E204", "steps: needs at least 1 entry")])


def test_enum_values(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("    days: 1\n", "    days: 1\n    channel: post\n"), [
        (14, 14, "E204", "step 'licence' → channel: text 'post' is not one of window, online, onsite, mixed")])


def test_empty_text_is_refused(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("name: 演示事项", 'name: "  "'), [(2, 7, "E204", "name: must not be empty")])


def test_every_schema_problem_of_a_file_is_reported(assert_diagnostics: Check) -> None:
    text = (VALID.replace("name: 演示事项", "name: 1").replace("days: 1\n", "days: 0\n")
            .replace("days: 0.5", "days: x").replace("commitment: 2", "commitment: 2\nowner: me"))
    assert_diagnostics(text, [(2, 7, "E203"), (6, 1, "E202"), (14, 11, "E204"), (20, 11, "E203")])


def test_describe_path_names_steps_and_materials_by_id() -> None:
    data = load_text(VALID).data
    assert schema.describe_path(data, ("steps", 1, "days")) == "step 'tax' → days"
    assert schema.describe_path(data, ("materials", 0, "id")) == "material 'form-a' → id"
    assert schema.describe_path(data, ("partners", 0)) == "partner #1"
    assert schema.describe_path(data, ()) == "top level"
    assert schema.describe_path({"steps": [{"id": 3}]}, ("steps", 0, "id")) == "step #1 → id"


def test_schema_findings_are_not_repeated_where_the_loader_reported(assert_diagnostics: Check) -> None:
    # the loader keeps '.nan' as text (E204); the schema's "expected number" would say it again
    assert_diagnostics(VALID.replace("days: 0.5", "days: .nan"), [
        (19, 11, "E204", "'.nan' is not a usable number: not a finite number")])
