"""Thin adapters: take ids, call one service, own retries and time limits."""

from __future__ import annotations

from celery import shared_task

from roadmap import services


@shared_task(
    acks_late=True,  # safe: the export row is claimed pending → running exactly once
    soft_time_limit=120,
    time_limit=150,
)
def render_export(export_id: int) -> None:
    services.render_export(export_id=export_id)
