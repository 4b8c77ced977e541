"""Every workspace view as anonymous, member, viewer and outsider (healthchecks' pattern).

Outsiders get 404 on another organisation's rows, viewers 403 on every write, and a refused
write leaves the database as it was.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.test import Client
from django.urls import reverse

from roadmap_site.models import Membership, Person, Role
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(person, editor_membership):
    return {"person": person, "membership": editor_membership}


def url_for(name: str, target: str | None, rows) -> str:
    return reverse(name, args=[rows[target].pk]) if target else reverse(name)


def fingerprint(rows) -> tuple:
    """What the writes below would change."""
    person = Person.objects.get(pk=rows["person"].pk)
    membership = Membership.objects.get(pk=rows["membership"].pk)
    org = membership.org
    return (person.name, person.department, membership.role, org.name)


# name, target row, method, data
LOGIN_REQUIRED = [
    ("home", None, "get", None),
    ("org_create", None, "get", None),
    ("org_create", None, "post", {"name": "Anon org", "fiscal_year_start_month": 1}),
    ("org_settings", None, "get", None),
    ("org_settings", None, "post", {"name": "Renamed", "fiscal_year_start_month": 1}),
    ("org_switch", None, "post", {"org": 1}),
    ("members", None, "get", None),
    ("member_invite", None, "post", {"email": "a@example.com", "role": "editor"}),
    ("member_role", "membership", "post", {"role": "admin"}),
    ("people", None, "get", None),
    ("people", None, "post", {"name": "Anon"}),
    ("person_edit", "person", "get", None),
    ("person_edit", "person", "post", {"name": "Renamed"}),
    ("password_change", None, "get", None),
]

# Writes a viewer may not make: name, target, method, data
VIEWER_REFUSED = [
    ("org_settings", None, "post", {"name": "Renamed", "fiscal_year_start_month": 1}),
    ("member_invite", None, "post", {"email": "a@example.com", "role": "editor"}),
    ("member_role", "membership", "post", {"role": "admin"}),
    ("people", None, "post", {"name": "Added by a viewer"}),
    ("person_edit", "person", "get", None),
    ("person_edit", "person", "post", {"name": "Renamed", "department": "X"}),
]

# Rows of `org` reached by id: name, target, method, data
BY_ID = [
    ("member_role", "membership", "post", {"role": "admin"}),
    ("person_edit", "person", "get", None),
    ("person_edit", "person", "post", {"name": "Renamed", "department": "X"}),
]


def assert_sent_to_login(response, url: str, *, with_next: bool = True) -> None:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    if with_next:
        assert parse_qs(location.query) == {REDIRECT_FIELD_NAME: [url]}


def call(client: Client, method: str, url: str, data, **extra):
    if method == "post":
        return client.post(url, data or {}, **extra)
    return client.get(url, **extra)


@pytest.mark.parametrize(("name", "target", "method", "data"), LOGIN_REQUIRED)
def test_anonymous_is_sent_to_login(client, rows, row_counts, name, target, method, data):
    url = url_for(name, target, rows)
    before, state = row_counts(), fingerprint(rows)

    response = call(client, method, url, data)

    assert_sent_to_login(response, url, with_next=name != "home")
    assert row_counts() == before
    assert fingerprint(rows) == state


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/healthz", 200),
        ("/signup/", 200),
        ("/accounts/login/", 200),
        ("/accounts/password_reset/", 200),
        ("/invite/not-a-real-token/", 404),
        ("/s/not-a-real-token/", 404),
        ("/s/not-a-real-token/initiatives/1/", 404),
    ],
)
def test_public_pages_need_no_account(client, db, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert "Location" not in response


@pytest.mark.parametrize(("name", "target", "method", "data"), VIEWER_REFUSED)
def test_viewer_gets_403_on_writes(viewer_client, rows, row_counts, name, target, method, data):
    before, state = row_counts(), fingerprint(rows)

    response = call(viewer_client, method, url_for(name, target, rows), data)

    assert response.status_code == 403
    assert row_counts() == before
    assert fingerprint(rows) == state


@pytest.mark.parametrize(("name", "target", "method", "data"), VIEWER_REFUSED)
def test_viewer_gets_403_on_htmx_writes_too(
    viewer_client, rows, row_counts, name, target, method, data
):
    before = row_counts()
    response = call(viewer_client, method, url_for(name, target, rows), data, **HTMX)
    assert response.status_code == 403
    assert row_counts() == before


@pytest.mark.parametrize("name", ["home", "org_settings", "members", "people"])
def test_viewer_reads(viewer_client, name):
    response = viewer_client.get(reverse(name))
    assert response.status_code in (200, 302)
    if name == "home":
        assert response["Location"] == reverse("roadmap:roadmap_list")


@pytest.mark.parametrize(("name", "target", "method", "data"), BY_ID)
def test_outsider_gets_404_on_another_orgs_rows(
    outsider_client, rows, row_counts, name, target, method, data
):
    before, state = row_counts(), fingerprint(rows)

    response = call(outsider_client, method, url_for(name, target, rows), data)

    assert response.status_code == 404
    assert row_counts() == before
    assert fingerprint(rows) == state


def test_outsider_lists_show_only_their_own_org(outsider_client, rows, org):
    members = outsider_client.get(reverse("members"))
    people = outsider_client.get(reverse("people"))
    assert members.status_code == people.status_code == 200
    assert rows["membership"].user.email not in members.text
    assert rows["person"].name not in people.text
    assert org.name not in members.text + people.text


@pytest.mark.parametrize(
    ("name", "target", "method", "data", "status"),
    [
        ("home", None, "get", None, 302),
        ("org_create", None, "get", None, 200),
        ("org_settings", None, "get", None, 200),
        ("members", None, "get", None, 200),
        ("people", None, "get", None, 200),
        ("people", None, "post", {"name": "Grace Kim"}, 302),
        ("person_edit", "person", "get", None, 200),
        ("person_edit", "person", "post", {"name": "Renamed"}, 302),
        ("password_change", None, "get", None, 200),
    ],
)
def test_editor_reads_and_writes(editor_client, rows, name, target, method, data, status):
    response = call(editor_client, method, url_for(name, target, rows), data)
    assert response.status_code == status


@pytest.mark.parametrize("name", ["member_invite", "member_role"])
def test_editor_gets_403_on_admin_writes(editor_client, rows, row_counts, name):
    target = "membership" if name == "member_role" else None
    before, state = row_counts(), fingerprint(rows)
    response = editor_client.post(
        url_for(name, target, rows), {"email": "x@example.com", "role": Role.ADMIN}
    )
    assert response.status_code == 403
    assert row_counts() == before
    assert fingerprint(rows) == state


def test_django_admin_is_for_staff_only(editor_client):
    response = editor_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# Every route, found from the URLconf: a new view that forgets its login check fails here.

PUBLIC_ROUTES = {
    "healthz",
    "signup",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invite_accept",
    "roadmap:shared_roadmap",
    # Share: what a reviewer does behind the link (its token is the credential).
    "roadmap:shared_unlock",
    "roadmap:shared_review",
    "roadmap:shared_initiative",
    # Assess: the public intake form and the requester's private status link.
    "roadmap:intake",
    "roadmap:request_status",
    # Plan: a member's iCalendar feed, authenticated by its secret token, not a session.
    "roadmap:calendar_feed",
    # The API authenticates by token, not session (tests/roadmap/api/test_auth.py): its
    # routes are under "roadmap:api", and this JSON 404 answers any other path under /api/.
    "roadmap:api_unknown",
}
SAMPLE_ARGUMENT = {"int": 1, "string": "x", "slug": "x", "path": "x"}


def all_routes() -> list[tuple[str, dict]]:
    """(name, kwargs) of every named route of the workspace core and the roadmap app."""
    from django.urls import URLPattern, URLResolver, get_resolver

    routes = []

    def walk(patterns, namespace, converters):
        for entry in patterns:
            found = {**converters, **entry.pattern.converters}
            if isinstance(entry, URLResolver):
                if entry.namespace in (None, "roadmap"):
                    walk(entry.url_patterns, entry.namespace or namespace, found)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                kwargs = {
                    key: SAMPLE_ARGUMENT[type(conv).__name__.removesuffix("Converter").lower()]
                    for key, conv in found.items()
                }
                routes.append((name, kwargs))

    walk(get_resolver().url_patterns, None, {})
    return routes


ROUTES = all_routes()


def test_the_route_list_is_complete():
    names = {name for name, _ in ROUTES}
    assert {"home", "members", "roadmap:roadmap_detail", "roadmap:shared_roadmap"} <= names
    assert names >= PUBLIC_ROUTES


@pytest.mark.parametrize(
    ("name", "kwargs"), [r for r in ROUTES if r[0] not in PUBLIC_ROUTES], ids=lambda v: str(v)
)
def test_every_private_route_sends_anonymous_users_to_login(client, db, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in (302, 405), (method, url)
        if response.status_code == 302:
            assert urlsplit(response["Location"]).path == reverse("login"), (method, url)
