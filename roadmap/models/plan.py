"""Plan: what does the work look like over time?

Stages of an initiative with dates, effort and an assignee; dependencies between stages and
between initiatives; the team's capacity and time off; SMEs and their availability; the
acknowledgements of plan warnings; and each member's calendar feed.

The rules (effort spread, capacity, conflicts) live in `roadmap.planning`, which knows
nothing of Django: `roadmap.plan_data` turns these rows into its dataclasses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from roadmap import ical, planning
from roadmap.models.calendar import BusinessEvent, EventKind, EventKindRule
from roadmap.models.core import Cycle, Initiative, Roadmap
from roadmap_site.models import (
    Organization,
    OrgManager,
    OrgOwned,
    OrgQuerySet,
    Person,
    hash_token,
    new_token,
)
from roadmap_site.ordering import move_among

__all__ = [
    "STAKEHOLDER_BUSY_KINDS",
    "CalendarFeed",
    "CalendarFeedQuerySet",
    "CapacityEntry",
    "FinishToStart",
    "InitiativeDependency",
    "SmeAssignment",
    "SmeAvailability",
    "Stage",
    "StageDependency",
    "StageKind",
    "StageQuerySet",
    "StageStatus",
    "TimeOff",
    "WarningAcknowledgement",
    "calendar_events",
]


class StageKind(models.TextChoices):
    """The one list of stage kinds; `roadmap.planning` uses the same values as strings."""

    NEEDS_ANALYSIS = planning.NEEDS_ANALYSIS, "Needs analysis"
    CONTENT_CREATION = planning.CONTENT_CREATION, "Content creation"
    STAKEHOLDER_ALIGNMENT = planning.STAKEHOLDER_ALIGNMENT, "Stakeholder alignment"
    DELIVERY = planning.DELIVERY, "Delivery (launch)"
    EVALUATION = planning.EVALUATION, "Evaluation"
    REINFORCEMENT = planning.REINFORCEMENT, "Reinforcement"


class StageStatus(models.TextChoices):
    NOT_STARTED = planning.NOT_STARTED, "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"


# Business events that take stakeholders away: a stage that needs them is warned. (Which
# kinds avoid launches is each organisation's choice: `EventKindRule.avoided_kinds`.)
STAKEHOLDER_BUSY_KINDS = frozenset({EventKind.HIRING_WAVE, EventKind.PERFORMANCE_REVIEW})


def calendar_events(org, events=None) -> list[planning.CalendarEvent]:
    """The organisation's business events with the two flags the rules read."""
    avoided = EventKindRule.avoided_kinds(org)
    rows = BusinessEvent.objects.for_org(org) if events is None else events
    return [
        planning.CalendarEvent(
            id=event.pk,
            name=event.name,
            kind=event.kind,
            start=event.start,
            end=event.end,
            avoid_launches=event.kind in avoided,
            needs_stakeholders_conflict=event.kind in STAKEHOLDER_BUSY_KINDS,
            recurs_yearly=event.recurs_yearly,
        )
        for event in rows
    ]


class StageQuerySet(OrgQuerySet):
    def for_roadmap(self, roadmap: Roadmap) -> StageQuerySet:
        return self.filter(initiative__roadmap=roadmap)

    def for_download(self) -> StageQuerySet:
        """As the Plan lists them: by cycle, initiative, then the stage's place in it."""
        return self.select_related("initiative__cycle", "assignee").order_by(
            models.F("initiative__cycle__position").asc(nulls_last=True),
            "initiative__position",
            "initiative_id",
            "position",
            "pk",
        )

    def for_feed(self) -> StageQuerySet:
        """In a calendar feed: by date, with what each entry names (initiative, assignee)."""
        return self.select_related("initiative", "assignee").order_by("start", "pk")


