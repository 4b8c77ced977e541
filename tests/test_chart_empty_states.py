"""A chart with nothing to draw is an empty state with the next step, not an empty grid."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roadmap.models import ShareLink
from tests.conftest import HTMX
from tests.factories import (
    CapacityEntryFactory,
    InitiativeFactory,
    KpiFactory,
    KpiValueFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

NEXT_STEP = "Add the first one below"


# The roadmap's initiatives per cycle ---------------------------------------------------------


def test_new_roadmap_shows_the_next_step_not_an_empty_chart(editor_client, roadmap):
    text = editor_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk])).text
    assert 'id="chart-initiatives-per-cycle"' not in text
    assert 'class="chart-empty"' in text
    assert "No initiatives yet." in text
    assert NEXT_STEP in text
    assert f'href="{reverse("roadmap:request_list")}"' in text


def test_a_viewer_is_not_told_to_add_one(viewer_client, roadmap):
    text = viewer_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk])).text
    assert "No initiatives yet." in text
    assert NEXT_STEP not in text
    assert "data-chart-soon" not in text  # no chart is coming: Plotly is not loaded


def test_a_writers_empty_state_loads_plotly_for_the_chart_to_come(editor_client, roadmap):
    text = editor_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk])).text
    assert '<div class="chart-empty" data-chart-soon>' in text


def test_the_chart_is_drawn_once_there_is_an_initiative(editor_client, initiative):
    text = editor_client.get(reverse("roadmap:roadmap_detail", args=[initiative.roadmap_id])).text
    assert 'id="chart-initiatives-per-cycle"' in text
    assert 'class="chart-empty"' not in text


def test_the_refreshed_fragment_swaps_the_empty_state_for_the_chart(editor_client, roadmap):
    url = reverse("roadmap:roadmap_chart", args=[roadmap.pk])
    before = editor_client.get(url, **HTMX).text
    assert 'class="chart-empty"' in before
    # The fragment keeps its trigger, so adding the first initiative refreshes it.
    assert 'hx-trigger="roadmap-changed from:body"' in before
    InitiativeFactory(roadmap=roadmap)
    after = editor_client.get(url, **HTMX).text
    assert 'id="chart-initiatives-per-cycle"' in after
    assert 'class="chart-empty"' not in after


def test_the_shared_page_of_an_empty_roadmap_offers_no_workspace_step(client, editor_membership):
    from tests.factories import RoadmapFactory

    roadmap = RoadmapFactory(org=editor_membership.org)
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None)
    text = client.get(reverse("roadmap:shared_roadmap", args=[token])).text
    assert "No initiatives yet." in text
    assert NEXT_STEP not in text
    assert 'id="chart-initiatives-per-cycle"' not in text


# The timeline ----------------------------------------------------------------------------------


def timeline(client, roadmap, **params) -> str:
    return client.get(reverse("roadmap:roadmap_timeline", args=[roadmap.pk]), params).text


def test_timeline_of_a_new_roadmap_says_where_to_start(editor_client, roadmap):
    text = timeline(editor_client, roadmap)
    assert 'id="chart-timeline"' not in text
    assert "No initiatives yet." in text
    assert f'href="{reverse("roadmap:roadmap_detail", args=[roadmap.pk])}"' in text


def test_timeline_says_when_filters_hide_everything(editor_client, initiative, org):
    someone_else = PersonFactory(org=org, is_ld_team=True)
    text = timeline(editor_client, initiative.roadmap, owner=someone_else.pk)
    assert "No initiative matches these filters." in text
    assert "Clear the filters</a> to see all 1." in text


def test_timeline_says_what_unscheduled_initiatives_lack(editor_client, roadmap):
    InitiativeFactory(roadmap=roadmap, cycle=None)
    text = timeline(editor_client, roadmap)
    assert 'id="chart-timeline"' not in text
    assert "Nothing to draw yet:</strong> the initiative has no cycle and no stages." in text
    assert f'href="{reverse("roadmap:roadmap_plan", args=[roadmap.pk])}"' in text


def test_timeline_draws_a_scheduled_initiative(editor_client, initiative):
    assert 'id="chart-timeline"' in timeline(editor_client, initiative.roadmap)


# Capacity ----------------------------------------------------------------------------------------


def test_capacity_without_days_or_work_shows_the_next_step(editor_client, roadmap):
    text = editor_client.get(reverse("roadmap:roadmap_capacity", args=[roadmap.pk])).text
    assert 'id="chart-capacity"' not in text
    assert "Nothing to compare yet:" in text
    # Nobody is in the L&D team: the first step is the People page.
    assert f'on <a href="{reverse("people")}">People</a>' in text


def test_capacity_with_a_team_points_at_the_grid(editor_client, roadmap, person):
    text = editor_client.get(reverse("roadmap:roadmap_capacity", args=[roadmap.pk])).text
    assert '<a href="#capacity-form">days per person and cycle</a>' in text


def test_capacity_chart_is_drawn_once_someone_has_days(editor_client, roadmap, person):
    CapacityEntryFactory(person=person, cycle=roadmap.cycles.first())
    text = editor_client.get(reverse("roadmap:roadmap_capacity", args=[roadmap.pk])).text
    assert 'id="chart-capacity"' in text
    assert "Nothing to compare yet:" not in text


# A KPI's trend ---------------------------------------------------------------------------------


def test_kpi_without_values_points_a_writer_at_recording_one(editor_client, viewer_client, org):
    kpi = KpiFactory(org=org)
    url = reverse("measurement:kpi_detail", args=[kpi.pk])
    text = editor_client.get(url).text
    assert 'id="chart-kpi-trend"' not in text
    assert '<a href="#record-h">record the first one</a>' in text
    viewer_text = viewer_client.get(url).text
    assert "No values yet." in viewer_text
    assert "record the first one" not in viewer_text


def test_kpi_with_a_value_draws_its_trend(viewer_client, org):
    kpi = KpiFactory(org=org)
    KpiValueFactory(kpi=kpi)
    text = viewer_client.get(reverse("measurement:kpi_detail", args=[kpi.pk])).text
    assert 'id="chart-kpi-trend"' in text
    assert 'class="chart-empty"' not in text
