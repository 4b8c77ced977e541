"""The calendar feed: made and revoked by its member, read with the token alone, and checked
by parsing it back with the iCalendar library a calendar app would use."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from roadmap.models import BusinessEvent, CalendarFeed, EventKind
from tests.factories import InitiativeFactory, RoadmapFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(initiative, other_org):
    stage = StageFactory(
        initiative=initiative,
        kind="delivery",
        start=date(2027, 3, 1),
        end=date(2027, 3, 12),
        good_enough="Every new manager has had the workshop.",
    )
    event = BusinessEvent.objects.create(
        org=initiative.org, kind=EventKind.PERFORMANCE_REVIEW, name="Spring reviews",
        start=date(2027, 3, 1), end=date(2027, 3, 5), recurs_yearly=True,
    )  # fmt: skip
    # Another organisation's stage and event must never appear.
    elsewhere = StageFactory(
        initiative=InitiativeFactory(roadmap=RoadmapFactory(org=other_org), title="Secret plan")
    )
    BusinessEvent.objects.create(
        org=other_org, kind=EventKind.HIRING_WAVE, name="Contoso hiring",
        start=date(2027, 3, 1), end=date(2027, 3, 5),
    )  # fmt: skip
    return {"stage": stage, "event": event, "elsewhere": elsewhere}


def make_feed(client) -> str:
    response = client.post(reverse("roadmap:calendar_feed_create"), {"label": "Work calendar"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return response.context["new_url"]


def test_a_member_subscribes_and_reads_stages_and_the_business_calendar(
    editor_client, rows, settings
):
    url = make_feed(editor_client)
    feed = CalendarFeed.objects.get()
    assert feed.label == "Work calendar"
    assert feed.token_hash not in url

    response = Client().get(url)  # no session: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    stage, event = rows["stage"], rows["event"]
    assert set(events) == {f"stage-{stage.pk}@ld-roadmap", f"event-{event.pk}@ld-roadmap"}
    milestone = events[f"stage-{stage.pk}@ld-roadmap"]
    assert str(milestone["SUMMARY"]) == "Manager onboarding toolkit · Delivery (launch)"
    assert milestone.decoded("DTSTART") == date(2027, 3, 1)
    assert milestone.decoded("DTEND") == date(2027, 3, 12) + timedelta(days=1)
    assert "Every new manager has had the workshop." in str(milestone["DESCRIPTION"])
    assert str(milestone["URL"]).endswith(
        reverse("roadmap:initiative_plan", args=[stage.initiative_id])
    )
    reviews = events[f"event-{event.pk}@ld-roadmap"]
    assert str(reviews["SUMMARY"]) == "Spring reviews"
    assert reviews["RRULE"]["FREQ"] == ["YEARLY"]
    assert b"Secret plan" not in response.content
    assert b"Contoso hiring" not in response.content
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_a_revoked_or_unknown_token_is_404(editor_client, rows):
    url = make_feed(editor_client)
    feed = CalendarFeed.objects.get()
    response = editor_client.post(reverse("roadmap:calendar_feed_revoke", args=[feed.pk]))
    assert response.status_code == 302
    assert Client().get(url).status_code == 404
    assert Client().get(reverse("roadmap:calendar_feed", args=["nope"])).status_code == 404


def test_viewers_have_their_own_feed_and_cannot_revoke_anyone_elses(
    editor_client, viewer_client, outsider_client, rows
):
    make_feed(editor_client)
    editors = CalendarFeed.objects.get()
    # A viewer may subscribe (a feed only reads) …
    assert Client().get(make_feed(viewer_client)).status_code == 200
    # … but another member's feed, or another organisation's, does not exist for them.
    for client in (viewer_client, outsider_client):
        response = client.post(reverse("roadmap:calendar_feed_revoke", args=[editors.pk]))
        assert response.status_code == 404
    editors.refresh_from_db()
    assert editors.is_active
    page = viewer_client.get(reverse("roadmap:calendar_feeds"))
    assert [f.user.email for f in page.context["feeds"]] == ["viewer@northwind.test"]


def test_the_feed_is_rate_limited(editor_client, rows, settings):
    from django.core.cache import cache

    cache.clear()
    settings.RATELIMIT_ENABLE = True
    settings.CALENDAR_FEED_RATE = "2/m"
    url = make_feed(editor_client)
    statuses = [Client().get(url).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
