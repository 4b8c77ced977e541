"""Iterate pages: who may read and decide, refused input, and query counts pinned."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from measurement import engagement, surveys
from measurement.models import Program
from roadmap import iterate
from roadmap.models import Decision, Initiative, InitiativeStatus, RoadmapReview
from tests.factories import InitiativeFactory, PriorityWithKpiFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 15, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def journey(roadmap, person):
    return InitiativeFactory(
        roadmap=roadmap, title="Journey", owner=person, status=InitiativeStatus.COMMITTED
    )


def digest_of(initiative) -> str:
    fresh = Initiative.objects.for_ledger().get(pk=initiative.pk)
    panel = iterate.evidence_panels(initiative.org, [fresh], NOW.date())[initiative.pk]
    return iterate.evidence_digest(panel)


def decide(client, initiative, **data):
    data.setdefault("evidence_digest", digest_of(initiative))
    return client.post(reverse("roadmap:initiative_iterate", args=[initiative.pk]), data)


# Who may read and write ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("editor", 200), ("viewer", 200), ("outsider", 404)]
)
def test_pages_by_role(client_for, roadmap, journey, role, status, admin_membership):
    review = iterate.run_review(roadmap=roadmap, by=admin_membership.user, quarter_start=NOW.date())
    client = client_for(role)
    for url in [
        reverse("roadmap:roadmap_iterate", args=[roadmap.pk]),
        reverse("roadmap:initiative_iterate", args=[journey.pk]),
        reverse("roadmap:review_create", args=[roadmap.pk]),
        reverse("roadmap:review_detail", args=[review.pk]),
    ]:
        assert client.get(url).status_code == status, url


def test_viewer_sees_no_forms(viewer_client, roadmap, journey):
    page = viewer_client.get(reverse("roadmap:initiative_iterate", args=[journey.pk])).text
    assert "Record the decision" not in page
    page = viewer_client.get(reverse("roadmap:review_create", args=[roadmap.pk])).text
    assert "Record the review" not in page


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("outsider", 404)])
def test_viewer_cannot_decide_nor_review_and_outsider_finds_nothing(
    client_for, roadmap, journey, role, status
):
    client = client_for(role)
    response = decide(client, journey, kind="keep", rationale="Fine.")
    assert response.status_code == status
    response = client.post(
        reverse("roadmap:review_create", args=[roadmap.pk]), {"quarter": "2026-10-01"}
    )
    assert response.status_code == status
    assert not Decision.objects.exists() and not RoadmapReview.objects.exists()


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_writers_decide_and_review(client_for, roadmap, journey, role):
    client = client_for(role)
    response = decide(client, journey, kind="scale", rationale="Usage doubles each month.")
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("roadmap:roadmap_iterate", args=[roadmap.pk]) + f"#i{journey.pk}"
    )
    decision = Decision.objects.get()
    assert (decision.kind, decision.rationale) == ("scale", "Usage doubles each month.")
    assert decision.evidence["initiative"] == {"id": journey.pk, "title": "Journey"}
    response = client.post(
        reverse("roadmap:review_create", args=[roadmap.pk]),
        {"quarter": "2026-07-01", "notes": "Scaled the journey."},
    )
    review = RoadmapReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:review_detail", args=[review.pk])
    assert review.quarter_label == "Q3 FY26"
    decision.refresh_from_db()
    assert decision.review == review
    page = client.get(response["Location"]).text
    assert "Scaled the journey." in page and "Usage doubles each month." in page


# Refused input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "keep", "rationale": ""}, "This field is required."),
        ({"kind": "stop", "rationale": "Vendor failed."}, "Write what we learned"),
        ({"kind": "pause", "rationale": "Hm."}, "Select a valid choice."),
        ({"kind": "keep", "rationale": "x" * 4001}, "at most 4000 characters"),
        (
            {"kind": "keep", "rationale": "Fine.", "evidence_digest": "0" * 64},
            "The evidence changed since this page was shown",
        ),
    ],
)
def test_refused_decisions_write_nothing(admin_client, journey, row_counts, data, error):
    before = row_counts()
    response = decide(admin_client, journey, **data)
    assert response.status_code == 400
    assert error in response.text
    assert row_counts() == before
    journey.refresh_from_db()
    assert journey.status == InitiativeStatus.COMMITTED


def test_evidence_that_changed_after_the_page_was_shown_is_not_decided_on(
    admin_client, org, journey
):
    shown = digest_of(journey)
    program = Program.objects.for_initiative(journey)
    surveys.record_response(org=org, program=program, score=0, responded_on=date(2026, 11, 1))
    response = decide(admin_client, journey, kind="keep", rationale="Fine.", evidence_digest=shown)
    assert response.status_code == 400
    assert "The evidence changed" in response.text
    # The form now carries the new evidence's fingerprint: sent again, it is recorded.
    assert digest_of(journey) in response.text
    assert decide(admin_client, journey, kind="keep", rationale="Fine.").status_code == 302


def test_a_stopped_initiative_takes_no_decision(admin_client, journey):
    assert (
        decide(
            admin_client, journey, kind="stop", rationale="No uptake.", learnings="Ask first."
        ).status_code
        == 302
    )
    journey.refresh_from_db()
    assert journey.status == InitiativeStatus.STOPPED
    page = admin_client.get(reverse("roadmap:initiative_iterate", args=[journey.pk])).text
    assert "Record the decision" not in page and "Ask first." in page
    response = decide(admin_client, journey, kind="keep", rationale="Back on.")
    assert response.status_code == 400
    assert "it takes no more decisions" in response.text
    assert Decision.objects.count() == 1


def test_a_tampered_quarter_is_refused(admin_client, roadmap, row_counts):
    before = row_counts()
    response = admin_client.post(
        reverse("roadmap:review_create", args=[roadmap.pk]), {"quarter": "2020-01-01"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert row_counts() == before


# Queries pinned ------------------------------------------------------------------------


def build(roadmap, n, start=0):
    priority = PriorityWithKpiFactory(org=roadmap.org)
    for k in range(start, start + n):
        initiative = InitiativeFactory(
            roadmap=roadmap, title=f"Initiative {k}", status=InitiativeStatus.COMMITTED,
            priority=priority,
        )  # fmt: skip
        program = Program.objects.for_initiative(initiative)
        engagement.set_eligible(program=program, month=date(2026, 10, 1), count=10)
        iterate.record_decision(
            initiative=initiative, kind="keep", rationale="Fine.", evidence={}, by=None
        )


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_iterate_page_queries_do_not_grow(
    client_for, roadmap, django_assert_num_queries, role, admin_membership
):
    client = client_for(role)
    url = reverse("roadmap:roadmap_iterate", args=[roadmap.pk])
    build(roadmap, 2)
    iterate.run_review(roadmap=roadmap, by=admin_membership.user, quarter_start=NOW.date())
    client.get(url)  # the session and membership, warmed
    # 22: the evidence panels (10, the reviewers' comments one of them), the page's own reads.
    with django_assert_num_queries(21, info=role) as small:
        assert client.get(url).status_code == 200
    build(roadmap, 12, start=2)
    with django_assert_num_queries(len(small)):
        page = client.get(url).text
    assert page.count('class="iterate-item"') == 14


def test_review_pages_queries_do_not_grow(
    admin_client, roadmap, django_assert_num_queries, admin_membership
):
    user = admin_membership.user
    build(roadmap, 2)
    first = iterate.run_review(roadmap=roadmap, by=user, quarter_start=date(2026, 7, 1))
    build(roadmap, 1, start=2)
    second = iterate.run_review(roadmap=roadmap, by=user, quarter_start=NOW.date())
    create_url = reverse("roadmap:review_create", args=[roadmap.pk])
    detail_url = reverse("roadmap:review_detail", args=[second.pk])
    admin_client.get(detail_url)
    with django_assert_num_queries(7) as detail:
        admin_client.get(detail_url)
    with django_assert_num_queries(14) as create:
        admin_client.get(create_url)
    build(roadmap, 12, start=3)
    third = iterate.run_review(roadmap=roadmap, by=user, quarter_start=NOW.date())
    with django_assert_num_queries(len(detail)):
        page = admin_client.get(reverse("roadmap:review_detail", args=[third.pk])).text
    assert page.count('class="diff-item"') == 12  # twelve added
    build(roadmap, 5, start=15)
    with django_assert_num_queries(len(create)):
        admin_client.get(create_url)
    assert first.pk != third.pk
