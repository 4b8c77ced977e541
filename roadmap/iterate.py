"""Iterate: what do we change based on what we're seeing?

Four pieces, each usable on its own:

- the evidence panel of each initiative (`evidence_panels`): usage and where engagement
  drops, behaviour change (Kirkpatrick level 3), the business outcome (its priority's KPI),
  NPS and ROI, as plain JSON-able rows. The page renders these rows; a decision stores the
  same rows as its snapshot, so what a later reader sees is what the team saw;
- decisions (`record_decision`): keep, scale, revise or stop, with the rationale, who and
  when; a stop moves the initiative to "stopped" through `Initiative.change`, so the change
  log carries the rationale as its justification;
- the quarterly review (`run_review`): the roadmap frozen (`snapshot`), with the decisions
  and the change-log entries since the last review;
- the roadmap diff (`roadmap_diff`): a pure function over two snapshots, so the quarterly
  PDF report can call it too;
- the ROADMAP_NOT_REVIEWED alert rule (`review_findings`), registered in roadmap/apps.py.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from measurement import engagement, surveys
from measurement.figures import Finding
from measurement.models import (
    Evidence,
    EvidenceLevel,
    Kpi,
    KpiStatus,
    KpiValue,
    Program,
    RoiBenefit,
    RoiCost,
    SurveyResponse,
)
from measurement.roi import Roi
from roadmap.models import (
    COMMITTED_STATUSES,
    Decision,
    DecisionKind,
    Feedback,
    FeedbackKind,
    Initiative,
    InitiativeStatus,
    Roadmap,
    RoadmapReview,
    TriageState,
    change_log,
)
from roadmap_site.cache import bump_org
from roadmap_site.dates import add_months
from roadmap_site.models import Organization

# Evidence -------------------------------------------------------------------------------

# How many complete months of learner activity the panel shows.
USAGE_MONTHS = 6
# How many of the outcome KPI's latest readings the panel shows as its trend.
TREND_POINTS = 6

# A row's tone is a visual cue only: its summary says the same in words.
GOOD, WARN, BAD, NONE = "good", "warn", "bad", "none"
KPI_TONES = {
    KpiStatus.ON_TRACK: GOOD,
    KpiStatus.AT_RISK: WARN,
    KpiStatus.OFF_TRACK: BAD,
}


def _row(key: str, label: str, summary: str, details: Iterable[str] = (), tone: str = NONE):
    return {
        "key": key,
        "label": label,
        "summary": summary,
        "details": [d for d in details if d],
        "tone": tone,
    }


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _number(value: Decimal, unit: str = "") -> str:
    """68, 7.5, 64.35: at most two decimals, no trailing zeros."""
    figure = f"{Decimal(value).quantize(Decimal('0.01')).normalize():f}"
    return f"{figure} {unit}" if unit else figure


def _usage_row(months: list[engagement.MonthRate], *, measured: bool, share, last: date):
    """Where learners are, and where they drop off: the last complete month's active and
    completion rates, the largest month-on-month fall of the months shown, and the decline
    rule's verdict (measurement/engagement.py DECLINE_RULE)."""
    label = "Usage"
    if not measured:
        return _row("usage", label, "Not measured", ["No learner activity is recorded for it."])
    shown = [m for m in months if add_months(last, -(USAGE_MONTHS - 1)) <= m.month <= last]
    latest = next((m for m in shown if m.month == last), None)
    if latest is None or latest.rate is None:
        summary = f"No active-learner rate for {last:%B %Y}"
        details = [
            "Eligible learners are not entered for that month."
            if latest
            else "No learner activity or eligible learners are recorded for that month."
        ]
        return _row("usage", label, summary, details, NONE)
    summary = f"{engagement.percent(latest.rate)} active in {last:%B %Y}"
    details = [
        f"{latest.active_learners:,} of {latest.eligible:,} eligible learners; "
        f"{latest.completion_display} completed.",
    ]
    rated = [m for m in shown if m.rate is not None]
    if len(rated) > 1:
        details.append(
            "Active learner rate by month: "
            + ", ".join(f"{m.month:%b} {engagement.percent(m.rate)}" for m in rated)
            + "."
        )
        falls = [
            (a.rate - b.rate, a, b)
            for a, b in pairwise(rated)
            if b.rate is not None and a.rate is not None and b.rate < a.rate
        ]
        if falls:
            fall, a, b = max(falls, key=lambda f: f[0])
            details.append(
                f"Biggest drop: {engagement.percent(a.rate)} in {a.month:%B} to "
                f"{engagement.percent(b.rate)} in {b.month:%B} ({fall * 100:.0f} points)."
            )
        else:
            details.append("No month-on-month drop in these months.")
    falling = engagement.decline(months, share=share, last=last)
    if falling is not None:
        details.append(f"Declining: {falling.summary}")
    return _row("usage", label, summary, details, BAD if falling else GOOD)


