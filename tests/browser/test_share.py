"""The Share phase walked in the browser: a link scoped to one priority made on the Share
page, opened signed out, the three questions answered and an initiative commented on; the
team triages it signed in; the reviewer reads the answer through the same link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Feedback, InitiativeStatus, ShareLink
from roadmap_site.models import Role
from strategy.models import Question
from tests.factories import (
    InitiativeFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    PriorityFactory,
    RoadmapFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def scene():
    org = OrganizationFactory(name="Northwind Global", fiscal_year_start_month=1)
    admin = MembershipFactory(org=org, role=Role.ADMIN, user__email="maya@example.com").user
    roadmap = RoadmapFactory(
        org=org, title="Global onboarding roadmap", fiscal_year=2027, created_by=admin
    )
    strategy = StrategyFactory(org=org, fiscal_year=2027)
    strategy.answers.create(
        org=org, question=Question.VISION, text="Every new hire productive in 90 days."
    )
    aisha = PersonFactory(org=org, name="Aisha Bello", title="VP Sales, EMEA")
    sales = PriorityFactory(
        strategy=strategy, capability="Ramp up sales faster", business_owner=aisha
    )
    managers = PriorityFactory(strategy=strategy, capability="Grow first-time managers")
    q1, q2 = list(roadmap.cycles.all())[:2]
    priya = PersonFactory(org=org, name="Priya Raman", is_ld_team=True)
    InitiativeFactory(
        roadmap=roadmap,
        title="Sales bootcamp",
        cycle=q2,
        priority=sales,
        status=InitiativeStatus.COMMITTED,
        owner=priya,
        accountable=aisha,
        tradeoffs="The product academy waits until Q3.",
    )
    InitiativeFactory(
        roadmap=roadmap,
        title="Manager onboarding toolkit",
        cycle=q1,
        priority=managers,
        status=InitiativeStatus.COMMITTED,
        owner=priya,
    )
    return {"org": org, "admin": admin, "roadmap": roadmap}


def test_a_scoped_review_from_link_to_triage_to_answer(
    page: Page, browser, live_server, sign_in, screenshot, scene
):
    roadmap = scene["roadmap"]
    page.set_viewport_size(LAPTOP)
    sign_in(scene["admin"])
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("link", name=re.compile("4 · Share")).click()
    expect(page.get_by_role("heading", name=re.compile("^Share: are we aligned"))).to_be_visible()

    # A link for sales leaders: one priority, feedback allowed.
    form = page.locator("form.share-form")
    form.get_by_label("Label").fill("Sales review")
    form.get_by_label("Audience").fill("Sales leaders EMEA")
    form.get_by_label("Ramp up sales faster").check()
    form.get_by_label("Reviewers may leave feedback").check()
    form.get_by_role("button", name="Create share link").click()
    new_link = page.get_by_label(re.compile("New link"))
    expect(new_link).to_be_visible()
    share_url = new_link.input_value()
    expect(page.locator("#share-links")).to_contain_text("Priorities: Ramp up sales faster")
    screenshot("share-links-laptop")

    # Signed out, in a browser of its own.
    reviewer_context = browser.new_context(viewport=LAPTOP)
    reviewer = reviewer_context.new_page()
    reviewer.goto(share_url)
    expect(reviewer.get_by_role("heading", name="Global onboarding roadmap")).to_be_visible()
    expect(reviewer.get_by_text("Every new hire productive in 90 days.")).to_be_visible()
    expect(reviewer.get_by_role("heading", name="Sales bootcamp")).to_be_visible()
    expect(reviewer.get_by_text("Manager onboarding toolkit")).to_have_count(0)
    expect(reviewer.get_by_text("Grow first-time managers")).to_have_count(0)

    review = reviewer.locator("#review")
    review.get_by_label("Your name").fill("Aisha Bello")
    review.get_by_label("Your e-mail address").fill("aisha@northwind.test")
    review.get_by_label("Are we solving the right problems?").fill("Yes: ramp-up time.")
    review.get_by_label("Are we prioritising the right audiences?").fill("New AEs first.")
    review.get_by_label("What constraints have we missed?").fill("Q2 is quota close.")
    review.get_by_role("button", name="Send my review").click()
    expect(reviewer.get_by_role("heading", name="Your review")).to_be_visible()
    expect(reviewer.locator("#review")).to_contain_text("Q2 is quota close.")

    reviewer.get_by_role("link", name="Comment on Sales bootcamp").first.click()
    expect(reviewer.get_by_role("heading", name="Comment on “Sales bootcamp”")).to_be_visible()
    reviewer.get_by_label("Concern").check()
    comment_box = reviewer.get_by_role("textbox", name="Your comment")
    comment_box.fill("Q2 clashes with quota close: start in Q3?")
    reviewer.get_by_role("button", name="Send comment").click()
    expect(reviewer.locator("#review")).to_contain_text("Q2 clashes with quota close")
    expect(reviewer.locator("#review")).to_contain_text("Not answered yet")
    screenshot("share-reviewer-laptop", of=reviewer)
    reviewer.set_viewport_size(PHONE)
    reviewer.reload()  # the chart drawn at the phone's width
    expect(reviewer.get_by_role("heading", name="Your review")).to_be_visible()
    screenshot("share-reviewer-phone", of=reviewer)

    # The team triages it, signed in.
    comment = Feedback.objects.get(initiative__title="Sales bootcamp")
    page.reload()
    item = page.locator(f"#feedback-{comment.pk}")
    expect(item).to_contain_text("Q2 clashes with quota close")
    item.get_by_label("Declined").check()
    item.get_by_label("Answer to the reviewer").fill("The bootcamp must land before Q3 hiring.")
    item.get_by_role("button", name=re.compile("Save triage")).click()
    expect(page.locator(f"#feedback-{comment.pk} .badge.triage-declined")).to_be_visible()
    screenshot("share-inbox-laptop")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_role("heading", name="Feedback from reviewers")).to_be_visible()
    screenshot("share-inbox-phone")

    # The reviewer reads the answer through the same link.
    reviewer.set_viewport_size(LAPTOP)
    reviewer.goto(share_url)
    answer = reviewer.locator("#review .team-answer")
    expect(answer).to_contain_text("The bootcamp must land before Q3 hiring.")
    expect(reviewer.locator("#review")).to_contain_text("Declined")
    screenshot("share-reviewer-answered-laptop", of=reviewer)
    reviewer.emulate_media(media="print")
    expect(reviewer.locator("#review")).to_be_hidden()
    screenshot("share-reviewer-print", of=reviewer)
    reviewer_context.close()

    link = ShareLink.objects.get(label="Sales review")
    assert link.audience == "Sales leaders EMEA"
    assert link.allow_feedback
