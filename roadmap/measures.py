"""The roadmap's measurement figures: commitment changes without a justification
(leadership alignment) and SME engagement, as dashboard headlines and alert findings.

They live here because their data does (the change log, stages, SME assignments);
`roadmap/apps.py` registers them with the measurement dashboard and alerts, which may not
import the roadmap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse

from measurement.figures import Finding, Headline, TrendPoint
from measurement.models import KpiFamily, KpiStatus
from roadmap.models import (
    COMMITMENT_FIELDS,
    COMMITTED_STATUSES,
    Initiative,
    InitiativeStatus,
    Roadmap,
    SmeAssignment,
    Stage,
    StageKind,
)
from roadmap_site.dates import add_months
from roadmap_site.models import Organization

CHANGES_RULE = (
    "Changes to a committed initiative's cycle, people, scope or resources (or taking it "
    "back to proposed) recorded in the fiscal quarter without a written business "
    "justification, from the change log. None: on track; any: off track."
)
SME_AT_RISK_SHARE = Decimal("0.75")
SME_RULE = (
    "Initiatives whose content creation has begun and whose SME was first involved on or "
    "before the day it began ÷ all initiatives whose content creation has begun. Every one: "
    f"on track; at least {SME_AT_RISK_SHARE:.0%}: at risk; fewer: off track."
)
SME_LATE_RULE = (
    "Content creation has begun and no SME of the initiative was involved on or before "
    "the day it began (none assigned, no involvement date, or involved later)."
)


# Commitment changes without a justification ---------------------------------------------


@dataclass(frozen=True)
class UnjustifiedChange:
    initiative_id: int
    roadmap_id: int
    title: str
    when: datetime


def _bounds(org: Organization, start: date, end: date) -> tuple[datetime, datetime]:
    """The aware instants a run of days (both included) spans on the organisation's clock."""
    zone = org.zone
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def unjustified_changes(org: Organization, start: date, end: date) -> list[UnjustifiedChange]:
    """Commitment changes from `start` to `end` (days in the organisation's time zone)
    that needed a justification and have none, oldest first.

    The app refuses such changes (`Initiative.change`), so this finds those made around it
    (the admin, a future import). Two queries: the history records without a reason in the
    period, then the records of those initiatives up to its end, compared in memory with
    the one before each (as the change log does).
    """
    since, until = _bounds(org, start, end)
    history = Initiative.history.filter(org_id=org.pk, history_date__lt=until)
    candidates = set(
        history.filter(history_type="~", history_date__gte=since)
        .filter(Q(history_change_reason__isnull=True) | Q(history_change_reason=""))
        .values_list("history_id", flat=True)
    )
    if not candidates:
        return []
    ids = history.filter(history_id__in=candidates).values("id")
    records = history.filter(id__in=ids).order_by("id", "history_date", "history_id")
    found, previous = [], None
    for record in records:
        if previous is not None and previous.id == record.id and record.history_id in candidates:
            changed = record.diff_against(previous, included_fields=list(COMMITMENT_FIELDS))
            if previous.status in COMMITTED_STATUSES and (
                changed.changes or record.status == InitiativeStatus.PROPOSED
            ):
                found.append(
                    UnjustifiedChange(
                        record.id, record.roadmap_id, record.title, record.history_date
                    )
                )
        previous = record
    return sorted(found, key=lambda change: change.when)


def _quarter_starts(org: Organization, today: date, count: int = 4) -> list[date]:
    current = org.fiscal_quarter_bounds(today)[0]
    return [add_months(current, -3 * n) for n in range(count - 1, -1, -1)]


def changes_headline(org: Organization, today: date) -> Headline:
    starts = _quarter_starts(org, today)
    start, end = org.fiscal_quarter_bounds(today)
    changes = unjustified_changes(org, starts[0], end)
    per_quarter = dict.fromkeys(starts, 0)
    for change in changes:
        per_quarter[org.fiscal_quarter_bounds(change.when.astimezone(org.zone).date())[0]] += 1
    count = per_quarter[start]
    this_quarter = [c for c in changes if c.when >= _bounds(org, start, end)[0]]
    roadmap_id = (
        this_quarter[-1].roadmap_id
        if this_quarter
        else Roadmap.objects.for_org(org).values_list("pk", flat=True).first()
    )
    url = (
        reverse("roadmap:roadmap_changes", args=[roadmap_id])
        if roadmap_id
        else reverse("roadmap:roadmap_list")
    )
    return Headline(
        family=KpiFamily.LEADERSHIP_ALIGNMENT,
        title=f"Commitment changes without a justification ({org.fiscal_quarter_label(today)})",
        value=Decimal(count),
        display=str(count),
        rule=CHANGES_RULE,
        url=url,
        status=KpiStatus.ON_TRACK if count == 0 else KpiStatus.OFF_TRACK,
        note="Every change to a commitment needs a written reason." if count == 0 else "",
        trend=tuple(TrendPoint(q, float(n)) for q, n in per_quarter.items()),
    )


