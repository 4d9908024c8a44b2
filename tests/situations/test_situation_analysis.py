"""One situation and all of them: specialising, the five reductions, best/worst/weighted, the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SITUATED, VALID, analysis_of, lb, situated_item

from engine.errors import UsageError
from engine.flow.analysis import analyze
from engine.situations import analyze_situations, parse_answers, situations, specialise


def test_specialising_keeps_what_the_answers_select(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    s = specialise(item, {"has_licence": False, "area_m2": 500.0, "gas": False, "entity": "company"})
    assert [st.id for st in s.steps] == ["licence", "fire", "tax"]
    assert s.step("licence").materials == ("id-card", "articles-of-association")
    assert s.step("tax").needs == ("fire",)
    assert s.general is item and s.situation is not None
    assert s.situation.describe() == "尚无营业执照 且 营业面积 > 300 m² 且 不使用燃气 且 主体类型：公司"
    assert s.situation.answers["area_m2"] == 500.0  # the concrete answer, not the region's representative
    small = specialise(item, {"area_m2": 80.0, "gas": False})
    assert [st.id for st in small.steps] == ["licence", "tax"]
    assert small.step("tax").needs == () and small.step("licence").materials == ("id-card",)
    assert [f.field for f in small.step("tax").fields] == ["name", "finance-officer", "phone"]


def test_an_item_with_questions_is_analysed_in_its_default_situation(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    a = analyze(item)
    assert a.item.situation is not None and a.item.situation.key == "has_licence=no+area_m2=le300+gas=yes+entity=individual"
    assert [st.id for st in a.item.steps] == ["licence", "fire", "tax"]
    assert (a.metrics.fields_before, a.metrics.fields_after) == (10, 6)
    doc = a.as_dict()
    assert doc["situation"]["answers"] == {"has_licence": False, "area_m2": 80, "gas": True, "entity": "individual"}
    assert [f["id"] for f in doc["form"] if not f["asked"]] == []
    assert {f["id"]: f["filled_from"] for f in doc["form"]}["name"] == ["step:licence"]


def test_every_situation_with_best_worst_and_weighted_figures(tmp_path: Path) -> None:
    report = analyze_situations(situated_item(tmp_path))
    assert report.exhaustive and report.combinations == 16 and len(report.results) == 16
    assert report.best.situation.describe() == "已有营业执照 且 营业面积 ≤ 300 m² 且 不使用燃气 且 主体类型：个体工商户"
    assert report.worst.situation.describe() == "尚无营业执照 且 营业面积 > 300 m² 且 使用燃气 且 主体类型：公司"
    # by hand: P(has licence) 0.3, P(area > 300) 0.2, P(gas) 0.6; with a licence 10.5 / 11 / 1 days
    # (fire below 300 m², above, none), without one 11 / 11.5 / 1.5
    expected = 0.3 * (0.8 * 0.6 * 10.5 + 0.2 * 11 + 0.8 * 0.4 * 1) + 0.7 * (0.8 * 0.6 * 11 + 0.2 * 11.5 + 0.8 * 0.4 * 1.5)
    assert report.figure("optimized_days") == {"min": 1, "max": 11.5, "weighted": round(expected, 2)}
    assert report.figure("fields_after")["min"] == 2
    assert round(sum(r.situation.weight for r in report.results), 9) == 1
    for r in report.results:
        m = r.metrics
        full = r.analysis()  # the fast figures are the full analysis's
        assert (m, r.result.critical_path, r.result.steps) == (
            full.metrics, tuple(full.critical_path), tuple(s.id for s in full.item.steps))
        assert m.optimized_days <= m.serial_days
        assert m.fields_after is not None and m.fields_before is not None and m.fields_after <= m.fields_before


def test_answers_are_typed_and_checked(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    assert parse_answers(item, "area_m2=300, gas=否,entity=公司，has_licence=yes") == {
        "area_m2": 300.0, "gas": False, "entity": "company", "has_licence": True}
    for text, message in [("area=3", "item situated asks no question 'area'; did you mean 'area_m2'?"),
                          ("gas=maybe", "'gas' is a yes/no question: answer yes or no, not 'maybe'"),
                          ("entity=公", "'公' is not an option of 'entity'; did you mean '公司'?"),
                          ("area_m2=-1", "'area_m2': -1 is outside 0 … ∞"),
                          ("gas", "answer 'gas' is not question=value (e.g. area_m2=300,gas=yes)")]:
        with pytest.raises(UsageError) as err:
            specialise(item, parse_answers(item, text))
        assert str(err.value) == message


def test_items_without_questions_are_untouched(tmp_path: Path) -> None:
    a = analysis_of(tmp_path, VALID)
    assert specialise(a.item) is a.item
    assert list(a.as_dict()) == ["id", "name", "lead", "partners", "commitment", "serial_days", "optimized_days",
                                 "saved_days", "saved_ratio", "materials_before", "materials_after", "visits_before",
                                 "visits_after", "steps_before", "steps_after", "stages_before", "stages_after",
                                 "stages", "critical_path", "schedule", "materials", "suggestions"]
    assert [s.key for s in situations(a.item).situations] == ["default"]


# --- the CLI ------------------------------------------------------------------------------------

def write(tmp_path: Path) -> str:
    path = tmp_path / "situated.yaml"
    path.write_text(SITUATED, encoding="utf-8")
    return str(path)


def test_analyze_answers_and_all_situations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path)
    code, out, err = lb(capsys, "analyze", path, "--answers", "area_m2=500,gas=no")
    assert code == 0, err
    assert "  situation 「尚无营业执照 且 营业面积 > 300 m² 且 不使用燃气 且 主体类型：个体工商户」\n" in out
    assert "  answers has_licence=no, area_m2=500, gas=no, entity=individual\n" in out
    assert "  减表单 fields    10 → 6 (each department's form → one merged form)\n" in out
    code, out, _err = lb(capsys, "analyze", path, "--all-situations", "--format", "json")
    doc = json.loads(out)["items"][0]
    assert code == 0 and doc["situations_checked"] == 16 and doc["exhaustive"] is True
    assert doc["default"] == "has_licence=no+area_m2=le300+gas=yes+entity=individual"
    assert doc["figures"]["optimized_days"]["max"] == 11.5
    assert {"key", "description", "weight", "answers", "optimized_days", "fields_after", "steps",
            "critical_path"} <= set(doc["situations"][0])
    code, out, _err = lb(capsys, "analyze", path, "--all-situations", "--format", "markdown")
    assert "| 尚无营业执照 且 营业面积 ≤ 300 m² 且 使用燃气 且 主体类型：个体工商户 (默认) | 26.9% | 11.5 → 11 |" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--answers", "colour=red"],
     "lianban: error: no item here asks 'colour'; questions: area_m2, entity, gas, has_licence"),
    (["--all-situations", "--format", "mermaid"],
     "lianban: error: --all-situations writes text, json, markdown, not mermaid"),
])
def test_analyze_refuses_what_it_cannot_do(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                           message: str) -> None:
    code, out, err = lb(capsys, "analyze", write(tmp_path), *argv)
    assert (code, out, err.strip()) == (2, "", message)


def test_report_gains_the_range_column_only_with_questions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo.yaml").write_text(VALID, encoding="utf-8")
    _code, plain, _err = lb(capsys, "report", str(tmp_path / "demo.yaml"), "--format", "markdown")
    assert plain.splitlines()[0] == "| 事项 | 牵头 | 时限 (工作日) | 节省 | 材料 | 环节 | 跑动 |"
    write(tmp_path)
    _code, both, _err = lb(capsys, "report", str(tmp_path), "--format", "markdown")
    lines = both.splitlines()
    assert lines[0] == "| 事项 | 牵头 | 时限 (工作日) | 各情形时限 | 节省 | 材料 | 环节 | 跑动 | 表单项 |"
    assert lines[2] == "| 演示事项 | 市场监管局 | 1.5 → 1.5 | - | 0.0% | 2 → 1 | 2 → 2 | 2 → 1 | - |"
    assert lines[3] == "| 情形测试 | 市场监管局 | 11.5 → 11 | 1–11.5 | 4.3% | 3 → 1 | 3 → 2 | 3 → 1 | 10 → 6 |"


def test_a_document_asked_before_it_is_issued_takes_the_full_analysis(tmp_path: Path) -> None:
    text = SITUATED.replace("    needs: [{step: fire, when: {area_m2: {gt: 300}}}]\n    materials: [营业执照]\n",
                            "    needs: [{step: fire, when: {area_m2: {gt: 300}}}]\n    materials: [营业执照]\n"
                            "    produces: [消防安全检查合格证]\n")
    text = text.replace("    materials: [营业执照]\n    fields:\n      - {field: 名称",
                        "    materials: [营业执照, 消防安全检查合格证]\n    fields:\n      - {field: 名称")
    path = tmp_path / "backwards.yaml"
    path.write_text(text.replace("id: situated", "id: backwards"), encoding="utf-8")
    from engine.validation.tree import validate_paths

    result = validate_paths([path])
    assert {d.code for d in result.diagnostics} == {"W325"}  # the fire check asks for what tax issues later
    report = analyze_situations(result.items[0])
    for r in report.results:
        full = r.analysis()
        assert (r.metrics, r.result.critical_path) == (full.metrics, tuple(full.critical_path))