def _behaviour_row(evidence: list[Evidence], kpi: Kpi | None, kpi_values: list[KpiValue]):
    """Kirkpatrick level 3: evidence entered at that level, and the initiative's KPI when
    it is set to evidence behaviour."""
    label = "Behaviour change"
    lines = [f"{row.summary} ({_day(row.recorded_on)})" for row in evidence]
    if kpi is not None and kpi.evidence_level == EvidenceLevel.BEHAVIOUR and kpi_values:
        latest = kpi_values[-1]
        lines.append(f"KPI {kpi.name}: {_number(latest.value, kpi.unit)} on {_day(latest.date)}")
    if not lines:
        return _row(
            "behaviour",
            label,
            "No level-3 evidence yet",
            ["Nothing shows behaviour changing."],
            WARN,
        )
    count = len(lines)
    summary = f"{count} piece{'s' if count != 1 else ''} of level-3 evidence"
    return _row("behaviour", label, summary, lines, GOOD)


def _outcome_row(initiative: Initiative, kpi: Kpi | None, values: list[KpiValue]):
    """The business outcome: the KPI of the priority the initiative serves (its own KPI
    when the priority has none), with its status and latest readings."""
    label = "Business outcome"
    if kpi is None:
        why = (
            "It serves no priority and has no KPI."
            if initiative.priority_id is None
            else "Its priority has no KPI, and it has none of its own."
        )
        return _row("outcome", label, "No KPI to show the outcome", [why], NONE)
    assessment = kpi.assess(values)
    summary = f"{kpi.name}: {assessment.label.lower()}"
    details = []
    if initiative.priority is not None and initiative.priority.kpi_id == kpi.pk:
        details.append(f"The KPI of the priority “{initiative.priority.capability}”.")
    latest, expected = assessment.latest, assessment.expected
    if latest is not None:
        line = f"Latest {_number(latest.value, kpi.unit)} on {_day(latest.date)}"
        if expected is not None:
            line += f"; the line to the target expected {_number(expected, kpi.unit)} by then"
        details.append(line + ".")
    if kpi.target is not None and kpi.target_date is not None:
        start = "" if kpi.baseline is None else f"Baseline {_number(kpi.baseline, kpi.unit)}, "
        details.append(f"{start}target {_number(kpi.target, kpi.unit)} by {_day(kpi.target_date)}.")
    if len(values) > 1:
        details.append(
            "Trend: "
            + ", ".join(f"{_number(v.value)} ({v.date:%b %Y})" for v in values[-TREND_POINTS:])
            + "."
        )
    return _row("outcome", label, summary, details, KPI_TONES.get(assessment.status, NONE))


def _nps_row(nps: surveys.Nps):
    if not nps.n:
        return _row("nps", "NPS", nps.display, ["No survey answers recorded for it."])
    tone = GOOD if (nps.score or 0) > 0 else WARN
    return _row("nps", "NPS", nps.display, [nps.note.capitalize()], tone)


def _roi_row(roi: Roi):
    if roi.is_empty:
        return _row("roi", "ROI", "No ROI worked out", ["No benefit or cost lines yet."])
    details = [
        f"Adjusted benefits {roi.adjusted_total:,.0f}, fully loaded costs {roi.costs_total:,.0f}.",
        roi.note.capitalize(),
    ]
    tone = NONE if roi.percent is None else (GOOD if roi.percent > 0 else BAD)
    return _row("roi", "ROI", roi.display, details, tone)


# The latest comments a panel quotes; the counts cover them all.
FEEDBACK_QUOTED = 3