# SME engagement --------------------------------------------------------------------------


@dataclass(frozen=True)
class SmeRow:
    """An initiative whose content creation has begun, and whether an SME came first."""

    initiative: Initiative
    build_start: date  # the first content-creation stage's start
    early: bool  # an SME involved on or before it
    has_sme: bool
    first_involved: date | None  # the earliest SME involvement

    @property
    def why_late(self) -> str:
        if not self.has_sme:
            return "no SME is assigned"
        if self.first_involved is None:
            return "no SME has a date of first involvement"
        days = (self.first_involved - self.build_start).days
        later = "1 day" if days == 1 else f"{days} days"
        return f"its SME was first involved on {self.first_involved:%d %b %Y}, {later} later"


def sme_engagement_rows(org: Organization, today: date) -> list[SmeRow]:
    """The initiatives (not stopped) whose content creation has begun by `today`, oldest
    build first. One query."""
    build = Stage.objects.filter(initiative=OuterRef("pk"), kind=StageKind.CONTENT_CREATION)
    smes = SmeAssignment.objects.filter(initiative=OuterRef("pk"))
    involved = smes.filter(involved_on__isnull=False).order_by("involved_on")
    initiatives = (
        Initiative.objects.for_org(org)
        .exclude(status=InitiativeStatus.STOPPED)
        .annotate(build_start=Subquery(build.order_by("start").values("start")[:1]))
        .filter(build_start__lte=today)
        .annotate(
            early=Exists(smes.filter(involved_on__lte=OuterRef("build_start"))),
            has_sme=Exists(smes),
            first_involved=Subquery(involved.values("involved_on")[:1]),
        )
        .select_related("roadmap", "owner")
        .order_by("build_start", "title", "pk")
    )
    return [SmeRow(i, i.build_start, i.early, i.has_sme, i.first_involved) for i in initiatives]


def _share(rows: list[SmeRow]) -> Decimal | None:
    if not rows:
        return None
    return Decimal(sum(1 for row in rows if row.early)) / Decimal(len(rows))


def sme_status(share: Decimal | None) -> KpiStatus | None:
    if share is None:
        return None
    if share == 1:
        return KpiStatus.ON_TRACK
    return KpiStatus.AT_RISK if share >= SME_AT_RISK_SHARE else KpiStatus.OFF_TRACK


def sme_headline(org: Organization, today: date, rows: list[SmeRow] | None = None) -> Headline:
    """SME engagement's headline; pass `rows` when `sme_engagement_rows` already ran."""
    if rows is None:
        rows = sme_engagement_rows(org, today)
    share = _share(rows)
    trend = []
    for start in _quarter_starts(org, today):
        quarter_end = min(org.fiscal_quarter_bounds(start)[1], today)
        begun = [row for row in rows if row.build_start <= quarter_end]
        if begun:
            trend.append(TrendPoint(start, float(_share(begun) or 0)))
    early = sum(1 for row in rows if row.early)
    return Headline(
        family=KpiFamily.SME_ENGAGEMENT,
        title="Initiatives with their SME involved before the build",
        value=share,
        display="not computable" if share is None else f"{share:.0%}",
        rule=SME_RULE,
        url=reverse("roadmap:sme_engagement"),
        status=sme_status(share),
        note=(
            "No initiative's content creation has begun yet."
            if share is None
            else f"{early} of {len(rows)} initiatives whose content creation has begun"
        ),
        trend=tuple(trend),
    )


def headlines(org: Organization, today: date) -> list[Headline]:
    return [changes_headline(org, today), sme_headline(org, today)]


def sme_late_findings(org: Organization, today: date) -> list[Finding]:
    """The alert rule: one finding per initiative whose SME came after the build began (or
    not at all). The state says which, so a late involvement date turning up is news."""
    return [
        Finding(
            subject=f"initiative:{row.initiative.pk}",
            title=f"{row.initiative.title}: SME not involved before the build",
            detail=f"Content creation began on {row.build_start:%d %b %Y}; {row.why_late}.",
            url=reverse("roadmap:initiative_plan", args=[row.initiative.pk]) + "#smes",
            state="late" if row.first_involved else "not involved",
            owner_id=row.initiative.owner_id,
        )
        for row in sme_engagement_rows(org, today)
        if not row.early
    ]
