"""The Kirkpatrick chain of a program: which levels have evidence and which are missing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from measurement.chain import evidence_chain, record_evidence
from measurement.models import Evidence, EvidenceLevel
from measurement.roi import record_benefit, record_cost, roi
from measurement.surveys import nps, record_response
from tests.factories import KpiFactory, KpiValueFactory, PriorityWithKpiFactory
from tests.measurement.test_surveys import make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(org):
    return make_program(org)


def chain_of(program):
    return evidence_chain(program, nps=nps(program.responses.all()), roi=roi(program))


def missing(chain) -> list[int]:
    return [step.level.value for step in chain if step.missing]


def test_nothing_yet_means_every_level_missing(program):
    chain = chain_of(program)
    assert [step.level for step in chain] == list(EvidenceLevel)
    assert missing(chain) == [1, 2, 3, 4, 5]


def test_survey_responses_evidence_reaction(program):
    record_response(org=program.org, program=program, score=9, responded_on=date(2026, 9, 1))
    chain = chain_of(program)
    assert missing(chain) == [2, 3, 4, 5]
    assert chain[0].items[0].text == "Survey: NPS +100 (n = 1, ± 0)"
    assert chain[0].items[0].detail == "small sample"


def test_entered_evidence_fills_its_level(program):
    record_evidence(
        org=program.org,
        program=program,
        level=2,
        summary="92 % passed the check",
        recorded_on=date(2026, 9, 15),
        link="https://lms.example.com/report",
    )
    chain = chain_of(program)
    assert missing(chain) == [1, 3, 4, 5]
    item = chain[1].items[0]
    assert (item.text, item.detail, item.url) == (
        "92 % passed the check",
        "15 Sep 2026",
        "https://lms.example.com/report",
    )


def test_the_initiatives_kpi_and_its_prioritys_kpi_evidence_results(org, program):
    initiative = program.initiative
    own = KpiFactory(org=org, name="Time to productivity", evidence_level=4)
    priority = PriorityWithKpiFactory(
        strategy__org=org, kpi__name="Attrition", kpi__evidence_level=None
    )
    initiative.kpi, initiative.priority = own, priority
    initiative.save()
    KpiFactory(org=org, name="Unrelated", evidence_level=4)
    chain = chain_of(program)
    # Both listed at level 4 (no level set: results), neither counts without a value.
    assert sorted(item.text for item in chain[3].items) == [
        "KPI: Attrition",
        "KPI: Time to productivity",
    ]
    assert 4 in missing(chain)
    KpiValueFactory(kpi=priority.kpi, date=date(2026, 6, 1), value=Decimal(50))
    chain = chain_of(program)
    assert 4 not in missing(chain)
    details = {item.text: (item.detail, item.counts) for item in chain[3].items}
    assert details == {
        "KPI: Attrition": ("On track", True),
        "KPI: Time to productivity": ("no values yet", False),
    }


def test_a_kpi_sits_at_its_own_evidence_level(org, program):
    kpi = KpiFactory(org=org, name="Independent tickets", evidence_level=3)
    KpiValueFactory(kpi=kpi, date=date(2026, 6, 1))
    program.initiative.kpi = kpi
    program.initiative.save()
    assert missing(chain_of(program)) == [1, 2, 4, 5]


def test_roi_evidences_level_5_only_when_computable(program):
    org = program.org
    record_benefit(
        org=org,
        program=program,
        description="Ramp-up",
        amount="100",
        source="Finance",
        isolation="1",
        confidence="1",
    )
    chain = chain_of(program)
    assert chain[4].items[0].text == "ROI not computable" and chain[4].missing
    record_cost(org=org, program=program, category="delivery", description="Room", amount="50")
    chain = chain_of(program)
    assert chain[4].items[0].text == "ROI 100 % (BCR 2.00)" and not chain[4].missing


def test_the_chain_is_two_queries_with_the_figures_given(program, django_assert_num_queries):
    score, result = nps(program.responses.all()), roi(program)
    with django_assert_num_queries(2):  # the entered evidence, the program's KPIs
        evidence_chain(program, nps=score, roi=result)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"level": 5}, "level"),
        ({"level": "x"}, "level"),
        ({"summary": " "}, "summary"),
        ({"link": "javascript:alert(1)"}, "link"),
    ],
)
def test_bad_evidence_is_refused(program, change, field):
    entry = {"level": 1, "summary": "Liked it", "recorded_on": date(2026, 9, 1), **change}
    with pytest.raises(ValidationError) as refused:
        record_evidence(org=program.org, program=program, **entry)
    assert field in refused.value.message_dict
    assert not Evidence.objects.exists()


def test_evidence_refuses_another_organisations_kpi_and_program(org, other_org, program):
    with pytest.raises(ValidationError, match="KPI of this organisation"):
        record_evidence(
            org=org,
            program=program,
            level=4,
            summary="Moved",
            recorded_on=date(2026, 9, 1),
            kpi=KpiFactory(org=other_org),
        )
    with pytest.raises(ValidationError, match="another organisation"):
        record_evidence(
            org=org,
            program=make_program(other_org),
            level=4,
            summary="Moved",
            recorded_on=date(2026, 9, 1),
        )
    assert not Evidence.objects.exists()


def test_evidence_upserts_on_level_and_summary(program):
    first, created = record_evidence(
        org=program.org, program=program, level=3, summary="Seen", recorded_on=date(2026, 9, 1)
    )
    again, created_again = record_evidence(
        org=program.org, program=program, level=3, summary="Seen", recorded_on=date(2026, 10, 1)
    )
    assert created and not created_again and again.pk == first.pk
    assert Evidence.objects.get().recorded_on == date(2026, 10, 1)
