"""What a new lead reaches from where: the phase cards promise nothing that is not there,
requests are in the main navigation, and initiative titles open the initiative."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML, assertNotContains

from roadmap.models import InitiativeStatus, ShareLink

pytestmark = pytest.mark.django_db


def phase_cards(html: str) -> str:
    found = re.search(r'<nav class="phases".*?</nav>', html, re.S)
    assert found, "no phase cards"
    return found.group(0)


def main_nav(html: str) -> str:
    found = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S)
    assert found, "no main navigation"
    return found.group(0)


@pytest.mark.parametrize(
    "name", ["roadmap_detail", "roadmap_align", "roadmap_plan", "roadmap_timeline"]
)
def test_no_phase_card_says_coming_next(viewer_client, roadmap, name):
    response = viewer_client.get(reverse(f"roadmap:{name}", args=[roadmap.pk]))
    assert response.status_code == 200
    assert "coming next" not in response.text.lower()


def test_share_card_leads_to_the_roadmaps_share_page(viewer_client, roadmap):
    response = viewer_client.get(reverse("roadmap:roadmap_plan", args=[roadmap.pk]))
    cards = phase_cards(response.text)
    share = reverse("roadmap:roadmap_share", args=[roadmap.pk])
    assert re.search(rf'<a href="{re.escape(share)}">\s*<span class="phase-step">4 · Share', cards)
    # ...where the links and the reviewers' feedback are, the card marked current.
    page = viewer_client.get(share).text
    assert 'id="share-links"' in page
    assert 'id="feedback"' in page
    assert 'aria-current="step">\n        <span class="phase-step">4 · Share' in page


def test_iterate_card_leads_to_the_iterate_page(viewer_client, roadmap):
    cards = phase_cards(viewer_client.get(reverse("roadmap:roadmap_plan", args=[roadmap.pk])).text)
    iterate = reverse("roadmap:roadmap_iterate", args=[roadmap.pk])
    assert re.search(
        rf'<a href="{re.escape(iterate)}">\s*<span class="phase-step">5 · Iterate', cards
    )
    assert "What do we change based on what we" in cards


def test_without_a_roadmap_iterate_is_not_a_dead_link(viewer_client):
    cards = phase_cards(viewer_client.get(reverse("roadmap:request_list")).text)
    iterate = re.search(r'<li class="phase[^"]*">((?:(?!</li>).)*5 · Iterate.*?)</li>', cards, re.S)
    assert iterate
    assert "<a " not in iterate.group(1)


def test_without_a_roadmap_share_is_not_a_dead_link(viewer_client):
    # The request list shows the phase cards even before any roadmap exists.
    cards = phase_cards(viewer_client.get(reverse("roadmap:request_list")).text)
    assert "4 · Share" in cards
    assert "#share-links" not in cards
    assert "coming next" not in cards.lower()


# Requests in the main navigation ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [reverse("strategy:home"), reverse("roadmap:roadmap_list"), reverse("measurement:home")],
)
def test_requests_are_in_the_main_navigation_everywhere(viewer_client, url):
    nav = main_nav(viewer_client.get(url).text)
    assertInHTML(f'<a href="{reverse("roadmap:request_list")}">Requests</a>', nav)


def test_on_the_request_list_requests_not_roadmap_is_current(viewer_client):
    nav = main_nav(viewer_client.get(reverse("roadmap:request_list")).text)
    assertInHTML(
        f'<a href="{reverse("roadmap:request_list")}" aria-current="page">Requests</a>', nav
    )
    assertInHTML(f'<a href="{reverse("roadmap:roadmap_list")}">Roadmap</a>', nav)


def test_on_a_roadmap_roadmap_is_current(viewer_client, roadmap):
    nav = main_nav(viewer_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk])).text)
    assertInHTML(
        f'<a href="{reverse("roadmap:roadmap_list")}" aria-current="page">Roadmap</a>', nav
    )
    assertInHTML(f'<a href="{reverse("roadmap:request_list")}">Requests</a>', nav)


def test_signed_out_pages_have_no_main_navigation(client):
    assertNotContains(client.get(reverse("login")), 'aria-label="Main"')


# Initiative titles --------------------------------------------------------------------------


def test_initiative_titles_on_the_roadmap_open_the_initiative(viewer_client, initiative):
    response = viewer_client.get(reverse("roadmap:roadmap_detail", args=[initiative.roadmap_id]))
    url = reverse("roadmap:initiative_detail", args=[initiative.pk])
    assertInHTML(
        f'<h3 class="initiative-title"><a href="{url}">Manager onboarding toolkit</a></h3>',
        response.text,
    )
    assert viewer_client.get(url).status_code == 200


def test_on_its_own_page_the_title_is_not_a_link_to_itself(viewer_client, initiative):
    response = viewer_client.get(reverse("roadmap:initiative_detail", args=[initiative.pk]))
    assertInHTML('<h1 class="initiative-title">Manager onboarding toolkit</h1>', response.text)


def test_shared_page_titles_do_not_link_into_the_workspace(client, initiative):
    initiative.status = InitiativeStatus.COMMITTED  # the share page shows commitments
    initiative.save()
    _link, token = ShareLink.issue(roadmap=initiative.roadmap, created_by=None)
    response = client.get(reverse("roadmap:shared_roadmap", args=[token]))
    assert "Manager onboarding toolkit" in response.text
    assert reverse("roadmap:initiative_detail", args=[initiative.pk]) not in response.text
