"""Helpers and definitions shared by several test modules (fixtures live in conftest.py)."""
from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.flow.analysis import Analysis, analyze
from engine.model import Item, Step
from engine.validation.catalog import Material
from engine.validation.tree import load_items

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "definitions" / "catalog"

# A small item that validates without findings against the project catalog; tests
# change one thing in it.  Only the departments and the item-local materials below
# are relied on, so the catalog can grow without breaking the tests.
VALID = """\
id: demo
name: 演示事项
lead: 市场监管局
partners: [税务局]
commitment: 2
materials:
  - {id: form-a, name: 测试申请表甲}
  - {id: cert-b, name: 测试证照乙}
steps:
  - id: licence
    name: 营业执照
    department: 市场监管局
    days: 1
    materials: [form-a]
    produces: [cert-b]
  - id: tax
    name: 税务登记
    department: 税务局
    days: 0.5
    materials: [cert-b]
"""

# A 3-day first step across 2021's National Day, a dependant, and a parallel half-day step.
ND_YAML = """\
id: national-day
name: 国庆测试
lead: 市场监管局
partners: [税务局, 公安局]
steps:
  - {id: licence, name: 营业执照, department: 市场监管局, days: 3, materials: [id-card], produces: [business-licence]}
  - {id: tax, name: 税务登记, department: 税务局, days: 1, needs: [licence], materials: [business-licence, agent-id-card]}
  - {id: seal, name: 印章, department: 公安局, days: 0.5, materials: [id-card]}
"""

# ND_YAML on two clocks: the item promises 5 working days (legal cap 20); the licence has a legal
# limit of 5 working days from its acceptance, the tax step 3.
ND_CLOCKS_YAML = (ND_YAML.replace("steps:\n", "commitment: 5\nlegal_days: 20\nsteps:\n")
                  .replace("days: 3, materials", "days: 3, legal_days: 5, materials")
                  .replace("days: 1, needs", "days: 1, legal_days: 3, needs"))

# The site's item (tests of render): five steps in three departments, a commitment, a material
# one step issues for three others, an applicant's material asked for twice, a plain `needs`.
DEMO = """\
id: demo
name: 演示事项
lead: 市场监管局
partners: [公安局, 税务局]
commitment: 12
steps:
  - {id: licence, name: 设立登记, department: 市场监管局, days: 1, visits: 2,
     materials: [registration-application, id-card], produces: [business-licence]}
  - {id: permit, name: 许可审查, department: 市场监管局, days: 10, visits: 2, materials: [business-licence, id-card]}
  - {id: seal, name: 印章刻制, department: 公安局, days: 0.5, materials: [business-licence],
     produces: [invoice-seal-impression]}
  - {id: tax, name: 税务登记, department: 税务局, days: 0.5, materials: [business-licence, invoice-seal-impression]}
  - {id: audit, name: 事后核查, department: 税务局, days: 0.5, needs: [permit], materials: [agent-id-card]}
"""

# Gantt charts whose texts crowd each other: one step whose note is wider than the right
# margin, and a commitment between the heading and the bars (5.5: inside the notes).
SINGLE = """\
id: single
name: 营业执照登记
lead: 市场监管局
steps:
  - {id: a, name: 营业执照登记, department: 市场监管局, days: 10}
"""

PROMISED = """\
id: promised
name: 承诺五天
lead: 市场监管局
partners: [公安局, 税务局]
commitment: 5
steps:
  - {id: a, name: 设立登记, department: 市场监管局, days: 5}
  - {id: b, name: 印章刻制, department: 公安局, days: 5}
  - {id: c, name: 税务登记, department: 税务局, days: 5}
  - {id: d, name: 发票申领, department: 税务局, days: 5}
  - {id: e, name: 社保登记, department: 市场监管局, days: 3}
  - {id: f, name: 银行开户, department: 市场监管局, days: 2, needs: [e]}
"""

# An item of the tree make_tree builds (its department 甲局 and material 通用表).
TREE_ITEM = """\
id: a
name: 甲事项
lead: 甲
steps:
  - {id: s, name: 步, department: 甲局, days: 1, materials: [通用表]}
"""


