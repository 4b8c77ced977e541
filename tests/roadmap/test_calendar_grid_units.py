"""The business calendar's grid, without HTTP: which column each month, cycle and event
takes. Column 1 holds the labels; a bar spans `from` up to, not including, `to`."""

from __future__ import annotations

from datetime import date

from roadmap.models import BusinessEvent, CalendarGrid, EventKind
from tests.factories import OrganizationFactory, RoadmapFactory


def _event(org, name, start, end, *, yearly=False, kind=EventKind.OTHER):
    return BusinessEvent.objects.create(
        org=org, kind=kind, name=name, start=start, end=end, recurs_yearly=yearly
    )


def test_a_january_year_has_twelve_month_columns_and_quarter_bars(roadmap):
    grid = BusinessEvent.objects.for_org(roadmap.org).calendar_grid(roadmap, avoided=set())

    assert grid.months == [date(2027, month, 1) for month in range(1, 13)]
    assert [(b["cycle"].name, b["from"], b["to"]) for b in grid.cycle_bars] == [
        ("Q1 FY27", 2, 5),
        ("Q2 FY27", 5, 8),
        ("Q3 FY27", 8, 11),
        ("Q4 FY27", 11, 14),
    ]
    assert grid.event_bars == []


def test_events_are_placed_clipped_repeated_and_flagged(roadmap, other_org):
    org = roadmap.org
    _event(org, "Kick-off", date(2026, 12, 14), date(2027, 1, 8))  # starts before the year
    _event(org, "Reviews", date(2025, 3, 1), date(2025, 3, 5), yearly=True,
           kind=EventKind.PERFORMANCE_REVIEW)  # fmt: skip
    _event(org, "Recast", date(2027, 3, 29), date(2027, 4, 2), kind=EventKind.BUDGET_RECAST)
    _event(org, "Year end", date(2027, 12, 20), date(2028, 1, 15))  # ends after it
    _event(org, "Next year", date(2028, 2, 1), date(2028, 2, 3))  # outside: not drawn
    _event(other_org, "Contoso", date(2027, 5, 1), date(2027, 5, 2))  # not this org's

    grid = BusinessEvent.objects.for_org(org).calendar_grid(
        roadmap, avoided={EventKind.BUDGET_RECAST}
    )

    assert [
        (b["occ"].event.name, b["occ"].start, b["from"], b["to"], b["occ"].avoid_launches)
        for b in grid.event_bars
    ] == [
        ("Kick-off", date(2026, 12, 14), 2, 3, False),
        ("Reviews", date(2027, 3, 1), 4, 5, False),
        ("Recast", date(2027, 3, 29), 4, 6, True),
        ("Year end", date(2027, 12, 20), 13, 14, False),
    ]


def test_an_april_year_starts_its_columns_in_april(db):
    org = OrganizationFactory(fiscal_year_start_month=4)
    roadmap = RoadmapFactory(org=org, fiscal_year=2027)  # April 2026 to March 2027
    _event(org, "Goals", date(2027, 1, 11), date(2027, 1, 22), kind=EventKind.GOAL_SETTING)

    grid = BusinessEvent.objects.for_org(org).calendar_grid(roadmap, avoided=set())

    assert grid.months[0] == date(2026, 4, 1) and grid.months[-1] == date(2027, 3, 1)
    assert len(grid.months) == 12
    [goals] = grid.event_bars
    assert (goals["from"], goals["to"]) == (11, 12)
    assert [(b["from"], b["to"]) for b in grid.cycle_bars] == [(2, 5), (5, 8), (8, 11), (11, 14)]


def test_span_clips_to_the_period():
    start, end = date(2027, 1, 1), date(2027, 12, 31)
    assert CalendarGrid.span(start, end, date(2026, 6, 1), date(2028, 6, 1)) == {
        "from": 2,
        "to": 14,
    }
    assert CalendarGrid.span(start, end, date(2027, 7, 31), date(2027, 8, 1)) == {
        "from": 8,
        "to": 10,
    }
