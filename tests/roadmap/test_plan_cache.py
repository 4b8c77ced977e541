"""The plan and capacity pages are cached under the roadmap's and the organisation's
versions (roadmap_site/cache.py): a second view reads none of the plan, and every write of
what they show makes the next view show it. Their forms carry each visitor's CSRF token.

The cache is the test settings' locmem cache, emptied before each test (tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from roadmap.models import CapacityEntry, SmeAvailability, TimeOff
from tests.conftest import HTMX
from tests.factories import PersonFactory, StageFactory
from tests.roadmap.test_align_commitments import edit_data
from tests.roadmap.test_plan_queries import fill

pytestmark = pytest.mark.django_db

NO_SME = "no SME is assigned"
# A cached view: session, user, memberships (the current one and the header's others, one
# query), the roadmap (+org); SAVEPOINT, RELEASE. Nothing of the plan.
WARM_QUERIES = 6


@pytest.fixture
def planned(roadmap, initiative, person):
    """A content-creation stage without an SME: the plan warns about it."""
    initiative.cycle = roadmap.cycles.first()
    initiative.save()
    stage = StageFactory(initiative=initiative, assignee=person, effort_days=Decimal(5))
    return {"roadmap": roadmap, "initiative": initiative, "stage": stage, "person": person}


def plan(client, roadmap) -> str:
    return client.get(reverse("roadmap:roadmap_plan", args=[roadmap.pk])).content.decode()


def capacity(client, roadmap) -> str:
    return client.get(reverse("roadmap:roadmap_capacity", args=[roadmap.pk])).content.decode()


def warning_key(client, roadmap) -> str:
    found = re.search(r'name="key" value="([^"]+)"', plan(client, roadmap))
    assert found, "the plan shows no warning to acknowledge"
    return found.group(1)


@pytest.mark.parametrize("n", [10, 500])
@pytest.mark.parametrize("name", ["roadmap_plan", "roadmap_capacity"])
def test_a_second_view_reads_nothing_of_the_plan(
    editor_client, roadmap, n, name, django_assert_num_queries
):
    fill(roadmap, n)
    url = reverse(f"roadmap:{name}", args=[roadmap.pk])
    first = editor_client.get(url)
    with django_assert_num_queries(WARM_QUERIES):
        second = editor_client.get(url)
    assert second.status_code == 200
    # The same page (each with its own masked CSRF token, of the same length).
    assert len(second.content) == len(first.content)


@pytest.mark.parametrize("fragment", [{"warnings": "1"}, {"cycle": "none"}])
def test_the_plan_fragments_are_cached_too(
    editor_client, roadmap, fragment, django_assert_num_queries
):
    fill(roadmap, 50)
    url = reverse("roadmap:roadmap_plan", args=[roadmap.pk])
    first = editor_client.get(url, fragment, **HTMX)
    # No header on a fragment, but its memberships come with the current one: as the page.
    with django_assert_num_queries(WARM_QUERIES):
        second = editor_client.get(url, fragment, **HTMX)
    assert second.status_code == first.status_code == 200
    assert "<html" not in second.content.decode()


@pytest.mark.parametrize("name", ["roadmap_plan", "roadmap_capacity"])
def test_roles_on_the_cached_pages(viewer_client, outsider_client, editor_client, planned, name):
    url = reverse(f"roadmap:{name}", args=[planned["roadmap"].pk])
    write_button = {"roadmap_plan": ">Acknowledge</button>", "roadmap_capacity": "Save capacity"}
    editor_page = editor_client.get(url).content.decode()
    viewer_page = viewer_client.get(url).content.decode()
    # The editor's copy (with forms) is not what a viewer gets, whichever is cached first.
    assert write_button[name] in editor_page
    assert write_button[name] not in viewer_page
    assert write_button[name] in editor_client.get(url).content.decode()
    assert outsider_client.get(url).status_code == 404


def test_cached_forms_carry_this_visitors_csrf_token(planned, editor_membership):
    """Two editors read the same cache entry; each gets a token that their POST passes with,
    and the placeholder never reaches a page."""
    roadmap = planned["roadmap"]
    answers = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor_membership.user)
        page = plan(client, roadmap)
        assert "csrf-token-of-this-response" not in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        key = re.search(r'name="key" value="([^"]+)"', page).group(1)
        url = reverse("roadmap:warning_acknowledge", args=[roadmap.pk])
        answers.append(
            client.post(url, {"key": key, "note": "Known.", "csrfmiddlewaretoken": token})
        )
        client.post(
            reverse("roadmap:warning_unacknowledge", args=[roadmap.pk]),
            {"key": key, "csrfmiddlewaretoken": token},
        )
    assert [answer.status_code for answer in answers] == [302, 302]


# Staleness: every write of what the pages show, then the next view ----------------------


def test_renaming_an_initiative_shows_on_both_pages(editor_client, planned, person):
    roadmap, initiative = planned["roadmap"], planned["initiative"]
    CapacityEntry.objects.create(
        org=roadmap.org, person=person, cycle=initiative.cycle, days=Decimal(1)
    )  # over-allocated: the capacity page names the initiative
    assert initiative.title in plan(editor_client, roadmap)
    assert initiative.title in capacity(editor_client, roadmap)
    url = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(url, edit_data(initiative, title="Onboarding toolkit v2"))
    assert "Onboarding toolkit v2" in plan(editor_client, roadmap)
    assert "Onboarding toolkit v2" in capacity(editor_client, roadmap)


def test_acknowledging_and_reopening_a_warning_show_on_the_next_view(editor_client, planned):
    roadmap = planned["roadmap"]
    key = warning_key(editor_client, roadmap)
    assert "Acknowledged</strong>" not in plan(editor_client, roadmap)
    editor_client.post(
        reverse("roadmap:warning_acknowledge", args=[roadmap.pk]), {"key": key, "note": "Fine."}
    )
    assert "Acknowledged</strong>" in plan(editor_client, roadmap)
    editor_client.post(reverse("roadmap:warning_unacknowledge", args=[roadmap.pk]), {"key": key})
    assert "Acknowledged</strong>" not in plan(editor_client, roadmap)


def test_adding_and_removing_an_sme_show_on_the_next_view(editor_client, planned, org):
    roadmap, initiative = planned["roadmap"], planned["initiative"]
    sme = PersonFactory(org=org, name="Dana Okafor")
    assert NO_SME in plan(editor_client, roadmap)
    editor_client.post(reverse("roadmap:sme_add", args=[initiative.pk]), {"person": sme.pk})
    assert NO_SME not in plan(editor_client, roadmap)
    assignment = initiative.sme_assignments.get()
    editor_client.post(reverse("roadmap:sme_remove", args=[assignment.pk]))
    assert NO_SME in plan(editor_client, roadmap)


def test_a_stage_shift_shows_on_the_next_view(editor_client, planned, editor_membership):
    roadmap, initiative, stage = planned["roadmap"], planned["initiative"], planned["stage"]
    assert "1 Mar \u2013 12 Mar" in plan(editor_client, roadmap)
    initiative.shift_stages(
        days=7, first_start=stage.start, by=editor_membership.user, reason="Later."
    )
    assert "8 Mar \u2013 19 Mar" in plan(editor_client, roadmap)


def test_the_capacity_grid_and_the_budget_show_on_the_next_view(editor_client, planned):
    roadmap, person, cycle = planned["roadmap"], planned["person"], planned["initiative"].cycle
    assert "12,345" not in capacity(editor_client, roadmap)
    field = f"days_{person.pk}_{cycle.pk}"
    grid = {f"days_{person.pk}_{c.pk}": "" for c in roadmap.cycles.all()}
    editor_client.post(
        reverse("roadmap:roadmap_capacity", args=[roadmap.pk]), {**grid, field: "17.5"}
    )
    assert 'value="17.5"' in capacity(editor_client, roadmap)
    editor_client.post(reverse("roadmap:roadmap_budget", args=[roadmap.pk]), {"budget": "12345"})
    assert "12,345" in capacity(editor_client, roadmap)


@pytest.mark.parametrize(
    ("create", "delete", "model"),
    [
        ("time_off_create", "time_off_delete", TimeOff),
        ("availability_create", "availability_delete", SmeAvailability),
    ],
)
def test_time_off_and_availability_show_on_the_next_view(
    editor_client, planned, create, delete, model
):
    roadmap, person = planned["roadmap"], planned["person"]
    start = date(2027, 3, 2)
    data = {"person": person.pk, "start": start, "end": start + timedelta(days=3), "note": "Zq"}
    assert '<small class="muted">Zq</small>' not in capacity(editor_client, roadmap)
    editor_client.post(reverse(f"roadmap:{create}", args=[roadmap.pk]), data)
    assert '<small class="muted">Zq</small>' in capacity(editor_client, roadmap)
    row = model.objects.get(note="Zq")
    editor_client.post(reverse(f"roadmap:{delete}", args=[roadmap.pk, row.pk]))
    assert '<small class="muted">Zq</small>' not in capacity(editor_client, roadmap)


# The rules' answers are remembered under their inputs: a rename does not re-run them ------


def test_a_rename_reuses_the_rules_answers_and_a_new_date_runs_them(
    editor_client, planned, person, monkeypatch
):
    """The names are put in at view time; the rules run again only for new dates, efforts,
    assignees, dependencies, capacity, time off, SME windows or calendar events."""
    from roadmap import planning

    roadmap, initiative, stage = planned["roadmap"], planned["initiative"], planned["stage"]
    CapacityEntry.objects.create(
        org=roadmap.org, person=person, cycle=initiative.cycle, days=Decimal(1)
    )
    runs: list[str] = []
    for rule in ("plan_warnings", "capacity_per_cycle"):
        real = getattr(planning, rule)
        monkeypatch.setattr(
            planning,
            rule,
            lambda *a, _real=real, _name=rule, **kw: runs.append(_name) or _real(*a, **kw),
        )
    assert NO_SME in plan(editor_client, roadmap)
    assert "over-allocated" in capacity(editor_client, roadmap)
    assert sorted(set(runs)) == ["capacity_per_cycle", "plan_warnings"]

    runs.clear()
    url = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(url, edit_data(initiative, title="Onboarding toolkit v2"))
    page = plan(editor_client, roadmap)
    assert "Onboarding toolkit v2" in page and NO_SME in page  # the warning, renamed
    assert "Onboarding toolkit v2" in capacity(editor_client, roadmap)
    assert runs == []

    edit = reverse("roadmap:stage_edit", args=[stage.pk])
    response = editor_client.get(edit)
    assert response.status_code == 200
    data = {
        name: "" if value is None else value
        for name, value in response.context["form"].initial.items()
    }
    data.update(start=date(2027, 4, 5), end=date(2027, 4, 9))
    assert editor_client.post(edit, data).status_code in (200, 302)
    assert "5 Apr \u2013 9 Apr" in plan(editor_client, roadmap)
    assert "plan_warnings" in runs


def test_adding_and_removing_an_sme_move_the_organisations_figures(editor_client, planned, org):
    """SME engagement on the measurement dashboard is cached on the organisation's
    versions: both the addition and the removal must move them."""
    initiative = planned["initiative"]
    sme = PersonFactory(org=org, name="Dana Okafor")

    def versions():
        org.refresh_from_db()
        return org.version, org.steady_version

    before = versions()
    editor_client.post(reverse("roadmap:sme_add", args=[initiative.pk]), {"person": sme.pk})
    added = versions()
    assert added[0] > before[0] and added[1] > before[1]
    assignment = initiative.sme_assignments.get()
    editor_client.post(reverse("roadmap:sme_remove", args=[assignment.pk]))
    removed = versions()
    assert removed[0] > added[0] and removed[1] > added[1]
