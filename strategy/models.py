"""The strategy: a year's vision and positioning canvas, the business priorities it
commits to (each tied to a KPI and owned by the business), the maturity self-assessment,
and the listening sessions whose themes feed it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from measurement.models import Kpi
from roadmap_site.cache import bump_org
from roadmap_site.models import Organization, OrgManager, OrgOwned, OrgQuerySet, Person, User
from roadmap_site.ordering import move_among
from strategy import maturity


class StrategyQuerySet(OrgQuerySet):
    def for_year(self, fiscal_year: int) -> StrategyQuerySet:
        return self.filter(fiscal_year=fiscal_year)


class Strategy(OrgOwned):
    """One per organisation and fiscal year: the year's vision, canvas and priorities."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="strategies")
    fiscal_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the fiscal year ends in (FY27 → 2027)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(StrategyQuerySet)()

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["org", "fiscal_year"], name="one_strategy_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year_label} strategy"

    @property
    def fiscal_year_label(self) -> str:
        return f"FY{self.fiscal_year % 100:02d}"

    @property
    def period(self) -> tuple[date, date]:
        return self.org.fiscal_year_bounds(self.fiscal_year)

    @classmethod
    def start(cls, *, org: Organization, fiscal_year: int, created_by=None) -> Strategy:
        """A strategy with an empty answer to each canvas question, ready to edit in place."""
        with transaction.atomic():
            strategy = cls.objects.create(org=org, fiscal_year=fiscal_year, created_by=created_by)
            bulk_create_with_history(
                [
                    CanvasAnswer(org=org, strategy=strategy, question=question)
                    for question in Question
                ],
                CanvasAnswer,
                default_user=created_by,
            )
            bump_org(org)  # every strategy page links to the other years
        return strategy

    def answers_by_question(self) -> dict[str, CanvasAnswer]:
        return {answer.question: answer for answer in self.answers.select_related("updated_by")}


class Question(models.TextChoices):
    """The vision and the article's positioning exercise, borrowed from product."""

    VISION = "vision", "What is our vision for the year?"
    AUDIENCE = "audience", "Who is our target audience?"
    NEEDS = "needs", "What are their needs?"
    BENEFIT = "benefit", "What is the main benefit of our learning offering?"
    BELIEVE = "believe", "Why should our audience believe us?"


QUESTION_PROMPTS = {
    Question.VISION: "The point of view the positioning exercise leaves you with, in a sentence "
    "or two leaders can repeat.",
    Question.AUDIENCE: "Who, precisely, and how many? E.g. new hires in their first 90 days, "
    "and the managers who onboard them.",
    Question.NEEDS: "What they struggle with and need from L&D, in their words.",
    Question.BENEFIT: "The one outcome they get that they can't get elsewhere.",
    Question.BELIEVE: "Evidence: results so far, who built it with you, the data you track.",
}


