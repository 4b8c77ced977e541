"""The shared page is the Share phase: what we commit to, with owner, accountable leader and
tradeoffs, beside what we are not doing and why; proposals only when the link says so, and
never a field meant for the team only."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap.models import InitiativeStatus, NotDoing, ShareLink, TrainingRequest
from tests.conftest import HTMX
from tests.factories import InitiativeFactory, PersonFactory, TrainingRequestFactory

pytestmark = pytest.mark.django_db

# Inside the roadmap's FY27 (January to December 2027): Q1.
IN_Q1 = datetime(2027, 2, 10, 10, 0, tzinfo=timezone.get_current_timezone())


def open_link(link_token: str) -> str:
    response = Client().get(reverse("roadmap:shared_roadmap", args=[link_token]))
    assert response.status_code == 200
    return response.text


@pytest.fixture
def ledger(org, roadmap, editor_membership):
    """One committed initiative with its people and tradeoffs, one proposal, one declined
    and one deferred request, one option dropped, all in Q1."""
    q1, q2 = list(roadmap.cycles.all())[:2]
    committed = InitiativeFactory(
        roadmap=roadmap,
        cycle=q1,
        title="Manager onboarding toolkit",
        status=InitiativeStatus.COMMITTED,
        owner=PersonFactory(org=org, name="Priya Raman"),
        accountable=PersonFactory(org=org, name="Marcus Chen"),
        tradeoffs="The sales academy refresh waits until Q3.",
    )
    proposal = InitiativeFactory(
        roadmap=roadmap, cycle=q1, title="VR safety simulation", status=InitiativeStatus.PROPOSED
    )
    declined = TrainingRequestFactory(
        org=org,
        title="Time-management course",
        requester_email="secret.requester@northwind.test",
        evidence_notes="Internal: the VP of Sales is unhappy with this team.",
    )
    deferred = TrainingRequestFactory(org=org, title="Excel for finance")
    with time_machine.travel(IN_Q1, tick=False):
        declined.decline(reason="A tools problem, not training.", by=editor_membership.user)
        deferred.defer(cycle=q2, reason="After the ERP migration.", by=editor_membership.user)
    NotDoing.objects.create(
        org=org, roadmap=roadmap, cycle=q1, title="Custom LMS portal", reason="Too costly."
    )
    return {"committed": committed, "proposal": proposal, "q2": q2}


def test_shared_page_shows_commitments_with_people_and_tradeoffs(roadmap, ledger):
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None)
    body = open_link(token)
    assert "Manager onboarding toolkit" in body
    assert "Priya Raman" in body
    assert "Marcus Chen" in body
    assert "The sales academy refresh waits until Q3." in body


def test_shared_page_shows_what_we_are_not_doing_and_why(roadmap, ledger):
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None)
    body = open_link(token)
    assert "What we are not doing" in body
    assert "Time-management course" in body
    assert "A tools problem, not training." in body
    assert "Excel for finance" in body
    assert f"Deferred to {ledger['q2'].name}" in body
    assert "After the ERP migration." in body
    assert "Custom LMS portal" in body
    assert "Too costly." in body


def test_shared_page_never_shows_internal_fields(roadmap, ledger):
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None, include_proposed=True)
    body = open_link(token)
    assert "secret.requester@northwind.test" not in body
    assert "grace@example.com" not in body
    assert "VP of Sales" not in body
    # No way into the workspace from a public page.
    request = TrainingRequest.objects.get(title="Time-management course")
    assert reverse("roadmap:request_detail", args=[request.pk]) not in body
    assert reverse("roadmap:initiative_detail", args=[ledger["committed"].pk]) not in body


def test_shared_page_hides_proposals_by_default(roadmap, ledger):
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None)
    body = open_link(token)
    assert "VR safety simulation" not in body
    assert "Proposed" not in body


def test_a_link_that_includes_proposals_shows_them_marked(roadmap, ledger):
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None, include_proposed=True)
    body = open_link(token)
    assert "VR safety simulation" in body
    assert "Proposed" in body
    assert "Manager onboarding toolkit" in body


def test_stopped_initiatives_are_not_shown_as_commitments(roadmap, ledger):
    InitiativeFactory(roadmap=roadmap, title="Legacy LMS migration", status="stopped")
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None, include_proposed=True)
    assert "Legacy LMS migration" not in open_link(token)


def test_the_share_form_sets_include_proposed(editor_client, roadmap):
    url = reverse("roadmap:share_link_create", args=[roadmap.pk])
    form = editor_client.get(reverse("roadmap:roadmap_share", args=[roadmap.pk])).text
    assert 'name="include_proposed"' in form

    editor_client.post(url, {"label": "Commitments only"}, **HTMX)
    editor_client.post(url, {"label": "With proposals", "include_proposed": "on"}, **HTMX)

    links = dict(ShareLink.objects.values_list("label", "include_proposed"))
    assert links == {"Commitments only": False, "With proposals": True}
