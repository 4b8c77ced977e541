"""Fiscal quarters (`Organization.fiscal_quarter_bounds`, `fiscal_quarter_label`) for a
fiscal year starting in any month, and the organisation's time zone in its settings."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from django.urls import reverse

from roadmap_site.models import Organization


@pytest.mark.parametrize(
    ("start_month", "day", "first", "last", "label"),
    [
        # Calendar year: Q1 is January to March, named by the year it ends in.
        (1, date(2026, 1, 15), date(2026, 1, 1), date(2026, 3, 31), "Q1 FY26"),
        (1, date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31), "Q4 FY26"),
        # February (the demo's): FY27 runs February 2026 to January 2027.
        (2, date(2026, 11, 30), date(2026, 11, 1), date(2027, 1, 31), "Q4 FY27"),
        (2, date(2027, 1, 31), date(2026, 11, 1), date(2027, 1, 31), "Q4 FY27"),
        (2, date(2026, 2, 1), date(2026, 2, 1), date(2026, 4, 30), "Q1 FY27"),
        # July: FY27 runs July 2026 to June 2027.
        (7, date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30), "Q4 FY26"),
        (7, date(2026, 7, 1), date(2026, 7, 1), date(2026, 9, 30), "Q1 FY27"),
        # December: the first quarter straddles the new year and a short February.
        (12, date(2026, 12, 1), date(2026, 12, 1), date(2027, 2, 28), "Q1 FY27"),
        (12, date(2028, 2, 29), date(2027, 12, 1), date(2028, 2, 29), "Q1 FY28"),
        (12, date(2026, 11, 30), date(2026, 9, 1), date(2026, 11, 30), "Q4 FY26"),
    ],
)
def test_quarter_of_a_day(start_month, day, first, last, label):
    org = Organization(name="x", fiscal_year_start_month=start_month)
    assert org.fiscal_quarter_bounds(day) == (first, last)
    assert org.fiscal_quarter_label(day) == label


@pytest.mark.parametrize("start_month", range(1, 13))
def test_every_day_of_two_years_falls_in_one_three_month_quarter(start_month):
    """Whatever month the year starts in: each quarter starts on a 1st in a month three,
    six, nine or twelve months after the fiscal year's, lasts three whole months, and
    holds the day; consecutive days share a quarter or start the next one."""
    org = Organization(name="x", fiscal_year_start_month=start_month)
    day, previous = date(2026, 1, 1), None
    while day <= date(2027, 12, 31):
        first, last = org.fiscal_quarter_bounds(day)
        assert first <= day <= last
        assert first.day == 1 and (first.month - start_month) % 3 == 0
        months = (last.year - first.year) * 12 + last.month - first.month
        assert months == 2
        assert last.day == calendar.monthrange(last.year, last.month)[1]
        if previous is not None and previous != (first, last):
            assert first == previous[1] + timedelta(days=1)
        quarter = int(org.fiscal_quarter_label(day)[1])
        assert quarter == (first.month - start_month) % 12 // 3 + 1
        previous = (first, last)
        day += timedelta(days=1)


def test_admin_sets_the_time_zone(admin_client, org):
    response = admin_client.post(
        reverse("org_settings"),
        {"name": org.name, "fiscal_year_start_month": 1, "time_zone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.time_zone == "Asia/Tokyo"


def test_a_made_up_time_zone_is_refused_and_nothing_changes(admin_client, org):
    response = admin_client.post(
        reverse("org_settings"),
        {"name": "Renamed", "fiscal_year_start_month": 1, "time_zone": "Mars/Olympus"},
    )
    assert "Mars/Olympus" in response.content.decode()
    assert "not a time zone name" in response.content.decode()
    org.refresh_from_db()
    assert (org.name, org.time_zone) == ("Northwind", "UTC")


def test_people_form_marks_a_senior_stakeholder(admin_client, org, person):
    response = admin_client.post(
        reverse("person_edit", args=[person.pk]),
        {"name": person.name, "email": "", "title": "", "department": "", "is_senior": "on"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_senior