class CanvasAnswer(OrgOwned):
    """One answer of a strategy's canvas; a row of its own so each has its own history."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=20, choices=Question.choices)
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    # Set before a save to name its author outside a request (simple_history reads it; it
    # ships no type hints).
    _history_user: User | None
    history = HistoricalRecords(related_name="revisions")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "question"], name="one_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.strategy}: {self.get_question_display()}"

    @property
    def prompt(self) -> str:
        return QUESTION_PROMPTS[Question(self.question)]

    def revise(self, text: str, *, by) -> bool:
        """Change the answer; False (and no history entry) when nothing changed."""
        text = text.strip()
        if text == self.text:
            return False
        with transaction.atomic():
            self.text, self.updated_by, self.updated_at = text, by, timezone.now()
            self.save(update_fields=["text", "updated_by", "updated_at"])
            bump_org(self.org)  # the strategy page and the roadmaps show the answers
        return True


class PriorityQuerySet(OrgQuerySet):
    def ranked(self) -> PriorityQuerySet:
        return self.order_by("rank", "pk")

    def with_kpi(self) -> PriorityQuerySet:
        """Priorities with their owner and KPI, the KPI with what its status needs (first
        and latest values, from SQL): a fixed number of queries however many priorities
        and values."""
        from measurement.models import Kpi

        return self.select_related("business_owner").prefetch_related(
            models.Prefetch("kpi", queryset=Kpi.objects.with_status())
        )


class Priority(OrgOwned):
    """A capability gap the business must close: the business owns it, L&D helps close it."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    capability = models.CharField(
        "capability to build",
        max_length=200,
        help_text="What the business must be able to do, e.g. “Keep and grow mid-level managers”.",
    )
    problem = models.TextField(
        "the problem behind it",
        help_text="In the business's words: “we're struggling to retain mid-level managers”.",
    )
    business_owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="owned_priorities",
        help_text="The business leader who owns the gap.",
    )
    kpi = models.ForeignKey(
        Kpi,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="priorities",
        verbose_name="business KPI",
        help_text="The business metric this priority will move; it holds baseline, target, date.",
    )
    rank = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(PriorityQuerySet)()

    class Meta:
        ordering = ["strategy", "rank", "pk"]
        verbose_name_plural = "priorities"
        indexes = [
            # The strategy page and one-pager list a strategy's priorities by rank.
            models.Index(fields=["strategy", "rank"], name="priority_strategy_rank"),
        ]

    def __str__(self) -> str:
        return self.capability

    def clean(self) -> None:
        if self.business_owner_id and self.business_owner.org_id != self.org_id:
            raise ValidationError({"business_owner": "Choose someone from this organisation."})
        if self.kpi is not None and self.kpi.org_id != self.org_id:
            raise ValidationError({"kpi": "Choose a KPI of this organisation."})

    @property
    def missing(self) -> list[str]:
        """Why the priority is incomplete: leaders can't judge it without these."""
        if self.kpi is None:
            return ["no KPI"]
        if not self.kpi.has_target:
            return ["the KPI has no target"]
        return []

    @property
    def is_complete(self) -> bool:
        return not self.missing

    def move(self, *, up: bool) -> bool:
        """Swap rank with the neighbour above or below; False at either end.

        Ranks are renumbered 1..n under a row lock first, so gaps or ties left by older
        rows never make a move a no-op.
        """
        siblings = Priority.objects.filter(strategy_id=self.strategy_id).ranked()
        return move_among(self, siblings, field="rank", up=up, start=1)

    @classmethod
    def next_rank(cls, strategy: Strategy) -> int:
        last = strategy.priorities.aggregate(models.Max("rank"))["rank__max"]
        return (last or 0) + 1


# Maturity ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionResult:
    dimension: maturity.Dimension
    level: maturity.Level
    previous: maturity.Level | None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.level.number - self.previous.number

    @property
    def descriptor(self) -> str:
        return self.dimension.descriptor(self.level.number)


class MaturityAssessmentQuerySet(OrgQuerySet):
    def latest_first(self) -> MaturityAssessmentQuerySet:
        return self.select_related("taken_by").order_by("-taken_on", "-pk")


class MaturityAssessment(OrgOwned):
    """A self-diagnostic: the level the team places itself at on each dimension.

    Levels are stored by dimension key; the descriptors live in `strategy.maturity`.
    """

    taken_on = models.DateField(default=timezone.localdate)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    levels = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(MaturityAssessmentQuerySet)()

    class Meta:
        ordering = ["-taken_on", "-pk"]
        indexes = [
            # The maturity page lists an organisation's assessments newest first.
            models.Index(fields=["org", "-taken_on"], name="assessment_org_taken_on"),
        ]

    def __str__(self) -> str:
        return f"Maturity self-assessment of {self.taken_on}"

    def clean(self) -> None:
        unknown = set(self.levels) - set(maturity.DIMENSION_BY_KEY)
        bad = [k for k, v in self.levels.items() if v not in maturity.LEVEL_BY_NUMBER]
        if unknown or bad:
            raise ValidationError("Each dimension needs a level from 1 to 4.")

    @property
    def score(self) -> Decimal:
        return maturity.overall_score(self.levels)

    @property
    def overall(self) -> maturity.Level | None:
        return maturity.overall_level(self.levels)

    def results(self, previous: MaturityAssessment | None = None) -> list[DimensionResult]:
        before = previous.levels if previous is not None else {}
        return [
            DimensionResult(
                dimension=d,
                level=maturity.LEVEL_BY_NUMBER[self.levels[d.key]],
                previous=maturity.LEVEL_BY_NUMBER.get(before[d.key]) if d.key in before else None,
            )
            for d in maturity.DIMENSIONS
            if d.key in self.levels
        ]

    def next_moves(self) -> list[tuple[maturity.Dimension, maturity.Level, str]]:
        """For the weakest dimensions, the move that takes each one level up."""
        return [
            (dimension, maturity.LEVEL_BY_NUMBER[level], dimension.next_move(level) or "")
            for dimension, level in maturity.weakest(self.levels)
        ]

    def previous(self) -> MaturityAssessment | None:
        """The organisation's assessment just before this one (by date, then by id), to
        compare with; None for the first."""
        return (
            MaturityAssessment.objects.filter(org_id=self.org_id)
            .latest_first()
            .filter(taken_on__lte=self.taken_on)
            .exclude(pk=self.pk)
            .exclude(taken_on=self.taken_on, pk__gt=self.pk)
            .first()
        )

    def score_change(self, previous: MaturityAssessment | None) -> Decimal | None:
        return None if previous is None else self.score - previous.score


