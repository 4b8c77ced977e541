"""An editor writes the strategy: fills the canvas in place, adds a priority with a new
KPI, records two values and sees the trend and status, then takes the maturity
self-assessment and sees the radar. Also looked at on a 390px-wide phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from measurement.models import Kpi, KpiValue
from roadmap_site.models import Role
from strategy import maturity
from strategy.models import CanvasAnswer, MaturityAssessment, Priority
from tests.browser.htmx import settled
from tests.factories import MembershipFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_write_the_strategy_and_measure_it(page: Page, live_server, sign_in, screenshot):
    org = OrganizationFactory(name="Northwind", fiscal_year_start_month=2)
    editor = MembershipFactory(org=org, role=Role.EDITOR, user__email="maya@northwind.test")
    PersonFactory(org=org, name="David Chen", department="People")
    sign_in(editor.user)

    # Start this year's strategy.
    page.goto(f"{live_server.url}/strategy/")
    page.get_by_label("Fiscal year").select_option("2027")
    page.get_by_role("button", name="Start the strategy").click()
    expect(page.get_by_role("heading", name="FY27 L&D strategy")).to_be_visible()

    # The canvas, edited in place (htmx: no page load).
    page.evaluate("window.__no_reload = true")
    page.get_by_role("link", name="Edit “What is our vision for the year?”").click()
    vision = page.get_by_label("What is our vision for the year?")
    settled(vision)
    vision.fill("Every new hire, in every region, productive in 60 days.")
    page.get_by_role("button", name="Save").click()
    settled(page.get_by_text("Every new hire, in every region, productive in 60 days."))
    page.get_by_role("link", name="Edit “Who is our target audience?”").click()
    audience = page.get_by_label("Who is our target audience?")
    settled(audience)
    audience.fill("The 1,400 people we hire in FY27, and the managers who onboard them.")
    page.get_by_role("button", name="Save").click()
    settled(page.get_by_text("The 1,400 people we hire in FY27"))
    assert page.evaluate("window.__no_reload") is True, "the page reloaded instead of swapping"
    assert CanvasAnswer.objects.get(question="vision").revisions.count() == 2

    # A priority with a new business KPI.
    form = page.locator("#priorities form").filter(
        has=page.get_by_role("button", name="Add priority")
    )
    form.get_by_label("Capability to build").fill("Get every new hire productive in 60 days")
    form.get_by_label("The problem behind it").fill(
        "Time to full productivity ranges from 45 to 120 days across regions."
    )
    form.get_by_label("Business owner").select_option(label="David Chen")
    form.get_by_label("…or a new KPI").fill("Time to full productivity")
    form.get_by_label("Unit").fill("days")
    form.get_by_label("Direction").select_option(label="Lower is better")
    form.get_by_label(re.compile(r"^Baseline:?$")).fill("85")
    form.get_by_label("Baseline date").fill("2026-02-01")
    form.get_by_label(re.compile(r"^Target:?$")).fill("60")
    form.get_by_label("Target date").fill("2027-01-31")
    form.get_by_role("button", name="Add priority").click()
    priority = page.locator("#priorities li.priority").filter(has_text="Get every new hire")
    settled(priority)
    expect(priority.get_by_text("No values yet")).to_be_visible()
    assert Priority.objects.get().kpi.name == "Time to full productivity"
    screenshot("strategy-page")

    # Two values on the KPI page: the trend and the status follow.
    priority.get_by_role("link", name="Time to full productivity").click()
    expect(page.get_by_role("heading", name="Time to full productivity", level=1)).to_be_visible()
    page.get_by_label("Date").fill("2026-05-01")
    page.get_by_label(re.compile(r"^Value:?$")).fill("82")
    page.get_by_role("button", name="Record value").click()
    expect(page.get_by_test_id("kpi-status")).to_have_text("Off track")
    settled(page)
    page.get_by_label("Date").fill("2026-08-01")
    page.get_by_label(re.compile(r"^Value:?$")).fill("70")
    page.get_by_role("button", name="Record value").click()
    expect(page.get_by_test_id("kpi-status")).to_have_text("On track")
    settled(page)
    expect(page.locator(".kpi-latest .big-number")).to_contain_text("70")
    expect(page.locator("#kpi-data .chart .main-svg").first).to_be_visible()
    page.get_by_text("How the status is worked out").click()
    expect(page.get_by_text("We draw a straight line from the baseline")).to_be_visible()
    assert KpiValue.objects.filter(kpi=Kpi.objects.get()).count() == 2
    screenshot("kpi-page")

    # The one-pager reads the same strategy.
    page.goto(f"{live_server.url}/strategy/")
    page.get_by_role("link", name="One-pager").click()
    expect(page.get_by_role("heading", name="L&D strategy on a page")).to_be_visible()
    expect(page.locator(".op-priorities").get_by_text("On track")).to_be_visible()
    screenshot("strategy-one-pager")
    page.emulate_media(media="print")
    screenshot("strategy-one-pager-print")
    page.emulate_media(media="screen")

    # The maturity self-assessment, then its radar.
    page.goto(f"{live_server.url}/strategy/")
    page.get_by_role("navigation", name="Strategy").get_by_role("link", name="Maturity").click()
    page.get_by_role("link", name="Take the self-assessment").first.click()
    for dimension, level in zip(maturity.DIMENSIONS, [3, 2, 2, 1, 2, 1], strict=True):
        group = page.get_by_role("group", name=dimension.name)
        name = maturity.LEVEL_BY_NUMBER[level].name
        group.get_by_role("radio", name=re.compile(f"^{name}:")).check()
    screenshot("maturity-form")
    page.get_by_role("button", name="Save the assessment").click()
    # 11 points over six dimensions: 1.8 on average, still reactive overall.
    expect(page.get_by_role("heading", name="Reactive", exact=True)).to_be_visible()
    expect(page.locator(".radar .chart .main-svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="Suggested next moves")).to_be_visible()
    assert MaturityAssessment.objects.get().levels["alignment"] == 3
    screenshot("maturity-result")

    # The same pages on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/strategy/")
    screenshot("strategy-page-phone")
    page.goto(f"{live_server.url}/strategy/maturity/")
    expect(page.locator(".radar .chart .main-svg").first).to_be_visible()
    screenshot("maturity-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
