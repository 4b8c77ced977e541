from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from measurement.models import Kpi, KpiValue
from roadmap_site.cache import bump_org
from tests.conftest import HTMX
from tests.factories import KpiFactory, KpiValueFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(org):
    return KpiFactory(org=org, name="Time to full productivity")


# The list -----------------------------------------------------------------------------


def test_list_shows_kpis_with_status(editor_client, kpi):
    KpiValueFactory(kpi=kpi, date=date(2026, 6, 1), value=Decimal(70))
    response = editor_client.get(reverse("measurement:home"))
    assert response.status_code == 200
    assert b"Time to full productivity" in response.content
    assert b"How the status is worked out" in response.content


def test_viewer_reads_the_list_without_write_links(viewer_client, kpi):
    response = viewer_client.get(reverse("measurement:home"))
    assert response.status_code == 200
    assert b"Time to full productivity" in response.content
    assert reverse("measurement:kpi_create").encode() not in response.content


def test_outsider_sees_none_of_the_kpis(outsider_client, kpi):
    response = outsider_client.get(reverse("measurement:home"))
    assert response.status_code == 200
    assert b"Time to full productivity" not in response.content


def _kpis(org, n):
    for i in range(n):
        k = KpiFactory(org=org, owner=PersonFactory(org=org))
        for d in range(3):
            KpiValueFactory(kpi=k, org=org, date=date(2026, 1 + d, 1 + i))


def test_list_query_count_does_not_grow(editor_client, org, django_assert_num_queries):
    _kpis(org, 2)
    editor_client.get(reverse("measurement:home"))  # warm the session
    # One query for the KPIs with their status (was two: the values were prefetched). The
    # tables are cached (tests/measurement/test_kpi_status_sql.py): count a first view.
    cache.clear()
    with django_assert_num_queries(6) as small:
        editor_client.get(reverse("measurement:home"))
    _kpis(org, 8)
    cache.clear()
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(reverse("measurement:home"))


# Create and edit ------------------------------------------------------------------------


KPI_POST = {
    "name": "First-year attrition",
    "family": "business_impact",
    "unit": "%",
    "direction": "lower",
    "baseline": "18",
    "baseline_date": "2026-02-01",
    "target": "12",
    "target_date": "2027-01-31",
    "evidence_level": "4",
}


def test_editor_creates_a_kpi(editor_client, org):
    response = editor_client.post(reverse("measurement:kpi_create"), KPI_POST)
    kpi = Kpi.objects.get(org=org, name="First-year attrition")
    assert response.status_code == 302
    assert response.url == reverse("measurement:kpi_detail", args=[kpi.pk])
    assert kpi.has_target and kpi.evidence_level == 4


def test_target_without_date_is_refused(editor_client, org):
    response = editor_client.post(
        reverse("measurement:kpi_create"), {**KPI_POST, "target_date": ""}
    )
    assert response.status_code == 400
    assert not Kpi.objects.exists()


def test_owner_from_another_org_is_refused(editor_client, other_org):
    stranger = PersonFactory(org=other_org)
    response = editor_client.post(
        reverse("measurement:kpi_create"), {**KPI_POST, "owner": stranger.pk}
    )
    assert response.status_code == 400
    assert not Kpi.objects.exists()


def test_viewer_cannot_create(viewer_client):
    assert viewer_client.get(reverse("measurement:kpi_create")).status_code == 403
    assert viewer_client.post(reverse("measurement:kpi_create"), KPI_POST).status_code == 403
    assert not Kpi.objects.exists()


