"""One way to say "may write": every refusal is `PermissionDenied`, so the site's 403 page.

The views that read on GET and write on POST used to answer a viewer with a bare text 403;
these pin that they now show the same page as every other refusal.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from roadmap_site.access import member_required, require_write
from roadmap_site.models import Person, Role
from strategy.models import ListeningSession
from tests.factories import MembershipFactory

NOT_ALLOWED = "<title>Not allowed"


def _assert_site_403(response) -> None:
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert NOT_ALLOWED in response.text


def test_viewer_adding_a_person_gets_the_site_403_page(viewer_client, org):
    response = viewer_client.post(reverse("people"), {"name": "Grace Kim"})
    _assert_site_403(response)
    assert not Person.objects.filter(org=org, name="Grace Kim").exists()


def test_viewer_adding_a_listening_session_gets_the_site_403_page(viewer_client, person, org):
    response = viewer_client.post(
        reverse("strategy:listening_list"),
        {"person": person.pk, "held_on": "2026-03-01", "notes": "Onboarding is slow."},
    )
    _assert_site_403(response)
    assert not ListeningSession.objects.filter(org=org).exists()


def test_editor_changing_the_organisation_gets_the_site_403_page(editor_client, org):
    response = editor_client.post(
        reverse("org_settings"), {"name": "Renamed", "fiscal_year_start_month": 4}
    )
    _assert_site_403(response)
    org.refresh_from_db()
    assert org.name != "Renamed"


def test_admin_changes_the_organisation(admin_client, org):
    response = admin_client.post(
        reverse("org_settings"), {"name": "Renamed", "fiscal_year_start_month": 4}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Renamed"


# The helpers themselves, without a client ----------------------------------------------------


def _request(org, role: str):
    """A POST from a real member with this role, as `member_required` sees it."""
    membership = MembershipFactory(org=org, role=role)
    request = RequestFactory().post("/")
    request.user = membership.user
    request.membership = membership
    request.org = org
    return request


@pytest.mark.parametrize(
    ("role", "admin", "refused"),
    [
        (Role.VIEWER, False, True),
        (Role.EDITOR, False, False),
        (Role.ADMIN, False, False),
        (Role.VIEWER, True, True),
        (Role.EDITOR, True, True),
        (Role.ADMIN, True, False),
    ],
)
def test_require_write(org, role, admin, refused):
    request = _request(org, role)
    if refused:
        with pytest.raises(PermissionDenied):
            require_write(request, admin=admin)
    else:
        require_write(request, admin=admin)


@pytest.mark.parametrize(
    ("role", "decorator", "status"),
    [
        (Role.VIEWER, member_required, 200),
        (Role.VIEWER, member_required(write=True), 403),
        (Role.EDITOR, member_required(write=True), 200),
        (Role.EDITOR, member_required(admin=True), 403),
        (Role.ADMIN, member_required(admin=True), 200),
    ],
)
def test_member_required_refuses_by_role(org, role, decorator, status):
    request = _request(org, role)
    view = decorator(lambda request: HttpResponse("done"))
    if status == 403:
        with pytest.raises(PermissionDenied):
            view(request)
    else:
        assert view(request).content == b"done"


@pytest.mark.parametrize(
    "url",
    [
        lambda roadmap, kpi: reverse("roadmap:roadmap_list"),
        lambda roadmap, kpi: reverse("roadmap:roadmap_detail", args=[roadmap.pk]),
        lambda roadmap, kpi: reverse("members"),
        lambda roadmap, kpi: reverse("measurement:kpi_detail", args=[kpi.pk]),
    ],
    ids=["roadmap-list", "roadmap", "members", "kpi"],
)
def test_pages_that_only_read_refuse_a_post(client_for, roadmap, url):
    """A POST to a read-only page is 405, not a 200 that looks as if it did something."""
    from tests.factories import KpiFactory

    kpi = KpiFactory(org=roadmap.org)
    response = client_for("admin").post(url(roadmap, kpi))
    assert response.status_code == 405
