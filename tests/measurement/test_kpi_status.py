"""The KPI status rule: the latest overall value against the straight line from baseline
to target (measurement.models.STATUS_RULE)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from measurement.models import Direction, KpiStatus
from tests.factories import KpiFactory, KpiValueFactory

pytestmark = pytest.mark.django_db

D = Decimal


def kpi(**fields):
    # Higher is better, 0 → 100 over 2026 (364 days from 1 Jan to 31 Dec).
    defaults = {
        "direction": Direction.HIGHER,
        "baseline": D(0),
        "baseline_date": date(2026, 1, 1),
        "target": D(100),
        "target_date": date(2026, 12, 31),
    }
    return KpiFactory(**{**defaults, **fields})


def add(k, day, value, segment=""):
    return KpiValueFactory(kpi=k, date=day, value=D(str(value)), segment=segment)


def test_no_values_has_no_status():
    assert kpi().assess().status == KpiStatus.NO_DATA


def test_no_target_is_reported_as_such():
    k = kpi(target=None, target_date=None)
    add(k, date(2026, 6, 1), 10)
    assert k.assess().status == KpiStatus.NO_TARGET
    assert not k.has_target


def test_one_value_on_the_line_is_on_track():
    k = kpi()
    # 182 of 364 days: the line is at 50.
    add(k, date(2026, 7, 2), 50)
    a = k.assess()
    assert a.expected == D(50)
    assert a.status == KpiStatus.ON_TRACK


def test_one_value_slightly_behind_is_at_risk_and_far_behind_off_track():
    k = kpi()
    add(k, date(2026, 7, 2), 40)  # 10 behind: exactly the 10% tolerance of 100
    assert k.assess().status == KpiStatus.AT_RISK
    k.values.all().delete()
    add(k, date(2026, 7, 2), "39.9")
    assert k.assess().status == KpiStatus.OFF_TRACK


def test_only_the_latest_value_counts():
    k = kpi()
    add(k, date(2026, 3, 1), 90)
    add(k, date(2026, 7, 2), 20)
    assert k.assess().status == KpiStatus.OFF_TRACK
    assert k.assess().latest.value == D(20)


def test_exactly_on_target_on_the_target_date_is_on_track():
    k = kpi()
    add(k, date(2026, 12, 31), 100)
    assert k.assess().status == KpiStatus.ON_TRACK


def test_after_the_target_date_only_the_target_counts():
    k = kpi()
    add(k, date(2027, 2, 1), 99)  # would be "at risk" before the date
    assert k.assess().status == KpiStatus.OFF_TRACK


def test_lower_is_better():
    # 100 → 60 days over the year: on 2 July the line is at 80.
    k = kpi(direction=Direction.LOWER, baseline=D(100), target=D(60))
    add(k, date(2026, 7, 2), 75)
    assert k.assess().status == KpiStatus.ON_TRACK
    k.values.all().delete()
    add(k, date(2026, 7, 2), 84)  # 4 worse than the line: within 10% of 40
    assert k.assess().status == KpiStatus.AT_RISK
    k.values.all().delete()
    add(k, date(2026, 7, 2), 85)
    assert k.assess().status == KpiStatus.OFF_TRACK
    k.values.all().delete()
    add(k, date(2026, 12, 31), 60)
    assert k.assess().status == KpiStatus.ON_TRACK


def test_segments_do_not_decide_the_status():
    k = kpi()
    add(k, date(2026, 7, 2), 50)
    add(k, date(2026, 8, 1), 0, segment="APAC")
    assert k.assess().status == KpiStatus.ON_TRACK


def test_without_baseline_the_first_value_starts_the_line():
    k = kpi(baseline=None, baseline_date=None)
    add(k, date(2026, 1, 1), 0)
    add(k, date(2026, 7, 2), 50)
    assert k.assess().status == KpiStatus.ON_TRACK


def test_a_value_before_the_baseline_date_is_held_to_the_baseline():
    k = kpi()
    add(k, date(2025, 12, 1), 0)
    assert k.assess().status == KpiStatus.ON_TRACK


def test_recording_the_same_date_updates_and_keeps_history(org, editor_membership):
    k = kpi(org=org)
    first, created = k.record(day=date(2026, 5, 1), value=D(10), entered_by=editor_membership.user)
    assert created
    second, created = k.record(day=date(2026, 5, 1), value=D(12), note="Corrected")
    assert not created and second.pk == first.pk
    assert k.values.count() == 1
    assert [h.value for h in second.history.all()] == [D(12), D(10)]
    # A segment on the same date is a different value.
    _, created = k.record(day=date(2026, 5, 1), value=D(3), segment="APAC")
    assert created and k.values.count() == 2
