"""Align: the business calendar (goal setting, budget cycles, reviews, hiring waves)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, cast

from django.db import models

from roadmap.models.core import Roadmap
from roadmap_site.dates import add_months
from roadmap_site.models import Organization, OrgManager, OrgOwned, OrgQuerySet

# Align: the business calendar ------------------------------------------------------------


__all__ = [
    "AVOID_LAUNCH_BY_DEFAULT",
    "BusinessEvent",
    "BusinessEventQuerySet",
    "CalendarGrid",
    "EventKind",
    "EventKindRule",
    "Occurrence",
]


class EventKind(models.TextChoices):
    GOAL_SETTING = "goal_setting", "Goal setting"
    BUDGET_FORECAST = "budget_forecast", "Budget forecast"
    BUDGET_RECAST = "budget_recast", "Budget recast"
    PERFORMANCE_REVIEW = "performance_review", "Performance reviews"
    HIRING_WAVE = "hiring_wave", "Hiring wave"
    OTHER = "other", "Other"


# Without a rule of its own, these kinds are periods to avoid launching in.
AVOID_LAUNCH_BY_DEFAULT = {EventKind.PERFORMANCE_REVIEW, EventKind.BUDGET_RECAST}


class EventKindRule(OrgOwned):
    """Whether an organisation avoids launches during one kind of business event."""

    kind = models.CharField(max_length=30, choices=EventKind.choices)
    avoid_launches = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "kind"], name="one_rule_per_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'avoid' if self.avoid_launches else 'ok'}"

    @classmethod
    def avoided_kinds(cls, org: Organization) -> set[str]:
        rules = dict(cls.objects.for_org(org).values_list("kind", "avoid_launches"))
        return {
            kind for kind in EventKind.values if rules.get(kind, kind in AVOID_LAUNCH_BY_DEFAULT)
        }


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence of a business event (a yearly event occurs once a year)."""

    event: BusinessEvent
    start: date
    end: date
    avoid_launches: bool

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and self.end >= start


@dataclass(frozen=True)
class CalendarGrid:
    """A roadmap's year as a CSS grid: column 1 holds the row labels, then one column per
    month of the roadmap's period. A bar spans `from` up to (not including) `to`, clipped
    to the period."""

    months: list[date]  # the first day of each month of the period
    cycle_bars: list[dict]  # {"cycle", "from", "to"}
    event_bars: list[dict]  # {"occ", "from", "to"}

    @staticmethod
    def column(period_start: date, day: date) -> int:
        return (day.year - period_start.year) * 12 + day.month - period_start.month + 2

    @classmethod
    def span(cls, period_start: date, period_end: date, start: date, end: date) -> dict:
        start, end = max(start, period_start), min(end, period_end)
        return {
            "from": cls.column(period_start, start),
            "to": cls.column(period_start, end) + 1,
        }


class BusinessEventQuerySet(OrgQuerySet):
    def calendar_grid(self, roadmap: Roadmap, *, avoided: set[str]) -> CalendarGrid:
        """These events' occurrences and the roadmap's cycles laid out over its months."""
        first, last = roadmap.period_start, roadmap.period_end
        months = []
        day = first
        while day <= last:
            months.append(day)
            day = add_months(day, 1)
        return CalendarGrid(
            months=months,
            cycle_bars=[
                {"cycle": cycle, **CalendarGrid.span(first, last, cycle.start, cycle.end)}
                for cycle in roadmap.cycles.all()
            ],
            event_bars=[
                {"occ": occ, **CalendarGrid.span(first, last, occ.start, occ.end)}
                for occ in self.occurrences(first, last, avoided=avoided)
            ],
        )

    def occurrences(self, start: date, end: date, *, avoided: set[str]) -> list[Occurrence]:
        """Each event's occurrences that overlap [start, end], yearly ones repeated."""
        found = []
        # OrgQuerySet serves every model, so iterating says nothing of the row type.
        for event in cast("Iterable[BusinessEvent]", self):
            for occ_start, occ_end in event.dates_between(start, end):
                found.append(Occurrence(event, occ_start, occ_end, event.kind in avoided))
        return sorted(found, key=lambda o: (o.start, o.event.name))


class BusinessEvent(OrgOwned):
    """When the business sets goals, forecasts and recasts budget, reviews performance and
    hires: the roadmap depends on what comes out of these."""

    kind = models.CharField(max_length=30, choices=EventKind.choices)
    name = models.CharField(max_length=150)
    start = models.DateField()
    end = models.DateField()
    recurs_yearly = models.BooleanField("every year", default=True)
    notes = models.TextField(blank=True)

    objects: ClassVar = OrgManager.from_queryset(BusinessEventQuerySet)()

    class Meta:
        ordering = ["start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name", "start"], name="event_unique_in_org"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def dates_between(self, start: date, end: date) -> list[tuple[date, date]]:
        if not self.recurs_yearly:
            spans = [(self.start, self.end)]
        else:
            length = self.end - self.start
            spans = []
            for year in range(start.year - 1, end.year + 1):
                shift = year - self.start.year
                if shift < 0:
                    continue
                occ_start = add_months(self.start, 12 * shift)
                spans.append((occ_start, occ_start + length))
        return [(s, e) for s, e in spans if s <= end and e >= start]
