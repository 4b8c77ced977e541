"""The request list sorts by a score total the database computes (`Scorer.with_total`):
it must equal what `roadmap.scoring` computes in Python for the same request, factor by
factor, under both scoring models and any weights. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from roadmap.models import AssessSettings, Scorer, TrainingRequest
from tests.factories import PriorityFactory, StrategyFactory

TODAY = date(2026, 11, 28)

# Every value each input takes at an edge or in between.
SIZES = [None, 0, 1, 2, 40, 999, 1000, 25_000]
NEEDED = [None, TODAY - timedelta(days=30), TODAY, TODAY + timedelta(days=1),
          TODAY + timedelta(days=200), TODAY + timedelta(days=365),
          TODAY + timedelta(days=900)]  # fmt: skip
EFFORTS = [None, 0, 1, 15, 119, 120, 500]
EVIDENCE = ["metric", "stakeholder", "none"]
GAPS = ["knowledge", "process", "unknown", "hiring"]
IMPACTS = ["3", "2", "1", "0.5", "0.25"]


@pytest.fixture
def requests_of_every_kind(org):
    strategy = StrategyFactory(org=org)
    priorities = [PriorityFactory(strategy=strategy, rank=rank) for rank in (1, 2, 3)]
    other_strategy = StrategyFactory(org=org, fiscal_year=strategy.fiscal_year + 1)
    priorities.append(PriorityFactory(strategy=other_strategy, rank=1))
    choices = itertools.product(SIZES, NEEDED, EFFORTS)
    rows = []
    for n, (size, needed, effort) in enumerate(choices):
        rows.append(
            TrainingRequest(
                org=org,
                title=f"Request {n}",
                problem="p",
                audience_size=size,
                needed_by=needed,
                effort_days=effort,
                evidence_kind=EVIDENCE[n % 3],
                gap=GAPS[n % 4],
                impact=IMPACTS[n % 5],
                priority=None if n % 6 == 5 else priorities[n % 4],
            )
        )
    return TrainingRequest.objects.bulk_create(rows)


WEIGHTS = [
    None,  # the defaults
    {"alignment": 0, "evidence": 0, "reach": 100, "urgency": 0, "training_fit": 0, "effort": 0},
    {"alignment": 5, "evidence": 0, "reach": 7, "urgency": 90, "training_fit": 1, "effort": 33},
    {"alignment": 0, "evidence": 0, "reach": 0, "urgency": 0, "training_fit": 0, "effort": 0},
]


@pytest.mark.parametrize("model", ["weighted", "rice"])
@pytest.mark.parametrize("weights", WEIGHTS, ids=["default", "reach", "mixed", "none"])
def test_the_databases_total_is_the_python_score(org, requests_of_every_kind, model, weights):
    settings_obj = AssessSettings.for_org(org)
    settings_obj.scoring_model = model
    for key, weight in (weights or {}).items():
        setattr(settings_obj, f"weight_{key}", weight)
    settings_obj.save()
    scorer = Scorer(org, today=TODAY)

    rows = scorer.with_total(TrainingRequest.objects.for_org(org).for_list())

    compared = 0
    for row in rows:
        expected = scorer.score(row).total
        if expected is None:
            assert row.score_total is None, row.title
        else:
            assert row.score_total == pytest.approx(expected, rel=1e-9, abs=1e-9), row.title
            compared += 1
    assert compared >= len(requests_of_every_kind) // 2
    # Not all alike: the test would pass on a constant otherwise.
    assert len({round(row.score_total or -1, 6) for row in rows}) > 3 or weights == WEIGHTS[3]
