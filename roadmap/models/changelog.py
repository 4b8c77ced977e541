"""The roadmap's change log: committed initiatives' changes with their justification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from roadmap.models.core import (
    COMMITMENT_FIELDS,
    COMMITTED_STATUSES,
    Cycle,
    Initiative,
    InitiativeStatus,
    Roadmap,
)
from roadmap_site.models import Person

__all__ = [
    "LOGGED_FIELDS",
    "ChangeEntry",
    "FieldChange",
    "change_log",
]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeEntry:
    """One line of the change log: who changed which initiative, when, what, and why."""

    initiative_id: int
    title: str
    when: datetime
    who: object
    kind: str  # created | changed | deleted
    changes: tuple[FieldChange, ...]
    justification: str
    needed_justification: bool


LOGGED_FIELDS = {
    "title": "Title",
    "status": "Status",
    "cycle": "Cycle",
    "owner": "Owner",
    "accountable": "Accountable leader",
    "problem": "Scope: problem",
    "audience": "Scope: audience",
    "audience_size": "Scope: audience size",
    "budget": "Resources: budget",
    "people": "Resources: people",
    "days": "Resources: person-days",
    "priority": "Priority",
    "kpi": "KPI",
    "tradeoffs": "Tradeoffs",
}


def change_log(roadmap: Roadmap, *, initiative: Initiative | None = None) -> list[ChangeEntry]:
    """The roadmap's change log, newest first, from the initiatives' history records.

    Before/after come from comparing each record with the previous one of the same
    initiative, in memory; names of people, cycles, priorities and KPIs from one query each.
    """
    from measurement.models import Kpi
    from strategy.models import Priority

    records = Initiative.history.filter(roadmap_id=roadmap.pk).select_related("history_user")
    if initiative is not None:
        records = records.filter(id=initiative.pk)
    records = list(records.order_by("id", "history_date", "history_id"))
    org = roadmap.org_id
    names = {
        "owner": dict(Person.objects.filter(org_id=org).values_list("pk", "name")),
        "cycle": dict(Cycle.objects.filter(roadmap=roadmap).values_list("pk", "name")),
        "priority": dict(Priority.objects.filter(org_id=org).values_list("pk", "capability")),
        "kpi": dict(Kpi.objects.filter(org_id=org).values_list("pk", "name")),
    }
    names["accountable"] = names["owner"]
    statuses = dict(InitiativeStatus.choices)

    def show(field: str, value) -> str:
        if value in (None, ""):
            return "—"
        if field in names:
            return names[field].get(value, "(removed)")
        if field == "status":
            return statuses.get(value, value)
        return str(value)

    entries = []
    previous = None
    for record in records:
        if previous is None or previous.id != record.id:
            previous = None
        changes: list[FieldChange] = []
        needed = False
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, included_fields=list(LOGGED_FIELDS))
            for change in delta.changes:
                field = change.field
                before, after = show(field, change.old), show(field, change.new)
                changes.append(FieldChange(field, LOGGED_FIELDS[field], before, after))
            needed = previous.status in COMMITTED_STATUSES and (
                bool({c.field for c in changes} & COMMITMENT_FIELDS.keys())
                or record.status == InitiativeStatus.PROPOSED
            )
        kind = {"+": "created", "-": "deleted"}.get(record.history_type, "changed")
        # A record without a logged field change shows when it says why (stages shifted).
        if kind != "changed" or changes or record.history_change_reason:
            entries.append(
                ChangeEntry(
                    initiative_id=record.id,
                    title=record.title,
                    when=record.history_date,
                    who=record.history_user,
                    kind=kind,
                    changes=tuple(changes),
                    justification=record.history_change_reason or "",
                    needed_justification=needed,
                )
            )
        previous = record
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
