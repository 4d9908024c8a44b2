"""Run the department workspace: web pages in Chinese and a JSON API over the case store.

  lianban account init-admin admin        # once: the first admin
  lianban serve --definitions definitions/ --port 8000

The store is --db (or $LIANBAN_DB): an SQLite file for one server process (the default), or a
postgresql:// DSN for several (--workers N, or several machines behind a proxy). The server
listens on 127.0.0.1 unless --host says otherwise; put it behind a TLS proxy and pass
--secure-cookies for any other network. See docs/serve.md.
"""
from __future__ import annotations

import argparse
import os

from engine.cli.common import add_catalog
from engine.i18n import N_, _

DESCRIPTION = N_("Run the department workspace: web pages in Chinese and a JSON API over the case store.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH", help=_("case store (default: $LIANBAN_DB, else the user data folder)"))
    parser.add_argument("--definitions", metavar="DIR", default="definitions",
                        help=_("the items this workspace runs (default: ./definitions)"))
    add_catalog(parser)
    parser.add_argument("--calendar", metavar="DIR", help=_("calendar folder (default: the definitions tree's)"))
    parser.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default: 127.0.0.1)"))
    parser.add_argument("--port", type=int, default=8000, help=_("port to listen on (default: {port})").format(port=8000))
    parser.add_argument("--workers", type=int, default=1, help=_("server processes (several need PostgreSQL)"))
    parser.add_argument("--secure-cookies", action="store_true", help=_("mark cookies Secure (behind TLS)"))


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from engine.errors import UsageError
    from engine.server.app import Settings, build_workspace, create_app

    if args.workers < 1:
        raise UsageError(_("--workers must be 1 or more"))
    settings = Settings(args.db or os.environ.get("LIANBAN_DB"), args.definitions, args.catalog, args.calendar,
                        args.secure_cookies)
    if args.workers > 1 and not str(settings.db or "").startswith(("postgresql://", "postgres://")):
        raise UsageError(_("several workers share one PostgreSQL database: set --db postgresql://..."))
    # The command speaks its own language (LANG, --lang); each request is answered in its reader's
    # (engine/server/language.py): Chinese pages, the API by Accept-Language.
    workspace = build_workspace(settings)  # configuration errors surface here, as one line (exit 2)
    print(_("lianban workspace: {n} item(s), store {store}, {url}").format(
        n=len(workspace.items), store=getattr(workspace.store, "path", "?"), url=f"http://{args.host}:{args.port}/"))
    if args.workers == 1:
        uvicorn.run(create_app(workspace, args.secure_cookies), host=args.host, port=args.port,
                    log_level="info", proxy_headers=True)
        return 0
    workspace.store.close()
    for key, env in Settings.ENV.items():
        value = getattr(settings, key)
        if value:
            os.environ[env] = str(value)
    os.environ["LIANBAN_SECURE_COOKIES"] = "1" if args.secure_cookies else "0"
    uvicorn.run("engine.server.app:from_environment", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="info", proxy_headers=True)
    return 0
