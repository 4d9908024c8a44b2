"""Chinese text in the terminal wraps between characters (with 禁则) instead of being cut to '…'."""
from __future__ import annotations

import pytest
from helpers import real_analyses, real_analysis
from rich.cells import cell_len

from engine.outputs.cjk import Wrapped, break_offsets, units
from engine.outputs.terminal import department_preview, portfolio_table


def cells(table: str) -> list[list[str]]:
    """The cells of a rich box table, each joined over its lines (one row between two rules)."""
    rows: list[list[str]] = []
    current: list[list[str]] | None = None
    for line in table.splitlines():
        if line.startswith(("┡", "├", "└", "┏", "┗")):
            if current:
                rows.append(["".join(parts) for parts in current])
            current = None
            continue
        if line.startswith(("│", "┃")):
            parts = [p.strip() for p in line.strip("│┃").replace("┃", "│").split("│")]
            if current is None:
                current = [[] for _ in parts]
            for i, p in enumerate(parts):
                current[i].append(p)
    return rows


@pytest.mark.parametrize(("text", "expected"), [
    ("营业执照、身份证", ["营", "业", "执", "照、", "身", "份", "证"]),  # 、 never starts a line
    ("（副本）", ["（副", "本）"]),  # an opening bracket never ends one
    ("day 1.5 → 2", ["day", " ", "1.5", " ", "→", " ", "2"]),
])
def test_units_keep_words_whole_and_follow_kinsoku(text: str, expected: list[str]) -> None:
    assert units(text) == expected


def test_lines_fit_and_nothing_is_lost() -> None:
    text = "公司设立登记（营业执照）、印章刻制备案、单位社会保险登记及员工参保登记"
    for width in (6, 9, 12, 20):  # (narrower than a character and its marks, 照）、, the width wins: folded)
        offsets = break_offsets(text, width)
        pieces = [text[a:b] for a, b in zip([0, *offsets], [*offsets, len(text)], strict=True)]
        assert "".join(pieces) == text
        assert all(cell_len(p) <= width for p in pieces)
        assert not any(p.startswith(("、", "）")) for p in pieces[1:])
        assert not any(p.endswith("（") for p in pieces)


def test_a_word_wider_than_the_column_is_folded() -> None:
    assert [len(line.plain) for line in Wrapped("abcdefghij").lines(4)] == [4, 4, 2]


@pytest.mark.parametrize("item_id", ["open-restaurant", "start-business", "construction-permit",
                                     "open-medical-institution"])
def test_the_department_view_shows_every_material_and_hand_off_in_full_at_80_columns(item_id: str) -> None:
    analysis = real_analysis(item_id)
    item = analysis.item
    for view in analysis.department_views():
        out = department_preview(analysis, view, width=80)
        assert "…" not in out
        assert max(cell_len(line) for line in out.splitlines()) <= 80
        rows = cells(out)[1:]  # without the header
        assert len(rows) == len(view.steps)
        for row, v in zip(rows, view.steps, strict=True):
            # a cell is wrapped between characters (a break at a space drops the space)
            received, applicant = row[2].replace(" ", ""), row[3].replace(" ", "")
            for mid in v.applicant_materials:
                assert item.material_name(mid).replace(" ", "") in applicant
            for r in v.receives:
                assert f"{r.name}←{item.step(r.from_step).name}".replace(" ", "") in received
            assert v.step.name.replace(" ", "") in row[0].replace(" ", "")


def test_the_report_at_80_columns_keeps_every_name_and_the_rows_apart() -> None:
    analyses = real_analyses()
    out = portfolio_table(analyses, width=80)
    assert "…" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    rows = cells(out)
    body = rows[1:1 + len(analyses)]
    assert [r[0] for r in body] == [a.item.name for a in analyses]  # every name whole, one row per item
    assert len({r[0] for r in body}) == len(analyses)  # six items starting with 我要开 are told apart
    assert [r[1] for r in body] == [a.item.lead for a in analyses]
    assert [r[2].replace(" ", "") for r in body] == [f"{a.metrics.serial_days:g}→{a.metrics.optimized_days:g}"
                                                     for a in analyses]


def test_at_80_columns_the_situations_and_fields_get_a_table_of_their_own() -> None:
    from engine.outputs.summaries import situation_days

    analyses = real_analyses()
    out = portfolio_table(analyses, width=80)
    first, second = out.split("└", 1)[0], out.split("┘", 1)[1]
    assert "各情形" not in first and "减表单" not in first
    rows = cells(second)[:1] + [[c.strip() for c in line.strip("│").split("│")]  # one line per item: it fits
                                for line in second.splitlines() if line.startswith("│")]
    asking = [a for a in analyses if a.item.has_situations or a.metrics.fields_before is not None]
    assert asking  # the project's items ask questions
    assert rows[0] == ["事项 item", "各情形 days by situation", "减表单 fields"]
    assert rows[1:1 + len(asking)] == [
        [a.item.name, situation_days(a.item) if a.item.has_situations else "-",
         f"{a.metrics.fields_before} → {a.metrics.fields_after}" if a.metrics.fields_before is not None else "-"]
        for a in asking]


def test_the_report_is_unchanged_where_it_fits() -> None:
    """Where every column fits (here 200 columns) nothing wraps: one table, one line per item, as before."""
    analyses = real_analyses()
    out = portfolio_table(analyses, width=200)
    assert out.count("┏") == 1 and "各情形" in out
    for a in analyses:
        assert any(a.item.name in line and a.item.lead in line for line in out.splitlines())
