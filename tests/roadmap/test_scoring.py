"""The score and its breakdown, on edge cases: pure functions, no database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from roadmap import scoring
from roadmap.scoring import DEFAULT_WEIGHTS, Inputs

TODAY = date(2026, 11, 28)


def weighted(inputs: Inputs, weights=DEFAULT_WEIGHTS):
    return scoring.score(inputs, model="weighted", weights=weights, today=TODAY)


def test_the_best_possible_request_scores_100_and_the_worst_0():
    best = Inputs(
        priority_position=1,
        priority_count=3,
        evidence="metric",
        audience_size=5000,
        needed_by=TODAY,
        gap="knowledge",
        effort_days=0,
    )
    worst = Inputs(evidence="none", audience_size=None, gap="process", effort_days=500)
    assert weighted(best).total == pytest.approx(100)
    assert weighted(worst).total == pytest.approx(0)


def test_breakdown_sums_to_the_total_and_names_every_factor():
    score = weighted(Inputs(priority_position=2, priority_count=4, evidence="stakeholder"))
    assert [f.key for f in score.factors] == list(scoring.FACTORS)
    assert sum(f.points for f in score.factors) == pytest.approx(score.total)
    alignment = score.factors[0]
    assert alignment.value == pytest.approx(0.75)
    assert alignment.explanation == "Serves priority #2 of 4."
    assert alignment.points == pytest.approx(0.75 * 30)


def test_unknown_effort_and_fit_sit_in_the_middle():
    score = weighted(Inputs())
    by_key = {f.key: f for f in score.factors}
    assert by_key["effort"].value == 0.5
    assert by_key["training_fit"].value == 0.5
    assert by_key["effort"].explanation == "No estimate yet."


@pytest.mark.parametrize("gap", ["process", "tools", "incentives", "hiring"])
def test_a_non_training_gap_gets_no_training_fit(gap):
    factor = {f.key: f for f in weighted(Inputs(gap=gap)).factors}["training_fit"]
    assert factor.value == 0
    assert "training alone will not fix it" in factor.explanation


@pytest.mark.parametrize(
    ("size", "value"), [(None, 0), (0, 0), (1, 0), (10, 1 / 3), (100, 2 / 3), (1000, 1), (10**6, 1)]
)
def test_reach_grows_on_a_log_scale_and_caps(size, value):
    assert scoring.reach(Inputs(audience_size=size))[0] == pytest.approx(value)


@pytest.mark.parametrize(("days", "value"), [(-30, 1), (0, 1), (73, 0.8), (365, 0), (800, 0)])
def test_urgency_from_the_needed_by_date(days, value):
    inputs = Inputs(needed_by=TODAY + timedelta(days=days))
    assert scoring.urgency(inputs, TODAY)[0] == pytest.approx(value)


def test_all_weights_zero_scores_zero_instead_of_dividing_by_zero():
    weights = dict.fromkeys(scoring.FACTORS, 0)
    score = weighted(Inputs(priority_position=1, priority_count=1), weights)
    assert score.total == 0
    assert all(f.points == 0 for f in score.factors)


def test_one_weight_alone_makes_that_factor_the_whole_score():
    weights = {**dict.fromkeys(scoring.FACTORS, 0), "evidence": 7}
    assert weighted(Inputs(evidence="metric"), weights).total == pytest.approx(100)
    assert weighted(Inputs(evidence="stakeholder"), weights).total == pytest.approx(60)


def test_a_higher_ranked_priority_ranks_a_request_higher():
    first = weighted(Inputs(priority_position=1, priority_count=5))
    last = weighted(Inputs(priority_position=5, priority_count=5))
    none = weighted(Inputs())
    assert first.total > last.total > none.total


def test_rice_is_reach_times_impact_times_confidence_over_effort_months():
    score = scoring.score(
        Inputs(audience_size=200, impact=Decimal("2"), evidence="stakeholder", effort_days=40),
        model="rice",
        weights=DEFAULT_WEIGHTS,
        today=TODAY,
    )
    assert score.total == pytest.approx(200 * 2 * 0.8 / 2)
    assert score.display == "160.0"
    assert [f.key for f in score.factors] == ["reach", "impact", "confidence", "effort"]


def test_rice_without_an_effort_estimate_has_no_score_and_sorts_last():
    score = scoring.rice(Inputs(audience_size=200, effort_days=None))
    assert score.total is None
    assert score.display == "—"
    assert score.sort_key < scoring.rice(Inputs(audience_size=0, effort_days=10)).sort_key


def test_rice_breakdown_shows_the_effort_the_score_divides_by():
    # 15 person-days are 0.75 of a 20-day month; "0.8" would not reproduce the score.
    score = scoring.rice(
        Inputs(audience_size=300, impact=Decimal(1), evidence="metric", effort_days=15)
    )
    effort = next(f for f in score.factors if f.key == "effort")
    assert effort.explanation == "15 person-days = 0.75 person-months."
    assert score.total == pytest.approx(300 * 1 * 1.0 / 0.75)
    assert effort.value == 0.75


@pytest.mark.parametrize(
    ("days", "text"),
    [(1, "Needed in 1 day."), (2, "Needed in 2 days."), (30, "Needed in 30 days.")],
)
def test_urgency_reads_as_a_sentence(days, text):
    today = date(2026, 11, 29)
    inputs = scoring.Inputs(needed_by=today + timedelta(days=days))
    assert scoring.urgency(inputs, today)[1] == text


@pytest.mark.parametrize(
    ("effort", "text"), [(1, "About 1 person-day."), (15, "About 15 person-days.")]
)
def test_effort_reads_as_a_sentence(effort, text):
    assert scoring.effort(scoring.Inputs(effort_days=effort))[1] == text
