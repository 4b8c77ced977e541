"""Shared fixtures: one organisation with an admin, an editor and a viewer, and an outsider
who belongs to another organisation (healthchecks' alice/bob/charlie pattern)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django_scopes import scopes_disabled

from roadmap_site.models import Role
from tests.factories import (
    InitiativeFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    RoadmapFactory,
)

_INTEGRATION_NOTE = pytest.StashKey[str]()
KEPT_SQLITE_DB = Path(__file__).resolve().parents[1] / "test-artifacts" / "test-db.sqlite3"


def pytest_configure(config):
    """With --reuse-db (`make test` locally), a SQLite test database lives in a file that
    outlives the run (one per xdist worker, `..._gw0`), so later runs skip the migrations
    that cost each process seconds. Without it the database is in memory, made afresh."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    sqlite = db["ENGINE"] == "django.db.backends.sqlite3"
    if config.getoption("reuse_db") and sqlite and not test.get("NAME"):
        KEPT_SQLITE_DB.parent.mkdir(exist_ok=True)
        test["NAME"] = str(KEPT_SQLITE_DB)


def pytest_collection_modifyitems(config, items):
    """Integration tests need a real broker and a database a worker process can reach.

    Without `CELERY_BROKER_URL` and PostgreSQL (an in-memory SQLite test database is not
    visible to another process) they are deselected, not skipped: a skip would read as
    "ran and was fine to skip", a deselection says "not part of this run".
    """
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if settings.CELERY_BROKER_URL and engine == "django.db.backends.postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("integration")]
    if not deselected:
        return
    items[:] = [item for item in items if not item.get_closest_marker("integration")]
    config.hook.pytest_deselected(items=deselected)
    config.stash[_INTEGRATION_NOTE] = (
        f"{len(deselected)} integration test(s) deselected: set CELERY_BROKER_URL and a "
        "PostgreSQL DATABASE_URL to run them."
    )
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller prints the note
        config.workeroutput["integration_note"] = config.stash[_INTEGRATION_NOTE]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Under xdist the workers collect; every worker deselects the same tests."""
    note = getattr(node, "workeroutput", {}).get("integration_note")
    if note:
        node.config.stash[_INTEGRATION_NOTE] = note


def pytest_terminal_summary(terminalreporter, config):
    note = config.stash.get(_INTEGRATION_NOTE, None)
    if note:
        terminalreporter.write_line(note, yellow=True)


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATELIMIT_ENABLE = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids are reused once a test's rows are rolled
    back, and a cached page of an earlier test's roadmap must not answer for this one's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _scopes_disabled():
    """Test bodies build and check rows of several organisations without a scope.

    Views still run scoped: `CurrentOrganizationMiddleware` gives every test-client
    request a fresh scope of its own (tests/roadmap_site/test_scopes.py proves it).
    """
    with scopes_disabled():
        yield


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Northwind")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Contoso")


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


ROLES = ("admin", "editor", "viewer", "outsider")


@pytest.fixture
def client_for(request, db) -> Callable[[str], Client]:
    """`client_for("admin" | "editor" | "viewer" | "outsider")`: a new Client signed in as
    that member of `org` (the `<role>_membership` fixture). The outsider is an admin of
    another organisation: every row of `org` must be a 404 for them."""

    def sign_in(role: str) -> Client:
        if role not in ROLES:
            raise ValueError(f"client_for({role!r}): the roles are {', '.join(ROLES)}")
        client = Client()
        client.force_login(request.getfixturevalue(f"{role}_membership").user)
        return client

    return sign_in


# The same clients under the names hundreds of tests already use.
@pytest.fixture
def admin_client(client_for):
    return client_for("admin")


@pytest.fixture
def editor_client(client_for):
    return client_for("editor")


@pytest.fixture
def viewer_client(client_for):
    return client_for("viewer")


@pytest.fixture
def outsider_client(client_for):
    return client_for("outsider")


@pytest.fixture
def person(org):
    return PersonFactory(org=org, name="Priya Raman", is_ld_team=True)


@pytest.fixture
def roadmap(org):
    return RoadmapFactory(org=org, title="Global onboarding roadmap")


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def initiative(roadmap, person):
    return InitiativeFactory(roadmap=roadmap, title="Manager onboarding toolkit", owner=person)


@pytest.fixture
def row_counts(db):
    """A snapshot of every model's row count: a refused write must leave it unchanged."""

    def snapshot() -> dict[str, int]:
        return {model._meta.label: model._default_manager.count() for model in apps.get_models()}

    return snapshot
