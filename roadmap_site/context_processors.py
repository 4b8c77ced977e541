from __future__ import annotations

from django.http import HttpRequest


def workspace(request: HttpRequest) -> dict:
    """The current membership and the others, for the header's organisation switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "current_org": membership.org if membership else None,
        "other_memberships": lambda: [
            m
            for m in user.memberships.select_related("org")
            if not membership or m.pk != membership.pk
        ],
    }
