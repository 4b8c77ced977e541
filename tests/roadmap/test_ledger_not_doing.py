"""A cycle's "not doing" list on the Align page shows its first items; the rest load on
demand (htmx) or on their own page (without JavaScript), read-only, in a fixed number of
queries however long the list."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.urls import reverse

from roadmap.models import NotDoing, TrainingRequest
from roadmap.views.align import NOT_DOING_SHOWN
from tests.conftest import HTMX
from tests.factories import TrainingRequestFactory

pytestmark = pytest.mark.django_db


def fill_cycle(org, roadmap, user, requests: int, dropped: int = 0):
    """`requests` declined during the roadmap's first cycle (decided a day apart, in order),
    then `dropped` options dropped for it."""
    cycle = roadmap.cycles.order_by("start").first()
    for n in range(requests):
        request = TrainingRequestFactory(org=org, title=f"Declined {n:03}")
        request.decline(reason=f"Reason {n:03}.", by=user)
        decided = datetime.combine(cycle.start, time(12), tzinfo=UTC).replace(minute=n % 60)
        TrainingRequest.objects.filter(pk=request.pk).update(
            decided_at=decided.replace(hour=1 + n // 60)
        )
    NotDoing.objects.bulk_create(
        NotDoing(org=org, roadmap=roadmap, cycle=cycle, title=f"Dropped {n:03}", reason="Costly.")
        for n in range(dropped)
    )
    roadmap.touch()
    return cycle


def align_url(roadmap) -> str:
    return reverse("roadmap:roadmap_align", args=[roadmap.pk])


def all_url(roadmap, cycle) -> str:
    return reverse("roadmap:cycle_not_doing", args=[roadmap.pk, cycle.pk])


def test_a_short_list_shows_whole(viewer_client, org, roadmap, editor_membership):
    fill_cycle(org, roadmap, editor_membership.user, NOT_DOING_SHOWN - 2, dropped=2)
    page = viewer_client.get(align_url(roadmap)).text
    assert page.count("Declined 0") == NOT_DOING_SHOWN - 2 and "Dropped 001" in page
    assert "Show all" not in page


def test_a_long_list_shows_its_first_items_and_a_link_to_all(
    viewer_client, org, roadmap, editor_membership
):
    cycle = fill_cycle(org, roadmap, editor_membership.user, 15, dropped=3)
    page = viewer_client.get(align_url(roadmap)).text
    assert "Declined 009" in page and "Declined 010" not in page and "Dropped 000" not in page
    assert f'href="{all_url(roadmap, cycle)}"' in page
    assert f'Show all 18<span class="visually-hidden"> not doing in {cycle.name}' in page
    assert f'<li id="not-doing-more-{cycle.pk}">' in page

    # Without JavaScript: the whole list on its own page.
    whole = viewer_client.get(all_url(roadmap, cycle))
    assert whole.status_code == 200
    assert all(f"Declined {n:03}" in whole.text for n in range(15))
    assert all(f"Dropped {n:03}" in whole.text for n in range(3))
    assert "<form" not in whole.text.split('id="not-doing-h"')[1]  # read-only

    # htmx: the items after the first ones, the first taking the "Show all" item's id so
    # focus lands on it when the link is replaced.
    rest = viewer_client.get(all_url(roadmap, cycle), **HTMX).text
    assert rest.lstrip().startswith(f'<li id="not-doing-more-{cycle.pk}"><a ')
    assert "Declined 009" not in rest and "Declined 010" in rest and "Dropped 002" in rest
    assert rest.count("<li") == 8 and "<form" not in rest


def test_the_list_is_the_members_only(
    outsider_client, viewer_client, org, other_org, roadmap, editor_membership
):
    from tests.factories import RoadmapFactory

    cycle = fill_cycle(org, roadmap, editor_membership.user, 0, dropped=12)
    assert outsider_client.get(all_url(roadmap, cycle)).status_code == 404
    assert outsider_client.get(all_url(roadmap, cycle), **HTMX).status_code == 404
    other = RoadmapFactory(org=org, title="Another roadmap")
    # A cycle of another roadmap, and one that doesn't exist.
    foreign_cycle = other.cycles.first()
    if foreign_cycle is not None:
        url = reverse("roadmap:cycle_not_doing", args=[roadmap.pk, foreign_cycle.pk])
        assert viewer_client.get(url).status_code == 404
    missing = reverse("roadmap:cycle_not_doing", args=[roadmap.pk, 10**9])
    assert viewer_client.get(missing).status_code == 404
    assert viewer_client.post(all_url(roadmap, cycle)).status_code == 405


def test_a_new_item_shows_in_the_count_on_the_next_view(
    editor_client, org, roadmap, editor_membership
):
    cycle = fill_cycle(org, roadmap, editor_membership.user, 12)
    assert "Show all 12<" in editor_client.get(align_url(roadmap)).text
    data = {"cycle": cycle.pk, "title": "Custom portal", "reason": "Too costly."}
    editor_client.post(reverse("roadmap:not_doing_create", args=[roadmap.pk]), data)
    assert "Show all 13<" in editor_client.get(align_url(roadmap)).text
    assert "Custom portal" in editor_client.get(all_url(roadmap, cycle), **HTMX).text


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("n", [12, 60])
def test_the_whole_list_reads_a_fixed_number_of_queries(
    n, htmx, client_for, org, roadmap, editor_membership, django_assert_num_queries
):
    cycle = fill_cycle(org, roadmap, editor_membership.user, n, dropped=n // 4)
    client = client_for("viewer")
    headers = HTMX if htmx else {}
    client.get(all_url(roadmap, cycle), **headers)  # the session is warm at both sizes
    # Session, user, membership(s), roadmap with its organisation, cycle, requests, dropped
    # options (and the page's header on the full page).
    with django_assert_num_queries(9):
        response = client.get(all_url(roadmap, cycle), **headers)
    assert response.status_code == 200
    assert response.text.count("<li") >= n + n // 4 - (NOT_DOING_SHOWN if htmx else 0)
