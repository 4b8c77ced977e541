"""Survey responses: one learner's 0 to 10 answer about a program, with an optional comment.

NPS and its margin of error are computed from these rows in SQL (measurement/surveys.py);
responses are written through `record_response`, which the imports of the next issue call too.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from measurement.models.programs import Program
from roadmap_site.models import OrgManager, OrgOwned


class SurveyResponse(OrgOwned):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="responses")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="How likely to recommend the program, 0 (not at all) to 10 (extremely).",
    )
    comment = models.TextField(blank=True)
    responded_on = models.DateField()
    # A pseudonymous key from the survey tool: a re-imported answer of the same respondent
    # on the same day replaces the first instead of counting twice. Empty: anonymous.
    respondent = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager()

    class Meta:
        ordering = ["-responded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=10), name="survey_score_0_to_10"
            ),
            models.UniqueConstraint(
                fields=["program", "respondent", "responded_on"],
                condition=~models.Q(respondent=""),
                name="one_response_per_respondent_and_day",
            ),
        ]
        indexes = [
            # The impact page: a program's responses newest first, paged.
            models.Index(fields=["program", "-responded_on"], name="response_program_date"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/10 on {self.responded_on}"
