"""Roadmaps, their cycles and initiatives, share links and exports.

Later phases (Assess, Align, Plan, Share, Iterate) grow `Initiative` and hang their own rows
off `Roadmap` and `Cycle`; every row carries its organisation so scoping stays one filter.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from roadmap import scoring
from roadmap_site.models import Organization, OrgQuerySet, Person, hash_token, new_token


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def fiscal_year_bounds(org: Organization, fiscal_year: int) -> tuple[date, date]:
    """A fiscal year is named by the calendar year it ends in (FY27 ends in 2027)."""
    start_month = org.fiscal_year_start_month
    start = date(fiscal_year if start_month == 1 else fiscal_year - 1, start_month, 1)
    return start, add_months(start, 12) - timedelta(days=1)


def fiscal_year_of(org: Organization, day: date) -> int:
    start_month = org.fiscal_year_start_month
    return day.year if start_month == 1 or day.month < start_month else day.year + 1


class RoadmapQuerySet(OrgQuerySet):
    def with_counts(self) -> RoadmapQuerySet:
        return self.annotate(initiative_count=models.Count("initiatives", distinct=True))


class Roadmap(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roadmaps")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    fiscal_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the fiscal year ends in (FY27 → 2027)."
    )
    period_start = models.DateField()
    period_end = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoadmapQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="roadmap_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def fiscal_year_label(self) -> str:
        return f"FY{self.fiscal_year % 100:02d}"

    @classmethod
    def create_for_year(
        cls, *, org: Organization, title: str, fiscal_year: int, **fields
    ) -> Roadmap:
        """A roadmap over one fiscal year, split into its four quarters."""
        start, end = fiscal_year_bounds(org, fiscal_year)
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


class Cycle(models.Model):
    """A slice of a roadmap's period (a quarter by default), named as the business names it."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(max_length=50)
    start = models.DateField()
    end = models.DateField()
    position = models.PositiveSmallIntegerField(default=0)

    objects = OrgQuerySet.as_manager()

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


class JustificationRequired(ValidationError):
    pass


class InitiativeQuerySet(OrgQuerySet):
    def with_people(self) -> InitiativeQuerySet:
        return self.select_related("owner", "accountable", "cycle")

    def in_cycle(self, cycle: Cycle) -> InitiativeQuerySet:
        return self.filter(cycle=cycle)

    def committed(self) -> InitiativeQuerySet:
        return self.filter(status__in=COMMITTED_STATUSES)

    def for_ledger(self) -> InitiativeQuerySet:
        return self.with_people().select_related("priority", "kpi")


class Initiative(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
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
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # The change log: who, when, before/after (diff of two records) and why (the reason).
    history = HistoricalRecords(
        excluded_fields=["position", "updated_at"],
        history_change_reason_field=models.TextField(null=True),
        related_name="changes",
    )

    objects = InitiativeQuerySet.as_manager()

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
        return changed


class ShareLinkQuerySet(OrgQuerySet):
    def active(self) -> ShareLinkQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ShareLink(models.Model):
    """A secret, read-only, revocable link to one roadmap.

    Only the SHA-256 of the token is stored: the token is shown once, when the link is
    made, and a leaked database does not reveal working links.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(
        max_length=150, blank=True, help_text="Who the link is for, e.g. “Exec team review”."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or f"Share link {self.pk}"

    @classmethod
    def issue(cls, *, roadmap: Roadmap, created_by, label: str = "", expires_at=None):
        """Make a link; returns it with the token, which is never stored and shown once."""
        token = new_token()
        link = cls.objects.create(
            org=roadmap.org,
            roadmap=roadmap,
            label=label,
            created_by=created_by,
            expires_at=expires_at,
            token_hash=hash_token(token),
        )
        return link, token

    @classmethod
    def find_active(cls, token: str) -> ShareLink | None:
        return (
            cls.objects.active()
            .select_related("roadmap", "org")
            .filter(token_hash=hash_token(token))
            .first()
        )

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_active else "expired"

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def mark_used(self) -> None:
        ShareLink.objects.filter(pk=self.pk).update(last_used_at=timezone.now())


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Rendering"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportKind(models.TextChoices):
    ROADMAP_PDF = "roadmap_pdf", "Roadmap PDF"


def export_upload_to(export: Export, filename: str) -> str:
    return f"exports/{export.org_id}/{timezone.now():%Y/%m}/{filename}"


class ExportQuerySet(OrgQuerySet):
    def recent(self) -> ExportQuerySet:
        return self.select_related("requested_by").order_by("-created_at")


class Export(models.Model):
    """A long job as a row: the page polls it, the task fills it (pretix-style)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(
        max_length=30, choices=ExportKind.choices, default=ExportKind.ROADMAP_PDF
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=export_upload_to, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.roadmap_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    def claim(self) -> bool:
        """Move pending → running; False when another worker already has it."""
        now = timezone.now()
        claimed = Export.objects.filter(pk=self.pk, status=ExportStatus.PENDING).update(
            status=ExportStatus.RUNNING, started_at=now, progress=5
        )
        if claimed:
            self.status, self.started_at, self.progress = ExportStatus.RUNNING, now, 5
        return bool(claimed)

    def set_progress(self, percent: int) -> None:
        self.progress = max(0, min(100, percent))
        Export.objects.filter(pk=self.pk).update(progress=self.progress)

    def succeed(self, *, filename: str, content: bytes) -> None:
        from django.core.files.base import ContentFile

        self.file.save(filename, ContentFile(content), save=False)
        self.status, self.progress, self.error = ExportStatus.DONE, 100, ""
        self.finished_at = timezone.now()
        self.save(update_fields=["file", "status", "progress", "error", "finished_at"])

    def fail(self, error: str) -> None:
        self.status, self.error, self.finished_at = ExportStatus.FAILED, error, timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])


