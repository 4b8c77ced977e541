"""An L&D lead follows learner engagement in the demo: from the initiative to its program,
sees the decline and its month, enters eligible learners for a new month by hand, then
reads the overview. Looked at at laptop (1280) and phone (390) widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from measurement.models import EligibleLearners, Program
from roadmap.demo import load_demo
from roadmap_site.dates import add_months
from roadmap_site.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_follow_engagement_from_the_initiative(page: Page, live_server, sign_in, screenshot):
    demo = load_demo()
    sign_in(demo.users["demo@example.com"], DEMO_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/roadmaps/")
    page.get_by_role("link", name="Global onboarding roadmap").first.click()
    page.get_by_role("link", name="Manager onboarding toolkit").first.click()
    page.get_by_role("link", name="Measure: learner engagement, month by month").click()

    expect(page.get_by_role("heading", name="Manager onboarding toolkit", level=1)).to_be_visible()
    expect(page.get_by_role("list", name="Event types that count as active")).to_contain_text(
        "launched"
    )
    expect(page.locator("[data-chart='chart-engagement'] .main-svg").first).to_be_visible()
    page.locator(".kpi-latest").get_by_role("link", name="Declining").click()
    last = add_months(demo.org.today().replace(day=1), -1)
    expect(page).to_have_url(f"{page.url.split('#')[0]}#month-{last:%Y-%m}")
    row = page.locator(f"#month-{last:%Y-%m}")
    expect(row).to_contain_text("41\u00a0%")
    screenshot("engagement-program-laptop")

    # Eligible learners for this month, by hand: the month appears in the table.
    this_month = demo.org.today().replace(day=1)
    form = page.locator("form").filter(
        has=page.get_by_role("button", name="Save eligible learners")
    )
    form.get_by_label("Month").fill(f"{this_month:%Y-%m}")
    form.get_by_label("Eligible learners").fill("84")
    form.get_by_role("button", name="Save eligible learners").click()
    expect(page.get_by_text(f"Eligible learners for {this_month:%B %Y} saved.")).to_be_visible()
    expect(page.locator(f"#month-{this_month:%Y-%m}")).to_contain_text("84")
    assert EligibleLearners.objects.get(month=this_month).count == 84

    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    expect(page.locator("[data-chart='chart-engagement'] .main-svg").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("engagement-program-phone")

    page.goto(f"{live_server.url}/measurement/engagement/")
    expect(page.get_by_role("heading", name="Are learners taking part?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("engagement-overview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Declining only (1)").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="1 program")).to_be_visible()
    expect(page.get_by_role("row", name="Manager onboarding toolkit")).to_contain_text("Declining")
    page.get_by_label("Declining only (1)").uncheck()
    page.get_by_role("button", name="Apply").click()
    # Every demo program is listed again (the impact demo measures some initiatives too).
    programs = Program.objects.filter(org=demo.org).count()
    expect(page.get_by_role("heading", name=f"{programs} programs")).to_be_visible()
    screenshot("engagement-overview-laptop")
