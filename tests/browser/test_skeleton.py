"""A newcomer's first walk: sign up, add an initiative inline, export the PDF, share the
roadmap by link, open it signed out, revoke it and see it refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Export, Initiative, ShareLink
from tests.browser.htmx import settled

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_plan_export_and_share(page: Page, live_server, screenshot, browser, tmp_path):
    # Sign up: a new organisation with its first admin.
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Your name").fill("Ada Trainer")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill("a-long-unusual-passphrase")
    page.get_by_label("Organisation name").fill("Acme Learning")
    page.get_by_role("button", name="Create organisation").click()
    expect(page.get_by_role("heading", name="Roadmaps", level=1)).to_be_visible()
    expect(page.get_by_text("Acme Learning")).to_be_visible()

    # A roadmap, then an initiative added inline (htmx: no page load).
    page.get_by_role("link", name="Start a roadmap").click()
    page.get_by_label("Title").fill("Global onboarding roadmap")
    page.get_by_role("button", name="Create roadmap").click()
    expect(page.get_by_role("heading", name="Global onboarding roadmap")).to_be_visible()

    form = page.locator("#initiative-form")
    form.get_by_label("Title").fill("Manager onboarding toolkit")
    form.get_by_label("Problem it solves").fill("Managers do not know what to do in week one.")
    form.get_by_label("Owner").select_option(label="Ada Trainer")
    form.get_by_label("Cycle").select_option(index=2)
    page.evaluate("window.__no_reload = true")
    form.get_by_role("button", name="Add initiative").click()
    row = page.locator("#initiative-rows li").filter(has_text="Manager onboarding toolkit")
    settled(row)
    assert page.evaluate("window.__no_reload") is True, "the page reloaded instead of swapping"
    expect(form.get_by_label("Title")).to_have_value("")  # reset for the next one
    # The chart redraws from the server's figure after the change.
    expect(page.locator("#chart .chart .main-svg").first).to_be_visible()

    # Inline edit: the row becomes a form and back.
    row.get_by_role("link", name=re.compile("Edit")).click()
    edit_form = page.get_by_role("form", name=re.compile("Edit Manager onboarding toolkit"))
    settled(edit_form)
    edit_form.get_by_label("Status").select_option(label="Committed")
    edit_form.get_by_role("button", name="Save").click()
    # The edit form's own <option>Committed</option> matches too: wait for it to be swapped out.
    expect(edit_form).to_have_count(0)
    settled(page.locator("#initiative-rows li").filter(has_text="Committed"))
    # Focus stays on the row that was saved, not thrown back to the top of the page (the
    # script moves it when htmx settles, which `settled` waited for).
    focused_row = "document.activeElement.closest('li.initiative')?.id || ''"
    assert page.evaluate(focused_row).startswith("initiative-")
    assert Initiative.objects.get(title="Manager onboarding toolkit").status == "committed"
    screenshot("skeleton-roadmap")

    # PDF export: the job row appears, is polled, and offers the download.
    page.get_by_role("button", name="Export PDF").click()
    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as download_info:
        download_link.click()
    pdf_path = tmp_path / "roadmap.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert Export.objects.get().status == "done"

    # Share by link, on the roadmap's Share page: shown once; opened in a fresh, signed-out
    # browser context.
    page.get_by_role("link", name="Share", exact=True).click()
    page.get_by_label("Label").fill("Exec review")
    page.get_by_role("button", name="Create share link").click()
    new_link = page.get_by_label(re.compile("New link"))
    settled(new_link)
    share_url = new_link.input_value()
    assert "/s/" in share_url
    screenshot("skeleton-share-created")

    stranger = browser.new_context()
    shared = stranger.new_page()
    shared.goto(share_url)
    expect(shared.get_by_role("heading", name="Global onboarding roadmap")).to_be_visible()
    expect(shared.get_by_role("heading", name="Manager onboarding toolkit")).to_be_visible()
    expect(shared.get_by_role("link", name=re.compile("Edit"))).to_have_count(0)
    expect(shared.locator("form")).to_have_count(0)
    screenshot("skeleton-shared-signed-out", of=shared)

    # Revoke, and the same URL no longer opens the roadmap.
    page.get_by_role("link", name=re.compile("Revoke")).click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke link").click()
    settled(page.locator("#share-links").get_by_text("Revoked"))
    response = shared.goto(share_url)
    assert response.status == 404
    expect(
        shared.get_by_role("heading", name=re.compile("does not open a roadmap"))
    ).to_be_visible()
    assert ShareLink.objects.get().revoked_at is not None
    stranger.close()
