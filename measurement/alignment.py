"""Leadership alignment: touchpoints with senior stakeholders, by fiscal quarter.

`record_touchpoint` is the one way a touchpoint is written (the form here, the imports and
the API of the next issue, a share-link review later); it validates, upserts on the natural
key (senior, day, forum) and bumps the organisation's version. The figures count, for the
fiscal quarter containing a day, the seniors with at least one touchpoint in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse

from measurement.figures import Finding, Headline, TrendPoint
from measurement.models import Forum, KpiFamily, KpiStatus, Touchpoint
from roadmap_site.cache import bump_org
from roadmap_site.dates import add_months
from roadmap_site.models import Organization, Person

# Below this share of seniors met in the quarter the figure is off track; between it and
# all of them, at risk.
AT_RISK_SHARE = Decimal("0.75")

ALIGNMENT_RULE = (
    "Senior stakeholders (people marked “senior stakeholder”) with at least one touchpoint "
    "in the fiscal quarter ÷ all senior stakeholders. Every senior met: on track; "
    f"at least {AT_RISK_SHARE:.0%}: at risk; fewer: off track."
)
SENIOR_RULE = (
    "A senior stakeholder with no touchpoint (budget cycle, workforce planning, performance "
    "review, business or roadmap review…) so far in the current fiscal quarter."
)


def _validate(org: Organization, stakeholder: Person, day: object, forum: str) -> None:
    errors: dict[str, str] = {}
    if stakeholder.org_id != org.pk:
        errors["stakeholder"] = "Choose someone from this organisation."
    elif not stakeholder.is_senior:
        errors["stakeholder"] = (
            f"{stakeholder.name} is not marked as a senior stakeholder (People page)."
        )
    if not isinstance(day, date):
        errors["date"] = "Give the day of the touchpoint as a date."
    if forum not in Forum.values:
        errors["forum"] = f"“{forum}” is not a forum; use one of: {', '.join(Forum.values)}."
    if errors:
        raise ValidationError(errors)


def record_touchpoint(
    *,
    org: Organization,
    stakeholder: Person,
    day: date,
    forum: str,
    notes: str = "",
    created_by=None,
) -> tuple[Touchpoint, bool]:
    """Record a touchpoint, or update the notes of the one with the same senior, day and
    forum; a repeat changes nothing. Returns (touchpoint, created). Raises
    `ValidationError` (nothing written) for another organisation's or a non-senior person,
    a day that is not a date, or an unknown forum."""
    _validate(org, stakeholder, day, forum)
    notes = notes.strip()
    with transaction.atomic():
        touchpoint, created = Touchpoint.objects.select_for_update().get_or_create(
            org=org,
            stakeholder=stakeholder,
            date=day,
            forum=forum,
            defaults={"notes": notes, "created_by": created_by},
        )
        if not created and touchpoint.notes != notes:
            touchpoint.notes = notes
            touchpoint.save(update_fields=["notes"])
        elif not created:
            return touchpoint, False
        bump_org(org)  # the alignment page, the dashboard and the alerts read it
    return touchpoint, created


def change_touchpoint(
    *, touchpoint: Touchpoint, stakeholder: Person, day: date, forum: str, notes: str = ""
) -> Touchpoint:
    """Correct a touchpoint; refused (nothing written) like `record_touchpoint`, or when
    another touchpoint already has that senior, day and forum."""
    org = touchpoint.org
    _validate(org, stakeholder, day, forum)
    touchpoint.stakeholder, touchpoint.date = stakeholder, day
    touchpoint.forum, touchpoint.notes = forum, notes.strip()
    try:
        with transaction.atomic():
            touchpoint.save()
            bump_org(org)
    except IntegrityError:
        raise ValidationError(
            "A touchpoint with this senior stakeholder on that day in that forum is already logged."
        ) from None
    return touchpoint


def delete_touchpoint(*, touchpoint: Touchpoint) -> None:
    with transaction.atomic():
        touchpoint.delete()
        bump_org(touchpoint.org)


@dataclass(frozen=True)
class Senior:
    person: Person
    met: bool  # at least one touchpoint in the quarter
    last_touchpoint: date | None  # the latest ever, in any quarter


@dataclass(frozen=True)
class QuarterAlignment:
    """Leadership alignment in one fiscal quarter."""

    start: date
    end: date
    label: str
    seniors: list[Senior]

    @property
    def met(self) -> list[Senior]:
        return [s for s in self.seniors if s.met]

    @property
    def not_met(self) -> list[Senior]:
        return [s for s in self.seniors if not s.met]

    @property
    def share(self) -> Decimal | None:
        """Seniors met ÷ seniors; None when nobody is marked senior."""
        if not self.seniors:
            return None
        return Decimal(len(self.met)) / Decimal(len(self.seniors))

    @property
    def status(self) -> KpiStatus | None:
        share = self.share
        if share is None:
            return None
        if share == 1:
            return KpiStatus.ON_TRACK
        return KpiStatus.AT_RISK if share >= AT_RISK_SHARE else KpiStatus.OFF_TRACK


def quarter_alignment(org: Organization, day: date) -> QuarterAlignment:
    """The seniors of `org` and whether each had a touchpoint in the fiscal quarter of
    `day`: one query, however many touchpoints."""
    start, end = org.fiscal_quarter_bounds(day)
    in_quarter = Touchpoint.objects.filter(
        org=org, stakeholder=OuterRef("pk"), date__gte=start, date__lte=end
    )
    people = (
        Person.objects.for_org(org)
        .filter(is_senior=True)
        .annotate(met=Exists(in_quarter), last_touchpoint=Max("touchpoints__date"))
        .order_by("name")
    )
    seniors = [Senior(p, p.met, p.last_touchpoint) for p in people]
    return QuarterAlignment(start, end, org.fiscal_quarter_label(day), seniors)


def quarter_starts(org: Organization, today: date, count: int) -> list[date]:
    """The first days of the `count` fiscal quarters up to the one holding `today`, oldest
    first."""
    current = org.fiscal_quarter_bounds(today)[0]
    return [add_months(current, -3 * n) for n in range(count - 1, -1, -1)]


def share_trend(org: Organization, today: date, quarters: int = 4) -> tuple[TrendPoint, ...]:
    """The share of today's seniors met, quarter by quarter (one query)."""
    starts = quarter_starts(org, today, quarters)
    seniors = Person.objects.for_org(org).filter(is_senior=True).count()
    if not seniors:
        return ()
    end = org.fiscal_quarter_bounds(today)[1]
    rows = (
        Touchpoint.objects.for_org(org)
        .between(starts[0], end)
        .filter(stakeholder__is_senior=True)
        .values_list("stakeholder_id", "date")
    )
    met: dict[date, set[int]] = {start: set() for start in starts}
    for stakeholder_id, day in rows:
        met[org.fiscal_quarter_bounds(day)[0]].add(stakeholder_id)
    return tuple(TrendPoint(start, len(met[start]) / seniors) for start in starts)


