"""Roadmaps, their cycles and initiatives.

Later phases (Assess, Align, Plan, Share, Iterate) grow `Initiative` and hang their own rows
off `Roadmap` and `Cycle`; every row carries its organisation so scoping stays one filter.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from roadmap_site.dates import add_months
from roadmap_site.models import Organization, OrgManager, OrgOwned, OrgQuerySet, Person
from roadmap_site.ordering import move_among

if TYPE_CHECKING:
    from strategy.models import PriorityQuerySet


__all__ = [
    "COMMITMENT_FIELDS",
    "COMMITTED_STATUSES",
    "SCHEDULE_NEUTRAL_FIELDS",
    "Approach",
    "Cycle",
    "CycleQuerySet",
    "DeliveryMedium",
    "Initiative",
    "InitiativeQuerySet",
    "InitiativeStatus",
    "JustificationRequired",
    "Roadmap",
    "RoadmapQuerySet",
    "Sequence",
]


class RoadmapQuerySet(OrgQuerySet):
    def with_counts(self) -> RoadmapQuerySet:
        return self.annotate(initiative_count=models.Count("initiatives", distinct=True))


class Roadmap(OrgOwned):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    fiscal_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the fiscal year ends in (FY27 → 2027)."
    )
    period_start = models.DateField()
    period_end = models.DateField()
    # Plan: what the initiatives' planned budgets are held against, cycle by cycle.
    budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message="A budget cannot be negative.")],
        help_text="The year's L&D budget for this roadmap, in your currency.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every write of what its pages show (`touch`): part of the cache keys of its
    # share page and timeline (roadmap_site/cache.py).
    version = models.PositiveIntegerField(default=0, editable=False)
    # Bumped with `version` by every write that may change the schedule (stages, their
    # dependencies, an initiative's cycle or status, capacity, SMEs): the key of the plan's
    # cached rows and rule answers (roadmap.plan_data.load_plan). A write that changes only
    # words (a renamed initiative) leaves it, so the Plan pages do not reload 3,000 stages.
    schedule_version = models.PositiveIntegerField(default=0, editable=False)
    # Iterate: when the last quarterly review was run (roadmap.iterate.run_review).
    last_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar = OrgManager.from_queryset(RoadmapQuerySet)()

    class Meta:
        ordering = ["-fiscal_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="roadmap_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="roadmap_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def touch(self, *, schedule: bool = True) -> None:
        """Something the roadmap's pages show changed: their cached copies are rebuilt on
        the next view. Call it from the code that writes, in its transaction.

        `schedule=False` only from a write known to leave every input of the planning rules
        alone (see `Initiative.SCHEDULING_FIELDS`): the plan's cached schedule is kept."""
        if schedule:
            Roadmap.objects.filter(pk=self.pk).update(
                version=models.F("version") + 1,
                schedule_version=models.F("schedule_version") + 1,
            )
            self.schedule_version += 1
        else:
            Roadmap.objects.filter(pk=self.pk).update(version=models.F("version") + 1)
        self.version += 1

    @property
    def fiscal_year_label(self) -> str:
        return f"FY{self.fiscal_year % 100:02d}"

    def strategy_priorities(self) -> PriorityQuerySet:
        """The business priorities of the strategy for the roadmap's fiscal year, by rank."""
        from strategy.models import Priority

        return (
            Priority.objects.for_org(self.org)
            .filter(strategy__fiscal_year=self.fiscal_year)
            .ranked()
        )

    @classmethod
    def create_for_year(
        cls, *, org: Organization, title: str, fiscal_year: int, **fields
    ) -> Roadmap:
        """A roadmap over one fiscal year, split into its four quarters."""
        start, end = org.fiscal_year_bounds(fiscal_year)
        with transaction.atomic():
            roadmap = cls.objects.create(
                org=org,
                title=title,
                fiscal_year=fiscal_year,
                period_start=start,
                period_end=end,
                **fields,
            )
            roadmap.create_quarters()
        return roadmap

    def create_quarters(self) -> list[Cycle]:
        cycles = []
        for quarter in range(4):
            start = add_months(self.period_start, 3 * quarter)
            cycles.append(
                Cycle(
                    org=self.org,
                    roadmap=self,
                    name=f"Q{quarter + 1} {self.fiscal_year_label}",
                    start=start,
                    end=add_months(start, 3) - timedelta(days=1),
                    position=quarter,
                )
            )
        return Cycle.objects.bulk_create(cycles)


class CycleQuerySet(OrgQuerySet):
    def starting_after(self, day: date) -> CycleQuerySet:
        """Cycles still to come on `day`: the only ones a request can be deferred to."""
        return self.filter(start__gt=day)


