"""The demo organisation's strategy: realistic, complete where it should be, idempotent."""

from __future__ import annotations

import pytest
import time_machine

from measurement.models import KpiStatus, KpiValue
from roadmap.demo import load_demo
from strategy.models import CanvasAnswer, ListeningSession, MaturityAssessment, Theme

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-28 10:00Z")
def test_demo_strategy_is_realistic_and_loads_twice():
    demo = load_demo()
    strategy = demo.org.strategies.get(fiscal_year=2027)
    assert all(a.text for a in strategy.answers.all())
    assert CanvasAnswer.history.filter(strategy=strategy, question="vision").count() == 3
    priorities = list(strategy.priorities.with_kpi().ranked())
    assert 3 <= len(priorities) <= 5
    statuses = {p.kpi.assessment.status for p in priorities}
    assert {KpiStatus.ON_TRACK, KpiStatus.AT_RISK, KpiStatus.OFF_TRACK} <= statuses
    assert [p.is_complete for p in priorities].count(False) == 1
    taken = list(MaturityAssessment.objects.for_org(demo.org).order_by("taken_on"))
    assert len(taken) == 2 and 80 <= (taken[1].taken_on - taken[0].taken_on).days <= 100
    assert ListeningSession.objects.for_org(demo.org).count() >= 4
    assert Theme.objects.for_org(demo.org).count() >= 2
    counts = (KpiValue.objects.count(), CanvasAnswer.history.count(), Theme.objects.count())
    load_demo()
    assert (KpiValue.objects.count(), CanvasAnswer.history.count(), Theme.objects.count()) == counts
