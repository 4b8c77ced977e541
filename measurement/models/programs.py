"""A program: an initiative as measurement sees it.

Learner activity, eligible learners, survey responses, ROI lines and Kirkpatrick evidence
all hang off a program, so the measurement app holds them without importing the roadmap
(imports run roadmap → strategy → measurement → core). The initiative is referenced by
name only, and an initiative gets its program when someone first measures it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet

# What counts as taking part unless the team says otherwise (xAPI verbs' last segment).
DEFAULT_QUALIFYING_EVENTS = ["launched", "attempted", "experienced", "completed", "passed"]


class ProgramQuerySet(OrgQuerySet):
    def with_month(self, month: date) -> ProgramQuerySet:
        """Each program with `month_active_learners` and `month_eligible` of `month` (None
        when the month has no row): two left joins on the rollup and the eligible counts,
        each unique per program and month, so one query however many programs."""
        return self.annotate(
            rollup=FilteredRelation("months", condition=Q(months__month=month)),
            entered=FilteredRelation("eligible", condition=Q(eligible__month=month)),
            month_active_learners=F("rollup__active_learners"),
            month_eligible=F("entered__count"),
        )

    def for_initiative(self, initiative: Any) -> Program:
        """The initiative's program, created on first use."""
        program, _ = Program.objects.get_or_create(
            initiative=initiative,
            defaults={"org_id": initiative.org_id},
        )
        return program


class Program(OrgOwned):
    initiative = models.OneToOneField(
        "roadmap.Initiative", on_delete=models.CASCADE, related_name="program"
    )
    qualifying_events = models.JSONField(
        "events that count as active",
        default=list,
        blank=True,
        help_text="Event types (xAPI verbs) that make a learner active in a month.",
    )
    completion_event = models.CharField(
        max_length=50,
        default="completed",
        help_text="The event type that means a learner finished; completion rate counts it.",
    )
    decline_share = models.DecimalField(
        "decline alert threshold",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.200"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text="A fall in the active-learner rate larger than this share in one month "
        "raises an alert (as does a fall two months running).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(ProgramQuerySet)()

    class Meta:
        ordering = ["initiative__title"]

    def __str__(self) -> str:
        return str(self.initiative)

    def clean(self) -> None:
        if self.initiative_id and self.initiative.org_id != self.org_id:
            raise ValidationError("The initiative belongs to another organisation.")

    @property
    def qualifying(self) -> list[str]:
        return list(self.qualifying_events or DEFAULT_QUALIFYING_EVENTS)
