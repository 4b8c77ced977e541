"""Roadmaps and their quarterly cycles; initiatives created and edited inline with htmx."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from roadmap.models import Cycle, Initiative, InitiativeStatus, Roadmap
from tests.conftest import HTMX
from tests.factories import PersonFactory, RoadmapFactory

pytestmark = pytest.mark.django_db


def cycles_of(roadmap: Roadmap) -> list[tuple[str, date, date]]:
    return [(c.name, c.start, c.end) for c in roadmap.cycles.order_by("position")]


# Roadmaps and cycles ----------------------------------------------------------------


def test_create_roadmap_makes_four_quarters_fiscal_year_in_january(editor_client, org):
    response = editor_client.post(
        reverse("roadmap:roadmap_create"),
        {"title": "Global onboarding roadmap", "description": "", "fiscal_year": 2027},
    )

    roadmap = Roadmap.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    assert roadmap.org == org
    assert roadmap.created_by.email == "editor@northwind.test"
    assert (roadmap.period_start, roadmap.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert cycles_of(roadmap) == [
        ("Q1 FY27", date(2027, 1, 1), date(2027, 3, 31)),
        ("Q2 FY27", date(2027, 4, 1), date(2027, 6, 30)),
        ("Q3 FY27", date(2027, 7, 1), date(2027, 9, 30)),
        ("Q4 FY27", date(2027, 10, 1), date(2027, 12, 31)),
    ]
    assert all(cycle.org_id == org.pk for cycle in roadmap.cycles.all())


def test_create_roadmap_fiscal_year_starting_in_february(editor_client, org):
    org.fiscal_year_start_month = 2
    org.save()

    editor_client.post(
        reverse("roadmap:roadmap_create"), {"title": "Onboarding", "fiscal_year": 2027}
    )

    roadmap = Roadmap.objects.get()
    assert (roadmap.period_start, roadmap.period_end) == (date(2026, 2, 1), date(2027, 1, 31))
    assert cycles_of(roadmap) == [
        ("Q1 FY27", date(2026, 2, 1), date(2026, 4, 30)),
        ("Q2 FY27", date(2026, 5, 1), date(2026, 7, 31)),
        ("Q3 FY27", date(2026, 8, 1), date(2026, 10, 31)),
        ("Q4 FY27", date(2026, 11, 1), date(2027, 1, 31)),
    ]


@pytest.mark.parametrize(
    ("start_month", "today", "fiscal_year"),
    # The year that holds most of the coming twelve months, not the one ending tomorrow.
    [(1, date(2026, 12, 31), 2027), (2, date(2026, 1, 31), 2027), (2, date(2026, 2, 1), 2027)],
)
def test_new_roadmap_form_proposes_the_fiscal_year_ahead(
    client_for, org, start_month, today, fiscal_year
):
    org.fiscal_year_start_month = start_month
    org.save()
    with time_machine.travel(today, tick=False):
        # Signed in on that day, so the session is not expired there.
        client = client_for("editor")
        response = client.get(reverse("roadmap:roadmap_create"))
    assert response.context["form"]["fiscal_year"].initial == fiscal_year


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "fiscal_year": 2027},
        {"title": "No year", "fiscal_year": ""},
        {"title": "Far future", "fiscal_year": 3000},
    ],
)
def test_invalid_roadmap_writes_nothing(editor_client, row_counts, data):
    before = row_counts()
    response = editor_client.post(reverse("roadmap:roadmap_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert row_counts() == before


def test_roadmap_list_shows_own_roadmaps_with_counts(editor_client, roadmap, other_org):
    Initiative.objects.create(org=roadmap.org, roadmap=roadmap, title="One")
    RoadmapFactory(org=other_org, title="Contoso secret plan")
    response = editor_client.get(reverse("roadmap:roadmap_list"))
    assert [r.title for r in response.context["roadmaps"]] == [roadmap.title]
    assert response.context["roadmaps"][0].initiative_count == 1
    assert "Contoso secret plan" not in response.text


# Initiatives: create ----------------------------------------------------------------


def test_initiative_create_via_htmx_returns_the_row_and_triggers_refresh(
    editor_client, roadmap, person
):
    q2 = roadmap.cycles.get(name="Q2 FY27")
    response = editor_client.post(
        reverse("roadmap:initiative_create", args=[roadmap.pk]),
        {
            "title": "Manager onboarding toolkit",
            "problem": "Managers do not know what to do.",
            "owner": person.pk,
            "cycle": q2.pk,
            "status": InitiativeStatus.COMMITTED,
        },
        **HTMX,
    )

    assert response.status_code == 200
    initiative = Initiative.objects.get()
    assert (initiative.roadmap, initiative.org, initiative.owner, initiative.cycle) == (
        roadmap,
        roadmap.org,
        person,
        q2,
    )
    assert initiative.status == InitiativeStatus.COMMITTED
    body = response.text
    assert "<html" not in body
    assert body.lstrip().startswith(f'<li class="initiative" id="initiative-{initiative.pk}"')
    assert "Manager onboarding toolkit" in body
    assert person.name in body
    assert "Q2 FY27" in body
    assert "roadmap-changed" in json.loads(response["HX-Trigger"])


def test_initiative_create_without_htmx_redirects(editor_client, roadmap):
    response = editor_client.post(
        reverse("roadmap:initiative_create", args=[roadmap.pk]),
        {"title": "Buddy programme", "status": InitiativeStatus.PROPOSED},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    assert Initiative.objects.get().title == "Buddy programme"


def test_invalid_initiative_via_htmx_returns_the_form_with_its_error(
    editor_client, roadmap, row_counts
):
    before = row_counts()
    response = editor_client.post(
        reverse("roadmap:initiative_create", args=[roadmap.pk]),
        {"title": "", "status": InitiativeStatus.PROPOSED},
        **HTMX,
    )

    assert response.status_code == 200  # htmx swaps 2xx only
    assert response["HX-Retarget"] == "#initiative-form"
    assert response["HX-Reswap"] == "outerHTML"
    body = response.text
    assert "<html" not in body
    assert body.lstrip().startswith('<form id="initiative-form"')
    assert "This field is required." in body
    assert "HX-Trigger" not in response
    assert row_counts() == before


def test_invalid_initiative_without_htmx_is_a_400_page(editor_client, roadmap, row_counts):
    before = row_counts()
    response = editor_client.post(
        reverse("roadmap:initiative_create", args=[roadmap.pk]), {"title": "", "status": "x"}
    )
    assert response.status_code == 400
    assert "<html" in response.text
    assert set(response.context["initiative_form"].errors) == {"title", "status"}
    assert row_counts() == before


@pytest.mark.parametrize("field", ["owner", "accountable"])
def test_tampered_person_from_another_org_is_refused(
    editor_client, roadmap, other_org, row_counts, field
):
    stranger = PersonFactory(org=other_org, name="Contoso Person")
    before = row_counts()
    response = editor_client.post(
        reverse("roadmap:initiative_create", args=[roadmap.pk]),
        {"title": "Sneaky", "status": InitiativeStatus.PROPOSED, field: stranger.pk},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#initiative-form"
    assert "Select a valid choice" in response.text
    assert row_counts() == before


def test_tampered_cycle_from_another_roadmap_is_refused(editor_client, roadmap, org, row_counts):
    other_cycle = RoadmapFactory(org=org, title="Another").cycles.first()
    before = row_counts()
    response = editor_client.post(
        reverse("roadmap:initiative_create", args=[roadmap.pk]),
        {"title": "Sneaky", "status": InitiativeStatus.PROPOSED, "cycle": other_cycle.pk},
        **HTMX,
    )
    assert "Select a valid choice" in response.text
    assert row_counts() == before


def test_model_clean_refuses_people_and_cycles_from_elsewhere(roadmap, other_org):
    from django.core.exceptions import ValidationError

    stranger = PersonFactory(org=other_org)
    other_cycle = RoadmapFactory(org=roadmap.org).cycles.first()
    for fields in ({"owner": stranger}, {"accountable": stranger}, {"cycle": other_cycle}):
        initiative = Initiative(org=roadmap.org, roadmap=roadmap, title="x", **fields)
        with pytest.raises(ValidationError) as error:
            initiative.clean()
        assert set(error.value.message_dict) == set(fields)


# Initiatives: inline edit -----------------------------------------------------------


def test_inline_edit_get_returns_the_edit_fragment(editor_client, initiative):
    response = editor_client.get(reverse("roadmap:initiative_edit", args=[initiative.pk]), **HTMX)
    assert response.status_code == 200
    body = response.text
    assert "<html" not in body
    assert body.lstrip().startswith(
        f'<li class="initiative editing" id="initiative-{initiative.pk}"'
    )
    assert f'value="{initiative.title}"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_inline_edit_post_saves_and_returns_the_row(editor_client, initiative, roadmap):
    q3 = roadmap.cycles.get(name="Q3 FY27")
    response = editor_client.post(
        reverse("roadmap:initiative_edit", args=[initiative.pk]),
        {
            "title": "Manager toolkit v2",
            "status": InitiativeStatus.IN_PROGRESS,
            "owner": initiative.owner_id,
            "cycle": q3.pk,
        },
        **HTMX,
    )

    assert response.status_code == 200
    initiative.refresh_from_db()
    assert (initiative.title, initiative.status, initiative.cycle) == (
        "Manager toolkit v2",
        InitiativeStatus.IN_PROGRESS,
        q3,
    )
    body = response.text
    assert "<html" not in body
    assert body.lstrip().startswith(f'<li class="initiative" id="initiative-{initiative.pk}"')
    assert "Manager toolkit v2" in body
    assert "Q3 FY27" in body
    assert "roadmap-changed" in json.loads(response["HX-Trigger"])


def test_inline_edit_invalid_returns_the_edit_fragment_and_keeps_the_row(editor_client, initiative):
    response = editor_client.post(
        reverse("roadmap:initiative_edit", args=[initiative.pk]),
        {"title": "", "status": InitiativeStatus.DELIVERED},
        **HTMX,
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert 'class="initiative editing"' in response.text
    initiative.refresh_from_db()
    assert (initiative.title, initiative.status) == (
        "Manager onboarding toolkit",
        InitiativeStatus.PROPOSED,
    )


def test_inline_edit_refuses_a_person_from_another_org(editor_client, initiative, other_org):
    stranger = PersonFactory(org=other_org)
    editor_client.post(
        reverse("roadmap:initiative_edit", args=[initiative.pk]),
        {"title": initiative.title, "status": initiative.status, "owner": stranger.pk},
        **HTMX,
    )
    initiative.refresh_from_db()
    assert initiative.owner.org_id == initiative.org_id


def test_initiative_detail_fragment_is_the_row(editor_client, initiative):
    response = editor_client.get(reverse("roadmap:initiative_detail", args=[initiative.pk]), **HTMX)
    assert "<html" not in response.text
    assert f'id="initiative-{initiative.pk}"' in response.text
    full = editor_client.get(reverse("roadmap:initiative_detail", args=[initiative.pk]))
    assert "<html" in full.text


def test_chart_fragment_counts_initiatives_per_cycle(editor_client, roadmap, initiative):
    Initiative.objects.create(org=roadmap.org, roadmap=roadmap, title="Later")
    response = editor_client.get(reverse("roadmap:roadmap_chart", args=[roadmap.pk]), **HTMX)
    assert "<html" not in response.text
    rows = {row["name"]: row["total"] for row in response.context["per_cycle"]}
    assert rows == {"Q1 FY27": 1, "Q2 FY27": 0, "Q3 FY27": 0, "Q4 FY27": 0, "Unscheduled": 1}
    assert 'id="chart-initiatives-per-cycle" type="application/json"' in response.text


def test_cycles_are_unique_per_roadmap(roadmap):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            org=roadmap.org,
            roadmap=roadmap,
            name="Q1 FY27",
            start=roadmap.period_start,
            end=roadmap.period_end,
        )
