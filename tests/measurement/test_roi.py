"""Phillips ROI on hand-computed cases, its edges, and the record functions' refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from measurement.models import RoiBenefit, RoiCost
from measurement.roi import (
    Roi,
    record_benefit,
    record_cost,
    remove_line,
    roi,
    roi_by_program,
    total,
)
from tests.measurement.test_surveys import make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(org):
    return make_program(org)


def benefit(program, description, amount, isolation="1", confidence="1"):
    return record_benefit(
        org=program.org,
        program=program,
        description=description,
        amount=amount,
        source="Finance",
        isolation=isolation,
        confidence=confidence,
    )[0]


def cost(program, amount, category="delivery", description=""):
    return record_cost(
        org=program.org,
        program=program,
        category=category,
        description=description or f"{category} {amount}",
        amount=amount,
    )[0]


def test_hand_computed_roi_and_bcr(program):
    benefit(program, "Faster ramp-up", "100000", isolation="0.5", confidence="0.8")  # 40 000
    benefit(program, "Fewer leavers", "20000")  # 20 000
    cost(program, "30000", "design")
    cost(program, "10000", "participant_time")
    result = roi(program)
    assert [line.adjusted for line in result.benefits] == [Decimal(40000), Decimal(20000)]
    assert result.benefits_total == Decimal(120000)
    assert result.adjusted_total == Decimal(60000)
    assert result.costs_total == Decimal(40000)
    assert result.percent == Decimal(50)  # (60 000 - 40 000) / 40 000 * 100
    assert result.bcr == Decimal("1.5")
    assert result.display == "50 % (BCR 1.50)"
    assert result.costs_by_category == [
        ("Design and development", Decimal(30000)),
        ("Participants' time", Decimal(10000)),
    ]


def test_zero_costs_are_not_computable_not_an_error(program):
    benefit(program, "Faster ramp-up", "5000")
    result = roi(program)
    assert (result.percent, result.bcr, result.computable) == (None, None, False)
    assert result.display == "not computable"
    cost(program, "0")  # a cost line of nothing is still zero costs
    assert roi(program).percent is None


def test_no_lines_at_all(program):
    result = roi(program)
    assert result.is_empty and result.display == "not computable"
    assert result.note == "no benefit or cost lines yet"


def test_isolation_or_confidence_of_zero_claims_nothing(program):
    benefit(program, "Not ours", "9000", isolation="0", confidence="1")
    benefit(program, "Unsure", "9000", isolation="1", confidence="0")
    cost(program, "1000")
    result = roi(program)
    assert result.adjusted_total == 0
    assert result.percent == Decimal(-100)  # (0 - 1000) / 1000 * 100
    assert result.bcr == 0


def test_isolation_and_confidence_of_one_keep_the_whole_amount(program):
    benefit(program, "All ours", "2500.50")
    cost(program, "1000.25")
    result = roi(program)
    assert result.adjusted_total == Decimal("2500.50")
    assert result.bcr == Decimal("2500.50") / Decimal("1000.25")


def test_total_across_programs_is_the_ratio_of_the_sums(org):
    a, b = make_program(org), make_program(org)
    benefit(a, "A", "60000")
    cost(a, "40000")  # A: +50 %
    benefit(b, "B", "10000")
    cost(b, "10000")  # B: 0 %
    by_program = roi_by_program(org)
    assert by_program[a.pk].percent == 50 and by_program[b.pk].percent == 0
    combined = total(by_program.values())
    # (70 000 - 50 000) / 50 000 = 40 %; the mean of the two percentages would be 25 %.
    assert combined.percent == 40
    assert total([]) == Roi()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("isolation", "1.2", "The isolation must be a share from 0 to 1."),
        ("isolation", "-0.1", "The isolation must be a share from 0 to 1."),
        ("confidence", "x", "“x” is not a share from 0 to 1."),
        ("confidence", "0.1234", "The confidence has at most three decimal places."),
        ("amount", "lots", "“lots” is not an amount."),
        ("amount", "-5", "A benefit is not negative; enter costs as costs."),
        ("amount", "1.005", "Amounts have at most two decimal places."),
        ("description", "  ", "The description is required."),
        ("source", "", "The source is required."),
    ],
)
def test_bad_benefit_lines_are_refused_and_nothing_is_written(program, field, value, message):
    line = {
        "description": "Faster ramp-up",
        "amount": "1000",
        "source": "Finance",
        "isolation": "0.5",
        "confidence": "0.5",
        field: value,
    }
    with pytest.raises(ValidationError) as refused:
        record_benefit(org=program.org, program=program, **line)
    assert refused.value.message_dict == {field: [message]}
    assert not RoiBenefit.objects.exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"category": "snacks"}, {"category": ["“snacks” is not a cost category"]}),
        ({"amount": "-1"}, {"amount": ["A cost is not negative."]}),
    ],
)
def test_bad_cost_lines_are_refused(program, line, message):
    with pytest.raises(ValidationError) as refused:
        record_cost(
            org=program.org,
            program=program,
            **{"category": "delivery", "description": "Room", "amount": "10", **line},
        )
    field, (text,) = next(iter(message.items()))
    assert refused.value.message_dict[field][0].startswith(text)
    assert not RoiCost.objects.exists()


def test_another_organisations_program_is_refused(org, other_org):
    theirs = make_program(other_org)
    with pytest.raises(ValidationError, match="another organisation"):
        record_benefit(
            org=org,
            program=theirs,
            description="X",
            amount="1",
            source="S",
            isolation="1",
            confidence="1",
        )
    with pytest.raises(ValidationError, match="another organisation"):
        record_cost(org=org, program=theirs, category="other", description="X", amount="1")
    assert not RoiBenefit.objects.exists() and not RoiCost.objects.exists()


def test_lines_upsert_on_their_natural_key(program):
    first = benefit(program, "Faster ramp-up", "1000")
    again = benefit(program, "Faster ramp-up", "1500", isolation="0.5")
    assert again.pk == first.pk
    assert list(RoiBenefit.objects.values_list("amount", "isolation")) == [
        (Decimal("1500.00"), Decimal("0.500"))
    ]
    cost(program, "10", "delivery", "Room")
    cost(program, "20", "delivery", "Room")
    cost(program, "20", "overhead", "Room")  # another category: another line
    assert sorted(RoiCost.objects.values_list("category", "amount")) == [
        ("delivery", Decimal("20.00")),
        ("overhead", Decimal("20.00")),
    ]


def test_remove_line_bumps_the_version(program):
    line = cost(program, "10")
    version = program.org.version
    remove_line(org=program.org, line=line)
    assert not RoiCost.objects.exists()
    assert program.org.version == version + 1


def test_roi_by_program_is_two_queries(org, django_assert_num_queries):
    for _ in range(3):
        p = make_program(org)
        benefit(p, "B", "10")
        cost(p, "5")
    with django_assert_num_queries(2):
        assert len(roi_by_program(org)) == 3