# Listening sessions and themes --------------------------------------------------------


class ListeningSessionQuerySet(OrgQuerySet):
    def latest_first(self) -> ListeningSessionQuerySet:
        return self.select_related("person").order_by("-held_on", "-pk")


class ListeningSession(OrgOwned):
    """Notes from a conversation with an HR business partner or a department head."""

    held_on = models.DateField("date", default=timezone.localdate)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="listening_sessions",
        verbose_name="who",
    )
    department = models.CharField(max_length=150, blank=True)
    struggling = models.TextField("where performance is struggling")
    evidence = models.TextField("the data that supports it", blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(ListeningSessionQuerySet)()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} on {self.held_on}"

    def clean(self) -> None:
        if self.person_id and self.person.org_id != self.org_id:
            raise ValidationError({"person": "Choose someone from this organisation."})

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.struggling, self.evidence, self.notes) if part)

    def quote_for(self, phrase: str) -> str | None:
        """The sentence of the notes that mentions the phrase, or None."""
        pattern = phrase_pattern(phrase)
        for sentence in split_sentences(self.text):
            if pattern.search(sentence):
                return sentence
        return None


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Whole words, any case, any spacing or hyphen between them, an optional plural s."""
    words = [re.escape(word) for word in re.split(r"[\s\-]+", phrase.strip()) if word]
    return re.compile(r"\b" + r"[\s\-]+".join(words) + r"s?\b", re.IGNORECASE)


class ThemeQuerySet(OrgQuerySet):
    def with_mentions(self) -> ThemeQuerySet:
        return self.prefetch_related(
            models.Prefetch(
                "mentions",
                queryset=ThemeMention.objects.select_related("session__person").order_by(
                    "-session__held_on", "pk"
                ),
            )
        ).order_by(Lower("name"))


class Theme(OrgOwned):
    """A need that recurs across listening sessions, accepted (and named) by the team."""

    name = models.CharField(max_length=150)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(ThemeQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "org", name="theme_name_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.name

    def counts_by_department(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for mention in self.mentions.all():
            department = mention.session.department or "No department"
            counts[department] = counts.get(department, 0) + 1
        return counts

    def attach(self, phrase: str, sessions: list[ListeningSession]) -> int:
        """Link the sessions whose notes mention the phrase, quoting the sentence."""
        existing = set(self.mentions.values_list("session_id", flat=True))
        mentions = []
        for session in sessions:
            quote = session.quote_for(phrase)
            if quote is not None and session.pk not in existing:
                mentions.append(
                    ThemeMention(org=self.org, theme=self, session=session, quote=quote)
                )
                existing.add(session.pk)
        ThemeMention.objects.bulk_create(mentions)
        return len(mentions)

    @transaction.atomic
    def merge_into(self, other: Theme) -> Theme:
        """Move this theme's quotes to `other` (one per session) and delete this theme."""
        if other.pk == self.pk or other.org_id != self.org_id:
            raise ValueError("Merge into another theme of the same organisation.")
        taken = set(other.mentions.values_list("session_id", flat=True))
        self.mentions.exclude(session_id__in=taken).update(theme=other)
        self.delete()
        return other


class ThemeMention(OrgOwned):
    """A listening session behind a theme, with the sentence that says so."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="mentions")
    session = models.ForeignKey(ListeningSession, on_delete=models.CASCADE, related_name="mentions")
    quote = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["theme", "session"], name="one_mention_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.theme}: {self.quote[:40]}"
