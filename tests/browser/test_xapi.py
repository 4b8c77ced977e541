"""A platform sends a statement about an activity nobody has mapped; an admin finds it on
the xAPI activities page, maps it with the keyboard, and its statement counts."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import Page, expect

from measurement.models import LearnerEvent, Program
from roadmap_site.models import ApiScope, ApiToken, Role
from tests.browser.test_api import LAPTOP, PHONE, watch
from tests.factories import (
    InitiativeFactory,
    MembershipFactory,
    OrganizationFactory,
    RoadmapFactory,
)

COURSE = "https://lms.northwind.example/activities/coaching-conversations-pilot-with-a-long-id"
PROGRAM = "Day-1 to Day-90 global onboarding journey for new managers"


@pytest.fixture
def admin(db):
    org = OrganizationFactory(name="Northwind")
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap")
    Program.objects.for_initiative(InitiativeFactory(roadmap=roadmap, title=PROGRAM))
    return MembershipFactory(org=org, role=Role.ADMIN, user__email="admin@northwind.test").user


def test_an_admin_maps_an_unknown_activity(page: Page, live_server, sign_in, screenshot, admin):
    csp, outside = watch(page, live_server)
    org = admin.memberships.get().org
    key, _, secret = ApiToken.issue(org=org, name="LMS", scope=ApiScope.WRITE, created_by=None)[
        1
    ].partition(".")
    sent = page.request.post(
        f"{live_server.url}/xapi/statements",
        headers={
            "X-Experience-API-Version": "1.0.3",
            "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
            "Content-Type": "application/json",
        },
        data={
            "actor": {"mbox": "mailto:ada@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {
                "id": COURSE,
                "definition": {"name": {"en-US": "Coaching conversations (pilot)"}},
            },
            "timestamp": "2026-03-10T09:30:00Z",
        },
    )
    assert sent.status == 200

    page.set_viewport_size(LAPTOP)
    sign_in(admin)
    page.goto(f"{live_server.url}/measurement/")
    page.get_by_role("link", name="xAPI activities").click()
    expect(page.get_by_role("heading", name="Activities (1, 1 not mapped)")).to_be_visible()
    expect(page.get_by_text("Not mapped", exact=True).first).to_be_visible()
    screenshot("xapi-activities-laptop")
    page.set_viewport_size(PHONE)
    screenshot("xapi-activities-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(LAPTOP)

    picker = page.get_by_label("Counts for program")
    picker.focus()
    picker.select_option(label=PROGRAM)
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("button", name="Save the mapping of Coaching conversations (pilot)")
    ).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text(f"now counts for {PROGRAM}: 1 learner event from")).to_be_visible()
    screenshot("xapi-activities-mapped-laptop")
    assert LearnerEvent.objects.get().event_type == "completed"
    assert csp == []
    assert outside == []
