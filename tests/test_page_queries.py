"""Pinned query counts for the pages not pinned elsewhere.

Each page is requested at a small and a large size against one expected number: an N+1 on
any row type the page shows makes the larger size issue more queries and fails the test.
The numbers include the SAVEPOINT/RELEASE pair of ATOMIC_REQUESTS.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from roadmap.models import (
    BusinessEvent,
    EventKind,
    InitiativeStatus,
    NotDoing,
    SmeAssignment,
    Stage,
    TrainingRequest,
)
from roadmap_site.models import Membership, Person, Role
from tests.factories import InitiativeFactory, UserFactory

SMALL, LARGE = 2, 12


def fill(org, roadmap, user, n: int) -> dict:
    """`n` of every row the pages below list, all tied together."""
    users = [UserFactory(email=f"member{n}-{i}@example.com") for i in range(n)]
    Membership.objects.bulk_create(Membership(org=org, user=u, role=Role.VIEWER) for u in users)
    people = Person.objects.bulk_create(
        Person(org=org, name=f"Person {n}-{i}", department=f"Dept {i % 3}", user=users[i])
        for i in range(n)
    )
    cycles = list(roadmap.cycles.all())
    initiatives = []
    for i in range(n):
        initiative = InitiativeFactory(
            roadmap=roadmap,
            title=f"Initiative {n}-{i}",
            owner=people[i],
            accountable=people[(i + 1) % n],
            cycle=cycles[i % 4],
            status=InitiativeStatus.COMMITTED,
        )
        # A justified change gives the change log one entry per initiative.
        initiative.change(by=user, justification="Hiring moved.", cycle=cycles[(i + 1) % 4])
        initiatives.append(initiative)
    NotDoing.objects.bulk_create(
        NotDoing(org=org, roadmap=roadmap, cycle=cycles[i % 4], title=f"Drop {n}-{i}", reason="x")
        for i in range(n)
    )
    BusinessEvent.objects.bulk_create(
        BusinessEvent(
            org=org,
            kind=EventKind.PERFORMANCE_REVIEW,
            name=f"Reviews {n}-{i}",
            start=roadmap.period_start + timedelta(days=20 * i),
            end=roadmap.period_start + timedelta(days=20 * i + 5),
        )
        for i in range(n)
    )
    target = initiatives[0]
    Stage.objects.bulk_create(
        Stage(
            org=org,
            initiative=target,
            kind="content_creation",
            position=i,
            start=date(2027, 3, 1) + timedelta(days=7 * i),
            end=date(2027, 3, 5) + timedelta(days=7 * i),
            effort_days=Decimal(3),
            assignee=people[i],
        )
        for i in range(n)
    )
    SmeAssignment.objects.bulk_create(
        SmeAssignment(org=org, initiative=target, person=person) for person in people
    )
    request = TrainingRequest.objects.create(org=org, title=f"Request {n}", problem="p")
    TrainingRequest.objects.bulk_create(
        TrainingRequest(org=org, title=f"Duplicate {n}-{i}", problem="p", duplicate_of=request)
        for i in range(n)
    )
    return {"initiative": target, "request": request}


PAGES = {
    "people": lambda roadmap, rows: reverse("people"),
    "members": lambda roadmap, rows: reverse("members"),
    "align ledger": lambda roadmap, rows: reverse("roadmap:roadmap_align", args=[roadmap.pk]),
    "change log": lambda roadmap, rows: reverse("roadmap:roadmap_changes", args=[roadmap.pk]),
    "calendar": lambda roadmap, rows: reverse("roadmap:roadmap_calendar", args=[roadmap.pk]),
    "initiative plan": lambda roadmap, rows: reverse(
        "roadmap:initiative_plan", args=[rows["initiative"].pk]
    ),
    "request page": lambda roadmap, rows: reverse(
        "roadmap:request_detail", args=[rows["request"].pk]
    ),
}
# Each page's pinned count, the same at both sizes.
QUERIES = {
    "people": 6,
    "members": 7,
    # Warm: the ledger comes from the versioned cache (cold it was 13).
    "align ledger": 7,
    "change log": 11,
    "calendar": 9,
    "initiative plan": 25,
    "request page": 13,
}


@pytest.mark.parametrize("n", [SMALL, LARGE])
@pytest.mark.parametrize("page", PAGES)
def test_query_count_is_fixed(
    page, n, client_for, admin_membership, org, roadmap, django_assert_num_queries
):
    client = client_for("admin")
    url = PAGES[page](roadmap, fill(org, roadmap, admin_membership.user, n))
    client.get(url)  # the session and caches are warm at both sizes

    with django_assert_num_queries(QUERIES[page]):
        response = client.get(url)

    assert response.status_code == 200, url
