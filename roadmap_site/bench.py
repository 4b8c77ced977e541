"""Bench-only parts, loaded by `roadmap_site.settings_bench` and never by the product.

`QueryCountMiddleware` tells the client how many SQL queries a response cost (`X-Queries`);
`floor` is the cheapest page Django can serve through the same middleware: one query and a
tiny template. `make bench` divides each page's time by the floor's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines

from roadmap_site.models import Organization

FLOOR_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>Floor</title><p>{{ name }}</p>"
)


class QueryCountMiddleware:
    """Counts the queries of everything below it (the whole stack when it comes first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response


def floor(request: HttpRequest) -> HttpResponse:
    """One query (the core's table, which no tenant scope guards) and a tiny template."""
    name = Organization.objects.order_by("pk").values_list("name", flat=True).first()
    return HttpResponse(FLOOR_TEMPLATE.render({"name": name or "-"}))
