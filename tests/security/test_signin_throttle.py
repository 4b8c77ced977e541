"""Sign-in is throttled per account as well as per IP.

Before, only 20 attempts a minute per IP: a password spray on one account from many
addresses was never slowed. Now 5 failures within 15 minutes lock the account's sign-in for
1, 2, 4 … minutes (at most an hour); a success resets. Unknown addresses are treated the
same, so the answer never tells whether an account exists.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "maya@northwind.example"
LOCKED = "Too many failed sign-ins"


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLE = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        yield clock
    cache.clear()


@pytest.fixture
def maya(db):
    return UserFactory(email=EMAIL)


_ip = iter(range(1, 1_000_000))


def attempt(email: str, password: str, *, ip: str | None = None):
    """A fresh client from a fresh address unless `ip` is given: the spray case."""
    n = next(_ip)
    address = ip or f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": email, "password": password})
    response.signed_in = client.session.get(SESSION_KEY) is not None
    return response


def fail(email: str, times: int) -> None:
    for _ in range(times):
        response = attempt(email, "wrong-guess")
        assert response.status_code == 200
        assert not response.signed_in


def test_a_spray_from_many_addresses_locks_the_account(limits_on, maya):
    fail(EMAIL, 5)

    refused = attempt(EMAIL, PASSWORD)

    assert refused.status_code == 429
    assert LOCKED in refused.text
    assert not refused.signed_in
    # After a minute the right password works again.
    limits_on.shift(timedelta(seconds=61))
    assert attempt(EMAIL, PASSWORD).signed_in


def test_the_lock_grows_1_2_4_minutes_and_stops_at_an_hour(limits_on, maya):
    locks = []
    fail(EMAIL, 5)
    for _ in range(8):
        waited = 0
        # Attempts while locked are refused without checking, and not counted.
        while attempt(EMAIL, "wrong-guess").status_code == 429:
            limits_on.shift(timedelta(minutes=1))
            waited += 1
        locks.append(waited)
        fail(EMAIL, 4)  # with the attempt that got through: five failures again
    assert locks == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_success_resets_the_count(limits_on, maya):
    fail(EMAIL, 4)
    assert attempt(EMAIL, PASSWORD).signed_in
    fail(EMAIL, 4)
    assert attempt(EMAIL, PASSWORD).signed_in


def test_failures_older_than_15_minutes_do_not_count(limits_on, maya):
    fail(EMAIL, 4)
    limits_on.shift(timedelta(minutes=16))
    fail(EMAIL, 4)
    assert attempt(EMAIL, PASSWORD).signed_in


def test_the_address_is_normalised(limits_on, maya):
    for email in ["Maya@Northwind.example", "MAYA@northwind.example ", EMAIL]:
        fail(email, 1)
    fail("maya@NORTHWIND.EXAMPLE", 2)
    assert attempt(EMAIL, PASSWORD).status_code == 429


def test_unknown_and_known_addresses_get_the_same_answer(limits_on, maya):
    answers = {}
    for email in [EMAIL, "nobody@northwind.example"]:
        first = attempt(email, "wrong-guess")
        fail(email, 4)
        locked = attempt(email, "wrong-guess")
        answers[email] = [
            (r.status_code, r.context["form"].non_field_errors()) for r in (first, locked)
        ]
    known, unknown = answers.values()
    assert known == unknown
    assert LOCKED in str(known[1][1])


def test_one_locked_account_does_not_lock_its_office(limits_on, maya):
    colleague = UserFactory(email="jonas@northwind.example")
    office = "192.0.2.10"
    for _ in range(5):
        attempt(EMAIL, "wrong-guess", ip=office)
    assert attempt(EMAIL, PASSWORD, ip=office).status_code == 429
    assert attempt(colleague.email, PASSWORD, ip=office).signed_in


def test_the_per_ip_limit_stays(limits_on, maya):
    office = "192.0.2.20"
    statuses = [
        attempt(f"user{n}@northwind.example", "wrong-guess", ip=office).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
