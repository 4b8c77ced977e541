"""Add a person in place: every person picker carries "New person…", a dialog posts to
`person_create` (editors only, into their own organisation), and without JavaScript the link
goes to the People page, which returns to the form (`?next=`)."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from roadmap_site.models import Person
from tests.conftest import HTMX
from tests.factories import InitiativeFactory, StartedStrategyFactory

pytestmark = pytest.mark.django_db

NEW = {"name": "Grace Kim", "title": "Director of Support", "email": "grace@northwind.test"}


def pickers(html: str) -> list[str]:
    """The names of the selects rendered as person pickers."""
    return re.findall(r'<select name="([\w-]+)"[^>]*data-person-picker', html)


def test_editor_adds_a_person_from_the_dialog(editor_client, org):
    response = editor_client.post(reverse("person_create"), {**NEW, "is_ld_team": "on"}, **HTMX)

    assert response.status_code == 204
    person = Person.objects.get(name="Grace Kim")
    assert (person.org, person.title, person.email, person.is_ld_team) == (
        org,
        "Director of Support",
        "grace@northwind.test",
        True,
    )
    assert json.loads(response["HX-Trigger"]) == {
        "person-created": {"id": person.pk, "name": "Grace Kim"}
    }


def test_the_dialog_form_is_a_fragment_with_the_four_fields(editor_client):
    response = editor_client.get(reverse("person_create"), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    for name in ("name", "title", "email", "is_ld_team"):
        assert f'name="{name}"' in response.text
    assert 'name="department"' not in response.text
    assert 'hx-post="/org/people/new/"' in response.text


@pytest.mark.parametrize(
    "data, error",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Priya Raman"}, "Someone with this name is already listed."),
        ({"name": "Grace", "email": "not-an-address"}, "Enter a valid email address."),
    ],
    ids=["empty", "duplicate", "bad-email"],
)
def test_a_mistake_comes_back_in_the_dialog_and_writes_nothing(
    editor_client, person, row_counts, data, error
):
    before = row_counts()
    response = editor_client.post(reverse("person_create"), data, **HTMX)
    # htmx swaps a 200, not a 4xx: the form with its error replaces itself.
    assert response.status_code == 200
    assert "<html" not in response.text
    assert error in response.text
    assert "HX-Trigger" not in response
    assert row_counts() == before


def test_without_htmx_a_mistake_is_a_400_page(editor_client, row_counts):
    before = row_counts()
    response = editor_client.post(reverse("person_create"), {"name": ""})
    assert response.status_code == 400
    assert "<html" in response.text
    assert row_counts() == before


def test_viewer_cannot_add_a_person(viewer_client, org, row_counts):
    before = row_counts()
    assert viewer_client.get(reverse("person_create"), **HTMX).status_code == 403
    assert viewer_client.post(reverse("person_create"), NEW, **HTMX).status_code == 403
    assert row_counts() == before


def test_a_person_lands_in_the_members_own_organisation(outsider_client, org, other_org):
    outsider_client.post(reverse("person_create"), NEW, **HTMX)
    assert not Person.objects.filter(org=org, name="Grace Kim").exists()
    assert Person.objects.filter(org=other_org, name="Grace Kim").exists()


def test_signed_out_is_sent_to_sign_in(db, row_counts):
    before = row_counts()
    response = Client().post(reverse("person_create"), NEW)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert row_counts() == before


def test_people_page_returns_to_the_form_it_came_from(editor_client, roadmap, org):
    back = reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    page = editor_client.get(reverse("people"), {"next": back})
    assert f'name="next" value="{back}"' in page.text

    response = editor_client.post(reverse("people"), {**NEW, "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert Person.objects.filter(org=org, name="Grace Kim").exists()


@pytest.mark.parametrize(
    "target", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"]
)
def test_people_page_never_returns_off_site(editor_client, target):
    response = editor_client.post(reverse("people"), {**NEW, "next": target})
    assert response["Location"] == reverse("people")
    response = editor_client.post(
        reverse("person_create"), {"name": "Ada Lovelace", "next": target}
    )
    assert response["Location"] == reverse("people")


def test_initiative_form_pickers_offer_a_new_person_returning_to_the_page(editor_client, roadmap):
    url = reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    html = editor_client.get(url).text
    assert pickers(html) == ["owner", "accountable"]
    assert f'href="{reverse("people")}?next={quote(url)}"' in html
    assert f'data-dialog="{reverse("person_create")}"' in html


def test_an_htmx_inline_edit_returns_to_the_page_it_is_on(editor_client, roadmap, person):
    initiative = InitiativeFactory(roadmap=roadmap, owner=person)
    page = reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    html = editor_client.get(
        reverse("roadmap:initiative_edit", args=[initiative.pk]),
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
        **HTMX,
    ).text
    assert pickers(html) == ["owner", "accountable"]
    assert f'?next={quote(page)}" data-dialog' in html


def test_every_person_picker_is_the_same_widget(editor_client, org, roadmap, initiative):
    plan = editor_client.get(reverse("roadmap:initiative_plan", args=[initiative.pk])).text
    assert {"assignee", "person"} <= set(pickers(plan))
    strategy = StartedStrategyFactory(org=org)
    priorities = editor_client.get(reverse("strategy:strategy_detail", args=[strategy.pk])).text
    assert "business_owner" in pickers(priorities)
    listening = editor_client.get(reverse("strategy:listening_list")).text
    assert "person" in pickers(listening)
