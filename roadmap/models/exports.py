"""Exports: long jobs as rows the page polls and a task fills."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from roadmap.models.core import Roadmap
from roadmap_site.models import OrgOwned, OrgQuerySet, org_manager

__all__ = ["Export", "ExportKind", "ExportQuerySet", "ExportStatus", "export_upload_to"]


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


class Export(OrgOwned):
    """A long job as a row: the page polls it, the task fills it (pretix-style)."""

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

    objects = org_manager(ExportQuerySet)

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
