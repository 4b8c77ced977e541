"""Survey responses in, NPS out.

NPS = % promoters (9 or 10) - % detractors (0 to 6) over all respondents, from -100 to +100.
It always comes with n and a 95 % margin of error. Each response scores +1 (promoter),
0 (passive) or -1 (detractor); with p and d the shares of promoters and detractors, the
variance of those scores is p + d - (p - d)^2, and the margin is 1.96 * sqrt(var / n) * 100
points. Fewer than 30 responses are labelled a small sample. NPS of several programs is
pooled from their counts (so each program weighs by its n), never averaged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db import models, transaction

from measurement.models import Program, SurveyResponse
from roadmap_site.cache import bump_org
from roadmap_site.models import Organization

SMALL_SAMPLE = 30
NPS_RULE = (
    "NPS = % promoters (9–10) − % detractors (0–6) over all respondents, from −100 to +100. "  # noqa: RUF001 (shown to readers)
    "The margin of error (95 %) is 1.96 × √(variance ÷ n) × 100, where the variance of the "  # noqa: RUF001 (shown to readers)
    "+1/0/−1 scores is p + d − (p − d)² (p, d: the shares of promoters and detractors). "  # noqa: RUF001 (shown to readers)
    f"Fewer than {SMALL_SAMPLE} responses are a small sample."
)
PROMOTER = models.Q(score__gte=9)
DETRACTOR = models.Q(score__lte=6)


@dataclass(frozen=True)
class Nps:
    """The counts behind an NPS; everything else follows from them."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> Decimal | None:
        """-100 to +100; None with no responses (nothing to say yet, not an error)."""
        if not self.n:
            return None
        return Decimal((self.promoters - self.detractors) * 100) / Decimal(self.n)

    @property
    def margin(self) -> Decimal | None:
        """The 95 % margin of error, in NPS points."""
        if not self.n:
            return None
        p, d = self.promoters / self.n, self.detractors / self.n
        variance = max(p + d - (p - d) ** 2, 0.0)  # never below 0, whatever the rounding
        return Decimal(str(1.96 * math.sqrt(variance / self.n) * 100))

    @property
    def small_sample(self) -> bool:
        return 0 < self.n < SMALL_SAMPLE

    @property
    def display(self) -> str:
        """How the figure reads: "+38 (n = 48, ± 21)" or "no responses yet"."""
        if self.score is None or self.margin is None:
            return "no responses yet"
        rounded = self.score.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        figure = f"{rounded:+}" if rounded else "0"  # no "+0" or "-0"
        return f"{figure} (n = {self.n}, ± {self.margin:.0f})"

    @property
    def note(self) -> str:
        if not self.n:
            return "no responses yet"
        return "small sample" if self.small_sample else ""

    def __add__(self, other: Nps) -> Nps:
        return Nps(
            self.promoters + other.promoters,
            self.passives + other.passives,
            self.detractors + other.detractors,
        )


def pooled(results: Iterable[Nps]) -> Nps:
    """Several programs' NPS as one: their counts added, so each weighs by its n."""
    return sum(results, Nps())


def _counts() -> dict[str, models.Count]:
    return {
        "promoters": models.Count("pk", filter=PROMOTER),
        "passives": models.Count("pk", filter=~PROMOTER & ~DETRACTOR),
        "detractors": models.Count("pk", filter=DETRACTOR),
    }


def nps(responses: models.QuerySet[SurveyResponse]) -> Nps:
    """The NPS of these responses (a program's, an organisation's…), counted in SQL."""
    return Nps(**responses.aggregate(**_counts()))


def nps_by_program(responses: models.QuerySet[SurveyResponse]) -> dict[int, Nps]:
    """Each program's NPS from one grouped query; programs without responses are absent."""
    # The plugin types the rows by the model's fields and cannot see the annotations.
    rows = cast(
        "Iterable[dict[str, int]]",
        responses.order_by().values("program_id").annotate(**_counts()),
    )
    return {
        row["program_id"]: Nps(row["promoters"], row["passives"], row["detractors"]) for row in rows
    }


def distribution(responses: models.QuerySet[SurveyResponse]) -> list[int]:
    """How many responses gave each score, 0 to 10 (index = score)."""
    counts = [0] * 11
    for row in responses.order_by().values("score").annotate(count=models.Count("pk")):
        counts[row["score"]] = row["count"]
    return counts


def parse_score(score: int | str) -> int:
    """A whole number from 0 to 10, or a ValidationError that says what was wrong."""
    if isinstance(score, bool):
        raise ValidationError({"score": "The score must be a whole number from 0 to 10."})
    try:
        value = int(str(score).strip())
    except ValueError:
        raise ValidationError(
            {"score": f"The score must be a whole number from 0 to 10, not “{score}”."}
        ) from None
    if not 0 <= value <= 10:
        raise ValidationError({"score": f"The score must be from 0 to 10; {value} is outside."})
    return value


@transaction.atomic
def record_response(
    *,
    org: Organization,
    program: Program,
    score: int | str,
    responded_on: date,
    comment: str = "",
    respondent: str = "",
) -> tuple[SurveyResponse, bool]:
    """Record one response; returns (response, created).

    With a respondent key, the same respondent's response to the same program on the same
    day is updated instead of counted twice (an import run again changes nothing). Bad input
    raises ValidationError and writes nothing.
    """
    if program.org_id != org.pk:
        raise ValidationError("That program belongs to another organisation.")
    value = parse_score(score)
    respondent = respondent.strip()
    if len(respondent) > 100:
        raise ValidationError({"respondent": "The respondent key is at most 100 characters."})
    comment = comment.strip()
    if respondent:
        response, created = SurveyResponse.objects.select_for_update().get_or_create(
            program=program,
            respondent=respondent,
            responded_on=responded_on,
            defaults={"org": org, "score": value, "comment": comment},
        )
        if not created and (response.score, response.comment) == (value, comment):
            return response, False  # a repeat: nothing changes, nothing to rebuild
        if not created:
            response.score, response.comment = value, comment
            response.save(update_fields=["score", "comment"])
    else:
        response = SurveyResponse.objects.create(
            org=org, program=program, responded_on=responded_on, score=value, comment=comment
        )
        created = True
    bump_org(org)  # the dashboard's pooled NPS
    return response, created


@transaction.atomic
def remove_response(*, org: Organization, response: SurveyResponse) -> None:
    if response.org_id != org.pk:
        raise ValidationError("That response belongs to another organisation.")
    response.delete()
    bump_org(org)
