"""The demo's learner engagement: two programs with twelve months each, one declining
mid-program (its alert shows), loaded twice without a new row."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from measurement import engagement
from measurement.models import EligibleLearners, LearnerEvent, Program, ProgramMonth
from roadmap.demo import load_demo

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-28 10:00Z")
def test_demo_has_two_programs_one_declining_and_loads_twice():
    demo = load_demo()
    programs = {p.initiative.title: p for p in Program.objects.for_org(demo.org)}
    journey = programs["Day-1 to Day-90 global onboarding journey"]
    toolkit = programs["Manager onboarding toolkit"]
    for program in (journey, toolkit):
        months = engagement.monthly_rates(program)
        # November 2025 to October 2026: the twelve complete months before today.
        assert (months[0].month, months[-1].month) == (date(2025, 11, 1), date(2026, 10, 1))
        assert len(months) == 12 and all(m.rate is not None for m in months)
    october = engagement.monthly_rates(toolkit)[-1]
    assert (october.active_learners, october.eligible) == (34, 82)  # 41 % of 82 is 33.6
    found = engagement.decline_findings(demo.org, demo.org.today())
    assert [f.subject for f in found] == [f"program:{toolkit.pk}"]
    [headline] = engagement.headlines(demo.org, demo.org.today())
    assert headline.value is not None and len(headline.trend) == 12

    counts = (LearnerEvent.objects.count(), EligibleLearners.objects.count())
    rollup = list(ProgramMonth.objects.order_by("pk").values_list("pk", "events"))
    load_demo()
    assert (LearnerEvent.objects.count(), EligibleLearners.objects.count()) == counts
    assert list(ProgramMonth.objects.order_by("pk").values_list("pk", "events")) == rollup
