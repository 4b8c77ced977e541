"""Building a calendar feed, without HTTP: `CalendarFeed.build_ical` and the stage entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from roadmap.models import BusinessEvent, CalendarFeed, EventKind, Stage
from tests.factories import (
    InitiativeFactory,
    PersonFactory,
    RoadmapFactory,
    StageFactory,
    UserFactory,
)


@pytest.fixture
def feed(org):
    feed, _token = CalendarFeed.issue(org=org, user=UserFactory(), label="Work")
    return feed


def _events(body: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_the_feed_holds_the_orgs_stages_and_business_calendar_only(feed, initiative, other_org):
    launch = StageFactory(
        initiative=initiative, kind="delivery", start=date(2027, 3, 1), end=date(2027, 3, 12)
    )
    later = RoadmapFactory(org=initiative.org, title="Next year", fiscal_year=2028)
    other_roadmap = StageFactory(initiative=InitiativeFactory(roadmap=later, title="Year two"))
    reviews = BusinessEvent.objects.create(
        org=initiative.org, kind=EventKind.PERFORMANCE_REVIEW, name="Spring reviews",
        start=date(2027, 3, 1), end=date(2027, 3, 5), recurs_yearly=False,
    )  # fmt: skip
    StageFactory(initiative=InitiativeFactory(roadmap=RoadmapFactory(org=other_org)))
    BusinessEvent.objects.create(
        org=other_org, kind=EventKind.HIRING_WAVE, name="Contoso hiring",
        start=date(2027, 3, 1), end=date(2027, 3, 5),
    )  # fmt: skip

    body = feed.build_ical(origin="https://roadmap.example/")

    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Northwind roadmap"
    events = _events(body)
    assert set(events) == {
        f"stage-{launch.pk}@ld-roadmap",
        f"stage-{other_roadmap.pk}@ld-roadmap",
        f"event-{reviews.pk}@ld-roadmap",
    }
    entry = events[f"stage-{launch.pk}@ld-roadmap"]
    assert str(entry["SUMMARY"]) == "Manager onboarding toolkit · Delivery (launch)"
    assert entry.decoded("DTSTART") == date(2027, 3, 1)
    assert entry.decoded("DTEND") == date(2027, 3, 12) + timedelta(days=1)
    assert str(entry["URL"]) == f"https://roadmap.example/initiatives/{initiative.pk}/plan/"


def test_a_stage_entry_says_status_assignee_and_good_enough(initiative, person):
    priya = person  # Priya Raman
    stage = StageFactory(
        initiative=initiative, kind="content_creation", assignee=priya,
        status="in_progress", good_enough="Managers can run it alone.",
    )  # fmt: skip
    bare = StageFactory(initiative=initiative, kind="evaluation", good_enough="")

    full = Stage.objects.for_feed().get(pk=stage.pk).as_milestone(url="https://x.example/p")
    empty = Stage.objects.for_feed().get(pk=bare.pk).as_milestone()

    assert full.summary == "Manager onboarding toolkit · Content creation"
    assert full.description == (
        "Status: In progress\nAssignee: Priya Raman\nGood enough: Managers can run it alone."
    )
    assert full.url == "https://x.example/p"
    assert empty.description == "Status: Not started"
    assert empty.url == ""


def test_feed_stages_come_by_date_in_a_fixed_number_of_queries(
    feed, initiative, django_assert_num_queries
):
    late = StageFactory(initiative=initiative, start=date(2027, 5, 3), end=date(2027, 5, 7))
    early = StageFactory(initiative=initiative, start=date(2027, 1, 4), end=date(2027, 1, 8))
    for _ in range(5):
        StageFactory(initiative=initiative, assignee=PersonFactory(org=initiative.org))

    ordered = [s.pk for s in Stage.objects.for_org(initiative.org).for_feed()]
    assert ordered[0] == early.pk and ordered[-1] == late.pk
    # stages (with initiative and assignee), avoided kinds, business events
    with django_assert_num_queries(3):
        feed.build_ical(origin="https://roadmap.example")
