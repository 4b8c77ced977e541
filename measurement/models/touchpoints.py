"""Leadership alignment's evidence: touchpoints with senior stakeholders.

A touchpoint is a meeting in one of the business's forums (a budget cycle, workforce
planning, a performance review…) where a senior stakeholder and L&D talked about the
roadmap. The figures count, per fiscal quarter, which seniors had at least one.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet, Person


class Forum(models.TextChoices):
    BUDGET_CYCLE = "budget_cycle", "Budget cycle"
    WORKFORCE_PLANNING = "workforce_planning", "Workforce planning"
    PERFORMANCE_REVIEW = "performance_review", "Performance review"
    BUSINESS_REVIEW = "business_review", "Business review"
    ROADMAP_REVIEW = "roadmap_review", "Roadmap review"
    OTHER = "other", "Other"


class TouchpointQuerySet(OrgQuerySet):
    def between(self, start: date, end: date) -> TouchpointQuerySet:
        """Touchpoints from `start` to `end`, both days included."""
        return self.filter(date__gte=start, date__lte=end)


class Touchpoint(OrgOwned):
    date = models.DateField()
    stakeholder = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="touchpoints",
        verbose_name="senior stakeholder",
    )
    forum = models.CharField(max_length=30, choices=Forum.choices)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(TouchpointQuerySet)()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            # The natural key imports upsert on: one touchpoint per senior, day and forum.
            models.UniqueConstraint(
                fields=["org", "stakeholder", "date", "forum"], name="touchpoint_natural_key"
            ),
        ]
        indexes = [
            # The alignment page and the alert rule read a quarter's touchpoints.
            models.Index(fields=["org", "date"], name="touchpoint_org_date"),
        ]

    def __str__(self) -> str:
        return f"{self.stakeholder} · {self.get_forum_display()} · {self.date}"
