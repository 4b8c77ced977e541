"""The demo's learner engagement: two programs with twelve months each, one declining
mid-program (its alert shows), loaded twice without a new row."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from measurement import engagement
from measurement.models import (
    ActivityMapping,
    EligibleLearners,
    LearnerEvent,
    Program,
    ProgramMonth,
    XapiStatement,
)
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


@time_machine.travel("2026-11-28 10:00Z")
def test_demo_has_xapi_mappings_statements_and_one_unmapped_activity():
    demo = load_demo()
    activities = {a.name: a for a in ActivityMapping.objects.for_org(demo.org)}
    unmapped = [a for a in activities.values() if a.program is None]
    assert len(activities) == 3
    assert [a.name for a in unmapped] == ["Coaching conversations (pilot)"]
    assert {a.program.initiative.title for a in activities.values() if a.program} == {
        "Day-1 to Day-90 global onboarding journey",
        "Manager onboarding toolkit",
    }
    assert all(a.statements == 3 for a in activities.values())
    stored = XapiStatement.objects.filter(org=demo.org)
    # Nine about activities, and one voiding a pilot statement the LMS took back.
    assert stored.count() == 10
    voided = stored.get(voided=True)
    assert voided.activity.name == "Coaching conversations (pilot)"
    assert stored.get(voids__isnull=False).voids == voided.statement_id
    assert not any("northwind.example" in str(s.statement["actor"]) for s in stored)
    # The mapped statements are learner events of October (not qualifying: "viewed").
    viewed = LearnerEvent.objects.filter(statement_id__in=stored.values("statement_id"))
    assert viewed.count() == 6
    assert {e.occurred_at.month for e in viewed} == {10}

    load_demo()
    assert XapiStatement.objects.filter(org=demo.org).count() == 10
    assert ActivityMapping.objects.get(pk=unmapped[0].pk).statements == 3
