"""Metric sources and their import runs.

A source says where rows come from (an uploaded CSV/XLSX file, or a CSV/JSON document at
an HTTP(S) address), which target they feed (`measurement.sources.TARGETS`) and how the
source's columns map onto the target's fields. Each run is a row with its counts, the
file's hash and the first rows it refused, so a person can see what came in and why a row
did not. The work itself lives in `measurement/sources.py`.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from measurement.models.kpis import Kpi
from measurement.models.programs import Program
from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet

# Three failed runs in a row mark a source failing (an alert rule reads it).
FAILING_AFTER = 3
MAX_ROW_ERRORS = 300


class SourceKind(models.TextChoices):
    FILE = "file", "File upload (CSV or XLSX)"
    URL = "url", "Web address (CSV or JSON)"


class Schedule(models.TextChoices):
    MANUAL = "", "Only when someone runs it"
    HOURLY = "hourly", "Hourly"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    CRON = "cron", "Cron expression"


class MetricSourceQuerySet(OrgQuerySet):
    def failing(self) -> MetricSourceQuerySet:
        return self.filter(consecutive_failures__gte=FAILING_AFTER)


class MetricSource(OrgOwned):
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=SourceKind.choices, default=SourceKind.FILE)
    # A key of measurement.sources.TARGETS (kpi_values, learner_activity…).
    target = models.CharField(max_length=30)
    # {target field: source column}; a field left out is looked up by its own name.
    mapping = models.JSONField(default=dict, blank=True)
    all_or_nothing = models.BooleanField(
        "all or nothing",
        default=False,
        help_text="Write nothing when any row is refused (otherwise the good rows are written).",
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="sources"
    )
    kpi = models.ForeignKey(
        Kpi, null=True, blank=True, on_delete=models.CASCADE, related_name="sources"
    )
    url = models.URLField("address", max_length=500, blank=True)
    # One request header (name in clear, value encrypted with SOURCE_CREDENTIALS_KEY); the
    # value is never rendered back, pages only say whether one is set.
    header_name = models.CharField(max_length=100, blank=True)
    header_secret = models.TextField(blank=True)
    schedule = models.CharField(max_length=10, choices=Schedule.choices, blank=True)
    cron = models.CharField(
        "cron expression",
        max_length=100,
        blank=True,
        help_text="Minute hour day-of-month month day-of-week, e.g. “30 6 * * 1-5”.",
    )
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enabled = models.BooleanField(default=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(MetricSourceQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="metric_source_name_in_org"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def failing(self) -> bool:
        return self.consecutive_failures >= FAILING_AFTER

    @property
    def has_secret(self) -> bool:
        return bool(self.header_secret)


class RunStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Partly written"
    FAILED = "failed", "Failed"


DONE = (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)


class ImportRunQuerySet(OrgQuerySet):
    def stale(self, *, now, older_than) -> ImportRunQuerySet:
        """Running since before `now - older_than`: its worker is gone."""
        return self.filter(status=RunStatus.RUNNING, started_at__lt=now - older_than)


class ImportRun(OrgOwned):
    source = models.ForeignKey(MetricSource, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    # An uploaded file waiting for (or read by) this run; URL runs fetch at run time.
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    # The mapping this run used (the source's at the time, or the one confirmed on upload).
    mapping = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        "roadmap_site.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    file_hash = models.CharField("SHA-256", max_length=64, blank=True)
    error = models.TextField(blank=True)

    objects: ClassVar = OrgManager.from_queryset(ImportRunQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The source list's last run and the run history: source = %s ORDER BY created_at.
            models.Index(fields=["source", "-created_at"], name="import_run_source_latest"),
            # The stale sweep: status = 'running' AND started_at < %s.
            models.Index(fields=["status", "started_at"], name="import_run_status_started"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def done(self) -> bool:
        return self.status in DONE


class ImportRowError(OrgOwned):
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(help_text="The row number in the file (the header is 1).")
    column = models.CharField(max_length=150, blank=True)
    value = models.CharField(max_length=300, blank=True)
    message = models.CharField(max_length=300)

    objects: ClassVar = OrgManager.from_queryset(OrgQuerySet)()

    class Meta:
        ordering = ["run", "row", "pk"]

    def __str__(self) -> str:
        return f"row {self.row} {self.column}: {self.message}"