# Assess: requests, their score and triage ------------------------------------------------


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
        default=True,
        help_text="Anyone with the link can send a request, without an account.",
    )
    intake_intro = models.TextField(
        "intake form introduction",
        blank=True,
        help_text="Shown above the public form: what L&D can help with, what happens next.",
    )

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


class RequestState(models.TextChoices):
    NEW = "new", "New"
    ASSESSING = "assessing", "Under assessment"
    COMMITTED = "committed", "Committed"
    DEFERRED = "deferred", "Deferred"
    DECLINED = "declined", "Declined"
    DUPLICATE = "duplicate", "Duplicate"


# Which states each decision may start from; everything else is refused.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assess": (RequestState.NEW, RequestState.DEFERRED, RequestState.DECLINED),
    "commit": (RequestState.NEW, RequestState.ASSESSING, RequestState.DEFERRED),
    "defer": (RequestState.NEW, RequestState.ASSESSING),
    "decline": (RequestState.NEW, RequestState.ASSESSING, RequestState.DEFERRED),
    "duplicate": (RequestState.NEW, RequestState.ASSESSING, RequestState.DEFERRED),
}
OPEN_STATES = (RequestState.NEW, RequestState.ASSESSING)


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


class RequestQuerySet(OrgQuerySet):
    def for_list(self) -> RequestQuerySet:
        return self.select_related("priority", "deferred_to", "initiative", "duplicate_of")

    def in_state(self, state: str) -> RequestQuerySet:
        return self.filter(state=state)

    def not_doing(self) -> RequestQuerySet:
        return self.filter(state__in=[RequestState.DECLINED, RequestState.DEFERRED])

    def departments(self) -> list[str]:
        return list(
            self.exclude(requester_department="")
            .order_by("requester_department")
            .values_list("requester_department", flat=True)
            .distinct()
        )


