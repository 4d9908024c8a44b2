"""A short load test on loopback (bench/load.py runs the long one): 20 concurrent clients act on
shared cases for 5 seconds through a real uvicorn server; nothing may be lost or duplicated."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from helpers import ROOT
from server_helpers import serving

from engine.server.app import Settings, build_workspace, create_app

sys.path.insert(0, str(ROOT / "bench"))
load = importlib.import_module("load")  # bench/load.py: the same code the benchmark runs


def test_twenty_clients_for_five_seconds(tmp_path: Path) -> None:
    db = str(tmp_path / "load.db")
    tokens, cases = load.prepare(db, n_cases=12)
    workspace = build_workspace(Settings(db=db, definitions=str(ROOT / "definitions")))
    with serving(create_app(workspace)) as base:
        host, port = base.removeprefix("http://").split(":")
        report = load.run(host, int(port), tokens, cases, clients=20, seconds=5, budget=20_000)
    print("\n".join(report.lines()))
    assert report.errors == []
    assert len(report.confirmed) > 20 and report.refused >= 0
    assert load.check(workspace.store, cases, report) == []
    workspace.store.close()
