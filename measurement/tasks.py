"""Thin adapters: take ids, call one service (measurement/sources.py, measurement/digest.py),
own retries and time limits. Each import task opens the scope of the organisation its row
belongs to; the beat tasks below go through every organisation."""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django_scopes import scope, scopes_disabled
from kombu.exceptions import OperationalError as BrokerError

from measurement import alerts, digest, fetch, sources
from measurement.models import ImportRun, MetricSource
from roadmap_site.models import Organization

MAX_RETRIES = 4
log = logging.getLogger(__name__)


def enqueue(run: ImportRun) -> None:
    """Send `run_import` once the transaction commits. Not `delay_on_commit`: with the
    broker down its error would escape after the view answered and leave the run waiting;
    here the run fails with a message instead."""
    transaction.on_commit(partial(_send, run.pk, run.org_id))


def _send(run_id: int, org_id: int) -> None:
    from roadmap_site.celery import send_now

    try:
        send_now(run_import, (run_id,))
    except (BrokerError, OSError):
        log.exception("Import run %s could not be queued: the broker is unreachable", run_id)
        with scope(organization=org_id):
            sources.fail_run(run_id, "The task queue is unavailable; run it again later.")


@shared_task(
    bind=True,
    # Safe because the claim makes a redelivery a no-op while the run is RUNNING; a run
    # whose worker died is failed by the sweep and the next run redoes it whole.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_TIME_LIMIT,
    max_retries=MAX_RETRIES,
)
def run_import(self, run_id: int) -> None:
    with scopes_disabled():  # the id is what says which organisation
        org_id = ImportRun.objects.filter(pk=run_id).values_list("org_id", flat=True).first()
    if org_id is None:
        return
    with scope(organization=org_id):
        if not sources.claim(run_id):
            return  # another worker has it, or it is done
        try:
            sources.perform_run(run_id)
        except fetch.FetchFailed as error:
            if self.request.retries >= MAX_RETRIES:
                sources.fail_run(run_id, f"{error} (gave up after {MAX_RETRIES} retries)")
                return
            sources.release(run_id)
            # 30 s, 60 s, 120 s, 240 s: capped well under the broker's visibility timeout.
            raise self.retry(countdown=min(30 * 2**self.request.retries, 300)) from None


@shared_task(soft_time_limit=30, time_limit=60)
def run_scheduled_source(source_id: int) -> int | None:
    """Sent by beat (the source's PeriodicTask): a new run, done by `run_import`."""
    with scopes_disabled():
        org_id = MetricSource.objects.filter(pk=source_id).values_list("org_id", flat=True).first()
    if org_id is None:
        return None
    with scope(organization=org_id):
        source = MetricSource.objects.get(pk=source_id)
        if not source.enabled:
            return None
        run = sources.start_run(source=source)
        enqueue(run)
        return run.pk


@shared_task(soft_time_limit=30, time_limit=60)
def fail_stale_runs() -> int:
    """Sent by beat every minute (CELERY_BEAT_SCHEDULE), across organisations; also
    removes uploads that were previewed but never imported."""
    with scopes_disabled():
        failed = sources.fail_stale_runs()
    sources.remove_abandoned_uploads()
    return failed


@shared_task(soft_time_limit=240, time_limit=300)
def refresh_alerts() -> int:
    """Hourly: every organisation's alerts, so a new day or quarter shows without a view."""
    return digest.refresh_all_alerts()


def refresh_alerts_soon(org: Organization) -> None:
    """Queue `refresh_org_alerts` for when the current transaction commits (at once outside
    one). Called by `bump_org` for every write that moves the organisation's version, and
    by the dashboard when it finds its alerts behind. Without a broker the refresh runs in
    this process; with one, a worker does it while the response goes out."""
    transaction.on_commit(partial(_send_refresh, org.pk), robust=True)


def _send_refresh(org_id: int) -> None:
    from roadmap_site.celery import send_now

    try:
        send_now(refresh_org_alerts, (org_id,))
    except (BrokerError, OSError):
        # The data is saved; the hourly refresh and the next dashboard view catch up.
        log.exception("The alerts of organisation %s could not be queued for a refresh", org_id)


@shared_task(soft_time_limit=60, time_limit=90)
def refresh_org_alerts(org_id: int) -> bool:
    """Queued once a write that moved the organisation's version commits (and by a
    dashboard that finds its alerts behind): brings them in line with the data. A no-op
    when another refresh already did it. Returns whether this one refreshed."""
    with scopes_disabled():  # the id is what says which organisation
        org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return False
    with scope(organization=org):
        return alerts.refresh_if_stale(org, org.today())


@shared_task(soft_time_limit=240, time_limit=300)
def send_weekly_digest() -> int:
    """Weekly: the e-mail digest of open alerts to their owners."""
    return digest.send_weekly_digests()
