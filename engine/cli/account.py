"""Accounts of the workspace (`lianban serve`): the first admin, accounts with a role and a department, API tokens.

  lianban account init-admin admin                 # the first admin (asks for the password)
  lianban account add wang --role officer --department 税务局
  lianban account token wang --name ci             # prints the token once
  lianban account revoke 3

Passwords are read from the terminal (twice), or with --password-stdin from one line of standard
input; never from the command line, where other users could read them. Roles: clerk (综合窗口),
officer (部门经办), supervisor (督办), analyst (分析), admin (管理员): see docs/serve.md.
"""
from __future__ import annotations

import argparse
import sys

from engine.cli.common import add_catalog
from engine.i18n import N_, _

DESCRIPTION = N_("Accounts of the workspace (`lianban serve`): the first admin, accounts with a role and a "
                 "department, API tokens.")

ROLE_NAMES = ("clerk", "officer", "supervisor", "analyst", "admin")  # engine.server.accounts.ROLES, without importing it


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", help=_("the store (default: $LIANBAN_DB, else the user data folder)"))
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True, parser_class=type(parser))
    p = sub.add_parser("init-admin", parents=[common], help=_("create the first admin account (only when there is none)"))
    p.add_argument("username", metavar="USER")
    p.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))
    p = sub.add_parser("add", parents=[common], help=_("add an account with a role and a department"))
    p.add_argument("username", metavar="USER")
    p.add_argument("--role", required=True, choices=ROLE_NAMES, help=_("the account's role"))
    p.add_argument("--department", metavar="DEPT", help=_("officers: a catalog department (aliases work); "
                                                          "others: any name (a clerk's default is 综合窗口)"))
    p.add_argument("--name", metavar="TEXT", help=_("the name shown in the workspace (default: USER)"))
    p.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))
    add_catalog(p)
    p = sub.add_parser("password", parents=[common], help=_("set an account's password (its sessions end)"))
    p.add_argument("username", metavar="USER")
    p.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))
    for verb, text in (("disable", _("disable an account (its sessions end, its tokens stop working)")),
                       ("enable", _("enable a disabled account"))):
        p = sub.add_parser(verb, parents=[common], help=text)
        p.add_argument("username", metavar="USER")
    sub.add_parser("list", parents=[common], help=_("every account with its role and department"))
    p = sub.add_parser("token", parents=[common], help=_("issue an API token for an account (printed once)"))
    p.add_argument("username", metavar="USER")
    p.add_argument("--name", default="api", metavar="TEXT", help=_("what the token is for"))
    sub.add_parser("tokens", parents=[common], help=_("every API token (never the secret)"))
    p = sub.add_parser("revoke", parents=[common], help=_("revoke an API token by its number"))
    p.add_argument("token_id", type=int, metavar="ID")
    p = sub.add_parser("audit", parents=[common], help=_("the latest entries of the audit log"))
    p.add_argument("--limit", type=int, default=50)


def run(args: argparse.Namespace) -> int:
    from engine.cases.store import open_store
    from engine.server.accounts import Accounts

    store = open_store(args.db)
    try:
        accounts = Accounts(store)
        return _run(accounts, args)
    finally:
        store.close()


def _run(accounts: object, args: argparse.Namespace) -> int:
    from engine.server.accounts import Accounts

    assert isinstance(accounts, Accounts)
    verb = args.verb
    if verb == "init-admin":
        accounts.create(args.username, _password(args), "admin", None, first_admin=True)
        print(_("admin account '{user}' created").format(user=args.username))
    elif verb == "add":
        department = _department(args)
        account = accounts.create(args.username, _password(args), args.role, department, args.name)
        print(_("account '{user}' added: {role}").format(user=account.username, role=_(account.role))
              + (f"{_(', ')}{department}" if department else ""))
    elif verb == "password":
        accounts.require(args.username)
        accounts.set_password(args.username, _password(args))
        print(_("password of '{user}' set; its sessions ended").format(user=args.username))
    elif verb in ("disable", "enable"):
        accounts.set_active(args.username, verb == "enable")
        print((_("account '{user}' enabled") if verb == "enable" else _("account '{user}' disabled")).format(
            user=args.username))
    elif verb == "list":
        active, disabled = _("active"), _("disabled")
        for a in accounts.all():
            print(f"{a.username}\t{a.role}\t{a.department or '-'}\t{a.display_name}\t"
                  f"{active if a.active else disabled}")
    elif verb == "token":
        token_id, token = accounts.issue_token(args.username, args.name)
        print(_("token {id} for '{user}' (shown once; keep it secret, e.g. in LIANBAN_TOKEN):").format(
            id=token_id, user=args.username) + f"\n{token}")
    elif verb == "tokens":
        for t in accounts.tokens():
            print("\t".join(str(x) if x is not None else "-" for x in t))
    elif verb == "revoke":
        accounts.revoke_token(args.token_id)
        print(_("token {id} revoked").format(id=args.token_id))
    elif verb == "audit":
        for e in accounts.audit_log(args.limit):
            print(f"{e['at']}\t{e['kind']}\t{e['account'] or '-'}\t{e['client'] or '-'}\t{e['detail']}")
    return 0


def _department(args: argparse.Namespace) -> str | None:
    from engine.server.accounts import NEEDS_CATALOG_DEPARTMENT

    if args.role in NEEDS_CATALOG_DEPARTMENT and args.department:
        from engine.cli.common import department_name

        return department_name(args.department, args.catalog)
    if args.role == "clerk":
        return args.department or "综合窗口"
    return args.department


def _password(args: argparse.Namespace) -> str:
    from engine.errors import UsageError

    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    import getpass

    if not sys.stdin.isatty():
        raise UsageError(_("no terminal to ask for the password: pass --password-stdin and write it to standard input"))
    first = getpass.getpass(_("password: "))
    if getpass.getpass(_("again: ")) != first:
        raise UsageError(_("the two passwords differ"))
    return first
