"""Counts read as English: "1 person", "2 people", "1 person-day", "1 day"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from roadmap.models import InitiativeStatus
from tests.factories import InitiativeFactory, PersonFactory, StageFactory, TrainingRequestFactory

pytestmark = pytest.mark.django_db


def test_people_page_counts_one_person(viewer_client, person):
    text = viewer_client.get(reverse("people")).text
    assert "1 person</h2>" in text
    assert "1 people" not in text


def test_people_page_counts_two_people(viewer_client, person, org):
    PersonFactory(org=org, name="Ama Boateng")
    assert "2 people</h2>" in viewer_client.get(reverse("people")).text


@pytest.fixture
def committed(roadmap, person):
    return InitiativeFactory(
        roadmap=roadmap,
        title="Manager onboarding toolkit",
        owner=person,
        status=InitiativeStatus.COMMITTED,
        people=1,
        days=1,
    )


def test_align_ledger_says_one_person_and_one_person_day(viewer_client, committed):
    text = viewer_client.get(reverse("roadmap:roadmap_align", args=[committed.roadmap_id])).text
    assert "1 person<br>" in text
    assert "1 person-day</td>" in text  # the row
    assert "1 person-day</td><td></td></tr></tfoot>" in text  # the cycle's total
    assert "1 people" not in text
    assert "1 person-days" not in text


def test_align_ledger_keeps_plurals_for_more(viewer_client, committed):
    committed.people, committed.days = 3, 12
    committed.save()
    text = viewer_client.get(reverse("roadmap:roadmap_align", args=[committed.roadmap_id])).text
    assert "3 people<br>" in text
    assert "12 person-days</td>" in text


def test_initiative_page_says_one_person_and_one_person_day(viewer_client, committed):
    text = viewer_client.get(reverse("roadmap:initiative_detail", args=[committed.pk])).text
    assert "1 person · 1 person-day</dd>" in text


def test_request_effort_of_one_person_day(viewer_client, org):
    item = TrainingRequestFactory(org=org, effort_days=1)
    text = viewer_client.get(reverse("roadmap:request_detail", args=[item.pk])).text
    assert "1 person-day</dd>" in text


@pytest.mark.parametrize(
    ("effort", "plan_page", "initiative_page"),
    [
        (Decimal(1), "1 day", "1 person-day<"),
        (Decimal("1.5"), "1.5 days", "1.50 person-days<"),
        (Decimal(2), "2 days", "2 person-days<"),
    ],
)
def test_stage_effort_reads_right(viewer_client, committed, effort, plan_page, initiative_page):
    StageFactory(initiative=committed, effort_days=effort)
    plan = viewer_client.get(reverse("roadmap:roadmap_plan", args=[committed.roadmap_id])).text
    assert f'<span class="stage-effort">{plan_page}' in plan
    page = viewer_client.get(reverse("roadmap:initiative_plan", args=[committed.pk])).text
    assert f"<span>{initiative_page}/span>" in page


@pytest.mark.parametrize(
    ("how_many", "message"), [(1, "1 request updated."), (2, "2 requests updated.")]
)
def test_bulk_triage_counts_the_requests_it_updated(editor_client, org, how_many, message):
    picked = [TrainingRequestFactory(org=org).pk for _ in range(how_many)]
    response = editor_client.post(
        reverse("roadmap:request_bulk"),
        {"requests": picked, "action": "decline", "reason": "Not this year."},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [message]
