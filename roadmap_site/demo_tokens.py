"""Tokens of the demo's published links: share link, requester status link, intake form.

With DEBUG on (`make run` on a laptop) they are the fixed values the README links to.
Anywhere else a fixed token is a public door that never closes, so each run of `seed_demo`
makes random ones, which replace the previous ones and which the command prints.
"""

from __future__ import annotations

from django.conf import settings

from roadmap_site.models import new_token

# The token issued in this process for each fixed value, for `seed_demo` to print.
issued: dict[str, str] = {}


def demo_token(fixed: str) -> str:
    token = fixed if settings.DEBUG else new_token()
    issued[fixed] = token
    return token