class Request(models.Model):
    """A training request: from the team, or from the business through the public form.

    Decisions are methods (`assess`, `commit`, `defer`, `decline`, `mark_duplicate`), each
    refusing a state it may not start from; a deferral or decline carries a reason written
    for the requester, which their private status link shows.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
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

    state = models.CharField(max_length=20, choices=RequestState.choices, default="new")
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

    objects = RequestQuerySet.as_manager()

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
        if self.priority_id and self.priority.org_id != self.org_id:
            raise ValidationError({"priority": "Choose a priority of this organisation."})

    # Scoring --------------------------------------------------------------------------

    def scoring_inputs(self, positions: dict[int, tuple[int, int]]) -> scoring.Inputs:
        """`positions` maps a priority id to (its position by rank, how many priorities)."""
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
    def find_by_status_token(cls, token: str) -> Request | None:
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

    def assess(self, *, by) -> None:
        """Start (or re-open) the assessment."""
        self._check("assess", "be assessed again")
        self._decide(RequestState.ASSESSING, by=by)

    def decline(self, *, reason: str, by) -> None:
        self._check("decline", "be declined")
        if not reason.strip():
            raise TransitionRefused("Write the reason the requester will read.")
        self._decide(RequestState.DECLINED, by=by, reason=reason.strip())

    def defer(self, *, cycle: Cycle, reason: str, by) -> None:
        self._check("defer", "be deferred")
        if cycle is None or cycle.org_id != self.org_id:
            raise TransitionRefused("Choose the cycle to defer it to.")
        if not reason.strip():
            raise TransitionRefused("Write the reason the requester will read.")
        self._decide(RequestState.DEFERRED, by=by, reason=reason.strip(), deferred_to=cycle)

    def mark_duplicate(self, *, of: Request, by) -> None:
        """Merge into another request; this one keeps its requester, who sees the original."""
        self._check("duplicate", "be merged")
        if of.pk == self.pk or of.org_id != self.org_id:
            raise TransitionRefused("Choose another request of this organisation.")
        if of.state == RequestState.DUPLICATE:
            raise TransitionRefused("Merge into the original, not into another duplicate.")
        self._decide(RequestState.DUPLICATE, by=by, duplicate_of=of)

    def commit(self, *, initiative: Initiative, by) -> None:
        """Committed into an initiative; `services.commit_requests` does this for several."""
        self._check("commit", "be committed")
        if initiative.org_id != self.org_id:
            raise TransitionRefused("Choose an initiative of this organisation.")
        self._decide(RequestState.COMMITTED, by=by, initiative=initiative)


class NotDoingQuerySet(OrgQuerySet):
    def for_roadmap(self, roadmap: Roadmap) -> NotDoingQuerySet:
        return self.filter(roadmap=roadmap).select_related("cycle")


class NotDoing(models.Model):
    """An option explicitly dropped for a cycle, with its reason: a roadmap also shows what
    it is not doing. Declined and deferred requests join it on the page."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="not_doing")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="not_doing")
    title = models.CharField("what we are not doing", max_length=200)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = NotDoingQuerySet.as_manager()

    class Meta:
        ordering = ["cycle__position", "created_at", "pk"]
        verbose_name = "not-doing item"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "title"], name="not_doing_unique_in_cycle"),
        ]

    def __str__(self) -> str:
        return self.title


# Align: the business calendar ------------------------------------------------------------


class EventKind(models.TextChoices):
    GOAL_SETTING = "goal_setting", "Goal setting"
    BUDGET_FORECAST = "budget_forecast", "Budget forecast"
    BUDGET_RECAST = "budget_recast", "Budget recast"
    PERFORMANCE_REVIEW = "performance_review", "Performance reviews"
    HIRING_WAVE = "hiring_wave", "Hiring wave"
    OTHER = "other", "Other"


# Without a rule of its own, these kinds are periods to avoid launching in.
AVOID_LAUNCH_BY_DEFAULT = {EventKind.PERFORMANCE_REVIEW, EventKind.BUDGET_RECAST}


class EventKindRule(models.Model):
    """Whether an organisation avoids launches during one kind of business event."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    avoid_launches = models.BooleanField(default=False)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "kind"], name="one_rule_per_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'avoid' if self.avoid_launches else 'ok'}"

    @classmethod
    def avoided_kinds(cls, org: Organization) -> set[str]:
        rules = dict(cls.objects.for_org(org).values_list("kind", "avoid_launches"))
        return {
            kind for kind in EventKind.values if rules.get(kind, kind in AVOID_LAUNCH_BY_DEFAULT)
        }


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence of a business event (a yearly event occurs once a year)."""

    event: BusinessEvent
    start: date
    end: date
    avoid_launches: bool

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and self.end >= start


class BusinessEventQuerySet(OrgQuerySet):
    def occurrences(self, start: date, end: date, *, avoided: set[str]) -> list[Occurrence]:
        """Each event's occurrences that overlap [start, end], yearly ones repeated."""
        found = []
        for event in self:
            for occ_start, occ_end in event.dates_between(start, end):
                found.append(Occurrence(event, occ_start, occ_end, event.kind in avoided))
        return sorted(found, key=lambda o: (o.start, o.event.name))


