"""Reads that moved out of views into QuerySet and model methods, tested without HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

from roadmap.models import CalendarFeed, TrainingRequest
from strategy.models import MaturityAssessment
from tests.factories import MaturityAssessmentFactory, TrainingRequestFactory, UserFactory


def test_decided_between_includes_both_days(org, settings):
    settings.TIME_ZONE = "UTC"
    make = TrainingRequestFactory
    make(org=org, title="before", decided_at=datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    make(org=org, title="first", decided_at=datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
    make(org=org, title="last", decided_at=datetime(2027, 12, 31, 23, 0, tzinfo=UTC))
    make(org=org, title="after", decided_at=datetime(2028, 1, 1, 0, 0, tzinfo=UTC))
    make(org=org, title="undecided", decided_at=None)

    found = TrainingRequest.objects.decided_between(date(2027, 1, 1), date(2027, 12, 31))

    assert sorted(r.title for r in found) == ["first", "last"]


def test_a_members_feeds_are_their_own(org):
    mine, theirs = UserFactory(), UserFactory()
    feed, _ = CalendarFeed.issue(org=org, user=mine)
    CalendarFeed.issue(org=org, user=theirs)

    assert list(CalendarFeed.objects.of_user(mine)) == [feed]


def test_the_previous_assessment_is_the_one_just_before(org, other_org):
    def make(day, **kwargs):
        return MaturityAssessmentFactory(org=kwargs.pop("org", org), taken_on=day)

    first = make(date(2026, 1, 10))
    same_day_a = make(date(2026, 6, 1))
    same_day_b = make(date(2026, 6, 1))
    latest = make(date(2026, 11, 1))
    make(date(2026, 10, 1), org=other_org)  # another organisation's: never compared

    assert first.previous() is None
    assert same_day_a.previous() == first
    assert same_day_b.previous() == same_day_a  # same day: the earlier id comes first
    assert latest.previous() == same_day_b
    assert MaturityAssessment.objects.count() == 5
