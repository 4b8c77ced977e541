"""The request list's filters, without HTTP: `TrainingRequestFilterForm.filter` on a
QuerySet and `in_order` on scored rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from roadmap.forms import TrainingRequestFilterForm
from roadmap.models import Scorer, TrainingRequest
from tests.factories import PriorityFactory, StrategyFactory, TrainingRequestFactory


@pytest.fixture
def rows(org, other_org):
    strategy = StrategyFactory(org=org)
    retention = PriorityFactory(strategy=strategy, capability="Retention", rank=1)
    onboarding = PriorityFactory(strategy=strategy, capability="Onboarding", rank=2)
    make = TrainingRequestFactory
    return {
        "retention": retention,
        "onboarding": onboarding,
        "other_priority": PriorityFactory(strategy=StrategyFactory(org=other_org)),
        "a": make(org=org, title="A", priority=retention, requester_department="Sales"),
        "b": make(
            org=org,
            title="B",
            priority=retention,
            requester_department="Support",
            state="declined",
            decision_reason="Not now.",
        ),
        "c": make(org=org, title="C", priority=onboarding, requester_department="Sales"),
        "d": make(org=org, title="D", priority=None, requester_department=""),
        "elsewhere": make(org=other_org, title="E", requester_department="Legal"),
    }


def _titles(form, org) -> list[str]:
    return sorted(r.title for r in form.filter(TrainingRequest.objects.for_org(org)))


def test_departments_are_those_of_the_orgs_requests(org, rows):
    form = TrainingRequestFilterForm.for_org(org)
    assert form.fields["department"].choices == [
        ("", "Any department"),
        ("Sales", "Sales"),
        ("Support", "Support"),
    ]


@pytest.mark.parametrize(
    ("data", "titles"),
    [
        ({}, ["A", "B", "C", "D"]),
        ({"state": "declined"}, ["B"]),
        ({"state": "new"}, ["A", "C", "D"]),
        ({"priority": "retention"}, ["A", "B"]),
        ({"department": "Sales"}, ["A", "C"]),
        ({"priority": "retention", "department": "Sales", "state": "new"}, ["A"]),
        ({"priority": "onboarding", "department": "Support"}, []),
    ],
)
def test_filter_chooses_requests(org, rows, data, titles):
    data = {k: rows[v].pk if k == "priority" else v for k, v in data.items()}
    assert _titles(TrainingRequestFilterForm.for_org(org, data), org) == titles


@pytest.mark.parametrize(
    "data",
    [
        {"state": "lost"},
        {"priority": "other_priority"},  # another organisation's
        {"priority": "x"},
        {"department": "Legal"},  # only another organisation's requests come from Legal
        {"sort": "random"},
    ],
)
def test_invalid_filters_choose_everything_sorted_by_score(org, rows, data):
    data = {k: rows[v].pk if v in rows else v for k, v in data.items()}
    form = TrainingRequestFilterForm.for_org(org, data)
    assert not form.is_valid()
    assert _titles(form, org) == ["A", "B", "C", "D"]
    assert form.order == "score"


def test_in_order_by_newest_and_by_needed_soonest(org):
    make = TrainingRequestFactory
    old = make(org=org, title="Old", submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
               needed_by=date(2026, 5, 1))  # fmt: skip
    new = make(org=org, title="New", submitted_at=datetime(2026, 3, 1, tzinfo=UTC),
               needed_by=None)  # fmt: skip
    mid = make(org=org, title="Mid", submitted_at=datetime(2026, 2, 1, tzinfo=UTC),
               needed_by=date(2026, 4, 1))  # fmt: skip
    rows = Scorer(org).with_total(TrainingRequest.objects.for_org(org).order_by("pk"))

    def order(sort: str) -> list[str]:
        form = TrainingRequestFilterForm.for_org(org, {"sort": sort})
        return [item.title for item in form.in_order(rows)]

    assert order("newest") == [new.title, mid.title, old.title]
    assert order("needed_by") == [mid.title, old.title, new.title]  # no date last


def test_in_order_by_score_highest_first_then_newest_id(org, rows):
    scorer = Scorer(org)
    rows = scorer.with_total(TrainingRequest.objects.for_org(org).order_by("pk"))
    form = TrainingRequestFilterForm.for_org(org, {})

    ordered = scorer.scored(form.in_order(rows))

    keys = [(score.sort_key, item.pk) for item, score in ordered]
    assert keys == sorted(keys, reverse=True)
    # Requests serving the #1 priority outscore the one with none.
    titles = [item.title for item, _ in ordered]
    assert titles.index("A") < titles.index("D")
