"""Input the Plan and Assess pages must refuse: a clear message at the field, nothing saved.

Each test here failed on the code before the refusal was added."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from roadmap.models import CapacityEntry, Roadmap
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _field_errors(html: str, field_id: str) -> str:
    """The text of the error block the templates put right after a field."""
    match = re.search(
        rf'id="{field_id}".*?<div class="field-errors"[^>]*>(.*?)</div>', html, re.DOTALL
    )
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def _input(html: str, field_id: str) -> str:
    """The whole <input> tag with that id."""
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    assert match is not None, f"no input {field_id}"
    return match.group(0)


# A negative roadmap budget -----------------------------------------------------------------


def test_a_negative_roadmap_budget_is_refused_at_the_field(editor_client, roadmap, row_counts):
    Roadmap.objects.filter(pk=roadmap.pk).update(budget=Decimal(90000))
    before = row_counts()

    response = editor_client.post(
        reverse("roadmap:roadmap_budget", args=[roadmap.pk]), {"budget": "-5"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "A budget cannot be negative." in _field_errors(html, "id_budget")
    assert 'aria-invalid="true"' in _input(html, "id_budget")
    roadmap.refresh_from_db()
    assert roadmap.budget == Decimal(90000)
    assert row_counts() == before


def test_the_database_refuses_a_negative_roadmap_budget(roadmap):
    with pytest.raises(IntegrityError), transaction.atomic():
        Roadmap.objects.filter(pk=roadmap.pk).update(budget=Decimal(-5))
    # Zero is a budget (nothing to spend), not an error.
    Roadmap.objects.filter(pk=roadmap.pk).update(budget=Decimal(0))


# Text in a capacity cell ---------------------------------------------------------------------


@pytest.fixture
def team(org):
    return [
        PersonFactory(org=org, name="Priya Raman", is_ld_team=True),
        PersonFactory(org=org, name="Jonas Weber", is_ld_team=True),
    ]


def test_capacity_cells_send_what_was_typed(editor_client, roadmap, team):
    """A number input sends "" for text it cannot read, which the grid took as "empty the
    cell": the cells are text inputs asking for a decimal keyboard, so typed text reaches
    the server and comes back as an error."""
    q1 = roadmap.cycles.first()
    html = editor_client.get(reverse("roadmap:roadmap_capacity", args=[roadmap.pk])).content
    cell = _input(html.decode(), f"id_days_{team[0].pk}_{q1.pk}")
    assert 'type="text"' in cell
    assert 'inputmode="decimal"' in cell


def test_text_in_a_capacity_cell_is_an_error_at_that_cell(editor_client, roadmap, team):
    priya, jonas = team
    q1, q2 = list(roadmap.cycles.all())[:2]
    CapacityEntry.objects.create(org=roadmap.org, person=priya, cycle=q1, days=Decimal(40))
    CapacityEntry.objects.create(org=roadmap.org, person=jonas, cycle=q1, days=Decimal(30))
    url = reverse("roadmap:roadmap_capacity", args=[roadmap.pk])

    response = editor_client.post(
        url,
        {
            f"days_{priya.pk}_{q1.pk}": "forty",
            f"days_{jonas.pk}_{q1.pk}": "12",
            f"days_{jonas.pk}_{q2.pk}": "10",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    bad = f"id_days_{priya.pk}_{q1.pk}"
    # The typed value is back in its cell, marked invalid, with the error beside it.
    cell = _input(html, bad)
    assert 'value="forty"' in cell
    assert 'aria-invalid="true"' in cell
    assert f'aria-describedby="{bad}_error"' in cell
    assert "Enter a number of days, like 12 or 12.5." in _field_errors(html, bad)
    # The other cells keep what was typed in them, without an error.
    good = _input(html, f"id_days_{jonas.pk}_{q2.pk}")
    assert 'value="10"' in good
    assert "aria-invalid" not in good
    # Nothing saved: Priya keeps her 40 days, Jonas his 30 and no Q2 entry.
    assert dict(CapacityEntry.objects.values_list("person", "days")) == {
        priya.pk: Decimal(40),
        jonas.pk: Decimal(30),
    }
