"""The KPI list's status from SQL (`Kpi.objects.with_status()`): the first and latest overall
values come from subqueries, never from loading every value; the rule is the same."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from measurement.models import Direction, Kpi, KpiStatus

# The same KPI (0 → 100 over 2026, higher is better) and values as the Python rule's tests.
from tests.measurement.test_kpi_status import add, kpi

pytestmark = pytest.mark.django_db

D = Decimal


def from_sql(k):
    found = Kpi.objects.with_status().get(pk=k.pk)
    assert not hasattr(found, "overall_values")  # nothing prefetched: the status is SQL's
    return found.assess()


def test_no_values_and_no_target():
    assert from_sql(kpi()).status == KpiStatus.NO_DATA
    k = kpi(target=None, target_date=None)
    add(k, date(2026, 6, 1), 10)
    assert from_sql(k).status == KpiStatus.NO_TARGET
    assert from_sql(k).latest.value == D(10)


@pytest.mark.parametrize(
    ("value", "status"),
    [(50, KpiStatus.ON_TRACK), (40, KpiStatus.AT_RISK), ("39.9", KpiStatus.OFF_TRACK)],
)
def test_the_latest_value_against_the_line(value, status):
    k = kpi()
    add(k, date(2026, 3, 1), 90)  # earlier and better: only the latest counts
    add(k, date(2026, 7, 2), value)
    add(k, date(2026, 8, 1), 0, segment="APAC")  # a segment never decides
    assessment = from_sql(k)
    assert assessment.status == status
    assert assessment.latest.date == date(2026, 7, 2)
    assert assessment.latest.value == D(str(value))
    assert assessment.expected == D(50)


def test_without_baseline_the_first_value_starts_the_line():
    k = kpi(baseline=None, baseline_date=None)
    add(k, date(2026, 7, 2), 50)
    add(k, date(2026, 1, 1), 0)  # entered later, dated first
    assert from_sql(k).status == KpiStatus.ON_TRACK
    assert from_sql(k).expected == D(50)


def test_lower_is_better_after_the_target_date():
    k = kpi(direction=Direction.LOWER, baseline=D(100), target=D(60))
    add(k, date(2027, 2, 1), 61)
    assert from_sql(k).status == KpiStatus.OFF_TRACK


def test_the_list_reads_one_query_of_kpis_however_many_values(
    editor_client, org, django_assert_num_queries
):
    k = kpi(org=org, name="Time to productivity")
    for week in range(60):
        add(k, date(2025, 1, 6) + timedelta(weeks=week), week)
    editor_client.get(reverse("measurement:home"))  # the session
    cache.clear()
    with django_assert_num_queries(6):
        response = editor_client.get(reverse("measurement:home"))
    html = response.content.decode()
    assert "Time to productivity" in html
    (shown,) = response.context["kpis"]
    assert shown.assessment.latest.value == D(59)  # the value dated last
    assert shown.assessment.latest.date == date(2025, 1, 6) + timedelta(weeks=59)


# Cached tables, never stale ---------------------------------------------------------------


def test_a_second_view_reads_no_kpi(editor_client, org, django_assert_num_queries):
    add(kpi(org=org), date(2026, 7, 2), 50)
    editor_client.get(reverse("measurement:home"))
    with django_assert_num_queries(5):  # session, user, memberships, SAVEPOINT/RELEASE
        response = editor_client.get(reverse("measurement:home"))
    assert "On track" in response.content.decode()


def test_recording_a_value_shows_on_the_next_view(editor_client, org):
    k = kpi(org=org, name="Manager NPS")
    add(k, date(2026, 7, 2), 50)
    assert "On track" in editor_client.get(reverse("measurement:home")).content.decode()
    url = reverse("measurement:kpi_value_record", args=[k.pk])
    response = editor_client.post(
        url, {"date": "2026-07-03", "value": "12", "segment": "", "note": ""}
    )
    assert response.status_code in (200, 302)
    assert k.values.filter(date=date(2026, 7, 3)).exists()
    html = editor_client.get(reverse("measurement:home")).content.decode()
    assert "Off track" in html and "On track" not in html


def test_editing_a_kpi_shows_on_the_next_view(editor_client, org):
    k = kpi(org=org, name="Manager NPS", unit="points")
    assert "Manager NPS" in editor_client.get(reverse("measurement:home")).content.decode()
    data = {
        "name": "Manager NPS (all regions)", "description": "", "family": k.family,
        "unit": "points", "direction": k.direction, "baseline": "0", "baseline_date": "2026-01-01",
        "target": "100", "target_date": "2026-12-31", "evidence_level": "", "owner": "",
    }  # fmt: skip
    response = editor_client.post(reverse("measurement:kpi_edit", args=[k.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (
        "Manager NPS (all regions)"
        in editor_client.get(reverse("measurement:home")).content.decode()
    )


def test_creating_a_kpi_shows_on_the_next_view(editor_client, org):
    assert "No KPI yet" in editor_client.get(reverse("measurement:home")).content.decode()
    data = {
        "name": "Time to productivity", "description": "", "family": "business_impact",
        "unit": "days", "direction": "lower", "baseline": "", "baseline_date": "",
        "target": "", "target_date": "", "evidence_level": "", "owner": "",
    }  # fmt: skip
    assert editor_client.post(reverse("measurement:kpi_create"), data).status_code == 302
    html = editor_client.get(reverse("measurement:home")).content.decode()
    assert "Time to productivity" in html and "No KPI yet" not in html


def test_roles_on_the_kpi_list(viewer_client, outsider_client, org):
    kpi(org=org, name="Manager NPS")
    assert "Manager NPS" in viewer_client.get(reverse("measurement:home")).content.decode()
    # Another organisation's member sees their own (empty) list, never this one's.
    assert "Manager NPS" not in outsider_client.get(reverse("measurement:home")).content.decode()


def test_after_one_value_changes_only_that_kpis_row_is_rendered_again(
    editor_client, org, monkeypatch
):
    from measurement.views import kpis as views

    nps, attrition = kpi(org=org, name="Manager NPS"), kpi(org=org, name="Attrition")
    add(nps, date(2026, 7, 2), 50)
    add(attrition, date(2026, 7, 2), 50)
    editor_client.get(reverse("measurement:home"))
    rendered = []
    real_row = views._row
    monkeypatch.setattr(views, "_row", lambda k: rendered.append(k.name) or real_row(k))
    nps.record(day=date(2026, 7, 2), value=D(12))  # a correction: same date, new figure
    html = editor_client.get(reverse("measurement:home")).content.decode()
    assert rendered == ["Manager NPS"]
    assert "Off track" in html and "Attrition" in html and "On track" in html


def test_a_renamed_owner_shows_in_the_row(editor_client, org):
    from roadmap_site.cache import bump_org
    from tests.factories import PersonFactory

    owner = PersonFactory(org=org, name="Ana Costa")
    k = kpi(org=org, name="Manager NPS")
    k.owner = owner
    k.save()
    assert "Ana Costa" in editor_client.get(reverse("measurement:home")).content.decode()
    owner.name = "Ana Costa-Reis"
    owner.save()
    bump_org(org)  # as the person form does
    assert "Ana Costa-Reis" in editor_client.get(reverse("measurement:home")).content.decode()


def test_rows_of_two_organisations_never_mix(editor_client, outsider_client, org, other_org):
    """Same name, values and pk-independent fields: each list shows its own KPI's link."""
    mine, theirs = kpi(org=org, name="Manager NPS"), kpi(org=other_org, name="Manager NPS")
    add(mine, date(2026, 7, 2), 50)
    add(theirs, date(2026, 7, 2), 50)
    assert reverse("measurement:kpi_detail", args=[mine.pk]) in (
        editor_client.get(reverse("measurement:home")).content.decode()
    )
    other = outsider_client.get(reverse("measurement:home")).content.decode()
    assert reverse("measurement:kpi_detail", args=[theirs.pk]) in other
    assert reverse("measurement:kpi_detail", args=[mine.pk]) not in other
