"""Iterate: decisions on evidence, and the quarterly review of the roadmap.

A `Decision` (keep, scale, revise, stop) keeps the evidence it rested on as a snapshot
(JSON of what the evidence panel showed), rendered later from the snapshot and never
recomputed. A `RoadmapReview` freezes the roadmap's state at the review; two of them are
what the roadmap diff compares (roadmap/iterate.py). The workflows that write them, with
the evidence and the diff, live in `roadmap/iterate.py`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from roadmap.models.core import Initiative, Roadmap
from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet

__all__ = ["Decision", "DecisionKind", "DecisionQuerySet", "RoadmapReview"]


class DecisionKind(models.TextChoices):
    """The article's four answers to "what do we change based on what we're seeing?"."""

    KEEP = "keep", "Keep"
    SCALE = "scale", "Scale"
    REVISE = "revise", "Revise"
    STOP = "stop", "Stop"


class RoadmapReview(OrgOwned):
    """One quarterly review of a roadmap: who held it, when, the fiscal quarter it covers,
    the notes, and the roadmap as it stood (`snapshot`, see `roadmap.iterate.snapshot`)."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="reviews")
    quarter_start = models.DateField(help_text="The first day of the fiscal quarter reviewed.")
    quarter_label = models.CharField(max_length=20)  # "Q3 FY27", as the business names it
    notes = models.TextField(blank=True)
    snapshot = models.JSONField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        indexes = [
            # The Iterate page lists a roadmap's reviews newest first; the diff reads the one
            # before a review.
            models.Index(fields=["roadmap", "reviewed_at"], name="review_roadmap_when"),
        ]

    def __str__(self) -> str:
        return f"{self.roadmap_id}: {self.quarter_label} review"

    def previous(self) -> RoadmapReview | None:
        """The review of the same roadmap just before this one."""
        return (
            RoadmapReview.objects.filter(roadmap_id=self.roadmap_id)
            .filter(
                models.Q(reviewed_at__lt=self.reviewed_at)
                | models.Q(reviewed_at=self.reviewed_at, pk__lt=self.pk)
            )
            .order_by("-reviewed_at", "-pk")
            .first()
        )


class DecisionQuerySet(OrgQuerySet):
    def latest_per_initiative(self) -> DecisionQuerySet:
        """Each initiative's newest decision among these: one query, a subquery per row."""
        newest = (
            Decision.objects.filter(initiative=models.OuterRef("initiative"))
            .order_by("-decided_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(newest))

    def pending(self) -> DecisionQuerySet:
        """Recorded since the last review: the next review takes them in."""
        return self.filter(review__isnull=True)


class Decision(OrgOwned):
    """Keep, scale, revise or stop one initiative, why, and what the team saw."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="decisions")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="decisions")
    # Set when the quarterly review that takes the decision in is run.
    review = models.ForeignKey(
        RoadmapReview,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    kind = models.CharField("decision", max_length=10, choices=DecisionKind.choices)
    rationale = models.TextField(help_text="Why, from the evidence.")
    learnings = models.TextField(
        blank=True, help_text="What we learned: kept on the roadmap when an initiative stops."
    )
    # Exactly what the evidence panel showed when the decision was made (roadmap.iterate).
    evidence = models.JSONField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(DecisionQuerySet)()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [
            # An initiative's decisions newest first (its page, the latest per initiative).
            models.Index(fields=["initiative", "decided_at"], name="decision_initiative_when"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="stop") | ~models.Q(learnings=""),
                name="decision_stop_keeps_learnings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.initiative_id}"