class BusinessEvent(models.Model):
    """When the business sets goals, forecasts and recasts budget, reviews performance and
    hires: the roadmap depends on what comes out of these."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    name = models.CharField(max_length=150)
    start = models.DateField()
    end = models.DateField()
    recurs_yearly = models.BooleanField("every year", default=True)
    notes = models.TextField(blank=True)

    objects = BusinessEventQuerySet.as_manager()

    class Meta:
        ordering = ["start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name", "start"], name="event_unique_in_org"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def dates_between(self, start: date, end: date) -> list[tuple[date, date]]:
        if not self.recurs_yearly:
            spans = [(self.start, self.end)]
        else:
            length = self.end - self.start
            spans = []
            for year in range(start.year - 1, end.year + 1):
                shift = year - self.start.year
                if shift < 0:
                    continue
                occ_start = add_months(self.start, 12 * shift)
                spans.append((occ_start, occ_start + length))
        return [(s, e) for s, e in spans if s <= end and e >= start]


# Reads that span several models ---------------------------------------------------------


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

    def score(self, request: Request) -> scoring.Score:
        return scoring.score(
            request.scoring_inputs(self.positions),
            model=self.settings.scoring_model,
            weights=self.settings.weights,
            today=self.today,
        )

    def scored(self, requests) -> list[tuple[Request, scoring.Score]]:
        return [(request, self.score(request)) for request in requests]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeEntry:
    """One line of the change log: who changed which initiative, when, what, and why."""

    initiative_id: int
    title: str
    when: object
    who: object
    kind: str  # created | changed | deleted
    changes: tuple[FieldChange, ...]
    justification: str
    needed_justification: bool


LOGGED_FIELDS = {
    "title": "Title",
    "status": "Status",
    "cycle": "Cycle",
    "owner": "Owner",
    "accountable": "Accountable leader",
    "problem": "Scope: problem",
    "audience": "Scope: audience",
    "audience_size": "Scope: audience size",
    "budget": "Resources: budget",
    "people": "Resources: people",
    "days": "Resources: person-days",
    "priority": "Priority",
    "kpi": "KPI",
    "tradeoffs": "Tradeoffs",
}


def change_log(roadmap: Roadmap, *, initiative: Initiative | None = None) -> list[ChangeEntry]:
    """The roadmap's change log, newest first, from the initiatives' history records.

    Before/after come from comparing each record with the previous one of the same
    initiative, in memory; names of people, cycles, priorities and KPIs from one query each.
    """
    from measurement.models import Kpi
    from strategy.models import Priority

    records = Initiative.history.filter(roadmap_id=roadmap.pk).select_related("history_user")
    if initiative is not None:
        records = records.filter(id=initiative.pk)
    records = list(records.order_by("id", "history_date", "history_id"))
    org = roadmap.org_id
    names = {
        "owner": dict(Person.objects.filter(org_id=org).values_list("pk", "name")),
        "cycle": dict(Cycle.objects.filter(roadmap=roadmap).values_list("pk", "name")),
        "priority": dict(Priority.objects.filter(org_id=org).values_list("pk", "capability")),
        "kpi": dict(Kpi.objects.filter(org_id=org).values_list("pk", "name")),
    }
    names["accountable"] = names["owner"]
    statuses = dict(InitiativeStatus.choices)

    def show(field: str, value) -> str:
        if value in (None, ""):
            return "—"
        if field in names:
            return names[field].get(value, "(removed)")
        if field == "status":
            return statuses.get(value, value)
        return str(value)

    entries = []
    previous = None
    for record in records:
        if previous is None or previous.id != record.id:
            previous = None
        changes: list[FieldChange] = []
        needed = False
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, included_fields=list(LOGGED_FIELDS))
            for change in delta.changes:
                field = change.field
                before, after = show(field, change.old), show(field, change.new)
                changes.append(FieldChange(field, LOGGED_FIELDS[field], before, after))
            needed = previous.status in COMMITTED_STATUSES and (
                bool({c.field for c in changes} & COMMITMENT_FIELDS.keys())
                or record.status == InitiativeStatus.PROPOSED
            )
        kind = {"+": "created", "-": "deleted"}.get(record.history_type, "changed")
        if kind != "changed" or changes:
            entries.append(
                ChangeEntry(
                    initiative_id=record.id,
                    title=record.title,
                    when=record.history_date,
                    who=record.history_user,
                    kind=kind,
                    changes=tuple(changes),
                    justification=record.history_change_reason or "",
                    needed_justification=needed,
                )
            )
        previous = record
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
