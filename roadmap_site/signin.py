"""Per-account sign-in throttling, on top of the per-IP limit on the login URL.

A password spray from many addresses at one account is slowed by the account, and one
office behind one IP is not locked out by a colleague's typos. The key is the normalised
address as typed, whether or not an account has it, so the answer never tells which
addresses exist. State lives in the cache (`CACHE_URL`), like the rate limits.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from roadmap_site.models import hash_token

MAX_FAILURES = 5
WINDOW = 15 * 60  # seconds in which MAX_FAILURES lock the account
FIRST_LOCK = 60  # seconds; doubles with every lock in a row
MAX_LOCK = 60 * 60
# How long a series of locks is remembered: a lock after a quiet day starts at a minute again.
STRIKES_MEMORY = 24 * 60 * 60


def _keys(email: str) -> tuple[str, str, str]:
    # Hashed: cache keys must be short and safe, and need not show the address.
    digest = hash_token(email.strip().lower())
    return (f"signin:fail:{digest}", f"signin:lock:{digest}", f"signin:strikes:{digest}")


def locked_for(email: str) -> int:
    """Seconds left on this address's lock, 0 when it may try."""
    if not settings.RATELIMIT_ENABLE:
        return 0
    _fail, lock, _strikes = _keys(email)
    until = cache.get(lock)
    if until is None:
        return 0
    return max(0, int(until - time.time() + 0.999))


def record_failure(email: str) -> None:
    if not settings.RATELIMIT_ENABLE:
        return
    fail, lock, strikes = _keys(email)
    # A fixed window opened by the first failure; incr is atomic on Redis and locmem.
    cache.add(fail, 0, WINDOW)
    try:
        failures = cache.incr(fail)
    except ValueError:  # expired between add and incr
        cache.set(fail, 1, WINDOW)
        failures = 1
    if failures < MAX_FAILURES:
        return
    series = cache.get(strikes, 0)
    seconds = min(FIRST_LOCK * 2**series, MAX_LOCK)
    cache.set(lock, time.time() + seconds, seconds)
    cache.set(strikes, series + 1, STRIKES_MEMORY)
    cache.delete(fail)


def record_success(email: str) -> None:
    cache.delete_many(_keys(email))
