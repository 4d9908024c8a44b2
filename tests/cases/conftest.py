"""The `store` fixture: each case-store test runs on every backend (memory, SQLite, PostgreSQL)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_store import BACKENDS, postgres_store

from engine.cases.store import MemoryStore, SQLiteStore, Store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s: Store
    if request.param == "memory":
        s = MemoryStore()
    elif request.param == "sqlite":
        s = SQLiteStore(tmp_path / "cases.db")
    else:
        s = postgres_store(empty=True)
    yield s
    s.close()
