"""NPS on hand-computed cases and the issue's edges, and `record_response`'s refusals."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from measurement.models import Program, SurveyResponse
from measurement.surveys import Nps, distribution, nps, nps_by_program, pooled, record_response
from tests.factories import InitiativeFactory, RoadmapFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 1)


def make_program(org, title: str = "") -> Program:
    """A program of `org`: an initiative as measurement sees it."""
    extra = {"title": title} if title else {}
    initiative = InitiativeFactory(roadmap=RoadmapFactory(org=org), **extra)
    return Program.objects.for_initiative(initiative)


def answer(program: Program, *scores: int) -> None:
    for score in scores:
        record_response(org=program.org, program=program, score=score, responded_on=DAY)


@pytest.fixture
def program(org):
    return make_program(org)


def test_no_respondents_is_no_responses_yet_not_an_error(program):
    result = nps(program.responses.all())
    assert (result.n, result.score, result.margin) == (0, None, None)
    assert result.display == "no responses yet"
    assert not result.small_sample


def test_hand_computed_nps_and_margin(program):
    # 5 promoters, 3 passives, 2 detractors out of 10.
    answer(program, 10, 9, 9, 10, 9, 8, 7, 7, 6, 0)
    result = nps(program.responses.all())
    assert (result.promoters, result.passives, result.detractors) == (5, 3, 2)
    assert result.score == 30  # 50 % - 20 %
    # var = p + d - (p - d)^2 = 0.5 + 0.2 - 0.09 = 0.61; MoE = 1.96 * sqrt(0.61 / 10) * 100
    assert float(result.margin) == pytest.approx(48.4085, abs=1e-3)
    assert result.display == "+30 (n = 10, ± 48)"
    assert result.small_sample


def test_all_passives_score_zero_with_no_spread(program):
    answer(program, 7, 8, 7, 8)
    result = nps(program.responses.all())
    assert (result.n, result.score, result.margin) == (4, 0, 0)


def test_one_respondent(program):
    answer(program, 6)
    result = nps(program.responses.all())
    assert (result.n, result.score) == (1, -100)
    assert result.margin == 0  # var = 0 + 1 - 1: one answer has no spread, hence the label
    assert result.small_sample


@pytest.mark.parametrize(("n", "small"), [(29, True), (30, False)])
def test_small_sample_boundary(program, n, small):
    answer(program, *([9] * (n - 1) + [3]))
    result = nps(program.responses.all())
    assert result.n == n
    assert result.small_sample is small
    assert (result.note == "small sample") is small


def test_pooled_nps_weighs_by_n_not_an_average_of_scores(org):
    a, b = make_program(org), make_program(org)
    answer(a, *[10] * 10)  # NPS +100 from 10
    answer(b, *([9] * 6 + [7] * 12 + [2] * 12))  # (6 - 12) / 30 = NPS -20 from 30
    by_program = nps_by_program(SurveyResponse.objects.for_org(org))
    assert by_program[a.pk].score == 100 and by_program[b.pk].score == -20
    result = pooled(by_program.values())
    # 16 promoters, 12 detractors of 40: (16 - 12) / 40 = +10; the naive mean would be +40.
    assert (result.n, result.score) == (40, 10)
    assert result.score != (Decimal(100) + Decimal(-20)) / 2
    assert result == nps(SurveyResponse.objects.for_org(org))


def test_pooled_of_nothing_is_empty():
    assert pooled([]) == Nps()


def test_distribution_counts_each_score(program):
    answer(program, 0, 10, 10, 7)
    assert distribution(program.responses.all()) == [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2]


@pytest.mark.parametrize(
    ("score", "message"),
    [
        (11, "The score must be from 0 to 10; 11 is outside."),
        (-1, "The score must be from 0 to 10; -1 is outside."),
        ("x", "The score must be a whole number from 0 to 10, not “x”."),
        ("7.5", "The score must be a whole number from 0 to 10, not “7.5”."),
        (True, "The score must be a whole number from 0 to 10."),
    ],
)
def test_invalid_scores_are_refused_and_nothing_is_written(program, score, message):
    version = program.org.version
    with pytest.raises(ValidationError) as refused:
        record_response(org=program.org, program=program, score=score, responded_on=DAY)
    assert refused.value.message_dict == {"score": [message]}
    assert not SurveyResponse.objects.exists()
    program.org.refresh_from_db()
    assert program.org.version == version


def test_a_score_as_text_is_read(program):
    response, created = record_response(
        org=program.org, program=program, score=" 9 ", responded_on=DAY
    )
    assert created and response.score == 9


def test_another_organisations_program_is_refused(org, other_org):
    theirs = make_program(other_org)
    with pytest.raises(ValidationError, match="another organisation"):
        record_response(org=org, program=theirs, score=9, responded_on=DAY)
    assert not SurveyResponse.objects.exists()


def test_the_same_respondent_and_day_is_one_response(program):
    org = program.org
    first, created = record_response(
        org=org, program=program, score=6, responded_on=DAY, respondent="r-1"
    )
    version = org.version
    again, created_again = record_response(
        org=org, program=program, score=6, responded_on=DAY, respondent="r-1"
    )
    assert created and not created_again and again.pk == first.pk
    assert org.version == version  # a repeat changes nothing, not even the cache version
    changed, _ = record_response(
        org=org, program=program, score=9, responded_on=DAY, respondent="r-1", comment="Better"
    )
    assert changed.pk == first.pk
    assert list(SurveyResponse.objects.values_list("score", "comment")) == [(9, "Better")]
    assert org.version == version + 1


def test_anonymous_responses_each_count(program):
    answer(program, 9, 9)
    assert SurveyResponse.objects.count() == 2


def test_the_database_refuses_a_score_outside_0_to_10(program):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(org=program.org, program=program, score=11, responded_on=DAY)


def test_margin_matches_the_formula_for_a_mixed_sample(program):
    answer(program, *([10] * 20 + [8] * 15 + [1] * 13))  # n = 48
    p, d = 20 / 48, 13 / 48
    expected = 1.96 * math.sqrt((p + d - (p - d) ** 2) / 48) * 100
    result = nps(program.responses.all())
    assert float(result.score) == pytest.approx((20 - 13) / 48 * 100)
    assert float(result.margin) == pytest.approx(expected)
    assert not result.small_sample
