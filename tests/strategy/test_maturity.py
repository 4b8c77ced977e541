"""Maturity scoring and the framework's shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from strategy import maturity
from strategy.models import MaturityAssessment
from tests.factories import MaturityAssessmentFactory

ALL = [d.key for d in maturity.DIMENSIONS]


def levels(default: int, **overrides: int) -> dict[str, int]:
    return {key: overrides.get(key, default) for key in ALL}


def test_framework_has_four_levels_and_at_least_six_dimensions_fully_described():
    assert [level.name for level in maturity.LEVELS] == [
        "Reactive",
        "Structured",
        "Strategic",
        "Transformative",
    ]
    assert len(maturity.DIMENSIONS) >= 6
    for dimension in maturity.DIMENSIONS:
        assert len(dimension.descriptors) == 4 and all(dimension.descriptors)
        assert len(dimension.next_moves) == 3 and all(dimension.next_moves)
        assert dimension.next_move(4) is None


def test_overall_level_is_the_mean_rounded_down():
    assert maturity.overall_level(levels(1)).name == "Reactive"
    assert maturity.overall_level(levels(4)).name == "Transformative"
    # 2.83 is still structured: not strategic everywhere yet.
    almost = levels(3, alignment=2)
    assert maturity.overall_score(almost) == Decimal("2.8")
    assert maturity.overall_level(almost).name == "Structured"
    assert maturity.overall_level(
        levels(2, alignment=4, measurement=4, skills_strategy=4)
    ).name == ("Strategic")
    assert maturity.overall_level({}) is None


def test_weakest_dimensions_and_their_next_moves():
    weakest = maturity.weakest(levels(3, measurement=1, needs_analysis=1))
    assert [(d.key, level) for d, level in weakest] == [("needs_analysis", 1), ("measurement", 1)]
    assert maturity.weakest(levels(4)) == []
    a = MaturityAssessment(levels=levels(3, skills_strategy=2))
    moves = a.next_moves()
    assert len(moves) == 1
    dimension, level, move = moves[0]
    assert dimension.key == "skills_strategy" and level.name == "Structured"
    assert move == dimension.next_moves[1]


@pytest.mark.django_db
def test_results_show_change_since_the_previous(org):
    before = MaturityAssessmentFactory(org=org, taken_on=date(2026, 8, 1), levels=levels(1))
    after = MaturityAssessmentFactory(
        org=org, taken_on=date(2026, 11, 1), levels=levels(1, alignment=3, measurement=2)
    )
    changes = {r.dimension.key: r.change for r in after.results(before)}
    assert (
        changes["alignment"] == 2 and changes["measurement"] == 1 and changes["needs_analysis"] == 0
    )
    assert after.score_change(before) == Decimal("0.5")
    assert after.results()[0].change is None


def test_unknown_dimension_or_level_is_invalid():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        MaturityAssessment(levels={"alignment": 5}).clean()
    with pytest.raises(ValidationError):
        MaturityAssessment(levels={"vibes": 2}).clean()


# Views ------------------------------------------------------------------------------


def _post(**overrides):
    data = {"taken_on": "2026-11-20", "notes": "Team of four"}
    data.update(dict.fromkeys(ALL, "2"))
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_editor_takes_the_assessment_and_sees_the_radar(editor_client, org):
    MaturityAssessmentFactory(org=org, taken_on=date(2026, 8, 20), levels=levels(1))
    form = editor_client.get(reverse("strategy:maturity_create"))
    assert form.status_code == 200
    assert maturity.DIMENSIONS[0].descriptors[0].encode() in form.content
    response = editor_client.post(reverse("strategy:maturity_create"), _post(measurement="3"))
    assessment = MaturityAssessment.objects.get(taken_on=date(2026, 11, 20))
    assert response.status_code == 302
    assert assessment.levels["measurement"] == 3 and assessment.org == org
    page = editor_client.get(response.url)
    assert b'data-chart="chart-maturity-radar"' in page.content
    assert b"Suggested next moves" in page.content
    listing = editor_client.get(reverse("strategy:maturity_list"))
    assert listing.status_code == 200
    radar = listing.context["chart"]["data"]
    assert len(radar) == 2  # this one over the previous
    assert b"+1.2" in listing.content  # 2.2 now against 1.0 before


@pytest.mark.django_db
def test_a_missing_dimension_is_refused(editor_client):
    response = editor_client.post(reverse("strategy:maturity_create"), _post(alignment=""))
    assert response.status_code == 400
    assert not MaturityAssessment.objects.exists()


@pytest.mark.django_db
def test_viewer_reads_but_cannot_take(viewer_client, org):
    a = MaturityAssessmentFactory(org=org)
    assert viewer_client.get(reverse("strategy:maturity_list")).status_code == 200
    assert viewer_client.get(reverse("strategy:maturity_detail", args=[a.pk])).status_code == 200
    assert viewer_client.get(reverse("strategy:maturity_create")).status_code == 403
    assert viewer_client.post(reverse("strategy:maturity_create"), _post()).status_code == 403
    assert MaturityAssessment.objects.count() == 1


@pytest.mark.django_db
def test_outsider_gets_404_and_an_empty_list(outsider_client, org):
    a = MaturityAssessmentFactory(org=org)
    assert outsider_client.get(reverse("strategy:maturity_detail", args=[a.pk])).status_code == 404
    response = outsider_client.get(reverse("strategy:maturity_list"))
    assert response.context["latest"] is None


@pytest.mark.django_db
def test_list_query_count_does_not_grow(editor_client, org, django_assert_num_queries):
    for month in (1, 2):
        MaturityAssessmentFactory(org=org, taken_on=date(2026, month, 1))
    url = reverse("strategy:maturity_list")
    editor_client.get(url)
    with django_assert_num_queries(6) as small:
        editor_client.get(url)
    for month in range(3, 12):
        MaturityAssessmentFactory(org=org, taken_on=date(2026, month, 1))
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(url)
