"""`lianban case ... --server URL`: the case commands as a client of a running workspace.

The server does every move (with its authorization: the token's account is who acts, and its
department the only one it can act for); the client fetches the case's events and replays them
locally, so it prints exactly what the local commands print. HTTP through the standard library.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from typing import Any

from engine.cases.machine import Case, Event
from engine.cases.projection import CaseRow, QueueRow
from engine.errors import LianbanError, RefusedError, UsageError
from engine.i18n import _, language

__all__ = ["Remote"]

TIMEOUT = 30


class RemoteRefused(RefusedError):
    """The server refused the move (HTTP 403 or 409): exit 1."""


class Remote:
    """One workspace server, reached with one account's API token."""

    remote = True  # what is_remote() asks, without importing this module (and its HTTP stack) for local stores

    def __init__(self, url: str, token: str | None) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(_("--server must be an http:// or https:// URL, not '{url}'").format(url=url))
        if not token:
            raise UsageError(_("--server needs an API token: --token TOKEN or $LIANBAN_TOKEN "
                               "(`lianban account token USER` issues one)"))
        self.url = url.rstrip("/")
        self.token = token
        self.path = self.url  # what messages show as "the store"

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             query: dict[str, Any] | None = None) -> Any:
        target = f"{self.url}/api/v1{path}"
        if query:
            target += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v not in (None, "")})
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(target, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json", "Accept": "application/json",
            "Accept-Language": language()})  # the server's refusals in our language
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("message") or exc.reason
            except ValueError:
                message = exc.reason
            if exc.code in (403, 409):
                raise RemoteRefused(str(message)) from None
            raise LianbanError(f"{self.url}: {message} (HTTP {exc.code})") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LianbanError(_("cannot reach the workspace at {url}: {why}").format(url=self.url, why=reason)) from None

    # -- reading ---------------------------------------------------------------------------
    def load_case(self, case_id: str) -> Case:
        events = self.call("GET", f"/cases/{urllib.parse.quote(case_id, safe='')}/events")
        return Case.replay([Event(e["seq"], e["type"], e["payload"], e.get("at"), e.get("actor")) for e in events],
                           case_id)

    def case_rows(self, on: date, overdue: bool) -> list[CaseRow]:
        rows: list[CaseRow] = []
        page = 1
        while True:
            got = self.call("GET", "/cases", query={"on": on.isoformat(), "overdue": "1" if overdue else "",
                                                    "page": page, "per_page": 200})
            rows += [CaseRow(**r) for r in got["rows"]]
            if len(rows) >= got["total"] or not got["rows"]:
                return rows
            page += 1

    def queue(self, department: str | None, on: date) -> tuple[str, list[QueueRow]]:
        rows: list[QueueRow] = []
        page = 1
        while True:
            got = self.call("GET", "/queue", query={"on": on.isoformat(), "department": department, "page": page,
                                                    "per_page": 200})
            rows += [QueueRow(**r) for r in got["rows"]]
            if len(rows) >= got["total"] or not got["rows"]:
                return got["department"], rows
            page += 1

    # -- moves -----------------------------------------------------------------------------
    def open(self, item: str, applicant: str, on: date, answers: str | None = None) -> tuple[Case, str, list[str]]:
        body = {"item": item, "applicant": applicant, "on": on.isoformat()}
        if answers is not None:
            body["answers"] = answers
        got = self.call("POST", "/cases", body)
        return self.load_case(str(got["case"]["id"])), got["check_code"], got.get("warnings", [])

    def act(self, case_id: str, action: str, step: str | None, on: date, reason: str | None,
            procedure: str | None = None) -> tuple[Case, Event, list[str]]:
        got = self.call("POST", f"/cases/{urllib.parse.quote(case_id, safe='')}/actions",
                        {"action": action, "step": step, "on": on.isoformat(), "reason": reason, "procedure": procedure})
        return self.load_case(case_id), _event(got["event"]), got.get("warnings", [])

    def receive(self, case_id: str, materials: list[str], on: date) -> tuple[Case, Event]:
        got = self.call("POST", f"/cases/{urllib.parse.quote(case_id, safe='')}/receipts",
                        {"materials": materials, "on": on.isoformat()})
        return self.load_case(case_id), _event(got["event"])

    def correct(self, case_id: str, target: int, reason: str, on: date | None, void: bool) -> tuple[Case, Event]:
        got = self.call("POST", f"/cases/{urllib.parse.quote(case_id, safe='')}/corrections",
                        {"event": target, "reason": reason, "date": on.isoformat() if on else None, "void": void})
        return self.load_case(case_id), _event(got["event"])

    def close(self) -> None:
        pass


def _event(e: dict[str, Any]) -> Event:
    return Event(e["seq"], e["type"], e["payload"], e.get("at"), e.get("actor"))
