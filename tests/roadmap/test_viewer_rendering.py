"""Viewers read values, not inputs: no form they cannot submit, no empty decision form, no
grid of inputs without a Save button. Editors keep their controls."""

from __future__ import annotations

import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from roadmap.models import Initiative, Roadmap, TrainingRequest
from roadmap_site.models import Membership, Role
from strategy.models import Strategy
from tests.factories import CapacityEntryFactory, PersonFactory, TrainingRequestFactory

pytestmark = pytest.mark.django_db

# Forms every signed-in person may submit: sign out, switch organisation, and a personal
# calendar subscription (a viewer may subscribe to what they may read).
PERSONAL_ACTIONS = ("/accounts/logout/", "/org/switch/", "/calendar-feeds/new/")


class Controls(HTMLParser):
    """Write controls in a page: POST forms, and fields outside a GET (filter) form."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(a)
            if a.get("method", "get").lower() == "post" and a.get("action") not in (
                PERSONAL_ACTIONS
            ):
                self.found.append(("post form", a.get("action", "")))
        form = self.forms[-1] if self.forms else {}
        in_get_form = form and form.get("method", "get").lower() == "get"
        if form.get("action") in PERSONAL_ACTIONS:
            return
        is_field = tag in ("select", "textarea") or (
            tag == "input" and a.get("type") not in ("hidden", "search")
        )
        if is_field and not in_get_form:
            self.found.append((tag, a.get("name", "")))
        if any(key in a for key in ("hx-post", "hx-put", "hx-patch", "hx-delete")):
            self.found.append((tag, "htmx write"))

    def handle_endtag(self, tag):
        if tag == "form" and self.forms:
            self.forms.pop()


def write_controls(html: str) -> list[tuple[str, str]]:
    parser = Controls()
    parser.feed(html)
    return parser.found


@pytest.fixture
def capacity(org, roadmap):
    priya = PersonFactory(org=org, name="Priya Raman", is_ld_team=True)
    q1 = roadmap.cycles.first()
    CapacityEntryFactory(person=priya, cycle=q1, days=Decimal("12.5"))
    return reverse("roadmap:roadmap_capacity", args=[roadmap.pk])


def test_viewer_reads_the_capacity_grid_as_numbers(viewer_client, capacity):
    html = viewer_client.get(capacity).text
    assert write_controls(html) == []
    assert 'name="days_' not in html
    assert "Save capacity" not in html
    # The value entered is there to read, empty cells say so.
    assert '<td class="num">12.5</td>' in html
    assert '<td class="num"><span class="muted">—</span></td>' in html


def test_editor_edits_the_capacity_grid(editor_client, capacity):
    html = editor_client.get(capacity).text
    assert 'name="days_' in html
    assert 'value="12.5"' in html
    assert "Save capacity" in html


def test_viewer_sees_no_bulk_decision_form_on_the_request_list(viewer_client, org):
    TrainingRequestFactory.create_batch(3, org=org)
    html = viewer_client.get(reverse("roadmap:request_list")).text
    assert write_controls(html) == []
    assert reverse("roadmap:request_bulk") not in html
    assert 'type="checkbox"' not in html
    assert "Apply to selected" not in html


def test_editor_keeps_the_bulk_decision_form(editor_client, org):
    TrainingRequestFactory.create_batch(3, org=org)
    html = editor_client.get(reverse("roadmap:request_list")).text
    assert f'action="{reverse("roadmap:request_bulk")}"' in html
    assert html.count('type="checkbox" name="requests"') == 3


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_non_admins_read_the_organisation_settings(org, role):
    from tests.factories import MembershipFactory

    client = Client()
    client.force_login(MembershipFactory(org=org, role=role).user)
    html = client.get(reverse("org_settings")).text
    assert write_controls(html) == []
    assert "Northwind" in html
    assert "Only an admin can change these settings." in html


def test_admin_edits_the_organisation_settings(admin_client):
    html = admin_client.get(reverse("org_settings")).text
    assert ("input", "name") in write_controls(html)


def test_the_demo_viewer_meets_no_write_control_on_any_page():
    call_command("seed_demo", stdout=io.StringIO())
    viewer = Membership.objects.filter(role=Role.VIEWER).select_related("user").get()
    client = Client()
    client.force_login(viewer.user)
    roadmap = Roadmap.objects.get(org=viewer.org)
    initiative = Initiative.objects.filter(roadmap=roadmap, stages__isnull=False).first()
    pages = [
        reverse("roadmap:roadmap_list"),
        reverse("roadmap:roadmap_detail", args=[roadmap.pk]),
        reverse("roadmap:roadmap_align", args=[roadmap.pk]),
        reverse("roadmap:roadmap_calendar", args=[roadmap.pk]),
        reverse("roadmap:roadmap_changes", args=[roadmap.pk]),
        reverse("roadmap:roadmap_plan", args=[roadmap.pk]),
        reverse("roadmap:roadmap_capacity", args=[roadmap.pk]),
        reverse("roadmap:roadmap_timeline", args=[roadmap.pk]),
        reverse("roadmap:initiative_detail", args=[initiative.pk]),
        reverse("roadmap:initiative_plan", args=[initiative.pk]),
        reverse("roadmap:request_list"),
        reverse("roadmap:request_detail", args=[TrainingRequest.objects.first().pk]),
        reverse("roadmap:calendar_feeds"),
        reverse("strategy:strategy_detail", args=[Strategy.objects.get(org=viewer.org).pk]),
        reverse("strategy:listening_list"),
        reverse("strategy:theme_list"),
        reverse("strategy:maturity_list"),
        reverse("measurement:home"),
        reverse("people"),
        reverse("members"),
        reverse("org_settings"),
    ]
    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        controls = write_controls(response.text)
        if controls:
            found[url] = controls
    assert found == {}
