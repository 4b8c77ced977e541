"""Thin adapters: take ids, call one service, own retries and time limits.

Each task opens the scope of the organisation its row belongs to (django-scopes): a
worker has no request to take it from.
"""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from roadmap import services
from roadmap.models import Export


@shared_task(
    acks_late=True,  # safe: the export row is claimed pending → running exactly once
    soft_time_limit=120,
    time_limit=150,
)
def render_export(export_id: int) -> None:
    with scopes_disabled():  # the id is what says which organisation
        org_id = Export.objects.filter(pk=export_id).values_list("org_id", flat=True).first()
    if org_id is None:
        return
    with scope(organization=org_id):
        services.render_export(export_id=export_id)
