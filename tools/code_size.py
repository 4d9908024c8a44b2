"""The size of the code: modules and lines per package of engine/, and the longest functions.

    python tools/code_size.py [--top N]
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 8
    packages: dict[str, list[tuple[int, str]]] = {}
    functions: list[tuple[int, str]] = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        rel = path.relative_to(ROOT)
        text = path.read_text(encoding="utf-8")
        packages.setdefault(".".join(rel.parent.parts), []).append((len(text.splitlines()), path.name))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                functions.append((node.end_lineno - node.lineno + 1, f"{rel}:{node.lineno} {node.name}"))
    for package, modules in packages.items():
        lines, (big, name) = sum(n for n, _ in modules), max(modules)
        print(f"{package:<28} {len(modules):>3} modules {lines:>6} lines  largest {name} ({big})")
    print(f"total {sum(map(len, packages.values()))} modules, {sum(n for m in packages.values() for n, _ in m)} lines")
    print("longest functions:")
    for n, name in sorted(functions, reverse=True)[:top]:
        print(f"  {n:>4} {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
