"""Every roadmap view as anonymous, editor, viewer and outsider.

Outsiders get 404 on another organisation's roadmap, initiative, export and share link;
viewers get 403 on every write and nothing changes; anonymous users go to the login page.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.test import Client
from django.urls import reverse

from roadmap.models import Export, Initiative, Roadmap, ShareLink
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(roadmap, initiative, editor_membership):
    export = Export.objects.create(org=roadmap.org, roadmap=roadmap)
    export.succeed(filename="roadmap.pdf", content=b"%PDF-1.7 test file")
    link, _token = ShareLink.issue(roadmap=roadmap, created_by=editor_membership.user)
    return {"roadmap": roadmap, "initiative": initiative, "export": export, "share_link": link}


def url_for(name: str, target: str | None, rows) -> str:
    return (
        reverse(f"roadmap:{name}", args=[rows[target].pk]) if target else reverse(f"roadmap:{name}")
    )


def fingerprint(rows) -> tuple:
    """What any of the writes below would change."""
    roadmap = Roadmap.objects.get(pk=rows["roadmap"].pk)
    initiative = Initiative.objects.get(pk=rows["initiative"].pk)
    link = ShareLink.objects.get(pk=rows["share_link"].pk)
    return (
        roadmap.title,
        initiative.title,
        initiative.status,
        initiative.owner_id,
        link.revoked_at,
    )


# name, target row, method, data, htmx
ROUTES = [
    ("roadmap_list", None, "get", None, False),
    ("roadmap_create", None, "get", None, False),
    ("roadmap_create", None, "post", {"title": "New", "fiscal_year": 2027}, False),
    ("roadmap_detail", "roadmap", "get", None, False),
    ("roadmap_chart", "roadmap", "get", None, True),
    ("initiative_create", "roadmap", "post", {"title": "New", "status": "proposed"}, False),
    ("export_create", "roadmap", "post", {}, False),
    ("export_options", "roadmap", "get", None, False),
    ("share_link_create", "roadmap", "post", {"label": "Exec team"}, False),
    ("initiative_detail", "initiative", "get", None, False),
    ("initiative_edit", "initiative", "get", None, False),
    ("initiative_edit", "initiative", "post", {"title": "Changed", "status": "delivered"}, False),
    ("export_detail", "export", "get", None, False),
    ("export_download", "export", "get", None, False),
    ("share_link_revoke", "share_link", "post", {}, False),
]
WRITES = [
    ("roadmap_create", None, "get"),
    ("roadmap_create", None, "post"),
    ("initiative_create", "roadmap", "post"),
    ("export_create", "roadmap", "post"),
    ("export_options", "roadmap", "get"),
    ("share_link_create", "roadmap", "post"),
    ("initiative_edit", "initiative", "get"),
    ("initiative_edit", "initiative", "post"),
    ("share_link_revoke", "share_link", "post"),
]
EDITOR_STATUS = {
    ("roadmap_list", "get"): 200,
    ("roadmap_create", "get"): 200,
    ("roadmap_create", "post"): 302,
    ("roadmap_detail", "get"): 200,
    ("roadmap_chart", "get"): 200,
    ("initiative_create", "post"): 302,
    ("export_create", "post"): 302,
    ("export_options", "get"): 200,
    ("share_link_create", "post"): 200,
    ("initiative_detail", "get"): 200,
    ("initiative_edit", "get"): 200,
    ("initiative_edit", "post"): 302,
    ("export_detail", "get"): 200,
    ("export_download", "get"): 200,
    ("share_link_revoke", "post"): 302,
}


def call(client: Client, method: str, url: str, data, htmx: bool = False):
    extra = HTMX if htmx else {}
    if method == "post":
        return client.post(url, data or {}, **extra)
    return client.get(url, **extra)


def route_id(route) -> str:
    return f"{route[0]}-{route[2]}"


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_anonymous_is_sent_to_login(client, rows, row_counts, route):
    name, target, method, data, htmx = route
    url = url_for(name, target, rows)
    before, state = row_counts(), fingerprint(rows)

    response = call(client, method, url, data, htmx)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    assert parse_qs(location.query) == {REDIRECT_FIELD_NAME: [url]}
    assert row_counts() == before
    assert fingerprint(rows) == state


@pytest.mark.parametrize("route", [r for r in ROUTES if r[1]], ids=route_id)
def test_outsider_gets_404_on_another_orgs_rows(outsider_client, rows, row_counts, route):
    name, target, method, data, htmx = route
    before, state = row_counts(), fingerprint(rows)

    response = call(outsider_client, method, url_for(name, target, rows), data, htmx)

    assert response.status_code == 404
    assert row_counts() == before
    assert fingerprint(rows) == state


def test_outsider_list_does_not_show_another_orgs_roadmap(outsider_client, rows):
    response = outsider_client.get(reverse("roadmap:roadmap_list"))
    assert response.status_code == 200
    assert rows["roadmap"].title not in response.text
    assert list(response.context["roadmaps"]) == []


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("route", [r for r in ROUTES if (r[0], r[1], r[2]) in WRITES], ids=route_id)
def test_viewer_gets_403_on_every_write(viewer_client, rows, row_counts, route, htmx):
    name, target, method, data, _ = route
    before, state = row_counts(), fingerprint(rows)

    response = call(viewer_client, method, url_for(name, target, rows), data, htmx)

    assert response.status_code == 403
    assert row_counts() == before
    assert fingerprint(rows) == state


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if (r[0], r[1], r[2]) not in WRITES], ids=route_id
)
def test_viewer_reads(viewer_client, rows, route):
    name, target, method, data, htmx = route
    response = call(viewer_client, method, url_for(name, target, rows), data, htmx)
    assert response.status_code == 200


def test_viewer_sees_no_write_controls(viewer_client, rows):
    page = viewer_client.get(url_for("roadmap_detail", "roadmap", rows)).text
    for write_url in (
        url_for("initiative_create", "roadmap", rows),
        url_for("export_create", "roadmap", rows),
        url_for("share_link_create", "roadmap", rows),
        url_for("initiative_edit", "initiative", rows),
        url_for("share_link_revoke", "share_link", rows),
    ):
        assert write_url not in page


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_editor_reads_and_writes(editor_client, rows, route):
    name, target, method, data, htmx = route
    response = call(editor_client, method, url_for(name, target, rows), data, htmx)
    assert response.status_code == EDITOR_STATUS[(name, method)]


def test_chart_without_htmx_redirects_to_the_roadmap(editor_client, rows):
    response = editor_client.get(url_for("roadmap_chart", "roadmap", rows))
    assert response.status_code == 302
    assert response["Location"] == url_for("roadmap_detail", "roadmap", rows)
