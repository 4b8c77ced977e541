"""Writing: KPI values (one, a batch) and requests, through the same code as the pages."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from measurement.models import KpiValue
from roadmap.models import TrainingRequest
from roadmap_site.models import Organization
from tests.factories import KpiFactory, PriorityWithKpiFactory

pytestmark = pytest.mark.django_db


def post(client, path: str, body):
    return client.post(path, body, content_type="application/json")


# One KPI value ---------------------------------------------------------------------------


def test_a_value_is_recorded_then_replaced_on_the_same_date_and_segment(api, org, kpi):
    version = org.version
    first = post(api, f"/api/kpis/{kpi.pk}/values", {"date": "2026-03-01", "value": "88.25"})
    again = post(
        api,
        f"/api/kpis/{kpi.pk}/values",
        {"date": "2026-03-01", "value": 87, "note": "Corrected by the LMS"},
    )

    assert first.status_code == 201
    assert first.json()["created"] is True
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    value = KpiValue.objects.get()
    assert (value.kpi, value.date, value.segment) == (kpi, date(2026, 3, 1), "")
    assert value.value == Decimal(87)
    assert value.note == "Corrected by the LMS"
    # Kpi.record keeps the old figure in the history and bumps the organisation's pages.
    assert [r.value for r in value.revisions.order_by("history_date")] == [
        Decimal("88.25"),
        Decimal(87),
    ]
    assert Organization.objects.get(pk=org.pk).version > version


def test_a_segment_is_its_own_value(api, kpi):
    post(api, f"/api/kpis/{kpi.pk}/values", {"date": "2026-03-01", "value": "80"})
    response = post(
        api, f"/api/kpis/{kpi.pk}/values", {"date": "2026-03-01", "value": "70", "segment": "EMEA"}
    )

    assert response.status_code == 201
    assert sorted(KpiValue.objects.values_list("segment", "value")) == [
        ("", Decimal(80)),
        ("EMEA", Decimal(70)),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-03-01", "value": "12345678901234567"}, "value"),  # the form's 16 digits
        ({"date": "2026-03-01", "value": "1.23456"}, "value"),  # the form's 4 places
        ({"date": "2026-03-01", "value": "NaN"}, "value"),
        ({"date": "2026-03-01", "value": "lots"}, "value"),
        ({"date": "2026-02-30", "value": "1"}, "date"),
        ({"date": 20260301, "value": "1"}, "date"),
        ({"date": "2026-03-01", "value": "1", "segment": "x" * 101}, "segment"),
        ({"value": "1"}, "date"),
        ({"date": "2026-03-01"}, "value"),
    ],
)
def test_a_bad_value_is_422_with_the_field_and_writes_nothing(api, kpi, body, field):
    response = post(api, f"/api/kpis/{kpi.pk}/values", body)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert not KpiValue.objects.exists()


def test_a_body_that_is_not_json_is_400_json(api, kpi):
    response = api.post(f"/api/kpis/{kpi.pk}/values", "{date:", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not valid JSON")
    assert not KpiValue.objects.exists()


def test_a_body_that_is_json_but_not_an_object_is_422(api, kpi):
    response = post(api, f"/api/kpis/{kpi.pk}/values", [1, 2])

    assert response.status_code == 422
    assert not KpiValue.objects.exists()


# Batches -----------------------------------------------------------------------------------


def test_a_batch_writes_the_valid_items_and_reports_the_others_by_index(api, org, kpi):
    second_kpi = KpiFactory(org=org, name="Attrition")
    KpiValue.objects.create(org=org, kpi=kpi, date=date(2026, 1, 5), value=1)
    items = [
        {"kpi": kpi.pk, "date": "2026-01-05", "value": "91"},  # replaces the existing value
        {"kpi": 999999, "date": "2026-01-05", "value": "1"},
        {"kpi": second_kpi.pk, "date": "2026-01-05", "value": "12.5"},
        {"kpi": kpi.pk, "date": "2026-01-12", "value": "1.23456"},
        {"kpi": second_kpi.pk, "date": "2026-01-12", "value": "12", "segment": "EMEA"},
    ]

    response = post(api, "/api/kpi-values/batch", {"items": items})

    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["created"], result["updated"], result["rejected"]) == (2, 1, 2)
    assert [error["index"] for error in result["errors"]] == [1, 3]
    assert result["errors"][0]["errors"] == {"kpi": ["No KPI 999999 in this organisation."]}
    assert list(result["errors"][1]["errors"]) == ["value"]
    assert sorted(KpiValue.objects.values_list("kpi_id", "date", "segment", "value")) == sorted(
        [
            (kpi.pk, date(2026, 1, 5), "", Decimal(91)),
            (second_kpi.pk, date(2026, 1, 5), "", Decimal("12.5")),
            (second_kpi.pk, date(2026, 1, 12), "EMEA", Decimal(12)),
        ]
    )


def test_all_or_nothing_writes_nothing_when_one_item_is_bad(api, kpi):
    items = [
        {"kpi": kpi.pk, "date": "2026-01-05", "value": "91"},
        {"kpi": kpi.pk, "date": "2026-01-12", "value": "1.23456"},
    ]

    response = post(api, "/api/kpi-values/batch?all_or_nothing=true", {"items": items})

    assert response.status_code == 422
    assert response.json()["detail"] == "Nothing was written: 1 of 2 items have errors."
    assert list(response.json()["errors"]) == ["items.1.value"]
    assert not KpiValue.objects.exists()


def test_all_or_nothing_writes_everything_when_every_item_is_good(api, kpi):
    items = [{"kpi": kpi.pk, "date": f"2026-01-0{day}", "value": day} for day in (1, 2, 3)]

    response = post(api, "/api/kpi-values/batch?all_or_nothing=true", {"items": items})

    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert KpiValue.objects.count() == 3


def test_a_batch_over_1000_items_is_refused_whole(api, kpi):
    items = [{"kpi": kpi.pk, "date": "2026-01-01", "value": "1"}] * 1001

    response = post(api, "/api/kpi-values/batch", {"items": items})

    assert response.status_code == 422
    assert "items" in response.json()["errors"]
    assert "1000" in response.json()["errors"]["items"][0]
    assert not KpiValue.objects.exists()


def test_a_batch_of_the_wrong_shape_is_refused_whole_naming_the_item(api, kpi):
    items = [{"kpi": kpi.pk, "date": "2026-01-01", "value": "1"}, {"kpi": "first", "value": []}]

    response = post(api, "/api/kpi-values/batch", {"items": items})

    assert response.status_code == 422
    assert {"items.1.kpi", "items.1.value", "items.1.date"} <= set(response.json()["errors"])
    assert not KpiValue.objects.exists()


def test_a_batch_body_beyond_the_upload_limit_is_413_json(api, kpi, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    items = [{"kpi": kpi.pk, "date": "2026-01-01", "value": "1", "note": "x" * 200}] * 10

    response = api.post(
        "/api/kpi-values/batch", json.dumps({"items": items}), content_type="application/json"
    )

    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not KpiValue.objects.exists()


# Requests --------------------------------------------------------------------------------


def test_a_request_is_added_as_new_through_the_team_form(api, org):
    priority = PriorityWithKpiFactory(org=org, strategy__org=org)
    body = {
        "title": "Negotiation skills for account managers",
        "problem": "Discounts average 18 % against a 10 % target.",
        "audience": "Account managers",
        "audience_size": 60,
        "evidence_kind": "metric",
        "evidence_metric": "Average discount",
        "priority": priority.pk,
        "needed_by": "2027-03-31",
        "impact": "0.5",
        "requester_email": "ana@example.com",
    }

    response = post(api, "/api/requests", body)

    assert response.status_code == 201, response.content
    request = TrainingRequest.objects.get()
    assert response.json()["id"] == request.pk
    assert response.json()["status"] == "new"
    assert request.org == org
    assert request.title == body["title"]
    assert request.priority == priority
    assert request.needed_by == date(2027, 3, 31)
    assert request.impact == "0.5"
    assert request.audience_size == 60
    assert request.source_detail == "API token “LMS”"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"problem": "No title."}, "title"),
        ({"title": "", "problem": "Empty title."}, "title"),
        ({"title": "T", "problem": "P", "requester_email": "not an address"}, "requester_email"),
        ({"title": "T", "problem": "P", "impact": "7"}, "impact"),
        ({"title": "T", "problem": "P", "audience_size": -5}, "audience_size"),
        ({"title": "T", "problem": "P", "audience_size": 2**40}, "audience_size"),
        ({"title": "T\x00", "problem": "P"}, "title"),
    ],
)
def test_a_bad_request_is_422_with_the_field_and_writes_nothing(api, body, field):
    response = post(api, "/api/requests", body)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not TrainingRequest.objects.exists()


def test_a_priority_of_another_organisation_is_refused(api, other_org):
    foreign = PriorityWithKpiFactory(org=other_org, strategy__org=other_org)

    response = post(api, "/api/requests", {"title": "T", "problem": "P", "priority": foreign.pk})

    assert response.status_code == 422
    assert "priority" in response.json()["errors"]
    assert not TrainingRequest.objects.exists()


def test_the_answer_reads_the_value_as_stored(api, kpi):
    written = post(api, f"/api/kpis/{kpi.pk}/values", {"date": "2026-03-01", "value": 12.5})

    [read] = api.get(f"/api/kpis/{kpi.pk}/values").json()["items"]
    assert written.json()["value"] == read["value"] == "12.5000"


def test_an_empty_body_is_422_for_the_body(api, kpi):
    response = api.post(f"/api/kpis/{kpi.pk}/values", "", content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["Field required"]}
