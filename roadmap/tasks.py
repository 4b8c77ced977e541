"""Thin adapters: take ids, call one service, own retries and time limits.

Each task opens the scope of the organisation its row belongs to (django-scopes): a
worker has no request to take it from.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django_scopes import scope, scopes_disabled

from roadmap import report_jobs, reviews, services
from roadmap.models import Export, QuarterlyReport, ReportDelivery


@shared_task(
    # A child killed mid-render (SIGKILL, out of memory) puts the message back on the queue
    # instead of acking it. Safe: the claim makes the task idempotent. A redelivery while
    # the first run may still be alive does nothing; once that run is stale (older than the
    # hard limit plus a margin, so its worker is surely gone) it may be claimed again.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
)
def render_export(export_id: int) -> None:
    with scopes_disabled():  # the id is what says which organisation
        org_id = Export.objects.filter(pk=export_id).values_list("org_id", flat=True).first()
    if org_id is None:
        return
    with scope(organization=org_id):
        services.render_export(export_id=export_id)


@shared_task(soft_time_limit=30, time_limit=60)
def fail_stale_exports() -> int:
    """Sent by beat every minute (CELERY_BEAT_SCHEDULE): fails every organisation's
    exports whose worker died, so the sweep looks across scopes."""
    with scopes_disabled():
        return services.fail_stale_exports()


# The quarterly leader report (roadmap/report_jobs.py) -------------------------------------


@shared_task(
    # Safe for the same reason as the export: the claim makes a redelivery a no-op while a
    # live build has the row, and lets it take over one whose worker died.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT,
)
def build_quarterly_report(report_id: int) -> None:
    with scopes_disabled():
        org_id = (
            QuarterlyReport.objects.filter(pk=report_id).values_list("org_id", flat=True).first()
        )
    if org_id is None:
        return
    with scope(organization=org_id):
        report_jobs.build_report(report_id=report_id)


@shared_task(
    bind=True,
    autoretry_for=(report_jobs.SendFailed,),
    # Up to 1, 2, 4, 8, 8 minutes (full jitter): a mail server down for a while gets the
    # copy when it is back; past the cap the row says failed and offers Resend. The cap
    # stays under the broker's visibility timeout (600 s), or Redis would deliver a
    # waiting retry twice (harmless, the claim sends once, but noisy).
    retry_backoff=60,
    retry_backoff_max=8 * 60,
    max_retries=settings.REPORT_SEND_MAX_RETRIES,
    soft_time_limit=settings.REPORT_SEND_TIME_LIMIT - 10,
    time_limit=settings.REPORT_SEND_TIME_LIMIT,
)
def send_report_delivery(self, delivery_id: int) -> None:
    with scopes_disabled():
        org_id = (
            ReportDelivery.objects.filter(pk=delivery_id).values_list("org_id", flat=True).first()
        )
    if org_id is None:
        return
    with scope(organization=org_id):
        final = self.request.retries >= self.max_retries
        report_jobs.send_delivery(delivery_id=delivery_id, final=final)


@shared_task(soft_time_limit=240, time_limit=300)
def send_due_reports() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): every organisation's due quarterly reports."""
    return report_jobs.send_due_reports()


@shared_task(soft_time_limit=30, time_limit=60)
def fail_stale_reports() -> int:
    """Every minute: builds and sends whose worker died end failed, with a clear reason."""
    with scopes_disabled():
        builds, sends = report_jobs.fail_stale_reports()
    return builds + sends


@shared_task(soft_time_limit=60, time_limit=90)
def send_feedback_mail() -> int:
    """Sent by beat every 15 minutes (CELERY_BEAT_SCHEDULE): one e-mail per roadmap owner
    with the share-link feedback that came in since the last one."""
    return reviews.send_all_feedback_mail()
