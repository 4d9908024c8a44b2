"""lianban guide: the questionnaire (asked only what matters, re-asked on bad input) and the notice."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from engine.errors import InputEndedError
from engine.situations.conditions import TRUE, AnyOf, Cmp, Not, conj
from engine.situations.guide import decided, next_question
from tests.helpers import ROOT, lb, situated_item

CALENDAR = str(ROOT / "definitions" / "calendar")


def ask_all(item: object, typed: str) -> tuple[dict, str]:
    from engine.cli.guide import interview

    out = io.StringIO()
    answers = interview(item, Console(file=out, width=200, highlight=False), io.StringIO(typed))  # type: ignore[arg-type]
    return answers, out.getvalue()


def test_three_valued_conditions() -> None:
    gt = Cmp("area_m2", "gt", 300.0)
    gas = Cmp("gas", "eq", True)
    assert decided(AnyOf((gt, gas)), {"area_m2": 400.0}, {"gas"}) is True
    assert decided(AnyOf((gt, gas)), {"area_m2": 100.0}, {"gas"}) is None
    assert decided(conj(gt, gas), {"area_m2": 100.0}, {"gas"}) is False
    assert decided(Not(gas), {"gas": False}, set()) is True
    assert decided(TRUE, {}, {"gas"}) is True


def test_a_question_that_no_longer_matters_is_skipped(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    assert next_question(item, {}).id == "has_licence"  # type: ignore[union-attr]
    # above 300 m² the fire check is in whatever the gas answer: gas is not asked
    assert next_question(item, {"has_licence": False, "area_m2": 400.0}).id == "entity"  # type: ignore[union-attr]
    assert next_question(item, {"has_licence": False, "area_m2": 100.0}).id == "gas"  # type: ignore[union-attr]
    # with a licence there is no licence step, so its 公司章程 (entity: company) changes nothing
    assert next_question(item, {"has_licence": True, "area_m2": 100.0, "gas": True}) is None


def test_interview_reasks_bad_answers_and_takes_defaults(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    # has_licence: 3 is out of range, then 'maybe', then 2 (尚无); area: '400 km' wrong unit, 'lots', '-5' below
    # min, then 400 m²; entity: Enter takes the default
    answers, shown = ask_all(item, "3\nmaybe\n2\n400 km\nlots\n-5\n400 m²\n\n")
    assert answers == {"has_licence": False, "area_m2": 400.0, "entity": "individual"}
    assert "choose a number from 1 to 2" in shown
    assert "'km' is not the unit of this question: answer in m²" in shown
    assert "'lots' is not a number" in shown
    assert "outside 0" in shown
    assert "是否使用燃气" not in shown          # not asked: it changes nothing above 300 m²
    assert "[1. 个体工商户]" in shown           # the default, shown in brackets
    assert "Traceback" not in shown


def test_interview_accepts_texts_ids_and_chinese_units(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    answers, _shown = ask_all(item, "尚无营业执照\n120平方米\nno\ncompany\n")
    assert answers == {"has_licence": False, "area_m2": 120.0, "gas": False, "entity": "company"}


def test_question_text_is_not_console_markup(tmp_path: Path) -> None:
    from tests.helpers import SITUATED

    hostile = SITUATED.replace("text: 是否使用燃气？", "text: '[bold red]是否[/] 使用燃气？'")
    item = situated_item(tmp_path, hostile)
    _answers, shown = ask_all(item, "2\n100\n1\n1\n")
    assert "[bold red]是否[/] 使用燃气？" in shown


def test_end_of_input_stops_cleanly(tmp_path: Path) -> None:
    item = situated_item(tmp_path)
    with pytest.raises(InputEndedError):
        ask_all(item, "2\n")


def test_guide_cli_interactive_from_stdin(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "situated.yaml"
    situated_item(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n100\n2\n"))
    code, out, err = lb(capsys, "guide", str(path), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)            # the questions went to stderr, the notice alone to stdout
    assert "是否已领取营业执照" in err
    assert doc["situation"]["key"] == "has_licence=yes+area_m2=le300+gas=no+entity=individual"
    assert [s["id"] for stage in doc["stages"] for s in stage] == ["licence-check", "tax"]
    assert [m["name"] for m in doc["materials"]] == []  # the 营业执照 is checked, not brought
    given = {a["question"]: a["given"] for a in doc["answers"]}
    assert given == {"has_licence": True, "area_m2": True, "gas": True, "entity": False}


def test_guide_cli_end_of_input_and_interrupt(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    situated_item(tmp_path)
    path = str(tmp_path / "situated.yaml")
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    code, out, err = lb(capsys, "guide", path)
    assert (code, out) == (1, "")
    assert "lianban: stopped: the input ended" in err and "Traceback" not in err

    class Interrupting(io.StringIO):
        def readline(self, *args: object) -> str:
            raise KeyboardInterrupt

    monkeypatch.setattr("sys.stdin", Interrupting())
    code, out, err = lb(capsys, "guide", path)
    assert (code, out) == (130, "")
    assert "interrupted" in err


def test_guide_answers_text_and_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    situated_item(tmp_path)
    path = str(tmp_path / "situated.yaml")
    # default situation: licence (1 d) then the fire check (10 d): 11 working days; accepted Thursday
    # 2026-12-24, the 11th working day is Monday 2027-01-11 (1 January is a holiday; 2027 is provisional)
    code, out, err = lb(capsys, "guide", path, "--answers", "gas=yes", "--start", "2026-12-24", "--calendar", CALENDAR)
    assert code == 0, err
    assert "11 working days after acceptance; 2027-01-11 if accepted on 2026-12-24 (provisional: 2027" in out
    assert "Materials to bring (1, each once):\n  1. 居民身份证 (市场监管局)\n" in out  # 营业执照: handed over
    assert "  2. 消防检查 [应急管理局, 10d]  ‖  税务登记 [税务局, 0.5d]\n" in out    # in parallel
    assert "  是否使用燃气？ 使用燃气\n" in out and "经营场所面积是多少？ 80 m² (default)" in out
    code, out, err = lb(capsys, "guide", path, "--answers", "gas=yes", "--format", "markdown", "--start",
                        "2026-12-24", "--calendar", CALENDAR)
    assert "## 预计办结：受理后 11 个工作日（2026-12-24 受理，预计 2027-01-11 办结；暂定：2027 年" in out
    assert "| 减时限 | 11.5 → 11 个工作日 |" in out


@pytest.mark.parametrize(("answers", "message"), [
    ("aera_m2=300", "item situated asks no question 'aera_m2'; did you mean 'area_m2'?"),
    ("area_m2=lots", "'area_m2' is a number question (m²): answer a number, not 'lots'"),
    ("entity=compnay", "'compnay' is not an option of 'entity'; did you mean 'company'?"),
    ("area_m2", "answer 'area_m2' is not question=value"),
])
def test_guide_bad_answers_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], answers: str,
                                  message: str) -> None:
    situated_item(tmp_path)
    code, out, err = lb(capsys, "guide", str(tmp_path / "situated.yaml"), "--answers", answers)
    assert (code, out) == (2, "")
    assert message in err


def test_guide_item_without_questions_asks_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import VALID, write

    path = write(tmp_path, "plain.yaml", VALID)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nothing to read: nothing is asked
    code, out, err = lb(capsys, "guide", str(path))
    assert code == 0, err
    assert "Situation:" not in out and "Materials to bring" in out
    code, out, err = lb(capsys, "guide", str(path), "--answers", "x=1")
    assert code == 2 and "asks no questions" in err