def test_editor_edits(editor_client, kpi):
    url = reverse("measurement:kpi_edit", args=[kpi.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {**KPI_POST, "name": "Renamed"})
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.name == "Renamed"


def test_viewer_cannot_edit(viewer_client, kpi):
    url = reverse("measurement:kpi_edit", args=[kpi.pk])
    assert viewer_client.post(url, {**KPI_POST, "name": "Renamed"}).status_code == 403
    kpi.refresh_from_db()
    assert kpi.name == "Time to full productivity"


def test_outsider_gets_404_everywhere(outsider_client, kpi):
    for url in (
        reverse("measurement:kpi_detail", args=[kpi.pk]),
        reverse("measurement:kpi_edit", args=[kpi.pk]),
    ):
        assert outsider_client.get(url).status_code == 404
    response = outsider_client.post(
        reverse("measurement:kpi_value_record", args=[kpi.pk]),
        {"date": "2026-05-01", "value": "3"},
    )
    assert response.status_code == 404
    assert not KpiValue.objects.exists()


# The KPI page and values -----------------------------------------------------------------


def test_detail_has_chart_status_and_rule(viewer_client, kpi):
    KpiValueFactory(kpi=kpi, date=date(2026, 6, 1), value=Decimal(70))
    response = viewer_client.get(reverse("measurement:kpi_detail", args=[kpi.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-chart="chart-kpi-trend"' in content
    assert "How the status is worked out" in content
    assert "Record a value" not in content  # viewers read only
    names = [trace["name"] for trace in response.context["chart"]["data"]]
    assert names == ["Overall", "Baseline", "Target", "Planned trajectory"]


def test_editor_records_a_value_then_updates_it(editor_client, kpi):
    url = reverse("measurement:kpi_value_record", args=[kpi.pk])
    response = editor_client.post(url, {"date": "2026-05-01", "value": "90"}, **HTMX)
    assert response.status_code == 200
    assert b'id="kpi-data"' in response.content
    assert b"<html" not in response.content
    response = editor_client.post(url, {"date": "2026-05-01", "value": "88", "note": "fix"})
    assert response.status_code == 302
    value = KpiValue.objects.get(kpi=kpi)
    assert value.value == Decimal(88)
    assert [h.value for h in value.history.all()] == [Decimal(88), Decimal(90)]
    assert all(h.history_user is not None for h in value.history.all())
    page = editor_client.get(reverse("measurement:kpi_detail", args=[kpi.pk]))
    assert b"Changed 1 time" in page.content


def test_a_bad_value_comes_back_in_the_fragment(editor_client, kpi):
    url = reverse("measurement:kpi_value_record", args=[kpi.pk])
    response = editor_client.post(url, {"date": "2026-05-01", "value": "lots"}, **HTMX)
    assert response.status_code == 200
    assert b"Enter a number" in response.content
    assert not KpiValue.objects.exists()
    response = editor_client.post(url, {"date": "", "value": "1"})
    assert response.status_code == 400


def test_viewer_cannot_record(viewer_client, kpi):
    url = reverse("measurement:kpi_value_record", args=[kpi.pk])
    assert viewer_client.post(url, {"date": "2026-05-01", "value": "1"}).status_code == 403
    assert not KpiValue.objects.exists()


def test_detail_query_count_does_not_grow(editor_client, kpi, django_assert_num_queries):
    url = reverse("measurement:kpi_detail", args=[kpi.pk])
    for d in range(1, 3):
        kpi.record(day=date(2026, 1, d), value=Decimal(d))
    editor_client.get(url)  # the session
    bump_org(kpi.org)
    # The first view after a change: session and membership, the KPI, its values with
    # their revisions, its priorities.
    with django_assert_num_queries(9) as small:
        editor_client.get(url)
    for d in range(3, 20):
        kpi.record(day=date(2026, 2, d), value=Decimal(d), segment="APAC" if d % 2 else "")
    with django_assert_num_queries(len(small.captured_queries)):
        assert "APAC" in editor_client.get(url).content.decode()
    # Warm: the session, memberships (with the header's) and the KPI; the body from the
    # versioned cache.
    with django_assert_num_queries(6):
        editor_client.get(url)


def test_detail_shows_each_change_on_the_next_view(editor_client, viewer_client, kpi, org):
    url = reverse("measurement:kpi_detail", args=[kpi.pk])
    assert "Record a value" in editor_client.get(url).text
    assert "Record a value" not in viewer_client.get(url).text  # each role its own entry
    record = reverse("measurement:kpi_value_record", args=[kpi.pk])
    editor_client.post(record, {"date": "2026-05-01", "value": "91.25"})
    assert "91.25" in editor_client.get(url).text and "91.25" in viewer_client.get(url).text
    editor_client.post(record, {"date": "2026-05-01", "value": "87.5", "note": "typo"})
    assert "Changed 1 time" in viewer_client.get(url).text
    edit = reverse("measurement:kpi_edit", args=[kpi.pk])
    form = editor_client.get(edit).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name="Days to first closed deal")
    assert editor_client.post(edit, data).status_code == 302
    assert "Days to first closed deal" in viewer_client.get(url).text
    assert "csrf-token-of-this-response" not in editor_client.get(url).text
