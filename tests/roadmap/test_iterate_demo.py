"""The demo's Iterate: two quarterly reviews whose diff adds, drops, moves and re-owns with
the change log's justifications, the Q3 decisions (one stop with its learnings) and one
decision waiting for the next review; loading it again changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from roadmap import iterate
from roadmap.demo import ROADMAP_TITLE, load_demo
from roadmap.models import Decision, InitiativeStatus, Roadmap, RoadmapReview

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 11, 30, 12, tzinfo=UTC))
def test_the_demo_has_a_completed_review_with_its_diff():
    load_demo()
    roadmap = Roadmap.objects.get(title=ROADMAP_TITLE)
    q1, q3 = roadmap.reviews.order_by("reviewed_at")
    assert (q1.quarter_label, q3.quarter_label) == ("Q1 FY27", "Q3 FY27")
    assert roadmap.last_reviewed_at == q3.reviewed_at
    diff = iterate.review_diff(q3)
    assert [i.title for i in diff.added] == ["Onboarding buddy programme"]
    [dropped] = diff.dropped
    assert dropped.title == "Localise core onboarding into eight languages"
    assert dropped.reasons[0].text.startswith("The vendor's first two languages failed")
    [moved] = diff.moved
    assert moved.title.startswith("Sales onboarding bootcamp")
    assert moved.reasons[0].text.startswith("Sales moved the EMEA kickoff")
    [reowned] = diff.reowned
    assert (reowned.title, reowned.differences[0].after) == (
        "Manager onboarding toolkit",
        "Elena Rossi",
    )
    assert reowned.reasons[0].text.startswith("Engineering has most of the first-year leavers")
    assert [d.kind for d in diff.decisions] == ["scale", "revise", "stop"]

    # The stop kept its learnings and stopped the initiative; one decision waits.
    [kept] = iterate.stopped_learnings(roadmap)
    assert kept.initiative.status == InitiativeStatus.STOPPED
    assert kept.learnings.startswith("Buy one module from a translation vendor")
    [pending] = Decision.objects.filter(roadmap=roadmap, review__isnull=True)
    assert pending.initiative.title.startswith("Engineering ramp-up path")
    # Each decision's evidence is the panel of its own day.
    revise = Decision.objects.get(roadmap=roadmap, kind="revise")
    assert revise.evidence["as_of"] == "2026-10-27"
    assert any(line.startswith("Declining: ") for line in revise.evidence["rows"][0]["details"])

    # Reviewed in Q3, so nothing is raised in Q4.
    assert iterate.review_findings(roadmap.org, roadmap.org.today()) == []

    load_demo()
    assert RoadmapReview.objects.filter(roadmap=roadmap).count() == 2
    assert Decision.objects.filter(roadmap=roadmap).count() == 4
