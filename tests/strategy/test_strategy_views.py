"""The strategy page: start a year, edit the canvas in place with history, priorities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from measurement.models import Kpi
from strategy.models import CanvasAnswer, Priority, Question, Strategy
from tests.conftest import HTMX
from tests.factories import (
    KpiFactory,
    KpiValueFactory,
    PersonFactory,
    PriorityWithKpiFactory,
    StartedStrategyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategy(org):
    return StartedStrategyFactory(org=org, fiscal_year=2027)


@pytest.fixture
def owner(org):
    return PersonFactory(org=org, name="David Chen", department="People")


def answer(strategy, question=Question.AUDIENCE) -> CanvasAnswer:
    return strategy.answers.get(question=question)


# Home and start -------------------------------------------------------------------------


@time_machine.travel(date(2026, 11, 28))
def test_home_redirects_to_this_fiscal_years_strategy(editor_client, org):
    org.fiscal_year_start_month = 2
    org.save()
    StartedStrategyFactory(org=org, fiscal_year=2026)
    current = StartedStrategyFactory(org=org, fiscal_year=2027)
    response = editor_client.get(reverse("strategy:home"))
    assert response.status_code == 302
    assert response.url == reverse("strategy:strategy_detail", args=[current.pk])


def test_home_without_strategy_offers_to_start(editor_client, viewer_client):
    assert b"Start the strategy" in editor_client.get(reverse("strategy:home")).content
    page = viewer_client.get(reverse("strategy:home"))
    assert page.status_code == 200 and b"Start the strategy" not in page.content


def test_editor_starts_a_strategy_with_empty_canvas(editor_client, org):
    response = editor_client.post(reverse("strategy:strategy_create"), {"fiscal_year": 2027})
    strategy = Strategy.objects.get(org=org)
    assert response.status_code == 302
    assert sorted(strategy.answers.values_list("question", flat=True)) == sorted(Question.values)
    again = editor_client.post(reverse("strategy:strategy_create"), {"fiscal_year": 2027})
    assert again.status_code == 400
    assert Strategy.objects.count() == 1


def test_viewer_cannot_start_one(viewer_client):
    assert (
        viewer_client.post(reverse("strategy:strategy_create"), {"fiscal_year": 2027}).status_code
        == 403
    )
    assert not Strategy.objects.exists()


def test_outsider_sees_none_of_it(outsider_client, strategy):
    assert (
        outsider_client.get(reverse("strategy:strategy_detail", args=[strategy.pk])).status_code
        == 404
    )
    assert outsider_client.get(reverse("strategy:one_pager", args=[strategy.pk])).status_code == 404
    assert outsider_client.get(reverse("strategy:home")).status_code == 200  # their empty state


# Canvas in place --------------------------------------------------------------------------


def test_editor_edits_an_answer_in_place_and_history_keeps_the_old_one(
    editor_client, editor_membership, strategy
):
    a = answer(strategy)
    edit = reverse("strategy:answer_edit", args=[a.pk])
    form = editor_client.get(edit, **HTMX)
    assert form.status_code == 200 and b"<form" in form.content and b"<html" not in form.content
    editor_client.post(edit, {"text": "New hires in their first 90 days"}, **HTMX)
    response = editor_client.post(edit, {"text": "New hires and their managers"}, **HTMX)
    assert response.status_code == 200
    assert b"New hires and their managers" in response.content
    assert b"<html" not in response.content
    a.refresh_from_db()
    assert a.text == "New hires and their managers" and a.updated_by == editor_membership.user
    history = editor_client.get(reverse("strategy:answer_history", args=[a.pk]))
    revisions = history.context["revisions"]
    assert [r.text for r in revisions] == [
        "New hires and their managers",
        "New hires in their first 90 days",
        "",
    ]
    assert revisions[0].history_user == editor_membership.user
    # Saving the same text again adds no history entry.
    editor_client.post(edit, {"text": "New hires and their managers"})
    assert a.revisions.count() == 3


def test_cancel_returns_the_answer_fragment(viewer_client, strategy):
    a = answer(strategy)
    response = viewer_client.get(reverse("strategy:answer_detail", args=[a.pk]), **HTMX)
    assert response.status_code == 200 and f'id="answer-{a.pk}"'.encode() in response.content
    page = viewer_client.get(reverse("strategy:answer_detail", args=[a.pk]))
    assert page.status_code == 302


def test_viewer_cannot_edit_an_answer(viewer_client, strategy):
    a = answer(strategy)
    edit = reverse("strategy:answer_edit", args=[a.pk])
    assert viewer_client.get(edit).status_code == 403
    assert viewer_client.post(edit, {"text": "Hijacked"}, **HTMX).status_code == 403
    a.refresh_from_db()
    assert a.text == "" and a.revisions.count() == 1
    assert viewer_client.get(reverse("strategy:answer_history", args=[a.pk])).status_code == 200


def test_outsider_cannot_reach_an_answer(outsider_client, strategy):
    a = answer(strategy)
    for name in ("answer_detail", "answer_edit", "answer_history"):
        assert outsider_client.get(reverse(f"strategy:{name}", args=[a.pk])).status_code == 404
    assert (
        outsider_client.post(
            reverse("strategy:answer_edit", args=[a.pk]), {"text": "x"}
        ).status_code
        == 404
    )
    a.refresh_from_db()
    assert a.text == ""


# Priorities -------------------------------------------------------------------------------


def test_editor_adds_a_priority_with_a_new_kpi(editor_client, strategy, owner, org):
    response = editor_client.post(
        reverse("strategy:priority_create", args=[strategy.pk]),
        {
            "capability": "Keep and grow mid-level managers",
            "problem": "We're struggling to retain mid-level managers.",
            "business_owner": owner.pk,
            "new_kpi_name": "Mid-level manager attrition",
            "new_kpi_unit": "%",
            "new_kpi_direction": "lower",
            "new_kpi_baseline": "14",
            "new_kpi_baseline_date": "2026-02-01",
            "new_kpi_target": "9",
            "new_kpi_target_date": "2027-01-31",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert b'id="priorities"' in response.content and b"<html" not in response.content
    priority = Priority.objects.get(strategy=strategy)
    assert priority.kpi.name == "Mid-level manager attrition"
    assert priority.kpi.org == org and priority.kpi.owner == owner and priority.kpi.has_target
    assert priority.is_complete and priority.rank == 1


def test_priority_without_kpi_or_target_is_incomplete(editor_client, strategy, owner, org):
    url = reverse("strategy:priority_create", args=[strategy.pk])
    editor_client.post(url, {"capability": "A", "problem": "P", "business_owner": owner.pk})
    no_target = KpiFactory(org=org, target=None, target_date=None)
    editor_client.post(
        url, {"capability": "B", "problem": "P", "business_owner": owner.pk, "kpi": no_target.pk}
    )
    a, b = strategy.priorities.ranked()
    assert a.missing == ["no KPI"] and b.missing == ["the KPI has no target"]
    page = editor_client.get(reverse("strategy:strategy_detail", args=[strategy.pk]))
    assert page.content.count(b"Incomplete:") == 2


def test_priority_form_errors_come_back_in_the_fragment(editor_client, strategy, owner, other_org):
    url = reverse("strategy:priority_create", args=[strategy.pk])
    response = editor_client.post(url, {"capability": "", "problem": "P"}, **HTMX)
    assert response.status_code == 200
    assert b"This field is required" in response.content
    foreign_kpi = KpiFactory(org=other_org)
    response = editor_client.post(
        url,
        {"capability": "A", "problem": "P", "business_owner": owner.pk, "kpi": foreign_kpi.pk},
    )
    assert response.status_code == 400
    assert not Priority.objects.exists()


def test_choosing_a_kpi_and_naming_a_new_one_is_refused(editor_client, strategy, owner, org):
    kpi = KpiFactory(org=org)
    response = editor_client.post(
        reverse("strategy:priority_create", args=[strategy.pk]),
        {
            "capability": "A",
            "problem": "P",
            "business_owner": owner.pk,
            "kpi": kpi.pk,
            "new_kpi_name": "Other",
        },
    )
    assert response.status_code == 400
    assert Kpi.objects.count() == 1 and not Priority.objects.exists()


def test_priorities_move_by_rank(editor_client, strategy):
    first, second, third = (PriorityWithKpiFactory(strategy=strategy) for _ in range(3))
    url = reverse("strategy:priority_move", args=[third.pk])
    response = editor_client.post(url, {"direction": "up"}, **HTMX)
    assert response.status_code == 200
    assert list(strategy.priorities.ranked()) == [first, third, second]
    # The moved item keeps its buttons' ids, so htmx gives the focus back to them.
    assert f'id="move-up-{third.pk}"'.encode() in response.content
    editor_client.post(url, {"direction": "up"})
    editor_client.post(url, {"direction": "up"})  # already first: nothing happens
    assert list(strategy.priorities.ranked()) == [third, first, second]
    assert [p.rank for p in strategy.priorities.ranked()] == [1, 2, 3]
    editor_client.post(reverse("strategy:priority_move", args=[first.pk]), {"direction": "down"})
    assert list(strategy.priorities.ranked()) == [third, second, first]
    assert editor_client.post(url, {"direction": "sideways"}).status_code == 400


def test_viewer_cannot_change_priorities(viewer_client, strategy, owner):
    first, second = (
        PriorityWithKpiFactory(strategy=strategy),
        PriorityWithKpiFactory(strategy=strategy),
    )
    assert (
        viewer_client.post(
            reverse("strategy:priority_move", args=[second.pk]), {"direction": "up"}
        ).status_code
        == 403
    )
    assert (
        viewer_client.post(
            reverse("strategy:priority_create", args=[strategy.pk]),
            {"capability": "A", "problem": "P", "business_owner": owner.pk},
        ).status_code
        == 403
    )
    assert (
        viewer_client.post(
            reverse("strategy:priority_edit", args=[first.pk]), {"capability": "X"}
        ).status_code
        == 403
    )
    assert (
        viewer_client.post(reverse("strategy:priority_delete", args=[first.pk])).status_code == 403
    )
    assert list(strategy.priorities.ranked()) == [first, second]
    first.refresh_from_db()
    assert first.capability != "X"


def test_outsider_cannot_touch_priorities(outsider_client, strategy):
    p = PriorityWithKpiFactory(strategy=strategy)
    for name, method in (
        ("priority_edit", "get"),
        ("priority_move", "post"),
        ("priority_delete", "post"),
    ):
        assert (
            getattr(outsider_client, method)(reverse(f"strategy:{name}", args=[p.pk])).status_code
            == 404
        )
    assert (
        outsider_client.post(reverse("strategy:priority_create", args=[strategy.pk])).status_code
        == 404
    )
    assert Priority.objects.filter(pk=p.pk).exists()


def test_editor_edits_and_removes_a_priority(editor_client, strategy, owner):
    p = PriorityWithKpiFactory(strategy=strategy)
    url = reverse("strategy:priority_edit", args=[p.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(
        url, {"capability": "Renamed", "problem": "P", "business_owner": owner.pk, "kpi": p.kpi_id}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.capability == "Renamed" and p.business_owner == owner
    assert editor_client.post(reverse("strategy:priority_delete", args=[p.pk])).status_code == 302
    assert not Priority.objects.exists() and Kpi.objects.filter(pk=p.kpi_id).exists()


# The page and the one-pager ---------------------------------------------------------------


def _priorities(strategy, n):
    for _ in range(n):
        p = PriorityWithKpiFactory(strategy=strategy)
        for month in (3, 6):
            KpiValueFactory(kpi=p.kpi, date=date(2026, month, 1), value=Decimal(80))


# The strategy page (cached: pinned in test_strategy_cache.py) also renders the priority
# form's people and KPI choices.
def test_one_pager_query_count_does_not_grow(editor_client, strategy, django_assert_num_queries):
    queries = 10
    _priorities(strategy, 2)
    url = reverse("strategy:one_pager", args=[strategy.pk])
    editor_client.get(url)
    with django_assert_num_queries(queries) as small:
        editor_client.get(url)
    _priorities(strategy, 8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = editor_client.get(url)
    assert len(response.context["priorities"]) == 10


def test_one_pager_shows_vision_canvas_and_priorities(viewer_client, strategy):
    vision = answer(strategy, Question.VISION)
    vision.revise("Every new hire productive in 60 days.", by=None)
    p = PriorityWithKpiFactory(strategy=strategy, capability="Get new hires productive")
    response = viewer_client.get(reverse("strategy:one_pager", args=[strategy.pk]))
    content = response.content.decode()
    assert "Every new hire productive in 60 days." in content
    assert "Who is our target audience?" in content
    assert p.capability in content and p.kpi.name in content
    assert "Edit" not in content  # a reading page, even for editors
