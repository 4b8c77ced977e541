"""Tokens, scopes and tenancy: who may call what, and which organisation they see."""

from __future__ import annotations

import pytest
from django.test import Client

from measurement.models import Kpi, KpiValue
from roadmap.models import Initiative, Roadmap, TrainingRequest
from roadmap_site.models import ApiToken
from strategy.models import Priority
from tests.factories import KpiFactory, RoadmapFactory
from tests.roadmap.api.conftest import bearer

pytestmark = pytest.mark.django_db

READS = ["/api/roadmaps", "/api/initiatives", "/api/priorities", "/api/kpis", "/api/requests"]


@pytest.mark.parametrize("path", READS)
def test_without_a_token_every_read_is_401_json(path, seeded):
    response = Client().get(path)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Bearer" in response["WWW-Authenticate"]
    assert "Authorization: Bearer <key>.<secret>" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer nodot",
        "Bearer .secret",
        "Basic dXNlcjpwYXNz",
        "Token abc.def",
    ],
)
def test_malformed_credentials_are_401(header, seeded):
    response = Client(headers={"Authorization": header}).get("/api/roadmaps")

    assert response.status_code == 401


def test_a_right_key_with_a_wrong_secret_is_401(org, seeded):
    token, credentials = ApiToken.issue(org=org, name="X", scope="read", created_by=None)
    wrong = f"{token.key}.{'x' * 43}"

    assert bearer(credentials).get("/api/roadmaps").status_code == 200
    assert bearer(wrong).get("/api/roadmaps").status_code == 401


def test_a_read_token_reads_but_may_not_write(reader, kpi):
    assert reader.get("/api/kpis").status_code == 200

    response = reader.post(
        f"/api/kpis/{kpi.pk}/values",
        {"date": "2026-03-01", "value": "80"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert "write scope" in response.json()["detail"]
    assert not KpiValue.objects.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/requests", {"title": "Onboarding", "problem": "Slow ramp-up."}),
        ("/api/kpi-values/batch", {"items": []}),
    ],
)
def test_every_write_refuses_a_read_token(reader, path, body, row_counts, seeded):
    before = row_counts()

    response = reader.post(path, body, content_type="application/json")

    assert response.status_code == 403
    assert row_counts() == before


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/api/roadmaps", Roadmap),
        ("/api/initiatives", Initiative),
        ("/api/priorities", Priority),
        ("/api/kpis", Kpi),
        ("/api/requests", TrainingRequest),
    ],
)
def test_each_list_holds_exactly_its_organisations_rows(
    api, outsider_api, org, other_org, seeded, path, model
):
    ours = {item["id"] for item in api.get(path).json()["items"]}
    theirs = {item["id"] for item in outsider_api.get(path).json()["items"]}

    assert ours == set(model.objects.filter(org=org).values_list("pk", flat=True))
    assert theirs == set(model.objects.filter(org=other_org).values_list("pk", flat=True))
    assert ours
    assert theirs


def test_another_organisations_kpi_is_404_for_reads_and_writes(api, other_org, seeded):
    foreign = KpiFactory(org=other_org, name="Their KPI")

    assert api.get(f"/api/kpis/{foreign.pk}").status_code == 404
    values = api.get(f"/api/kpis/{foreign.pk}/values")
    assert values.status_code == 404
    assert values.json() == {"detail": f"No KPI {foreign.pk} in this organisation."}
    written = api.post(
        f"/api/kpis/{foreign.pk}/values",
        {"date": "2026-03-01", "value": "1"},
        content_type="application/json",
    )
    assert written.status_code == 404
    assert not KpiValue.objects.filter(kpi=foreign).exists()


def test_filtering_by_another_organisations_roadmap_is_404(api, other_org, seeded):
    foreign = RoadmapFactory(org=other_org)
    foreign_cycle = foreign.cycles.first()

    assert api.get(f"/api/initiatives?roadmap={foreign.pk}").status_code == 404
    assert api.get(f"/api/initiatives?cycle={foreign_cycle.pk}").status_code == 404


def test_an_id_too_large_for_the_database_is_422_not_a_crash(api, seeded):
    huge = 2**63

    assert api.get(f"/api/kpis/{huge}/values").status_code == 422
    assert api.get(f"/api/initiatives?roadmap={huge}").status_code == 422


@pytest.mark.parametrize("path", ["/api/nothing", "/api/roadmaps/", "/api/kpis/1/other"])
def test_an_unknown_api_path_is_a_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert "/api/docs" in response.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/api/requests", "/api/kpi-values/batch", "/api/kpis/1/values"], ids=str
)
def test_without_a_token_every_write_is_401_and_writes_nothing(path, seeded, row_counts):
    before = row_counts()

    response = Client().post(path, {"items": []}, content_type="application/json")

    assert response.status_code == 401
    assert row_counts() == before
