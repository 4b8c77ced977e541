"""Rate limits answer 429 "Too many requests", not 403 "your role does not allow this"."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap.models import ShareLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    # One fixed moment: every request falls in the same rate-limit window.
    with time_machine.travel(timezone.now(), tick=False):
        yield
    cache.clear()


def test_share_link_lookups_are_limited_per_ip(limits_on, roadmap):
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None)
    client = Client()
    url = reverse("roadmap:shared_roadmap", args=[token])

    statuses = [client.get(url).status_code for _ in range(60)]
    limited = client.get(url)

    assert set(statuses) == {200}
    assert limited.status_code == 429
    assert "Too many requests" in limited.text


def test_guessing_tokens_is_limited_too(limits_on):
    client = Client()
    statuses = [
        client.get(reverse("roadmap:shared_roadmap", args=[f"guess-{n}"])).status_code
        for n in range(61)
    ]
    assert statuses[:60] == [404] * 60
    assert statuses[60] == 429


def test_login_attempts_are_limited(limits_on):
    client = Client()
    # A different address each time: one address alone is locked sooner (test_signin_throttle).
    statuses = [
        client.post(
            reverse("login"), {"username": f"someone{n}@example.com", "password": "wrong"}
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


def test_downloads_are_limited_per_user(limits_on, settings, client_for, roadmap):
    settings.DOWNLOAD_RATE = "3/m"
    editor, viewer = client_for("editor"), client_for("viewer")
    url = reverse("roadmap:stage_download", args=[roadmap.pk])

    statuses = [editor.get(url).status_code for _ in range(3)]
    limited = editor.get(reverse("measurement:response_download"))

    assert statuses == [200] * 3
    assert limited.status_code == 429  # every list shares the user's budget
    assert viewer.get(url).status_code == 200  # another user has their own
