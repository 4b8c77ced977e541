"""An organisation's fiscal year and month arithmetic: pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from roadmap_site.dates import add_months
from roadmap_site.models import Organization


def org_starting_in(month: int) -> Organization:
    return Organization(name="Northwind", fiscal_year_start_month=month)


@pytest.mark.parametrize(
    ("start_month", "fiscal_year", "bounds"),
    [
        (1, 2027, (date(2027, 1, 1), date(2027, 12, 31))),
        (2, 2027, (date(2026, 2, 1), date(2027, 1, 31))),
        (4, 2027, (date(2026, 4, 1), date(2027, 3, 31))),
        (7, 2027, (date(2026, 7, 1), date(2027, 6, 30))),
        (12, 2027, (date(2026, 12, 1), date(2027, 11, 30))),
        # A year that ends in a leap February keeps its 29th.
        (3, 2024, (date(2023, 3, 1), date(2024, 2, 29))),
    ],
)
def test_fiscal_year_bounds(start_month, fiscal_year, bounds):
    assert org_starting_in(start_month).fiscal_year_bounds(fiscal_year) == bounds


@pytest.mark.parametrize("start_month", range(1, 13))
def test_every_day_falls_in_the_fiscal_year_named_after_the_year_it_ends_in(start_month):
    org = org_starting_in(start_month)
    day = date(2025, 1, 1)
    while day <= date(2027, 12, 31):
        fiscal_year = org.fiscal_year_of(day)
        first, last = org.fiscal_year_bounds(fiscal_year)
        assert first <= day <= last, (start_month, day)
        assert last.year == fiscal_year
        assert first.month == start_month and first.day == 1
        # Consecutive years tile the calendar: no gap, no overlap.
        assert org.fiscal_year_bounds(fiscal_year + 1)[0] == last + timedelta(days=1)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2026, 1, 31), 2026),  # the last day of FY26
        (date(2026, 2, 1), 2027),  # FY27 starts in February 2026...
        (date(2026, 12, 31), 2027),
        (date(2027, 1, 31), 2027),  # ...and ends in January 2027
        (date(2027, 2, 1), 2028),
    ],
)
def test_a_february_fiscal_year_is_named_after_the_january_it_ends_in(day, fiscal_year):
    assert org_starting_in(2).fiscal_year_of(day) == fiscal_year


def test_a_calendar_fiscal_year_is_the_calendar_year():
    org = org_starting_in(1)
    assert org.fiscal_year_of(date(2027, 1, 1)) == 2027
    assert org.fiscal_year_of(date(2027, 12, 31)) == 2027


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 2, 1), 12, date(2027, 2, 1)),
        (date(2026, 2, 1), 27, date(2028, 5, 1)),
        # Month ends clamp to the shorter month.
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected
