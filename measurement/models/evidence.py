"""Kirkpatrick evidence entered by hand: a quiz result, an observed behaviour, a business
figure, each at its level (1 reaction to 4 results) for one program.

The chain view (measurement/chain.py) puts these beside what is computed (survey responses,
KPIs, ROI lines) and says which levels have nothing yet.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from measurement.models.kpis import EvidenceLevel, Kpi
from measurement.models.programs import Program
from roadmap_site.models import OrgManager, OrgOwned

# Levels 1 to 4; Phillips' level 5 is the ROI working itself, not a note.
KIRKPATRICK_LEVELS = [(level.value, level.label) for level in EvidenceLevel if level <= 4]


class Evidence(OrgOwned):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="evidence")
    level = models.PositiveSmallIntegerField(choices=KIRKPATRICK_LEVELS)
    summary = models.CharField(max_length=300, help_text="What was seen or measured, in a line.")
    kpi = models.ForeignKey(
        Kpi,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
        verbose_name="KPI",
        help_text="The KPI it moves, if any.",
    )
    recorded_on = models.DateField()
    link = models.URLField(blank=True, help_text="Where the evidence can be read.")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager()

    class Meta:
        ordering = ["program", "level", "-recorded_on", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="evidence_level_1_to_4"
            ),
            models.UniqueConstraint(
                fields=["program", "level", "summary"], name="one_evidence_per_level_and_summary"
            ),
        ]

    def __str__(self) -> str:
        return self.summary
