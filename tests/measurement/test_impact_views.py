"""The impact pages as editor, viewer and outsider: reading, adding, removing, refusing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from measurement.chain import record_evidence
from measurement.models import Evidence, RoiBenefit, RoiCost, SurveyResponse
from measurement.roi import record_benefit, record_cost
from measurement.surveys import record_response
from tests.conftest import HTMX
from tests.factories import KpiFactory, KpiValueFactory
from tests.measurement.test_surveys import make_program

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 1)
POSTS = {
    "response": {"score": "9", "responded_on": "2026-10-01", "comment": "Loved the buddy."},
    "benefit": {
        "description": "Faster ramp-up",
        "amount": "100000",
        "source": "Finance",
        "isolation": "50",
        "confidence": "80",
    },
    "cost": {"category": "design", "description": "Design days", "amount": "30000"},
    "evidence": {"level": "3", "summary": "Managers hold check-ins", "recorded_on": "2026-10-01"},
}
MODELS = {"response": SurveyResponse, "benefit": RoiBenefit, "cost": RoiCost, "evidence": Evidence}


@pytest.fixture
def program(org):
    return make_program(org, "Day-1 to Day-90 journey")


def page(program) -> str:
    return reverse("measurement:program_impact", args=[program.pk])


def add_url(program, kind: str) -> str:
    return reverse("measurement:impact_add", args=[program.pk, kind])


def fill(program, responses: int = 3, lines: int = 1) -> None:
    org = program.org
    for i in range(responses):
        record_response(
            org=org, program=program, score=i % 11, responded_on=DAY, comment=f"Comment {i}"
        )
    kpi = KpiFactory(org=org)
    KpiValueFactory(kpi=kpi, date=DAY)
    for i in range(lines):
        record_benefit(
            org=org,
            program=program,
            description=f"Benefit {i}",
            amount="1000",
            source="HR",
            isolation="0.5",
            confidence="0.5",
        )
        record_cost(
            org=org, program=program, category="delivery", description=f"C{i}", amount="100"
        )
        record_evidence(
            org=org, program=program, level=2, summary=f"Quiz {i}", recorded_on=DAY, kpi=kpi
        )


# Reading ------------------------------------------------------------------------------------


def test_editor_sees_the_chain_nps_roi_and_the_forms(editor_client, program):
    fill(program)
    response = editor_client.get(page(program))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Day-1 to Day-90 journey" in html
    assert "Kirkpatrick 1: reaction" in html and "Phillips 5: ROI" in html
    assert "Missing" in html  # level 3 and 4: nothing yet
    assert "n = 3" in html and "Small sample" in html
    assert 'data-chart="chart-nps-distribution"' in html
    assert "Comment 2" in html
    assert "(250.00 − 100.00) ÷ 100.00 × 100" in html  # the working, line by line  # noqa: RUF001
    assert "150.0 %" in html
    for kind in POSTS:
        assert add_url(program, kind) in html
    assert "Remove<span" in html


def test_viewer_reads_without_forms_or_remove_buttons(viewer_client, program):
    fill(program)
    response = viewer_client.get(page(program))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Comment 2" in html
    assert "/add/" not in html and "/remove/" not in html


def test_outsider_gets_404(outsider_client, program):
    assert outsider_client.get(page(program)).status_code == 404


def test_an_empty_program_reads_no_responses_and_not_computable(editor_client, program):
    html = editor_client.get(page(program)).content.decode()
    assert "No responses yet" in html
    assert "Not computable" in html
    assert "chart-nps-distribution" not in html


def test_responses_are_paged_and_htmx_gets_only_the_list(editor_client, program):
    fill(program, responses=25)
    html = editor_client.get(page(program) + "?page=3").content.decode()
    assert "Responses 21–25 of 25" in html  # ten a page, newest first  # noqa: RUF001
    fragment = editor_client.get(
        page(program) + "?page=3", HTTP_HX_TARGET="responses", **HTMX
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="responses">')
    assert "Comment 4" in fragment and "Comment 5" not in fragment
    assert "Evidence chain" not in fragment


def test_program_page_queries_do_not_grow(editor_client, program, django_assert_num_queries):
    fill(program, responses=3, lines=1)
    editor_client.get(page(program))  # warm the session
    with django_assert_num_queries(15) as small:
        editor_client.get(page(program))
    fill(program, responses=40, lines=6)
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(page(program))


# Adding -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(POSTS))
def test_editor_adds_each_kind(editor_client, program, kind):
    response = editor_client.post(add_url(program, kind), POSTS[kind])
    assert response.status_code == 302
    assert response.url == page(program) + f"#{kind}-h"
    assert MODELS[kind].objects.filter(program=program, org=program.org).count() == 1


def test_benefit_percentages_are_stored_as_shares(editor_client, program):
    editor_client.post(add_url(program, "benefit"), POSTS["benefit"])
    line = RoiBenefit.objects.get()
    assert (line.isolation, line.confidence) == (Decimal("0.5"), Decimal("0.8"))
    assert line.adjusted == Decimal(40000)


@pytest.mark.parametrize("kind", list(POSTS))
def test_htmx_add_returns_the_data_block(editor_client, program, kind):
    response = editor_client.post(add_url(program, kind), POSTS[kind], **HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="impact-data">')
    assert MODELS[kind].objects.count() == 1


@pytest.mark.parametrize("kind", list(POSTS))
def test_viewer_cannot_add(viewer_client, program, kind):
    assert viewer_client.post(add_url(program, kind), POSTS[kind]).status_code == 403
    assert not MODELS[kind].objects.exists()


@pytest.mark.parametrize("kind", list(POSTS))
def test_outsider_cannot_add(outsider_client, program, kind):
    assert outsider_client.post(add_url(program, kind), POSTS[kind]).status_code == 404
    assert not MODELS[kind].objects.exists()


def test_unknown_kind_is_404(editor_client, program):
    assert editor_client.post(add_url(program, "bonus"), {}).status_code == 404


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("11", "Ensure this value is less than or equal to 10."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("x", "The score must be a whole number from 0 to 10."),
    ],
)
def test_invalid_scores_re_render_with_the_message(
    editor_client, program, row_counts, score, message
):
    before = row_counts()
    post = {**POSTS["response"], "score": score}
    response = editor_client.post(add_url(program, "response"), post)
    assert response.status_code == 400
    assert message in response.content.decode()
    fragment = editor_client.post(add_url(program, "response"), post, **HTMX)
    assert fragment.status_code == 200
    assert message in fragment.content.decode()
    assert row_counts() == before


def test_a_refusal_of_the_record_function_shows_on_the_form(editor_client, org, other_org, program):
    theirs = KpiFactory(org=other_org)
    post = {**POSTS["evidence"], "kpi": str(theirs.pk)}
    response = editor_client.post(add_url(program, "evidence"), post)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Evidence.objects.exists()


def test_bad_benefit_percentages_are_refused(editor_client, program):
    post = {**POSTS["benefit"], "isolation": "120"}
    response = editor_client.post(add_url(program, "benefit"), post)
    assert response.status_code == 400
    assert "less than or equal to 100" in response.content.decode()
    assert not RoiBenefit.objects.exists()


# Removing -----------------------------------------------------------------------------------


def remove_url(program, kind: str, line) -> str:
    return reverse("measurement:impact_remove", args=[program.pk, kind, line.pk])


def lines_of(program) -> dict:
    fill(program)
    return {kind: MODELS[kind].objects.filter(program=program).first() for kind in MODELS}


@pytest.mark.parametrize("kind", list(POSTS))
def test_editor_removes_each_kind(editor_client, program, kind):
    line = lines_of(program)[kind]
    response = editor_client.post(remove_url(program, kind, line))
    assert response.status_code == 302
    assert not MODELS[kind].objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize("kind", list(POSTS))
def test_viewer_and_outsider_cannot_remove(viewer_client, outsider_client, program, kind):
    line = lines_of(program)[kind]
    assert viewer_client.post(remove_url(program, kind, line)).status_code == 403
    assert outsider_client.post(remove_url(program, kind, line)).status_code == 404
    assert MODELS[kind].objects.filter(pk=line.pk).exists()


def test_a_line_of_another_program_is_404(editor_client, org, program):
    other = make_program(org)
    line = lines_of(other)["benefit"]
    assert editor_client.post(remove_url(program, "benefit", line)).status_code == 404
    assert editor_client.post(remove_url(program, "cost", line)).status_code == 404
    assert RoiBenefit.objects.filter(pk=line.pk).exists()


def test_htmx_remove_returns_the_data_block(editor_client, program):
    line = lines_of(program)["cost"]
    response = editor_client.post(remove_url(program, "cost", line), **HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="impact-data">')


# Every program side by side ----------------------------------------------------------------


def test_index_shows_each_program_and_the_pooled_nps(editor_client, org):
    a, b = make_program(org, "Journey"), make_program(org, "Toolkit")
    for score in [10] * 10:
        record_response(org=org, program=a, score=score, responded_on=DAY)
    for score in [9] * 6 + [7] * 12 + [2] * 12:
        record_response(org=org, program=b, score=score, responded_on=DAY)
    response = editor_client.get(reverse("measurement:impact"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Journey" in html and "Toolkit" in html
    # Pooled from the counts: (16 - 12) / 40 = +10, not the mean of +100 and -20.
    assert 'data-testid="pooled-nps"><strong>10</strong>' in html
    assert reverse("measurement:program_impact", args=[a.pk]) in html


def test_index_as_viewer_and_outsider(viewer_client, outsider_client, program):
    assert (
        "Day-1 to Day-90 journey"
        in viewer_client.get(reverse("measurement:impact")).content.decode()
    )
    response = outsider_client.get(reverse("measurement:impact"))
    assert response.status_code == 200
    assert "Day-1 to Day-90 journey" not in response.content.decode()


def test_index_queries_do_not_grow(editor_client, org, django_assert_num_queries):
    fill(make_program(org))
    editor_client.get(reverse("measurement:impact"))
    with django_assert_num_queries(9) as small:
        editor_client.get(reverse("measurement:impact"))
    for _ in range(5):
        fill(make_program(org), responses=10, lines=3)
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(reverse("measurement:impact"))