def _feedback_row(comments: list[Feedback]):
    """What reviewers said of the initiative through share links (Share phase)."""
    if not comments:
        return _row("feedback", "Stakeholder feedback", "No comments through share links yet")
    kinds = Counter(c.kind for c in comments)
    parts = [f"{kinds[k.value]} {k.label.lower()}" for k in FeedbackKind if kinds[k.value]]
    open_concerns = sum(
        1 for c in comments if c.kind == FeedbackKind.CONCERN and c.state == TriageState.OPEN
    )
    summary = f"{len(comments)} comment{'s' if len(comments) != 1 else ''}: " + ", ".join(parts)
    details = [
        f"{c.get_kind_display()} from {c.review.name} ({c.created_at:%-d %b %Y}, "
        f"{c.get_state_display().lower()}): {c.text[:160]}"
        for c in comments[:FEEDBACK_QUOTED]
    ]
    if open_concerns:
        details.insert(
            0, f"{open_concerns} concern{'s' if open_concerns != 1 else ''} not triaged yet."
        )
    return _row(
        "feedback", "Stakeholder feedback", summary, details, WARN if open_concerns else GOOD
    )


def evidence_panels(
    org: Organization, initiatives: list[Initiative], today: date
) -> dict[int, dict[str, Any]]:
    """Each initiative's evidence panel as JSON-able data, by initiative id.

    Load `initiatives` with their priority (`for_ledger()`). At most ten queries whatever
    their number: programs, the rollup and eligible learners, level-3 evidence, KPIs, their
    values, NPS counts, benefit and cost lines, reviewers' comments. Only what was known on
    `today` counts.

    A panel is `{"as_of", "initiative", "rows"}`; each row has a key, a label, a summary,
    detail lines and a tone. Another source of evidence is one more row.
    """
    ids = [i.pk for i in initiatives]
    programs = {
        initiative_id: (pk, share)
        for pk, initiative_id, share in Program.objects.for_org(org)
        .filter(initiative_id__in=ids)
        .values_list("pk", "initiative_id", "decline_share")
    }
    program_ids = [pk for pk, _ in programs.values()]
    last = engagement.last_complete_month(today)
    rates = engagement.rates_by_program(
        org, first=add_months(last, -(USAGE_MONTHS + 2)), last=last, programs=program_ids
    )
    behaviour: dict[int, list[Evidence]] = defaultdict(list)
    for row in Evidence.objects.for_org(org).filter(
        program_id__in=program_ids, level=EvidenceLevel.BEHAVIOUR, recorded_on__lte=today
    ):
        behaviour[row.program_id].append(row)
    kpi_ids: set[int] = {i.kpi_id for i in initiatives if i.kpi_id is not None} | {
        i.priority.kpi_id
        for i in initiatives
        if i.priority is not None and i.priority.kpi_id is not None
    }
    kpis = {kpi.pk: kpi for kpi in Kpi.objects.for_org(org).filter(pk__in=kpi_ids)}
    values: dict[int, list[KpiValue]] = defaultdict(list)
    for value in (
        KpiValue.objects.for_org(org)
        .overall()
        .filter(kpi_id__in=kpi_ids, date__lte=today)
        .order_by("kpi_id", "date")
    ):
        values[value.kpi_id].append(value)
    nps = surveys.nps_by_program(
        SurveyResponse.objects.for_org(org).filter(
            program_id__in=program_ids, responded_on__lte=today
        )
    )
    roi: dict[int, Roi] = defaultdict(Roi)
    for benefit in RoiBenefit.objects.for_org(org).filter(program_id__in=program_ids):
        roi[benefit.program_id].benefits.append(benefit)
    for cost in RoiCost.objects.for_org(org).filter(program_id__in=program_ids):
        roi[cost.program_id].costs.append(cost)

    feedback: dict[int, list[Feedback]] = defaultdict(list)
    for comment in (
        Feedback.objects.for_org(org)
        .filter(initiative_id__in=ids, created_at__date__lte=today)
        .select_related("review")
        .order_by("-created_at", "-pk")
    ):
        if comment.initiative_id is not None:
            feedback[comment.initiative_id].append(comment)

    panels = {}
    for initiative in initiatives:
        program_id, share = programs.get(initiative.pk, (None, None))
        own_kpi = kpis.get(initiative.kpi_id) if initiative.kpi_id else None
        priority_kpi_id = initiative.priority.kpi_id if initiative.priority else None
        outcome_kpi = kpis.get(priority_kpi_id) if priority_kpi_id else None
        if outcome_kpi is None and own_kpi is not None:
            outcome_kpi = own_kpi
        rows = [
            _usage_row(
                rates.get(program_id, []) if program_id else [],
                measured=program_id is not None,
                share=share,
                last=last,
            ),
            _behaviour_row(
                behaviour.get(program_id, []) if program_id else [],
                own_kpi,
                values.get(initiative.kpi_id, []) if initiative.kpi_id else [],
            ),
            _outcome_row(
                initiative, outcome_kpi, values.get(outcome_kpi.pk, []) if outcome_kpi else []
            ),
            _nps_row(nps.get(program_id, surveys.Nps()) if program_id else surveys.Nps()),
            _roi_row(roi.get(program_id, Roi()) if program_id else Roi()),
            _feedback_row(feedback.get(initiative.pk, [])),
        ]
        panels[initiative.pk] = {
            "as_of": today.isoformat(),
            "as_of_label": _day(today),
            "initiative": {"id": initiative.pk, "title": initiative.title},
            "rows": rows,
        }
    return panels


