"""Synthetic item definitions for the benchmarks: large items and large trees.

The items look like real ones (departments from the project catalog, shared
catalog materials, produced documents flowing between steps) but are random:
a layered DAG in which each step depends on up to three recent steps.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

DEPARTMENTS = ["市场监管局", "税务局", "公安局", "人社局", "城管局", "住建局", "生态环境局", "应急管理局"]
CATALOG_MATERIALS = ["id-card", "business-licence", "premises-proof"]
ROOT = Path(__file__).resolve().parent.parent


def item_yaml(item_id: str, n_steps: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    n_local = max(4, n_steps // 5)
    lines = [f"id: {item_id}", f"name: 合成事项{item_id}", f"lead: {DEPARTMENTS[0]}",
             f"partners: [{', '.join(DEPARTMENTS[1:])}]", "materials:"]
    lines += [f"  - {{id: m{i}, name: 合成材料{i}}}" for i in range(n_local)]
    lines.append("steps:")
    produced: list[tuple[int, str]] = []
    for i in range(n_steps):
        dept = DEPARTMENTS[0] if i == 0 else DEPARTMENTS[i % len(DEPARTMENTS)]
        needs = sorted({f"s{rng.randrange(max(0, i - 50), i)}" for _ in range(rng.randint(0, 3))}) if i else []
        mats = {f"m{rng.randrange(n_local)}" for _ in range(rng.randint(1, 3))} | {rng.choice(CATALOG_MATERIALS)}
        earlier = [name for at, name in produced if at < i]
        if earlier and rng.random() < 0.3:
            mats.add(rng.choice(earlier[-20:]))
        prods = ""
        if rng.random() < 0.2:
            name = f"doc{i}"
            lines.insert(5, f"  - {{id: {name}, name: 合成证照{i}}}")
            produced.append((i, name))
            prods = f", produces: [{name}]"
        days = rng.choice([0.5, 1, 2, 3, 5])
        need_txt = f", needs: [{', '.join(needs)}]" if needs else ""
        lines.append(f"  - {{id: s{i}, name: 步骤{i}, department: {dept}, days: {days}{need_txt}, "
                     f"materials: [{', '.join(sorted(mats))}]{prods}}}")
    return "\n".join(lines) + "\n"


def write_tree(directory: Path, n_items: int, steps_per_item: int = 10, seed: int = 0) -> list[Path]:
    """A definitions tree with its own copy of the project catalog."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "definitions" / "catalog", directory / "catalog", dirs_exist_ok=True)
    paths = []
    for k in range(n_items):
        path = directory / f"item-{k}.yaml"
        path.write_text(item_yaml(f"item-{k}", steps_per_item, seed + k), encoding="utf-8")
        paths.append(path)
    return paths


FIELD_POOL = ["phone", "premises", "area-m2", "scope", "legal-rep", "legal-rep-id", "staff-count", "finance-officer",
              "tax-agent", "fire-officer", "floor", "agent", "address", "capital"]


def situated_item_yaml(item_id: str, n_questions: int = 10, n_steps: int = 30, seed: int = 0,
                       plain: bool = False) -> str:
    """An item with *n_questions* yes/no questions, each switching one step on (so 2**n distinct
    flows), conditional needs and documents that follow their steps' conditions, and forms whose
    name and code come from the first step. *plain*: the same steps without any condition."""
    rng = random.Random(seed)
    lines = [f"id: {item_id}", f"name: 情形合成{item_id}", f"lead: {DEPARTMENTS[0]}",
             f"partners: [{', '.join(DEPARTMENTS[1:])}]", "commitment: 500"]
    if not plain:
        lines.append("questions:")
        lines += [f"  - {{id: q{k}, text: 问题{k}？, type: yes-no, default: no, frequency: {{yes: 0.{k + 1}}}}}"
                  for k in range(n_questions)]
    lines += ["materials:", *[f"  - {{id: doc{i}, name: 合成证照{i}}}" for i in range(n_steps)], "steps:"]
    when: dict[int, str] = {}
    for k in range(n_questions):
        when[1 + k * (n_steps - 1) // n_questions] = f"{{q{k}: yes}}"
    produced: list[int] = []

    def entry(kind: str, inner: str, value: str, source: int) -> str:
        return f"{{{inner}: {value}, when: {when[source]}}}" if source in when and not plain else value

    for i in range(n_steps):
        dept = DEPARTMENTS[0] if i == 0 else DEPARTMENTS[i % len(DEPARTMENTS)]
        needs = sorted({rng.randrange(max(0, i - 8), i) for _ in range(rng.randint(0, 2))}) if i else []
        mats = sorted({rng.choice(produced[-6:]) for _ in range(rng.randint(0, 2))}) if produced else []
        fields = ["名称", "统一社会信用代码"] if i == 0 else [
            "{field: 名称, source: {step: s0}}", "{field: 统一社会信用代码, source: {step: s0}}"]
        fields += rng.sample(FIELD_POOL, rng.randint(2, 4))
        parts = [f"id: s{i}", f"name: 步骤{i}", f"department: {dept}", f"days: {rng.choice([0.5, 1, 2, 3, 5])}"]
        if i in when and not plain:
            parts.append(f"when: {when[i]}")
        if needs:
            parts.append("needs: [" + ", ".join(entry("needs", "step", f"s{n}", n) for n in needs) + "]")
        docs = "".join(", " + entry("materials", "material", f"doc{m}", m) for m in mats)
        parts.append(f"materials: [id-card{docs}]")
        if i % 2 == 0 or i in when:
            parts.append(f"produces: [doc{i}]")
            produced.append(i)
        parts.append("fields: [" + ", ".join(fields) + "]")
        lines.append("  - {" + ", ".join(parts) + "}")
    return "\n".join(lines) + "\n"
