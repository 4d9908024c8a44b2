"""The store's schema after version 1, as SQL text for each backend (engine/cases/store/ runs the steps).

Version 2 (the department workspace, docs/serve.md):

* ``events.actor``: who acted (account, role, department), beside the payload;
* the read model: ``case_view``, ``step_view``, ``queue_view`` (engine/cases/projection.py) and
  ``meta`` (the projection's version: a store rebuilds its projection when it differs);
* accounts and their secrets: ``accounts`` (password hashes), ``sessions`` and ``api_tokens``
  (only hashes of the secrets), ``case_checks`` (the hashed check code of the public progress
  lookup), ``login_failures`` (throttling, shared by every server process) and ``audit``.
"""
from __future__ import annotations

__all__ = ["V2_POSTGRES", "V2_SQLITE", "V3", "V4_SQLITE"]

_COMMON = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE case_view (case_id {id} PRIMARY KEY, item_id TEXT NOT NULL, item_name TEXT NOT NULL, "
    "applicant TEXT NOT NULL, state TEXT NOT NULL, opened_on TEXT NOT NULL, closed_on TEXT, next_deadline TEXT, "
    "due TEXT, seq INTEGER NOT NULL, damaged TEXT, provisional INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX case_view_due ON case_view (due)",
    "CREATE INDEX case_view_state ON case_view (state, case_id)",
    "CREATE INDEX case_view_item ON case_view (item_id, case_id)",
    "CREATE TABLE step_view (case_id {id} NOT NULL, ord INTEGER NOT NULL, step_id TEXT NOT NULL, name TEXT NOT NULL, "
    "department TEXT NOT NULL, state TEXT NOT NULL, deadline TEXT NOT NULL, planned TEXT NOT NULL, "
    "paused INTEGER NOT NULL, PRIMARY KEY (case_id, ord))",
    "CREATE INDEX step_view_department ON step_view (department, case_id)",
    "CREATE TABLE queue_view (department TEXT NOT NULL, deadline TEXT NOT NULL, case_id {id} NOT NULL, "
    "ord INTEGER NOT NULL, step_id TEXT NOT NULL, step_name TEXT NOT NULL, action TEXT NOT NULL, "
    "item_id TEXT NOT NULL, applicant TEXT NOT NULL, provisional INTEGER NOT NULL DEFAULT 0, "
    "PRIMARY KEY (case_id, ord))",
    "CREATE INDEX queue_view_department ON queue_view (department, deadline, case_id, ord)",
    "CREATE TABLE accounts (id {serial} PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, "
    "password_hash TEXT NOT NULL, role TEXT NOT NULL, department TEXT, active INTEGER NOT NULL DEFAULT 1, "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, account_id {id} NOT NULL REFERENCES accounts(id), "
    "csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
    "CREATE INDEX sessions_account ON sessions (account_id)",
    "CREATE TABLE api_tokens (id {serial} PRIMARY KEY, account_id {id} NOT NULL REFERENCES accounts(id), "
    "name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_used_at TEXT, "
    "revoked_at TEXT)",
    "CREATE TABLE case_checks (case_id {id} PRIMARY KEY, check_hash TEXT NOT NULL)",
    "CREATE TABLE login_failures (id {serial} PRIMARY KEY, username TEXT NOT NULL, client TEXT NOT NULL, "
    "at TEXT NOT NULL)",
    "CREATE INDEX login_failures_username ON login_failures (username, at)",
    "CREATE INDEX login_failures_client ON login_failures (client, at)",
    "CREATE TABLE audit (id {serial} PRIMARY KEY, at TEXT NOT NULL, account TEXT, kind TEXT NOT NULL, "
    "detail TEXT NOT NULL, client TEXT)",
    "CREATE INDEX audit_at ON audit (at)",
]

V2_SQLITE: list[str] = ["ALTER TABLE events ADD COLUMN actor TEXT"] + [
    s.format(id="INTEGER", serial="INTEGER") for s in _COMMON]
V2_POSTGRES: list[str] = ["ALTER TABLE events ADD COLUMN actor JSONB"] + [
    s.format(id="BIGINT", serial="BIGINT GENERATED ALWAYS AS IDENTITY") for s in _COMMON]

# Version 3 (the two clocks, docs/cases.md): what the case list and the queues need for the warning
# levels, and the simulated cases' mark. The projection's version moves with it, so every store
# fills the new columns by rebuilding its projection when it is next opened.
V3: list[str] = [
    "ALTER TABLE case_view ADD COLUMN committed TEXT",
    "ALTER TABLE case_view ADD COLUMN legal TEXT",
    "ALTER TABLE case_view ADD COLUMN legal_due TEXT",
    "ALTER TABLE case_view ADD COLUMN paused INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE case_view ADD COLUMN ladder TEXT",
    "ALTER TABLE case_view ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE queue_view ADD COLUMN legal_deadline TEXT",
]

# Version 4 (SQLite): the pinned definitions, once each. An 'opened' event pins its item's whole
# definition (docs/cases.md); every case of one version of an item pins the same one, and in a city's
# year of cases those copies were most of the store (1.1 GB for 100,000 simulated cases, 6.9 KB an
# opened event). The event now holds {"$pinned": KEY}, KEY the sha256 of the stored text; reading
# puts the definition back, so every reader sees the event as it was written. Events stored before
# keep their definition inline and read unchanged. (PostgreSQL compresses large JSONB values itself.)
V4_SQLITE: list[str] = [
    "CREATE TABLE definitions (key TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID",
]
