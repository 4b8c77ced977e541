"""The public intake form and the requester's private status link: no account needed,
rate-limited, spam-resistant; a status link only ever opens its own request."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from roadmap.forms import PublicTrainingRequestForm
from roadmap.models import AssessSettings, TrainingRequest, TrainingRequestState
from roadmap_site.models import hash_token
from tests.factories import PriorityFactory, TrainingRequestFactory

pytestmark = pytest.mark.django_db


def valid_data(**overrides) -> dict:
    with time_machine.travel(time.time() - 60, tick=False):  # opened a minute ago
        started = PublicTrainingRequestForm.stamp()
    return {
        "requester_name": "Grace Kim",
        "requester_email": "grace@example.com",
        "requester_department": "Support",
        "title": "Support agent certification",
        "problem": "New agents need eight weeks before they handle tickets alone.",
        "audience": "New support agents",
        "audience_size": "60",
        "evidence_kind": "metric",
        "evidence_metric": "Weeks to handle tickets alone",
        "evidence_value": "8",
        "evidence_notes": "",
        "priority": "",
        "needed_by": "2027-01-15",
        "started": started,
        "website": "",
        **overrides,
    }


def intake_url(org) -> str:
    """The form's secret address, opened once per organisation object."""
    if not hasattr(org, "_intake_url"):
        org._intake_url = reverse(
            "roadmap:intake", args=[AssessSettings.for_org(org).open_intake()]
        )
    return org._intake_url


def status_link(response) -> str:
    match = re.search(r'value="(http://testserver/status/[^"]+)"', response.content.decode())
    assert match, "the thank-you page shows the status link"
    return match.group(1).replace("http://testserver", "")


def test_the_form_needs_no_account(client, org):
    response = client.get(intake_url(org))
    assert response.status_code == 200
    assert "Request training or learning support" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_valid_request_is_stored_and_gives_a_private_status_link(client, org):
    priority = PriorityFactory(org=org, strategy__org=org)
    AssessSettings.objects.update_or_create(org=org, defaults={"intake_shows_priorities": True})
    response = client.post(intake_url(org), valid_data(priority=priority.pk))
    assert response.status_code == 200
    item = TrainingRequest.objects.get()
    assert (item.org, item.source, item.state) == (org, "public", TrainingRequestState.NEW)
    assert item.priority == priority
    assert item.requester_department == "Support"
    assert item.submitted_by is None
    link = status_link(response)
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Only the hash is stored; the token has at least 128 bits.
    assert item.status_token_hash == hash_token(token)
    assert len(token) >= 43
    page = client.get(link)
    assert page.status_code == 200
    assert "Support agent certification" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"


def test_invalid_input_is_refused_with_errors(client, org, row_counts):
    url = intake_url(org)
    before = row_counts()
    response = client.post(url, valid_data(requester_email="nope", problem=""))
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert row_counts() == before


def test_a_priority_of_another_organisation_is_refused(client, org, other_org):
    foreign = PriorityFactory(org=other_org, strategy__org=other_org)
    AssessSettings.objects.update_or_create(org=org, defaults={"intake_shows_priorities": True})
    response = client.post(intake_url(org), valid_data(priority=foreign.pk))
    assert response.status_code == 400
    assert not TrainingRequest.objects.exists()


def test_the_honeypot_refuses_bots(client, org):
    response = client.post(intake_url(org), valid_data(website="http://spam.example"))
    assert response.status_code == 400
    assert not TrainingRequest.objects.exists()


def test_a_form_sent_too_fast_is_refused(client, org):
    response = client.post(intake_url(org), valid_data(started=PublicTrainingRequestForm.stamp()))
    assert response.status_code == 400
    assert "That was quick" in response.content.decode()
    assert not TrainingRequest.objects.exists()


def test_a_tampered_timestamp_is_refused(client, org):
    response = client.post(intake_url(org), valid_data(started="1:forged"))
    assert response.status_code == 400
    assert not TrainingRequest.objects.exists()


