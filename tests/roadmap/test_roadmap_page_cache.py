"""The roadmap page's chart, page of initiatives and add-an-initiative form are rendered once
per roadmap and organisation version, page and role: every write they show is on the next
view, and each reader gets their own role's fragment and CSRF token."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from roadmap.models import InitiativeStatus
from roadmap_site.cache import CSRF_PLACEHOLDER
from tests.factories import InitiativeFactory, PriorityFactory, StrategyFactory
from tests.roadmap.test_align_commitments import edit_data

pytestmark = pytest.mark.django_db


def page(client, roadmap, **query) -> str:
    response = client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk]), query)
    assert response.status_code == 200
    return response.text


def chart_total(html: str) -> int:
    data = re.search(r'id="chart-initiatives-per-cycle"[^>]*>(.*?)</script>', html, re.S)
    assert data is not None
    return sum(sum(trace["y"]) for trace in json.loads(data.group(1))["data"])


def test_an_added_and_an_edited_initiative_show_in_the_list_and_the_chart(
    editor_client, roadmap, initiative
):
    assert chart_total(page(editor_client, roadmap)) == 1
    data = edit_data(initiative, title="Sales academy")
    create = reverse("roadmap:initiative_create", args=[roadmap.pk])
    assert editor_client.post(create, data).status_code == 302
    html = page(editor_client, roadmap)
    assert "Sales academy" in html
    assert chart_total(html) == 2

    edit = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(edit, edit_data(initiative, title="Manager toolkit, renamed"))
    assert "Manager toolkit, renamed" in page(editor_client, roadmap)


def test_a_renamed_owner_and_a_new_person_and_priority_show(
    editor_client, admin_client, org, roadmap, initiative, person
):
    page(editor_client, roadmap)
    data = {"name": "Priya Raman-Okafor", "email": "", "title": "", "department": ""}
    admin_client.post(reverse("person_edit", args=[person.pk]), data)
    editor_client.post(reverse("person_create"), {"name": "Grace Kim", "is_ld_team": "on"})
    strategy = StrategyFactory(org=org)
    priority_data = {
        "capability": "Keep mid-level managers",
        "problem": "Attrition.",
        "business_owner": person.pk,
        "kpi": "",
    }
    editor_client.post(reverse("strategy:priority_create", args=[strategy.pk]), priority_data)

    html = page(editor_client, roadmap)
    assert "Priya Raman-Okafor" in html  # the row's owner
    assert ">Grace Kim</option>" in html  # the form's people
    assert ">Keep mid-level managers</option>" in html  # the form's priorities


def test_each_role_gets_its_own_fragment_and_its_own_token(
    editor_client, viewer_client, outsider_client, roadmap, initiative
):
    viewer = page(viewer_client, roadmap)  # cached first, by the role that has no form
    editor = page(editor_client, roadmap)
    assert 'id="initiative-form"' not in viewer
    assert 'id="initiative-form"' in editor
    assert CSRF_PLACEHOLDER not in editor
    assert 'name="csrfmiddlewaretoken"' in editor
    assert outsider_client.get(
        reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    ).status_code == (404)


def test_pages_are_cached_apart_and_a_new_initiative_reaches_the_last_page(editor_client, roadmap):
    for n in range(55):
        InitiativeFactory(roadmap=roadmap, title=f"Initiative number {n:03}", cycle=None)
    roadmap.touch()
    first, second = page(editor_client, roadmap), page(editor_client, roadmap, page=2)
    assert "Initiative number 000" in first and "Initiative number 000" not in second
    assert "Initiative number 054" in second
    InitiativeFactory(roadmap=roadmap, title="The newest one", cycle=None)
    assert "The newest one" not in page(editor_client, roadmap, page=2)  # not yet touched
    roadmap.touch()  # as every initiative write does
    assert "The newest one" in page(editor_client, roadmap, page=2)


def test_a_refused_initiative_keeps_the_list_and_the_chart(editor_client, roadmap, initiative):
    create = reverse("roadmap:initiative_create", args=[roadmap.pk])
    response = editor_client.post(create, {"title": "", "status": InitiativeStatus.PROPOSED})
    assert response.status_code == 400
    assert "Manager onboarding toolkit" in response.text
    assert chart_total(response.text) == 1


def test_a_priority_of_another_organisation_never_shows(editor_client, other_org, roadmap):
    PriorityFactory(strategy=StrategyFactory(org=other_org), capability="Contoso priority")
    assert "Contoso priority" not in page(editor_client, roadmap)
