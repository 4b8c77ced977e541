"""The password-reset form sends mail to any address typed in: without a limit, anyone can
flood a victim's inbox from our domain (and burn the mail quota). Sign-in and sign-up are
limited per IP; reset must be too."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    with time_machine.travel(timezone.now(), tick=False):
        yield
    cache.clear()


def test_password_reset_requests_are_limited_per_ip(limits_on, admin_membership, mailoutbox):
    client = Client()
    email = admin_membership.user.email
    statuses = [
        client.post(reverse("password_reset"), {"email": email}).status_code for _ in range(11)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    assert len(mailoutbox) == 10
