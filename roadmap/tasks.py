"""Thin adapters: take ids, call one service, own retries and time limits."""

from celery import shared_task
from django.conf import settings

from roadmap import services


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
    services.render_export(export_id=export_id)


@shared_task(soft_time_limit=30, time_limit=60)
def fail_stale_exports() -> int:
    """Sent by beat every minute (CELERY_BEAT_SCHEDULE)."""
    return services.fail_stale_exports()
