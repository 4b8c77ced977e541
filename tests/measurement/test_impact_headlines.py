"""The business-impact cards the dashboard shows: KPIs by status, pooled NPS, total ROI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from measurement.figures import Headline
from measurement.impact import headlines
from measurement.models import KpiFamily, KpiStatus
from measurement.roi import record_benefit, record_cost
from measurement.surveys import record_response
from tests.factories import KpiFactory, KpiValueFactory
from tests.measurement.test_surveys import make_program

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)


def fill(org, programs: int = 2) -> None:
    """Per program: one KPI on track, one off track; 3 responses; a benefit and a cost."""
    for i in range(programs):
        # Baseline 100 on 1 Jan, target 60 on 31 Dec, lower is better: 80 expected on 1 Jul.
        KpiValueFactory(kpi=KpiFactory(org=org), date=date(2026, 7, 1), value=Decimal(70))
        KpiValueFactory(kpi=KpiFactory(org=org), date=date(2026, 7, 1), value=Decimal(100))
        program = make_program(org)
        for score in (10, 9, 3):
            record_response(org=org, program=program, score=score, responded_on=TODAY)
        record_benefit(
            org=org,
            program=program,
            description=f"B{i}",
            amount="3000",
            source="Finance",
            isolation="0.5",
            confidence="1",
        )
        record_cost(org=org, program=program, category="delivery", description="D", amount="1000")


def test_the_three_cards(org):
    fill(org, 1)
    KpiFactory(org=org, family=KpiFamily.LEARNER_ENGAGEMENT)  # another family: not counted
    program = make_program(org)
    record_response(org=org, program=program, score=2, responded_on=TODAY)
    record_response(org=org, program=program, score=10, responded_on=date(2026, 12, 1))  # later
    kpis, score, roi = headlines(org, TODAY)
    assert all(isinstance(card, Headline) for card in (kpis, score, roi))
    assert {card.family for card in (kpis, score, roi)} == {KpiFamily.BUSINESS_IMPACT}
    assert (kpis.display, kpis.note) == ("1 off track", "1 on track · 2 KPIs")
    assert kpis.status == KpiStatus.OFF_TRACK and kpis.value == 1
    assert kpis.url == reverse("measurement:home")
    # Pooled over both programs up to today: 2 promoters, 2 detractors of 4.
    assert (score.value, score.display) == (0, "0")
    assert score.note == "n = 4, margin of error ± 98 (95 %) · small sample"
    # 3000 * 0.5 = 1500 against 1000: +50 %, BCR 1.5.
    assert (roi.value, roi.display) == (50, "50 % (BCR 1.50)")
    assert score.url == roi.url == reverse("measurement:impact")


def test_an_empty_organisation(org):
    kpis, score, roi = headlines(org, TODAY)
    assert (kpis.value, kpis.display, kpis.status) == (None, "no business-impact KPIs yet", None)
    assert (score.value, score.display) == (None, "no responses yet")
    assert (roi.value, roi.display, roi.note) == (
        None,
        "not computable",
        "no benefit or cost lines yet",
    )


def test_queries_do_not_grow(org, django_assert_num_queries):
    fill(org, 1)
    with django_assert_num_queries(4) as small:
        headlines(org, TODAY)
    fill(org, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        headlines(org, TODAY)
