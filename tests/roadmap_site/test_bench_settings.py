"""The benchmark's settings: the floor page and the query counter exist there, never in
the product's URLs or middleware."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import Resolver404, get_resolver, resolve

from roadmap_site import bench

TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")


def bench_settings():
    return importlib.import_module("roadmap_site.settings_bench")


def test_bench_settings_are_the_products_plus_the_floor_and_the_counter():
    module = bench_settings()

    assert module.DEBUG is False
    assert module.RATELIMIT_ENABLE is False
    assert module.ROOT_URLCONF == "roadmap_site.bench_urls"
    assert ["roadmap_site.bench.QueryCountMiddleware", *settings.MIDDLEWARE] == module.MIDDLEWARE
    assert module.DATABASES["default"]["ATOMIC_REQUESTS"] is True


@pytest.mark.django_db
def test_the_floor_answers_with_one_query_and_says_so(client, org):
    module = bench_settings()

    with (
        override_settings(ROOT_URLCONF=module.ROOT_URLCONF, MIDDLEWARE=module.MIDDLEWARE),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get("/__floor__/")

    assert response.status_code == 200
    assert org.name.encode() in response.content
    work = [q["sql"] for q in queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    assert len(work) == 1, work
    # The header counts what the database saw, the test's savepoints included.
    assert response["X-Queries"] == str(len(queries))


@pytest.mark.django_db
def test_the_counter_counts_a_real_page(admin_client):
    module = bench_settings()

    with (
        override_settings(ROOT_URLCONF=module.ROOT_URLCONF, MIDDLEWARE=module.MIDDLEWARE),
        CaptureQueriesContext(connection) as queries,
    ):
        response = admin_client.get("/roadmaps/")

    assert response.status_code == 200
    assert int(response["X-Queries"]) == len(queries) > 3


def test_the_product_has_no_floor_and_no_counter():
    assert settings.ROOT_URLCONF == "roadmap_site.urls"
    with pytest.raises(Resolver404):
        resolve("/__floor__/", urlconf="roadmap_site.urls")
    assert "bench_floor" not in get_resolver("roadmap_site.urls").reverse_dict
    assert not any("bench" in name for name in settings.MIDDLEWARE)
    # The bench URLconf does have it, so the two checks above can fail.
    assert resolve("/__floor__/", urlconf="roadmap_site.bench_urls").func is bench.floor
