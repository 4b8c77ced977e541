"""The plan's schedule (stages, dependencies, capacity, SMEs, the calendar) and the rules'
answers are cached under the roadmap's `schedule_version` and the organisation's `version`
(roadmap.plan_data.load_plan). A write of words only (a renamed initiative) bumps the
roadmap's `version` alone: the pages are rendered again with the new words from the cached
schedule. Every other write bumps both: the next view reads and checks the new schedule.

The cache is the test settings' locmem cache, emptied before each test (tests/conftest.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmap.forms import StageForm
from roadmap.models import CapacityEntry, InitiativeStatus, Roadmap
from roadmap_site.models import Role
from tests.factories import StageFactory
from tests.roadmap.test_align_commitments import edit_data
from tests.roadmap.test_plan_cache import NO_SME, capacity, plan

pytestmark = pytest.mark.django_db

OUTSIDE = "outside its cycle"


def versions(roadmap) -> tuple[int, int]:
    fresh = Roadmap.objects.get(pk=roadmap.pk)
    return fresh.version, fresh.schedule_version


def move_stage(stage, start: date, end: date):
    """New dates through the plan's stage form, as the stage edit page saves them."""
    fields = StageForm(instance=stage, initiative=stage.initiative).initial
    data = {name: "" if value is None else value for name, value in fields.items()}
    form = StageForm({**data, "start": start, "end": end}, instance=stage,
                     initiative=stage.initiative)  # fmt: skip
    assert form.is_valid(), form.errors
    form.save()


@pytest.fixture
def planned(roadmap, initiative, person):
    """A content-creation stage without an SME: the plan warns about it (as in
    test_plan_cache.py)."""
    initiative.cycle = roadmap.cycles.order_by("start").first()
    initiative.save()
    stage = StageFactory(initiative=initiative, assignee=person, effort_days=Decimal(5))
    return {"roadmap": roadmap, "initiative": initiative, "stage": stage, "person": person}


@pytest.fixture
def over_allocated(planned, person):
    """One day of capacity in the initiative's cycle against five planned (the capacity
    page and the warnings name the initiative), ten in the next."""
    first, second = planned["roadmap"].cycles.order_by("start")[:2]
    for cycle, days in [(first, 1), (second, 10)]:
        CapacityEntry.objects.create(
            org=cycle.roadmap.org, person=person, cycle=cycle, days=Decimal(days)
        )
    return planned


def test_a_rename_keeps_the_schedule_and_every_other_change_bumps_it(
    editor_client, planned, editor_membership
):
    roadmap, initiative, stage = planned["roadmap"], planned["initiative"], planned["stage"]
    version, schedule = versions(roadmap)
    editor_client.post(
        reverse("roadmap:initiative_edit", args=[initiative.pk]),
        edit_data(initiative, title="Onboarding toolkit v2"),
    )
    assert versions(roadmap) == (version + 1, schedule)
    move_stage(stage, date(2027, 3, 8), date(2027, 3, 19))
    assert versions(roadmap) == (version + 2, schedule + 1)
    initiative.refresh_from_db()
    initiative.change(by=editor_membership.user, cycle=roadmap.cycles.order_by("start")[1])
    assert versions(roadmap) == (version + 3, schedule + 2)
    initiative.change(by=editor_membership.user, title="Onboarding toolkit v3", problem="Why.")
    assert versions(roadmap) == (version + 4, schedule + 2)


def test_after_a_rename_the_pages_read_no_stage_and_show_the_new_name(
    editor_client, over_allocated, editor_membership
):
    roadmap, initiative = over_allocated["roadmap"], over_allocated["initiative"]
    assert NO_SME in plan(editor_client, roadmap)
    assert "over-allocated" in capacity(editor_client, roadmap)
    initiative.change(by=editor_membership.user, title="Onboarding toolkit v2")
    with CaptureQueriesContext(connection) as queries:
        page = plan(editor_client, roadmap)
        capacity_page = capacity(editor_client, roadmap)
    assert not [q for q in queries.captured_queries if '"roadmap_stage"' in q["sql"]]
    # The initiative, its warning (put in words at view time) and its capacity row.
    assert page.count("Onboarding toolkit v2") >= 2
    assert "before content creation starts" in page
    assert "Manager onboarding toolkit" not in page
    assert "Onboarding toolkit v2" in capacity_page
    assert "Manager onboarding toolkit" not in capacity_page


def test_a_stage_move_shows_in_the_plan_the_warnings_and_the_capacity(
    editor_client, over_allocated
):
    roadmap, stage = over_allocated["roadmap"], over_allocated["stage"]
    cycles = list(roadmap.cycles.order_by("start"))
    page = plan(editor_client, roadmap)
    assert "1 Mar \u2013 12 Mar" in page
    assert "content creation starts on 1 Mar 2027" in page
    assert OUTSIDE not in page
    assert "over-allocated" in capacity(editor_client, roadmap)
    # Into the next cycle: out of the initiative's, off the over-allocated one.
    start = cycles[1].start
    move_stage(stage, start, date(start.year, start.month, start.day + 4))
    page = plan(editor_client, roadmap)
    assert "1 Mar \u2013 12 Mar" not in page
    assert f"content creation starts on {start.day} {start:%b %Y}" in page
    assert OUTSIDE in page
    assert "over-allocated" not in capacity(editor_client, roadmap)
    assert "over-allocated" not in plan(editor_client, roadmap)


def test_a_new_cycle_or_status_shows_in_the_warnings(editor_client, planned, editor_membership):
    roadmap, initiative = planned["roadmap"], planned["initiative"]
    assert OUTSIDE not in plan(editor_client, roadmap)
    later = roadmap.cycles.order_by("start")[1]
    initiative.change(by=editor_membership.user, cycle=later)
    assert OUTSIDE in plan(editor_client, roadmap)
    # A stopped initiative's stages need not follow its cycle.
    initiative.change(
        by=editor_membership.user, justification="Budget cut.", status=InitiativeStatus.STOPPED
    )
    assert OUTSIDE not in plan(editor_client, roadmap)


def test_a_renamed_assignee_shows_from_the_cached_schedule(editor_client, planned):
    """People are the organisation's: renaming one bumps its version, part of the key."""
    from roadmap_site.cache import bump_org

    roadmap, person = planned["roadmap"], planned["person"]
    assert "Priya Raman" in capacity(editor_client, roadmap)
    person.name = "Priya Raman-Okafor"
    person.save()
    bump_org(person.org)  # as the person form does (roadmap_site/forms.py)
    assert "Priya Raman-Okafor" in capacity(editor_client, roadmap)
    assert "Priya Raman-Okafor" in plan(editor_client, roadmap)


@pytest.mark.parametrize("name", ["roadmap_plan", "roadmap_capacity"])
def test_a_role_change_after_a_rename_shows_the_right_buttons(
    editor_client, planned, editor_membership, name
):
    write_button = {"roadmap_plan": ">Acknowledge</button>", "roadmap_capacity": "Save capacity"}
    url = reverse(f"roadmap:{name}", args=[planned["roadmap"].pk])
    assert write_button[name] in editor_client.get(url).content.decode()
    planned["initiative"].change(by=editor_membership.user, title="Onboarding toolkit v2")
    editor_membership.role = Role.VIEWER
    editor_membership.save()
    page = editor_client.get(url).content.decode()
    assert "Onboarding toolkit v2" in page or name == "roadmap_capacity"
    assert write_button[name] not in page
    assert "initiative-up-" not in page
    editor_membership.role = Role.EDITOR
    editor_membership.save()
    assert write_button[name] in editor_client.get(url).content.decode()