class Cycle(OrgOwned):
    """A slice of a roadmap's period (a quarter by default), named as the business names it.

    "Today" for a cycle is `timezone.localdate()`: organisations have no time zone of their
    own, so the site's (`TIME_ZONE`) is the organisation's."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(max_length=50)
    start = models.DateField()
    end = models.DateField()
    position = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar = OrgManager.from_queryset(CycleQuerySet)()

    class Meta:
        ordering = ["roadmap", "position", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "name"], name="cycle_name_unique_in_roadmap"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="cycle_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def starts_after(self, day: date) -> bool:
        return self.start > day


class Approach(models.TextChoices):
    BUILD = "build", "Build"
    REUSE = "reuse", "Reuse"
    BUY = "buy", "Buy"


class DeliveryMedium(models.TextChoices):
    VIDEO = "video", "Video"
    ELEARNING = "elearning", "E-learning"
    WORKSHOP = "workshop", "Live workshop"
    COHORT = "cohort", "Cohort programme"
    COACHING = "coaching", "Coaching"
    JOB_AID = "job_aid", "Job aid"
    ON_THE_JOB = "on_the_job", "On-the-job"


class Sequence(models.TextChoices):
    """Within its cycle: what happens first, and what can wait."""

    NOW = "now", "Now"
    NEXT = "next", "Next"
    LATER = "later", "Later"


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    COMMITTED = "committed", "Committed"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    STOPPED = "stopped", "Stopped"


# Once committed, these need a written business justification to change (Align).
COMMITMENT_FIELDS = {
    "cycle": "cycle",
    "owner": "owner",
    "accountable": "accountable leader",
    "problem": "scope",
    "audience": "scope",
    "audience_size": "scope",
    "budget": "resources",
    "people": "resources",
    "days": "resources",
}
COMMITTED_STATUSES = ("committed", "in_progress", "delivered")
# Fields of an initiative no planning rule reads (roadmap.plan_data.load_plan caches the
# schedule under `Roadmap.schedule_version`): changing only these leaves the schedule. The
# rules read an initiative's cycle and status; a field missing here (its owner, sequence and
# position included, to be safe) bumps the schedule.
SCHEDULE_NEUTRAL_FIELDS = frozenset(
    {
        "title", "problem", "audience", "audience_size", "tradeoffs", "approach", "reuses",
        "delivery_media", "budget", "people", "days", "priority", "kpi",
    }
)  # fmt: skip


class JustificationRequired(ValidationError):
    pass


class InitiativeQuerySet(OrgQuerySet):
    def with_people(self) -> InitiativeQuerySet:
        return self.select_related("owner", "accountable", "cycle")

    def in_cycle(self, cycle: Cycle) -> InitiativeQuerySet:
        return self.filter(cycle=cycle)

    def status_counts(self) -> dict[tuple[int | None, str], int]:
        """How many initiatives per (cycle id, status), counted by the database."""
        rows = self.order_by().values_list("cycle_id", "status").annotate(n=models.Count("pk"))
        return {(cycle_id, status): n for cycle_id, status, n in rows}

    def committed(self) -> InitiativeQuerySet:
        return self.filter(status__in=COMMITTED_STATUSES)

    def for_ledger(self) -> InitiativeQuerySet:
        return self.with_people().select_related("priority", "kpi")


class Initiative(OrgOwned):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    problem = models.TextField(
        "problem it solves", blank=True, help_text="What problem are we solving, for whom?"
    )
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_initiatives",
        help_text="Who does the work (L&D).",
    )
    accountable = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountable_initiatives",
        verbose_name="accountable leader",
        help_text="The business leader who owns the outcome.",
    )
    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.PROTECT, related_name="initiatives"
    )
    status = models.CharField(
        max_length=20, choices=InitiativeStatus.choices, default=InitiativeStatus.PROPOSED
    )
    # Align: what it serves, for whom, with what, at what cost, and how we will know.
    priority = models.ForeignKey(
        "strategy.Priority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
        verbose_name="priority it serves",
    )
    audience = models.CharField(max_length=200, blank=True, help_text="Who it is for.")
    audience_size = models.PositiveIntegerField(null=True, blank=True)
    budget = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="In your currency."
    )
    people = models.PositiveSmallIntegerField(
        "people", null=True, blank=True, help_text="How many people work on it."
    )
    days = models.PositiveIntegerField(
        "person-days", null=True, blank=True, help_text="The effort committed."
    )
    tradeoffs = models.TextField(
        blank=True, help_text="What we give up or delay to do this, and why."
    )
    kpi = models.ForeignKey(
        "measurement.Kpi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
        verbose_name="KPI that shows success",
    )
    # Plan: how it is made and delivered, and where it sits in its cycle. Changing these
    # needs no justification; the budget above (resources) still does once committed.
    approach = models.CharField(
        "build, reuse or buy", max_length=10, choices=Approach.choices, blank=True
    )
    reuses = models.CharField(
        "what is reused", max_length=300, blank=True, help_text="Existing content, vendor, …"
    )
    # A list of DeliveryMedium values, validated by the plan form's MultipleChoiceField.
    delivery_media = models.JSONField("delivery media", default=list, blank=True)
    sequence = models.CharField(
        max_length=10, choices=Sequence.choices, default=Sequence.NOW, help_text="Within its cycle."
    )
    # The order within its cycle (and sequence group), moved up and down on the Plan page.
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # The change log: who, when, before/after (diff of two records) and why (the reason).
    # Set before a save to date its history row (simple_history reads it; no type hints).
    _history_date: datetime
    history = HistoricalRecords(
        excluded_fields=["position", "updated_at"],
        history_change_reason_field=models.TextField(null=True),
        related_name="changes",
    )

    objects: ClassVar = OrgManager.from_queryset(InitiativeQuerySet)()

    class Meta:
        ordering = [models.F("cycle__position").asc(nulls_last=True), "position", "pk"]
        indexes = [
            # The roadmap page lists a roadmap's initiatives by cycle.
            models.Index(fields=["roadmap", "cycle"], name="initiative_roadmap_cycle"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # The people and cycle must come from the same organisation and roadmap.
        for field in ("owner", "accountable"):
            person = getattr(self, field)
            if person is not None and person.org_id != self.org_id:
                raise ValidationError({field: "Choose someone from this organisation."})
        if self.cycle is not None and self.cycle.roadmap_id != self.roadmap_id:
            raise ValidationError({"cycle": "Choose a cycle of this roadmap."})

    @property
    def is_committed(self) -> bool:
        return self.status in COMMITTED_STATUSES

    @property
    def delivery_media_labels(self) -> list[str]:
        labels = dict(DeliveryMedium.choices)
        return [labels.get(value, value) for value in self.delivery_media or []]

    def move(self, *, up: bool) -> bool:
        """Swap places with the neighbour above or below in its cycle and sequence group
        (now, next, later); False at either end. Positions are renumbered under a row
        lock first, so ties left by older rows never make a move a no-op."""
        siblings = Initiative.objects.filter(
            # cycle_id=None is IS NULL, which django-stubs does not allow for.
            roadmap_id=self.roadmap_id,
            cycle_id=self.cycle_id,  # type: ignore[misc]
            sequence=self.sequence,
        ).order_by("position", "pk")
        moved = move_among(self, siblings, field="position", up=up)
        if moved:
            self.roadmap.touch()
        return moved

    def shift_stages(self, *, days: int, first_start: date, by, reason: str) -> int:
        """Move every stage `days` later (earlier when negative), both ends, in one
        transaction, recorded in the change log with `reason`. Returns how many moved.

        `first_start` is the first stage's start the shift was worked out from: when the
        stages have moved since (a second click, another member), nothing is shifted and
        `ValidationError` says so.
        """
        delta = timedelta(days=days)
        with transaction.atomic():
            locked = Initiative.objects.select_for_update().get(pk=self.pk)
            stages = list(locked.stages.select_for_update().order_by("start", "pk"))
            if not stages or stages[0].start != first_start:
                raise ValidationError(
                    "The stages have moved since the page was shown: nothing was shifted."
                )
            for stage in stages:
                stage.start += delta
                stage.end += delta
            locked.stages.bulk_update(stages, ["start", "end"])
            # A history record without field changes: the change log shows its reason.
            locked._history_user = by
            locked._change_reason = reason
            locked.save(update_fields=["updated_at"])
            self.roadmap.touch()
        return len(stages)

    def needs_justification(self, changed: set[str], new_status: str | None = None) -> bool:
        """A committed initiative's cycle, people, scope or resources change only with a
        written business justification; so does taking it back to "proposed"."""
        if not self.is_committed:
            return False
        if new_status == InitiativeStatus.PROPOSED:
            return True
        return bool(changed & COMMITMENT_FIELDS.keys())

    def change(self, *, by, justification: str = "", **values) -> list[str]:
        """Change fields, recorded in the change log with who, when and why.

        Raises `JustificationRequired` (nothing saved) when a commitment changes without a
        justification. Returns the names of the fields that changed.
        """
        changed = [name for name, value in values.items() if getattr(self, name) != value]
        if not changed:
            return []
        justification = justification.strip()
        if not justification and self.needs_justification(set(changed), values.get("status")):
            raise JustificationRequired(
                {"justification": "This initiative is committed: say why it changes."}
            )
        for name in changed:
            setattr(self, name, values[name])
        self.full_clean(exclude=["org", "roadmap"])
        self._history_user = by
        self._change_reason = justification or None
        self.save()
        self.roadmap.touch(schedule=not SCHEDULE_NEUTRAL_FIELDS.issuperset(changed))
        return changed
