"""Thin adapters: take ids, call one service, own retries and time limits.

Each task opens the scope of the organisation its row belongs to (django-scopes): a
worker has no request to take it from.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django_scopes import scope, scopes_disabled

from roadmap import reviews, services
from roadmap.models import Export


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


@shared_task(soft_time_limit=60, time_limit=90)
def send_feedback_mail() -> int:
    """Sent by beat every 15 minutes (CELERY_BEAT_SCHEDULE): one e-mail per roadmap owner
    with the share-link feedback that came in since the last one."""
    return reviews.send_all_feedback_mail()
