"""Pinned query counts: a page costs the same number of queries whatever its size.

Each test renders the page at a small and a large size against one expected number, so an
N+1 (a query per initiative, roadmap, person, link or export) fails the large size.
The numbers include the SAVEPOINT/RELEASE pair of ATOMIC_REQUESTS.
"""

from __future__ import annotations

from datetime import datetime, time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap.models import COMMITTED_STATUSES, Export, InitiativeStatus, NotDoing, ShareLink
from roadmap.views.roadmaps import INITIATIVES_PER_PAGE
from tests.factories import (
    InitiativeFactory,
    PersonFactory,
    RoadmapFactory,
    TrainingRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Cold: session, user, membership, roadmap (+org), cycles, initiatives counted per cycle and
# status (the chart), their count and one page of them (+people, cycle), the form's owner,
# accountable, cycle, strategy priority and KPI choices, exports (+requester), other
# memberships (header; now the same query as the membership), the stopped initiatives'
# learnings (Iterate); plus SAVEPOINT and RELEASE. (Share links moved to the Share page.)
ROADMAP_DETAIL_QUERIES = 17
# Warm: the chart, the page of initiatives and the form come from the versioned cache.
ROADMAP_DETAIL_WARM_QUERIES = 7
# session, user, membership, roadmaps with counts, the getting-started checklist (one query),
# other memberships (the same query as the membership); SAVEPOINT, RELEASE.
ROADMAP_LIST_QUERIES = 7
# link (+roadmap, org), last_used_at update, the link's scope (priorities and cycles, one
# query), cycles, initiatives (+people, cycle, priority, KPI, stage span), the stopped
# initiatives' learnings within the scope (Iterate), declined/deferred requests (+cycle),
# dropped options (+cycle), the year's vision, its priorities (+owner).
# No SAVEPOINT and RELEASE: the page runs outside a transaction (was 8). No session, user
# or membership: the visitor is anonymous.
SHARED_PAGE_QUERIES = 10

STATUSES = list(InitiativeStatus)


def fill(roadmap, n: int) -> None:
    """n initiatives, each with its own owner and accountable leader, spread over the
    cycles and the unscheduled bucket; plus links and exports by distinct users."""
    cycles = [*roadmap.cycles.all(), None]
    for i in range(n):
        InitiativeFactory(
            roadmap=roadmap,
            owner=PersonFactory(org=roadmap.org),
            accountable=PersonFactory(org=roadmap.org),
            cycle=cycles[i % len(cycles)],
            status=STATUSES[i % len(STATUSES)],
        )
    for _ in range(max(1, n // 10)):
        ShareLink.issue(roadmap=roadmap, created_by=UserFactory())
        Export.objects.create(org=roadmap.org, roadmap=roadmap, requested_by=UserFactory())


@pytest.mark.parametrize("n", [5, 50])
def test_roadmap_page_query_count_is_fixed(editor_client, roadmap, n, django_assert_num_queries):
    fill(roadmap, n)
    url = reverse("roadmap:roadmap_detail", args=[roadmap.pk])

    with django_assert_num_queries(ROADMAP_DETAIL_QUERIES):
        cold = editor_client.get(url)
    with django_assert_num_queries(ROADMAP_DETAIL_WARM_QUERIES):
        warm = editor_client.get(url)

    for response in (cold, warm):
        assert response.status_code == 200
        assert response.text.count('<li class="initiative"') == min(n, INITIATIVES_PER_PAGE)


@pytest.mark.parametrize("n", [2, 20])
def test_roadmap_list_query_count_is_fixed(editor_client, org, n, django_assert_num_queries):
    for _ in range(n):
        fill(RoadmapFactory(org=org), 2)

    with django_assert_num_queries(ROADMAP_LIST_QUERIES):
        response = editor_client.get(reverse("roadmap:roadmap_list"))

    assert response.status_code == 200
    assert len(response.context["roadmaps"]) == n
    assert {r.initiative_count for r in response.context["roadmaps"]} == {2}


def fill_not_doing(roadmap, n: int) -> None:
    """n declined and n deferred requests decided inside the roadmap's period, and n options
    dropped, spread over the cycles."""
    cycles = list(roadmap.cycles.all())
    decider = UserFactory()
    for i in range(n):
        cycle = cycles[i % len(cycles)]
        declined, deferred = TrainingRequestFactory.create_batch(2, org=roadmap.org)
        with time_machine.travel(timezone.make_aware(datetime.combine(cycle.start, time(12)))):
            declined.decline(reason="Not a training problem.", by=decider)
        # A deferral goes to a cycle that has not started: decided before the last one.
        decided = cycle if cycle != cycles[-1] else cycles[-2]
        with time_machine.travel(timezone.make_aware(datetime.combine(decided.start, time(12)))):
            deferred.defer(cycle=cycles[-1], reason="Next year.", by=decider)
        NotDoing.objects.create(
            org=roadmap.org, roadmap=roadmap, cycle=cycle, title=f"Option {i}", reason="Costly."
        )


@pytest.mark.parametrize("include_proposed", [False, True])
@pytest.mark.parametrize("n", [5, 50])
def test_shared_page_query_count_is_fixed(roadmap, n, include_proposed, django_assert_num_queries):
    fill(roadmap, n)
    fill_not_doing(roadmap, n)
    _link, token = ShareLink.issue(
        roadmap=roadmap, created_by=None, include_proposed=include_proposed
    )

    with django_assert_num_queries(SHARED_PAGE_QUERIES):
        response = Client().get(reverse("roadmap:shared_roadmap", args=[token]))

    assert response.status_code == 200
    shown = {*COMMITTED_STATUSES, *(["proposed"] if include_proposed else [])}
    expected = sum(1 for i in range(n) if STATUSES[i % len(STATUSES)] in shown)
    assert len(response.context["initiatives"]) == expected
    not_doing = [row for entry in response.context["ledger"] for row in entry["not_doing"]]
    dropped = [row for entry in response.context["ledger"] for row in entry["dropped"]]
    assert (len(not_doing), len(dropped)) == (2 * n, n)
