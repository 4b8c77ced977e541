"""The quarterly report page in a browser, on the demo: last quarter's report sent to the
CPO, a leader added and removed by keyboard-reachable controls, at laptop and phone width."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from roadmap.demo import ROADMAP_TITLE, load_demo
from roadmap.models import Roadmap
from tests.browser.test_new_lead_look import WIDTHS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_the_report_page_reads_and_manages_leaders(page: Page, live_server, screenshot):
    demo = load_demo()
    with scopes_disabled():
        roadmap = Roadmap.objects.get(org=demo.org, title=ROADMAP_TITLE)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("link", name="Quarterly report").click()
    expect(page.get_by_role("heading", name="Quarterly report", level=1)).to_be_visible()

    reports = page.get_by_role("region", name="Reports and what was sent")
    expect(reports.get_by_role("heading", level=3)).to_contain_text("Q3 FY27")
    expect(reports.get_by_role("row", name="David Chen")).to_contain_text("Sent")
    expect(reports.get_by_role("link", name="Download PDF of Q3 FY27")).to_be_visible()
    leaders = page.get_by_role("region", name="Leaders who receive it")
    expect(leaders.get_by_role("listitem")).to_have_count(1)

    for name, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.reload()
        expect(page.get_by_role("heading", name="Quarterly report", level=1)).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0, name
        screenshot(f"quarterly-report-{name}")

    page.set_viewport_size(WIDTHS["laptop"])
    leaders = page.get_by_role("region", name="Leaders who receive it")
    leaders.get_by_label("Leader").select_option(label="Grace Kim")
    leaders.get_by_role("button", name="Add leader").click()
    leaders = page.get_by_role("region", name="Leaders who receive it")
    expect(leaders.get_by_role("listitem")).to_have_count(2)
    expect(leaders).to_contain_text("Grace Kim, Director of Customer Support")

    leaders.get_by_role("button", name="Remove Grace Kim").click()
    expect(
        page.get_by_role("region", name="Leaders who receive it").get_by_role("listitem")
    ).to_have_count(1)

    # Adding nobody says so in place (htmx swaps the form with its error).
    leaders = page.get_by_role("region", name="Leaders who receive it")
    leaders.get_by_role("button", name="Add leader").click()
    expect(page.get_by_role("region", name="Leaders who receive it")).to_contain_text(
        "This field is required."
    )
