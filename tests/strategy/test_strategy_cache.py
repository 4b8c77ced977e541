"""The strategy page is rendered once per organisation version, day and reader role: every
write it shows bumps the version, so the next view shows the change (strategy/views.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from roadmap_site.cache import bump_org
from strategy.models import Question
from tests.factories import KpiValueFactory, PersonFactory, PriorityWithKpiFactory
from tests.strategy.test_strategy_views import _priorities, answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategy(org):
    from tests.factories import StartedStrategyFactory

    return StartedStrategyFactory(org=org, fiscal_year=2027)


def page(client, strategy) -> str:
    return client.get(reverse("strategy:strategy_detail", args=[strategy.pk])).content.decode()


def test_an_edited_answer_shows_on_the_next_view(editor_client, viewer_client, strategy):
    page(editor_client, strategy), page(viewer_client, strategy)  # both roles cached
    a = answer(strategy, Question.VISION)
    edit = reverse("strategy:answer_edit", args=[a.pk])
    assert editor_client.post(edit, {"text": "Productive in 60 days"}).status_code == 302
    assert "Productive in 60 days" in page(editor_client, strategy)
    assert "Productive in 60 days" in page(viewer_client, strategy)


def test_a_priority_added_or_renamed_shows_on_the_next_view(editor_client, strategy, org):
    owner = PersonFactory(org=org, name="David Chen")
    assert "Get new hires productive" not in page(editor_client, strategy)
    create = reverse("strategy:priority_create", args=[strategy.pk])
    data = {"capability": "Get new hires productive", "problem": "Slow", "business_owner": owner.pk}
    assert editor_client.post(create, data).status_code == 302
    assert "Get new hires productive" in page(editor_client, strategy)
    priority = strategy.priorities.get()
    edit = reverse("strategy:priority_edit", args=[priority.pk])
    assert editor_client.post(edit, {**data, "capability": "Ramp up faster"}).status_code == 302
    html = page(editor_client, strategy)
    assert "Ramp up faster" in html and "Get new hires productive" not in html


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_a_recorded_kpi_value_shows_on_the_next_view(editor_client, strategy):
    p = PriorityWithKpiFactory(strategy=strategy)
    bump_org(strategy.org)  # the factory wrote around the services
    assert "123.45" not in page(editor_client, strategy)
    record = reverse("measurement:kpi_value_record", args=[p.kpi_id])
    response = editor_client.post(record, {"date": "2026-11-02", "value": "123.45"})
    assert response.status_code in (200, 302)
    assert "123.45" in page(editor_client, strategy)


def test_a_new_year_shows_in_the_other_years_menu(editor_client, strategy):
    assert "Other years" not in page(editor_client, strategy)
    response = editor_client.post(reverse("strategy:strategy_create"), {"fiscal_year": 2028})
    assert response.status_code == 302
    assert "FY28" in page(editor_client, strategy)


def test_readers_of_each_role_get_their_own_page(editor_client, viewer_client, strategy):
    PriorityWithKpiFactory(strategy=strategy, capability="Get new hires productive")
    bump_org(strategy.org)
    editor, viewer = page(editor_client, strategy), page(viewer_client, strategy)
    assert "↑ Up" in editor and "↑ Up" not in viewer
    assert "Get new hires productive" in viewer
    # Each visitor's forms carry their own CSRF token, not the cached placeholder.
    assert "csrf-token-of-this-response" not in editor


def test_the_status_follows_the_day_without_a_write(editor_client, strategy):
    p = PriorityWithKpiFactory(strategy=strategy)
    KpiValueFactory(kpi=p.kpi, date=date(2026, 3, 1), value=Decimal(80))
    bump_org(strategy.org)
    day = date(2026, 11, 30)
    with time_machine.travel(day, tick=False):
        first = page(editor_client, strategy)
    with time_machine.travel(day + timedelta(days=400), tick=False):
        later = page(editor_client, strategy)
    # Not served from the first day's entry: a year on, the same value reads as stale data.
    assert first != later


def test_strategy_page_queries_do_not_grow(editor_client, strategy, django_assert_num_queries):
    url = reverse("strategy:strategy_detail", args=[strategy.pk])
    _priorities(strategy, 2)
    bump_org(strategy.org)
    # The first view after a change: session and membership, the strategy, then its
    # answers, priorities with their KPIs' status, the other years and the form's choices.
    with django_assert_num_queries(12) as small:
        editor_client.get(url)
    _priorities(strategy, 8)
    bump_org(strategy.org)
    with django_assert_num_queries(len(small.captured_queries)):
        html = editor_client.get(url).content.decode()
    assert html.count('class="priority-rank"') == 10
    # Warm: the session, memberships (with the header's), the strategy; the body from the cache.
    with django_assert_num_queries(6):
        editor_client.get(url)
