"""Versioned caching of read-mostly pages and fragments.

What a cached page shows is named by versions in its key: the organisation's `version`
(people, the business calendar, the organisation's own fields) and, for a roadmap's pages,
the roadmap's `version`. The code that writes bumps the version of what it changed
(`bump_org`, `Roadmap.touch`), in the same transaction as the write, so the next view builds
a new key and the old entry is never read again: nothing is deleted, entries age out.

The cache is Django's default one: locmem in one process, Redis where `CACHE_URL` says so.
Nothing cached here carries a CSP nonce or a CSRF token (they differ per request or visitor):
a fragment with forms is stored with a placeholder that each response fills with the
visitor's own token (`render_fragment`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from roadmap_site.models import Organization

# Versions make entries stale, not time; the timeout only returns the memory of pages
# nobody looks at any more.
TIMEOUT = 24 * 60 * 60


def key(kind: str, *parts: object) -> str:
    """`kind` and the parts (ids, versions, a normalised query string) as one cache key;
    hashed when long (a query string may be), as memcached and Redis like short keys."""
    joined = ":".join(["page", kind, *(str(part) for part in parts)])
    if len(joined) <= 200 and joined.isprintable() and " " not in joined:
        return joined
    return f"page:{kind}:{hashlib.sha256(joined.encode()).hexdigest()}"


def get_or_build[T](cache_key: str, build: Callable[[], T], timeout: int = TIMEOUT) -> T:
    """The cached value for `cache_key`, built and stored on a miss."""
    value = cache.get(cache_key)
    if value is None:
        value = build()
        cache.set(cache_key, value, timeout)
    return value


def get_or_build_many(builders: dict[str, Callable[[], str]], timeout: int = TIMEOUT) -> dict:
    """The cached value of each key of `builders`, in one read of the cache; the missing
    ones built by their builder and stored in one write."""
    found = cache.get_many(list(builders))
    built = {key: build() for key, build in builders.items() if key not in found}
    if built:
        cache.set_many(built, timeout)
    return {**found, **built}


# What `{% csrf_token %}` prints in a cached fragment; the response puts the visitor's in.
CSRF_PLACEHOLDER = "csrf-token-of-this-response"


def render_fragment(
    request: HttpRequest,
    cache_key: str,
    template_name: str,
    build: Callable[[], dict],
    *,
    content_key: Callable[[dict], str] | None = None,
) -> SafeString:
    """`template_name` rendered with the context `build()` makes, once per `cache_key`.

    The key must name everything the fragment shows (versions, the page or filter, whether
    the reader may write). Its forms' CSRF inputs are stored with a placeholder and filled
    here with this request's token, so one entry serves every member of the same role.

    `content_key(context)`: on a miss of `cache_key`, a second key naming what the context
    shows (a digest): when a write left that part alone, the rendering is read back rather
    than done again."""

    def render() -> str:
        context = {**build(), "csrf_token": CSRF_PLACEHOLDER}
        draw = partial(render_to_string, template_name, context, request=request)
        if content_key is None:
            return draw()
        return get_or_build(content_key(context), draw)

    html = get_or_build(cache_key, render)
    token = f'value="{get_token(request)}"'
    return mark_safe(html.replace(f'value="{CSRF_PLACEHOLDER}"', token))  # noqa: S308 (our own template's output)


# What else follows an organisation's data: apps register a callback (in their
# `AppConfig.ready()`) that `bump_org` calls once per bump, inside the writer's transaction.
# The core cannot import the apps that build on it; this is how measurement's alerts are
# brought up to date by the write rather than by the next view of the dashboard.
_followers: list[Callable[[Organization], None]] = []


def follow_org_changes(callback: Callable[[Organization], None]) -> None:
    """Call `callback(org)` whenever `org`'s version is bumped (once per bump, after it)."""
    if callback not in _followers:
        _followers.append(callback)


# Inside `one_bump_per_org`: the organisations written to, bumped once at the end, with
# whether every write of each was of KPI values only.
_pending: ContextVar[dict[int, tuple[Organization, bool]] | None] = ContextVar(
    "pending_bumps", default=None
)


def bump_org(org: Organization, *, figures_only: bool = False) -> None:
    """The organisation changed (a person, its calendar, its name): every cached page of it
    is rebuilt on its next view.

    `figures_only`: the write changed KPI values and nothing else, so `steady_version` stays
    (what never reads KPI values is still true); any other write moves it with `version`."""
    pending = _pending.get()
    if pending is not None:
        _org, only = pending.get(org.pk, (org, True))
        pending[org.pk] = (org, only and figures_only)
        return
    if figures_only:
        Organization.objects.filter(pk=org.pk).update(version=F("version") + 1)
    else:
        Organization.objects.filter(pk=org.pk).update(
            version=F("version") + 1, steady_version=F("version") + 1
        )
        org.steady_version = org.version + 1
    org.version += 1
    for callback in _followers:
        callback(org)


@contextmanager
def one_bump_per_org() -> Iterator[None]:
    """The writes inside bump each organisation's version once, when they are done: a bulk
    decision over 50 rows is one new version, not 50 updates of the same row. Use it inside
    the writes' transaction; nothing is bumped if they fail."""
    pending: dict[int, tuple[Organization, bool]] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for org, figures_only in pending.values():
        bump_org(org, figures_only=figures_only)
