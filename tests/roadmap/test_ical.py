"""The iCalendar feed, checked by parsing it back with the library a calendar app would use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from roadmap.ical import Milestone, build_feed
from roadmap.planning import CalendarEvent

STAMP = datetime(2027, 2, 1, 9, 30, tzinfo=UTC)
BUILD = Milestone(
    12,
    "Manager onboarding · Content creation",
    start=date(2027, 3, 1),
    end=date(2027, 3, 12),
    description="Good enough: two modules reviewed by the SME",
    url="https://roadmap.example.com/roadmaps/1/plan#stage-12",
)
LAUNCH = Milestone(13, "Manager onboarding · Delivery", end=date(2027, 4, 30))
REVIEWS = CalendarEvent(
    3, "Performance reviews", "performance_review", date(2027, 3, 1), date(2027, 3, 5), True,
    recurs_yearly=True,
)  # fmt: skip
HIRING = CalendarEvent(4, "Hiring wave", "hiring_wave", date(2027, 4, 5), date(2027, 4, 16))


def parse(feed: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(feed)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def feed(**kwargs) -> bytes:
    arguments = {
        "name": "FY27 plan",
        "milestones": [BUILD, LAUNCH],
        "events": [REVIEWS, HIRING],
        "stamp": STAMP,
    }
    return build_feed(**(arguments | kwargs))


def test_one_event_per_milestone_and_calendar_event_with_stable_uids():
    events = parse(feed())
    assert sorted(events) == [
        "event-3@ld-roadmap",
        "event-4@ld-roadmap",
        "stage-12@ld-roadmap",
        "stage-13@ld-roadmap",
    ]


@pytest.mark.parametrize(
    ("uid", "summary", "start", "end_exclusive"),
    [
        # A stage over 1 - 12 March: DTEND is the day after its last day.
        (
            "stage-12@ld-roadmap",
            "Manager onboarding · Content creation",
            date(2027, 3, 1),
            date(2027, 3, 13),
        ),
        # A milestone without a start: its one day, 30 April.
        (
            "stage-13@ld-roadmap",
            "Manager onboarding · Delivery",
            date(2027, 4, 30),
            date(2027, 5, 1),
        ),
        ("event-3@ld-roadmap", "Performance reviews", date(2027, 3, 1), date(2027, 3, 6)),
        ("event-4@ld-roadmap", "Hiring wave", date(2027, 4, 5), date(2027, 4, 17)),
    ],
)
def test_all_day_dates(uid, summary, start, end_exclusive):
    event = parse(feed())[uid]
    assert str(event["SUMMARY"]) == summary
    dtstart, dtend = event.decoded("DTSTART"), event.decoded("DTEND")
    # All-day: plain dates, not datetimes.
    assert type(dtstart) is date and type(dtend) is date
    assert (dtstart, dtend) == (start, end_exclusive)
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_yearly_events_recur_and_others_do_not():
    events = parse(feed())
    assert events["event-3@ld-roadmap"]["RRULE"]["FREQ"] == ["YEARLY"]
    assert "RRULE" not in events["event-4@ld-roadmap"]
    assert "RRULE" not in events["stage-12@ld-roadmap"]
    assert events["event-4@ld-roadmap"].categories == ["hiring wave"]


def test_description_and_url():
    event = parse(feed())["stage-12@ld-roadmap"]
    assert str(event["DESCRIPTION"]) == "Good enough: two modules reviewed by the SME"
    assert str(event["URL"]) == "https://roadmap.example.com/roadmaps/1/plan#stage-12"
    assert "DESCRIPTION" not in parse(feed())["stage-13@ld-roadmap"]


def test_text_is_escaped_and_survives_the_round_trip():
    awkward = "Budget; recast, Q3 \\ review\nsecond line"
    raw = feed(milestones=[Milestone(1, awkward, end=date(2027, 9, 1))], events=[])
    assert b"SUMMARY:Budget\\; recast\\, Q3 \\\\ review\\nsecond line" in raw
    assert str(parse(raw)["stage-1@ld-roadmap"]["SUMMARY"]) == awkward


def test_long_lines_are_folded():
    raw = feed(milestones=[Milestone(1, "Onboarding " * 20, end=date(2027, 9, 1))], events=[])
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert str(parse(raw)["stage-1@ld-roadmap"]["SUMMARY"]) == "Onboarding " * 20


def test_calendar_properties():
    raw = feed(prodid="-//Acme//L&D roadmap//EN")
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Acme//L&D roadmap//EN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert b"X-WR-CALNAME:FY27 plan\r\n" in raw
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in raw
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")


def test_the_same_plan_gives_the_same_bytes():
    assert feed() == feed()


def test_stamp_defaults_to_now_in_utc():
    before = datetime.now(UTC).replace(microsecond=0)
    event = parse(build_feed("Plan", [LAUNCH], []))["stage-13@ld-roadmap"]
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


def test_an_empty_feed_is_a_valid_calendar():
    calendar = Calendar.from_ical(build_feed("Nothing yet", [], [], stamp=STAMP))
    assert list(calendar.walk("VEVENT")) == []
