"""Workflows across several rows or with I/O: exports, committing requests, bulk triage."""

from __future__ import annotations

import logging
import time
from functools import partial
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from roadmap.models import (
    Export,
    ExportFailure,
    ExportOptions,
    ExportStatus,
    Initiative,
    InitiativeStatus,
    Roadmap,
    TrainingRequest,
    TransitionRefused,
)
from roadmap_site.cache import one_bump_per_org

log = logging.getLogger(__name__)


def start_export(*, roadmap: Roadmap, requested_by, options: ExportOptions | None = None) -> Export:
    """Record the job (with its options) and hand it to a worker once the row is committed.

    When the broker cannot be reached the row comes back FAILED (`ExportFailure.UNAVAILABLE`)
    rather than waiting forever. Outside a transaction (the export views) that is known
    before this returns; inside one, it happens at commit.
    """
    export = Export.objects.create(
        org=roadmap.org,
        roadmap=roadmap,
        requested_by=requested_by,
        options=(options or ExportOptions()).as_json(),
    )
    transaction.on_commit(partial(enqueue_export, export))
    return export


def retry_export(*, export: Export) -> Export:
    """Failed → pending, and back to a worker; a second click on the same Retry does nothing."""
    if export.requeue():
        transaction.on_commit(partial(enqueue_export, export))
    return export


def enqueue_export(export: Export) -> bool:
    """Send the render task; with the broker down, fail the row and log the error once.

    Not `delay_on_commit`: its callback's error would escape after the view answered (a bare
    500) and leave the row waiting. The publish retry policy and connection timeouts in
    settings keep this under a couple of seconds when the broker is unreachable.
    """
    from roadmap.tasks import render_export as render_export_task
    from roadmap_site.celery import send_now

    try:
        send_now(render_export_task, (export.pk,))
    except (BrokerError, OSError):
        log.exception("Export %s could not be queued: the broker is unreachable", export.pk)
        export.fail(ExportFailure.UNAVAILABLE)
        return False
    return True


def render_roadmap_pdf(export: Export) -> bytes:
    """WeasyPrint is imported when a PDF is rendered, not when the app starts: without its
    system libraries (Pango) the app still runs and the export fails with the reason."""
    try:
        from roadmap.roadmap_pdf import render_roadmap_pdf as render
    except (ImportError, OSError) as exc:
        raise PdfEngineMissing from exc
    return render(
        export.roadmap,
        export.export_options,
        progress=export.set_progress,
        before_render=wait_for_render_gate,
    )


class PdfEngineMissing(Exception):
    """WeasyPrint or its system libraries could not be loaded."""


def wait_for_render_gate() -> None:
    """Test-only (`EXPORT_RENDER_GATE`): wait until the gate file exists, so a test can kill
    the worker mid-render deterministically. The task's soft time limit bounds the wait."""
    if not settings.EXPORT_RENDER_GATE:
        return
    gate = Path(settings.EXPORT_RENDER_GATE)
    while not gate.exists():
        time.sleep(0.05)


def render_export(*, export_id: int) -> Export | None:
    """Render one export. Claiming first makes a redelivered task a no-op while the first
    run may still be alive, and lets it take over a run whose worker died (stale)."""
    export = Export.objects.select_related("roadmap__org").filter(pk=export_id).first()
    if export is None:
        return None
    if not export.claim():
        log.info("Export %s not claimed: it is %s", export_id, export.status)
        return export
    try:
        content = render_roadmap_pdf(export)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        with transaction.atomic():
            export.succeed(filename=f"roadmap-{export.roadmap_id}-{stamp}.pdf", content=content)
    except SoftTimeLimitExceeded:
        log.exception("Export %s hit the soft time limit", export_id)
        export.fail(ExportFailure.TIMED_OUT)
    except PdfEngineMissing:
        log.exception("Export %s failed: WeasyPrint cannot be loaded", export_id)
        export.fail(ExportFailure.ENGINE_MISSING)
    except Exception:
        log.exception("Export %s failed", export_id)
        export.fail(ExportFailure.RENDER)
    return export


def fail_stale_exports() -> int:
    """Fail exports whose worker died mid-render (the page offers Retry); how many."""
    now = timezone.now()
    stale = list(Export.objects.stale(now=now).values_list("pk", flat=True))
    if not stale:
        return 0
    # Re-checked in the UPDATE: a run re-claimed since the read is fresh and left alone.
    failed = (
        Export.objects.filter(pk__in=stale)
        .stale(now=now)
        .update(status=ExportStatus.FAILED, error=ExportFailure.WORKER_LOST, finished_at=now)
    )
    log.warning("Failed %s stale export(s) whose worker stopped: %s", failed, stale)
    return failed


# Assess & Align ---------------------------------------------------------------------------


def commit_requests(
    *,
    requests: list[TrainingRequest],
    by,
    into: Initiative | None = None,
    **initiative_fields,
) -> Initiative:
    """Commit one or more requests: into a new committed initiative, or an existing one.

    All or nothing: the requests are locked and re-read, and if any of them may not be
    committed (declined, a duplicate, already committed) nothing is written.
    """
    with transaction.atomic():
        locked = list(
            TrainingRequest.objects.select_for_update().filter(pk__in=[r.pk for r in requests])
        )
        refused = [r.title for r in locked if not r.can("commit")]
        if refused:
            raise TransitionRefused(
                "These requests cannot be committed: " + "; ".join(refused) + "."
            )
        if into is None:
            cycle = initiative_fields["cycle"]
            into = Initiative(
                org=cycle.org,
                roadmap=cycle.roadmap,
                status=InitiativeStatus.COMMITTED,
                **initiative_fields,
            )
            into.full_clean()
            into._history_user = by
            into._change_reason = "Committed from " + ", ".join(f"“{r.title}”" for r in locked)
            into.save()
        for request in locked:
            request.commit(initiative=into, by=by)
        into.roadmap.touch()
    return into


BULK_ACTIONS = ("assess", "defer", "decline")


def bulk_triage(
    *, requests: list[TrainingRequest], action: str, by, reason: str = "", cycle=None
) -> int:
    """Apply one decision to several requests, all or nothing."""
    with transaction.atomic():
        locked = list(
            TrainingRequest.objects.select_for_update().filter(pk__in=[r.pk for r in requests])
        )
        refused = [r.title for r in locked if not r.can(action)]
        if refused:
            raise TransitionRefused(
                "Nothing was changed; these requests cannot take that decision: "
                + "; ".join(refused)
                + "."
            )
        with one_bump_per_org():
            for request in locked:
                _triage(request, action, by=by, reason=reason, cycle=cycle)
    return len(locked)


def _triage(request: TrainingRequest, action: str, *, by, reason: str, cycle) -> None:
    if action == "assess":
        request.assess(by=by)
    elif action == "defer":
        request.defer(cycle=cycle, reason=reason, by=by)
    elif action == "decline":
        request.decline(reason=reason, by=by)
    else:
        raise ValueError(f"Unknown action {action!r}")
