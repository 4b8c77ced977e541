"""What a new L&D lead tripped over (part B), walked in the browser: a person added in place
from a picker's dialog, a share link revoked only after a confirmation that names it, the
share page as the business reads it, and the capacity page as a viewer reads it."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from roadmap.models import InitiativeStatus, NotDoing, ShareLink
from roadmap_site.models import Person, Role
from tests.factories import (
    CapacityEntryFactory,
    InitiativeFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    RoadmapFactory,
    TrainingRequestFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def founder_org():
    """A new organisation: its founder and nobody else yet."""
    org = OrganizationFactory(name="Northwind Global", fiscal_year_start_month=1)
    admin = MembershipFactory(org=org, role=Role.ADMIN, user__email="maya@example.com")
    PersonFactory(org=org, name="Maya Founder", is_ld_team=True, user=admin.user)
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap", fiscal_year=2027)
    return org, admin.user, roadmap


def csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return errors


def test_a_person_added_in_place_is_selected_in_the_picker(
    page: Page, live_server, sign_in, screenshot, founder_org
):
    org, admin, roadmap = founder_org
    errors = csp_errors(page)
    native_dialogs: list[str] = []
    page.on("dialog", lambda d: native_dialogs.append(d.message))
    page.set_viewport_size(LAPTOP)
    sign_in(admin)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    owner = page.get_by_label(re.compile(r"^Owner:?$"))
    form = page.locator("#initiative-form")

    # Open with the keyboard; Escape closes and focus returns to the picker.
    form.get_by_role("link", name="New person…").first.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="New person")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(owner).to_be_focused()

    # A mistake stays in the dialog.
    form.get_by_role("link", name="New person…").first.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Add person").click()
    expect(dialog.get_by_text("This field is required.")).to_be_visible()

    dialog.get_by_label("Name").fill("Grace Kim")
    dialog.get_by_label("Job title").fill("Director of Customer Support")
    dialog.get_by_label("E-mail").fill("grace@example.com")
    screenshot("newlead-b-person-dialog-laptop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)  # charts follow the new width
    screenshot("newlead-b-person-dialog-phone")
    page.set_viewport_size(LAPTOP)
    dialog.get_by_role("button", name="Add person").click()

    expect(dialog).to_be_hidden()
    grace = Person.objects.get(org=org, name="Grace Kim")
    expect(owner).to_have_value(str(grace.pk))
    expect(owner).to_be_focused()
    # The other picker of the page lists her too, without choosing her.
    accountable = page.get_by_label(re.compile(r"^Accountable leader:?$"))
    expect(accountable.locator(f'option[value="{grace.pk}"]')).to_have_count(1)
    expect(accountable).to_have_value("")

    # The form goes through with her as owner.
    form.get_by_label("Title").fill("Manager onboarding toolkit")
    form.get_by_role("button", name="Add initiative").click()
    expect(page.locator(".initiatives").get_by_text("Grace Kim")).to_be_visible()
    assert roadmap.initiatives.get().owner == grace
    assert native_dialogs == []
    assert errors == []


def test_without_javascript_new_person_goes_to_people_and_back(browser, live_server, founder_org):
    _org, admin, roadmap = founder_org
    context = browser.new_context(java_script_enabled=False, viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.locator("#initiative-form").get_by_role("link", name="New person…").first.click()
    expect(page).to_have_url(re.compile(r"/org/people/\?next="))
    page.locator("#add-person").get_by_label("Name").fill("Grace Kim")
    page.locator("#add-person").get_by_role("button", name="Add").click()
    expect(page).to_have_url(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    expect(
        page.get_by_label(re.compile(r"^Owner:?$")).locator("option", has_text="Grace Kim")
    ).to_have_count(1)
    context.close()


def test_revoking_a_link_asks_first_in_a_dialog(
    page: Page, live_server, sign_in, screenshot, founder_org
):
    _org, admin, roadmap = founder_org
    link, _token = ShareLink.issue(roadmap=roadmap, created_by=admin, label="Exec team review")
    errors = csp_errors(page)
    native_dialogs: list[str] = []
    page.on("dialog", lambda d: native_dialogs.append(d.message))
    page.set_viewport_size(LAPTOP)
    sign_in(admin)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/share/")
    revoke = page.get_by_role("link", name="Revoke… Exec team review")

    revoke.click()
    dialog = page.get_by_role("dialog", name="Revoke this share link?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Anyone with this link — Exec team review, created")
    expect(dialog).to_contain_text("never used — will no longer be able to open")
    screenshot("newlead-b-revoke-dialog-laptop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)  # charts follow the new width
    screenshot("newlead-b-revoke-dialog-phone")
    page.set_viewport_size(LAPTOP)
    dialog.get_by_role("link", name="Keep it").click()
    expect(dialog).to_be_hidden()
    expect(revoke).to_be_focused()
    link.refresh_from_db()
    assert link.revoked_at is None

    revoke.click()
    dialog.get_by_role("button", name="Revoke link").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#share-links").get_by_text("Revoked")).to_be_visible()
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert native_dialogs == []
    assert errors == []


def test_revoke_confirmation_page_without_javascript(browser, live_server, screenshot, founder_org):
    _org, admin, roadmap = founder_org
    link, _ = ShareLink.issue(roadmap=roadmap, created_by=admin, label="Exec team review")
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/share/")
    page.get_by_role("link", name="Revoke… Exec team review").click()
    expect(page.get_by_role("heading", name="Revoke this share link?")).to_be_visible()
    screenshot("newlead-b-revoke-page-phone", of=page)
    page.get_by_role("button", name="Revoke link").click()
    expect(page.get_by_text("The link is revoked")).to_be_visible()
    link.refresh_from_db()
    assert link.revoked_at is not None
    context.close()


def test_the_share_page_as_the_business_reads_it(browser, live_server, screenshot, founder_org):
    org, admin, roadmap = founder_org
    q1, q2 = list(roadmap.cycles.all())[:2]
    leader = PersonFactory(org=org, name="Marcus Chen", title="VP Sales")
    owner = Person.objects.get(org=org, name="Maya Founder")
    InitiativeFactory(
        roadmap=roadmap,
        cycle=q1,
        title="Manager onboarding toolkit",
        status=InitiativeStatus.COMMITTED,
        owner=owner,
        accountable=leader,
        tradeoffs="The sales academy refresh waits until Q3.",
    )
    InitiativeFactory(
        roadmap=roadmap,
        cycle=q2,
        title="Support agent certification",
        status=InitiativeStatus.IN_PROGRESS,
        owner=owner,
        accountable=leader,
    )
    InitiativeFactory(roadmap=roadmap, cycle=q1, title="VR safety simulation")
    declined = TrainingRequestFactory(org=org, title="Time-management course")
    with time_machine.travel(
        datetime(2027, 2, 3, 10, tzinfo=timezone.get_current_timezone()), tick=False
    ):
        declined.decline(reason="A tools problem, not a training one.", by=admin)
    NotDoing.objects.create(
        org=org, roadmap=roadmap, cycle=q1, title="Custom LMS portal", reason="Too costly."
    )
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=admin)

    visitor = browser.new_context(viewport=LAPTOP)  # signed out
    page = visitor.new_page()
    errors = csp_errors(page)
    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.get_by_role("heading", name="Global onboarding roadmap")).to_be_visible()
    expect(page.get_by_role("heading", name="Manager onboarding toolkit")).to_be_visible()
    expect(page.get_by_text("The sales academy refresh waits until Q3.")).to_be_visible()
    expect(page.get_by_text("A tools problem, not a training one.")).to_be_visible()
    expect(page.get_by_text("Custom LMS portal")).to_be_visible()
    expect(page.get_by_text("VR safety simulation")).to_have_count(0)
    page.wait_for_selector("[data-chart] .main-svg")
    screenshot("newlead-b-share-page-laptop", of=page)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)  # charts follow the new width
    screenshot("newlead-b-share-page-phone", of=page)
    assert errors == []
    visitor.close()


def test_the_viewer_reads_capacity_as_numbers(
    page: Page, live_server, sign_in, screenshot, founder_org
):
    org, _admin, roadmap = founder_org
    viewer = MembershipFactory(org=org, role=Role.VIEWER, user__email="viewer@example.com").user
    maya = Person.objects.get(org=org, name="Maya Founder")
    CapacityEntryFactory(person=maya, cycle=roadmap.cycles.first(), days=Decimal(30))
    page.set_viewport_size(LAPTOP)
    sign_in(viewer)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/capacity/#capacity-form")
    grid = page.locator(".capacity-grid")
    expect(grid.get_by_role("cell", name="30", exact=True)).to_be_visible()
    expect(grid.locator("input")).to_have_count(0)
    expect(page.get_by_role("button", name="Save capacity")).to_have_count(0)
    screenshot("newlead-b-viewer-capacity-laptop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)  # charts follow the new width
    screenshot("newlead-b-viewer-capacity-phone")
