"""`seed_demo` publishes fixed tokens only with DEBUG, and keeps out of real workspaces.

Before: the share link `/s/demo-global-onboarding-read-only/` and the status link
`/status/demo-request-status-link/` worked on every deployment that ran the command, forever.
"""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client

from roadmap.demo import DEMO_INTAKE_TOKEN, DEMO_SHARE_TOKEN, DEMO_STATUS_TOKEN
from roadmap_site.models import Organization
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

FIXED = {"s": DEMO_SHARE_TOKEN, "status": DEMO_STATUS_TOKEN, "intake": DEMO_INTAKE_TOKEN}


def seed(*args: str) -> dict[str, str]:
    """Run the command; return the path it printed for each published link."""
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    paths = {}
    for kind in FIXED:
        match = re.search(rf"http://\S+?(/{kind}/[^/\s]+/)", out.getvalue())
        assert match, (kind, out.getvalue())
        paths[kind] = match.group(1)
    return paths


def counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_without_debug_the_links_are_random_and_printed(settings):
    settings.DEBUG = False
    paths = seed()
    anonymous = Client()
    for kind, fixed in FIXED.items():
        assert fixed not in paths[kind]
        assert len(paths[kind].strip("/").split("/")[1]) >= 43
        assert anonymous.get(f"/{kind}/{fixed}/").status_code == 404, kind
        assert anonymous.get(paths[kind]).status_code == 200, kind


def test_without_debug_a_second_run_replaces_the_links_and_adds_no_rows(settings):
    settings.DEBUG = False
    first = seed()
    before = counts()
    second = seed()
    assert counts() == before
    for kind in FIXED:
        assert second[kind] != first[kind]
        assert Client().get(first[kind]).status_code == 404, kind
        assert Client().get(second[kind]).status_code == 200, kind


def test_with_debug_the_readme_links_work(settings):
    settings.DEBUG = True
    paths = seed()
    for kind, fixed in FIXED.items():
        assert paths[kind] == f"/{kind}/{fixed}/"
        assert Client().get(paths[kind]).status_code == 200, kind


def test_refuses_a_database_with_other_organisations_unless_forced(settings):
    settings.DEBUG = True
    OrganizationFactory(name="Real customer")
    before = counts()
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before

    seed("--force")
    assert Organization.objects.filter(is_demo=True).exists()


def test_an_existing_demo_alone_does_not_block_a_rerun(settings):
    settings.DEBUG = True
    seed()
    seed()
    assert Organization.objects.count() == 1
