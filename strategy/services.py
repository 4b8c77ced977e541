"""Strategy workflows that span several rows: accepting a theme from the notes."""

from __future__ import annotations

from django.db import transaction

from roadmap_site.models import Organization
from strategy.models import ListeningSession, Theme


def accept_theme(*, org: Organization, name: str, phrase: str, created_by=None) -> Theme:
    """Make a theme and link every session of the organisation whose notes mention the
    phrase, quoting the sentence that does."""
    with transaction.atomic():
        theme = Theme.objects.create(org=org, name=name, created_by=created_by)
        theme.attach(phrase, list(ListeningSession.objects.for_org(org)))
    return theme
