"""The dashboard's headline sources cached apart: a KPI value correction works out again
only the sources that read KPI values; any other write, all of them. Never stale, never
another organisation's."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from measurement import dashboard
from measurement.figures import Headline
from measurement.models import KpiFamily
from roadmap_site.cache import bump_org, one_bump_per_org
from tests.factories import KpiFactory

pytestmark = pytest.mark.django_db

URL = reverse("measurement:dashboard")
TODAY = date(2026, 11, 30)


@pytest.fixture
def calls():
    """Two sources of the team's own family, one declaring it reads no KPI values; each
    card names the organisation and how often its source ran for it."""
    counted: Counter = Counter()

    def steady_source(org, today):
        counted["steady", org.pk] += 1
        return [Headline(KpiFamily.CUSTOM, f"Steady card of {org.name}", None, "—", "rule", "/")]

    def kpi_source(org, today):
        counted["kpi", org.pk] += 1
        return [Headline(KpiFamily.CUSTOM, f"KPI card of {org.name}", None, "—", "rule", "/")]

    dashboard.register_headlines(steady_source, reads_kpi_values=False)
    dashboard.register_headlines(kpi_source)
    yield counted
    for source in (steady_source, kpi_source):
        dashboard._sources.remove(source)
        dashboard._steady.discard(source)


@pytest.fixture
def kpi(org):
    # Lower is better, 100 → 60 over 2026: on 30 Nov the line is at about 63.
    return KpiFactory(org=org, name="Time to productivity", family=KpiFamily.BUSINESS_IMPACT)


def record(kpi, value):
    kpi.record(day=TODAY, value=Decimal(value))


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_a_kpi_correction_shows_and_works_out_only_what_reads_kpis(
    editor_client, viewer_client, org, kpi, calls
):
    record(kpi, 55)
    steady_before = org.steady_version
    org.refresh_from_db()
    assert org.steady_version == steady_before  # a value leaves the steady version alone
    assert "1 on track" in editor_client.get(URL).content.decode()
    assert calls == {("steady", org.pk): 1, ("kpi", org.pk): 1}

    record(kpi, 100)  # the same day's value corrected: far off the line now
    for client in (editor_client, viewer_client):
        page = client.get(URL).content.decode()
        assert "1 on track" not in page
        assert "Steady card of Northwind" in page and "KPI card of Northwind" in page
    assert calls == {("steady", org.pk): 1, ("kpi", org.pk): 2}


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_any_other_write_works_out_every_source_again(editor_client, org, kpi, calls):
    editor_client.get(URL)
    bump_org(org)  # a person renamed, the calendar changed...
    editor_client.get(URL)
    assert calls == {("steady", org.pk): 2, ("kpi", org.pk): 2}


def test_one_bump_for_several_writes_is_steady_only_if_all_were_kpi_values(org, kpi):
    org.refresh_from_db()
    start = (org.version, org.steady_version)
    with transaction.atomic(), one_bump_per_org():
        record(kpi, 70)
        kpi.record(day=date(2026, 11, 23), value=Decimal(71))
    org.refresh_from_db()
    assert (org.version, org.steady_version) == (start[0] + 1, start[1])
    with transaction.atomic(), one_bump_per_org():
        record(kpi, 72)
        bump_org(org)
    org.refresh_from_db()
    assert org.version == org.steady_version == start[0] + 2


def test_a_failed_write_moves_no_version(org, kpi):
    org.refresh_from_db()
    start = (org.version, org.steady_version)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(kpi, 70)
        raise RuntimeError("the write failed")
    org.refresh_from_db()
    assert (org.version, org.steady_version) == start


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_another_organisation_never_sees_these_cards(
    editor_client, outsider_client, org, other_org, calls
):
    # Both organisations at the same versions: only the organisation in the key differs.
    assert (org.version, org.steady_version) == (other_org.version, other_org.steady_version)
    assert "Steady card of Northwind" in editor_client.get(URL).content.decode()
    page = outsider_client.get(URL).content.decode()
    assert "Steady card of Contoso" in page and "KPI card of Contoso" in page
    assert "Northwind" not in page
