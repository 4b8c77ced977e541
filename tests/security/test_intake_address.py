"""The public intake form lives at a secret, replaceable address, starts closed, keeps the
priorities private unless asked, and accepts each form once.

Before: `/intake/<org-slug>/`, open by default, listing every priority's title to anyone
who guessed the slug, and one signed timestamp could be replayed for a hundred rows.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from roadmap.models import AssessSettings, TrainingRequest
from roadmap_site.models import Organization
from tests.factories import PriorityFactory

# One valid form, shared with the intake tests.
from tests.roadmap.test_assess_intake import valid_data as form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def make_address(admin_client) -> str:
    """The admin makes the form's address on the settings page; returns its path."""
    page = admin_client.post(reverse("roadmap:intake_address"))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    match = re.search(r'value="http://testserver(/intake/[^"]+/)"', page.text)
    assert match, "the new address is shown"
    return match.group(1)


def test_the_organisation_slug_no_longer_opens_the_form(client, org, admin_client):
    AssessSettings.objects.create(org=org, intake_open=True)
    make_address(admin_client)
    assert client.get(f"/intake/{org.slug}/").status_code == 404
    assert client.post(f"/intake/{org.slug}/", form_data()).status_code == 404
    assert not TrainingRequest.objects.exists()


def test_a_new_organisation_starts_with_the_intake_closed(client):
    client.post(
        reverse("signup"),
        {
            "name": "Maya Okafor",
            "email": "maya@northwind.example",
            "password": "a-long-and-unusual-passphrase",
            "org_name": "Northwind Global",
        },
    )
    org = Organization.objects.get()
    page = client.get(reverse("roadmap:assess_settings"))
    assert page.status_code == 200
    assert "Closed." in page.text
    path = make_address(client)
    # An address alone does not open the form.
    assert Client().get(path).status_code == 404
    assert AssessSettings.objects.get(org=org).intake_open is False


def test_the_address_is_secret_shown_once_and_replaceable(admin_client, org):
    AssessSettings.objects.create(org=org, intake_open=True)
    first = make_address(admin_client)
    token = first.strip("/").rsplit("/", 1)[1]
    assert len(token) >= 43
    assert Client().get(first).status_code == 200
    # Stored hashed: the token is in no column of the settings table.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AssessSettings._meta.db_table}")  # noqa: S608
        assert token not in " ".join(str(v) for row in cursor.fetchall() for v in row)
    # The settings page shows it no more.
    assert token not in admin_client.get(reverse("roadmap:assess_settings")).text

    second = make_address(admin_client)

    assert second != first
    assert Client().get(first).status_code == 404
    assert Client().post(first, form_data()).status_code == 404
    assert Client().get(second).status_code == 200
    assert not TrainingRequest.objects.exists()


@pytest.mark.parametrize("who", ["editor_client", "viewer_client"])
def test_only_admins_make_the_address(request, who, org):
    before = AssessSettings.objects.filter(org=org).values_list("intake_token_hash").first()
    response = request.getfixturevalue(who).post(reverse("roadmap:intake_address"))
    assert response.status_code == 403
    assert AssessSettings.objects.filter(org=org).values_list("intake_token_hash").first() == before


def test_an_outsider_makes_an_address_only_for_their_own_organisation(outsider_client, org):
    outsider_client.post(reverse("roadmap:intake_address"))
    assert not AssessSettings.objects.filter(org=org).exists()


def test_the_priorities_are_not_shown_unless_the_organisation_chooses(
    admin_client, editor_client, org
):
    priority = PriorityFactory(org=org, strategy__org=org, capability="Cut time to first sale")
    AssessSettings.objects.create(org=org, intake_open=True)
    path = make_address(admin_client)
    page = Client().get(path)
    assert page.status_code == 200
    assert "Cut time to first sale" not in page.text
    assert 'name="priority"' not in page.text
    # A posted priority is ignored, not stored.
    Client().post(path, form_data(priority=priority.pk))
    assert TrainingRequest.objects.get().priority is None

    form = admin_client.get(reverse("roadmap:assess_settings")).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (False, None)}
    saved = editor_client.post(
        reverse("roadmap:assess_settings"), {**data, "intake_shows_priorities": "on"}
    )
    assert saved.status_code == 302

    assert "Cut time to first sale" in Client().get(path).text


def test_a_form_is_accepted_once(admin_client, org):
    AssessSettings.objects.create(org=org, intake_open=True)
    path = make_address(admin_client)
    data = form_data()

    responses = [Client().post(path, data) for _ in range(5)]

    assert responses[0].status_code == 200
    for replay in responses[1:]:
        assert replay.status_code == 400
        assert "This form was already sent" in replay.text
    assert TrainingRequest.objects.count() == 1


def test_a_form_with_a_mistake_can_be_corrected_and_sent(admin_client, org):
    AssessSettings.objects.create(org=org, intake_open=True)
    path = make_address(admin_client)
    data = form_data(requester_email="not-an-address")
    assert Client().post(path, data).status_code == 400

    fixed = Client().post(path, {**data, "requester_email": "grace@example.com"})

    assert fixed.status_code == 200
    assert TrainingRequest.objects.count() == 1
