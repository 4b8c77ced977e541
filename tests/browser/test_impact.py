"""The impact pages in a browser, on the demo: the chain, the NPS chart, the ROI working,
a response added through the form, and how it all reads at laptop and phone width."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from measurement.models import Program
from roadmap.demo import load_demo
from tests.browser.test_new_lead_look import WIDTHS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

JOURNEY = "Day-1 to Day-90 global onboarding journey"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_impact_pages_read_and_take_a_response(page: Page, live_server, screenshot):
    demo = load_demo()
    with scopes_disabled():
        journey = Program.objects.get(org=demo.org, initiative__title=JOURNEY)
        toolkit = Program.objects.get(org=demo.org, initiative__title="Manager onboarding toolkit")
    sign_in(page, live_server.url)
    for name, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/measurement/impact/")
        expect(page.get_by_role("heading", name="Impact across programs")).to_be_visible()
        screenshot(f"impact-index-{name}")
        assert page.evaluate(OVERFLOW) <= 0, name
        page.get_by_role("link", name=JOURNEY).click()
        expect(page.get_by_role("heading", name=JOURNEY)).to_be_visible()
        page.wait_for_selector(".chart .main-svg")  # the distribution is drawn
        screenshot(f"impact-program-{name}")
        assert page.evaluate(OVERFLOW) <= 0, name
        page.goto(f"{live_server.url}/measurement/programs/{toolkit.pk}/impact/")
        screenshot(f"impact-program-small-sample-{name}")

    page.set_viewport_size(WIDTHS["laptop"])
    page.goto(f"{live_server.url}/measurement/programs/{journey.pk}/impact/")
    chain = page.locator(".chain-level")
    expect(chain).to_have_count(5)
    expect(chain.nth(2)).to_contain_text("Missing")  # behaviour: nothing yet in the demo
    expect(chain.nth(0)).to_contain_text("Evidence")
    expect(page.get_by_test_id("roi-working")).to_contain_text("÷")
    expect(page.get_by_text("n = 45 · margin")).to_be_visible()

    form = page.locator("#response-form")
    form.get_by_label("Score").fill("11")
    form.get_by_role("button", name="Add response").click()
    expect(page.locator("#response-form")).to_contain_text("less than or equal to 10")
    form = page.locator("#response-form")
    form.get_by_label("Score").fill("10")
    form.get_by_label("Comment").fill("Best onboarding I have had.")
    form.get_by_role("button", name="Add response").click()
    expect(page.get_by_text("n = 46 · margin")).to_be_visible()
    expect(page.get_by_text("Best onboarding I have had.")).to_be_visible()


def test_each_section_at_phone_width(page: Page, live_server):
    """Section by section, so a person can read the screenshots at their real size."""
    from tests.browser.conftest import SCREENSHOTS

    demo = load_demo()
    with scopes_disabled():
        journey = Program.objects.get(org=demo.org, initiative__title=JOURNEY)
    sign_in(page, live_server.url)
    for name, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/measurement/programs/{journey.pk}/impact/")
        page.wait_for_selector(".chart .main-svg")
        sections = page.locator("#impact-data > section")
        expect(sections).to_have_count(4)
        for i in range(4):
            sections.nth(i).screenshot(path=str(SCREENSHOTS / f"impact-section-{i + 1}-{name}.png"))
        assert page.evaluate(OVERFLOW) <= 0, name
