"""The PDF's options: the page that asks for them, what a valid post stores on the Export
row, and refusals (no half-written row) for a missing choice, another organisation's ids
and a paper size that does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roadmap.models import Cycle, Export, ExportOptions, Paper
from tests.factories import PriorityFactory, RoadmapFactory, StrategyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_sending(monkeypatch):
    """The row is what these tests are about; the task is never sent."""
    from roadmap import services

    monkeypatch.setattr(services, "enqueue_export", lambda export: True)


@pytest.fixture
def priorities(roadmap, org):
    strategy = StrategyFactory(org=org, fiscal_year=roadmap.fiscal_year)
    return [
        PriorityFactory(strategy=strategy, capability="Get every new hire productive in 60 days"),
        PriorityFactory(strategy=strategy, capability="Keep new hires past year one"),
    ]


def options_url(roadmap) -> str:
    return reverse("roadmap:export_options", args=[roadmap.pk])


def create_url(roadmap) -> str:
    return reverse("roadmap:export_create", args=[roadmap.pk])


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_writers_see_the_options_with_this_roadmaps_cycles_and_priorities(
    client_for, role, roadmap, priorities
):
    page = client_for(role).get(options_url(roadmap))
    assert page.status_code == 200
    text = page.text
    for label in ["The whole roadmap", "Chosen cycles", "Include internal notes", "US Letter"]:
        assert label in text
    assert all(f"> {cycle.name}</label>" in text for cycle in roadmap.cycles.all())
    assert "Keep new hires past year one" in text
    assert 'name="scope" value="whole"' in text and "checked" in text


def test_a_viewer_may_not_export_and_an_outsider_finds_nothing(client_for, roadmap):
    assert client_for("viewer").get(options_url(roadmap)).status_code == 403
    assert client_for("viewer").post(create_url(roadmap), {"scope": "whole"}).status_code == 403
    assert client_for("outsider").get(options_url(roadmap)).status_code == 404
    assert client_for("outsider").post(create_url(roadmap), {"scope": "whole"}).status_code == 404
    assert not Export.objects.exists()


def test_chosen_cycles_paper_and_notes_are_stored_on_the_row(editor_client, roadmap):
    q2, q3 = Cycle.objects.filter(roadmap=roadmap).order_by("position")[1:3]
    response = editor_client.post(
        create_url(roadmap),
        {"scope": "cycles", "cycles": [q2.pk, q3.pk], "include_notes": "on", "paper": "letter"},
    )
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:export_detail", args=[export.pk])
    assert export.export_options == ExportOptions(
        cycles=(q2.pk, q3.pk), include_notes=True, paper=Paper.LETTER
    )
    page = editor_client.get(response["Location"])
    assert "2 chosen cycles · US Letter · with internal notes" in page.text


def test_chosen_priorities_are_stored_and_cycles_ticked_alongside_are_not(
    editor_client, roadmap, priorities
):
    q1 = roadmap.cycles.first()
    editor_client.post(
        create_url(roadmap),
        {"scope": "priorities", "priorities": [priorities[1].pk], "cycles": [q1.pk]},
    )
    assert Export.objects.get().export_options == ExportOptions(priorities=(priorities[1].pk,))


def test_a_bare_post_is_the_whole_roadmap_on_a4(editor_client, roadmap):
    editor_client.post(create_url(roadmap))
    assert Export.objects.get().export_options == ExportOptions()


def test_chosen_cycles_without_a_cycle_is_refused_with_the_reason(editor_client, roadmap):
    response = editor_client.post(create_url(roadmap), {"scope": "cycles"})
    assert response.status_code == 400
    assert "Choose at least one cycle, or export the whole roadmap." in response.text
    assert not Export.objects.exists()


def test_another_organisations_cycle_or_priority_is_refused(editor_client, roadmap, other_org):
    foreign_roadmap = RoadmapFactory(org=other_org)
    foreign_cycle = foreign_roadmap.cycles.first()
    foreign_priority = PriorityFactory(
        strategy=StrategyFactory(org=other_org, fiscal_year=roadmap.fiscal_year)
    )
    for data in (
        {"scope": "cycles", "cycles": [foreign_cycle.pk]},
        {"scope": "priorities", "priorities": [foreign_priority.pk]},
        {"scope": "cycles", "cycles": ["not-a-number"]},
    ):
        response = editor_client.post(create_url(roadmap), data)
        assert response.status_code == 400, data
        assert 'class="field-errors"' in response.text
        assert "is not one of the available choices" in response.text or (
            "is not a valid value" in response.text
        )
    assert not Export.objects.exists()


def test_another_roadmap_of_the_same_organisation_is_refused_too(editor_client, roadmap, org):
    sibling = RoadmapFactory(org=org, title="Sales roadmap").cycles.first()
    response = editor_client.post(create_url(roadmap), {"scope": "cycles", "cycles": [sibling.pk]})
    assert response.status_code == 400
    assert not Export.objects.exists()


@pytest.mark.parametrize("data", [{"paper": "legal"}, {"scope": "everything"}])
def test_unknown_choices_are_refused(editor_client, roadmap, data):
    response = editor_client.post(create_url(roadmap), data)
    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert not Export.objects.exists()


def test_stored_options_read_back_safely():
    assert ExportOptions.from_json({"paper": "a3", "cycles": ["4"]}) == ExportOptions(cycles=(4,))
    assert ExportOptions.from_json(None) == ExportOptions()


@pytest.mark.parametrize("extra_cycles, extra_priorities", [(0, 0), (8, 12)])
def test_the_options_page_reads_a_fixed_number_of_queries(
    editor_client, roadmap, org, extra_cycles, extra_priorities, django_assert_num_queries
):
    strategy = StrategyFactory(org=org, fiscal_year=roadmap.fiscal_year)
    for n in range(extra_priorities):
        PriorityFactory(strategy=strategy, capability=f"Priority {n}")
    Cycle.objects.bulk_create(
        Cycle(org=org, roadmap=roadmap, name=f"Sprint {n}", start=roadmap.period_start,
              end=roadmap.period_end, position=10 + n)
        for n in range(extra_cycles)
    )  # fmt: skip
    editor_client.get(options_url(roadmap))  # the session and membership are warm
    # The same whatever the number of cycles and priorities: the signed-in member's
    # session, user, memberships and organisation, the roadmap, its cycles, the priorities.
    with django_assert_num_queries(8):
        assert editor_client.get(options_url(roadmap)).status_code == 200
