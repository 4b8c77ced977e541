"""The dashboard's headline sources, registered by the apps that own the data.

Measurement cannot import the roadmap (imports run roadmap → strategy → measurement →
core), yet SME engagement and commitment changes live there. So each app registers a
function `(org, today) -> Iterable[Headline]` in its `AppConfig.ready()`, and the dashboard
asks them all.

A source registered with `reads_kpi_values=False` never reads KPI values: its headlines are
cached under the organisation's `steady_version`, which a KPI value correction leaves alone,
so the first view after a correction works out only the sources that read KPI values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.core.cache import cache as django_cache

from measurement.figures import Headline
from measurement.models import KpiFamily
from roadmap_site import cache
from roadmap_site.models import Organization

HeadlineSource = Callable[[Organization, date], Iterable[Headline]]

_sources: list[HeadlineSource] = []
# The sources that declared they never read KPI values.
_steady: set[HeadlineSource] = set()

# The article's order of the four families; the team's own KPIs come last.
FAMILY_ORDER = [family.value for family in KpiFamily]


def register_headlines(source: HeadlineSource, *, reads_kpi_values: bool = True) -> HeadlineSource:
    """Add a headline source (once, however often `ready()` runs). Say
    `reads_kpi_values=False` only of a source that reads no KPI or KPI value at all."""
    if source not in _sources:
        _sources.append(source)
    if not reads_kpi_values:
        _steady.add(source)
    return source


def sources() -> list[HeadlineSource]:
    return list(_sources)


def headlines(org: Organization, today: date) -> list[Headline]:
    """Every registered source's headlines, by family in the article's order."""
    return _in_order([headline for source in _sources for headline in source(org, today)])


def cached_headlines(org: Organization, today: date, timeout: int) -> list[Headline]:
    """`headlines`, each source's cached under the version of what it reads and the day
    (one read of the cache): a KPI value correction works out again only the sources that
    read KPI values. Writes that bump no version (the roadmap's) age out with `timeout`."""
    keys = {
        cache.key(
            "dashboard-headlines",
            f"{source.__module__}.{source.__qualname__}",
            org.pk,
            org.steady_version if source in _steady else org.version,
            today.isoformat(),
        ): source
        for source in _sources
    }
    found = django_cache.get_many(list(keys))
    built = {key: list(source(org, today)) for key, source in keys.items() if key not in found}
    if built:
        django_cache.set_many(built, timeout)
    every = {**found, **built}
    return _in_order([headline for key in keys for headline in every[key]])


def _in_order(found: list[Headline]) -> list[Headline]:
    return sorted(found, key=lambda h: FAMILY_ORDER.index(h.family))
