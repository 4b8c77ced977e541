"""Assess: training requests, their score and triage; what we are not doing."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Ln
from django.utils import timezone

from roadmap import scoring
from roadmap.models.core import Cycle, Initiative, Roadmap
from roadmap_site.cache import bump_org
from roadmap_site.models import (
    Organization,
    OrgManager,
    OrgOwned,
    OrgQuerySet,
    hash_token,
    new_token,
)

# Assess: requests, their score and triage ------------------------------------------------


__all__ = [
    "OPEN_STATES",
    "TRANSITIONS",
    "AssessSettings",
    "EvidenceKind",
    "GapKind",
    "NotDoing",
    "NotDoingQuerySet",
    "RequestSource",
    "RiceImpact",
    "Scorer",
    "ScoringModel",
    "TrainingRequest",
    "TrainingRequestQuerySet",
    "TrainingRequestState",
    "TransitionRefused",
]


class ScoringModel(models.TextChoices):
    WEIGHTED = "weighted", "Weighted score (alignment, evidence, reach, urgency, fit, effort)"
    RICE = "rice", "RICE (reach × impact × confidence ÷ effort)"  # noqa: RUF001


class AssessSettings(models.Model):
    """Per organisation: how requests are scored, and whether the public intake is open.

    A missing row means the defaults (`for_org` returns an unsaved one), so reading a page
    never writes.
    """

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    scoring_model = models.CharField(
        max_length=10, choices=ScoringModel.choices, default=ScoringModel.WEIGHTED
    )
    weight_alignment = models.PositiveSmallIntegerField(
        "alignment with a ranked priority", default=scoring.DEFAULT_WEIGHTS["alignment"]
    )
    weight_evidence = models.PositiveSmallIntegerField(
        "evidence strength", default=scoring.DEFAULT_WEIGHTS["evidence"]
    )
    weight_reach = models.PositiveSmallIntegerField(
        "reach (audience size)", default=scoring.DEFAULT_WEIGHTS["reach"]
    )
    weight_urgency = models.PositiveSmallIntegerField(
        "urgency", default=scoring.DEFAULT_WEIGHTS["urgency"]
    )
    weight_training_fit = models.PositiveSmallIntegerField(
        "training fit", default=scoring.DEFAULT_WEIGHTS["training_fit"]
    )
    weight_effort = models.PositiveSmallIntegerField(
        "effort (less is better)", default=scoring.DEFAULT_WEIGHTS["effort"]
    )
    intake_open = models.BooleanField(
        "public intake form open",
        default=False,
        help_text="Anyone with the form's address can send a request, without an account.",
    )
    # The form's address carries a secret (like a share link), stored hashed: a guessable
    # organisation slug would open the form, and the priorities, to anyone.
    intake_token_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    intake_shows_priorities = models.BooleanField(
        "show the business priorities on the form",
        default=False,
        help_text="Requesters pick the priority their request serves from your list of "
        "priorities; anyone with the form's address can then read their titles.",
    )
    intake_intro = models.TextField(
        "intake form introduction",
        blank=True,
        help_text="Shown above the public form: what L&D can help with, what happens next.",
    )

    objects: ClassVar = OrgManager.from_queryset(OrgQuerySet)()

    class Meta:
        verbose_name_plural = "assess settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight_alignment__lte=100)
                & models.Q(weight_evidence__lte=100)
                & models.Q(weight_reach__lte=100)
                & models.Q(weight_urgency__lte=100)
                & models.Q(weight_training_fit__lte=100)
                & models.Q(weight_effort__lte=100),
                name="assess_weights_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Assess settings of {self.org_id}"

    @classmethod
    def for_org(cls, org: Organization) -> AssessSettings:
        return cls.objects.filter(org=org).first() or cls(org=org)

    @property
    def weights(self) -> dict[str, int]:
        return {key: getattr(self, f"weight_{key}") for key in scoring.FACTORS}

    # The public intake form -------------------------------------------------------------

    def new_intake_address(self, token: str | None = None) -> str:
        """A new secret for the form's address; the previous address stops working.
        Returns the token, which is not stored and can be shown only now."""
        token = token or new_token()
        self.intake_token_hash = hash_token(token)
        self.save()
        return token

    def open_intake(self, token: str | None = None) -> str:
        """Open the public form at a new address (random unless given); returns its token."""
        self.intake_open = True
        return self.new_intake_address(token)

    @classmethod
    def find_open_intake(cls, token: str) -> AssessSettings | None:
        return (
            cls.objects.select_related("org")
            .filter(intake_open=True, intake_token_hash=hash_token(token))
            .first()
        )

    @property
    def has_intake_address(self) -> bool:
        return bool(self.intake_token_hash)


class TrainingRequestState(models.TextChoices):
    NEW = "new", "New"
    ASSESSING = "assessing", "Under assessment"
    COMMITTED = "committed", "Committed"
    DEFERRED = "deferred", "Deferred"
    DECLINED = "declined", "Declined"
    DUPLICATE = "duplicate", "Duplicate"


# Which states each decision may start from; everything else is refused.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assess": (
        TrainingRequestState.NEW,
        TrainingRequestState.DEFERRED,
        TrainingRequestState.DECLINED,
    ),
    "commit": (
        TrainingRequestState.NEW,
        TrainingRequestState.ASSESSING,
        TrainingRequestState.DEFERRED,
    ),
    "defer": (TrainingRequestState.NEW, TrainingRequestState.ASSESSING),
    "decline": (
        TrainingRequestState.NEW,
        TrainingRequestState.ASSESSING,
        TrainingRequestState.DEFERRED,
    ),
    "duplicate": (
        TrainingRequestState.NEW,
        TrainingRequestState.ASSESSING,
        TrainingRequestState.DEFERRED,
    ),
}
OPEN_STATES = (TrainingRequestState.NEW, TrainingRequestState.ASSESSING)


class TransitionRefused(ValidationError):
    pass


class GapKind(models.TextChoices):
    """Is training the fix? Only a knowledge or skill gap is."""

    UNKNOWN = "unknown", "Not assessed yet"
    KNOWLEDGE = "knowledge", "Knowledge or skill: training can fix it"
    PROCESS = "process", "Process"
    TOOLS = "tools", "Tools"
    INCENTIVES = "incentives", "Incentives"
    HIRING = "hiring", "Hiring"


class EvidenceKind(models.TextChoices):
    METRIC = "metric", "A business metric"
    STAKEHOLDER = "stakeholder", "Stakeholder input"
    NONE = "none", "No evidence yet"


class RequestSource(models.TextChoices):
    TEAM = "team", "Entered by the team"
    PUBLIC = "public", "Public intake form"
    MATURITY = "maturity", "Maturity assessment suggestion"
    LISTENING = "listening", "Listening-session theme"


class RiceImpact(models.TextChoices):
    MASSIVE = "3", "3 (massive)"
    HIGH = "2", "2 (high)"
    MEDIUM = "1", "1 (medium)"
    LOW = "0.5", "½ (low)"
    MINIMAL = "0.25", "¼ (minimal)"


class TrainingRequestQuerySet(OrgQuerySet):
    def for_list(self) -> TrainingRequestQuerySet:
        return self.select_related("priority", "deferred_to", "initiative", "duplicate_of")

    def in_state(self, state: str) -> TrainingRequestQuerySet:
        return self.filter(state=state)

    def serving(self, priority) -> TrainingRequestQuerySet:
        """The requests that name this business priority."""
        return self.filter(priority=priority)

    def from_department(self, department: str) -> TrainingRequestQuerySet:
        return self.filter(requester_department=department)

    def decided_between(self, first: date, last: date) -> TrainingRequestQuerySet:
        """Decided on a day from `first` to `last`, both included (local dates)."""
        return self.filter(decided_at__date__gte=first, decided_at__date__lte=last)

    def not_doing(self) -> TrainingRequestQuerySet:
        return self.filter(state__in=[TrainingRequestState.DECLINED, TrainingRequestState.DEFERRED])

    def departments(self) -> list[str]:
        return list(
            self.exclude(requester_department="")
            .order_by("requester_department")
            .values_list("requester_department", flat=True)
            .distinct()
        )


class TrainingRequest(OrgOwned):
    """A training request: from the team, or from the business through the public form.

    Decisions are methods (`assess`, `commit`, `defer`, `decline`, `mark_duplicate`), each
    refusing a state it may not start from; a deferral or decline carries a reason written
    for the requester, which their private status link shows.
    """

    title = models.CharField("what you ask for", max_length=200)
    problem = models.TextField(
        "the problem behind it", help_text="What is going wrong, for whom, and since when?"
    )
    audience = models.CharField(
        max_length=200, blank=True, help_text="Who would take part, e.g. new support agents."
    )
    audience_size = models.PositiveIntegerField(
        "audience size", null=True, blank=True, help_text="About how many people."
    )
    evidence_kind = models.CharField(
        "evidence", max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.NONE
    )
    evidence_metric = models.CharField(
        "business metric", max_length=150, blank=True, help_text="E.g. time to first deal."
    )
    evidence_value = models.CharField(
        "its value", max_length=100, blank=True, help_text="E.g. 5 months (target 3)."
    )
    evidence_notes = models.TextField(
        "stakeholder input or details", blank=True, help_text="Who said what, or where the data is."
    )
    priority = models.ForeignKey(
        "strategy.Priority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        verbose_name="priority it serves",
    )
    needed_by = models.DateField("needed by", null=True, blank=True)
    gap = models.CharField(
        "is training the fix?",
        max_length=20,
        choices=GapKind.choices,
        default=GapKind.UNKNOWN,
        help_text="A training answer to a process, tools, incentives or hiring problem fails.",
    )
    effort_days = models.PositiveIntegerField(
        "effort estimate (person-days)", null=True, blank=True
    )
    impact = models.CharField(
        "RICE impact", max_length=4, choices=RiceImpact.choices, default=RiceImpact.MEDIUM
    )
    requester_name = models.CharField("your name", max_length=150, blank=True)
    requester_email = models.EmailField("your e-mail", blank=True)
    requester_department = models.CharField("your department", max_length=150, blank=True)
    source = models.CharField(max_length=20, choices=RequestSource.choices, default="team")
    source_detail = models.CharField(max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    # The requester's private status link: only its SHA-256 is stored.
    status_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    state = models.CharField(max_length=20, choices=TrainingRequestState.choices, default="new")
    decision_reason = models.TextField(
        "reason for the requester",
        blank=True,
        help_text="Here's why we can't prioritize this now: the requester reads this.",
    )
    deferred_to = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.PROTECT, related_name="deferred_requests"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar = OrgManager.from_queryset(TrainingRequestQuerySet)()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            # The request list filters an organisation's requests by state.
            models.Index(fields=["org", "state"], name="request_org_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state__in=["deferred", "declined"])
                | ~models.Q(decision_reason=""),
                name="request_decision_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="deferred") | models.Q(deferred_to__isnull=False),
                name="request_deferred_has_cycle",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="duplicate") | models.Q(duplicate_of__isnull=False),
                name="request_duplicate_has_original",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.priority is not None and self.priority.org_id != self.org_id:
            raise ValidationError({"priority": "Choose a priority of this organisation."})

    # Scoring --------------------------------------------------------------------------

    def scoring_inputs(self, positions: dict[int, tuple[int, int]]) -> scoring.Inputs:
        """`positions` maps a priority id to (its position by rank, how many priorities)."""
        position, count = (None, 0)
        if self.priority_id is not None:
            position, count = positions.get(self.priority_id, (None, 0))
        return scoring.Inputs(
            priority_position=position,
            priority_count=count,
            evidence=self.evidence_kind,
            audience_size=self.audience_size,
            needed_by=self.needed_by,
            gap=self.gap,
            effort_days=self.effort_days,
            impact=self.impact_value,
        )

    @property
    def impact_value(self) -> Decimal:
        return Decimal(self.impact or "1")

    # Public status link ---------------------------------------------------------------

    def issue_status_token(self) -> str:
        token = new_token()
        self.status_token_hash = hash_token(token)
        self.save(update_fields=["status_token_hash"])
        return token

    @classmethod
    def find_by_status_token(cls, token: str) -> TrainingRequest | None:
        return (
            cls.objects.select_related("org", "deferred_to", "initiative__cycle", "duplicate_of")
            .filter(status_token_hash=hash_token(token))
            .first()
        )

    # Triage ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def can(self, action: str) -> bool:
        return self.state in TRANSITIONS[action]

    def _check(self, action: str, verb: str) -> None:
        if not self.can(action):
            raise TransitionRefused(f"A {self.get_state_display().lower()} request cannot {verb}.")

    def _decide(self, state: str, *, by, reason: str = "", **fields) -> None:
        self.state, self.decision_reason = state, reason
        self.deferred_to = fields.get("deferred_to")
        self.duplicate_of = fields.get("duplicate_of")
        if "initiative" in fields:
            self.initiative = fields["initiative"]
        self.decided_at, self.decided_by = timezone.now(), by
        self.save()
        # Share pages list declined and deferred requests: their cached copies go stale.
        bump_org(self.org)

    def assess(self, *, by) -> None:
        """Start (or re-open) the assessment."""
        self._check("assess", "be assessed again")
        self._decide(TrainingRequestState.ASSESSING, by=by)

    def decline(self, *, reason: str, by) -> None:
        self._check("decline", "be declined")
        if not reason.strip():
            raise TransitionRefused("Write the reason the requester will read.")
        self._decide(TrainingRequestState.DECLINED, by=by, reason=reason.strip())

    def defer(self, *, cycle: Cycle, reason: str, by, today: date | None = None) -> None:
        """Deferred to a cycle still to come: one that has started (or ended) would list
        the request as "deferred to" a cycle it is already in (or that is over)."""
        self._check("defer", "be deferred")
        if cycle is None or cycle.org_id != self.org_id:
            raise TransitionRefused("Choose the cycle to defer it to.")
        today = today or timezone.localdate()
        if not cycle.starts_after(today):
            raise TransitionRefused(
                f"{cycle.name} started on {cycle.start.day} {cycle.start:%b %Y}: "
                "defer to a cycle that starts after today."
            )
        if not reason.strip():
            raise TransitionRefused("Write the reason the requester will read.")
        self._decide(TrainingRequestState.DEFERRED, by=by, reason=reason.strip(), deferred_to=cycle)

    def mark_duplicate(self, *, of: TrainingRequest, by) -> None:
        """Merge into another request; this one keeps its requester, who sees the original."""
        self._check("duplicate", "be merged")
        if of.pk == self.pk or of.org_id != self.org_id:
            raise TransitionRefused("Choose another request of this organisation.")
        if of.state == TrainingRequestState.DUPLICATE:
            raise TransitionRefused("Merge into the original, not into another duplicate.")
        self._decide(TrainingRequestState.DUPLICATE, by=by, duplicate_of=of)

    def commit(self, *, initiative: Initiative, by) -> None:
        """Committed into an initiative; `services.commit_requests` does this for several."""
        self._check("commit", "be committed")
        if initiative.org_id != self.org_id:
            raise TransitionRefused("Choose an initiative of this organisation.")
        self._decide(TrainingRequestState.COMMITTED, by=by, initiative=initiative)


class NotDoingQuerySet(OrgQuerySet):
    def for_roadmap(self, roadmap: Roadmap) -> NotDoingQuerySet:
        return self.filter(roadmap=roadmap).select_related("cycle")


class NotDoing(OrgOwned):
    """An option explicitly dropped for a cycle, with its reason: a roadmap also shows what
    it is not doing. Declined and deferred requests join it on the page."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="not_doing")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="not_doing")
    title = models.CharField("what we are not doing", max_length=200)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(NotDoingQuerySet)()

    class Meta:
        ordering = ["cycle__position", "created_at", "pk"]
        verbose_name = "not-doing item"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "title"], name="not_doing_unique_in_cycle"),
        ]

    def __str__(self) -> str:
        return self.title


