"""The roadmap's lists as downloads (roadmap_site/tabular.py): one `Table` per list, its
columns in the order a reader of the page expects them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from roadmap.ledger import commitment_ledger
from roadmap.models import Cycle, Roadmap
from roadmap_site.tabular import Column, Table

REQUESTS = Table(
    "requests",
    [
        Column("Score", "score_total"),
        Column("Request", "title"),
        Column("State", "get_state_display"),
        Column("Deferred to", "deferred_to.name"),
        Column("Priority it serves", "priority.capability"),
        Column("Department", "requester_department"),
        Column("Needed by", "needed_by"),
        Column("Problem", "problem"),
        Column("Audience", "audience"),
        Column("Audience size", "audience_size"),
        Column("Evidence", "get_evidence_kind_display"),
        Column("Business metric", "evidence_metric"),
        Column("Its value", "evidence_value"),
        Column("Is training the fix?", "get_gap_display"),
        Column("Effort (person-days)", "effort_days"),
        Column("Requester", "requester_name"),
        Column("Requester e-mail", "requester_email"),
        Column("Source", "get_source_display"),
        Column("Submitted", "submitted_at"),
        Column("Decided", "decided_at"),
        Column("Reason for the requester", "decision_reason"),
        Column("Initiative", "initiative.title"),
    ],
)

_INITIATIVE_COLUMNS = [
    Column("Cycle", "cycle.name"),
    Column("Initiative", "title"),
    Column("Status", "get_status_display"),
    Column("Owner", "owner.name"),
    Column("Accountable leader", "accountable.name"),
    Column("Priority it serves", "priority.capability"),
    Column("Budget", "budget"),
    Column("People", "people"),
    Column("Person-days", "days"),
    Column("Tradeoffs", "tradeoffs"),
    Column("KPI", "kpi.name"),
]

INITIATIVES = Table(
    "initiatives",
    [
        *_INITIATIVE_COLUMNS[:3],
        Column("Sequence", "get_sequence_display"),
        *_INITIATIVE_COLUMNS[3:],
        Column("Problem it solves", "problem"),
        Column("Audience", "audience"),
        Column("Audience size", "audience_size"),
        Column("Build, reuse or buy", "get_approach_display"),
        Column("Delivery media", lambda i: ", ".join(i.delivery_media_labels)),
    ],
)

COMMITMENTS = Table("commitments", _INITIATIVE_COLUMNS)

NOT_DOING = Table(
    "not-doing",
    [
        Column("Cycle", "cycle.name"),
        Column("What we are not doing", "title"),
        Column("Why", "kind"),
        Column("Reason", "reason"),
        Column("Deferred to", "deferred_to.name"),
        Column("Decided", "decided"),
    ],
)

STAGES = Table(
    "stages",
    [
        Column("Cycle", "initiative.cycle.name"),
        Column("Initiative", "initiative.title"),
        Column("Stage", "get_kind_display"),
        Column("Start", "start"),
        Column("End", "end"),
        Column("Effort (person-days)", "effort_days"),
        Column("Assignee", "assignee.name"),
        Column("Status", "get_status_display"),
        Column('"Good enough" looks like', "good_enough"),
    ],
)


@dataclass(frozen=True)
class NotDoingRow:
    """One line of a cycle's "not doing" column: a dropped option or a request declined or
    deferred during the cycle."""

    cycle: Cycle
    title: str
    kind: str
    reason: str
    decided: datetime | None
    deferred_to: Cycle | None = None


def not_doing_rows(roadmap: Roadmap) -> list[NotDoingRow]:
    """What the Align page lists as not doing, cycle by cycle, from the same ledger."""
    ledger = commitment_ledger(roadmap, cycles=list(roadmap.cycles.all()), initiatives=[])
    rows = []
    for entry in ledger["ledger"]:
        for request in entry["not_doing"]:
            rows.append(
                NotDoingRow(
                    entry["cycle"],
                    request.title,
                    f"Request {request.get_state_display().lower()}",
                    request.decision_reason,
                    request.decided_at,
                    request.deferred_to,
                )
            )
        for item in entry["dropped"]:
            rows.append(
                NotDoingRow(entry["cycle"], item.title, "Dropped", item.reason, item.created_at)
            )
    return rows
