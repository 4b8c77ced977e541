"""Plan, as a team lead does it: add stages to an initiative, see the capacity view flag an
overload, give a stage to someone else to resolve it, and see the timeline follow. The
plan, capacity and timeline pages are photographed on a laptop and a phone."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from roadmap.models import (
    BusinessEvent,
    CapacityEntry,
    EventKind,
    Stage,
)
from roadmap_site.models import Role
from tests.browser.htmx import charts_drawn, settled
from tests.factories import (
    InitiativeFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    RoadmapFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def test_plan_stages_resolve_an_overload_and_see_the_timeline(
    page: Page, live_server, sign_in, screenshot
):
    org = OrganizationFactory(name="Northwind Global", slug="northwind")
    lead = MembershipFactory(org=org, role=Role.EDITOR, user__email="maya@example.com").user
    # The cycle holding today, so the timeline draws its today line.
    today = timezone.localdate()
    roadmap = RoadmapFactory(
        org=org, title="Global onboarding roadmap", fiscal_year=org.fiscal_year_of(today)
    )
    cycle = next(c for c in roadmap.cycles.all() if c.start <= today <= c.end)
    priya = PersonFactory(org=org, name="Priya Raman", is_ld_team=True)
    jonas = PersonFactory(org=org, name="Jonas Weber", is_ld_team=True)
    CapacityEntry.objects.create(org=org, person=priya, cycle=cycle, days=Decimal(10))
    CapacityEntry.objects.create(org=org, person=jonas, cycle=cycle, days=Decimal(30))
    toolkit = InitiativeFactory(
        roadmap=roadmap, title="Manager onboarding toolkit", cycle=cycle, owner=priya,
        status="committed",
    )  # fmt: skip
    buddy = InitiativeFactory(
        roadmap=roadmap, title="Onboarding buddy programme", cycle=cycle, owner=jonas,
        status="committed", sequence="next",
    )  # fmt: skip

    def day(offset: int) -> date:
        return cycle.start + timedelta(days=offset)

    StageFactory(initiative=buddy, kind="stakeholder_alignment", start=day(20), end=day(30),
                 effort_days=Decimal(3), assignee=jonas)  # fmt: skip
    StageFactory(initiative=buddy, kind="delivery", start=day(70), end=day(80),
                 effort_days=Decimal(4), assignee=jonas)  # fmt: skip
    BusinessEvent.objects.create(
        org=org, kind=EventKind.PERFORMANCE_REVIEW, name="Year-end reviews",
        start=day(72), end=day(76), recurs_yearly=False,
    )  # fmt: skip

    sign_in(lead)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("link", name=re.compile("3 · Plan")).click()
    question = page.get_by_role("heading", name="What does the work look like over time?")
    expect(question).to_be_visible()

    # Add two stages to the toolkit, both Priya's: 20 days in a cycle where she has 10.
    page.get_by_role("link", name="Manager onboarding toolkit").click()
    for kind, start, end, effort in [
        ("Needs analysis", day(4), day(15), "5"),
        ("Content creation", day(18), day(60), "15"),
    ]:
        add = page.get_by_role("form", name="Add a stage")
        add.get_by_label(re.compile(r"^Stage:?$")).select_option(label=kind)
        add.get_by_label("Start").fill(start.isoformat())
        add.get_by_label("End").fill(end.isoformat())
        add.get_by_label("Effort (person-days)").fill(effort)
        add.get_by_label("Assignee").select_option(label="Priya Raman")
        add.get_by_label("looks like").fill(f"{kind} reviewed by the accountable leader.")
        add.get_by_role("button", name="Add stage").click()
        settled(page.locator("#stages .stage h3", has_text=kind))
    assert list(toolkit.stages.values_list("kind", flat=True)) == [
        "needs_analysis",
        "content_creation",
    ]
    expect(page.locator(".stage-warnings")).to_contain_text("Priya Raman is over-allocated")
    screenshot("plan-initiative")

    # The capacity view flags the overload and names the initiative causing it.
    page.get_by_role("link", name="Capacity & budget").first.click()
    row = page.locator("tr.over", has_text="Priya Raman")
    expect(row).to_contain_text("Over-allocated")
    expect(row.get_by_role("link", name="Manager onboarding toolkit")).to_be_visible()
    expect(page.locator(".capacity-chart .main-svg").first).to_be_attached()
    screenshot("plan-capacity-overloaded")

    # Give the content creation to Jonas: the overload is gone.
    page.goto(f"{live_server.url}/initiatives/{toolkit.pk}/plan/")
    build = Stage.objects.get(initiative=toolkit, kind="content_creation")
    page.get_by_role("link", name="Edit Content creation").click()
    edit = page.get_by_role("form", name=re.compile("Edit Content creation"))
    settled(edit)
    edit.get_by_label("Assignee").select_option(label="Jonas Weber")
    edit.get_by_role("button", name="Save stage").click()
    expect(edit).to_have_count(0)  # swapped for the list before the DB is read
    expect(page.locator(f"#stage-{build.pk}")).to_contain_text("Jonas Weber")
    settled(page)
    build.refresh_from_db()
    assert build.assignee == jonas
    # Only the SME warning stays: nobody is involved before content creation.
    expect(page.locator(".stage-warnings")).not_to_contain_text("over-allocated")
    expect(page.locator(".stage-warnings")).to_contain_text("No SME is involved")

    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/capacity/")
    expect(page.locator("tr.over")).to_have_count(0)
    expect(page.locator(".over-badge")).to_have_count(0)
    screenshot("plan-capacity")

    # The timeline shows the stage with its new assignee, filtered by owner without reload.
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/timeline/")
    expect(page.locator(".timeline-chart .main-svg").first).to_be_attached()
    table = page.locator(".timeline-table")
    expect(table.locator("tr", has_text="Content creation")).to_contain_text("Jonas Weber")
    page.get_by_label("Colour by").select_option(label="Owner")
    expect(page).to_have_url(re.compile("colour=owner"))
    settled(page)
    page.get_by_label(re.compile(r"^Owner:?$")).select_option(label="Priya Raman")
    settled(page.get_by_role("heading", name="1 initiative"))
    charts_drawn(page)
    assert "owner=" in page.url  # the filter is in the address, so it can be shared
    expect(table.locator("th", has_text="Onboarding buddy programme")).to_have_count(0)
    screenshot("plan-timeline")

    # The plan page: the launch in the review period is warned, and acknowledged with a note.
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/plan/")
    warning = page.locator(".plan-warning", has_text="launches during “Year-end reviews”")
    expect(warning).to_be_visible()
    warning.locator("summary", has_text="Acknowledge").click()
    note = warning.get_by_label("Why it is acceptable")
    expect(note).to_be_visible()
    note.fill("A pilot with two teams; HR agreed.")
    warning.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".plan-warning.acknowledged")).to_contain_text("HR agreed")
    settled(page)
    screenshot("plan")

    for name, path in [
        ("plan", "plan"),
        ("plan-capacity", "capacity"),
        ("plan-timeline", "timeline"),
    ]:
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/{path}/")
        charts_drawn(page)
        screenshot(f"{name}-phone")
        # Nothing but the chart's own scroller is wider than the phone.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/initiatives/{toolkit.pk}/plan/")
    screenshot("plan-initiative-phone")

    # A refused cell on a phone: its message can be read without scrolling the grid.
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/capacity/")
    grid = page.locator(".capacity-grid")
    grid.locator("input").last.fill("forty")
    page.get_by_role("button", name="Save capacity").click()
    summary = page.locator("#capacity-form .errors li").first
    expect(summary).to_contain_text("Enter a number of days")
    box = summary.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    cell_message = grid.locator(".field-errors").first
    expect(cell_message).to_contain_text("Enter a number of days")
    cell_message.scroll_into_view_if_needed()
    screenshot("plan-capacity-error-phone")


def test_demo_plan_pages_pass_axe_at_laptop_and_phone_widths(browser, live_server, screenshot):
    from roadmap.demo import ROADMAP_TITLE, load_demo
    from roadmap.models import Initiative, Roadmap
    from tests.browser.test_accessibility import check, sign_in_demo

    load_demo()
    roadmap = Roadmap.objects.get(title=ROADMAP_TITLE)
    ramp_up = Initiative.objects.get(roadmap=roadmap, title__startswith="Engineering ramp-up")
    # axe is injected as a script: this context bypasses the app's CSP.
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in_demo(page, live_server.url)
    problems, report = [], {}
    for name, path in [
        ("plan", f"/roadmaps/{roadmap.pk}/plan/"),
        ("capacity", f"/roadmaps/{roadmap.pk}/capacity/"),
        ("timeline", f"/roadmaps/{roadmap.pk}/timeline/"),
        ("initiative-plan", f"/initiatives/{ramp_up.pk}/plan/"),
        ("calendar-feeds", f"/calendar-feeds/?roadmap={roadmap.pk}"),
    ]:
        problems += check(page, f"{live_server.url}{path}", f"demo-{name}", screenshot, report)
    assert not problems, "\n".join(problems)
