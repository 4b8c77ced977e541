"""The dashboard's headline sources, registered by the apps that own the data.

Measurement cannot import the roadmap (imports run roadmap → strategy → measurement →
core), yet SME engagement and commitment changes live there. So each app registers a
function `(org, today) -> Iterable[Headline]` in its `AppConfig.ready()`, and the dashboard
asks them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from measurement.figures import Headline
from measurement.models import KpiFamily
from roadmap_site.models import Organization

HeadlineSource = Callable[[Organization, date], Iterable[Headline]]

_sources: list[HeadlineSource] = []

# The article's order of the four families; the team's own KPIs come last.
FAMILY_ORDER = [family.value for family in KpiFamily]


def register_headlines(source: HeadlineSource) -> HeadlineSource:
    """Add a headline source (once, however often `ready()` runs); usable as a decorator."""
    if source not in _sources:
        _sources.append(source)
    return source


def sources() -> list[HeadlineSource]:
    return list(_sources)


def headlines(org: Organization, today: date) -> list[Headline]:
    """Every registered source's headlines, by family in the article's order."""
    found = [headline for source in _sources for headline in source(org, today)]
    return sorted(found, key=lambda h: FAMILY_ORDER.index(h.family))
