"""A small workspace for the server tests: a store, one account per role, tokens, cases in known states."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from helpers import ROOT

from engine.cases import desk
from engine.cases.store import SQLiteStore, Store
from engine.server.accounts import Accounts
from engine.server.app import create_app
from engine.server.service import Workspace, load_items
from engine.workdays.calendar import WorkCalendar

D0 = date(2021, 9, 29)
MARKET, TAX, HEALTH = "市场监管局", "税务局", "卫健局"
PASSWORD = "correct horse battery"
# user name -> (role, department)
PEOPLE = {"admin": ("admin", None), "li": ("clerk", "综合窗口"), "wang": ("officer", MARKET),
          "zhao": ("officer", TAX), "zhou": ("officer", HEALTH), "sun": ("supervisor", "督查室"),
          "qian": ("analyst", "改革办")}
ITEMS = None


def items() -> dict:
    global ITEMS
    if ITEMS is None:
        ITEMS = load_items(ROOT / "definitions", None)
    return ITEMS


@dataclass
class World:
    store: Store
    accounts: Accounts
    workspace: Workspace
    tokens: dict[str, str] = field(default_factory=dict)

    def app(self):  # type: ignore[no-untyped-def]
        return create_app(self.workspace)

    def case(self, state: str = "fresh", item: str = "start-business") -> str:
        """A case whose step 'licence' (市场监管局) is ready (fresh), accepted or returned."""
        case = desk.open_new(self.store, items()[item], "张三", D0, self.workspace.calendar)
        cid = str(case.id)
        self.accounts.set_check_code(cid)
        if state in ("accepted", "returned"):
            desk.act(self.store, cid, "accept", step="licence", department=MARKET, on=D0)
        if state == "returned":
            desk.act(self.store, cid, "return", step="licence", department=MARKET, on=D0, reason="缺章程")
        return cid


def world(tmp_path: Path, people: dict[str, tuple[str, str | None]] | None = None,
          analyses: dict | None = None) -> World:
    store = SQLiteStore(tmp_path / "ws.db")
    accounts = Accounts(store)
    known = analyses if analyses is not None else items()
    ws = Workspace(store, accounts, known, WorkCalendar.from_dir(ROOT / "definitions" / "calendar"),
                   sorted({s.department for a in known.values() for s in a.item.steps}))
    w = World(store, accounts, ws)
    for name, (role, dept) in (people or PEOPLE).items():
        accounts.create(name, PASSWORD, role, dept)
        w.tokens[name] = accounts.issue_token(name, "test")[1]
    return w


@contextlib.contextmanager
def serving(app: object) -> Iterator[str]:
    """Run the app with uvicorn on a free loopback port in a thread; yield its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",  # type: ignore[arg-type]
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