def headlines(org: Organization, today: date) -> list[Headline]:
    """Leadership alignment's headline for the dashboard."""
    alignment = quarter_alignment(org, today)
    share = alignment.share
    if share is None:
        display = "not computable"
        note = "Nobody is marked as a senior stakeholder yet (People page)."
    else:
        display = f"{share:.0%}"
        note = (
            f"{len(alignment.met)} of {len(alignment.seniors)} senior stakeholders met in "
            f"{alignment.label}"
        )
    return [
        Headline(
            family=KpiFamily.LEADERSHIP_ALIGNMENT,
            title=f"Senior stakeholders met this quarter ({alignment.label})",
            value=share,
            display=display,
            rule=ALIGNMENT_RULE,
            url=reverse("measurement:alignment"),
            status=alignment.status,
            note=note,
            trend=share_trend(org, today),
        )
    ]


def seniors_without_touchpoint(org: Organization, today: date) -> list[Finding]:
    """The alert rule: one finding per senior not met so far this quarter. Its state is
    the quarter, so the digest tells about a senior once per quarter."""
    alignment = quarter_alignment(org, today)
    url = reverse("measurement:alignment")
    findings = []
    for senior in alignment.not_met:
        person = senior.person
        last = (
            f"the last one was on {senior.last_touchpoint:%d %b %Y}"
            if senior.last_touchpoint
            else "there has never been one"
        )
        findings.append(
            Finding(
                subject=f"person:{person.pk}",
                title=f"No touchpoint with {person.name} in {alignment.label}",
                detail=(
                    f"No touchpoint with {person.name}"
                    f"{f' ({person.title})' if person.title else ''} between "
                    f"{alignment.start:%d %b} and {alignment.end:%d %b %Y}; {last}."
                ),
                url=f"{url}#senior-{person.pk}",
                state=alignment.label,
            )
        )
    return findings
