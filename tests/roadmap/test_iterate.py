# ruff: noqa: RUF003 - quarters are written with real dashes.
"""Iterate with the database: the evidence panel, decisions and their snapshot, stopping an
initiative with its learnings, quarterly reviews and the ROADMAP_NOT_REVIEWED rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from measurement import alerts, chain, engagement, roi, surveys
from measurement.models import Alert, AlertKind, Program
from roadmap import iterate
from roadmap.models import (
    Decision,
    DecisionKind,
    Feedback,
    Initiative,
    InitiativeStatus,
    RoadmapReview,
    ShareLink,
    ShareReview,
    change_log,
)
from tests.factories import (
    InitiativeFactory,
    KpiValueFactory,
    PersonFactory,
    PriorityWithKpiFactory,
    RoadmapFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 15, 10, tzinfo=UTC)  # January fiscal year: Q4 FY26


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def committed(roadmap, title, **fields):
    fields.setdefault("status", InitiativeStatus.COMMITTED)
    return InitiativeFactory(roadmap=roadmap, title=title, **fields)


def measured(initiative, rates: list[tuple[int, int]], last=date(2026, 10, 1)):
    """A program with months ending at `last`, as (eligible, active learners) per month."""
    program = Program.objects.for_initiative(initiative)
    events = []
    for k, (eligible, active) in enumerate(rates):
        month = date(last.year, last.month - (len(rates) - 1 - k), 1)
        engagement.set_eligible(program=program, month=month, count=eligible)
        for n in range(active):
            at = datetime(month.year, month.month, 2, 9, n % 60, tzinfo=UTC)
            events.append({"learner_key": f"l{n}", "event_type": "launched", "occurred_at": at})
    engagement.record_events(program=program, events=events)
    return program


def panel_for(initiative) -> dict:
    fresh = Initiative.objects.for_ledger().get(pk=initiative.pk)
    return iterate.evidence_panels(initiative.org, [fresh], NOW.date())[initiative.pk]


def rows(panel) -> dict[str, dict]:
    return {row["key"]: row for row in panel["rows"]}


# The evidence panel -----------------------------------------------------------------------


def test_panel_shows_usage_and_where_engagement_drops(org, roadmap):
    toolkit = committed(roadmap, "Manager onboarding toolkit")
    measured(toolkit, [(100, 72), (100, 74), (100, 64), (100, 52)])
    usage = rows(panel_for(toolkit))["usage"]
    assert usage["summary"] == "52\u00a0% active in October 2026"
    assert "52 of 100 eligible learners" in usage["details"][0]
    assert (
        "Biggest drop: 64\u00a0% in September to 52\u00a0% in October (12 points)."
        in (usage["details"])
    )
    assert any(line.startswith("Declining: ") for line in usage["details"])
    assert usage["tone"] == "bad"


def test_panel_without_a_program_says_it_is_not_measured(org, roadmap):
    panel = panel_for(committed(roadmap, "Dashboard"))
    assert [r["summary"] for r in panel["rows"]] == [
        "Not measured",
        "No level-3 evidence yet",
        "No KPI to show the outcome",
        "no responses yet",
        "No ROI worked out",
        "No comments through share links yet",
    ]
    assert panel["as_of"] == "2026-11-15"


def test_panel_shows_what_reviewers_said_through_share_links(org, roadmap):
    initiative = committed(roadmap, "Buddy programme")
    other = committed(roadmap, "Other")
    link, _token = ShareLink.issue(roadmap=roadmap, created_by=None, label="Exec team")
    review = ShareReview.objects.create(
        org=org, link=link, roadmap=roadmap, name="Elena Rossi", email="elena@example.com"
    )

    def comment(kind, text, on=initiative, state="open", answer=""):
        Feedback.objects.create(
            org=org, review=review, roadmap=roadmap, initiative=on, kind=kind, text=text,
            state=state, answer=answer, created_at=NOW,
        )  # fmt: skip

    comment("agree", "Buddies made week one easier.", state="accepted")
    comment("concern", "Too few buddies in Tokyo.")
    comment("concern", "Elsewhere.", on=other)
    with time_machine.travel(datetime(2026, 11, 20, tzinfo=UTC), tick=False):
        Feedback.objects.create(
            org=org, review=review, roadmap=roadmap, initiative=initiative, kind="question",
            text="After the panel's day.",
        )  # fmt: skip

    row = rows(panel_for(initiative))["feedback"]
    assert row["summary"] == "2 comments: 1 agree, 1 concern"
    assert row["tone"] == "warn"
    assert row["details"][0] == "1 concern not triaged yet."
    assert any("Too few buddies in Tokyo." in d and "Elena Rossi" in d for d in row["details"])
    assert not any("Elsewhere." in d or "After the panel" in d for d in row["details"])


def test_panel_shows_behaviour_outcome_nps_and_roi(org, roadmap):
    priority = PriorityWithKpiFactory(org=org, capability="Ramp up new hires faster")
    kpi = priority.kpi  # lower is better, 100 → 60 over 2026
    KpiValueFactory(kpi=kpi, date=date(2026, 9, 1), value=Decimal(75))
    KpiValueFactory(kpi=kpi, date=date(2026, 10, 1), value=Decimal(70))
    KpiValueFactory(kpi=kpi, date=date(2026, 12, 1), value=Decimal(10))  # not known yet
    journey = committed(roadmap, "Journey", priority=priority)
    program = Program.objects.for_initiative(journey)
    chain.record_evidence(
        org=org, program=program, level=3, summary="Managers hold 30-day check-ins",
        recorded_on=date(2026, 10, 20),
    )  # fmt: skip
    chain.record_evidence(
        org=org, program=program, level=2, summary="Quiz passed", recorded_on=date(2026, 10, 1)
    )
    for n, score in enumerate([10, 9, 9, 3]):
        surveys.record_response(
            org=org, program=program, score=score, responded_on=date(2026, 10, 1 + n)
        )
    roi.record_cost(
        org=org, program=program, category="design", description="Design", amount="1000"
    )
    roi.record_benefit(
        org=org, program=program, description="Faster ramp-up", amount="3000", source="HR",
        isolation="1", confidence="1",
    )  # fmt: skip
    panel = rows(panel_for(journey))
    assert panel["behaviour"]["summary"] == "1 piece of level-3 evidence"
    assert panel["behaviour"]["details"] == ["Managers hold 30-day check-ins (20 Oct 2026)"]
    assert panel["outcome"]["summary"] == f"{kpi.name}: on track"
    assert "Latest 70 days on 1 Oct 2026" in panel["outcome"]["details"][1]
    assert "Ramp up new hires faster" in panel["outcome"]["details"][0]
    assert panel["outcome"]["details"][-1] == "Trend: 75 (Sep 2026), 70 (Oct 2026)."
    assert panel["nps"]["summary"].startswith("+50 (n = 4, ")
    assert panel["nps"]["details"] == ["Small sample"]
    assert panel["roi"]["summary"] == "200 % (BCR 3.00)"


def test_panel_queries_do_not_grow_with_initiatives(org, roadmap, django_assert_num_queries):
    priority = PriorityWithKpiFactory(org=org)
    KpiValueFactory(kpi=priority.kpi, date=date(2026, 9, 1), value=Decimal(75))

    def build(n):
        for k in range(n):
            initiative = committed(roadmap, f"Initiative {n}-{k}", priority=priority)
            measured(initiative, [(10, 5), (10, 4)])
        initiatives = list(Initiative.objects.for_ledger().filter(roadmap=roadmap))
        return initiatives

    small = build(2)
    with django_assert_num_queries(10):
        iterate.evidence_panels(org, small, NOW.date())
    large = build(10)
    with django_assert_num_queries(10):
        panels = iterate.evidence_panels(org, large, NOW.date())
    assert len(panels) == 12


# Decisions --------------------------------------------------------------------------------


def test_a_decision_keeps_the_evidence_as_it_was(org, roadmap, admin_membership, client_for):
    journey = committed(roadmap, "Journey")
    program = Program.objects.for_initiative(journey)
    surveys.record_response(org=org, program=program, score=10, responded_on=date(2026, 10, 1))
    panel = panel_for(journey)
    decision = iterate.record_decision(
        initiative=journey,
        kind=DecisionKind.KEEP,
        rationale="Learners love it.",
        evidence=panel,
        by=admin_membership.user,
    )
    for day in (2, 3, 4):
        surveys.record_response(org=org, program=program, score=2, responded_on=date(2026, 10, day))
    assert rows(panel_for(journey))["nps"]["summary"].startswith("-50 (n = 4")
    decision.refresh_from_db()
    assert rows(decision.evidence)["nps"]["summary"].startswith("+100 (n = 1")
    assert (decision.decided_by, decision.decided_at, decision.review) == (
        admin_membership.user,
        NOW,
        None,
    )
    # The initiative's page shows the decision from its snapshot, beside the evidence now.
    page = client_for("admin").get(reverse("roadmap:initiative_iterate", args=[journey.pk])).text
    assert "+100 (n = 1" in page and "-50 (n = 4" in page
    assert Initiative.objects.get(pk=journey.pk).status == InitiativeStatus.COMMITTED


def test_stop_needs_learnings_and_moves_the_initiative_through_its_change(
    org, roadmap, admin_membership
):
    user = admin_membership.user
    localise = committed(roadmap, "Localise")
    with pytest.raises(iterate.DecisionRefused):
        iterate.record_decision(
            initiative=localise, kind="stop", rationale="Vendor failed.", evidence={}, by=user
        )
    with pytest.raises(iterate.DecisionRefused):
        iterate.record_decision(
            initiative=localise, kind="keep", rationale="  ", evidence={}, by=user
        )
    assert not Decision.objects.exists()
    version = roadmap.version
    iterate.record_decision(
        initiative=localise,
        kind="stop",
        rationale="The vendor's translations failed the native-speaker check twice.",
        learnings="Check a vendor on one module before buying eight languages.",
        evidence=panel_for(localise),
        by=user,
    )
    localise.refresh_from_db()
    assert localise.status == InitiativeStatus.STOPPED
    [entry] = [e for e in change_log(roadmap, initiative=localise) if e.kind == "changed"]
    assert entry.justification.startswith("The vendor's translations failed")
    assert [(c.label, c.after) for c in entry.changes] == [("Status", "Stopped")]
    assert entry.who == user
    roadmap.refresh_from_db()
    assert roadmap.version > version  # the roadmap page's cache is rebuilt
    # A stopped initiative takes no more decisions.
    with pytest.raises(iterate.DecisionRefused, match="stopped"):
        iterate.record_decision(
            initiative=localise, kind="revise", rationale="Try again.", evidence={}, by=user
        )
    [kept] = iterate.stopped_learnings(roadmap)
    assert kept.learnings == "Check a vendor on one module before buying eight languages."


def test_learnings_show_on_the_roadmap_page_and_the_share_page(
    org, roadmap, admin_client, admin_membership
):
    localise = committed(roadmap, "Localise")
    committed(roadmap, "Journey")
    iterate.record_decision(
        initiative=localise, kind="stop", rationale="Vendor failed.",
        learnings="Pilot one module first.", evidence={}, by=admin_membership.user,
    )  # fmt: skip
    page = admin_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk])).text
    assert "Stopped, and what we learned" in page and "Pilot one module first." in page
    _, token = ShareLink.issue(roadmap=roadmap, created_by=admin_membership.user)
    shared = admin_client.get(reverse("roadmap:shared_roadmap", args=[token])).text
    assert "Pilot one module first." in shared


def test_a_scoped_link_shows_only_its_scopes_learnings(org, roadmap, client, admin_membership):
    q1, q2 = list(roadmap.cycles.order_by("position"))[:2]
    for title, cycle, learnings in [
        ("Localise", q1, "Pilot one module first."),
        ("Hackathon", q2, "SECRET-OUT-OF-SCOPE lesson."),
    ]:
        iterate.record_decision(
            initiative=committed(roadmap, title, cycle=cycle), kind="stop", rationale="No.",
            learnings=learnings, evidence={}, by=admin_membership.user,
        )  # fmt: skip
    _, token = ShareLink.issue(roadmap=roadmap, created_by=None, cycles=[q1])
    shared = client.get(reverse("roadmap:shared_roadmap", args=[token])).text
    assert "Pilot one module first." in shared
    assert "SECRET-OUT-OF-SCOPE" not in shared and "Hackathon" not in shared


# Quarterly reviews --------------------------------------------------------------------------


def test_a_review_freezes_the_roadmap_and_takes_in_the_decisions(org, roadmap, admin_membership):
    user = admin_membership.user
    priya = PersonFactory(org=org, name="Priya Raman")
    jonas = PersonFactory(org=org, name="Jonas Weber")
    q1, q2 = list(roadmap.cycles.order_by("position"))[:2]
    bootcamp = committed(roadmap, "Bootcamp", cycle=q1, owner=priya)
    buddy = committed(roadmap, "Buddy programme", cycle=q2, owner=priya)
    with time_machine.travel(datetime(2026, 7, 29, 10, tzinfo=UTC), tick=False):
        first = iterate.run_review(roadmap=roadmap, by=user, quarter_start=date(2026, 7, 1))
    assert first.quarter_label == "Q3 FY26"
    assert iterate.review_diff(first).first
    iterate.record_decision(
        initiative=buddy, kind="revise", rationale="Too few buddies.",
        evidence=panel_for(buddy), by=user,
    )  # fmt: skip
    bootcamp.change(by=user, justification="Sales kickoff moved to August.", cycle=q2)
    buddy.change(by=user, justification="Jonas has the managers' trust.", owner=jonas)
    certification = committed(roadmap, "Certification", cycle=q2)
    second = iterate.run_review(
        roadmap=roadmap, by=user, quarter_start=date(2026, 11, 15), notes="  Kept the plan.  "
    )
    assert (second.quarter_start, second.quarter_label, second.notes) == (
        date(2026, 10, 1),
        "Q4 FY26",
        "Kept the plan.",
    )
    roadmap.refresh_from_db()
    assert roadmap.last_reviewed_at == NOW
    assert list(second.decisions.values_list("kind", flat=True)) == ["revise"]
    diff = iterate.review_diff(second)
    assert [i.title for i in diff.moved] == ["Bootcamp"]
    assert [r.text for r in diff.moved[0].reasons] == ["Sales kickoff moved to August."]
    assert [(i.title, i.differences[0].after) for i in diff.reowned] == [
        ("Buddy programme", "Jonas Weber")
    ]
    assert [r.text for r in diff.reowned[0].reasons] == ["Jonas has the managers' trust."]
    assert [i.title for i in diff.added] == ["Certification"]
    assert [d.kind for d in diff.decisions] == ["revise"]
    # Frozen: later changes do not alter what the review shows.
    certification.change(by=user, justification="Dropped for now.", status="proposed")
    assert [i.title for i in iterate.review_diff(second).added] == ["Certification"]
    assert certification.pk in {row["id"] for row in second.snapshot["initiatives"]}


def test_a_review_with_nothing_written_does_not_take_other_roadmaps_decisions(
    org, roadmap, admin_membership
):
    other = RoadmapFactory(org=org, title="Other")
    theirs = committed(other, "Theirs")
    iterate.record_decision(
        initiative=theirs, kind="keep", rationale="Fine.", evidence={}, by=admin_membership.user
    )
    review = iterate.run_review(roadmap=roadmap, by=admin_membership.user, quarter_start=NOW.date())
    assert review.snapshot["decisions"] == []
    assert Decision.objects.get().review is None


# The alert rule ----------------------------------------------------------------------------


def review(roadmap, quarter_start: date, at: datetime):
    return RoadmapReview.objects.create(
        org=roadmap.org,
        roadmap=roadmap,
        quarter_start=quarter_start,
        quarter_label=roadmap.org.fiscal_quarter_label(quarter_start),
        snapshot={},
        reviewed_at=at,
    )


def old_roadmap(org, fiscal_year=2026):
    roadmap = RoadmapFactory(org=org, title="Global onboarding", fiscal_year=fiscal_year)
    roadmap.created_at = datetime(2025, 12, 1, tzinfo=UTC)
    roadmap.save()
    return roadmap


def test_rule_at_the_quarter_boundary(org):
    roadmap = old_roadmap(org)  # January fiscal year: 2026
    review(roadmap, date(2026, 7, 1), datetime(2026, 9, 20, tzinfo=UTC))  # covers Q3
    # Q4 under way and Q3 reviewed: fine, up to the last day of Q4.
    assert iterate.review_findings(org, date(2026, 10, 1)) == []
    assert iterate.review_findings(org, date(2026, 12, 31)) == []
    # The first day of the next quarter: Q4 went by without a review.
    [finding] = iterate.review_findings(org, date(2027, 1, 1))
    assert finding.state == "Q1 FY27"
    # Once its period ended before the previous quarter, a roadmap is not flagged.
    assert iterate.review_findings(org, date(2027, 4, 1)) == []


def test_rule_raises_when_a_whole_quarter_went_by(org):
    roadmap = old_roadmap(org)
    review(roadmap, date(2026, 4, 1), datetime(2026, 6, 20, tzinfo=UTC))  # covers Q2
    assert iterate.review_findings(org, date(2026, 9, 30)) == []  # Q3: Q2 was reviewed
    [finding] = iterate.review_findings(org, date(2026, 10, 1))  # Q4: Q3 went by
    assert finding.subject == f"roadmap:{roadmap.pk}"
    assert finding.state == "Q4 FY26"
    assert finding.title == "Global onboarding: not reviewed for a quarter"
    assert finding.detail == "Its last review covered Q2 FY26; none covers Q3 FY26 or Q4 FY26."
    assert finding.url == reverse("roadmap:review_create", args=[roadmap.pk])


def test_rule_with_a_fiscal_year_starting_in_july(org):
    org.fiscal_year_start_month = 7
    org.save()
    roadmap = RoadmapFactory(org=org, title="FY27", fiscal_year=2027)  # Jul 2026 – Jun 2027
    roadmap.created_at = datetime(2026, 6, 1, tzinfo=UTC)
    roadmap.save()
    review(roadmap, date(2026, 7, 1), datetime(2026, 9, 28, tzinfo=UTC))  # Q1 FY27: Jul–Sep
    assert iterate.review_findings(org, date(2026, 12, 31)) == []  # Q2 FY27, Q1 reviewed
    [finding] = iterate.review_findings(org, date(2027, 1, 1))  # Q3 FY27 (Jan–Mar)
    assert finding.state == "Q3 FY27"
    assert "none covers Q2 FY27 or Q3 FY27" in finding.detail


def test_rule_gives_a_new_roadmap_time_and_ignores_finished_and_future_ones(org):
    new = RoadmapFactory(org=org, title="New", fiscal_year=2026)
    new.created_at = datetime(2026, 8, 1, tzinfo=UTC)  # in Q3 FY26
    new.save()
    assert iterate.review_findings(org, date(2026, 12, 31)) == []  # Q4: made last quarter
    [late] = iterate.review_findings(org, date(2027, 1, 1))  # Q3 and Q4 went by
    assert late.subject == f"roadmap:{new.pk}"
    never = old_roadmap(org)
    [finding] = iterate.review_findings(org, date(2026, 11, 1))
    assert finding.subject == f"roadmap:{never.pk}"
    assert finding.detail == "It has never had a quarterly review."
    # Ended before the previous quarter began, or not begun: nothing to review.
    assert iterate.review_findings(org, date(2027, 5, 1)) == []
    assert iterate.review_findings(org, date(2025, 12, 15)) == []


def test_rule_opens_and_resolves_the_dashboard_alert(org, admin_membership):
    roadmap = old_roadmap(org)
    today = date(2026, 11, 15)
    alerts.refresh_alerts(org, today)
    alert = Alert.objects.get(org=org, kind=AlertKind.ROADMAP_NOT_REVIEWED)
    assert alert.subject == f"roadmap:{roadmap.pk}" and alert.is_open
    iterate.run_review(roadmap=roadmap, by=admin_membership.user, quarter_start=today)
    org.refresh_from_db()
    assert alerts.refresh_if_stale(org, today)  # the review moved the organisation's data
    alert.refresh_from_db()
    assert not alert.is_open