class Scorer:
    """Scores an organisation's requests with its settings and its priorities' ranks.

    Two queries however many requests: the settings row and the ranked priorities.
    """

    def __init__(self, org: Organization, *, today: date | None = None):
        from strategy.models import Priority

        self.settings = AssessSettings.for_org(org)
        self.today = today or timezone.localdate()
        ranked = list(Priority.objects.for_org(org).ranked().values_list("pk", "strategy_id"))
        counts: dict[int, int] = {}
        self.positions: dict[int, tuple[int, int]] = {}
        for pk, strategy_id in ranked:
            counts[strategy_id] = counts.get(strategy_id, 0) + 1
            self.positions[pk] = (counts[strategy_id], 0)
        by_strategy = dict(ranked)
        self.positions = {
            pk: (position, counts[by_strategy[pk]]) for pk, (position, _) in self.positions.items()
        }

    def score(self, request: TrainingRequest) -> scoring.Score:
        return scoring.score(
            request.scoring_inputs(self.positions),
            model=self.settings.scoring_model,
            weights=self.settings.weights,
            today=self.today,
        )

    def scored(self, requests) -> list[tuple[TrainingRequest, scoring.Score]]:
        return [(request, self.score(request)) for request in requests]

    def with_total(self, requests: TrainingRequestQuerySet) -> TrainingRequestQuerySet:
        """`requests` annotated with `score_total`: the score's total computed by the
        database, so a list of thousands sorts and pages there and only the page shown is
        scored in Python (with its breakdown). The same rules as `roadmap.scoring`, term
        by term; tests/roadmap/test_score_sql.py holds the two to each other."""
        if self.settings.scoring_model == ScoringModel.RICE:
            total = self._rice_total()
        else:
            total = self._weighted_total()
        return requests.annotate(score_total=total)

    def _weighted_total(self) -> models.Expression:
        weights = {key: max(0, weight) for key, weight in self.settings.weights.items()}
        total_weight = sum(weights[key] for key in scoring.FACTORS)
        if not total_weight:
            return models.Value(0.0, output_field=models.FloatField())
        alignment = models.Case(
            *(
                models.When(priority_id=pk, then=_float(1 - (position - 1) / count))
                for pk, (position, count) in self.positions.items()
            ),
            default=_float(0.0),
        )
        evidence = _choice("evidence_kind", scoring.EVIDENCE_VALUE, 0.0)
        size = Cast("audience_size", models.FloatField())
        reach = models.Case(
            models.When(
                audience_size__gt=1,
                then=Least(_float(1.0), Ln(size) / _float(math.log(scoring.FULL_REACH))),
            ),
            default=_float(0.0),
        )
        days = DaysAfter("needed_by", self.today)
        urgency = models.Case(
            models.When(needed_by__isnull=True, then=_float(0.0)),
            models.When(needed_by__lte=self.today, then=_float(1.0)),
            default=Greatest(_float(0.0), 1 - days / _float(scoring.URGENCY_HORIZON_DAYS)),
        )
        fit = _choice("gap", scoring.TRAINING_FIT, 0.0)
        heaviest = _float(scoring.HEAVIEST_EFFORT_DAYS)
        effort = models.Case(
            models.When(effort_days__isnull=True, then=_float(scoring.UNKNOWN)),
            default=1 - Least(Cast("effort_days", models.FloatField()), heaviest) / heaviest,
        )
        values = {
            "alignment": alignment,
            "evidence": evidence,
            "reach": reach,
            "urgency": urgency,
            "training_fit": fit,
            "effort": effort,
        }
        terms = [
            values[key] * _float(100 * weights[key] / total_weight)
            for key in scoring.FACTORS
            if weights[key]
        ]
        return models.ExpressionWrapper(sum(terms[1:], terms[0]), output_field=models.FloatField())

    def _rice_total(self) -> models.Expression:
        size = Coalesce(Cast("audience_size", models.FloatField()), _float(0.0))
        impact = _choice(
            "impact", {choice.value: float(choice.value) for choice in RiceImpact}, 1.0
        )
        confidence = _choice("evidence_kind", scoring.RICE_CONFIDENCE, 0.5)
        months = Cast("effort_days", models.FloatField()) / _float(scoring.DAYS_PER_MONTH)
        return models.Case(
            models.When(Q(effort_days__isnull=True) | Q(effort_days=0), then=models.Value(None)),
            default=size * impact * confidence / months,
            output_field=models.FloatField(),
        )


def _float(value: float) -> models.Value:
    return models.Value(float(value), output_field=models.FloatField())


def _choice(field: str, values: dict[str, float], default: float) -> models.Case:
    """A text column's value looked up in `values`."""
    return models.Case(
        *(models.When(**{field: key}, then=_float(value)) for key, value in values.items()),
        default=_float(default),
    )


class DaysAfter(models.Func):
    """Whole days from `today` to a date column: positive ahead, negative past."""

    output_field = models.FloatField()

    def __init__(self, column: str, today: date):
        super().__init__(models.F(column), models.Value(today, output_field=models.DateField()))

    def as_sql(self, compiler, connection, *args, **extra_context):
        column, today = (compiler.compile(expression) for expression in self.source_expressions)
        params = (*column[1], *today[1])
        if connection.vendor == "sqlite":
            return f"(julianday({column[0]}) - julianday({today[0]}))", params
        # PostgreSQL: a date minus a date is a whole number of days.
        return f"CAST(({column[0]} - CAST({today[0]} AS date)) AS double precision)", params
