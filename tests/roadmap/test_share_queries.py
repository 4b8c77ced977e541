"""The Share pages cost a fixed number of queries, however many links, reviews and comments."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from roadmap import reviews
from roadmap.models import InitiativeStatus, ShareLink
from tests.factories import InitiativeFactory, PriorityFactory, StrategyFactory

pytestmark = pytest.mark.django_db

# session, user, memberships (with the header's others), roadmap, links (+creator), their
# priorities, their cycles, feedback (+review, initiative, answerer), the form's priorities
# (exists, then choices) and cycles; SAVEPOINT, RELEASE. A viewer has no form to render
# (its choices are not read).
SHARE_PAGE_QUERIES = {"editor": 14, "viewer": 12}
# The link (+roadmap, org), the reviewer's review, its feedback, their initiatives; the body
# from the cache, the last use written a minute ago already. No transaction.
SHARED_REVIEW_PAGE_WARM_QUERIES = 4


def fill(org, roadmap, editor, n: int) -> None:
    """n links, each scoped to a priority and a cycle, and n reviews each with three answers
    and a comment on each of n initiatives' first."""
    strategy = StrategyFactory(org=org, fiscal_year=roadmap.fiscal_year)
    cycles = list(roadmap.cycles.all())
    initiatives = [
        InitiativeFactory(roadmap=roadmap, cycle=cycles[i % 4], status=InitiativeStatus.COMMITTED)
        for i in range(n)
    ]
    for i in range(n):
        link, _token = ShareLink.issue(
            roadmap=roadmap,
            created_by=editor,
            label=f"Link {i}",
            allow_feedback=True,
            priorities=[PriorityFactory(strategy=strategy)],
            cycles=[cycles[i % 4]],
        )
        review = reviews.submit_review(
            link=link,
            name=f"Reviewer {i}",
            email=f"r{i}@x.test",
            answers={"problems": "p", "audiences": "a", "constraints": "c"},
        )
        reviews.add_comment(review=review, initiative=initiatives[i], kind="agree", text="ok")


@pytest.mark.parametrize("n", [2, 20])
@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_share_page_query_count_is_fixed(
    client_for, org, roadmap, editor_membership, n, role, django_assert_num_queries
):
    fill(org, roadmap, editor_membership.user, n)
    client = client_for(role)
    with django_assert_num_queries(SHARE_PAGE_QUERIES[role]):
        response = client.get(reverse("roadmap:roadmap_share", args=[roadmap.pk]))
    assert response.status_code == 200
    assert response.context["feedback_count"] == 4 * n
    assert len(response.context["share_links"]) == n


@pytest.mark.parametrize("n", [2, 20])
def test_shared_page_with_a_review_query_count_is_fixed(
    roadmap, org, editor_membership, n, django_assert_num_queries
):
    fill(org, roadmap, editor_membership.user, n)
    link, token = ShareLink.issue(roadmap=roadmap, created_by=None, allow_feedback=True)
    client = Client()
    url = reverse("roadmap:shared_roadmap", args=[token])
    answers = {"problems": "p", "audiences": "a", "constraints": "c"}
    client.post(
        reverse("roadmap:shared_review", args=[token]),
        {"name": "E", "email": "e@x.test", **answers},
    )
    review = link.reviews.get()
    for initiative in list(roadmap.initiatives.all())[:n]:
        reviews.add_comment(review=review, initiative=initiative, kind="agree", text="ok")
    client.get(url)  # warms the body's cache
    with django_assert_num_queries(SHARED_REVIEW_PAGE_WARM_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count('class="my-feedback-item"') == 3 + n
