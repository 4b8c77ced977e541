"""An admin creates an API token, uses it, revokes it; the API docs draw with nothing from
the internet and nothing the CSP blocks."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from roadmap_site.models import ApiScope, ApiToken, Role
from tests.factories import MembershipFactory, OrganizationFactory, RoadmapFactory

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def admin(db):
    org = OrganizationFactory(name="Northwind")
    RoadmapFactory(org=org, title="Global onboarding roadmap")
    return MembershipFactory(org=org, role=Role.ADMIN, user__email="admin@northwind.test").user


def watch(page: Page, live_server) -> tuple[list[str], list[str]]:
    """CSP complaints in the console, and requests to any host but the live server."""
    csp: list[str] = []
    outside: list[str] = []
    own = urlsplit(live_server.url).netloc
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != own
            else None
        ),
    )
    return csp, outside


def test_an_admin_creates_uses_and_revokes_a_token(
    page: Page, live_server, sign_in, screenshot, admin
):
    csp, outside = watch(page, live_server)
    page.set_viewport_size(LAPTOP)
    sign_in(admin)
    page.get_by_text("Northwind").first.click()
    page.get_by_role("link", name="API tokens").click()

    page.get_by_label("Name").fill("LMS nightly")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()

    secret_box = page.get_by_label("Copy it now")
    expect(secret_box).to_be_focused()
    credentials = secret_box.input_value()
    screenshot("api-token-created-laptop")
    page.set_viewport_size(PHONE)
    screenshot("api-token-created-phone")
    page.set_viewport_size(LAPTOP)

    answer = page.request.get(
        f"{live_server.url}/api/roadmaps", headers={"Authorization": f"Bearer {credentials}"}
    )
    assert answer.status == 200
    assert answer.json()["items"][0]["title"] == "Global onboarding roadmap"

    page.goto(f"{live_server.url}/org/api-tokens/")
    expect(page.get_by_label("Copy it now")).to_have_count(0)
    page.get_by_role("button", name="Revoke LMS nightly").click()
    expect(page.get_by_text("Revoked", exact=False).first).to_be_visible()
    refused = page.request.get(
        f"{live_server.url}/api/roadmaps", headers={"Authorization": f"Bearer {credentials}"}
    )
    assert refused.status == 401
    assert csp == []
    assert outside == []


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_the_docs_page_draws_from_our_own_files(page: Page, live_server, screenshot, size, db):
    csp, outside = watch(page, live_server)
    page.set_viewport_size(LAPTOP if size == "laptop" else PHONE)

    page.goto(f"{live_server.url}/api/docs")

    expect(page.get_by_text("L&D Roadmap API").first).to_be_visible()
    expect(page.get_by_text("/api/kpi-values/batch")).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    screenshot(f"api-docs-{size}")
    assert csp == []
    assert outside == []


def test_a_token_whose_creator_became_a_viewer_is_shown_refused(
    page: Page, live_server, sign_in, screenshot, admin
):
    org = admin.memberships.get().org
    editor = MembershipFactory(org=org, role=Role.EDITOR, user__email="sam@northwind.test")
    ApiToken.issue(org=org, name="LMS nightly", scope=ApiScope.WRITE, created_by=editor.user)
    editor.role = Role.VIEWER
    editor.save()

    sign_in(admin)
    page.goto(f"{live_server.url}/org/api-tokens/")
    badge = page.get_by_text("Refused: its creator is no longer an admin or editor")
    for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        expect(badge).to_be_visible()
        screenshot(f"api-token-refused-{size}")
    # Still revocable from the same row.
    expect(page.get_by_role("button", name="Revoke LMS nightly")).to_be_visible()
