"""Accounts, roles, sessions, API tokens, login throttling, check codes and the audit log.

Everything lives in the case store's database (tables of schema version 2, engine/cases/schema.py),
so several server processes on one PostgreSQL database share accounts, sessions and throttling.
Secrets are stored only as hashes (engine/server/auth.py). See docs/serve.md for the roles.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.cases.projection import Sql
from engine.errors import RefusedError, UsageError
from engine.i18n import N_, _
from engine.server import auth

__all__ = ["ROLES", "Account", "Accounts", "LoginRefused"]

# role -> its name in the workspace (Chinese UI) and what it may do (docs/serve.md)
ROLES: dict[str, str] = {
    "clerk": N_("综合窗口"),        # opens cases, records materials received and resubmissions, withdrawals
    "officer": N_("部门经办"),      # acts on its own department's steps only
    "supervisor": N_("督办"),       # sees every case, records corrections
    "analyst": N_("分析"),          # reads cases and flows, changes nothing
    "admin": N_("管理员"),          # manages accounts and tokens
}
NEEDS_CATALOG_DEPARTMENT = ("officer",)
MIN_PASSWORD = 10
SESSION_HOURS = 8
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20


class LoginRefused(RefusedError):
    """A login that did not succeed; the message never says whether the account exists."""


class LoginThrottled(LoginRefused):
    """Too many failures: the next tries are refused for a while (HTTP 429 on the pages)."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    department: str | None
    active: bool

    def actor(self, via: str) -> dict[str, Any]:
        """What an event records about who acted."""
        out: dict[str, Any] = {"account": self.username, "role": self.role, "via": via}
        if self.department:
            out["department"] = self.department
        return out


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


_COLUMNS = "id, username, display_name, role, department, active"


def _account(row: tuple[Any, ...]) -> Account:
    return Account(int(row[0]), row[1], row[2], row[3], row[4], bool(row[5]))


