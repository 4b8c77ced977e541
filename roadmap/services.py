"""Workflows across several rows or with I/O: exports, committing requests, bulk triage."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from roadmap import charts
from roadmap.models import (
    Export,
    Initiative,
    InitiativeStatus,
    Roadmap,
    TrainingRequest,
    TransitionRefused,
)

log = logging.getLogger(__name__)


def start_export(*, roadmap: Roadmap, requested_by) -> Export:
    """Record the job and hand it to a worker once the row is committed."""
    from roadmap.tasks import render_export as render_export_task

    export = Export.objects.create(org=roadmap.org, roadmap=roadmap, requested_by=requested_by)
    render_export_task.delay_on_commit(export.pk)  # type: ignore[attr-defined]  # celery-types lags Celery 5.4
    return export


def roadmap_pdf_context(roadmap: Roadmap) -> dict:
    cycles = list(roadmap.cycles.all())
    initiatives = list(roadmap.initiatives.with_people())
    by_cycle: dict[int, list[Initiative]] = {cycle.pk: [] for cycle in cycles}
    unscheduled: list[Initiative] = []
    for initiative in initiatives:
        by_cycle.get(initiative.cycle_id, unscheduled).append(initiative)
    return {
        "roadmap": roadmap,
        "org": roadmap.org,
        "cycles": [(cycle, by_cycle[cycle.pk]) for cycle in cycles],
        "unscheduled": unscheduled,
        "initiative_count": len(initiatives),
        "per_cycle": charts.initiatives_per_cycle_rows(cycles, initiatives),
        "generated_at": timezone.now(),
    }


def render_pdf(template_name: str, context: dict) -> bytes:
    """WeasyPrint is imported when a PDF is rendered, not when the app starts: without its
    system libraries (Pango) the app still runs and the export fails with the reason."""
    from roadmap_site.pdf import render_pdf as render

    return render(template_name, context)


def render_export(*, export_id: int) -> Export | None:
    """Render one export. Claiming first makes a redelivered task a no-op."""
    export = Export.objects.select_related("roadmap__org").filter(pk=export_id).first()
    if export is None or not export.claim():
        return export
    try:
        context = roadmap_pdf_context(export.roadmap)
        export.set_progress(40)
        content = render_pdf("roadmap/roadmap_pdf.html", context)
        export.set_progress(90)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        with transaction.atomic():
            export.succeed(filename=f"roadmap-{export.roadmap_id}-{stamp}.pdf", content=content)
    except Exception as exc:
        log.exception("Export %s failed", export_id)
        export.fail(f"The PDF could not be rendered ({type(exc).__name__}: {exc}).")
    return export


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
        for request in locked:
            if action == "assess":
                request.assess(by=by)
            elif action == "defer":
                request.defer(cycle=cycle, reason=reason, by=by)
            elif action == "decline":
                request.decline(reason=reason, by=by)
            else:
                raise ValueError(f"Unknown action {action!r}")
    return len(locked)
