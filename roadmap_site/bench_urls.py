"""The product's URLs plus the benchmark's floor: `ROOT_URLCONF` of `settings_bench` only."""

from __future__ import annotations

from django.urls import include, path

from roadmap_site.bench import floor

urlpatterns = [
    path("__floor__/", floor, name="bench_floor"),
    path("", include("roadmap_site.urls")),
]