class Accounts:
    """The accounts of one store (an SQLiteStore or a PostgresStore: anything with transaction())."""

    def __init__(self, store: object) -> None:
        if not hasattr(store, "transaction"):
            raise UsageError(_("the workspace needs an SQLite or PostgreSQL case store"))
        self.store: Any = store

    def _tx(self) -> Any:
        return self.store.transaction()

    # -- accounts --------------------------------------------------------------------------
    def create(self, username: str, password: str, role: str, department: str | None,
               display_name: str | None = None, *, first_admin: bool = False) -> Account:
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise UsageError(_("a user name is 1 to 64 characters without spaces"))
        if role not in ROLES:
            raise UsageError(_("unknown role '{role}'; roles: {roles}").format(role=role, roles=", ".join(ROLES)))
        if role in ("officer", "clerk") and not department:
            raise UsageError(_("a {role} account needs --department").format(role=role))
        _check_password(password)
        with self._tx() as sql:
            if first_admin and sql("SELECT count(*) FROM accounts WHERE role = 'admin'", ())[0][0]:
                raise RefusedError(_("an admin account exists already: admins add the other accounts "
                                     "(`lianban account add`)"))
            if sql("SELECT 1 FROM accounts WHERE username = ?", (username,)):
                raise UsageError(_("the user name '{name}' is taken").format(name=username))
            sql("INSERT INTO accounts (username, display_name, password_hash, role, department, active, created_at) "
                "VALUES (?, ?, ?, ?, ?, 1, ?)", (username, display_name or username, auth.hash_password(password),
                                                  role, department, _iso(_now())))
            row = sql(f"SELECT {_COLUMNS} FROM accounts WHERE username = ?", (username,))[0]
            self._audit(sql, "account-created", username, f"role={role} department={department or '-'}", None)
        return _account(row)

    def get(self, username: str) -> Account | None:
        with self._tx() as sql:
            rows = sql(f"SELECT {_COLUMNS} FROM accounts WHERE username = ?", (username,))
        return _account(rows[0]) if rows else None

    def require(self, username: str) -> Account:
        account = self.get(username)
        if account is None:
            raise UsageError(_("no account '{name}'").format(name=username))
        return account

    def all(self) -> list[Account]:
        with self._tx() as sql:
            return [_account(r) for r in sql(f"SELECT {_COLUMNS} FROM accounts ORDER BY username", ())]

    def set_password(self, username: str, password: str) -> None:
        _check_password(password)
        account = self.require(username)
        with self._tx() as sql:
            sql("UPDATE accounts SET password_hash = ? WHERE id = ?", (auth.hash_password(password), account.id))
            sql("DELETE FROM sessions WHERE account_id = ?", (account.id,))  # every session ends
            self._audit(sql, "password-set", username, "", None)

    def set_active(self, username: str, active: bool) -> None:
        account = self.require(username)
        with self._tx() as sql:
            sql("UPDATE accounts SET active = ? WHERE id = ?", (int(active), account.id))
            if not active:
                sql("DELETE FROM sessions WHERE account_id = ?", (account.id,))
            self._audit(sql, "account-enabled" if active else "account-disabled", username, "", None)

    # -- logging in ------------------------------------------------------------------------
    def login(self, username: str, password: str, client: str) -> Account:
        """The account if the password is right and neither the account nor the client is throttled."""
        since = _iso(_now() - THROTTLE_WINDOW)
        with self._tx() as sql:
            by_name = sql("SELECT count(*) FROM login_failures WHERE username = ? AND at > ?", (username, since))[0][0]
            by_client = sql("SELECT count(*) FROM login_failures WHERE client = ? AND at > ?", (client, since))[0][0]
            rows = sql(f"SELECT {_COLUMNS}, password_hash FROM accounts WHERE username = ?", (username,))
        if by_name >= MAX_FAILURES_PER_ACCOUNT or by_client >= MAX_FAILURES_PER_CLIENT:
            self.audit("login-throttled", username, f"failures: account {by_name}, client {by_client}", client)
            raise LoginThrottled(_("too many failed logins: wait 15 minutes and try again"))
        ok = auth.verify_password(rows[0][6] if rows else None, password)
        if not ok or not rows or not rows[0][5]:
            with self._tx() as sql:
                sql("INSERT INTO login_failures (username, client, at) VALUES (?, ?, ?)", (username, client,
                                                                                           _iso(_now())))
                self._audit(sql, "login-failed", username, "", client)
            raise LoginRefused(_("wrong user name or password"))
        account = _account(rows[0])
        self.audit("login", username, "", client)
        return account

    def new_session(self, account: Account) -> tuple[str, str]:
        """A new session (its id is new at every login: no fixation); returns (session id, CSRF token)."""
        sid, csrf = auth.new_token(), auth.new_token()
        now = _now()
        with self._tx() as sql:
            sql("DELETE FROM sessions WHERE expires_at < ?", (_iso(now),))
            sql("INSERT INTO sessions (id_hash, account_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (auth.token_hash(sid), account.id, csrf, _iso(now), _iso(now + timedelta(hours=SESSION_HOURS))))
        return sid, csrf

    def session(self, sid: str) -> tuple[Account, str] | None:
        """The live session's account and CSRF token, or None."""
        with self._tx() as sql:
            rows = sql(f"SELECT {', '.join('a.' + c for c in _COLUMNS.split(', '))}, s.csrf FROM sessions s "
                       "JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = ? AND s.expires_at > ? AND a.active = 1",
                       (auth.token_hash(sid), _iso(_now())))
        return (_account(rows[0]), rows[0][6]) if rows else None

    def end_session(self, sid: str) -> None:
        with self._tx() as sql:
            sql("DELETE FROM sessions WHERE id_hash = ?", (auth.token_hash(sid),))

    # -- API tokens ------------------------------------------------------------------------
    def issue_token(self, username: str, name: str) -> tuple[int, str]:
        """A new API token for the account: (its id, the token: shown once, stored only hashed)."""
        account = self.require(username)
        token = auth.new_token("lbt_")
        with self._tx() as sql:
            sql("INSERT INTO api_tokens (account_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                (account.id, name, auth.token_hash(token), _iso(_now())))
            token_id = int(sql("SELECT id FROM api_tokens WHERE token_hash = ?", (auth.token_hash(token),))[0][0])
            self._audit(sql, "token-issued", username, f"token {token_id} ({name})", None)
        return token_id, token

    def revoke_token(self, token_id: int) -> None:
        with self._tx() as sql:
            rows = sql("SELECT a.username FROM api_tokens t JOIN accounts a ON a.id = t.account_id "
                       "WHERE t.id = ? AND t.revoked_at IS NULL", (token_id,))
            if not rows:
                raise UsageError(_("no live token {id}").format(id=token_id))
            sql("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (_iso(_now()), token_id))
            self._audit(sql, "token-revoked", rows[0][0], f"token {token_id}", None)

    def tokens(self) -> list[tuple[int, str, str, str, str | None, str | None]]:
        """(id, user name, token name, created, last used, revoked) of every token."""
        with self._tx() as sql:
            return [tuple(r) for r in sql("SELECT t.id, a.username, t.name, t.created_at, t.last_used_at, t.revoked_at "
                                          "FROM api_tokens t JOIN accounts a ON a.id = t.account_id ORDER BY t.id", ())]

    def token_account(self, token: str, client: str) -> Account | None:
        """The account of a live token (its use is audited at most once a minute per token)."""
        now = _now()
        with self._tx() as sql:
            rows = sql(f"SELECT {', '.join('a.' + c for c in _COLUMNS.split(', '))}, t.id, t.last_used_at "
                       "FROM api_tokens t JOIN accounts a ON a.id = t.account_id "
                       "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND a.active = 1", (auth.token_hash(token),))
            if not rows:
                return None
            last = rows[0][7]
            if last is None or last < _iso(now - timedelta(minutes=1)):
                sql("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (_iso(now), rows[0][6]))
                self._audit(sql, "token-used", rows[0][1], f"token {rows[0][6]}", client)
        return _account(rows[0])

    # -- check codes of the public progress lookup -------------------------------------------
    def set_check_code(self, case_id: str) -> str:
        code = auth.check_code()
        with self._tx() as sql:
            sql("INSERT INTO case_checks (case_id, check_hash) VALUES (?, ?)", (int(case_id),
                                                                               auth.hash_password(code)))
        return code

    def check(self, case_id: str, code: str, client: str) -> bool:
        """True if `code` is the case's check code; failures count against the client like logins."""
        since = _iso(_now() - THROTTLE_WINDOW)
        key = f"progress:{client}"
        with self._tx() as sql:
            failures = sql("SELECT count(*) FROM login_failures WHERE client = ? AND at > ?", (key, since))[0][0]
            rows = sql("SELECT check_hash FROM case_checks WHERE case_id = ?",
                       (int(case_id) if case_id.isascii() and case_id.isdigit() and len(case_id) < 19 else -1,))
        if failures >= MAX_FAILURES_PER_CLIENT:
            raise LoginThrottled(_("too many wrong check codes: wait 15 minutes and try again"))
        normal = code.strip().upper().replace(" ", "")
        if len(normal) == 10:
            normal = f"{normal[:5]}-{normal[5:]}"
        if auth.verify_password(rows[0][0] if rows else None, normal):
            return True
        with self._tx() as sql:
            sql("INSERT INTO login_failures (username, client, at) VALUES (?, ?, ?)", ("", key, _iso(_now())))
        return False

    # -- audit -----------------------------------------------------------------------------
    def audit(self, kind: str, account: str | None, detail: str, client: str | None) -> None:
        with self._tx() as sql:
            self._audit(sql, kind, account, detail, client)

    @staticmethod
    def _audit(sql: Sql, kind: str, account: str | None, detail: str, client: str | None) -> None:
        sql("INSERT INTO audit (at, account, kind, detail, client) VALUES (?, ?, ?, ?, ?)",
            (_iso(_now()), account, kind, detail, client))

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._tx() as sql:
            rows = sql("SELECT at, account, kind, detail, client FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(zip(("at", "account", "kind", "detail", "client"), r, strict=True)) for r in rows]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UsageError(_("a password needs at least {n} characters").format(n=MIN_PASSWORD))
