"""Start from a template (pages and forms) and the "Getting started" checklist: ticked from
the data, dismissible per organisation, a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from measurement.models import Kpi
from roadmap.getting_started import checklist
from roadmap.models import Initiative, Roadmap, ShareLink, Stage, TrainingRequest
from roadmap.starters import get_starter, load_starter
from strategy.models import Strategy
from tests.factories import (
    InitiativeFactory,
    KpiFactory,
    PriorityFactory,
    RoadmapFactory,
    StageFactory,
    StartedStrategyFactory,
    TrainingRequestFactory,
)

pytestmark = pytest.mark.django_db

START = reverse("roadmap:starter_choose")
LIST = reverse("roadmap:roadmap_list")
DISMISS = reverse("roadmap:getting_started_dismiss")


def ticks(org) -> list[bool]:
    return [step.done for step in checklist(org)]


# The checklist ------------------------------------------------------------------------


def test_checklist_ticks_each_step_from_the_data(org, other_org, admin_membership):
    assert ticks(org) == [False] * 6

    strategy = StartedStrategyFactory(org=org)
    assert ticks(org) == [False] * 6  # a strategy with an empty vision is not written yet
    strategy.answers_by_question()["vision"].revise("Everyone productive.", by=None)
    assert ticks(org)[0] is True

    kpi = KpiFactory(org=org, target=None)
    priority = PriorityFactory(org=org, strategy=strategy, kpi=kpi)
    assert ticks(org)[1] is False  # a KPI without a target does not count
    Kpi.objects.filter(pk=kpi.pk).update(target=60)
    assert ticks(org)[:2] == [True, True]

    TrainingRequestFactory(org=org)
    roadmap = RoadmapFactory(org=org)
    initiative = InitiativeFactory(roadmap=roadmap, status="proposed", priority=priority)
    assert ticks(org) == [True, True, True, False, False, False]
    Initiative.objects.filter(pk=initiative.pk).update(status="committed")
    StageFactory(initiative=initiative)
    link, _token = ShareLink.issue(roadmap=roadmap, created_by=admin_membership.user)
    assert ticks(org) == [True] * 6
    link.revoke()
    assert ticks(org)[5] is False  # only an active link counts
    # Another organisation's rows never tick this one's boxes.
    assert ticks(other_org) == [False] * 6


def test_checklist_links_to_the_pages_that_do_each_step(org):
    assert [s.url for s in checklist(org)][3:] == [reverse("roadmap:roadmap_create")] * 3
    roadmap = RoadmapFactory(org=org)
    urls = [s.url for s in checklist(org)]
    assert urls[0] == reverse("strategy:home")
    assert urls[2] == reverse("roadmap:request_list")
    assert urls[3] == reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    assert urls[4] == reverse("roadmap:roadmap_plan", args=[roadmap.pk])
    assert urls[5] == reverse("roadmap:roadmap_share", args=[roadmap.pk])


def test_roadmap_list_shows_the_checklist_until_dismissed(editor_client, viewer_client, org):
    page = editor_client.get(LIST)
    assert "Getting started" in page.text and "Hide this checklist" in page.text
    assert "Hide this checklist" not in viewer_client.get(LIST).text

    assert viewer_client.post(DISMISS).status_code == 403
    org.refresh_from_db()
    assert not org.getting_started_dismissed

    response = editor_client.post(DISMISS)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.getting_started_dismissed
    assert "Getting started" not in editor_client.get(LIST).text
    assert editor_client.get(DISMISS).status_code == 405


def test_dismissing_is_per_organisation(editor_client, outsider_client, org, other_org):
    outsider_client.post(DISMISS)
    org.refresh_from_db()
    other_org.refresh_from_db()
    assert other_org.getting_started_dismissed and not org.getting_started_dismissed
    assert "Getting started" in editor_client.get(LIST).text


def test_a_finished_checklist_is_not_shown(editor_client, editor_membership, org):
    load_starter(get_starter("global-onboarding"), org=org, fiscal_year=2027, by=None)
    ShareLink.issue(roadmap=Roadmap.objects.get(org=org), created_by=editor_membership.user)
    assert "Getting started" not in editor_client.get(LIST).text


def grow(org, n: int) -> None:
    strategy = Strategy.objects.for_org(org).first() or StartedStrategyFactory(org=org)
    roadmap = RoadmapFactory(org=org)
    for _ in range(n):
        PriorityFactory(org=org, strategy=strategy, kpi=KpiFactory(org=org, target=None))
        TrainingRequestFactory(org=org)
        StageFactory(initiative=InitiativeFactory(roadmap=roadmap, status="proposed"))
    ShareLink.issue(roadmap=roadmap, created_by=None)[0].revoke()


@pytest.mark.parametrize("n", [1, 15])
def test_roadmap_list_with_the_checklist_has_a_fixed_query_count(
    editor_client, org, n, django_assert_num_queries
):
    grow(org, n)
    # session, user, membership, roadmaps with counts, the checklist, other memberships;
    # SAVEPOINT, RELEASE.
    with django_assert_num_queries(7):
        response = editor_client.get(LIST)
    assert len(response.context["getting_started"]) == 6
    assert [s.done for s in response.context["getting_started"]][2:5] == [True, False, True]


# Start from a template ----------------------------------------------------------------


def test_empty_roadmap_list_offers_every_template_to_writers(editor_client, viewer_client):
    page = editor_client.get(LIST).text
    for slug in ("global-onboarding", "leadership-development", "compliance-refresh"):
        assert f'value="{slug}"' in page
        assert get_starter(slug).summary in page
    assert 'name="starter" value=""' in page  # blank is a choice too
    assert 'value="global-onboarding"' not in viewer_client.get(LIST).text


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_writers_load_a_template(who, request, org):
    client = request.getfixturevalue(f"{who}_client")
    response = client.post(START, {"starter": "leadership-development", "fiscal_year": 2027})

    roadmap = Roadmap.objects.get(org=org)
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    assert roadmap.title == get_starter("leadership-development").title
    assert Strategy.objects.get(org=org).fiscal_year == 2027
    assert Initiative.objects.for_org(org).committed().count() >= 3


def test_blank_loads_nothing(editor_client, row_counts):
    before = row_counts()
    response = editor_client.post(START, {"starter": "", "fiscal_year": 2027})
    assert response["Location"] == LIST
    assert row_counts() == before


def test_viewer_may_not_load_a_template(viewer_client, row_counts):
    before = row_counts()
    assert viewer_client.get(START).status_code == 403
    response = viewer_client.post(START, {"starter": "global-onboarding", "fiscal_year": 2027})
    assert response.status_code == 403
    assert row_counts() == before


def test_outsider_loads_only_into_their_own_organisation(outsider_client, org, other_org):
    outsider_client.post(START, {"starter": "compliance-refresh", "fiscal_year": 2027})
    assert not Roadmap.objects.for_org(org).exists()
    assert Roadmap.objects.for_org(other_org).count() == 1


def test_signed_out_visitor_is_sent_to_sign_in(client, row_counts):
    before = row_counts()
    response = client.post(START, {"starter": "global-onboarding", "fiscal_year": 2027})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert row_counts() == before


@pytest.mark.parametrize(
    "data",
    [
        {"starter": "no-such-template", "fiscal_year": 2027},
        {"starter": "global-onboarding", "fiscal_year": "next year"},
        {"starter": "global-onboarding"},
        {"starter": "global-onboarding", "fiscal_year": 99999},
    ],
)
def test_bad_input_rerenders_with_an_error_and_writes_nothing(editor_client, data, row_counts):
    before = row_counts()
    response = editor_client.post(START, data)
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert row_counts() == before


def test_a_second_template_for_the_same_year_is_refused_with_a_clear_message(
    editor_client, org, row_counts
):
    editor_client.post(START, {"starter": "global-onboarding", "fiscal_year": 2027})
    before = row_counts()

    response = editor_client.post(START, {"starter": "compliance-refresh", "fiscal_year": 2027})

    assert response.status_code == 400
    assert "already has a strategy for FY27" in response.text
    assert row_counts() == before


def test_new_roadmap_form_offers_templates_and_loads_one_under_the_given_title(editor_client, org):
    page = editor_client.get(reverse("roadmap:roadmap_create")).text
    assert 'value="compliance-refresh"' in page

    response = editor_client.post(
        reverse("roadmap:roadmap_create"),
        {
            "title": "FY28 compliance",
            "description": "",
            "fiscal_year": 2028,
            "starter": "compliance-refresh",
        },
    )

    roadmap = Roadmap.objects.get(org=org)
    assert response["Location"] == reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    assert (roadmap.title, roadmap.fiscal_year) == ("FY28 compliance", 2028)
    assert TrainingRequest.objects.for_org(org).exists()
    assert Stage.objects.for_org(org).filter(start__gte=date(2027, 4, 1)).exists()


def test_new_roadmap_blank_still_creates_only_the_roadmap(editor_client, org):
    response = editor_client.post(
        reverse("roadmap:roadmap_create"),
        {"title": "Plain", "description": "", "fiscal_year": 2027, "starter": ""},
    )
    assert response.status_code == 302
    assert Roadmap.objects.for_org(org).count() == 1
    assert not Strategy.objects.for_org(org).exists()


def test_new_roadmap_from_a_template_refused_when_the_year_has_a_strategy(
    editor_client, org, row_counts
):
    StartedStrategyFactory(org=org, fiscal_year=2027)
    before = row_counts()
    response = editor_client.post(
        reverse("roadmap:roadmap_create"),
        {"title": "Again", "description": "", "fiscal_year": 2027, "starter": "global-onboarding"},
    )
    assert response.status_code == 400
    assert "already has a strategy for FY27" in response.text
    assert row_counts() == before


def test_new_roadmap_as_viewer_or_outsider(viewer_client, outsider_client, org):
    data = {"title": "X", "description": "", "fiscal_year": 2027, "starter": "global-onboarding"}
    assert viewer_client.post(reverse("roadmap:roadmap_create"), data).status_code == 403
    outsider_client.post(reverse("roadmap:roadmap_create"), data)
    assert not Roadmap.objects.for_org(org).exists()
