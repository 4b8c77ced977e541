"""The measurement dashboard, as a team lead uses it: read the families at a glance, follow
an alert to its cause, come back and acknowledge it with a note. The dashboard and the
leadership alignment page are photographed on a laptop and a phone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from measurement import alerts, alignment
from measurement.models import Alert, Forum
from measurement.tasks import refresh_org_alerts
from roadmap.models import SmeAssignment, Stage, StageKind
from roadmap_site.models import Role
from tests.browser.htmx import charts_drawn, settled
from tests.factories import (
    InitiativeFactory,
    KpiFactory,
    KpiValueFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    RoadmapFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def northwind():
    org = OrganizationFactory(name="Northwind Global", slug="northwind", fiscal_year_start_month=2)
    lead = MembershipFactory(org=org, role=Role.ADMIN, user__email="maya@example.com").user
    today = org.today()
    quarter_start = org.fiscal_quarter_bounds(today)[0]
    elena = PersonFactory(org=org, name="Elena Rossi", title="VP Engineering", is_senior=True)
    david = PersonFactory(org=org, name="David Chen", title="Chief People Officer", is_senior=True)
    PersonFactory(org=org, name="Grace Kim", title="Director of Customer Support", is_senior=True)
    alignment.record_touchpoint(
        org=org, stakeholder=elena, day=quarter_start, forum=Forum.WORKFORCE_PLANNING,
        notes="Engineering hiring wave: ramp-up path first.",
    )  # fmt: skip
    alignment.record_touchpoint(
        org=org, stakeholder=david, day=today, forum=Forum.BUDGET_CYCLE,
        notes="Budget recast: onboarding journey kept whole.",
    )  # fmt: skip
    alignment.record_touchpoint(
        org=org, stakeholder=david, day=quarter_start - timedelta(days=20),
        forum=Forum.BUSINESS_REVIEW,
    )  # fmt: skip
    kpi = KpiFactory(
        org=org, name="Days to first closed deal", owner=PersonFactory(org=org, name="Aisha Bello"),
        baseline_date=today - timedelta(days=300), target_date=today + timedelta(days=60),
    )  # fmt: skip
    KpiValueFactory(kpi=kpi, date=today - timedelta(days=30), value=Decimal(97))
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap",
                             fiscal_year=org.fiscal_year_of(today))  # fmt: skip
    bootcamp = InitiativeFactory(roadmap=roadmap, title="Sales onboarding bootcamp")
    Stage.objects.create(
        org=org, initiative=bootcamp, kind=StageKind.CONTENT_CREATION,
        start=today - timedelta(days=40), end=today + timedelta(days=10),
    )  # fmt: skip
    SmeAssignment.objects.create(
        org=org, initiative=bootcamp, person=PersonFactory(org=org, name="Fatima Zahra"),
        involved_on=today - timedelta(days=20),
    )  # fmt: skip
    # Written by factories around the services: the refresh their writes would have queued.
    alerts.refresh_alerts(org, today)
    return org, lead


def test_drill_down_from_an_alert_and_acknowledge_it(page: Page, live_server, sign_in, screenshot):
    org, lead = northwind()
    page.set_viewport_size(LAPTOP)
    sign_in(lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Measurement").click()
    expect(page.get_by_role("heading", name="Is the roadmap working?", level=1)).to_be_visible()
    charts_drawn(page)
    expect(page.get_by_role("heading", name="Leadership alignment", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="SME engagement", level=2)).to_be_visible()
    expect(page.get_by_text("2 of 3 senior stakeholders met")).to_be_visible()
    screenshot("measurement-dashboard-laptop")

    # The alert names Grace; its link leads to the seniors without a touchpoint.
    alert = page.locator(".alert-item", has_text="No touchpoint with Grace Kim")
    expect(alert).to_be_visible()
    alert.get_by_role("link", name="See the cause").click()
    expect(page.get_by_role("heading", name="Touchpoints with senior stakeholders")).to_be_visible()
    not_met = page.locator("#not-met")
    expect(not_met.get_by_text("Grace Kim")).to_be_visible()
    expect(not_met.get_by_text("Elena Rossi")).to_have_count(1)  # in the "Met" line only
    screenshot("measurement-alignment-laptop")

    # Back on the dashboard, acknowledge it with a note, by keyboard.
    page.go_back()
    alert = page.locator(".alert-item", has_text="No touchpoint with Grace Kim")
    alert.locator("summary").click()
    note = alert.get_by_label("Note")
    note.fill("Meeting booked with Grace for next week.")
    note.press("Tab")
    page.keyboard.press("Enter")
    acknowledged = page.get_by_text("Acknowledged (1)")
    settled(acknowledged)
    expect(page.locator(".alert-item", has_text="No touchpoint with Grace Kim")).to_have_count(0)
    acknowledged.click()
    expect(page.get_by_text("Meeting booked with Grace for next week.")).to_be_visible()
    stored = Alert.objects.get(org=org, title__contains="Grace Kim")
    assert stored.ack_note == "Meeting booked with Grace for next week."
    assert stored.acknowledged_by == lead

    # An empty note is refused in place, with the message next to the field.
    sme_alert = page.locator(".alert-item", has_text="Sales onboarding bootcamp")
    sme_alert.locator("summary").click()
    sme_alert.get_by_role("button", name="Acknowledge").click()
    error = page.get_by_text("Say what is being done about it")
    settled(error)
    expect(
        page.locator(".alert-item", has_text="Sales onboarding bootcamp").get_by_label("Note")
    ).to_be_focused()
    page.goto(f"{live_server.url}/measurement/dashboard/")
    charts_drawn(page)
    screenshot("measurement-dashboard-laptop-acknowledged")
    # The SME card drills down to the initiatives whose SME came late.
    page.get_by_role("link", name="Initiatives with their SME involved before the build").click()
    expect(page.get_by_role("heading", name="Not involved before the build (1)")).to_be_visible()
    expect(page.get_by_role("link", name="Sales onboarding bootcamp")).to_be_visible()
    screenshot("sme-engagement-laptop")


def test_dashboard_and_alignment_on_a_phone(page: Page, live_server, sign_in, screenshot):
    _org, lead = northwind()
    page.set_viewport_size(PHONE)
    sign_in(lead)
    page.goto(f"{live_server.url}/measurement/dashboard/")
    charts_drawn(page)
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("measurement-dashboard-phone")
    page.goto(f"{live_server.url}/measurement/alignment/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_role("combobox", name="Senior stakeholder")).to_be_visible()
    screenshot("measurement-alignment-phone")


def test_alerts_behind_the_data_say_so_and_update_themselves(
    page: Page, live_server, sign_in, screenshot
):
    """Data saved around the services (nothing queued a refresh): the dashboard shows what
    it has, says the rules are being checked, and its alerts update without a reload once
    the refresh has run."""
    org = OrganizationFactory(name="Northwind Global", slug="northwind")
    lead = MembershipFactory(org=org, role=Role.ADMIN, user__email="maya@example.com").user
    today = org.today()
    kpi = KpiFactory(
        org=org, name="Days to first closed deal",
        baseline_date=today - timedelta(days=300), target_date=today + timedelta(days=60),
    )  # fmt: skip
    KpiValueFactory(kpi=kpi, date=today - timedelta(days=30), value=Decimal(97))
    sign_in(lead)
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/measurement/dashboard/")
    checking = page.get_by_role("status").filter(has_text="Checking the rules")
    expect(checking).to_be_visible()
    expect(page.get_by_text("No open alert at the last check.")).to_be_visible()
    screenshot("measurement-dashboard-checking")
    # What the queued task does in a worker (without a broker it already ran at the view).
    refresh_org_alerts(org.pk)
    expect(page.locator(".alert-item", has_text="Days to first closed deal")).to_be_visible()
    expect(checking).to_have_count(0)
    charts_drawn(page)
    screenshot("measurement-dashboard-checked")
