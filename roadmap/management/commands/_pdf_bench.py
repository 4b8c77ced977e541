"""What `bench_pdf` and `bench_report` share: the organisations they measure, the line that
says where and when, and the warm-up chart. (A leading underscore: not a command.)"""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_scopes import scopes_disabled

from roadmap.management.commands.bench import ensure_database
from roadmap.management.commands.scale_data import scale_org
from roadmap.models import Roadmap
from roadmap_site.demo import DEMO_SLUG
from roadmap_site.models import Organization
from roadmap_site.pdf import ChartRenderer

# The job's time over the sum of its two engines measured bare (issue 14's target).
TARGET_RATIO = 1.5


@dataclass(frozen=True)
class Measure:
    """One document timed: the job, its engines bare, and `reading` (the roadmap read for
    the PDF, the snapshot taken for the report)."""

    name: str
    pages: int
    charts: int
    drawn: int
    job: float
    kaleido: float
    weasyprint: float
    reading: float

    @property
    def ratio(self) -> float:
        return self.job / (self.kaleido + self.weasyprint)


def bench_targets(stdout, *, skip_demo: bool) -> list[tuple[str, Organization]]:
    """The scale organisation (built when missing) and, unless skipped, the demo's (loaded
    when missing), after migrating the benchmark's database."""
    if connection.vendor == "postgresql":
        ensure_database(stdout)
    call_command("migrate", verbosity=0, interactive=False)
    with scopes_disabled():
        if scale_org() is None:
            call_command("scale_data", stdout=stdout)
        if not skip_demo and not Organization.objects.filter(slug=DEMO_SLUG).exists():
            call_command("seed_demo", force=True, stdout=io.StringIO())
        scale = scale_org()
        assert scale is not None  # built just above
        targets = [("scale", scale)]
        if not skip_demo:
            targets.append(("demo", Organization.objects.get(slug=DEMO_SLUG)))
    return targets


def run_line(command: str) -> str:
    return (
        f"{command}, {time.strftime('%Y-%m-%d %H:%M')} UTC, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}, {connection.vendor} "
        f"{connection.settings_dict['NAME']}"
    )


def warm_up() -> None:
    """One chart first, so no measure pays for the browser's first read from disk."""
    with ChartRenderer() as renderer:
        renderer.svg({"data": [{"type": "bar", "x": ["a"], "y": [1]}]}, alt="warm-up")


def first_roadmap(name: str, org: Organization) -> Roadmap:
    """Call inside the organisation's scope."""
    roadmap = Roadmap.objects.for_org(org).select_related("org").order_by("pk").first()
    if roadmap is None:
        raise CommandError(f"The {name} organisation has no roadmap.")
    return roadmap