def evidence_digest(panel: dict[str, Any]) -> str:
    """A fingerprint of what a panel shows: the decision form carries the one the member
    saw, so a decision never rests on evidence that changed in the meantime."""
    text = json.dumps(panel, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# Decisions ------------------------------------------------------------------------------


class DecisionRefused(ValidationError):
    pass


def iterate_initiatives(roadmap: Roadmap):
    """What the Iterate page reviews: the commitments and the initiatives stopped."""
    return roadmap.initiatives.for_ledger().filter(
        status__in=[*COMMITTED_STATUSES, InitiativeStatus.STOPPED]
    )


def record_decision(
    *,
    initiative: Initiative,
    kind: str,
    rationale: str,
    learnings: str = "",
    evidence: dict[str, Any],
    by,
    at: datetime | None = None,
) -> Decision:
    """Record a decision with the evidence panel it rested on, in one transaction.

    "Stop" needs learnings, and stops the initiative through `Initiative.change` with the
    rationale as the change log's justification. A stopped initiative takes no more
    decisions. Raises `DecisionRefused` (nothing written) with the reason."""
    rationale, learnings = rationale.strip(), learnings.strip()
    if kind not in DecisionKind.values:
        raise DecisionRefused({"kind": "Choose keep, scale, revise or stop."})
    if not rationale:
        raise DecisionRefused({"rationale": "Say why, from the evidence."})
    if kind == DecisionKind.STOP and not learnings:
        raise DecisionRefused({"learnings": "Write what we learned before stopping it."})
    with transaction.atomic():
        # One decision at a time per initiative: two stops at once would stop it twice.
        locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if locked.status == InitiativeStatus.STOPPED:
            raise DecisionRefused("This initiative is stopped: it takes no more decisions.")
        when = at or timezone.now()
        decision = Decision.objects.create(
            org_id=locked.org_id,
            roadmap_id=locked.roadmap_id,
            initiative=locked,
            kind=kind,
            rationale=rationale,
            learnings=learnings,
            evidence=evidence,
            decided_by=by,
            decided_at=when,
        )
        if kind == DecisionKind.STOP:
            if at is not None:
                locked._history_date = at
            locked.change(by=by, justification=rationale, status=InitiativeStatus.STOPPED)
        else:
            locked.roadmap.touch()
    initiative.status = locked.status
    return decision


def stopped_learnings(roadmap: Roadmap, *, within=None) -> list[Decision]:
    """The stop decisions of the roadmap's stopped initiatives, with their learnings: what
    the roadmap page (and the page behind a share link) keeps of work that was dropped.
    `within`: a queryset of initiatives to keep to (a share link's scope)."""
    decisions = Decision.objects.filter(
        roadmap=roadmap, kind=DecisionKind.STOP, initiative__status=InitiativeStatus.STOPPED
    )
    if within is not None:
        decisions = decisions.filter(initiative__in=within.values("pk"))
    return list(
        decisions.latest_per_initiative()
        .select_related("initiative")
        .order_by("initiative__title", "pk")
    )


# The quarterly review -------------------------------------------------------------------

SNAPSHOT_VERSION = 1
SCOPE_FIELDS = {
    "title": "Title",
    "problem": "Problem it solves",
    "audience": "Audience",
    "audience_size": "Audience size",
}
OWNER_FIELDS = {"owner": "Owner", "accountable": "Accountable leader"}
# Which change-log fields justify which kind of difference.
REASON_FIELDS = {
    "added": {"status"},
    "dropped": {"status"},
    "moved": {"cycle"},
    "reowned": set(OWNER_FIELDS),
    "rescoped": set(SCOPE_FIELDS),
}


def _person(person) -> str:
    return person.name if person is not None else ""


def snapshot(
    roadmap: Roadmap, *, since: datetime | None, decisions: Iterable[Decision], at: datetime
) -> dict[str, Any]:
    """The roadmap as it stands, as JSON: every initiative with its cycle and dates (its
    stages' first start and last end), owner, accountable leader, status and scope; the
    change-log entries after `since` (the last review) up to `at`; and `decisions`."""
    initiatives = (
        roadmap.initiatives.with_people()
        .select_related("priority")
        .annotate(first_start=models.Min("stages__start"), last_end=models.Max("stages__end"))
        .order_by("pk")
    )
    statuses = dict(InitiativeStatus.choices)
    rows = []
    for i in initiatives:
        rows.append(
            {
                "id": i.pk,
                "title": i.title,
                "status": i.status,
                "status_label": statuses.get(i.status, i.status),
                "cycle_id": i.cycle_id,
                "cycle": i.cycle.name if i.cycle else "",
                "cycle_position": i.cycle.position if i.cycle else None,
                "start": i.first_start.isoformat() if i.first_start else None,
                "end": i.last_end.isoformat() if i.last_end else None,
                "owner_id": i.owner_id,
                "owner": _person(i.owner),
                "accountable_id": i.accountable_id,
                "accountable": _person(i.accountable),
                "problem": i.problem,
                "audience": i.audience,
                "audience_size": i.audience_size,
                "priority": i.priority.capability if i.priority else "",
            }
        )
    changes = [
        {
            "initiative_id": entry.initiative_id,
            "title": entry.title,
            "when": entry.when.isoformat(),
            "who": str(entry.who) if entry.who else "",
            "kind": entry.kind,
            "fields": [c.field for c in entry.changes],
            "summary": "; ".join(f"{c.label}: {c.before} → {c.after}" for c in entry.changes),
            "justification": entry.justification,
        }
        for entry in reversed(change_log(roadmap))
        if (since is None or entry.when > since) and entry.when <= at
    ]
    return {
        "version": SNAPSHOT_VERSION,
        "taken_at": at.isoformat(),
        "roadmap": {"id": roadmap.pk, "title": roadmap.title},
        "initiatives": rows,
        "changes": changes,
        "decisions": [decision_summary(d) for d in decisions],
    }


def decision_summary(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "initiative_id": decision.initiative_id,
        "title": decision.initiative.title,
        "kind": decision.kind,
        "kind_label": decision.get_kind_display(),
        "rationale": decision.rationale,
        "learnings": decision.learnings,
        "by": str(decision.decided_by) if decision.decided_by else "",
        "at": decision.decided_at.isoformat(),
    }


def live_snapshot(roadmap: Roadmap, last: RoadmapReview | None) -> dict[str, Any]:
    """The roadmap now, with what happened since its last review (`last`): what the next
    review would freeze."""
    pending = roadmap.decisions.pending().select_related("initiative", "decided_by")
    return snapshot(
        roadmap,
        since=last.reviewed_at if last else None,
        decisions=pending.order_by("decided_at", "pk"),
        at=timezone.now(),
    )


def run_review(
    *,
    roadmap: Roadmap,
    by,
    quarter_start: date,
    notes: str = "",
    at: datetime | None = None,
) -> RoadmapReview:
    """Hold the quarterly review: freeze the roadmap with the decisions and changes since
    the last review, take those decisions in, and record when the roadmap was reviewed."""
    org = roadmap.org
    at = at or timezone.now()
    quarter_start = org.fiscal_quarter_bounds(quarter_start)[0]
    with transaction.atomic():
        # Reviews of one roadmap take turns, so two at once cannot share the decisions.
        Roadmap.objects.select_for_update().filter(pk=roadmap.pk).first()
        last = roadmap.reviews.order_by("-reviewed_at", "-pk").first()
        pending = list(
            roadmap.decisions.pending()
            .filter(decided_at__lte=at)
            .select_related("initiative", "decided_by")
            .order_by("decided_at", "pk")
        )
        review = RoadmapReview.objects.create(
            org=org,
            roadmap=roadmap,
            quarter_start=quarter_start,
            quarter_label=org.fiscal_quarter_label(quarter_start),
            notes=notes.strip(),
            snapshot=snapshot(
                roadmap, since=last.reviewed_at if last else None, decisions=pending, at=at
            ),
            reviewed_by=by,
            reviewed_at=at,
        )
        Decision.objects.filter(pk__in=[d.pk for d in pending]).update(review=review)
        Roadmap.objects.filter(pk=roadmap.pk).update(last_reviewed_at=at)
        roadmap.last_reviewed_at = at
        roadmap.touch()
        bump_org(org)  # the dashboard's alerts are refreshed when the organisation moved
    return review


# The roadmap diff -----------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Reason:
    when: datetime
    who: str
    text: str
    summary: str


@dataclass(frozen=True)
class DiffItem:
    initiative_id: int
    title: str
    differences: tuple[Difference, ...] = ()
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class DecisionEntry:
    """A decision as a snapshot recorded it."""

    initiative_id: int
    title: str
    kind: str
    kind_label: str
    rationale: str
    learnings: str
    by: str
    at: datetime

    @classmethod
    def from_snapshot(cls, row: dict[str, Any]) -> DecisionEntry:
        return cls(
            row["initiative_id"],
            row["title"],
            row["kind"],
            row["kind_label"],
            row["rationale"],
            row["learnings"],
            row["by"],
            datetime.fromisoformat(row["at"]),
        )


@dataclass(frozen=True)
class RoadmapDiff:
    """What changed between two snapshots, by kind, each with its justifications."""

    before_at: datetime | None  # None: nothing earlier to compare with
    after_at: datetime
    added: list[DiffItem] = field(default_factory=list)
    dropped: list[DiffItem] = field(default_factory=list)
    moved: list[DiffItem] = field(default_factory=list)
    reowned: list[DiffItem] = field(default_factory=list)
    rescoped: list[DiffItem] = field(default_factory=list)
    decisions: list[DecisionEntry] = field(default_factory=list)

    @property
    def first(self) -> bool:
        return self.before_at is None

    @property
    def sections(self) -> list[tuple[str, str, list[DiffItem]]]:
        """(key, heading, items) in reading order, for the page and the PDF."""
        return [
            ("added", "Added", self.added),
            ("dropped", "Dropped", self.dropped),
            ("moved", "Moved", self.moved),
            ("reowned", "Re-owned", self.reowned),
            ("rescoped", "Re-scoped", self.rescoped),
        ]

    @property
    def count(self) -> int:
        return sum(len(items) for _, _, items in self.sections)


def _dates(row: dict[str, Any]) -> str:
    start, end = row.get("start"), row.get("end")
    if not start:
        return "no dates"
    first, last = _day(date.fromisoformat(start)), _day(date.fromisoformat(end or start))
    return f"{first} – {last}"  # noqa: RUF001 (shown to readers)


def _show(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def roadmap_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> RoadmapDiff:
    """Compare two snapshots (`snapshot`): the commitments added and dropped, and of those
    committed in both, the ones moved (cycle or dates), re-owned (owner or accountable
    leader) and re-scoped (title, problem, audience). Each carries the justifications the
    change log recorded between the two (the `changes` of `after`) for what changed.

    Pure: reads nothing but its arguments. `before` None: the first review."""
    after_at = datetime.fromisoformat(after["taken_at"])
    diff = RoadmapDiff(
        before_at=datetime.fromisoformat(before["taken_at"]) if before else None,
        after_at=after_at,
        decisions=[DecisionEntry.from_snapshot(d) for d in after.get("decisions", [])],
    )
    if before is None:
        return diff
    since = diff.before_at
    reasons: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for change in after.get("changes", []):
        when = datetime.fromisoformat(change["when"])
        if since is not None and since < when <= after_at and change.get("justification"):
            reasons[change["initiative_id"]].append(change)

    def item(row: dict[str, Any], kind: str, differences: list[Difference]) -> DiffItem:
        wanted = REASON_FIELDS[kind]
        matched = [
            Reason(datetime.fromisoformat(c["when"]), c["who"], c["justification"], c["summary"])
            for c in reasons.get(row["id"], [])
            # A record without field changes (stages shifted) explains a move.
            if wanted & set(c["fields"]) or (kind == "moved" and not c["fields"])
        ]
        return DiffItem(row["id"], row["title"], tuple(differences), tuple(matched))

    old = {row["id"]: row for row in before["initiatives"]}
    new = {row["id"]: row for row in after["initiatives"]}
    for pk, row in new.items():
        was = old.get(pk)
        committed_now = row["status"] in COMMITTED_STATUSES
        committed_then = was is not None and was["status"] in COMMITTED_STATUSES
        if committed_now and not committed_then:
            then = was["status_label"] if was else "not on the roadmap"
            status = Difference("Status", then, row["status_label"])
            diff.added.append(item(row, "added", [status]))
        if was is None or not (committed_now and committed_then):
            if was is not None and committed_then and not committed_now:
                status = Difference("Status", was["status_label"], row["status_label"])
                diff.dropped.append(item(row, "dropped", [status]))
            continue
        moved = []
        if row["cycle_id"] != was["cycle_id"]:
            moved.append(Difference("Cycle", _show(was["cycle"]), _show(row["cycle"])))
        if (row["start"], row["end"]) != (was["start"], was["end"]):
            moved.append(Difference("Dates", _dates(was), _dates(row)))
        if moved:
            diff.moved.append(item(row, "moved", moved))
        owners = [
            Difference(label, _show(was[name]), _show(row[name]))
            for name, label in OWNER_FIELDS.items()
            if row[f"{name}_id"] != was[f"{name}_id"]
        ]
        if owners:
            diff.reowned.append(item(row, "reowned", owners))
        scope = [
            Difference(label, _show(was[name]), _show(row[name]))
            for name, label in SCOPE_FIELDS.items()
            if row[name] != was[name]
        ]
        if scope:
            diff.rescoped.append(item(row, "rescoped", scope))
    for pk, was in old.items():
        if pk not in new and was["status"] in COMMITTED_STATUSES:
            deleted = {**was, "status_label": "Deleted"}
            diff.dropped.append(
                item(deleted, "dropped", [Difference("Status", was["status_label"], "Deleted")])
            )
    for items in (diff.added, diff.dropped, diff.moved, diff.reowned, diff.rescoped):
        items.sort(key=lambda i: (i.title.lower(), i.initiative_id))
    return diff


def snapshot_rows(snap: dict[str, Any]) -> list[dict[str, Any]]:
    """A snapshot's commitments and stopped initiatives, by cycle: the roadmap as the
    review saw it."""
    shown = [*COMMITTED_STATUSES, InitiativeStatus.STOPPED]
    rows = [row for row in snap["initiatives"] if row["status"] in shown]
    return sorted(
        rows,
        key=lambda r: (
            r.get("cycle_position") is None,
            r.get("cycle_position") or 0,
            r["title"].lower(),
        ),
    )


def review_diff(review: RoadmapReview) -> RoadmapDiff:
    """A review compared with the one before it, from their frozen snapshots."""
    previous = review.previous()
    return roadmap_diff(previous.snapshot if previous else None, review.snapshot)


# The alert rule -------------------------------------------------------------------------

NOT_REVIEWED_RULE = (
    "A roadmap whose period has begun and has not ended before the previous fiscal quarter, "
    "with no quarterly review covering the current or the previous fiscal quarter: a whole "
    "quarter went by without one. A roadmap created during those two quarters has until "
    "the end of the next."
)


def review_findings(org: Organization, today: date) -> list[Finding]:
    """One finding per roadmap not reviewed for a quarter (NOT_REVIEWED_RULE); the state
    is the current quarter, so each quarter without a review is news again. One query."""
    current = org.fiscal_quarter_bounds(today)[0]
    previous = add_months(current, -3)
    roadmaps = (
        Roadmap.objects.for_org(org)
        .filter(period_start__lte=today, period_end__gte=previous)
        .annotate(last_quarter=models.Max("reviews__quarter_start"))
        .order_by("title", "pk")
    )
    findings = []
    for roadmap in roadmaps:
        if roadmap.last_quarter is not None and roadmap.last_quarter >= previous:
            continue
        if roadmap.last_quarter is None and roadmap.created_at.astimezone(org.zone).date() >= (
            previous
        ):
            continue
        if roadmap.last_quarter is None:
            detail = "It has never had a quarterly review."
        else:
            detail = (
                f"Its last review covered {org.fiscal_quarter_label(roadmap.last_quarter)}; "
                f"none covers {org.fiscal_quarter_label(previous)} or "
                f"{org.fiscal_quarter_label(current)}."
            )
        findings.append(
            Finding(
                subject=f"roadmap:{roadmap.pk}",
                title=f"{roadmap.title}: not reviewed for a quarter",
                detail=detail,
                url=reverse("roadmap:review_create", args=[roadmap.pk]),
                state=org.fiscal_quarter_label(current),
            )
        )
    return findings
