"""Pinned query counts of the Plan pages: the same number at 10 and at 500 initiatives.

Rows are made with bulk_create to keep the suite fast. The numbers include the SAVEPOINT /
RELEASE pair of ATOMIC_REQUESTS."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.urls import reverse

from roadmap.models import (
    BusinessEvent,
    CapacityEntry,
    EventKind,
    Initiative,
    InitiativeDependency,
    InitiativeStatus,
    SmeAssignment,
    SmeAvailability,
    Stage,
    StageDependency,
    TimeOff,
    WarningAcknowledgement,
)
from roadmap_site.models import Person
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db

# session, user, membership, the roadmap (+org), other memberships (header); the loader's
# 12: cycles, initiatives (+people, cycle, priority, KPI), stages (+assignee), capacity,
# time off, SMEs, availability, stage and initiative dependencies, business events and their
# kind rules, acknowledgements (+who); SAVEPOINT, RELEASE.
PLAN_QUERIES = 18
# The plan's + the L&D team for the capacity grid, and the people choices of the time off
# and availability forms.
CAPACITY_QUERIES = 21
# The timeline reads less than the plan (was 21 with the plan's loader): session, user,
# membership, the roadmap (+org), other memberships (header); its own loader's 7: initiatives
# (+people, cycle; stage spans counted in SQL), the open ones' stages (+assignee), their
# dependencies, initiative dependencies, cycles, business events and their kind rules; the
# owner and priority choices of the filter form; SAVEPOINT, RELEASE. On a cache hit, none of
# the loader's (tests/roadmap/test_page_cache.py).
TIMELINE_QUERIES = 15
# The fragment: no header (other memberships); the filter form's choices are still read to
# validate the filters (was 18).
TIMELINE_FRAGMENT_QUERIES = 13
STATUSES = list(InitiativeStatus)


def fill(roadmap, n: int) -> None:
    org = roadmap.org
    cycles = [*roadmap.cycles.all(), None]
    people = Person.objects.bulk_create(
        Person(org=org, name=f"Team member {i}", is_ld_team=i < 6) for i in range(12)
    )
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            org=org,
            roadmap=roadmap,
            title=f"Initiative {i}",
            owner=people[i % 6],
            accountable=people[6 + i % 6],
            cycle=cycles[i % len(cycles)],
            status=STATUSES[i % len(STATUSES)],
            sequence=["now", "next", "later"][i % 3],
            position=i,
        )
        for i in range(n)
    )
    stages = Stage.objects.bulk_create(
        Stage(
            org=org,
            initiative=initiative,
            kind=kind,
            position=position,
            start=date(2027, 1, 4) + timedelta(days=(i * 3) % 300 + 14 * position),
            end=date(2027, 1, 15) + timedelta(days=(i * 3) % 300 + 14 * position),
            effort_days=Decimal(4),
            assignee=people[i % 6],
        )
        for i, initiative in enumerate(initiatives)
        for position, kind in enumerate(["content_creation", "delivery"])
    )
    CapacityEntry.objects.bulk_create(
        CapacityEntry(org=org, person=person, cycle=cycle, days=Decimal(30))
        for person in people[:6]
        for cycle in cycles[:-1]
    )
    TimeOff.objects.bulk_create(
        TimeOff(org=org, person=p, start=date(2027, 8, 2), end=date(2027, 8, 13))
        for p in people[:6]
    )
    SmeAssignment.objects.bulk_create(
        SmeAssignment(org=org, initiative=initiative, person=people[6 + i % 6])
        for i, initiative in enumerate(initiatives)
        if i % 2
    )
    SmeAvailability.objects.bulk_create(
        SmeAvailability(org=org, person=p, start=date(2027, 3, 1), end=None) for p in people[6:]
    )
    InitiativeDependency.objects.bulk_create(
        InitiativeDependency(org=org, predecessor=before, successor=after)
        for before, after in pairwise(initiatives)
    )
    StageDependency.objects.bulk_create(
        StageDependency(org=org, predecessor=stages[i], successor=stages[i + 1])
        for i in range(0, len(stages), 2)
    )
    BusinessEvent.objects.bulk_create(
        [
            BusinessEvent(org=org, kind=EventKind.PERFORMANCE_REVIEW, name="Reviews",
                          start=date(2027, 3, 1), end=date(2027, 3, 12)),
            BusinessEvent(org=org, kind=EventKind.HIRING_WAVE, name="Hiring",
                          start=date(2027, 9, 1), end=date(2027, 9, 30)),
        ]
    )  # fmt: skip
    WarningAcknowledgement.objects.create(org=org, roadmap=roadmap, key="x", note="Seen.")


@pytest.mark.parametrize("n", [10, 500])
@pytest.mark.parametrize(
    ("name", "expected", "htmx"),
    [
        ("roadmap_plan", PLAN_QUERIES, False),
        ("roadmap_capacity", CAPACITY_QUERIES, False),
        ("roadmap_timeline", TIMELINE_QUERIES, False),
        ("roadmap_timeline", TIMELINE_FRAGMENT_QUERIES, True),
    ],
)
def test_plan_pages_cost_the_same_whatever_the_size(
    editor_client, roadmap, n, name, expected, htmx, django_assert_num_queries
):
    fill(roadmap, n)
    url = reverse(f"roadmap:{name}", args=[roadmap.pk])
    extra = HTMX if htmx else {}
    query = {}
    if name == "roadmap_timeline":
        # Every shown initiative open: its stages and their dependencies are read too.
        committed = roadmap.initiatives.filter(status="committed")
        query = {"status": "committed", "colour": "owner", "open": [i.pk for i in committed]}

    with django_assert_num_queries(expected):
        response = editor_client.get(url, query, **extra)

    assert response.status_code == 200
    if name == "roadmap_plan":
        assert len(response.context["plan"].initiatives) == n
        assert response.context["warnings"]  # the rules ran on the data
