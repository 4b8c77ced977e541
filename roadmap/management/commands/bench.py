"""`make bench`: how pages behave as data grows: SQL queries and time per request.

It lives in the roadmap app because it builds roadmap rows; the core imports no app.

Builds a throwaway organisation at several sizes inside a transaction that is rolled back,
requests each page through Django's test client, and prints one row per page and size.
Query counts must not grow with the data; times are medians of several requests.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from roadmap.models import (
    CapacityEntry,
    Initiative,
    InitiativeStatus,
    Roadmap,
    ShareLink,
    Stage,
    TrainingRequest,
)
from roadmap_site.models import Membership, Organization, Person, Role, User


class Rollback(Exception):
    pass


@dataclass
class World:
    org: Organization
    roadmap: Roadmap
    share_token: str


def build(size: int) -> World:
    org = Organization.objects.create(name=f"Bench {size}", slug=f"bench-{size}")
    user = User.objects.create_user(f"bench{size}@example.com", "x")
    Membership.objects.create(org=org, user=user, role=Role.ADMIN)
    people = Person.objects.bulk_create(
        Person(org=org, name=f"Person {i}", is_ld_team=i % 2 == 0) for i in range(20)
    )
    roadmap = Roadmap.create_for_year(org=org, title="Bench roadmap", fiscal_year=2027)
    cycles = list(roadmap.cycles.all())
    statuses = list(InitiativeStatus)
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            org=org,
            roadmap=roadmap,
            title=f"Initiative {i}",
            problem="A problem worth solving. " * 5,
            owner=people[i % 20],
            accountable=people[(i + 1) % 20],
            cycle=cycles[i % 4],
            status=statuses[i % len(statuses)],
            position=i,
        )
        for i in range(size)
    )
    # Two stages per initiative, capacity for the L&D half of the people, and as many
    # requests as initiatives.
    Stage.objects.bulk_create(
        Stage(
            org=org,
            initiative=initiative,
            kind=kind,
            position=position,
            start=roadmap.period_start + timedelta(days=(i * 3) % 300 + 14 * position),
            end=roadmap.period_start + timedelta(days=(i * 3) % 300 + 14 * position + 11),
            effort_days=Decimal(4),
            assignee=people[(i % 10) * 2],
        )
        for i, initiative in enumerate(initiatives)
        for position, kind in enumerate(["content_creation", "delivery"])
    )
    CapacityEntry.objects.bulk_create(
        CapacityEntry(org=org, person=person, cycle=cycle, days=Decimal(40))
        for person in people
        if person.is_ld_team
        for cycle in cycles
    )
    TrainingRequest.objects.bulk_create(
        TrainingRequest(
            org=org,
            title=f"Request {i}",
            problem="A problem worth solving.",
            requester_department=f"Department {i % 7}",
            audience_size=i + 1,
            needed_by=date(2027, 1, 1) + timedelta(days=i % 200),
        )
        for i in range(size)
    )
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=user, label="bench")
    return World(org=org, roadmap=roadmap, share_token=token)


# name → (signed in?, path for a world)
PAGES: list[tuple[str, bool, Callable[[World], str]]] = [
    ("roadmap list", True, lambda w: "/roadmaps/"),
    ("roadmap page", True, lambda w: f"/roadmaps/{w.roadmap.pk}/"),
    ("shared roadmap", False, lambda w: f"/s/{w.share_token}/"),
    ("people", True, lambda w: "/org/people/"),
    ("assess: requests", True, lambda w: "/requests/"),
    ("align: ledger", True, lambda w: f"/roadmaps/{w.roadmap.pk}/align/"),
    ("plan & warnings", True, lambda w: f"/roadmaps/{w.roadmap.pk}/plan/"),
    ("capacity", True, lambda w: f"/roadmaps/{w.roadmap.pk}/capacity/"),
    ("timeline", True, lambda w: f"/roadmaps/{w.roadmap.pk}/timeline/"),
]


class Command(BaseCommand):
    help = "Print SQL query counts and request times per page as the data grows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default="10,100,500", help="initiatives (and requests) per organisation"
        )
        parser.add_argument("--repeat", type=int, default=5, help="requests per measurement")

    def handle(self, *args, sizes: str, repeat: int, **options):
        sizes_list = [int(s) for s in sizes.split(",")]
        self.stdout.write(f"database: {connection.vendor}; median of {repeat} requests\n")
        self.stdout.write(f"{'page':<22}{'size':>7}{'queries':>9}{'median ms':>11}{'KiB':>7}")
        with override_settings(ALLOWED_HOSTS=["testserver"], RATELIMIT_ENABLE=False, DEBUG=False):
            for size in sizes_list:
                try:
                    with transaction.atomic():
                        self.measure(size, repeat)
                        raise Rollback
                except Rollback:
                    pass

    def measure(self, size: int, repeat: int) -> None:
        with scopes_disabled():  # building data; the pages below run in their own scope
            world = build(size)
        member = Client()
        member.force_login(world.org.memberships.get().user)
        stranger = Client()
        for name, signed_in, path_for in PAGES:
            client = member if signed_in else stranger
            path = path_for(world)
            client.get(path)  # warm caches and templates
            times = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{name} answered {response.status_code} at size {size}")
            self.stdout.write(
                f"{name:<22}{size:>7}{len(queries):>9}{statistics.median(times):>11.1f}"
                f"{len(response.content) / 1024:>7.0f}"
            )
