"""Assess and Align, as people do it: a requester sends a request signed out through the
public form; the L&D team triages it, commits it as an initiative with an owner and an
accountable leader, moves it to another cycle with a justification and reads the change
log; the requester's private status link shows the decision."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from roadmap.forms.assess import PublicTrainingRequestForm
from roadmap.models import AssessSettings, Initiative, TrainingRequest
from roadmap_site.models import Role
from tests.browser.htmx import settled
from tests.factories import MembershipFactory, OrganizationFactory, PersonFactory, RoadmapFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_request_to_commitment_with_a_justified_change(
    page: Page, live_server, sign_in, screenshot, browser, monkeypatch
):
    # The minimum fill time has its own test (test_assess_intake.py); a browser step never
    # waits on the clock.
    monkeypatch.setattr(PublicTrainingRequestForm, "MIN_SECONDS", 0)
    org = OrganizationFactory(name="Northwind Global", slug="northwind", fiscal_year_start_month=2)
    admin = MembershipFactory(org=org, role=Role.ADMIN, user__email="maya@example.com").user
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap", fiscal_year=2027)
    PersonFactory(org=org, name="Priya Raman", is_ld_team=True)
    PersonFactory(org=org, name="Grace Kim", title="Director of Customer Support")
    intake_token = AssessSettings.for_org(org).open_intake()

    # A requester, signed out, uses the public intake form.
    requester = browser.new_context()
    form_page = requester.new_page()
    form_page.goto(f"{live_server.url}/intake/{intake_token}/")
    form_page.get_by_label("Your name").fill("Grace Kim")
    form_page.get_by_label("Your e-mail").fill("grace@example.com")
    form_page.get_by_label("Your department").fill("Support")
    form_page.get_by_label("What do you ask for?").fill("Support agent certification")
    form_page.get_by_label("What problem is behind it?").fill(
        "New agents need eight weeks before they handle tickets alone."
    )
    form_page.get_by_label(re.compile(r"^Audience:?$")).fill("New support agents")
    form_page.get_by_label("Audience size").fill("60")
    form_page.get_by_label(re.compile(r"^Evidence:?$")).select_option(label="A business metric")
    form_page.get_by_label("Business metric").fill("Weeks to handle tickets alone")
    form_page.get_by_label("Its value").fill("8 weeks")
    screenshot("assess-intake-form", of=form_page)
    form_page.get_by_role("button", name="Send request").click()
    expect(
        form_page.get_by_role("heading", name=re.compile("we have your request"))
    ).to_be_visible()
    status_url = form_page.get_by_label("Your private status link").input_value()
    assert "/status/" in status_url
    screenshot("assess-intake-thanks", of=form_page)
    form_page.goto(status_url)
    expect(form_page.get_by_text("New", exact=True)).to_be_visible()

    # The team triages it: the list shows its score, the request page why.
    sign_in(admin)
    page.goto(f"{live_server.url}/requests/")
    expect(page.get_by_role("heading", name="What problem are we solving?")).to_be_visible()
    screenshot("assess-request-list")
    page.get_by_role("link", name="Support agent certification").click()
    expect(page.get_by_role("heading", name=re.compile("Score"))).to_be_visible()
    expect(page.get_by_text("Backed by a business metric.")).to_be_visible()
    page.get_by_role("button", name="Start assessment").click()
    settled(page.locator("#triage").get_by_text("Under assessment"))
    assert TrainingRequest.objects.get().state == "assessing"
    screenshot("assess-request-detail")

    # Commit it as an initiative with an owner and an accountable leader.
    page.get_by_role("link", name="Commit as an initiative…").click()
    commit = page.get_by_role("form", name="Commit")
    commit.get_by_label("Committed for cycle").select_option(
        label="Q3 FY27 · Global onboarding roadmap"
    )
    commit.get_by_label("Owner").select_option(label="Priya Raman")
    commit.get_by_label("Accountable leader").select_option(label="Grace Kim")
    commit.get_by_label("Person-days").fill("35")
    commit.get_by_label("Tradeoffs").fill("The buddy programme waits until Q4.")
    screenshot("align-commit-form")
    commit.get_by_role("button", name="Commit").click()
    expect(page.get_by_text("Committed: “Support agent certification” in Q3 FY27.")).to_be_visible()
    initiative = Initiative.objects.get()
    assert (initiative.owner.name, initiative.accountable.name) == ("Priya Raman", "Grace Kim")

    # Moving a commitment needs a written business justification.
    page.get_by_role("link", name=re.compile("Edit")).click()
    edit = page.get_by_role("form", name=re.compile("Edit Support agent certification"))
    settled(edit)
    edit.get_by_label("Cycle").select_option(label="Q4 FY27")
    edit.get_by_role("button", name="Save").click()
    # The form comes back with the error; act only once htmx has settled it (the app moves
    # focus at settle, so typing earlier races it).
    settled(page.get_by_text(re.compile("write the business justification")))
    assert Initiative.objects.get().cycle.name == "Q3 FY27"
    edit = page.get_by_role("form", name=re.compile("Edit Support agent certification"))
    edit.get_by_label("Cycle").select_option(label="Q4 FY27")
    edit.get_by_label("Business justification").fill(
        "The support hiring wave moved to October; certify the new agents as they start."
    )
    edit.get_by_role("button", name="Save").click()
    expect(edit).to_have_count(0)  # its own <option>Q4 FY27</option> would match below
    settled(page)
    expect(page.locator(".initiative").get_by_text("Q4 FY27")).to_be_visible()
    assert Initiative.objects.get().cycle.name == "Q4 FY27"

    # The change log says who, when, before, after and why.
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/changes/")
    log = page.locator(".change-log")
    expect(log.get_by_text("support hiring wave moved to October", exact=False)).to_be_visible()
    expect(log.locator("del", has_text="Q3 FY27")).to_be_visible()
    expect(log.locator("ins", has_text="Q4 FY27")).to_be_visible()
    screenshot("align-change-log")
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/align/")
    expect(
        page.get_by_role("heading", name="What are we committing to this cycle?")
    ).to_be_visible()
    screenshot("align-ledger")
    page.set_viewport_size(PHONE)
    screenshot("align-ledger-phone")
    page.goto(f"{live_server.url}/requests/")
    screenshot("assess-request-list-phone")
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/calendar/")
    screenshot("align-calendar-phone")

    # The requester's status link shows the decision.
    form_page.goto(status_url)
    expect(form_page.get_by_text("Committed", exact=True)).to_be_visible()
    expect(form_page.get_by_text("Q4 FY27")).to_be_visible()
    form_page.set_viewport_size(PHONE)
    screenshot("assess-status-phone", of=form_page)
    requester.close()


def test_show_all_not_doing_keeps_focus_in_the_list(page: Page, live_server, sign_in):
    """A long "not doing" list shows its first items; "Show all" (a real link) brings the
    rest in its place and focus lands on the first item it revealed."""
    from roadmap.models import NotDoing
    from roadmap.views.align import NOT_DOING_SHOWN

    org = OrganizationFactory(name="Northwind Global", slug="northwind", fiscal_year_start_month=2)
    admin = MembershipFactory(org=org, role=Role.VIEWER, user__email="vic@example.com").user
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap", fiscal_year=2027)
    cycle = roadmap.cycles.order_by("start").first()
    total = NOT_DOING_SHOWN + 5
    NotDoing.objects.bulk_create(
        NotDoing(org=org, roadmap=roadmap, cycle=cycle, title=f"Option {n:02}", reason="Costly.")
        for n in range(total)
    )
    sign_in(admin)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/align/")
    items = page.locator(f"#not-doing-{cycle.pk} li")
    expect(items).to_have_count(NOT_DOING_SHOWN + 1)
    show_all = page.get_by_role("link", name=f"Show all {total} not doing in {cycle.name}")
    show_all.focus()
    page.keyboard.press("Enter")
    settled(page)
    expect(items).to_have_count(total)
    expect(page.get_by_text(f"Option {total - 1:02}")).to_be_visible()
    revealed = items.nth(NOT_DOING_SHOWN)
    expect(revealed).to_contain_text(f"Option {NOT_DOING_SHOWN:02}")
    expect(revealed).to_be_focused()
    assert page.url.endswith("/align/")  # htmx, not the no-JavaScript page
