"""The department workspace as an ASGI application (Starlette): pages, the JSON API, static files.

``create_app(workspace)`` builds the application around a :class:`~engine.server.service.Workspace`
(the store, the accounts, the analysed items, the calendar); ``from_environment()`` is the factory
uvicorn's workers call (``lianban serve`` sets the environment). Uvicorn runs it: one process by
default (SQLite), or several (``--workers``) on one PostgreSQL database.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from engine.server import api, pages
from engine.server.csrf import SecurityHeaders
from engine.server.language import Language
from engine.server.service import Workspace

__all__ = ["Settings", "build_workspace", "create_app", "from_environment"]

STATIC = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    definitions: str | None = None
    catalog: str | None = None
    calendar: str | None = None
    secure_cookies: bool = False

    ENV = {"db": "LIANBAN_DB", "definitions": "LIANBAN_DEFINITIONS", "catalog": "LIANBAN_CATALOG",
           "calendar": "LIANBAN_CALENDAR_DIR"}

    @classmethod
    def from_env(cls) -> Settings:
        return cls(**{k: os.environ.get(v) or None for k, v in cls.ENV.items()},
                   secure_cookies=os.environ.get("LIANBAN_SECURE_COOKIES") == "1")


def build_workspace(settings: Settings) -> Workspace:
    """Open the store; load and analyse the items; the calendar; the departments the items name."""
    from engine.cases.store import open_store
    from engine.errors import UsageError
    from engine.i18n import _
    from engine.locations import calendar_dir
    from engine.server.accounts import Accounts
    from engine.server.service import load_items
    from engine.workdays.calendar import WorkCalendar

    definitions = Path(settings.definitions or "definitions")
    if not definitions.is_dir():
        raise UsageError(_("no definitions folder at {path} (--definitions DIR)").format(path=definitions))
    items = load_items(definitions, settings.catalog)
    if not items:
        raise UsageError(_("no valid item under {path}: `lianban validate {path}` shows why").format(path=definitions))
    store = open_store(settings.db)
    calendar = WorkCalendar.from_dir(calendar_dir(settings.calendar, [definitions]))
    departments = sorted({s.department for a in items.values() for s in a.item.steps})
    return Workspace(store, Accounts(store), items, calendar, departments)


def create_app(workspace: Workspace, secure_cookies: bool = False) -> Starlette:
    app = Starlette(routes=[*api.routes(), *pages.routes(), Mount("/static", StaticFiles(directory=STATIC))],
                    middleware=[Middleware(SecurityHeaders), Middleware(Language)])
    app.state.workspace = workspace
    app.state.secure_cookies = secure_cookies
    return app


def from_environment() -> Starlette:
    settings = Settings.from_env()
    return create_app(build_workspace(settings), settings.secure_cookies)
