"""The quarterly leader report: a frozen snapshot per roadmap and fiscal quarter, the
leaders who subscribe to it, and one delivery row per recipient.

The report row is also the job: built by a worker (claim, progress, a clear end state when
the worker dies, as exports are), its snapshot JSON written once and its PDF rendered from
that snapshot alone, so a past quarter's document never changes with the roadmap.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from roadmap.models.core import Roadmap
from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet, Person

__all__ = [
    "DeliveryStatus",
    "QuarterlyReport",
    "ReportDelivery",
    "ReportFailure",
    "ReportQuerySet",
    "ReportStatus",
    "ReportSubscription",
    "report_stale_after",
]


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Building"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportFailure:
    """What the page says after "Failed: ". Exception text goes to the log, not here."""

    RENDER = "the report could not be built; try again, and tell your administrator if it recurs"
    TIMED_OUT = "the report took too long to build"
    WORKER_LOST = "the worker stopped before the report was finished"
    UNAVAILABLE = "reports are unavailable right now; try again in a minute"


def report_stale_after() -> timedelta:
    """A build running longer than the task's hard limit plus a margin has lost its worker."""
    return timedelta(seconds=settings.REPORT_TIME_LIMIT + settings.EXPORT_STALE_MARGIN)


def _stale_build(now: datetime) -> Q:
    cutoff = now - report_stale_after()
    return Q(status=ReportStatus.RUNNING) & (Q(started_at__lt=cutoff) | Q(started_at__isnull=True))


def report_upload_to(report: QuarterlyReport, filename: str) -> str:
    return f"reports/{report.org_id}/{report.roadmap_id}/{filename}"


class ReportQuerySet(OrgQuerySet):
    def recent(self) -> ReportQuerySet:
        return self.order_by("-quarter_start")

    def stale(self, *, now: datetime | None = None) -> ReportQuerySet:
        return self.filter(_stale_build(now or timezone.now()))


class QuarterlyReport(OrgOwned):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="reports")
    quarter_start = models.DateField()
    quarter_end = models.DateField()
    label = models.CharField(max_length=20, help_text='The fiscal quarter: "Q3 FY27".')
    # The day on the organisation's clock the snapshot was taken: before `quarter_end` it
    # is a report "so far" (an admin built it early), and the scheduled build replaces it.
    as_of = models.DateField(null=True, blank=True)
    # Everything the document shows, JSON-able, written once (`build_report`).
    snapshot = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to=report_upload_to, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # Sent to subscribers once built: the scheduled build does; an early one does not.
    send_when_built = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the schedule built it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(ReportQuerySet)()

    class Meta:
        ordering = ["roadmap", "-quarter_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "quarter_start"], name="report_one_per_roadmap_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter_end__gt=models.F("quarter_start")),
                name="report_quarter_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} report of {self.roadmap_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def is_final(self) -> bool:
        """Taken once the quarter was over: what the schedule mails."""
        return self.as_of is not None and self.as_of > self.quarter_end

    @property
    def filename(self) -> str:
        return f"{self.label.replace(' ', '-')}-report-{self.roadmap_id}.pdf"

    def claim(self) -> bool:
        """Pending → running, or take over a stale build; False when a live worker has it.
        One conditional UPDATE, so two workers never both win (see `Export.claim`)."""
        now = timezone.now()
        claimed = (
            QuarterlyReport.objects.filter(pk=self.pk)
            .filter(Q(status=ReportStatus.PENDING) | _stale_build(now))
            .update(status=ReportStatus.RUNNING, started_at=now, progress=5, error="")
        )
        if claimed:
            self.status, self.started_at, self.progress, self.error = (
                ReportStatus.RUNNING,
                now,
                5,
                "",
            )
        return bool(claimed)

    def requeue(self, *, fresh_snapshot: bool, send: bool, by=None) -> bool:
        """Back to pending for another build, unless a worker is building it now or it was
        already sent to someone (then its document is what they received: frozen).

        `fresh_snapshot` forgets the snapshot so the build takes a new one (an early report
        replaced by the final one); without it the PDF is rendered again from the same one.
        """
        if self.deliveries.exists() and fresh_snapshot:
            return False
        fields: dict = {
            "status": ReportStatus.PENDING,
            "progress": 0,
            "error": "",
            "started_at": None,
            "finished_at": None,
            "send_when_built": send,
        }
        if fresh_snapshot:
            fields.update(snapshot={}, as_of=None, requested_by=by)
        reset = (
            QuarterlyReport.objects.filter(pk=self.pk)
            .exclude(status__in=[ReportStatus.PENDING, ReportStatus.RUNNING])
            .update(**fields)
        )
        if reset:
            for name, value in fields.items():
                setattr(self, name, value)
        return bool(reset)

    def set_progress(self, percent: int) -> None:
        self.progress = max(0, min(100, percent))
        QuarterlyReport.objects.filter(pk=self.pk).update(progress=self.progress)

    def fail(self, reason: str) -> None:
        self.status, self.error, self.finished_at = ReportStatus.FAILED, reason, timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])


class ReportSubscriptionQuerySet(OrgQuerySet):
    def with_people(self) -> ReportSubscriptionQuerySet:
        return self.select_related("person").order_by("person__name")

    def reachable(self) -> ReportSubscriptionQuerySet:
        """Those who can be mailed: a person whose address was removed since is skipped."""
        return self.exclude(person__email="")


class ReportSubscription(OrgOwned):
    """A leader who receives a roadmap's quarterly report by e-mail."""

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(ReportSubscriptionQuerySet)()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "person"], name="report_subscription_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.roadmap_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Failed, retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ReportDelivery(OrgOwned):
    """One recipient's copy of one report: at most one per person and report, so nobody
    receives the same quarter twice (claimed before sending, see `claim`)."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    # The address it went to, kept when the person changes or goes.
    email = models.EmailField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager()

    class Meta:
        ordering = ["report", "email"]
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="report_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.email} ({self.status})"

    def claim(self) -> bool:
        """Waiting or retrying → sending; False when it was sent, is being sent, or failed
        for good. The conditional UPDATE is what makes a duplicate task send nothing."""
        now = timezone.now()
        claimed = (
            ReportDelivery.objects.filter(pk=self.pk)
            .filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING])
            .update(
                status=DeliveryStatus.SENDING, claimed_at=now, attempts=models.F("attempts") + 1
            )
        )
        if claimed:
            self.refresh_from_db(fields=["status", "claimed_at", "attempts"])
        return bool(claimed)

    def sent(self) -> None:
        self.status, self.sent_at, self.error = DeliveryStatus.SENT, timezone.now(), ""
        self.save(update_fields=["status", "sent_at", "error"])

    def failed(self, error: str, *, final: bool) -> None:
        self.status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
        self.error = error
        self.save(update_fields=["status", "error"])

    def requeue(self) -> bool:
        """Failed for good → waiting again (the page's Resend); False otherwise."""
        return bool(
            ReportDelivery.objects.filter(pk=self.pk, status=DeliveryStatus.FAILED).update(
                status=DeliveryStatus.PENDING, error=""
            )
        )
