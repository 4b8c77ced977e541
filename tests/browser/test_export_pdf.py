"""The PDF's options in the browser: a mistake is said beside the field, then a chosen cycle
on US Letter is exported, downloaded and read back. Tasks run in-process here."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Initiative, InitiativeStatus
from roadmap_site.models import Role
from tests import pdfs
from tests.factories import MembershipFactory, OrganizationFactory, RoadmapFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_choose_a_cycle_and_letter_then_download_that_pdf(
    page: Page, live_server, sign_in, screenshot, tmp_path
):
    org = OrganizationFactory(name="Northwind Global", slug="northwind")
    editor = MembershipFactory(org=org, role=Role.EDITOR, user__email="editor@northwind.test")
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap")
    q1, q2, *_ = roadmap.cycles.all()
    Initiative.objects.create(
        org=org, roadmap=roadmap, cycle=q1, title="Manager onboarding toolkit",
        status=InitiativeStatus.COMMITTED,
    )  # fmt: skip
    Initiative.objects.create(
        org=org, roadmap=roadmap, cycle=q2, title="Onboarding buddy programme",
        status=InitiativeStatus.COMMITTED,
    )  # fmt: skip

    sign_in(editor.user)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("link", name="PDF options…").click()
    expect(page.get_by_role("heading", name="Export the roadmap as PDF")).to_be_visible()
    screenshot("export-options")

    page.get_by_label("Chosen cycles").check()
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Choose at least one cycle, or export the whole roadmap."
    )
    expect(page.get_by_label("Chosen cycles")).to_be_checked()  # the choice is kept

    page.get_by_role("group", name="Cycles").get_by_label("Q2 FY27").check()
    page.get_by_label("US Letter").check()
    page.get_by_label("Include internal notes").check()
    page.get_by_role("button", name="Start the export").click()

    expect(page.get_by_text("1 chosen cycle · US Letter · with internal notes")).to_be_visible()
    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as download_info:
        download_link.click()
    path = tmp_path / "roadmap.pdf"
    download_info.value.save_as(path)

    content = path.read_bytes()
    text = pdfs.text(content)
    assert "Onboarding buddy programme" in text
    assert "Manager onboarding toolkit" not in text
    assert "Cycles: Q2 FY27" in text
    box = pdfs.reader(content).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_the_options_page_at_phone_width(page: Page, live_server, sign_in, screenshot):
    org = OrganizationFactory(name="Northwind Global", slug="northwind")
    editor = MembershipFactory(org=org, role=Role.EDITOR, user__email="editor@northwind.test")
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(editor.user)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/exports/new/")
    expect(page.get_by_role("button", name="Start the export")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot("export-options-phone")
