"""Plan warnings from database rows, end to end: each rule's warning reaches the plan page
naming what it is about, and the team can acknowledge it with a note, or reopen it.

The roadmap is FY27 with a January fiscal year: Q1 is January to March 2027. 1 March 2027
is a Monday."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from roadmap.models import (
    BusinessEvent,
    CapacityEntry,
    EventKind,
    EventKindRule,
    InitiativeDependency,
    SmeAssignment,
    SmeAvailability,
    StageDependency,
    TimeOff,
    WarningAcknowledgement,
)
from roadmap.plan_data import load_plan
from tests.conftest import HTMX
from tests.factories import InitiativeFactory, PersonFactory, StageFactory

pytestmark = pytest.mark.django_db


def d(month: int, day: int) -> date:
    return date(2027, month, day)


def keys(roadmap) -> dict[str, str]:
    return {w.key: w.text for w in load_plan(roadmap).warnings}


def test_a_launch_in_performance_reviews_is_warned_by_name(roadmap, initiative):
    event = BusinessEvent.objects.create(
        org=roadmap.org,
        kind=EventKind.PERFORMANCE_REVIEW,
        name="Spring reviews",
        start=d(3, 1),
        end=d(3, 5),
        recurs_yearly=False,
    )
    # Touching: the launch starts on the reviews' last day.
    launch = StageFactory(initiative=initiative, kind="delivery", start=d(3, 5), end=d(3, 12))
    found = keys(roadmap)
    launch_key = f"calendar-launch:stage={launch.pk}:event={event.pk}"
    assert (
        "“Manager onboarding toolkit · Delivery (launch)” launches during “Spring reviews”"
        in (found[launch_key])
    )
    # Reviews also take stakeholders away from a delivery.
    assert f"calendar-stakeholders:stage={launch.pk}:event={event.pk}" in found

    # The organisation says reviews are fine for launches: only the stakeholder rule stays.
    EventKindRule.objects.create(
        org=roadmap.org, kind=EventKind.PERFORMANCE_REVIEW, avoid_launches=False
    )
    assert launch_key not in keys(roadmap)


def test_a_stakeholder_stage_in_a_hiring_wave_but_not_a_build(roadmap, initiative):
    wave = BusinessEvent.objects.create(
        org=roadmap.org, kind=EventKind.HIRING_WAVE, name="Graduate intake",
        start=d(4, 5), end=d(4, 16), recurs_yearly=True,
    )  # fmt: skip
    align = StageFactory(
        initiative=initiative, kind="stakeholder_alignment", start=d(4, 16), end=d(4, 23)
    )
    StageFactory(initiative=initiative, kind="needs_analysis", start=d(4, 5), end=d(4, 9))
    # In its stages' cycle, so that the only warning is the calendar's.
    initiative.cycle = roadmap.cycles.get(name="Q2 FY27")
    initiative.save()
    found = keys(roadmap)
    assert list(found) == [f"calendar-stakeholders:stage={align.pk}:event={wave.pk}"]
    assert "needs stakeholders during “Graduate intake”" in next(iter(found.values()))


def test_content_creation_outside_the_sme_window_and_no_sme_before_the_build(roadmap, initiative):
    fatima = PersonFactory(org=roadmap.org, name="Fatima Zahra")
    build = StageFactory(
        initiative=initiative, kind="content_creation", start=d(3, 1), end=d(3, 12)
    )
    assert keys(roadmap) == {
        f"sme-before-build:initiative={initiative.pk}": (
            "No SME is involved in “Manager onboarding toolkit” before content creation starts "
            "on 1 Mar 2027: no SME is assigned."
        )
    }
    SmeAssignment.objects.create(org=roadmap.org, initiative=initiative, person=fatima)
    assert keys(roadmap) == {}  # no window recorded: available
    SmeAvailability.objects.create(org=roadmap.org, person=fatima, start=d(2, 1), end=d(3, 5))
    SmeAvailability.objects.create(org=roadmap.org, person=fatima, start=d(3, 12), end=None)
    found = keys(roadmap)
    assert found == {
        f"sme-availability:stage={build.pk}:person={fatima.pk}": (
            "“Manager onboarding toolkit · Content creation” runs outside the availability of "
            "SME Fatima Zahra: 8 Mar 2027 to 11 Mar 2027."
        )
    }


def test_over_allocation_names_the_person_the_cycle_and_the_initiatives(roadmap, person):
    q1 = roadmap.cycles.first()
    CapacityEntry.objects.create(org=roadmap.org, person=person, cycle=q1, days=Decimal(12))
    toolkit = InitiativeFactory(roadmap=roadmap, title="Toolkit")
    journey = InitiativeFactory(roadmap=roadmap, title="Journey")
    StageFactory(initiative=toolkit, kind="evaluation", assignee=person, effort_days=Decimal(8))
    StageFactory(initiative=journey, kind="evaluation", assignee=person, effort_days=Decimal(3))
    assert keys(roadmap) == {}  # 11 of 12
    # A week off in Q1 leaves 7 days.
    TimeOff.objects.create(org=roadmap.org, person=person, start=d(2, 1), end=d(2, 5))
    assert keys(roadmap) == {
        f"capacity:person={person.pk}:cycle={q1.pk}": (
            "Priya Raman is over-allocated in Q1 FY27: 11 days planned, 7 available. Caused by "
            "Toolkit (8 d), Journey (3 d)."
        )
    }


def test_broken_dependencies_between_initiatives_and_stages(roadmap, initiative):
    other = InitiativeFactory(roadmap=roadmap, title="Needs analysis first")
    before = StageFactory(initiative=other, kind="needs_analysis", start=d(3, 1), end=d(3, 10))
    after = StageFactory(initiative=initiative, kind="delivery", start=d(3, 11), end=d(3, 19))
    InitiativeDependency.objects.create(org=roadmap.org, predecessor=other, successor=initiative)
    StageDependency.objects.create(org=roadmap.org, predecessor=before, successor=after)
    assert keys(roadmap) == {}  # starts the day after: fine
    after.start = d(3, 10)  # the same day: broken
    after.save()
    found = keys(roadmap)
    initiative_key = f"dependency:initiative={other.pk}:initiative={initiative.pk}"
    stage_key = f"dependency:stage={before.pk}:stage={after.pk}"
    assert {initiative_key, stage_key} <= set(found)
    assert found[initiative_key] == (
        "“Manager onboarding toolkit” starts on 10 Mar 2027 but waits for “Needs analysis "
        "first”, which ends on 10 Mar 2027."
    )


@pytest.fixture
def conflict(roadmap, initiative):
    event = BusinessEvent.objects.create(
        org=roadmap.org, kind=EventKind.BUDGET_RECAST, name="Budget recast",
        start=d(3, 1), end=d(3, 5), recurs_yearly=False,
    )  # fmt: skip
    stage = StageFactory(initiative=initiative, kind="delivery", start=d(3, 1), end=d(3, 2))
    return f"calendar-launch:stage={stage.pk}:event={event.pk}"


def test_acknowledged_warnings_show_muted_with_their_note_and_can_be_reopened(
    editor_client, roadmap, conflict
):
    url = reverse("roadmap:roadmap_plan", args=[roadmap.pk])
    page = editor_client.get(url)
    assert [w.key for w in page.context["open_warnings"]] == [conflict]

    response = editor_client.post(
        reverse("roadmap:warning_acknowledge", args=[roadmap.pk]),
        {"key": conflict, "note": "Finance confirmed the recast does not touch L&D."},
    )
    assert response.status_code == 302
    page = editor_client.get(url)
    assert page.context["open_warnings"] == []
    [muted] = page.context["acknowledged"]
    assert muted.acknowledgement.note == "Finance confirmed the recast does not touch L&D."
    assert muted.acknowledgement.by.email == "editor@northwind.test"
    assert b"plan-warning warning-calendar acknowledged" in page.content

    response = editor_client.post(
        reverse("roadmap:warning_unacknowledge", args=[roadmap.pk]), {"key": conflict}, **HTMX
    )
    assert response.status_code == 200
    assert not WarningAcknowledgement.objects.exists()
    assert [w.key for w in response.context["open_warnings"]] == [conflict]


def test_an_acknowledgement_needs_a_note_and_a_real_warning(editor_client, roadmap, conflict):
    url = reverse("roadmap:warning_acknowledge", args=[roadmap.pk])
    response = editor_client.post(url, {"key": conflict, "note": " "})
    assert response.status_code == 400
    response = editor_client.post(url, {"key": conflict, "note": ""}, **HTMX)
    assert response.status_code == 200  # htmx swaps the section with the error
    assert b"Say why the team accepts this warning." in response.content
    response = editor_client.post(url, {"key": "calendar-launch:stage=1:event=999", "note": "x"})
    assert response.status_code == 400
    assert not WarningAcknowledgement.objects.exists()


def test_the_plan_gives_each_warning_its_form(editor_client, roadmap, conflict, initiative):
    """`warning_forms` pairs every warning with the form that renders it: Acknowledge for an
    open one (the refused one bound, with its error), Reopen for an acknowledged one."""
    from roadmap.forms import AcknowledgeForm, UnacknowledgeForm

    url = reverse("roadmap:warning_acknowledge", args=[roadmap.pk])
    response = editor_client.post(url, {"key": conflict, "note": ""})
    assert response.status_code == 400
    [(warning, form)] = response.context["warning_forms"]
    assert warning.key == conflict
    assert isinstance(form, AcknowledgeForm) and form.is_bound
    assert form.errors["note"] == ["Say why the team accepts this warning."]
    assert form.auto_id == "ack-1-%s"

    editor_client.post(url, {"key": conflict, "note": "Finance agreed."})
    page = editor_client.get(reverse("roadmap:roadmap_plan", args=[roadmap.pk]))
    [(warning, form)] = page.context["warning_forms"]
    assert warning.acknowledgement.note == "Finance agreed."
    assert isinstance(form, UnacknowledgeForm) and form.initial == {"key": conflict}


def test_the_demo_plan_shows_every_kind_of_warning():
    from roadmap.demo import ROADMAP_TITLE, load_demo
    from roadmap.models import Roadmap

    load_demo()
    warnings = load_plan(Roadmap.objects.get(title=ROADMAP_TITLE)).warnings
    open_ones = [w for w in warnings if w.acknowledgement is None]
    assert {w.category for w in open_ones} == {"calendar", "sme", "dependency", "capacity"}
    assert {w.key.split(":")[0] for w in open_ones} >= {
        "calendar-launch",
        "sme-availability",
        "sme-before-build",
        "dependency",
        "capacity",
    }
    [overload] = [w for w in open_ones if w.category == "capacity"]  # one over-allocated cycle
    assert overload.text.startswith("Jonas Weber is over-allocated in Q3 FY27")
    assert [w.acknowledgement.note[:25] for w in warnings if w.acknowledgement] == [
        "The support hiring wave t"
    ]
