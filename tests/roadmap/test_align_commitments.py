"""Align: committing requests as initiatives, justified changes to commitments and the
change log, the not-doing list, and the business calendar; by role."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from roadmap.models import (
    BusinessEvent,
    EventKind,
    EventKindRule,
    Initiative,
    JustificationRequired,
    NotDoing,
    change_log,
)
from tests.conftest import HTMX
from tests.factories import PersonFactory, TrainingRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(org):
    return PersonFactory(org=org, name="Grace Kim")


@pytest.fixture
def committed(initiative, leader):
    initiative.status = "committed"
    initiative.accountable = leader
    initiative.save()
    return initiative


def edit_data(initiative, **overrides) -> dict:
    data = {
        "title": initiative.title,
        "problem": initiative.problem,
        "owner": initiative.owner_id or "",
        "accountable": initiative.accountable_id or "",
        "cycle": initiative.cycle_id or "",
        "status": initiative.status,
        "priority": "",
        "kpi": "",
        "audience": initiative.audience,
        "audience_size": initiative.audience_size or "",
        "budget": initiative.budget or "",
        "people": initiative.people or "",
        "days": initiative.days or "",
        "tradeoffs": initiative.tradeoffs,
    }
    return {**data, **overrides}


# The model rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("cycle", "last_cycle"), ("owner", "leader"), ("accountable", None), ("problem", "New"),
     ("audience_size", 10), ("budget", Decimal("5000")), ("days", 12), ("people", 3)],
)  # fmt: skip
def test_a_commitment_change_without_justification_is_refused(committed, leader, field, value):
    value = {"last_cycle": committed.roadmap.cycles.last(), "leader": leader}.get(value, value)
    stored, records = getattr(committed, field), committed.changes.count()
    with pytest.raises(JustificationRequired):
        committed.change(by=None, **{field: value})
    assert getattr(Initiative.objects.get(pk=committed.pk), field) == stored
    assert committed.changes.count() == records


def test_title_and_tradeoffs_change_freely_even_when_committed(committed):
    assert committed.change(by=None, title="Renamed", tradeoffs="None") == ["title", "tradeoffs"]


def test_a_proposed_initiative_changes_freely(initiative, leader):
    assert initiative.change(by=None, owner=leader, cycle=None) == ["owner", "cycle"]


def test_taking_a_commitment_back_to_proposed_needs_a_justification(committed):
    with pytest.raises(JustificationRequired):
        committed.change(by=None, status="proposed")


def test_the_change_log_records_who_when_before_after_and_why(
    committed, editor_membership, roadmap
):
    q3 = roadmap.cycles.get(name="Q3 FY27")
    committed.change(
        by=editor_membership.user,
        justification="Sales kickoff moved to August.",
        cycle=q3,
        budget=Decimal("1200"),
    )
    entry = change_log(roadmap)[0]
    assert entry.who == editor_membership.user
    assert entry.justification == "Sales kickoff moved to August."
    assert entry.needed_justification
    assert {(c.label, c.before, c.after) for c in entry.changes} == {
        ("Cycle", "Q1 FY27", "Q3 FY27"),
        ("Resources: budget", "—", "1200.00"),
    }
    assert change_log(roadmap, initiative=committed)[0] == entry


# Through the inline edit ----------------------------------------------------------------


def test_inline_edit_of_a_committed_initiative_asks_for_a_justification(
    editor_client, committed, roadmap
):
    url = reverse("roadmap:initiative_edit", args=[committed.pk])
    q2 = roadmap.cycles.get(name="Q2 FY27")
    form = editor_client.get(url, **HTMX).content.decode()
    assert "Business justification" in form
    refused = editor_client.post(url, edit_data(committed, cycle=q2.pk), **HTMX)
    assert refused.status_code == 200
    assert "write the business justification for changing its cycle" in refused.content.decode()
    assert Initiative.objects.get(pk=committed.pk).cycle.name == "Q1 FY27"

    done = editor_client.post(
        url, edit_data(committed, cycle=q2.pk, justification="Budget recast."), **HTMX
    )
    assert done.status_code == 200
    assert Initiative.objects.get(pk=committed.pk).cycle == q2
    log = editor_client.get(reverse("roadmap:roadmap_changes", args=[roadmap.pk]))
    body = log.content.decode()
    assert "Budget recast." in body
    assert "Q1 FY27" in body and "Q2 FY27" in body


def test_inline_edit_of_a_proposed_initiative_needs_no_justification(
    editor_client, initiative, roadmap
):
    url = reverse("roadmap:initiative_edit", args=[initiative.pk])
    assert "Business justification" not in editor_client.get(url, **HTMX).content.decode()
    q2 = roadmap.cycles.get(name="Q2 FY27")
    editor_client.post(url, edit_data(initiative, cycle=q2.pk), **HTMX)
    assert Initiative.objects.get(pk=initiative.pk).cycle == q2


def test_a_person_of_another_org_is_refused_in_the_edit(
    editor_client, committed, other_org, row_counts
):
    stranger = PersonFactory(org=other_org)
    url = reverse("roadmap:initiative_edit", args=[committed.pk])
    response = editor_client.post(url, edit_data(committed, owner=stranger.pk, justification="x"))
    assert response.status_code == 400  # the page again, with the error
    assert "Select a valid choice" in response.content.decode()
    assert Initiative.objects.get(pk=committed.pk).owner_id != stranger.pk


# Commit view ---------------------------------------------------------------------------


def test_commit_requests_as_an_initiative(editor_client, org, roadmap, person, leader):
    a = TrainingRequestFactory(org=org, audience_size=40, effort_days=10)
    b = TrainingRequestFactory(org=org, audience_size=20)
    url = reverse("roadmap:request_commit")
    page = editor_client.get(url, {"requests": [a.pk, b.pk]}).content.decode()
    assert 'value="60"' in page  # the audiences add up
    q3 = roadmap.cycles.get(name="Q3 FY27")
    response = editor_client.post(
        url,
        {
            "requests": [a.pk, b.pk],
            "title": "Support certification",
            "problem": "Eight weeks to autonomy.",
            "cycle": q3.pk,
            "owner": person.pk,
            "accountable": leader.pk,
            "budget": "9000",
            "days": "30",
            "tradeoffs": "The buddy programme waits a quarter.",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    initiative = Initiative.objects.get(title="Support certification")
    assert response.url == reverse("roadmap:initiative_detail", args=[initiative.pk])
    assert (initiative.cycle, initiative.owner, initiative.accountable) == (q3, person, leader)
    assert initiative.status == "committed"
    assert set(initiative.requests.all()) == {a, b}
    detail = editor_client.get(response.url).content.decode()
    assert "The buddy programme waits a quarter." in detail
    assert "Committed from" in detail


def test_commit_needs_owner_accountable_and_cycle(editor_client, org, row_counts):
    a = TrainingRequestFactory(org=org)
    before = row_counts()
    response = editor_client.post(
        reverse("roadmap:request_commit"), {"requests": [a.pk], "title": "X", "problem": "Y"}
    )
    assert response.status_code == 400
    assert row_counts() == before


def test_commit_of_another_orgs_request_is_404(editor_client, other_org):
    foreign = TrainingRequestFactory(org=other_org)
    response = editor_client.get(reverse("roadmap:request_commit"), {"requests": [foreign.pk]})
    assert response.status_code == 404


# Ledger, not doing, calendar -----------------------------------------------------------------


def test_the_ledger_shows_commitments_beside_what_we_are_not_doing(
    editor_client, viewer_client, outsider_client, org, roadmap, committed, editor_membership
):
    declined = TrainingRequestFactory(org=org, title="Time-management course")
    declined.decline(reason="A tools problem, not training.", by=editor_membership.user)
    NotDoing.objects.create(
        org=org,
        roadmap=roadmap,
        cycle=roadmap.cycles.first(),
        title="Custom portal",
        reason="Too costly.",
    )
    url = reverse("roadmap:roadmap_align", args=[roadmap.pk])
    page = viewer_client.get(url).content.decode()
    assert committed.title in page
    assert "Custom portal" in page and "Too costly." in page
    assert outsider_client.get(url).status_code == 404
    assert "Add to what we are not doing" not in page
    assert "Add to what we are not doing" in editor_client.get(url).content.decode()


def test_not_doing_items_are_written_by_editors_only(
    editor_client, viewer_client, outsider_client, roadmap
):
    url = reverse("roadmap:not_doing_create", args=[roadmap.pk])
    data = {"cycle": roadmap.cycles.first().pk, "title": "Portal", "reason": "Too costly."}
    assert viewer_client.post(url, data).status_code == 403
    assert outsider_client.post(url, data).status_code == 404
    assert editor_client.post(url, data).status_code == 302
    assert editor_client.post(url, {**data, "reason": ""}).status_code == 400
    assert NotDoing.objects.count() == 1


def test_business_calendar_with_yearly_events_and_avoid_flags(editor_client, org, roadmap):
    url = reverse("roadmap:event_create", args=[roadmap.pk])
    editor_client.post(
        url,
        {
            "kind": EventKind.PERFORMANCE_REVIEW,
            "name": "Mid-year reviews",
            "start": "2025-07-01",
            "end": "2025-07-31",
            "recurs_yearly": "on",
        },
    )
    event = BusinessEvent.objects.get()
    # The roadmap covers calendar 2027 (fiscal year starts in January): next occurrence.
    occurrences = BusinessEvent.objects.for_org(org).occurrences(
        roadmap.period_start, roadmap.period_end, avoided=EventKindRule.avoided_kinds(org)
    )
    assert [(o.start, o.end, o.avoid_launches) for o in occurrences] == [
        (date(2027, 7, 1), date(2027, 7, 31), True)
    ]
    page = editor_client.get(reverse("roadmap:roadmap_calendar", args=[roadmap.pk]))
    assert "Mid-year reviews" in page.content.decode()
    editor_client.post(reverse("roadmap:avoid_launches", args=[roadmap.pk]), {"kinds": []})
    assert EventKindRule.avoided_kinds(org) == set()
    bad = editor_client.post(
        url, {"kind": "other", "name": "X", "start": "2027-02-02", "end": "2027-02-01"}
    )
    assert bad.status_code == 400
    assert BusinessEvent.objects.get() == event


def test_calendar_scoping(viewer_client, outsider_client, org, roadmap, other_org):
    event = BusinessEvent.objects.create(
        org=org, kind="other", name="Kickoff", start=date(2027, 3, 1), end=date(2027, 3, 2)
    )
    assert (
        viewer_client.get(reverse("roadmap:roadmap_calendar", args=[roadmap.pk])).status_code == 200
    )
    assert (
        outsider_client.get(reverse("roadmap:roadmap_calendar", args=[roadmap.pk])).status_code
        == 404
    )
    delete = reverse("roadmap:event_delete", args=[roadmap.pk, event.pk])
    assert viewer_client.post(delete).status_code == 403
    assert outsider_client.post(delete).status_code == 404
    assert BusinessEvent.objects.filter(pk=event.pk).exists()


def test_change_log_scoping(viewer_client, outsider_client, roadmap):
    url = reverse("roadmap:roadmap_changes", args=[roadmap.pk])
    assert viewer_client.get(url).status_code == 200
    assert outsider_client.get(url).status_code == 404
