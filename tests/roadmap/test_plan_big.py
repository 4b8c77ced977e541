"""A big plan: one cycle's initiatives at a time, each initiative's stages loaded when its
summary is opened, and warnings a page at a time. The sizes are lowered for the tests."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from roadmap.views import plan as plan_views
from tests.conftest import HTMX
from tests.factories import InitiativeFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big(roadmap, initiative, person, monkeypatch):
    monkeypatch.setattr(plan_views, "ONE_CYCLE_ABOVE", 1)
    q1, q2 = list(roadmap.cycles.all())[:2]
    later = InitiativeFactory(roadmap=roadmap, title="Sales academy", cycle=q2)
    # Work for a person with no capacity in two cycles: two warnings to page.
    StageFactory(initiative=initiative, kind="needs_analysis", assignee=person)
    StageFactory(initiative=initiative, kind="delivery", assignee=person, start=date(2027, 3, 2))
    StageFactory(
        initiative=later,
        kind="evaluation",
        assignee=person,
        start=date(2027, 5, 3),
        end=date(2027, 5, 7),
    )
    return {"roadmap": roadmap, "initiative": initiative, "later": later, "q1": q1, "q2": q2}


def sequence(response) -> str:
    """The initiatives part of the page (warnings name initiatives of every cycle)."""
    html = response.content.decode()
    return html[html.index('<div id="sequence">') :]


def plan_url(roadmap) -> str:
    return reverse("roadmap:roadmap_plan", args=[roadmap.pk])


def test_a_big_plan_shows_one_cycle_with_links_to_the_others(editor_client, big):
    html = sequence(editor_client.get(plan_url(big["roadmap"])))
    assert "Manager onboarding toolkit" in html and "Sales academy" not in html
    assert f'href="?cycle={big["q2"].pk}"' in html
    assert f'id="cycle-tab-{big["q1"].pk}" aria-current="true"' in html

    other = sequence(editor_client.get(plan_url(big["roadmap"]), {"cycle": big["q2"].pk}))
    assert "Sales academy" in other
    assert "Manager onboarding toolkit" not in other


def test_a_cycle_asked_by_htmx_is_the_sequence_fragment(editor_client, big):
    response = editor_client.get(plan_url(big["roadmap"]), {"cycle": big["q2"].pk}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="sequence">')
    assert "Sales academy" in html and "<html" not in html


def test_an_unknown_cycle_shows_the_first_one(editor_client, big):
    response = editor_client.get(plan_url(big["roadmap"]), {"cycle": "nonsense"})
    assert response.status_code == 200
    assert "Manager onboarding toolkit" in response.content.decode()


def test_stages_are_a_summary_that_loads_them_with_a_link_without_javascript(editor_client, big):
    html = editor_client.get(plan_url(big["roadmap"])).content.decode()
    initiative = big["initiative"]
    assert f'hx-get="{plan_url(big["roadmap"])}?stages={initiative.pk}"' in html
    assert "2 stages<span" in html
    assert f'href="{reverse("roadmap:initiative_plan", args=[initiative.pk])}#stages"' in html
    assert "stage-chip" not in html  # not rendered until asked for


@pytest.mark.parametrize("who", ["editor_client", "viewer_client"])
def test_the_stages_fragment_for_members(request, big, who):
    client = request.getfixturevalue(who)
    response = client.get(plan_url(big["roadmap"]), {"stages": big["initiative"].pk}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<ol class="stage-strip"')
    assert "Needs analysis" in html and "Delivery (launch)" in html
    assert "Evaluation" not in html  # another initiative's


def test_the_stages_fragment_refuses_outsiders_and_other_roadmaps(
    outsider_client, editor_client, big, other_org
):
    url = plan_url(big["roadmap"])
    assert outsider_client.get(url, {"stages": big["initiative"].pk}, **HTMX).status_code == 404
    foreign = InitiativeFactory(org=other_org, roadmap__org=other_org)
    assert editor_client.get(url, {"stages": foreign.pk}, **HTMX).status_code == 404
    for bad in ["x", "-1", "", "9" * 30]:
        assert editor_client.get(url, {"stages": bad}, **HTMX).status_code == 404


def test_warnings_page(editor_client, big, monkeypatch):
    monkeypatch.setattr(plan_views, "WARNINGS_PER_PAGE", 1)
    url = plan_url(big["roadmap"])
    first = editor_client.get(url)
    count = len(first.context["open_warnings"]) + len(first.context["acknowledged"])
    assert count >= 2
    assert len(first.context["warnings"]) == 1
    assert f"Warnings 1\u20131 of {count}" in first.content.decode()
    second = editor_client.get(url, {"warnings": 2}, **HTMX)
    html = second.content.decode()
    assert html.lstrip().startswith('<section class="card plan-warnings" id="warnings"')
    assert f"Warnings 2\u20132 of {count}" in html
    assert second.context["warnings"][0].key != first.context["warnings"][0].key
    # A page past the end is the last one, not an error.
    assert editor_client.get(url, {"warnings": 999}).status_code == 200


def test_acknowledging_on_a_later_page_answers_with_that_page(editor_client, big, monkeypatch):
    monkeypatch.setattr(plan_views, "WARNINGS_PER_PAGE", 1)
    roadmap = big["roadmap"]
    second = editor_client.get(plan_url(roadmap), {"warnings": 2}).context["warnings"][0]
    url = reverse("roadmap:warning_acknowledge", args=[roadmap.pk]) + "?warnings=2"
    response = editor_client.post(url, {"key": second.key, "note": "Known."}, **HTMX)
    assert response.status_code == 200
    assert "Warnings 2\u20132" in response.content.decode()


def test_a_small_plan_shows_everything_at_once(editor_client, roadmap, initiative):
    StageFactory(initiative=initiative, kind="delivery")
    html = editor_client.get(plan_url(roadmap)).content.decode()
    assert "stage-chip" in html
    assert "cycle-tab-" not in html
