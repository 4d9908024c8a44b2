"""The merged form as JSON Schema 2020-12, and cases opened in one situation."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import CATALOG, SITUATED, lb, situated_item
from jsonschema import Draft202012Validator

from engine.cases.opening import open_case, rebuild_analysis
from engine.flow.analysis import analyze
from engine.situations import form_schema, situations, specialise
from engine.situations.forms import merge_fields
from engine.validation.catalog import load_catalog

SAMPLE: dict[str, Any] = {"text": "某某", "number": 12, "date": "2021-09-29", "yes-no": True}


def instance(item: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers and a value for every field the situation's merged form asks."""
    special = specialise(item, answers)
    doc = {q: v for q, v in special.situation.answers.items() if v is not None}
    for f in merge_fields(special):
        if f.asked:
            doc[f.id] = SAMPLE[f.type]
    return doc


def test_the_form_is_a_valid_2020_12_schema_that_accepts_exactly_each_situation(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    schema = form_schema(item)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    asked_somewhere = set()
    for s in situations(item).situations:
        answers = {q: v for q, v in s.answers.items() if v is not None}
        doc = instance(item, answers)
        assert list(validator.iter_errors(doc)) == [], s.describe()
        fields = [k for k in doc if k not in answers]
        asked_somewhere.update(fields)
        for missing in fields:  # every asked field is required
            assert not validator.is_valid({k: v for k, v in doc.items() if k != missing}), (s.describe(), missing)
        for extra in {"premises", "area-m2", "operator-name"} - set(fields):  # and no other field is allowed
            assert not validator.is_valid({**doc, extra: "某某" if extra != "area-m2" else 1}), (s.describe(), extra)
    assert asked_somewhere == {"name", "operator-name", "premises", "phone", "area-m2", "finance-officer"}
    assert schema["required"] == ["has_licence", "area_m2", "gas", "entity", "phone", "finance-officer"]
    assert not validator.is_valid({**instance(item, {}), "gas": "yes"})  # answers are typed too


def test_the_form_of_one_situation_has_no_conditions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "situated.yaml"
    path.write_text(SITUATED, encoding="utf-8")
    code, out, _err = lb(capsys, "export", "form", str(path), "--answers", "has_licence=yes,gas=no")
    schema = json.loads(out)
    assert code == 0 and "allOf" not in schema
    assert schema["required"] == ["finance-officer", "phone"]
    assert schema["description"] == "情形：已有营业执照 且 营业面积 ≤ 300 m² 且 不使用燃气 且 主体类型：个体工商户"
    code, out, _err = lb(capsys, "export", "form", str(path))
    assert code == 0 and json.loads(out) == form_schema(situated_item(tmp_path, name="again.yaml"))


def test_a_case_holds_only_its_situation(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    case = open_case(analyze(specialise(item, {"has_licence": True, "gas": False})), "张三", date(2021, 9, 29))
    assert list(case.steps) == ["licence-check", "tax"]
    assert case.materials == []
    assert case.situation is not None and case.situation["answers"] == {
        "has_licence": True, "area_m2": 80, "gas": False, "entity": "individual"}
    again = type(case).replay(case.events)
    rebuilt = rebuild_analysis(again, load_catalog(CATALOG))
    assert [s.id for s in rebuilt.item.steps] == ["licence-check", "tax"]
    assert case.as_dict()["situation"]["description"] == \
        "已有营业执照 且 营业面积 ≤ 300 m² 且 不使用燃气 且 主体类型：个体工商户"


def test_case_open_records_the_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "situated.yaml"
    path.write_text(SITUATED, encoding="utf-8")
    db = str(tmp_path / "cases.db")
    code, out, _err = lb(capsys, "case", "open", str(path), "--applicant", "张三", "--on", "2021-09-29",
                         "--answers", "area_m2=500", "--db", db, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and [s["id"] for s in doc["steps"]] == ["licence", "fire", "tax"]
    assert doc["situation"]["key"] == "has_licence=no+area_m2=gt300+gas=yes+entity=individual"
    code, _out, err = lb(capsys, "case", "open", str(path), "--applicant", "张三", "--answers", "gass=yes", "--db", db)
    assert code == 2 and "did you mean 'gas'?" in err
