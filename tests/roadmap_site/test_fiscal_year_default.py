# ruff: noqa: RUF001, RUF003 - the labels show a real en dash between dates.
"""A new strategy or roadmap proposes the fiscal year ahead, with its dates; the start month
is chosen by name."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from roadmap.models import Roadmap
from roadmap_site.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start_month", "today", "expected"),
    [
        # January start: the calendar year, until most of the next twelve months is next year.
        (1, date(2026, 1, 1), 2026),
        (1, date(2026, 6, 30), 2026),
        (1, date(2026, 7, 1), 2026),  # 184 days left of 365: still the current year
        (1, date(2026, 7, 3), 2027),
        (1, date(2026, 11, 29), 2027),  # the new lead's day: FY26 ends in a month
        (1, date(2026, 12, 31), 2027),
        # February start: FY27 runs 1 Feb 2026 – 31 Jan 2027.
        (2, date(2026, 1, 31), 2027),  # one day left of FY26
        (2, date(2026, 2, 1), 2027),
        (2, date(2026, 8, 1), 2027),
        (2, date(2026, 8, 5), 2028),
        (2, date(2026, 11, 29), 2028),
        # April start: FY27 runs 1 Apr 2026 – 31 Mar 2027.
        (4, date(2026, 3, 1), 2027),
        (4, date(2026, 9, 1), 2027),
        (4, date(2026, 12, 1), 2028),
        # December start: FY27 runs 1 Dec 2026 – 30 Nov 2027.
        (12, date(2026, 11, 29), 2027),
        (12, date(2026, 12, 1), 2027),
        (12, date(2027, 6, 15), 2028),
    ],
)
def test_default_fiscal_year_holds_most_of_the_coming_twelve_months(start_month, today, expected):
    org = Organization(fiscal_year_start_month=start_month)
    assert org.default_fiscal_year(today) == expected


def client_on(membership) -> Client:
    """Signed in inside the time-travel block, so the session is not expired there."""
    client = Client()
    client.force_login(membership.user)
    return client


def selected_option(html: str, name: str = "fiscal_year") -> tuple[str, str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}>"
    chosen = re.search(r'<option value="(\d+)" selected>([^<]*)</option>', select.group(1))
    assert chosen, "nothing selected"
    return chosen.group(1), chosen.group(2)


@pytest.mark.parametrize(
    ("start_month", "today", "value", "label"),
    [
        (1, date(2026, 11, 29), "2027", "FY27 (1 Jan 2027 – 31 Dec 2027)"),
        (1, date(2026, 3, 10), "2026", "FY26 (1 Jan 2026 – 31 Dec 2026)"),
        (2, date(2026, 11, 29), "2028", "FY28 (1 Feb 2027 – 31 Jan 2028)"),
        (4, date(2026, 5, 2), "2027", "FY27 (1 Apr 2026 – 31 Mar 2027)"),
    ],
)
@pytest.mark.parametrize(
    "url",
    [reverse("strategy:home"), reverse("roadmap:roadmap_create")],
    ids=["strategy", "roadmap"],
)
def test_create_forms_propose_the_year_ahead_with_its_dates(
    editor_membership, org, url, start_month, today, value, label
):
    org.fiscal_year_start_month = start_month
    org.save()
    with time_machine.travel(today, tick=False):
        response = client_on(editor_membership).get(url)
    assert response.status_code == 200
    assert selected_option(response.text) == (value, label)


def test_the_choice_runs_from_last_year_to_three_ahead(editor_membership, org):
    org.fiscal_year_start_month = 2
    org.save()
    with time_machine.travel(date(2026, 11, 29), tick=False):
        html = client_on(editor_membership).get(reverse("roadmap:roadmap_create")).text
    options = re.findall(r'<option value="(\d+)"', html)
    # FY27 is the current year (it ends 31 Jan 2027); FY28 the proposed one.
    assert options == ["2026", "2027", "2028", "2029", "2030"]
    assert "FY26 (1 Feb 2025 – 31 Jan 2026)" in html


def test_a_roadmap_made_from_the_proposed_year_covers_it(editor_membership, org):
    org.fiscal_year_start_month = 2
    org.save()
    with time_machine.travel(date(2026, 11, 29), tick=False):
        client = client_on(editor_membership)
        value, _ = selected_option(client.get(reverse("roadmap:roadmap_create")).text)
        client.post(reverse("roadmap:roadmap_create"), {"title": "Next year", "fiscal_year": value})
    roadmap = Roadmap.objects.get(org=org)
    assert (roadmap.period_start, roadmap.period_end) == (date(2027, 2, 1), date(2028, 1, 31))


@pytest.mark.parametrize("value", ["abc", "1999", "2101", ""])
def test_a_tampered_year_is_refused_and_writes_nothing(editor_client, row_counts, value):
    before = row_counts()
    response = editor_client.post(
        reverse("roadmap:roadmap_create"), {"title": "Tampered", "fiscal_year": value}
    )
    assert response.status_code == 400
    assert row_counts() == before
    strategy = editor_client.post(reverse("strategy:strategy_create"), {"fiscal_year": value})
    assert strategy.status_code == 400
    assert row_counts() == before


# The start month, by name --------------------------------------------------------------


def month_options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="fiscal_year_start_month"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no start-month select"
    return re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select.group(1))


def test_settings_name_the_months(admin_client, org):
    org.fiscal_year_start_month = 4
    org.save()
    html = admin_client.get(reverse("org_settings")).text
    options = month_options(html)
    assert options[0] == ("1", "January")
    assert options[11] == ("12", "December")
    assert '<option value="4" selected>April</option>' in html
    assert org.get_fiscal_year_start_month_display() == "April"


def test_new_organisation_form_names_the_months(editor_client):
    assert ("2", "February") in month_options(editor_client.get(reverse("org_create")).text)


def test_signup_asks_when_the_fiscal_year_starts(client):
    assert ("7", "July") in month_options(client.get(reverse("signup")).text)
    client.post(
        reverse("signup"),
        {
            "name": "Maya Okafor",
            "email": "maya@northwind.example",
            "password": "a-long-and-unusual-passphrase",
            "org_name": "Northwind Global",
            "fiscal_year_start_month": "7",
        },
    )
    assert Organization.objects.get(name="Northwind Global").fiscal_year_start_month == 7


@pytest.mark.parametrize("value", ["13", "0", "July"])
def test_signup_refuses_a_month_that_is_not_one(client, row_counts, value):
    before = row_counts()
    response = client.post(
        reverse("signup"),
        {
            "name": "Maya Okafor",
            "email": "maya@northwind.example",
            "password": "a-long-and-unusual-passphrase",
            "org_name": "Northwind Global",
            "fiscal_year_start_month": value,
        },
    )
    assert response.status_code in (200, 400)
    assert "fiscal_year_start_month" in response.context["form"].errors
    assert row_counts() == before
