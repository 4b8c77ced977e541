"""Exports: long jobs as rows the page polls and a task fills."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from roadmap.models.core import Roadmap
from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet

__all__ = [
    "Export",
    "ExportFailure",
    "ExportKind",
    "ExportOptions",
    "ExportQuerySet",
    "ExportStatus",
    "Paper",
    "export_stale_after",
    "export_upload_to",
]


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Rendering"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportFailure:
    """What the page says after "Failed: ". Never exception text: that goes to the log."""

    RENDER = "the PDF could not be rendered; try again, and tell your administrator if it recurs"
    TIMED_OUT = "the PDF took too long to render"
    ENGINE_MISSING = (
        "the PDF engine (WeasyPrint and its system libraries) is not installed on the server; "
        "tell your administrator"
    )
    WORKER_LOST = "the worker stopped before the PDF was finished"
    UNAVAILABLE = "exports are unavailable right now; try again in a minute"


def export_stale_after() -> timedelta:
    """How old a running export must be before its worker is presumed dead: no render
    outlives the task's hard time limit, so past it plus a margin nobody is rendering."""
    return timedelta(seconds=settings.EXPORT_TIME_LIMIT + settings.EXPORT_STALE_MARGIN)


def _stale_run(now: datetime) -> Q:
    cutoff = now - export_stale_after()
    return Q(status=ExportStatus.RUNNING) & (Q(started_at__lt=cutoff) | Q(started_at__isnull=True))


class ExportKind(models.TextChoices):
    ROADMAP_PDF = "roadmap_pdf", "Roadmap PDF"


class Paper(models.TextChoices):
    A4 = "a4", "A4"
    LETTER = "letter", "US Letter"


@dataclass(frozen=True)
class ExportOptions:
    """What the roadmap PDF holds: all cycles and priorities when none are chosen.

    Stored on the row as JSON (`Export.options`) so a retry renders what was asked for.
    """

    cycles: tuple[int, ...] = ()
    priorities: tuple[int, ...] = ()
    include_notes: bool = False
    paper: str = Paper.A4

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ExportOptions:
        data = data or {}
        paper = data.get("paper", Paper.A4)
        return cls(
            cycles=tuple(int(pk) for pk in data.get("cycles", ())),
            priorities=tuple(int(pk) for pk in data.get("priorities", ())),
            include_notes=bool(data.get("include_notes", False)),
            paper=paper if paper in Paper.values else Paper.A4,
        )

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "cycles": list(self.cycles), "priorities": list(self.priorities)}

    @property
    def whole_roadmap(self) -> bool:
        return not (self.cycles or self.priorities)

    @property
    def paper_label(self) -> str:
        return Paper(self.paper).label


def export_upload_to(export: Export, filename: str) -> str:
    return f"exports/{export.org_id}/{timezone.now():%Y/%m}/{filename}"


class ExportQuerySet(OrgQuerySet):
    def recent(self) -> ExportQuerySet:
        return self.select_related("requested_by").order_by("-created_at")

    def stale(self, *, now: datetime | None = None) -> ExportQuerySet:
        """Running for longer than any worker may render: its worker died."""
        return self.filter(_stale_run(now or timezone.now()))


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
    # ExportOptions as JSON: scope, internal notes, paper size.
    options = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(ExportQuerySet)()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.roadmap_id} ({self.status})"

    @property
    def export_options(self) -> ExportOptions:
        return ExportOptions.from_json(self.options)

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    def claim(self) -> bool:
        """Move pending → running, or take over a stale run; False when a live worker has it.

        One conditional UPDATE, so two workers never both win: on PostgreSQL the loser's
        UPDATE re-reads the row after the winner commits and no longer matches it. A
        redelivered task (its worker was killed) may re-claim only once the run is stale,
        so a render that is still going is never started twice.
        """
        now = timezone.now()
        claimed = (
            Export.objects.filter(pk=self.pk)
            .filter(Q(status=ExportStatus.PENDING) | _stale_run(now))
            .update(status=ExportStatus.RUNNING, started_at=now, progress=5, error="")
        )
        if claimed:
            self.status, self.started_at, self.progress = ExportStatus.RUNNING, now, 5
            self.error = ""
        return bool(claimed)

    def requeue(self) -> bool:
        """Failed → pending again (Retry); False when it is not failed, e.g. a double click."""
        reset = Export.objects.filter(pk=self.pk, status=ExportStatus.FAILED).update(
            status=ExportStatus.PENDING, progress=0, error="", started_at=None, finished_at=None
        )
        if reset:
            self.status, self.progress, self.error = ExportStatus.PENDING, 0, ""
            self.started_at = self.finished_at = None
        return bool(reset)

    def set_progress(self, percent: int) -> None:
        """Store the percentage; one UPDATE per change (the render reports every page)."""
        percent = max(0, min(100, percent))
        if percent != self.progress:
            self.progress = percent
            Export.objects.filter(pk=self.pk).update(progress=percent)

    def succeed(self, *, filename: str, content: bytes) -> None:
        from django.core.files.base import ContentFile

        self.file.save(filename, ContentFile(content), save=False)
        self.status, self.progress, self.error = ExportStatus.DONE, 100, ""
        self.finished_at = timezone.now()
        self.save(update_fields=["file", "status", "progress", "error", "finished_at"])

    def fail(self, reason: str) -> None:
        """Mark failed with a user-facing `reason` (an `ExportFailure`); log the exception."""
        self.status, self.error, self.finished_at = ExportStatus.FAILED, reason, timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])
