"""Input the Plan and Assess pages must refuse: a clear message at the field, nothing saved.

Each test here failed on the code before the refusal was added."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from roadmap import planning
from roadmap.forms import BulkTriageForm, DeferForm, StageForm
from roadmap.models import (
    CapacityEntry,
    Initiative,
    Roadmap,
    Stage,
    TrainingRequest,
    TrainingRequestState,
    TransitionRefused,
    change_log,
)
from roadmap.plan_data import load_plan
from tests.factories import (
    InitiativeFactory,
    PersonFactory,
    StageFactory,
    TrainingRequestFactory,
)

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
    assert 'value="-5"' in _input(html, "id_budget")
    # The figures beside it use the saved budget, not the refused one.
    assert "budget of 90,000" in html
    assert not any(row.over_budget for row in response.context["budget_rows"])
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


# Deferring to a cycle that has started -------------------------------------------------------

# FY27 runs in calendar quarters: on 15 May 2027 Q1 has ended, Q2 is running, Q3 and Q4 are
# still to come.
MID_Q2 = datetime(2027, 5, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def mid_q2():
    """Travel first, so the signed-in session below is made on that day (it would have
    expired by then if made today)."""
    with time_machine.travel(MID_Q2, tick=False):
        yield


@pytest.fixture
def quarters(roadmap):
    return dict(zip(["q1", "q2", "q3", "q4"], roadmap.cycles.order_by("start"), strict=True))


@pytest.fixture
def user(editor_membership):
    return editor_membership.user


@pytest.fixture
def request_row(org):
    return TrainingRequestFactory(org=org, title="Support agent certification")


def _defer(client, item, cycle, **extra):
    url = reverse("roadmap:request_decide", args=[item.pk, "defer"])
    return client.post(url, {"cycle": cycle.pk, "reason": "After the migration.", **extra})


def test_defer_offers_only_cycles_that_start_after_today(mid_q2, org, quarters):
    form = DeferForm(org=org)
    bulk = BulkTriageForm(org=org)

    expected = [quarters["q3"].pk, quarters["q4"].pk]
    assert [cycle.pk for cycle in form.fields["cycle"].queryset] == expected
    assert [cycle.pk for cycle in bulk.fields["cycle"].queryset] == expected


@pytest.mark.parametrize("which", ["q1", "q2"])
def test_deferring_to_a_cycle_that_has_started_is_refused_at_the_field(
    mid_q2, editor_client, request_row, quarters, which, row_counts
):
    before = row_counts()

    response = _defer(editor_client, request_row, quarters[which])

    assert response.status_code == 400
    errors = _field_errors(response.content.decode(), "id_cycle")
    assert "Choose a cycle that starts after today." in errors
    request_row.refresh_from_db()
    assert request_row.state == TrainingRequestState.NEW
    assert request_row.deferred_to is None
    assert row_counts() == before


def test_deferring_to_a_future_cycle_still_works(mid_q2, editor_client, request_row, quarters):
    response = _defer(editor_client, request_row, quarters["q3"])

    assert response.status_code == 302
    request_row.refresh_from_db()
    assert (request_row.state, request_row.deferred_to) == ("deferred", quarters["q3"])


def test_the_model_refuses_to_defer_to_a_cycle_that_has_started(
    mid_q2, request_row, quarters, user
):
    with pytest.raises(TransitionRefused, match="Q2 FY27 started on 1 Apr 2027"):
        request_row.defer(cycle=quarters["q2"], reason="Later.", by=user)
    request_row.refresh_from_db()
    assert request_row.state == TrainingRequestState.NEW


def test_a_cycle_starting_today_in_the_sites_time_zone_has_started(
    settings, org, quarters, request_row, user
):
    # 20:00 UTC on 30 June is already 1 July in Tokyo, the day Q3 starts.
    with time_machine.travel(datetime(2027, 6, 30, 20, 0, tzinfo=UTC), tick=False):
        settings.TIME_ZONE = "UTC"
        assert quarters["q3"] in DeferForm(org=org).fields["cycle"].queryset
        settings.TIME_ZONE = "Asia/Tokyo"
        assert quarters["q3"] not in DeferForm(org=org).fields["cycle"].queryset
        with pytest.raises(TransitionRefused):
            request_row.defer(cycle=quarters["q3"], reason="Later.", by=user)


def test_bulk_defer_to_the_running_cycle_changes_nothing_and_says_why(
    mid_q2, editor_client, org, quarters
):
    rows = [TrainingRequestFactory(org=org, title=f"Request {n}") for n in range(2)]

    response = editor_client.post(
        reverse("roadmap:request_bulk"),
        {
            "requests": [r.pk for r in rows],
            "action": "defer",
            "cycle": quarters["q2"].pk,
            "reason": "Later.",
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Nothing was changed. Choose a cycle that starts after today."
    ]
    assert set(TrainingRequest.objects.values_list("state", flat=True)) == {"new"}


# Bulk triage errors as sentences ---------------------------------------------------------------


def _bulk_messages(client, data) -> list[str]:
    response = client.post(reverse("roadmap:request_bulk"), data, follow=True)
    return [str(m) for m in response.context["messages"]]


def test_bulk_triage_with_nothing_selected_asks_to_select_a_request(editor_client, org):
    TrainingRequestFactory(org=org)

    assert _bulk_messages(editor_client, {"action": "assess"}) == [
        "Nothing was changed. Select at least one request."
    ]
    assert set(TrainingRequest.objects.values_list("state", flat=True)) == {"new"}


def test_bulk_triage_errors_are_sentences_without_field_names(editor_client, org):
    item = TrainingRequestFactory(org=org)

    [message] = _bulk_messages(editor_client, {"requests": [item.pk], "action": "defer"})

    assert message == (
        "Nothing was changed. Choose the cycle to defer them to. "
        "Write the reason the requesters will read."
    )
    [message] = _bulk_messages(editor_client, {"requests": [item.pk]})
    assert message == "Nothing was changed. Choose a decision."


# Effort no team could do in a stage's working days ---------------------------------------------

# 1 to 26 March 2027: Monday to Friday four times, 20 working days.
FOUR_WEEKS = {"start": "2027-03-01", "end": "2027-03-26"}


def _stage(effort: str, **dates) -> dict:
    return {
        "kind": "content_creation",
        "status": "not_started",
        **(dates or FOUR_WEEKS),
        "effort_days": effort,
    }


def test_working_days_count_mondays_to_fridays_both_ends_included():
    assert planning.working_days(date(2027, 3, 1), date(2027, 3, 26)) == 20
    assert planning.working_days(date(2027, 3, 6), date(2027, 3, 7)) == 0  # a weekend
    assert planning.working_days(date(2027, 3, 5), date(2027, 3, 8)) == 2  # Friday to Monday


def test_effort_beyond_twenty_people_full_time_is_refused_at_the_field(
    editor_client, initiative, row_counts
):
    before = row_counts()

    response = editor_client.post(
        reverse("roadmap:stage_create", args=[initiative.pk]), _stage("99999")
    )

    assert response.status_code == 400
    assert _field_errors(response.content.decode(), "id_effort_days").strip() == (
        "99,999 person-days over 20 working days is 5,000 people full time; "
        "the most we accept is 20 full time (400 person-days)."
    )
    assert row_counts() == before


def test_twenty_people_full_time_is_the_most_a_stage_takes(initiative):
    assert StageForm(_stage("400"), initiative=initiative).is_valid()
    form = StageForm(_stage("400.5"), initiative=initiative)
    assert not form.is_valid()
    assert list(form.errors) == ["effort_days"]
    # A stage on a weekend only spreads its effort over its calendar days.
    weekend = StageForm(_stage("41", start="2027-03-06", end="2027-03-07"), initiative=initiative)
    assert weekend.errors["effort_days"] == [
        "41 person-days over 2 days is 20.5 people full time; "
        "the most we accept is 20 full time (40 person-days)."
    ]


def test_editing_a_stage_to_an_impossible_effort_keeps_the_old_one(editor_client, initiative):
    stage = StageFactory(initiative=initiative, start=date(2027, 3, 1), end=date(2027, 3, 26))

    response = editor_client.post(reverse("roadmap:stage_edit", args=[stage.pk]), _stage("1000"))

    assert response.status_code == 400
    stage.refresh_from_db()
    assert stage.effort_days == Decimal(5)


def test_the_plan_warns_of_a_stage_that_needs_more_than_three_people_full_time(
    editor_client, roadmap, initiative
):
    heavy = StageFactory(
        initiative=initiative,
        kind="content_creation",
        start=date(2027, 3, 1),
        end=date(2027, 3, 26),
        effort_days=Decimal(70),
    )
    StageFactory(
        initiative=initiative,
        kind="needs_analysis",
        start=date(2027, 3, 1),
        end=date(2027, 3, 26),
        effort_days=Decimal(60),  # exactly three people: not warned
    )

    page = editor_client.get(reverse("roadmap:roadmap_plan", args=[roadmap.pk]))

    effort = [w for w in page.context["warnings"] if w.category == "effort"]
    assert [w.text for w in effort] == [
        "“Manager onboarding toolkit · Content creation”: 70 person-days over 20 working days "
        "is 3.5 people full time. Check the estimate or the dates."
    ]
    assert effort[0].key == f"heavy-stage:stage={heavy.pk}:effort=70:days=20"
    assert "3.5 people full time" in page.content.decode()
    # The initiative's own plan shows it too.
    plan = editor_client.get(reverse("roadmap:initiative_plan", args=[initiative.pk]))
    assert "3.5 people full time" in plan.content.decode()


# An initiative moved to another cycle, its stages left behind -----------------------------------


@pytest.fixture
def moved(roadmap, initiative, person, editor_membership):
    """Committed for Q1 FY27 with two stages in March, then moved to Q2 (its cycle changed
    the way the commitment form changes it, with a justification)."""
    q1, q2 = list(roadmap.cycles.order_by("start"))[:2]
    Initiative.objects.filter(pk=initiative.pk).update(status="committed", cycle=q1)
    initiative.refresh_from_db()
    stages = [
        StageFactory(
            initiative=initiative,
            kind="needs_analysis",
            start=date(2027, 3, 1),
            end=date(2027, 3, 5),
            effort_days=Decimal(4),
            assignee=person,
        ),
        StageFactory(
            initiative=initiative,
            kind="content_creation",
            start=date(2027, 3, 8),
            end=date(2027, 3, 26),
            effort_days=Decimal(12),
            assignee=person,
        ),
    ]
    initiative.change(by=editor_membership.user, justification="Sales asked for June.", cycle=q2)
    return {"initiative": initiative, "q1": q1, "q2": q2, "stages": stages}


def _shift(client, moved, **data):
    offer = {"days": "90", "first_start": "2027-03-01", "back": "plan", **data}
    url = reverse("roadmap:initiative_shift_stages", args=[moved["initiative"].pk])
    return client.post(url, {k: v for k, v in offer.items() if v is not None})


def _planned(client, roadmap) -> dict[str, Decimal]:
    page = client.get(reverse("roadmap:roadmap_capacity", args=[roadmap.pk]))
    names = {cycle.pk: cycle.name for cycle in roadmap.cycles.all()}
    return {names[load.cycle_id]: load.planned_days for load in page.context["capacity"].team}


def _dates(moved) -> list[tuple[date, date]]:
    return [(s.start, s.end) for s in Stage.objects.filter(initiative=moved["initiative"])]


def test_stages_left_in_the_old_cycle_are_warned_with_a_shift(editor_client, roadmap, moved):
    page = editor_client.get(reverse("roadmap:roadmap_plan", args=[roadmap.pk]))

    [warning] = [w for w in page.context["warnings"] if w.category == "cycle"]
    assert warning.text.startswith(
        "2 stages of “Manager onboarding toolkit” fall outside its cycle, Q2 FY27 "
        "(1 Apr 2027 to 30 Jun 2027): Needs analysis, Content creation."
    )
    # Q1 starts on 1 January, Q2 on 1 April: 90 days.
    assert warning.shift.label == "+90 days, from Q1 FY27 to Q2 FY27"
    html = page.content.decode()
    assert "Shift the stages by the same amount" in html
    assert 'name="days" value="90"' in html
    initiative_page = editor_client.get(
        reverse("roadmap:initiative_plan", args=[moved["initiative"].pk])
    )
    assert (
        "2 stages of “Manager onboarding toolkit” fall outside" in initiative_page.content.decode()
    )
    assert "Shift the stages by the same amount" in initiative_page.content.decode()


def test_shifting_moves_every_stage_and_the_capacity_follows(editor_client, roadmap, moved):
    assert _planned(editor_client, roadmap)["Q1 FY27"] == Decimal(16)

    response = _shift(editor_client, moved)

    assert response.status_code == 302
    assert response.url.endswith(f"/roadmaps/{roadmap.pk}/plan/#warnings")
    # 1 March + 90 days is 30 May; 26 March + 90 is 24 June.
    assert _dates(moved) == [
        (date(2027, 5, 30), date(2027, 6, 3)),
        (date(2027, 6, 6), date(2027, 6, 24)),
    ]
    planned = _planned(editor_client, roadmap)
    assert planned["Q1 FY27"] == 0
    assert planned["Q2 FY27"] == Decimal(16)
    assert [w for w in load_plan(roadmap).warnings if w.category == "cycle"] == []
    # Recorded like the move itself: who, when, why.
    [entry, move, *_] = change_log(roadmap, initiative=moved["initiative"])
    assert entry.justification == (
        "Stages shifted by +90 days, from Q1 FY27 to Q2 FY27: "
        "they follow the initiative's cycle again."
    )
    assert entry.who.email == "editor@northwind.test"
    assert move.justification == "Sales asked for June."


def test_a_second_shift_changes_nothing(editor_client, moved):
    first = editor_client.get(_shift(editor_client, moved).url)
    assert [str(m) for m in first.context["messages"]] == [
        "2 stages shifted by +90 days, from Q1 FY27 to Q2 FY27."
    ]
    shifted = _dates(moved)

    response = editor_client.post(
        reverse("roadmap:initiative_shift_stages", args=[moved["initiative"].pk]),
        {"days": "90", "first_start": "2027-03-01", "back": "initiative"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "The stages already follow the initiative's cycle: nothing was shifted."
    ]
    assert _dates(moved) == shifted


def test_a_shift_the_plan_does_not_offer_is_refused(editor_client, moved):
    before = _dates(moved)

    assert _shift(editor_client, moved, days="400").status_code == 302
    assert _shift(editor_client, moved, days=None).status_code == 400
    assert _shift(editor_client, moved, first_start="soon").status_code == 400
    assert _shift(editor_client, moved, back="https://evil.example").status_code == 400

    assert _dates(moved) == before


def test_the_model_refuses_a_shift_worked_out_from_other_dates(moved, editor_membership):
    with pytest.raises(ValidationError, match="moved since"):
        moved["initiative"].shift_stages(
            days=90, first_start=date(2027, 2, 1), by=editor_membership.user, reason="x"
        )
    assert _dates(moved)[0] == (date(2027, 3, 1), date(2027, 3, 5))


def test_viewers_cannot_shift_and_outsiders_do_not_see_the_initiative(
    viewer_client, outsider_client, moved, row_counts
):
    before, dates = row_counts(), _dates(moved)

    assert _shift(viewer_client, moved).status_code == 403
    assert _shift(outsider_client, moved).status_code == 404

    assert row_counts() == before
    assert _dates(moved) == dates


def test_stages_running_on_after_the_cycle_are_how_plans_look():
    q1 = planning.CycleSpan(1, "Q1", date(2027, 1, 1), date(2027, 3, 31))
    q2 = planning.CycleSpan(2, "Q2", date(2027, 4, 1), date(2027, 6, 30))
    build = planning.StageSpan(10, 7, "content_creation", date(2027, 2, 1), date(2027, 3, 26))
    launch = planning.StageSpan(11, 7, "delivery", date(2027, 4, 12), date(2027, 4, 23))
    early = planning.StageSpan(12, 7, "needs_analysis", date(2026, 12, 1), date(2026, 12, 11))

    assert planning.stages_outside_cycles([build, launch], {7: 1}, [q1, q2]) == []
    # Moved back to Q1 after being planned in Q2: every stage is outside, shift -90 days.
    [pulled] = planning.stages_outside_cycles([launch], {7: 1}, [q1, q2])
    assert (pulled.stage_ids, pulled.shift_days) == ((11,), -90)
    # A stage before the cycle is outside; before every cycle, no shift is offered.
    [started_early] = planning.stages_outside_cycles([early, build], {7: 1}, [q1, q2])
    assert (started_early.stage_ids, started_early.shift_days) == ((12,), None)


def test_a_refused_cell_is_listed_above_the_grid_with_a_link_to_it(editor_client, roadmap, team):
    """On a phone the grid scrolls sideways: the message is also above it, out of the scroll."""
    priya = team[0]
    q1 = roadmap.cycles.first()
    url = reverse("roadmap:roadmap_capacity", args=[roadmap.pk])
    response = editor_client.post(url, {f"days_{priya.pk}_{q1.pk}": "forty"})
    assert response.status_code == 400
    summary = response.content.decode().split('<table class="capacity-grid">')[0]
    assert (
        f'<a href="#id_days_{priya.pk}_{q1.pk}">Priya Raman, {q1.name}</a>: '
        "Enter a number of days, like 12 or 12.5." in summary
    )


def test_the_team_row_shows_days_like_the_person_rows(editor_client, roadmap, team):
    """At most one decimal in every row: a third of a day each reads 0.3, the team 0.7."""
    q1 = roadmap.cycles.first()
    assert q1.end == date(2027, 3, 31)
    initiative = InitiativeFactory(roadmap=roadmap, cycle=q1)
    for person in team:  # one day over Wed 31 Mar - Fri 2 Apr: a third of it in Q1
        StageFactory(
            initiative=initiative, assignee=person, effort_days=Decimal(1),
            start=date(2027, 3, 31), end=date(2027, 4, 2),
        )  # fmt: skip
    html = editor_client.get(reverse("roadmap:roadmap_capacity", args=[roadmap.pk])).content
    q1_table = html.decode().split("<tfoot>")[0]
    footer = html.decode().split("<tfoot>")[1].split("</tfoot>")[0]
    assert re.search(r'data-label="Planned">([^<]+)<', footer).group(1) == "0.7"
    assert re.findall(r'data-label="Planned">([^<]+)<', q1_table) == ["0.3", "0.3"]
    tables = html.decode().split('class="capacity-table"')[1].split('id="budget"')[0]
    assert not re.search(r"\d\.\d\d", tables)  # (the chart's data keeps its decimals)
