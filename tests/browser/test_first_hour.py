"""The first hour, counted: from the sign-up page to a read-only shared link (opened in a
fresh, signed-out browser) that shows three committed initiatives.

Every click, every choice in a select and every form submitted with Enter counts as one
click; typing into a field does not. Starting from a template it takes at most 12 clicks,
from a blank organisation at most 25. Screenshots of the template choice and the checklist
are taken at laptop and phone widths.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from roadmap.models import Initiative
from roadmap.starters import get_starter

pytestmark = pytest.mark.django_db(transaction=True)

COMMITTED = ("status-committed", "status-in_progress", "status-delivered")


class Clicks:
    """Does the user's clicks and counts them."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def choose(self, select: Locator, label: str) -> None:
        self.count += 1  # opening the list and picking counts as one, like a keyboard choice
        select.select_option(label=label)


def sign_up(page: Page, live_server, clicks: Clicks, org_name: str) -> None:
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Your name").fill("Ada Trainer")
    page.get_by_label("E-mail").fill(f"ada@{org_name.lower().replace(' ', '')}.example")
    page.get_by_label("Password").fill("a-long-unusual-passphrase")
    page.get_by_label("Organisation name").fill(org_name)
    clicks.click(page.get_by_role("button", name="Create organisation"))
    expect(page.get_by_role("heading", name="Roadmaps", level=1)).to_be_visible()


def share(page: Page, clicks: Clicks) -> str:
    clicks.click(page.get_by_role("link", name="Share", exact=True))  # the Share page
    clicks.click(page.get_by_role("button", name="Create share link"))
    share_url = page.get_by_label(re.compile("New link")).input_value()
    assert "/s/" in share_url
    return share_url


def committed_on_shared_page(browser, share_url: str, screenshot, name: str) -> list[str]:
    """Opens the link signed out and returns the titles shown as committed."""
    stranger = browser.new_context()
    shared = stranger.new_page()
    shared.goto(share_url)
    rows = shared.locator("li.initiative").filter(
        has=shared.locator(", ".join(f".badge.{c}" for c in COMMITTED))
    )
    expect(rows.first).to_be_visible()
    expect(shared.locator("form")).to_have_count(0)  # read-only
    titles = rows.locator(".initiative-title").all_inner_texts()
    screenshot(name, of=shared)
    stranger.close()
    return titles


def test_first_hour_from_a_template(page: Page, live_server, browser, screenshot):
    clicks = Clicks()
    sign_up(page, live_server, clicks, "Acme Learning")

    # The empty roadmap list offers the templates and the checklist.
    starter = get_starter("global-onboarding")
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    clicks.click(page.get_by_role("radio", name=re.compile(re.escape(starter.name))))
    clicks.click(page.get_by_role("button", name="Start from this template"))
    expect(page.get_by_role("heading", name=starter.title, level=1)).to_be_visible()

    share_url = share(page, clicks)
    titles = committed_on_shared_page(browser, share_url, screenshot, "first-hour-template-shared")

    committed = set(Initiative.objects.committed().values_list("title", flat=True))
    assert len(titles) >= 3 and set(titles) == committed
    print(f"first hour from a template: {clicks.count} clicks")
    assert clicks.count <= 12


def test_first_hour_from_a_blank_organisation(page: Page, live_server, browser, screenshot):
    clicks = Clicks()
    sign_up(page, live_server, clicks, "Blank Learning")

    clicks.click(page.get_by_role("link", name="Start a roadmap"))
    page.get_by_label("Title").fill("Onboarding FY27")
    clicks.click(page.get_by_role("button", name="Create roadmap"))  # "Blank" is preselected
    expect(page.get_by_role("heading", name="Onboarding FY27")).to_be_visible()

    form = page.locator("#initiative-form")
    titles = ["Manager onboarding toolkit", "Buddy programme", "Sales bootcamp"]
    for n, title in enumerate(titles, start=1):
        form.get_by_label("Title").fill(title)
        clicks.choose(form.get_by_label("Status"), "Committed")
        clicks.click(form.get_by_role("button", name="Add initiative"))
        expect(page.locator("#initiative-rows li.initiative")).to_have_count(n)
        expect(form.get_by_label("Title")).to_have_value("")  # settled: the form was reset

    share_url = share(page, clicks)
    shown = committed_on_shared_page(browser, share_url, screenshot, "first-hour-blank-shared")

    assert sorted(shown) == sorted(titles)
    print(f"first hour from a blank organisation: {clicks.count} clicks")
    assert clicks.count <= 25


SHOTS = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SHOTS)
def test_template_choice_and_checklist_screenshots(size, page: Page, live_server, screenshot):
    page.set_viewport_size(SHOTS[size])
    clicks = Clicks()
    sign_up(page, live_server, clicks, f"Shots {size}")
    expect(page.get_by_role("radio", name=re.compile("Compliance refresh"))).to_be_visible()
    screenshot(f"first-hour-template-choice-{size}")

    # The checklist ticks as the data arrives: load a template, come back to the list.
    page.get_by_role("radio", name=re.compile("Leadership development")).click()
    page.get_by_role("button", name="Start from this template").click()
    expect(page.get_by_role("link", name="Share", exact=True)).to_be_visible()  # the roadmap
    page.goto(f"{live_server.url}/roadmaps/")
    checklist = page.locator(".checklist li")
    expect(checklist).to_have_count(6)
    expect(page.locator(".checklist li.done")).to_have_count(5)  # all but "Share"
    screenshot(f"first-hour-checklist-{size}")

    page.goto(f"{live_server.url}/roadmaps/new/")
    screenshot(f"first-hour-new-roadmap-{size}")
