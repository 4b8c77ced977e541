"""Reading: what each list says, its filters, cursor pages, and a constant query count."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from measurement.models import KpiValue
from roadmap.models import InitiativeStatus, TrainingRequestState
from strategy.models import Strategy
from tests.factories import (
    InitiativeFactory,
    KpiFactory,
    KpiValueFactory,
    PersonFactory,
    PriorityWithKpiFactory,
    RoadmapFactory,
    StartedStrategyFactory,
    TrainingRequestFactory,
)

pytestmark = pytest.mark.django_db


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_roadmaps_say_title_year_and_period(api, roadmap):
    [item] = items(api.get("/api/roadmaps"))

    assert item["id"] == roadmap.pk
    assert item["title"] == "Global onboarding roadmap"
    assert item["fiscal_year"] == 2027
    assert item["period_start"] == "2027-01-01"
    assert item["period_end"] == "2027-12-31"


def test_initiatives_name_their_people_and_cycle(api, org, initiative):
    initiative.accountable = PersonFactory(org=org, name="Dana Leader")
    initiative.save()

    [item] = items(api.get("/api/initiatives"))

    assert item["title"] == "Manager onboarding toolkit"
    assert item["owner"] == "Priya Raman"
    assert item["accountable"] == "Dana Leader"
    assert item["cycle"] == initiative.cycle.name
    assert item["cycle_id"] == initiative.cycle_id
    assert item["status"] == "proposed"


def test_initiatives_filter_by_roadmap_status_and_cycle(api, org, roadmap, initiative):
    q1, q2 = roadmap.cycles.all()[:2]
    committed = InitiativeFactory(roadmap=roadmap, cycle=q2, status=InitiativeStatus.COMMITTED)
    other_roadmap = RoadmapFactory(org=org, fiscal_year=2028)
    elsewhere = InitiativeFactory(roadmap=other_roadmap)

    def ids(query: str) -> set[int]:
        return {item["id"] for item in items(api.get(f"/api/initiatives?{query}"))}

    assert ids("") == {initiative.pk, committed.pk, elsewhere.pk}
    assert ids(f"roadmap={roadmap.pk}") == {initiative.pk, committed.pk}
    assert ids("status=committed") == {committed.pk}
    assert ids(f"cycle={q1.pk}") == {initiative.pk}
    assert ids(f"roadmap={roadmap.pk}&status=proposed&cycle={q2.pk}") == set()


def test_an_unknown_status_is_422_naming_the_choices(api, seeded):
    response = api.get("/api/initiatives?status=finished")

    assert response.status_code == 422
    assert "status" in response.json()["errors"]
    assert "'in_progress'" in response.json()["detail"]


def test_priorities_name_their_business_owner(api, org):
    priority = PriorityWithKpiFactory(
        org=org, strategy__org=org, business_owner__name="Ana Ruiz", capability="Retain managers"
    )

    [item] = items(api.get("/api/priorities"))

    assert item["capability"] == "Retain managers"
    assert item["business_owner"] == "Ana Ruiz"
    assert item["kpi_id"] == priority.kpi_id


def test_kpis_carry_their_latest_overall_value_and_status(api, org):
    """Lower is better, 100 on 1 Jan 2026 → 60 on 31 Dec 2026 (364 days). On 2 Jul 2026,
    182 days in, the line is at 100 - 40 * 182 / 364 = 80. The tolerance is 10 % of the 40
    planned: 4. So 79 is on track, 83 (3 behind) at risk, 90 (10 behind) off track."""
    cases = {"on": "79", "risk": "83", "off": "90"}
    kpis = {}
    for name, latest in cases.items():
        kpis[name] = KpiFactory(org=org, name=name)
        KpiValueFactory(kpi=kpis[name], date=date(2026, 3, 1), value=Decimal("97"))
        KpiValueFactory(kpi=kpis[name], date=date(2026, 7, 2), value=Decimal(latest))
        # A segment's value is a breakdown: never the latest overall value.
        KpiValueFactory(kpi=kpis[name], date=date(2026, 8, 1), segment="EMEA", value=0)
    empty = KpiFactory(org=org, name="empty")

    by_name = {item["name"]: item for item in items(api.get("/api/kpis"))}

    assert {name: by_name[name]["status"] for name in cases} == {
        "on": "on_track",
        "risk": "at_risk",
        "off": "off_track",
    }
    for name, latest in cases.items():
        assert by_name[name]["latest_value"] == f"{latest}.0000"  # as a value reads
        assert by_name[name]["latest_date"] == "2026-07-02"
    assert by_name[empty.name]["status"] == "no_data"
    assert by_name[empty.name]["latest_value"] is None


def test_a_kpis_values_include_segments(api, kpi):
    overall = KpiValueFactory(kpi=kpi, date=date(2026, 3, 1), value=Decimal("88.5"))
    segment = KpiValueFactory(kpi=kpi, date=date(2026, 3, 1), segment="EMEA", value=Decimal(70))

    listed = items(api.get(f"/api/kpis/{kpi.pk}/values"))

    assert [(v["id"], v["segment"], Decimal(v["value"])) for v in listed] == [
        (overall.pk, "", Decimal("88.5")),
        (segment.pk, "EMEA", Decimal(70)),
    ]


def test_requests_filter_by_status(api, org):
    new = TrainingRequestFactory(org=org)
    assessing = TrainingRequestFactory(org=org, state=TrainingRequestState.ASSESSING)

    assert {r["id"] for r in items(api.get("/api/requests"))} == {new.pk, assessing.pk}
    [only] = items(api.get("/api/requests?status=assessing"))
    assert only["id"] == assessing.pk
    assert only["status"] == "assessing"
    assert items(api.get("/api/requests?status=declined")) == []


# Cursor pages ---------------------------------------------------------------------------


def test_cursor_pages_walk_every_row_once_in_id_order(api, kpi):
    values = KpiValueFactory.create_batch(5, kpi=kpi)
    seen, cursor, pages = [], "", 0
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = api.get(f"/api/kpis/{kpi.pk}/values{query}").json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(v.pk for v in values)
    assert pages == 3


def test_a_cursor_stays_valid_while_rows_are_added(api, kpi):
    first, second = KpiValueFactory.create_batch(2, kpi=kpi)
    page = api.get(f"/api/kpis/{kpi.pk}/values?limit=1").json()
    later = KpiValueFactory(kpi=kpi)

    rest = api.get(f"/api/kpis/{kpi.pk}/values?limit=5&cursor={page['next_cursor']}").json()

    assert [item["id"] for item in page["items"]] == [first.pk]
    assert [item["id"] for item in rest["items"]] == [second.pk, later.pk]
    assert rest["next_cursor"] is None


def test_limit_is_capped_at_200(api, org, kpi):
    KpiValue.objects.bulk_create(
        KpiValue(org=org, kpi=kpi, date=date(2020, 1, 1) + timedelta(days=n), value=n)
        for n in range(201)
    )

    page = api.get(f"/api/kpis/{kpi.pk}/values?limit=1000").json()

    assert len(page["items"]) == 200
    assert page["next_cursor"] is not None


@pytest.mark.parametrize("cursor", ["abc", "MTIz", "1:2:3"])
def test_a_cursor_not_made_by_the_api_is_400(api, seeded, cursor):
    response = api.get(f"/api/roadmaps?cursor={cursor}")

    assert response.status_code == 400
    assert "cursor" in response.json()["detail"]


@pytest.mark.parametrize("limit", ["0", "-1", "many"])
def test_a_limit_below_one_or_not_a_number_is_422(api, seeded, limit):
    response = api.get(f"/api/roadmaps?limit={limit}")

    assert response.status_code == 422
    assert "limit" in response.json()["errors"]


# Query counts ---------------------------------------------------------------------------


def _grow(org, roadmap, n: int) -> None:
    """n more of every kind of row, each with the relations its list shows."""
    strategy = Strategy.objects.filter(org=org).first() or StartedStrategyFactory(org=org)
    for _ in range(n):
        owner = PersonFactory(org=org)
        InitiativeFactory(roadmap=roadmap, owner=owner, accountable=owner)
        PriorityWithKpiFactory(strategy=strategy)
        kpi = KpiFactory(org=org, owner=owner)
        KpiValueFactory.create_batch(2, kpi=kpi)
        TrainingRequestFactory(org=org)


@pytest.mark.parametrize(
    "path", ["/api/roadmaps", "/api/initiatives", "/api/priorities", "/api/kpis", "/api/requests"]
)
def test_lists_take_the_same_queries_however_many_rows(
    api, org, roadmap, path, django_assert_num_queries
):
    _grow(org, roadmap, 2)
    api.get(path)  # the token's last use is written once a minute: not in the counts below
    # Savepoint, token (with its organisation), the page, savepoint release.
    with django_assert_num_queries(4):
        small = api.get(path)
    _grow(org, roadmap, 20)
    RoadmapFactory(org=org, fiscal_year=2028)
    with django_assert_num_queries(4):
        large = api.get(path)

    assert len(large.json()["items"]) > len(small.json()["items"])


def test_a_kpis_values_take_the_same_queries_however_many(api, kpi, django_assert_num_queries):
    KpiValueFactory.create_batch(2, kpi=kpi)
    api.get(f"/api/kpis/{kpi.pk}/values")
    # Savepoint, token, the KPI, the page, release.
    with django_assert_num_queries(5):
        api.get(f"/api/kpis/{kpi.pk}/values")
    KpiValueFactory.create_batch(30, kpi=kpi)
    with django_assert_num_queries(5):
        assert len(api.get(f"/api/kpis/{kpi.pk}/values").json()["items"]) == 32
