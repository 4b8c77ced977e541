"""The capacity grid's form, without HTTP: which cells it has, and how it saves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError

from roadmap.forms import CapacityForm
from roadmap.models import CapacityEntry
from tests.factories import PersonFactory, RoadmapFactory


def _key(person, cycle) -> str:
    return f"days_{person.pk}_{cycle.pk}"


def _days(roadmap) -> dict[tuple[int, int], Decimal]:
    rows = CapacityEntry.objects.filter(cycle__roadmap=roadmap)
    return {(e.person_id, e.cycle_id): e.days for e in rows}


@pytest.fixture
def team(org):
    return [
        PersonFactory(org=org, name="Priya Raman", is_ld_team=True),
        PersonFactory(org=org, name="Jonas Weber", is_ld_team=True),
    ]


def test_grid_has_a_cell_per_team_member_and_cycle_of_the_roadmap(org, roadmap, team, other_org):
    PersonFactory(org=org, name="Sam Business", is_ld_team=False)
    PersonFactory(org=other_org, name="Elsewhere", is_ld_team=True)
    cycles = list(roadmap.cycles.all())

    form = CapacityForm.for_roadmap(roadmap)

    assert sorted(form.fields) == sorted(_key(p, c) for p in team for c in cycles)


def test_grid_shows_the_saved_days_as_initial_values(roadmap, team):
    q1 = roadmap.cycles.first()
    CapacityEntry.objects.create(org=roadmap.org, person=team[0], cycle=q1, days=Decimal(12))

    form = CapacityForm.for_roadmap(roadmap)

    assert form.fields[_key(team[0], q1)].initial == Decimal(12)
    assert form.fields[_key(team[1], q1)].initial is None


def test_save_creates_updates_and_clears_in_one_go(roadmap, team):
    priya, jonas = team
    q1, q2 = list(roadmap.cycles.all())[:2]
    CapacityEntry.objects.create(org=roadmap.org, person=priya, cycle=q1, days=Decimal(5))
    CapacityEntry.objects.create(org=roadmap.org, person=jonas, cycle=q2, days=Decimal(8))

    form = CapacityForm.for_roadmap(
        roadmap, {_key(priya, q1): "20", _key(priya, q2): "15.5", _key(jonas, q2): ""}
    )
    form.save()

    assert _days(roadmap) == {(priya.pk, q1.pk): Decimal(20), (priya.pk, q2.pk): Decimal("15.5")}
    assert set(CapacityEntry.objects.values_list("org_id", flat=True)) == {roadmap.org_id}


def test_save_leaves_other_roadmaps_alone(org, roadmap, team):
    later = RoadmapFactory(org=org, title="Next year", fiscal_year=2028)
    elsewhere = later.cycles.first()
    CapacityEntry.objects.create(org=org, person=team[0], cycle=elsewhere, days=Decimal(30))

    CapacityForm.for_roadmap(roadmap, {}).save()  # every cell of this roadmap empty

    assert list(CapacityEntry.objects.values_list("cycle_id", "days")) == [
        (elsewhere.pk, Decimal(30))
    ]


@pytest.mark.parametrize("value", ["-1", "367", "many", "1.25"])
def test_invalid_grid_is_not_saved(roadmap, team, value):
    q1 = roadmap.cycles.first()
    form = CapacityForm.for_roadmap(roadmap, {_key(team[0], q1): "3", _key(team[1], q1): value})

    assert not form.is_valid()
    assert _key(team[1], q1) in form.errors
    with pytest.raises(ValueError):
        form.save()
    assert CapacityEntry.objects.count() == 0


def test_a_failing_cell_rolls_back_the_whole_grid(roadmap, team):
    """The database refuses negative days; the cells written before it are undone."""
    q1 = roadmap.cycles.first()
    form = CapacityForm.for_roadmap(roadmap, {_key(p, q1): "3" for p in team})
    assert form.is_valid()
    first, last = form.people[0], form.people[-1]
    form.cleaned_data[_key(last, q1)] = Decimal(-4)  # past the form, as a race could
    assert form.cleaned_data[_key(first, q1)] == Decimal(3)  # written before the failure

    with pytest.raises(IntegrityError):
        form.save()

    assert CapacityEntry.objects.count() == 0
