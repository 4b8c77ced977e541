"""Iterate, as the team does it: read each commitment's evidence, record keep, revise and
stop decisions (stop refused until it says what we learned), then run the quarterly review
and read what changed since the last one, with the change log's justifications. The
stopped initiative's learnings stay on the roadmap page. Screenshots at laptop and phone
width go to test-artifacts/screenshots/iterate-*.png."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from measurement import surveys
from measurement.models import Program
from roadmap import iterate
from roadmap.models import Decision, InitiativeStatus, RoadmapReview
from roadmap_site.models import Role
from tests.factories import (
    InitiativeFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    RoadmapFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def decide(page: Page, base: str, initiative, kind: str, rationale: str, learnings: str = ""):
    page.goto(f"{base}/initiatives/{initiative.pk}/iterate/")
    expect(page.get_by_role("heading", name="The evidence now")).to_be_visible()
    page.get_by_role("radio", name=kind).check()
    page.get_by_label("Rationale").fill(rationale)
    if learnings:
        page.get_by_label("What we learned").fill(learnings)
    page.get_by_role("button", name="Record the decision").click()


def test_decisions_and_a_quarterly_review(page: Page, live_server, sign_in, screenshot):
    org = OrganizationFactory(name="Northwind Global", slug="northwind")
    admin = MembershipFactory(org=org, role=Role.ADMIN, user__email="maya@example.com").user
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap", fiscal_year=2027)
    q1, q2 = list(roadmap.cycles.order_by("position"))[:2]
    priya = PersonFactory(org=org, name="Priya Raman", is_ld_team=True)
    jonas = PersonFactory(org=org, name="Jonas Weber", is_ld_team=True)
    elena = PersonFactory(org=org, name="Elena Rossi", title="VP Engineering")
    commitment = {"status": InitiativeStatus.COMMITTED, "roadmap": roadmap, "cycle": q1}
    toolkit = InitiativeFactory(
        title="Manager onboarding toolkit", owner=priya, accountable=elena, **commitment
    )
    buddy = InitiativeFactory(title="Onboarding buddy programme", owner=jonas, **commitment)
    localise = InitiativeFactory(title="Localise core onboarding", owner=priya, **commitment)
    program = Program.objects.for_initiative(toolkit)
    for n, score in enumerate([10, 9, 9, 8, 6]):
        surveys.record_response(
            org=org, program=program, score=score, responded_on=date(2026, 10, 1 + n)
        )
    # Last quarter's review, then a move with its justification since.
    iterate.run_review(
        roadmap=roadmap,
        by=admin,
        quarter_start=org.today(),
        at=timezone.now() - timedelta(days=40),
    )
    buddy.change(by=admin, justification="The hiring wave moved to Q2.", cycle=q2)
    base = live_server.url
    sign_in(admin)

    # The Iterate card leads to the page: every commitment with its evidence in one line.
    page.goto(f"{base}/roadmaps/{roadmap.pk}/")
    page.get_by_role("link", name=re.compile("5 · Iterate")).click()
    expect(page.get_by_role("heading", name="Evidence and decisions")).to_be_visible()
    toolkit_row = page.locator(f"#i{toolkit.pk}")
    compact = toolkit_row.get_by_label("Evidence for Manager onboarding toolkit")
    expect(compact.get_by_text(re.compile(r"^\+40 \(n = 5, ± \d+\)$"))).to_be_visible()
    toolkit_row.get_by_text("Evidence panel").click()
    expect(toolkit_row.get_by_text("Small sample")).to_be_visible()
    screenshot("iterate-page-laptop")

    decide(page, base, toolkit, "Keep", "Managers rate it highly; usage is steady.")
    expect(page.get_by_text("“Manager onboarding toolkit”: keep recorded.")).to_be_visible()
    decide(page, base, buddy, "Revise", "Too few volunteer buddies in two offices.")
    expect(page.locator(f"#i{buddy.pk}").get_by_text("Revise", exact=True)).to_be_visible()

    # Stop without learnings is refused, and says why; with them it stops the initiative.
    decide(page, base, localise, "Stop", "Vendor translations failed the native check.")
    expect(page.get_by_text("Write what we learned before stopping it.")).to_be_visible()
    page.set_viewport_size(PHONE)
    screenshot("iterate-decision-phone")
    page.set_viewport_size(LAPTOP)
    page.get_by_label("What we learned").fill("Pilot one module with a vendor first.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("“Localise core onboarding”: stop recorded.")).to_be_visible()
    assert Decision.objects.count() == 3
    localise.refresh_from_db()
    assert localise.status == InitiativeStatus.STOPPED
    screenshot("iterate-after-decisions-laptop")
    page.set_viewport_size(PHONE)
    screenshot("iterate-after-decisions-phone")
    page.set_viewport_size(LAPTOP)

    # The quarterly review: what changed since the last one, then recorded.
    page.get_by_role("link", name="Run the quarterly review").click()
    expect(page.get_by_role("heading", name="Quarterly review", level=1)).to_be_visible()
    moved = page.locator(".diff-moved")
    expect(moved.get_by_text("Onboarding buddy programme")).to_be_visible()
    expect(moved.get_by_text("The hiring wave moved to Q2.")).to_be_visible()
    dropped = page.locator(".diff-dropped")
    expect(dropped.get_by_text("Localise core onboarding")).to_be_visible()
    expect(dropped.get_by_text("Vendor translations failed the native check.")).to_be_visible()
    page.get_by_label("Notes").fill("Kept the toolkit, revised the buddies, stopped localising.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("heading", name=re.compile(r"Q\d FY\d\d review"))).to_be_visible()
    expect(page.get_by_text("Kept the toolkit, revised the buddies")).to_be_visible()
    decisions = page.locator("#review-decisions-h + ul")
    expect(decisions.locator(".decision")).to_have_count(3)
    assert RoadmapReview.objects.count() == 2
    screenshot("iterate-review-laptop")
    page.set_viewport_size(PHONE)
    screenshot("iterate-review-phone")
    no_sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert no_sideways <= 0
    # Printed, the navigation and buttons give way to the diff.
    page.emulate_media(media="print")
    expect(page.locator(".phases")).to_be_hidden()
    expect(page.locator("#diff-h")).to_be_visible()
    page.emulate_media(media="screen")
    page.set_viewport_size(LAPTOP)

    # The stopped initiative's learnings stay on the roadmap page.
    page.goto(f"{base}/roadmaps/{roadmap.pk}/")
    learnings = page.get_by_role("region", name="Stopped, and what we learned")
    expect(learnings.get_by_text("Pilot one module with a vendor first.")).to_be_visible()