def write(directory: Path, name: str, text: str | bytes) -> Path:
    """Write *text* (dedented when it is a str) to ``directory/name``, making folders."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_tree(root: Path, departments: str | None = None, materials: str | None = None,
              items: dict[str, str] | None = None) -> Path:
    """A definitions tree: ``root/catalog/{departments,materials}.yaml`` and item files."""
    write(root, "catalog/departments.yaml", departments if departments is not None else """\
        departments:
          - {name: 甲局, aliases: [甲]}
          - {name: 乙局}
        """)
    write(root, "catalog/materials.yaml", materials if materials is not None else """\
        materials:
          - {id: shared-form, name: 通用表}
        """)
    for name, text in (items or {}).items():
        write(root, name, text)
    return root


def lb(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``lianban *argv`` through engine.cli.main: the exit code, and what this run alone printed."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- building test items: from definition text (through the validator) or as a model ---------------

def item_from_yaml(directory: Path, text: str, name: str | None = None, catalog: Path | None = CATALOG) -> Item:
    """Write *text* (dedented) as a definition in *directory* and return its validated model.

    The file is named after the item id unless *name* is given; *catalog* None means the
    catalog of the tree *directory* belongs to. Any error fails the test with its findings.
    """
    text = textwrap.dedent(text)
    item_id = text.split("id:", 1)[1].split()[0]
    path = write(directory, name or f"{item_id}.yaml", text)
    items, result = load_items([path], catalog_dir=catalog)
    assert items, [f"{d.code} {d.message}" for d in result.diagnostics]
    return items[0]


def analysis_of(tmp_path: Path, text: str, name: str = "item.yaml") -> Analysis:
    """Write *text* as a definition, validate it against the project catalog, analyse it."""
    return analyze(item_from_yaml(tmp_path, text, name))


def model_item(steps: Sequence[Mapping[str, Any]], *, item_id: str = "test-item", name: str = "测试事项",
               lead: str | None = None, partners: Sequence[str] | None = None) -> Item:
    """An item built as a model, without the validator (generated graphs, names no catalog holds).

    *steps* are dicts of :class:`Step` fields (id, name, department, days; needs, materials,
    produces, visits ...); their definition order is the list order. Every material a step
    names gets a :class:`Material` called 材料<id>. The lead defaults to the first step's
    department, the partners to the other departments.
    """
    built = tuple(Step(**{"name": f"事项{s['id']}", **s, "needs": tuple(s.get("needs", ())),
                          "materials": tuple(s.get("materials", ())), "produces": tuple(s.get("produces", ())),
                          "index": i}) for i, s in enumerate(steps))
    departments = list(dict.fromkeys(s.department for s in built))
    lead = lead if lead is not None else departments[0]
    mats = {m for s in built for m in (*s.materials, *s.produces)}
    return Item(id=item_id, name=name, lead=lead,
                partners=tuple(partners if partners is not None else [d for d in departments if d != lead]),
                steps=built, materials={m: Material(m, f"材料{m}") for m in sorted(mats)})


def graph_item(edges: Sequence[tuple[int, int]], n: int, depts: Sequence[int] | None = None,
               days: Sequence[float] | None = None, names: Sequence[str] | None = None,
               departments: Sequence[str] = ("市场监管局", "税务局", "公安局", "人社局")) -> Item:
    """Steps s0..s{n-1}; an edge (i, j) makes s{j} need s{i}; departments by index (default: alternate
    the first two), days 1 + j % 3 unless given."""
    needs: dict[int, list[str]] = {j: [] for j in range(n)}
    for i, j in edges:
        needs[j].append(f"s{i}")
    return model_item([{"id": f"s{j}", "name": names[j] if names else f"事项{j}",
                        "department": departments[depts[j] if depts else j % 2],
                        "days": days[j] if days else 1 + j % 3, "needs": needs[j]} for j in range(n)],
                      lead=departments[0], partners=(departments[1],))


# --- the real definitions, validated once per session, on first use ------------------------------

def definition_files() -> list[Path]:
    """The item definitions of definitions/ (not the catalog or calendar files)."""
    return sorted(p for p in (ROOT / "definitions").glob("*.yaml"))


@functools.cache
def real_items() -> tuple[Item, ...]:
    items, result = load_items([ROOT / "definitions"])
    assert items and not any(d.is_error for d in result.diagnostics), [d.message for d in result.diagnostics]
    return tuple(items)


@functools.cache
def real_analyses() -> tuple[Analysis, ...]:
    return tuple(analyze(i) for i in real_items())


def real_analysis(item_id: str) -> Analysis:
    return next(a for a in real_analyses() if a.item.id == item_id)


# An item that asks questions: a fire check above 300 m² or with gas (through 告知承诺 or not),
# a conditional 公司章程, a licence check instead of the licence for an applicant who has one,
# and form fields filled from the licence or the electronic 营业执照.
SITUATED = """\
id: situated
name: 情形测试
lead: 市场监管局
partners: [应急管理局, 税务局]
commitment: 11.5
questions:
  - {id: has_licence, text: 是否已领取营业执照？, type: yes-no, labels: {yes: 已有营业执照, no: 尚无营业执照},
     default: no, frequency: {yes: 0.3}}
  - {id: area_m2, text: 经营场所面积是多少？, label: 营业面积, type: number, unit: m², min: 0, default: 80,
     frequency: [{up_to: 300, share: 0.8}, {share: 0.2}]}
  - {id: gas, text: 是否使用燃气？, type: yes-no, labels: {yes: 使用燃气, no: 不使用燃气}, default: yes,
     frequency: {yes: 0.6}}
  - id: entity
    text: 以什么主体开店？
    label: 主体类型
    type: one-of
    default: individual
    options:
      - {id: individual, text: 个体工商户, frequency: 0.8}
      - {id: company, text: 公司, frequency: 0.2}
steps:
  - id: licence
    name: 营业执照
    department: 市场监管局
    days: 1
    when: {has_licence: no}
    materials: [身份证, {material: 公司章程, when: {entity: company}}]
    produces: [营业执照]
    fields: [名称, 经营者姓名, 经营场所, 联系电话]
  - id: licence-check
    name: 营业执照信息核验
    department: 市场监管局
    days: 0.5
    when: {has_licence: yes}
    produces: [营业执照]
    fields: [{field: 名称, source: {licence: 营业执照}}]
  - id: fire
    name: 消防检查
    department: 应急管理局
    days: 10
    when: {any: [{area_m2: {gt: 300}}, {gas: yes}]}
    materials: [营业执照]
    fields:
      - {field: 名称, source: [{step: licence}, {step: licence-check}]}
      - 经营场所
      - 经营面积
  - id: tax
    name: 税务登记
    department: 税务局
    days: 0.5
    needs: [{step: fire, when: {area_m2: {gt: 300}}}]
    materials: [营业执照]
    fields: [{field: 名称, source: [{step: licence}, {step: licence-check}]}, 财务负责人, 联系电话]
"""


def situated_item(tmp_path: Path, text: str = SITUATED, name: str = "situated.yaml"):  # type: ignore[no-untyped-def]
    """The validated model of *text* (an item that asks questions)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    items, result = load_items([path], catalog_dir=CATALOG)
    assert items, [f"{d.line}:{d.col} {d.code} {d.message}" for d in result.diagnostics]
    return items[0]
