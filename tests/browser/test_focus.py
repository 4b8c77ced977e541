"""Focus after an htmx swap: the app moves it only when the swap took it away, never out of
a field the person is already in. htmx is made to settle three seconds after it swaps (a
busy machine, exaggerated) so the person acts inside that window every time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from roadmap_site.models import Role
from tests.browser.htmx import HTMX_BUSY, settled
from tests.factories import (
    InitiativeFactory,
    MembershipFactory,
    OrganizationFactory,
    RoadmapFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_SETTLE = "htmx.config.defaultSettleDelay = 3000"


def test_a_late_settle_never_takes_focus_from_the_field_the_person_is_in(
    page: Page, live_server, sign_in
):
    org = OrganizationFactory(name="Northwind Global")
    editor = MembershipFactory(org=org, role=Role.EDITOR).user
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap", fiscal_year=2027)
    InitiativeFactory(roadmap=roadmap, title="Support agent certification", status="committed")

    sign_in(editor)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.evaluate(SLOW_SETTLE)
    page.get_by_role("link", name="Edit Support agent certification").click()
    edit = page.get_by_role("form", name="Edit Support agent certification")
    settled(edit)
    # The Edit link went with the swap, so focus was lost: the form takes it.
    expect(edit.get_by_label("Title")).to_be_focused()

    # Moving a commitment without a justification: the form comes back with the error, and
    # focus (lost with the Save button) lands on the field to fix.
    edit.get_by_label("Cycle").select_option(label="Q4 FY27")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile("write the business justification"))).to_be_visible()
    settled(page)
    justification = edit.get_by_label("Business justification")
    expect(justification).to_be_focused()

    # Again, but the person is quicker than the settle: already in another field, typing.
    edit.get_by_role("button", name="Save").click()
    expect(page.locator(".htmx-settling")).to_have_count(1)  # swapped, not settled yet
    problem = edit.get_by_label("Problem it solves")
    problem.focus()
    page.keyboard.type(" Agents wait eight weeks.")
    assert page.evaluate(f"!!document.querySelector({HTMX_BUSY!r})"), "settled too early"
    settled(page)
    expect(problem).to_be_focused()
    expect(problem).to_have_value(re.compile(r"^ Agents wait eight weeks\.New hires"))
    expect(edit.get_by_label("Title")).to_have_value("Support agent certification")
    expect(justification).to_have_value("")
