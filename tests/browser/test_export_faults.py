"""Export with the broker down, in the browser: htmx swaps no 5xx by itself, so this is
where "the user sees the message" is proven. Then Retry, once the broker is back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from roadmap_site.celery import app as celery_app
from roadmap_site.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, RoadmapFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOTHING_LISTENS = "redis://127.0.0.1:1/0"


def test_export_with_the_broker_down_says_so_and_retry_works_once_it_is_back(
    page: Page, live_server, sign_in, screenshot, settings, monkeypatch
):
    org = OrganizationFactory(name="Northwind Global", slug="northwind")
    editor = MembershipFactory(org=org, role=Role.EDITOR, user__email="editor@northwind.test")
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap")
    # The live server shares this process's Celery app: point it at a broker nobody runs.
    monkeypatch.setenv("CELERY_BROKER_URL", NOTHING_LISTENS)
    monkeypatch.setitem(celery_app.conf, "broker_url", NOTHING_LISTENS)
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)

    sign_in(editor.user)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("button", name="Export PDF").click()

    exports = page.get_by_role("region", name="PDF exports")
    expect(exports).to_contain_text(
        "Failed: exports are unavailable right now; try again in a minute."
    )
    expect(page).to_have_url(f"{live_server.url}/roadmaps/{roadmap.pk}/")  # htmx, no reload
    screenshot("export-broker-down")

    # The broker is back (tasks in-process here): Retry renders and offers the download.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    exports.get_by_role("button", name="Retry").click()
    expect(exports.get_by_role("link", name="Download PDF")).to_be_visible(timeout=30_000)
    expect(exports).not_to_contain_text("Failed")
