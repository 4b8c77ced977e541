"""Tenancy in one place: which organisation a request works in, and what it may do there.

Every view that touches an organisation's rows goes through `member_required` and
`get_for_member`. Outsiders get 404 (an id from another organisation does not exist for
them); viewers who try to write get 403.

One way to say "may write": `@member_required(write=True)` (or `admin=True`) on a view that
only writes; `require_write(request)` inside a view that reads on GET and writes on POST.
`get_for_member` only scopes. Every refusal raises `PermissionDenied`, so the user gets the
site's 403 page.

Behind that, organisation-owned models are scoped (django-scopes): every request starts
with scoping on and no organisation, so a query on an organisation's rows raises
`ScopeError` until `member_required` (or `enter_org_scope`, on public pages reached by a
token or slug) opens the organisation's scope. Forgetting the filter fails loudly instead
of showing another tenant's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_htmx.middleware import HtmxDetails
from django_scopes import scope, scopes_disabled

from roadmap_site.models import Membership, Organization

if TYPE_CHECKING:
    from roadmap_site.models import User

SESSION_KEY = "current_org_id"

# The page the current request answers for. Widgets render without a request, yet a link
# that leaves a form (the person picker's "New person…") must return to that page.
_current_page: ContextVar[str] = ContextVar("current_page", default="")


class OrgRequest(HttpRequest):
    """Every request, as the middleware leave it (for type checkers)."""

    membership: Membership | None
    other_memberships: list[Membership]
    org: Organization | None
    htmx: HtmxDetails
    scopes: ExitStack


class UserRequest(OrgRequest):
    """What a view behind `login_required` can rely on (for type checkers)."""

    user: User


class AuthedRequest(UserRequest):
    """What a view behind `member_required` can rely on (for type checkers)."""

    membership: Membership
    org: Organization


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership of the organisation chosen in this session, else the first one."""
    return memberships_of(request)[0]


def memberships_of(request: HttpRequest) -> tuple[Membership | None, list[Membership]]:
    """The current membership and the user's others (the header's switcher), from one
    query: a person belongs to a handful of organisations, and every page needs both."""
    user = request.user
    if not user.is_authenticated:
        return None, []
    # The default order (by organisation name) is the switcher's.
    memberships = list(Membership.objects.filter(user=user).select_related("org"))
    chosen = request.session.get(SESSION_KEY)
    current = next((m for m in memberships if m.org_id == chosen), None)
    if current is None and memberships:
        current = min(memberships, key=lambda m: (m.created_at, m.pk))
    return current, [m for m in memberships if m is not current]


def switch_organization(request: HttpRequest, membership: Membership) -> None:
    request.session[SESSION_KEY] = membership.org_id


def current_page() -> str:
    """The page (path and query) the request being answered belongs to: the request itself
    for a GET, the page that sent it for htmx and for posts (re-rendered forms). Unchecked:
    whoever redirects to it checks it with `url_has_allowed_host_and_scheme`."""
    return _current_page.get()


def _page_of(request: HttpRequest) -> str:
    if request.method == "GET" and not request.headers.get("HX-Request"):
        return request.get_full_path()
    sent_from = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    parts = urlsplit(sent_from)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class CurrentOrganizationMiddleware:
    """Gives every request a lazy `membership` and `org` (None when signed out), and sets
    `current_page()` while it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        org_request = cast(OrgRequest, request)
        found: list[tuple[Membership | None, list[Membership]]] = []

        def memberships() -> tuple[Membership | None, list[Membership]]:
            if not found:
                found.append(memberships_of(request))
            return found[0]

        org_request.membership = cast(Membership | None, SimpleLazyObject(lambda: memberships()[0]))
        org_request.other_memberships = cast(
            list[Membership], SimpleLazyObject(lambda: memberships()[1])
        )
        org_request.org = cast(
            Organization | None,
            SimpleLazyObject(
                lambda: org_request.membership.org if org_request.membership else None
            ),
        )
        # A fresh scope per request, whatever the caller's (a test's `scopes_disabled()`
        # does not reach the view); `enter_org_scope` adds to it until the response is out.
        with ExitStack() as scopes:
            scopes.enter_context(request_scope(request))
            org_request.scopes = scopes
            token = _current_page.set(_page_of(request))
            try:
                return self.get_response(request)
            finally:
                _current_page.reset(token)


def request_scope(request: HttpRequest) -> AbstractContextManager:
    """Scoping on with no organisation; staff in the Django admin see every organisation."""
    if request.path.startswith(reverse("admin:index")) and request.user.is_staff:
        return scopes_disabled()
    return scope()


def enter_org_scope(request: HttpRequest, org: Organization) -> None:
    """From here to the end of the request, queries see `org`'s rows only.

    For public pages (share link, intake form, calendar feed...) that learn the
    organisation from a token or slug, itself looked up under `scopes_disabled()`.
    """
    cast(OrgRequest, request).scopes.enter_context(scope(organization=org))


def member_required(
    view: Callable | None = None, *, write: bool = False, admin: bool = False
) -> Callable:
    """Signed in, member of an organisation; `write` refuses viewers, `admin` non-admins.

    Usable bare (`@member_required`) or with arguments (`@member_required(write=True)`).
    """

    def decorator(view_func: Callable) -> Callable:
        @wraps(view_func)
        @login_required
        def wrapped(request: OrgRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.membership:
                return redirect("org_create")
            if admin or write:
                require_write(cast(AuthedRequest, request), admin=admin)
            with scope(organization=request.membership.org):
                return view_func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def require_write(request: AuthedRequest, *, admin: bool = False) -> None:
    """Refuse (403) a member who may not write; with `admin`, one who is not an admin.

    For views that read on GET and write on POST; views that only write say it with
    `@member_required(write=True)` instead.
    """
    if admin and not request.membership.is_admin:
        raise PermissionDenied("Only an admin of this organisation can do that.")
    if not request.membership.can_write:
        raise PermissionDenied("Viewers can read this organisation but not change it.")


def get_for_member[M: models.Model](
    request: AuthedRequest,
    model_or_queryset: type[M] | models.QuerySet[M],
    **lookup: Any,
) -> M:
    """Fetch one row of the member's organisation, or 404. Scoping only: who may write is
    said by `member_required(write=True)` or `require_write`."""
    queryset = (
        model_or_queryset._default_manager.all()
        if isinstance(model_or_queryset, type)
        else model_or_queryset
    )
    return get_object_or_404(queryset.filter(org=request.org), **lookup)