def test_too_many_submissions_get_429(client, org, settings):
    settings.RATELIMIT_ENABLE = True
    settings.INTAKE_RATE = "3/h"
    codes = [client.post(intake_url(org), valid_data()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert TrainingRequest.objects.count() == 3


def test_a_closed_intake_is_not_found(client, org):
    url = intake_url(org)
    AssessSettings.objects.filter(org=org).update(intake_open=False)
    assert client.get(url).status_code == 404
    assert client.post(url, valid_data()).status_code == 404
    assert client.post(intake_url(org), valid_data()).status_code == 404


def test_an_unknown_organisation_is_not_found(client, db):
    assert client.get(reverse("roadmap:intake", args=["nobody"])).status_code == 404


def test_a_status_link_opens_only_its_own_request(client, org):
    mine = TrainingRequestFactory(org=org, title="Mine")
    other = TrainingRequestFactory(org=org, title="Someone else's")
    token = mine.issue_status_token()
    other.issue_status_token()
    page = client.get(reverse("roadmap:request_status", args=[token]))
    assert "Mine" in page.content.decode()
    assert "Someone else" not in page.content.decode()
    # Another request's id, or a made-up token, opens nothing.
    for guess in [str(other.pk), token[:-1] + "x", "x" * 43]:
        assert client.get(reverse("roadmap:request_status", args=[guess])).status_code == 404


# Deferred only to a cycle still to come: Q4 FY27 is, on this day.
@time_machine.travel(datetime(2026, 11, 28, 9, 0, tzinfo=UTC), tick=True)
def test_the_status_link_shows_the_decision_and_its_reason(client, org, roadmap, editor_membership):
    item = TrainingRequestFactory(org=org)
    token = item.issue_status_token()
    item.defer(
        cycle=roadmap.cycles.last(),
        reason="Q2 is full with the onboarding journey.",
        by=editor_membership.user,
    )
    page = client.get(reverse("roadmap:request_status", args=[token])).content.decode()
    assert "Deferred" in page
    assert "Q4 FY27" in page
    assert "Q2 is full with the onboarding journey." in page


def test_a_duplicate_requester_sees_the_original_decision(client, org, editor_membership):
    original = TrainingRequestFactory(org=org)
    duplicate = TrainingRequestFactory(org=org)
    token = duplicate.issue_status_token()
    duplicate.mark_duplicate(of=original, by=editor_membership.user)
    original.decline(reason="Not a training problem.", by=editor_membership.user)
    page = client.get(reverse("roadmap:request_status", args=[token])).content.decode()
    assert "merged your request" in page
    assert "declined" in page
    assert "Not a training problem." in page


def test_status_lookups_are_rate_limited(client, org, settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    url = reverse("roadmap:request_status", args=["x" * 43])
    # One frozen moment: on a slow machine 61 requests could straddle two windows.
    with time_machine.travel(time.time(), tick=False):
        codes = [client.get(url).status_code for _ in range(61)]
    assert codes == [404] * 60 + [429]


# The empty form's fields are cached (roadmap/views/assess.py `intake`) --------------------


def started_of(response) -> str:
    match = re.search(r'name="started" value="([^"]+)"', response.content.decode())
    assert match, "the form carries its timestamp"
    return match.group(1)


def test_each_visitor_gets_a_fresh_stamp_around_the_cached_fields(client, org):
    first, second = client.get(intake_url(org)), client.get(intake_url(org))
    assert started_of(first) != started_of(second)
    assert 'name="title"' in second.content.decode()
    assert 'name="csrfmiddlewaretoken"' in second.content.decode()


def test_a_renamed_priority_shows_on_the_next_view(client, org):
    from roadmap_site.cache import bump_org

    priority = PriorityFactory(org=org, strategy__org=org, capability="Sales coaching")
    AssessSettings.objects.update_or_create(org=org, defaults={"intake_shows_priorities": True})
    assert "Sales coaching" in client.get(intake_url(org)).content.decode()
    priority.capability = "Field sales coaching"
    priority.save()
    bump_org(org)  # as the priority form does
    assert "Field sales coaching" in client.get(intake_url(org)).content.decode()
    # Hidden again: the setting is part of what the cached fields are named by.
    AssessSettings.objects.filter(org=org).update(intake_shows_priorities=False)
    assert "Field sales coaching" not in client.get(intake_url(org)).content.decode()


def test_two_organisations_never_share_fields(client, org, other_org):
    for each, name in ((org, "Ours only"), (other_org, "Theirs only")):
        PriorityFactory(org=each, strategy__org=each, capability=name)
        AssessSettings.objects.update_or_create(
            org=each, defaults={"intake_shows_priorities": True}
        )
    ours = client.get(intake_url(org)).content.decode()
    theirs = client.get(intake_url(other_org)).content.decode()
    assert "Ours only" in ours and "Theirs only" not in ours
    assert "Theirs only" in theirs and "Ours only" not in theirs


def test_a_refused_post_shows_its_errors_not_the_cached_fields(client, org):
    client.get(intake_url(org))
    response = client.post(intake_url(org), valid_data(title=""))
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )
