"""Semantic checks (E301-E310, W321-W329): unique ids, references that resolve,
the dependency graph and the time limits, each at its exact line and column."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import TREE_ITEM, VALID, make_tree, write

from engine.locations import project_catalog_dir
from engine.validation import checks
from engine.validation.catalog import load_catalog
from engine.validation.checks import check_item
from engine.validation.loader import load_text
from engine.validation.tree import validate_paths

Check = Callable[..., Any]

CHAIN = """\
id: demo
name: 链
lead: 市场监管局
commitment: 3
steps:
  - {id: a, name: 甲, department: 市场监管局, days: 1}
  - {id: b, name: 乙, department: 市场监管局, days: 1, needs: [a]}
  - {id: c, name: 丙, department: 市场监管局, days: 1, needs: [b]}
"""


# --- unique ids -----------------------------------------------------------------------

def test_two_files_with_the_same_item_id(tmp_path: Path) -> None:
    write(tmp_path, "tree/a/demo.yaml", VALID)
    write(tmp_path, "tree/b/demo.yaml", VALID)
    result = validate_paths([tmp_path / "tree"])
    assert [(d.path, d.line, d.col, d.code, d.message) for d in result.diagnostics] == [
        (str(tmp_path / "tree/b/demo.yaml"), 1, 5, "E301",
         f"item id 'demo' is already used by {tmp_path / 'tree/a/demo.yaml'} (line 1)")]
    assert result.diagnostics[0].hint == "item ids must be unique in a definitions tree"
    assert [i.path for i in result.items] == [str(tmp_path / "tree/a/demo.yaml")]


def test_a_duplicate_item_id_is_found_even_when_the_file_has_other_errors(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", VALID.replace("id: demo", "id: a").replace("days: 0.5", "days: 0"))
    write(tmp_path, "b.yaml", "\n" + VALID.replace("id: demo", "id: a").replace("b.yaml", ""))
    found = [(Path(d.path).name, d.line, d.col, d.code) for d in validate_paths([tmp_path]).diagnostics]
    assert found == [("a.yaml", 19, 11, "E204"), ("b.yaml", 2, 5, "E301"), ("b.yaml", 2, 5, "W327")]


def test_duplicate_step_ids(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("id: tax", "id: licence"), [
        (16, 9, "E302", "step id 'licence' is already used (line 10)")])
    assert diags[0].hint == "step ids must be unique in the item: rename one"


def test_duplicate_material_ids(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("{id: cert-b, name: 测试证照乙}", "{id: form-a, name: 测试证照乙}"), [
        (8, 10, "E303", "material id 'form-a' is already used (line 7)"),
        (15, 16, "E306"), (20, 17, "E306")])


def test_a_local_material_that_shadows_the_catalog(assert_diagnostics: Check) -> None:
    catalog = load_catalog(project_catalog_dir())
    mat = catalog.materials[0]
    diags = assert_diagnostics(VALID.replace("{id: form-a, name: 测试申请表甲}", f"{{id: form-a, name: {mat.name}}}"), [
        (7, 10, "W328", f"local material 'form-a' shadows catalog material '{mat.id}' ({mat.name})")])
    assert diags[0].hint == f"use the catalog's '{mat.id}' so the material merges across items"


def test_file_name_differs_from_item_id(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID, [(1, 5, "W327", "file 'other.yaml' holds item 'demo'")], name="other.yaml")
    assert diags[0].hint == "name the file demo.yaml so the item is easy to find"


# --- references ------------------------------------------------------------------------

def test_unknown_department_suggests_the_catalog_name(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("    department: 市场监管局", "    department: 市场监督局"), [
        (12, 17, "E304", "unknown department '市场监督局'")])
    assert diags[0].hint == "did you mean '市场监管局'?"


def test_unknown_lead_raises_no_guesswork_about_partners(assert_diagnostics: Check) -> None:
    # licence's department would otherwise be "neither lead nor partner" (W322)
    assert_diagnostics(VALID.replace("lead: 市场监管局", "lead: 市场监督局"),
                       [(3, 7, "E304", "unknown department '市场监督局'")])


def test_unknown_department_without_a_close_name(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("partners: [税务局]", "partners: [税务局, 火星局]"), [
        (4, 17, "E304", "unknown department '火星局'")])
    assert diags[0].hint == "add it to the department catalog (catalog/departments.yaml)"


def test_an_alias_resolves_and_a_department_listed_twice_warns(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("partners: [税务局]", "partners: [税务局, 市场监管]"), [
        (4, 17, "W324", "'市场监管' is 市场监管局, already listed at line 3")])
    assert diags[0].hint == "list each department once"


def test_needs_an_unknown_step(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("    materials: [cert-b]", "    materials: [cert-b]\n    needs: [licnce]"), [
        (21, 13, "E305", "step 'tax' needs unknown step 'licnce'")])
    assert diags[0].hint == "did you mean 'licence'?"
    diags = assert_diagnostics(VALID.replace("    materials: [cert-b]", "    materials: [cert-b]\n    needs: [zzz]"), [
        (21, 13, "E305", "step 'tax' needs unknown step 'zzz'")])
    assert diags[0].hint == "steps of this item: licence, tax"


def test_unknown_material_by_id_or_name(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("materials: [cert-b]", "materials: [cert-c]"), [
        (20, 17, "E306", "unknown material 'cert-c'")])
    assert diags[0].hint == "did you mean 'cert-b'?"
    diags = assert_diagnostics(VALID.replace("materials: [cert-b]", "materials: [测试证照]"), [
        (20, 17, "E306", "unknown material '测试证照'")])
    assert diags[0].hint == "did you mean 'cert-b'?"


def test_unknown_produced_material(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("produces: [cert-b]", "produces: [cert-b, 火星证]"), [
        (15, 24, "E306", "unknown material '火星证'")])


def test_materials_resolve_by_id_name_and_alias(assert_diagnostics: Check) -> None:
    text = VALID.replace("{id: form-a, name: 测试申请表甲}", "{id: form-a, name: 测试申请表甲, aliases: [申请表甲]}")
    assert_diagnostics(text.replace("materials: [form-a]", "materials: [申请表甲]"), [])
    assert_diagnostics(text.replace("materials: [form-a]", "materials: [测试申请表甲]"), [])


def test_the_same_material_twice_in_a_step(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("materials: [form-a]", "materials: [form-a, 测试申请表甲]"), [
        (14, 25, "W326", "'测试申请表甲' and 'form-a' are the same material (测试申请表甲)")])
    assert diags[0].hint == "list it once"


def test_a_material_produced_by_two_steps(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("materials: [cert-b]", "produces: [cert-b]"), [
        (20, 16, "E310", "'测试证照乙' is also produced by step 'licence' (line 15)")])


# --- the graph -------------------------------------------------------------------------

def test_a_step_that_needs_itself(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(CHAIN.replace("needs: [a]", "needs: [b]"), [(7, 58, "E307", "step 'b' needs itself")])
    assert diags[0].hint == "remove it from needs"


def test_a_cycle_is_named_in_order(assert_diagnostics: Check) -> None:
    text = CHAIN.replace("days: 1}\n  - {id: b", "days: 1, needs: [c]}\n  - {id: b")
    diags = assert_diagnostics(text, [(6, 57, "E308", "dependency cycle: a → b → c → a")])
    assert diags[0].hint == "a step cannot wait for itself, even through others: remove one of these needs"


def test_a_two_step_cycle_in_block_style(assert_diagnostics: Check) -> None:
    text = VALID.replace("    materials: [form-a]", "    materials: [form-a]\n    needs: [tax]") \
                .replace("    materials: [cert-b]", "    materials: [cert-b]\n    needs: [licence]")
    assert_diagnostics(text, [(15, 12, "E308", "dependency cycle: licence → tax → licence")])


def test_commitment_shorter_than_the_longest_chain(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(CHAIN.replace("commitment: 3", "commitment: 2.5"), [
        (4, 13, "E309", "commitment of 2.5 working days cannot be kept: the chain a → b → c takes 3")])
    assert diags[0].hint == "promise at least 3 days, or shorten a step on that chain"
    assert_diagnostics(CHAIN, [])  # exactly the chain is fine


def test_material_edges_count_in_the_chain(assert_diagnostics: Check) -> None:
    # tax waits for the licence it uses: 1 + 0.5 days
    assert_diagnostics(VALID.replace("commitment: 2", "commitment: 1"), [
        (5, 13, "E309", "commitment of 1 working days cannot be kept: the chain licence → tax takes 1.5")])


def test_a_produced_material_asked_from_the_applicant_too_early(assert_diagnostics: Check) -> None:
    # licence now waits for tax, so tax cannot wait for the licence's certificate: the applicant must bring it
    diags = assert_diagnostics(VALID.replace("    materials: [form-a]", "    materials: [form-a]\n    needs: [tax]"), [
        (21, 17, "W325", "step 'tax' asks the applicant for '测试证照乙', which step 'licence' issues later in the flow")])
    assert diags[0].hint == "make the step wait for the producer (needs), or drop the material from one side"


def test_a_step_that_asks_for_what_it_issues(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID.replace("materials: [form-a]", "materials: [form-a, cert-b]"), [
        (14, 25, "W325", "step 'licence' both asks the applicant for '测试证照乙' and issues it")])


def test_a_material_edge_makes_the_user_wait_and_is_no_warning(assert_diagnostics: Check) -> None:
    assert_diagnostics(VALID, [])


# --- departments ---------------------------------------------------------------------

def test_partner_without_a_step(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("partners: [税务局]", "partners: [税务局, 公安局]"), [
        (4, 17, "W321", "partner 公安局 handles no step")])
    assert diags[0].hint == "add the sub-item it handles, or remove it from partners"


def test_step_department_neither_lead_nor_partner(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("partners: [税务局]\n", ""), [
        (17, 17, "W322", "step 'tax' is handled by 税务局, which is neither lead nor partner")])
    assert diags[0].hint == "add 税务局 to partners"


def test_lead_without_a_step(assert_diagnostics: Check) -> None:
    text = VALID.replace("lead: 市场监管局", "lead: 公安局").replace("partners: [税务局]", "partners: [税务局, 市场监管局]")
    diags = assert_diagnostics(text, [(3, 7, "W323", "the lead department 公安局 handles no step")])
    assert diags[0].hint == "add its step, or make the department that leads the flow the lead"


def test_step_time_limit_over_its_legal_limit(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(VALID.replace("    days: 1\n", "    days: 1.5\n    legal_days: 1\n"), [
        (13, 11, "W329", "step 'licence' promises 1.5 working days, more than its legal limit of 1")])
    assert diags[0].hint == "a committed limit (承诺时限) should not exceed the legal one (法定时限)"


# --- every problem at once -------------------------------------------------------------

FIVE = """\
id: demo
name: 五个问题
lead: 市场监督局
steps:
  - id: a
    name: 甲
    department: 市场监管局
    days: 0
    needs: [a]
    colour: red
  - id: a
    name: 乙
    department: 税务局
    days: 1
"""


def test_a_file_with_five_problems_yields_five_findings(assert_diagnostics: Check) -> None:
    assert_diagnostics(FIVE, [
        (3, 7, "E304", "unknown department '市场监督局'"),
        (8, 11, "E204", "step 'a' → days: 0 must be greater than 0"),
        (9, 13, "E307", "step 'a' needs itself"),
        (10, 5, "E202", "step 'a': unknown field 'colour'"),
        (11, 9, "E302", "step id 'a' is already used (line 5)"),
    ])


def test_every_file_of_a_tree_is_reported_in_one_run(tmp_path: Path) -> None:
    write(tmp_path, "demo.yaml", FIVE)
    write(tmp_path, "sub/other.yaml", VALID.replace("id: demo", "id: other").replace("days: 0.5", "days: 0"))
    write(tmp_path, "sub/broken.yaml", "id: [\n")
    result = validate_paths([tmp_path])
    assert [(Path(d.path).name, d.code) for d in result.diagnostics] == [
        ("demo.yaml", c) for c in ("E304", "E204", "E307", "E202", "E302")] + [
        ("broken.yaml", "E100"), ("other.yaml", "E204")]
    assert len(result.files) == 3
    assert result.items == []


# --- catalogs of a definitions tree -------------------------------------------------

def test_a_tree_with_its_own_catalog_uses_it(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree", items={"items/a.yaml": TREE_ITEM})
    result = validate_paths([root / "items" / "a.yaml"])
    assert result.diagnostics == []
    assert result.items[0].lead == "甲局"
    assert result.items[0].steps[0].materials == ("shared-form",)


def test_a_file_outside_a_tree_uses_the_project_catalog(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", TREE_ITEM)
    assert [(d.line, d.col, d.code) for d in validate_paths([path]).diagnostics] == [
        (3, 7, "E304"), (5, 34, "E304"), (5, 59, "E306")]


def test_catalog_problems_are_reported_once(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree", materials="""\
        materials:
          - {id: shared-form, name: 通用表}
          - {id: other, name: 其他, aliases: [通用表]}
        """, items={"a.yaml": TREE_ITEM, "b.yaml": TREE_ITEM.replace("id: a", "id: b")})
    result = validate_paths([root])
    assert [(Path(d.path).name, d.line, d.col, d.code, d.message) for d in result.diagnostics] == [
        ("materials.yaml", 3, 5, "E402", "'通用表' names both material 'shared-form' (line 2) and material 'other'")]
    assert result.diagnostics[0].hint == "a name or alias must name one entry only"


def test_a_broken_catalog_file_is_located(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree", departments="departments:\n  - {name: 甲局, kind: army}\n",
                     items={"a.yaml": TREE_ITEM})
    found = [(Path(d.path).name, d.line, d.col, d.code) for d in validate_paths([root]).diagnostics]
    assert ("departments.yaml", 2, 22, "E204") in found


# --- the library entry points ----------------------------------------------------------

def test_check_item_on_schema_invalid_data_returns_no_model() -> None:
    # regression: the checks found no error of their own and the model was built from
    # data without 'lead' (KeyError); schema problems must stop the model too
    loaded = load_text("id: x\nname: n\nsteps: [{id: a, name: a, department: 市场监管局, days: 1}]\n")
    diags, item = check_item("x.yaml", loaded.data, loaded.positions, load_catalog(project_catalog_dir()))
    assert item is None
    assert [d.code for d in diags] == []


def test_did_you_mean_is_computed_for_a_bounded_number_of_typos(assert_diagnostics: Check) -> None:
    steps = "".join(f"  - {{id: s{i}, name: 步, department: 市场监督局{i}, days: 1}}\n" for i in range(40))
    text = f"id: demo\nname: 多\nlead: 市场监管局\nsteps:\n{steps}"
    diags = assert_diagnostics(text, [(5 + i, 35 if i < 10 else 36, "E304") for i in range(40)])
    hints = [d.hint for d in diags if d.code == "E304"]
    assert hints[:checks.SUGGESTIONS] == ["did you mean '市场监管局'?"] * checks.SUGGESTIONS
    assert set(hints[checks.SUGGESTIONS:]) == {"add it to the department catalog (catalog/departments.yaml)"}


DOC_CYCLE = """\
id: demo
name: 演示事项
lead: 市场监管局
partners: [税务局, 公安局]
materials:
  - {id: tax-cert, name: 测试税务证}
  - {id: seal-cert, name: 测试印章证}