class Stage(OrgOwned):
    """One stage of an initiative's work: dates, effort in person-days, who does it, and
    what "good enough" means for it."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(max_length=30, choices=StageKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    start = models.DateField()
    end = models.DateField(help_text="The last day, included.")
    effort_days = models.DecimalField(
        "effort (person-days)", max_digits=7, decimal_places=2, default=Decimal(0)
    )
    assignee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="stages"
    )
    status = models.CharField(
        max_length=20, choices=StageStatus.choices, default=StageStatus.NOT_STARTED
    )
    good_enough = models.TextField(
        '"good enough" looks like', blank=True, help_text="When is this stage done well enough?"
    )

    objects: ClassVar = OrgManager.from_queryset(StageQuerySet)()

    class Meta:
        ordering = ["initiative", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="stage_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(effort_days__gte=0), name="stage_effort_not_negative"
            ),
        ]
        indexes = [
            # The initiative's plan lists its stages in order.
            models.Index(fields=["initiative", "position"], name="stage_initiative_position"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} · {self.get_kind_display()}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end must be on or after the start."})
        if self.assignee is not None and self.assignee.org_id != self.org_id:
            raise ValidationError({"assignee": "Choose someone from this organisation."})
        if self.start and self.end and self.effort_days is not None:
            load = planning.StageLoad.of(self.effort_days, self.start, self.end)
            if not load.is_possible:
                raise ValidationError(
                    {
                        "effort_days": f"{load.describe()}; the most we accept is "
                        f"{planning.MAX_FULL_TIME_PEOPLE} full time "
                        f"({load.most_effort_days:,} person-days)."
                    }
                )

    def span(self) -> planning.StageSpan:
        return planning.StageSpan.of(self)

    def as_milestone(self, *, url: str = "") -> ical.Milestone:
        """The stage as a calendar-feed entry; reads its initiative and assignee."""
        lines = (
            f"Status: {self.get_status_display()}",
            f"Assignee: {self.assignee.name}" if self.assignee else "",
            f"Good enough: {self.good_enough}" if self.good_enough else "",
        )
        return ical.Milestone(
            stage_id=self.pk,
            summary=f"{self.initiative.title} · {self.get_kind_display()}",
            start=self.start,
            end=self.end,
            description="\n".join(line for line in lines if line),
            url=url,
        )

    @classmethod
    def next_position(cls, initiative: Initiative) -> int:
        last = initiative.stages.aggregate(models.Max("position"))["position__max"]
        return 0 if last is None else last + 1

    def move(self, *, up: bool) -> bool:
        """Swap with the stage above or below; False at either end."""
        siblings = Stage.objects.filter(initiative_id=self.initiative_id).order_by("position", "pk")
        moved = move_among(self, siblings, field="position", up=up)
        if moved:
            self.initiative.roadmap.touch()
        return moved


class FinishToStart(OrgOwned):
    """A finish-to-start link: the successor starts after the predecessor's last day.

    Subclasses name what they link with `predecessor` and `successor` foreign keys (the one
    difference between them) and the `kind` the planning rules know them by.
    """

    kind: ClassVar[Literal["stage", "initiative"]]
    # Declared for mypy: each subclass's foreign keys provide them.
    predecessor_id: int
    successor_id: int

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="%(class)s_unique"),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")), name="%(class)s_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.successor_id} waits for {self.predecessor_id}"

    def as_dependency(self) -> planning.Dependency:
        return planning.Dependency(self.predecessor_id, self.successor_id, self.kind)


class StageDependency(FinishToStart):
    """Between two stages of any initiatives of the organisation."""

    kind = "stage"

    predecessor = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="predecessor_links")

    class Meta(FinishToStart.Meta):
        verbose_name_plural = "stage dependencies"


class InitiativeDependency(FinishToStart):
    """Between initiatives: their dates are those of their stages."""

    kind = "initiative"

    predecessor = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="predecessor_links"
    )

    class Meta(FinishToStart.Meta):
        verbose_name_plural = "initiative dependencies"


class CapacityEntry(OrgOwned):
    """Gross days a person of the L&D team gives to roadmap work in a cycle, before time off."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="capacity")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="capacity")
    days = models.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        verbose_name_plural = "capacity entries"
        constraints = [
            models.UniqueConstraint(fields=["person", "cycle"], name="capacity_once_per_cycle"),
            models.CheckConstraint(
                condition=models.Q(days__gte=0), name="capacity_days_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.cycle}: {self.days} days"

    def as_entry(self) -> planning.CapacityEntry:
        return planning.CapacityEntry(self.person_id, self.cycle_id, self.days)


class TimeOff(OrgOwned):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateField()
    end = models.DateField(help_text="The last day off, included.")
    note = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["start", "person"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="time_off_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} off {self.start} to {self.end}"

    def as_time_off(self) -> planning.TimeOff:
        return planning.TimeOff(self.person_id, self.start, self.end)


class SmeAssignment(OrgOwned):
    """A subject-matter expert (a Person) assigned to an initiative."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="sme_assignments"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sme_assignments")
    # SME engagement (a measurement family) asks whether this was on or before the day
    # content creation began.
    involved_on = models.DateField(
        "first involved on",
        null=True,
        blank=True,
        help_text="When the SME was first brought in; empty if not yet involved.",
    )

    class Meta:
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "person"], name="sme_once_per_init"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.initiative}"

    def as_assignment(self) -> planning.SmeAssignment:
        return planning.SmeAssignment(self.initiative_id, self.person_id)


class SmeAvailability(OrgOwned):
    """A window in which an SME is available; an empty start or end is open-ended. An SME
    without any window counts as always available."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="availability")
    start = models.DateField(null=True, blank=True, help_text="Empty: available until the end.")
    end = models.DateField(null=True, blank=True, help_text="Empty: available from then on.")
    note = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["person__name", models.F("start").asc(nulls_first=True)]
        verbose_name_plural = "SME availability"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="availability_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} available {self.start or '…'} to {self.end or '…'}"

    def as_availability(self) -> planning.Availability:
        return planning.Availability(self.person_id, self.start, self.end)


class WarningAcknowledgement(OrgOwned):
    """The team saw a plan warning and accepts it, saying why. Keyed by the warning's
    stable key, so it stays acknowledged while the warning stays the same."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="acknowledgements")
    key = models.CharField(max_length=200)
    note = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "key"], name="acknowledged_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.note[:40]}"

    @classmethod
    def acknowledge(cls, *, roadmap: Roadmap, key: str, note: str, by) -> WarningAcknowledgement:
        """Accept the warning `key` of the roadmap with a note; acknowledging it again
        replaces the note, who and when."""
        with transaction.atomic():
            acknowledgement, _ = cls.objects.update_or_create(
                roadmap=roadmap,
                key=key,
                defaults={"org_id": roadmap.org_id, "note": note, "by": by, "at": timezone.now()},
            )
            roadmap.touch()  # the plan page shows it
        return acknowledgement

    @classmethod
    def reopen(cls, *, roadmap: Roadmap, key: str) -> bool:
        """The warning `key` is open again; False if it was not acknowledged."""
        with transaction.atomic():
            deleted, _ = cls.objects.filter(roadmap=roadmap, key=key).delete()
            if deleted:
                roadmap.touch()
        return deleted > 0


class CalendarFeedQuerySet(OrgQuerySet):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)

    def of_user(self, user) -> CalendarFeedQuerySet:
        """A member's own feeds: nobody sees or revokes another member's."""
        return self.filter(user=user)


class CalendarFeed(OrgOwned):
    """A member's secret iCalendar URL. Only the SHA-256 of the token is stored; the URL is
    shown once, when made, and stops working when revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    label = models.CharField(max_length=100, blank=True, help_text="e.g. “Work calendar”.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(CalendarFeedQuerySet)()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or f"Calendar feed {self.pk}"

    @classmethod
    def issue(cls, *, org: Organization, user, label: str = "") -> tuple[CalendarFeed, str]:
        token = new_token()
        feed = cls.objects.create(org=org, user=user, label=label, token_hash=hash_token(token))
        return feed, token

    @classmethod
    def find_active(cls, token: str) -> CalendarFeed | None:
        """The feed of a token, while it is not revoked and its owner is still a member."""
        return (
            cls.objects.active()
            .select_related("org", "user")
            .filter(token_hash=hash_token(token), user__memberships__org=models.F("org"))
            .first()
        )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def mark_used(self) -> None:
        CalendarFeed.objects.filter(pk=self.pk).update(last_used_at=timezone.now())

    def build_ical(self, *, origin: str) -> bytes:
        """The feed's iCalendar: the stages of every roadmap of the organisation, each
        linking to its initiative's plan under `origin` (e.g. "https://roadmap.example"),
        and the organisation's business calendar."""
        origin = origin.rstrip("/")
        milestones = [
            stage.as_milestone(
                url=origin + reverse("roadmap:initiative_plan", args=[stage.initiative_id])
            )
            for stage in Stage.objects.for_org(self.org).for_feed()
        ]
        return ical.build_feed(f"{self.org.name} roadmap", milestones, calendar_events(self.org))
