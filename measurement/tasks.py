"""Thin adapters for beat (CELERY_BEAT_SCHEDULE): each calls one service."""

from __future__ import annotations

from celery import shared_task

from measurement import digest


@shared_task(soft_time_limit=240, time_limit=300)
def refresh_alerts() -> int:
    """Hourly: every organisation's alerts, so a new day or quarter shows without a view."""
    return digest.refresh_all_alerts()


@shared_task(soft_time_limit=240, time_limit=300)
def send_weekly_digest() -> int:
    """Weekly: the e-mail digest of open alerts to their owners."""
    return digest.send_weekly_digests()
