from __future__ import annotations

from django.http import HttpRequest


def workspace(request: HttpRequest) -> dict:
    """The current membership and the others, for the header's organisation switcher
    (both from the one query of `access.memberships_of`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "current_org": membership.org if membership else None,
        "other_memberships": getattr(request, "other_memberships", []),
    }