steps:
  - {id: licence, name: 营业执照, department: 市场监管局, days: 1, materials: [seal-cert], produces: [营业执照]}
  - {id: tax, name: 税务登记, department: 税务局, days: 0.5, materials: [营业执照], produces: [tax-cert]}
  - {id: seal, name: 印章, department: 公安局, days: 0.5, materials: [tax-cert], produces: [seal-cert]}
"""


def test_a_cycle_through_documents_is_an_error_spelled_out(assert_diagnostics: Check) -> None:
    diags = assert_diagnostics(DOC_CYCLE, [
        (10, 67, "E311", "document cycle: licence → tax (营业执照) → seal (测试税务证) → licence (测试印章证)")])
    assert diags[0].hint is not None and "applicant_may_hold" in diags[0].hint


@pytest.mark.parametrize("held", ["tax-cert", "测试印章证", "营业执照"])
def test_a_document_the_applicant_may_hold_breaks_the_cycle(assert_diagnostics: Check, tmp_path: Path,
                                                            held: str) -> None:
    assert_diagnostics(DOC_CYCLE + f"applicant_may_hold: [{held}]\n", [])
    from engine.flow.analysis import analyze
    from engine.validation.tree import load_items

    (item,), _result = load_items([tmp_path / "demo.yaml"])
    a = analyze(item)
    brought = {m.id for m in a.applicant_materials}
    held_id = {"tax-cert": "tax-cert", "测试印章证": "seal-cert", "营业执照": "business-licence"}[held]
    assert held_id in brought  # the applicant brings the document they may hold
    assert len(a.stages) == 3  # the other two waits remain: a chain of three


def test_an_unknown_document_the_applicant_may_hold(assert_diagnostics: Check) -> None:
    assert_diagnostics(DOC_CYCLE + "applicant_may_hold: [税务正]\n", [
        (10, 67, "E311"), (12, 22, "E306", "unknown material '税务正'")])


def test_a_backwards_document_forced_by_needs_stays_a_warning(assert_diagnostics: Check) -> None:
    """W325, not E311: the needs edge decides the order, nothing is left to choose."""
    text = VALID.replace("    materials: [form-a]", "    materials: [form-a]\n    needs: [tax]")
    assert [d.code for d in assert_diagnostics(text, [(21, 17, "W325")])] == ["W325"]
