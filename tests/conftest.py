"""Shared fixtures: one organisation with an admin, an editor and a viewer, and an outsider
who belongs to another organisation (healthchecks' alice/bob/charlie pattern)."""

from __future__ import annotations

import pytest
from django.test import Client

from roadmap_site.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, PersonFactory, RoadmapFactory


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Northwind")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Contoso")


def _client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def admin_membership(org):
    return MembershipFactory(org=org, role=Role.ADMIN, user__email="admin@northwind.test")


@pytest.fixture
def editor_membership(org):
    return MembershipFactory(org=org, role=Role.EDITOR, user__email="editor@northwind.test")


@pytest.fixture
def viewer_membership(org):
    return MembershipFactory(org=org, role=Role.VIEWER, user__email="viewer@northwind.test")


@pytest.fixture
def outsider_membership(other_org):
    return MembershipFactory(org=other_org, role=Role.ADMIN, user__email="outsider@contoso.test")


@pytest.fixture
def admin_client(admin_membership):
    return _client_for(admin_membership)


@pytest.fixture
def editor_client(editor_membership):
    return _client_for(editor_membership)


@pytest.fixture
def viewer_client(viewer_membership):
    return _client_for(viewer_membership)


@pytest.fixture
def outsider_client(outsider_membership):
    """Signed in, admin of another organisation: every row of `org` must be a 404."""
    return _client_for(outsider_membership)


@pytest.fixture
def person(org):
    return PersonFactory(org=org, name="Priya Raman", is_ld_team=True)


@pytest.fixture
def roadmap(org):
    return RoadmapFactory(org=org, title="Global onboarding roadmap")


HTMX = {"HTTP_HX_REQUEST": "true"}
