"""API tokens: admins create (the secret shown once), list and revoke; stored hashed."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap_site.models import ApiScope, ApiToken, Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/org/api-tokens/"


def create(client: Client, name: str = "LMS nightly", scope: str = ApiScope.WRITE):
    return client.post(URL, {"name": name, "scope": scope})


def credentials_in(response) -> str:
    match = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', response.text)
    assert match is not None, response.text
    return match.group(1)


def api_get(credentials: str, path: str = "/api/roadmaps"):
    return Client().get(path, headers={"Authorization": f"Bearer {credentials}"})


def test_the_url_is_the_one_the_menu_links_to():
    assert reverse("api_tokens") == URL


def test_admin_creates_a_token_and_sees_its_secret_once(admin_client, org):
    response = create(admin_client)

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    credentials = credentials_in(response)
    token = ApiToken.objects.get()
    assert token.org == org
    assert token.scope == ApiScope.WRITE
    assert token.created_by.email == "admin@northwind.test"
    key, _, secret = credentials.partition(".")
    assert key == token.key
    assert len(secret) >= 43
    # The list shows the token, never its secret again.
    listed = admin_client.get(URL)
    assert listed.status_code == 200
    assert "LMS nightly" in listed.text
    assert token.key in listed.text
    assert secret not in listed.text
    assert "Read and write" in listed.text


def test_only_the_secret_hash_is_stored(admin_client):
    secret = credentials_in(create(admin_client)).partition(".")[2]

    token = ApiToken.objects.get()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored


def test_the_new_token_works_on_the_api_and_last_use_is_noted(admin_client, roadmap):
    credentials = credentials_in(create(admin_client, scope=ApiScope.READ))
    assert ApiToken.objects.get().last_used_at is None

    response = api_get(credentials)

    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == [roadmap.title]
    assert ApiToken.objects.get().last_used_at is not None
    assert "Never" not in admin_client.get(URL).text


def test_last_use_is_written_at_most_once_a_minute(admin_client, roadmap):
    credentials = credentials_in(create(admin_client))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api_get(credentials)
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        api_get(credentials)
        assert ApiToken.objects.get().last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api_get(credentials)
        assert ApiToken.objects.get().last_used_at == start + timedelta(seconds=61)


def test_a_revoked_token_is_refused_on_the_next_request(admin_client, roadmap):
    credentials = credentials_in(create(admin_client))
    assert api_get(credentials).status_code == 200
    token = ApiToken.objects.get()

    response = admin_client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = api_get(credentials)
    assert refused.status_code == 401
    assert "token" in refused.json()["detail"]
    assert "Revoked" in admin_client.get(URL).text


def test_a_blank_name_is_refused_and_nothing_is_created(admin_client):
    response = create(admin_client, name="  ")

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert 'id="new-token"' not in response.text
    assert not ApiToken.objects.exists()


def test_an_unknown_scope_is_refused(admin_client):
    response = create(admin_client, scope="admin")

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_may_not_see_create_or_revoke_tokens(client_for, role, org):
    token, _ = ApiToken.issue(org=org, name="HRIS", scope=ApiScope.READ, created_by=None)
    client = client_for(role)

    assert client.get(URL).status_code == 403
    assert create(client).status_code == 403
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_outsider_sees_only_their_own_tokens_and_cannot_revoke_ours(client_for, org):
    token, _ = ApiToken.issue(org=org, name="Northwind HRIS", scope=ApiScope.READ, created_by=None)
    outsider = client_for("outsider")

    page = outsider.get(URL)
    assert page.status_code == 200
    assert "Northwind HRIS" not in page.text
    assert outsider.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_menu_links_to_tokens_for_admins_only(client_for):
    assert URL in client_for("admin").get(reverse("members")).text
    assert URL not in client_for("editor").get(reverse("members")).text


def test_the_list_takes_the_same_queries_however_many_tokens(
    admin_client, org, django_assert_num_queries
):
    def issue(n: int) -> None:
        for i in range(n):
            ApiToken.issue(org=org, name=f"T{i}", scope=ApiScope.READ, created_by=UserFactory())

    issue(2)
    with django_assert_num_queries(6) as small:
        admin_client.get(URL)
    issue(20)
    with django_assert_num_queries(len(small.captured_queries)):
        admin_client.get(URL)


@pytest.mark.parametrize("change", ["demoted to viewer", "removed", "deactivated"])
def test_a_token_is_refused_once_its_creator_is_no_longer_admin_or_editor(
    org, editor_membership, change, client_for
):
    creator = editor_membership.user
    _, credentials = ApiToken.issue(org=org, name="LMS", scope=ApiScope.WRITE, created_by=creator)
    assert api_get(credentials).status_code == 200
    assert "Refused" not in client_for("admin").get(URL).text

    if change == "demoted to viewer":
        editor_membership.role = Role.VIEWER
        editor_membership.save()
    elif change == "removed":
        editor_membership.delete()
    else:
        creator.is_active = False
        creator.save()

    response = api_get(credentials)
    assert response.status_code == 401
    page = client_for("admin").get(URL)
    assert "Refused: its creator is no longer an admin or editor" in page.text


def test_a_token_works_again_when_its_creator_is_editor_again(org, editor_membership):
    _, credentials = ApiToken.issue(
        org=org, name="LMS", scope=ApiScope.READ, created_by=editor_membership.user
    )
    editor_membership.role = Role.VIEWER
    editor_membership.save()
    assert api_get(credentials).status_code == 401
    editor_membership.role = Role.ADMIN
    editor_membership.save()
    assert api_get(credentials).status_code == 200


def test_a_creators_role_in_another_organisation_does_not_count(org, other_org):
    creator = UserFactory()
    Membership.objects.create(org=other_org, user=creator, role=Role.ADMIN)
    membership = Membership.objects.create(org=org, user=creator, role=Role.VIEWER)
    _, credentials = ApiToken.issue(org=org, name="X", scope=ApiScope.READ, created_by=creator)
    assert api_get(credentials).status_code == 401
    membership.role = Role.EDITOR
    membership.save()
    assert api_get(credentials).status_code == 200


def test_deleting_the_creators_account_deletes_their_tokens(org, editor_membership):
    """Not a token without a creator, which would read as the system's and keep working."""
    creator = editor_membership.user
    token, credentials = ApiToken.issue(
        org=org, name="LMS", scope=ApiScope.WRITE, created_by=creator
    )
    assert api_get(credentials).status_code == 200
    creator.delete()
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert api_get(credentials).status_code == 401
