"""The words shown for a case's states, a step's states and the moves, in the current language.

The values themselves (``ready``, ``in_progress``, ``accept``) are stable: they are stored in the
event log and written to JSON. Text output shows :func:`label` of them; in English the label is
the value itself.
"""
from __future__ import annotations

from engine.i18n import N_, _

LABELS: dict[str, str] = {
    # a step's states
    "waiting": N_("waiting"), "ready": N_("ready"), "accepted": N_("accepted"), "returned": N_("returned"),
    "approved": N_("approved"), "refused": N_("refused"), "suspended": N_("suspended"),
    # a case's states
    "open": N_("open"), "in_progress": N_("in_progress"), "completed": N_("completed"), "withdrawn": N_("withdrawn"),
    "damaged": N_("damaged"),  # a case whose event log does not replay
    # moves (the queue's "do" column) and what they record
    "accept": N_("accept"), "approve": N_("approve"), "return": N_("return"), "resubmit": N_("resubmit"),
    "refuse": N_("refuse"), "withdraw": N_("withdraw"), "resubmitted": N_("resubmitted"), "opened": N_("opened"),
    "corrected": N_("corrected"), "received": N_("received"), "suspend": N_("suspend"), "resume": N_("resume"),
    "resumed": N_("resumed"),
    # who acted: the local single operator (the workspace's roles have their own names)
    "local": N_("local operator"),
}


def label(value: str) -> str:
    """How *value* (a state, a move or an event type) reads in the current language."""
    return _(LABELS[value]) if value in LABELS else value
