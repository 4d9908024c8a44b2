"""What an account may do, and doing it: the one place the web pages and the JSON API go through.

Authorization is deny-by-default: :data:`PERMISSIONS` lists, per role, the only operations it may
perform; every operation below calls :meth:`Workspace.allow` first, and the step moves also check
that an officer acts on a step of their own department. The moves themselves are the case desk's
(engine/cases/desk.py), the same functions the CLI calls, with the account recorded as the actor.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.cases import desk
from engine.cases.machine import STEP_ACTIONS, Case, Event, step_moves
from engine.cases.projection import CaseQuery, Page
from engine.cases.store import Store, UnknownCaseError, load_case
from engine.cases.words import label
from engine.errors import LianbanError, RefusedError, UsageError
from engine.i18n import _
from engine.server.accounts import Account, Accounts

if TYPE_CHECKING:
    from engine.flow.analysis import Analysis
    from engine.workdays.calendar import WorkCalendar

__all__ = ["PERMISSIONS", "Denied", "NotFound", "Workspace"]

STEP_MOVES = STEP_ACTIONS
# role -> operations (deny by default: anything not listed is refused)
PERMISSIONS: dict[str, frozenset[str]] = {
    "clerk": frozenset({"cases.read", "case.open", "case.receive", "step.resubmit", "case.withdraw", "items.read"}),
    "officer": frozenset({"cases.read", "queue.read", *(f"step.{m}" for m in STEP_MOVES), "items.read"}),
    "supervisor": frozenset({"cases.read", "queue.read", "queue.any", "case.correct", "case.withdraw", "items.read",
                             "audit.read"}),
    "analyst": frozenset({"cases.read", "items.read"}),
    "admin": frozenset({"audit.read"}),
}


class Denied(RefusedError):
    """The account may not do this (HTTP 403)."""


class NotFound(LianbanError):
    """No such case, or one the account may not see (HTTP 404: not told apart)."""


@dataclass
class Workspace:
    store: Store
    accounts: Accounts
    items: dict[str, Analysis]
    calendar: WorkCalendar
    departments: list[str] = field(default_factory=list)

    # -- authorization -------------------------------------------------------------------
    @staticmethod
    def may(account: Account, operation: str) -> bool:
        return account.active and operation in PERMISSIONS.get(account.role, frozenset())

    def allow(self, account: Account, operation: str) -> None:
        if not self.may(account, operation):
            raise Denied(_("a {role} account may not do this ({op})").format(role=label(account.role), op=operation))

    def sees_all(self, account: Account) -> bool:
        return account.role != "officer"

    # -- reading -------------------------------------------------------------------------
    def case(self, account: Account, case_id: str) -> Case:
        self.allow(account, "cases.read")
        try:
            case = load_case(self.store, case_id)
        except UnknownCaseError:
            raise NotFound(_("no case {id}").format(id=case_id)) from None
        if not self.sees_all(account) and all(r.department != account.department for r in case.steps.values()):
            raise NotFound(_("no case {id}").format(id=case_id))
        return case

    def cases(self, account: Account, query: CaseQuery) -> Page:
        self.allow(account, "cases.read")
        if not self.sees_all(account):
            query = CaseQuery(**{**query.__dict__, "department": account.department})
        if query.grade is None:  # every row with its warning level on the two clocks
            query = CaseQuery(**{**query.__dict__, "grade": desk.grader(query.on, self.calendar)})
        return self.store.case_page(query)

    def queue(self, account: Account, on: date, department: str | None = None, limit: int = 50,
              offset: int = 0) -> Page:
        self.allow(account, "queue.read")
        if department and department != account.department:
            self.allow(account, "queue.any")
        dept = department or account.department
        if not dept:
            raise UsageError(_("name the department whose queue to show"))
        return self.store.queue_page(dept, on, limit, offset, grade=desk.grader(on, self.calendar))

    # -- moves ---------------------------------------------------------------------------
    def open_case(self, account: Account, item_id: str, applicant: str, on: date | None,
                  via: str, answers: str | None = None) -> tuple[Case, str, list[str]]:
        """Open a case at the window; returns it, its check code (shown once) and date warnings.
        *answers* (``area_m2=300,gas=yes``): the applicant's situation, for an item that asks questions
        (unanswered questions take their defaults; None: the default situation)."""
        self.allow(account, "case.open")
        analysis = self.items.get(item_id)
        if analysis is None:
            raise UsageError(_("no item '{id}' in this workspace").format(id=item_id))
        if answers is not None:
            analysis = situation_analysis(analysis, answers)
        day = on or date.today()
        case = desk.open_new(self.store, analysis, applicant, day, self.calendar, actor=account.actor(via))
        code = self.accounts.set_check_code(str(case.id))
        return case, code, desk.date_warnings(day, self.calendar, "open")

    def act(self, account: Account, case_id: str, action: str, step: str | None, on: date | None,
            reason: str | None, via: str, procedure: str | None = None) -> tuple[Case, Event, list[str]]:
        day = on or date.today()
        if action == "withdraw":
            self.allow(account, "case.withdraw")
            self.case(account, case_id)
            case, event = desk.act(self.store, case_id, "withdraw", step=None, department=None, on=day,
                                   reason=reason, actor=account.actor(via))
            return case, event, desk.date_warnings(day, self.calendar, "withdraw")
        if action not in STEP_MOVES:
            raise UsageError(_("unknown action '{action}'; use one of {all}").format(
                action=action, all=", ".join((*STEP_MOVES, "withdraw"))))
        self.allow(account, f"step.{action}")
        current = self.case(account, case_id)
        run = current.steps.get(step or "")
        department = account.department
        if account.role == "clerk" and run is not None:  # the window records the applicant's corrections
            department = run.department
        elif run is not None and run.department != account.department:
            raise Denied(_("{dept} cannot act on step '{step}' ({owner})").format(
                dept=account.department, step=run.id, owner=run.department))
        case, event = desk.act(self.store, case_id, action, step=step, department=department, on=day, reason=reason,
                               calendar=self.calendar, actor=account.actor(via), procedure=procedure)
        return case, event, desk.date_warnings(day, self.calendar, action, event)

    def receive(self, account: Account, case_id: str, materials: list[str], on: date | None,
                via: str) -> tuple[Case, Event]:
        self.allow(account, "case.receive")
        self.case(account, case_id)
        return desk.receive(self.store, case_id, materials, on=on or date.today(), actor=account.actor(via))

    def correct(self, account: Account, case_id: str, target: int, reason: str, on: date | None, void: bool,
                via: str) -> tuple[Case, Event]:
        self.allow(account, "case.correct")
        self.case(account, case_id)
        case, event = desk.correct(self.store, case_id, target, reason=reason, calendar=self.calendar, on=on,
                                   void=void, actor=account.actor(via))
        self.accounts.audit("correction", account.username, f"case {case_id} event #{target}: {reason}", None)
        return case, event

    def moves(self, account: Account, case: Case) -> list[tuple[str, str]]:
        """(action, step) the account may record on the case now: what the page offers as buttons."""
        if case.state.closed:
            return []
        out = []
        for run in case.steps.values():
            for action in step_moves(run.state):
                if not self.may(account, f"step.{action}"):
                    continue
                if account.role == "officer" and run.department != account.department:
                    continue
                out.append((action, run.id))
        return out


def progress(case: Case) -> dict[str, Any]:
    """What the public progress lookup shows: state, steps and dates. No names, no materials."""
    return {"case": case.id, "item": case.item["name"], "state": case.state.value,
            "opened_on": case.opened_on.isoformat(), "closed_on": case.closed_on.isoformat() if case.closed_on else None,
            "steps": [{"name": r.name, "department": r.department, "state": r.state.value,
                       "deadline": r.deadline.isoformat()} for r in case.steps.values()]}


def load_items(definitions: Path, catalog: str | None) -> dict[str, Analysis]:
    """Every valid item under the definitions folder, analysed once at start-up."""
    from engine.flow.analysis import analyze
    from engine.validation.tree import load_items as load

    items, _result = load([definitions], catalog)
    return {item.id: analyze(item) for item in items}


def situation_analysis(analysis: Analysis, answers: str) -> Analysis:
    """*analysis*'s item in the situation *answers* describe (a UsageError names a bad answer)."""
    from engine.flow.analysis import analyze
    from engine.situations import parse_answers, specialise

    general = analysis.item.general or analysis.item
    if not general.questions:
        if answers.strip():
            raise UsageError(_("item {item} asks no questions: leave out the answers").format(item=general.id))
        return analysis
    return analyze(specialise(general, parse_answers(general, answers)))
