"""Phillips ROI lines: monetary benefits (with where each figure comes from, the share
attributed to the program and the estimator's confidence) and fully loaded costs.

The working (adjusted benefits, ROI %, BCR) is done in measurement/roi.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from measurement.models.programs import Program
from roadmap_site.models import OrgManager, OrgOwned

SHARE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]


class RoiBenefit(OrgOwned):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="roi_benefits")
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(
        max_length=200, help_text="Where the figure comes from: a report, a system, an estimate."
    )
    isolation = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        validators=SHARE,
        help_text="The share of the benefit attributed to the program, 0 to 1.",
    )
    confidence = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        validators=SHARE,
        help_text="How sure the estimator is of the figure, 0 to 1.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager()

    class Meta:
        ordering = ["program", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "description"], name="one_roi_benefit_per_description"
            ),
            models.CheckConstraint(
                condition=models.Q(isolation__gte=0, isolation__lte=1),
                name="roi_benefit_isolation_0_to_1",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1),
                name="roi_benefit_confidence_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def adjusted(self) -> Decimal:
        """The benefit the program may claim: amount * isolation * confidence."""
        return self.amount * self.isolation * self.confidence


class CostCategory(models.TextChoices):
    """What a fully loaded cost is made of (Phillips)."""

    DESIGN = "design", "Design and development"
    DELIVERY = "delivery", "Delivery"
    PARTICIPANT_TIME = "participant_time", "Participants' time"
    OVERHEAD = "overhead", "Overhead"
    OTHER = "other", "Other"


class RoiCost(OrgOwned):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="roi_costs")
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager()

    class Meta:
        ordering = ["program", "category", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "category", "description"],
                name="one_roi_cost_per_category_and_description",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="roi_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description
