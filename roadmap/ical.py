"""An iCalendar feed of stage milestones and business-calendar events, to subscribe to.

Built with the `icalendar` library, which folds lines and escapes text. Every item is an
all-day event: iCalendar's all-day DTEND is exclusive, so an inclusive last day `d` is
written as `d + 1`. UIDs are stable (`stage-12@ld-roadmap`), so a calendar app updates an
entry in place when its dates move instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vDuration, vText

from roadmap.planning import CalendarEvent

UID_DOMAIN = "ld-roadmap"
# How often subscribers' apps should fetch the feed again (RFC 7986, and Outlook's name).
REFRESH = timedelta(hours=6)


@dataclass(frozen=True)
class Milestone:
    """A stage in the feed: its whole span, or its last day alone when `start` is None."""

    stage_id: int
    summary: str  # e.g. "Manager onboarding · Content creation"
    end: date
    start: date | None = None
    description: str = ""
    url: str = ""


def build_feed(
    name: str,
    milestones: Iterable[Milestone],
    events: Iterable[CalendarEvent],
    prodid: str = "-//L&D Roadmap//Plan feed//EN",
    *,
    stamp: datetime | None = None,
) -> bytes:
    """The feed as `text/calendar` bytes; `stamp` (DTSTAMP) defaults to now, in UTC."""
    stamp = stamp or datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Wrapped in vText: the library leaves these two unescaped otherwise.
    calendar.add("name", vText(name))
    calendar.add("x-wr-calname", vText(name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))

    for milestone in milestones:
        start = milestone.start or milestone.end
        event = _all_day(
            uid=f"stage-{milestone.stage_id}@{UID_DOMAIN}",
            summary=milestone.summary,
            start=start,
            end=milestone.end,
            stamp=stamp,
        )
        if milestone.description:
            event.add("description", milestone.description)
        if milestone.url:
            event.add("url", milestone.url)
        calendar.add_component(event)

    for item in events:
        event = _all_day(
            uid=f"event-{item.id}@{UID_DOMAIN}",
            summary=item.name,
            start=item.start,
            end=item.end,
            stamp=stamp,
        )
        event.add("categories", [item.kind.replace("_", " ")])
        if item.recurs_yearly:
            event.add("rrule", {"freq": "yearly"})
        calendar.add_component(event)
    return calendar.to_ical()


def _all_day(*, uid: str, summary: str, start: date, end: date, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end + timedelta(days=1))
    # Milestones and company events should not mark the subscriber busy.
    event.add("transp", "TRANSPARENT")
    return event
