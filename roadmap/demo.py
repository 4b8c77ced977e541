"""The demo organisation, wired together: the one place that fills it from every app.

`load_demo()` = the core (organisation, people, logins: `roadmap_site.demo.seed_core`) + the
"global-onboarding" starter template, loaded through the same loader as any organisation's
(`roadmap.starters`) + what only a demo has: a year of KPI values, maturity assessments and
listening sessions, a change log, capacity, SMEs, dependencies, an acknowledged warning, the
Iterate decisions and quarterly reviews, and the published share and status links. The
`seed_demo` command calls it; running it again changes nothing.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from django.db import transaction
from django.utils import timezone

from measurement import demo as measurement_demo
from measurement.models import Program
from roadmap import iterate, report_jobs, reviews
from roadmap.models import (
    COMMITTED_STATUSES,
    AssessSettings,
    BusinessEvent,
    CapacityEntry,
    DeliveryStatus,
    Feedback,
    Initiative,
    InitiativeDependency,
    QuarterlyReport,
    ReportDelivery,
    ReportStatus,
    ReportSubscription,
    Roadmap,
    RoadmapReview,
    ShareLink,
    ShareReview,
    SmeAssignment,
    SmeAvailability,
    Stage,
    StageDependency,
    TimeOff,
    TrainingRequest,
    WarningAcknowledgement,
)
from roadmap.reports import Quarter, first_working_day
from roadmap.starters import StarterConflict, get_starter, load_starter
from roadmap_site.dates import add_months
from roadmap_site.demo import Demo, seed_core
from roadmap_site.demo_tokens import demo_token
from roadmap_site.models import ApiScope, ApiToken, hash_token, new_token
from strategy import demo as strategy_demo
from strategy.models import Priority

STARTER = "global-onboarding"
FISCAL_YEAR = 2027
ROADMAP_TITLE = "Global onboarding roadmap"
INITIATIVE_TITLES = [row["title"] for row in get_starter(STARTER).data["initiatives"]]
# The template's people, played by the demo's cast (`roadmap_site.demo.PEOPLE`).
CAST = {
    "head_of_ld": "Maya Okafor",
    "learning_designer": "Jonas Weber",
    "programme_manager": "Priya Raman",
    "ld_operations": "Tomás Alvarez",
    "vp_engineering": "Elena Rossi",
    "chief_people_officer": "David Chen",
    "vp_sales": "Aisha Bello",
    "support_director": "Grace Kim",
    "hrbp_engineering": "Lars Nilsson",
    "staff_engineer": "Fatima Zahra",
}
# The demo's links are fixed with DEBUG on (the README links to them), random otherwise.
DEMO_SHARE_TOKEN = "demo-global-onboarding-read-only"  # noqa: S105
# The requester's status link of one demo request, published in the README like the share link.
DEMO_STATUS_TOKEN = "demo-request-status-link"  # noqa: S105
DEMO_INTAKE_TOKEN = "demo-intake-form"  # noqa: S105
# The Share phase's second published link: one priority only, open to feedback.
DEMO_SCOPED_SHARE_TOKEN = "demo-sales-priority-review"  # noqa: S105
STATUS_LINK_REQUEST = "Support agent certification"
# The demo's read-only API token: `<key>.<secret>`, the secret fixed with DEBUG like the links.
DEMO_API_KEY = "demo-api"
DEMO_API_SECRET = "demo-api-read-only"  # noqa: S105


@transaction.atomic
def load_demo() -> Demo:
    demo = seed_core()
    maya = demo.users["demo@example.com"]
    # Already loaded by an earlier run: the demo-only steps below fill what is missing.
    with contextlib.suppress(StarterConflict):
        load_starter(
            get_starter(STARTER),
            org=demo.org,
            fiscal_year=FISCAL_YEAR,
            by=maya,
            people={key: demo.people[name] for key, name in CAST.items()},
        )
    measurement_demo.seed(demo)
    measurement_demo.seed_alignment(demo)
    strategy_demo.seed(demo)
    seed(demo)
    seed_api_tokens(demo)
    return demo


def seed_api_tokens(demo: Demo) -> None:
    """A read-only token an LMS dashboard uses (its credentials printed by `seed_demo`), and
    an old HRIS import's write token, revoked, so the tokens page shows both states."""
    secret_hash = hash_token(demo_token(DEMO_API_SECRET))
    maya = demo.users["demo@example.com"]
    token, _ = ApiToken.objects.get_or_create(
        key=DEMO_API_KEY,
        defaults={
            "org": demo.org,
            "name": "LMS dashboard (demo)",
            "scope": ApiScope.READ,
            "created_by": maya,
            "secret_hash": secret_hash,
        },
    )
    ApiToken.objects.filter(pk=token.pk).update(secret_hash=secret_hash)
    ApiToken.objects.get_or_create(
        org=demo.org,
        name="HRIS import (retired)",
        defaults={
            "scope": ApiScope.WRITE,
            "created_by": maya,
            "key": new_token()[:12],
            "secret_hash": hash_token(new_token()),
            "created_at": aware(date(2026, 3, 2)),
            "last_used_at": aware(date(2026, 9, 30), hour=2),
            "revoked_at": aware(date(2026, 10, 1)),
        },
    )


def seed(demo: Demo) -> Roadmap | None:
    roadmap = Roadmap.objects.filter(org=demo.org, title=ROADMAP_TITLE).first()
    if roadmap is None:  # a visitor deleted it: the demo does not bring it back
        return None
    cycles = list(roadmap.cycles.order_by("position"))
    replay_changes(demo, roadmap, cycles)
    measurement_demo.seed_impact(demo, {i.title: i for i in roadmap.initiatives.all()})
    seed_assess(demo)
    seed_plan(demo, roadmap, cycles)
    measurement_demo.seed_engagement(
        demo,
        Initiative.objects.filter(roadmap=roadmap, title__in=measurement_demo.ENGAGEMENT),
    )
    measurement_demo.seed_sources(
        demo,
        Program.objects.for_org(demo.org)
        .filter(initiative__roadmap=roadmap)
        .order_by("initiative__title"),
    )
    measurement_demo.seed_xapi(
        demo,
        Initiative.objects.filter(roadmap=roadmap, title__in=measurement_demo.XAPI_ACTIVITIES),
    )
    seed_iterate(demo, roadmap, cycles)
    # Fixed only with DEBUG; otherwise a new random token each run (the command prints it).
    share_hash = hash_token(demo_token(DEMO_SHARE_TOKEN))
    link, _ = ShareLink.objects.get_or_create(
        org=demo.org,
        roadmap=roadmap,
        label="Leadership review (demo link)",
        defaults={"created_by": demo.users["demo@example.com"], "token_hash": share_hash},
    )
    ShareLink.objects.filter(pk=link.pk).update(token_hash=share_hash)
    seed_share(demo, roadmap, link)
    seed_reports(demo, roadmap)
    return roadmap


REPORT_LEADER = "David Chen"


def seed_reports(demo: Demo, roadmap: Roadmap) -> QuarterlyReport | None:
    """The Chief People Officer subscribes to the roadmap's quarterly report, and the last
    quarter that ended (within the roadmap's year) has its report, built and "sent" to them:
    its send log reads sent, though the seed mails nobody."""
    leader = demo.people[REPORT_LEADER]
    ReportSubscription.objects.get_or_create(
        org=demo.org, roadmap=roadmap, person=leader, defaults={"created_by": None}
    )
    today = demo.org.today()
    current_start, _ = demo.org.fiscal_quarter_bounds(today)
    quarter = Quarter.of(demo.org, current_start - timedelta(days=1))
    if not roadmap.period_start <= quarter.start <= roadmap.period_end:
        return None  # the roadmap's year has no finished quarter yet
    # Built here, not by a worker: the seed needs no broker.
    report, _ = report_jobs.get_or_create_report(roadmap, quarter, by=None, send=False)
    if report.status != ReportStatus.DONE and not report.deliveries.exists():
        report.requeue(fresh_snapshot=False, send=False)
        report_jobs.build_report(report_id=report.pk)
        report.refresh_from_db()
    if report.status == ReportStatus.DONE:
        sent_at = aware(first_working_day(quarter.end + timedelta(days=1)), hour=7)
        # Dated as the schedule would have built it, just before it was sent.
        QuarterlyReport.objects.filter(pk=report.pk, finished_at__gt=sent_at).update(
            finished_at=sent_at - timedelta(minutes=2)
        )
        ReportDelivery.objects.get_or_create(
            report=report,
            email=leader.email,
            defaults={
                "org": demo.org,
                "person": leader,
                "status": DeliveryStatus.SENT,
                "attempts": 1,
                "claimed_at": sent_at,
                "sent_at": sent_at,
            },
        )
    return report


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Change(TypedDict):
    before: dict[str, Any]
    on: date
    why: str


# Commitment changes after the fact: the values before, when, and the justification.
CHANGES: dict[str, Change] = {
    "Sales onboarding bootcamp: first deal in 90 days": {
        "before": {"cycle": 1},
        "on": date(2026, 4, 22),
        "why": "Sales moved the EMEA kickoff to August after the budget recast; launching in "
        "June would have trained new hires before their territories were assigned.",
    },
    "Localise core onboarding into eight languages": {
        "before": {"budget": Decimal("30000"), "days": 60},
        "on": date(2026, 6, 10),
        "why": "The H2 hiring plan adds the Tokyo and São Paulo offices (HRBP forecast, June): "
        "two more languages. David approved the extra budget in the Q2 forecast.",
    },
    "Onboarding buddy programme": {
        "before": {"owner": "Jonas Weber"},
        "on": date(2026, 8, 5),
        "why": "Jonas moved to the engineering ramp-up path after the August hiring wave doubled "
        "engineering starts; Priya already works with the same managers on the toolkit.",
    },
    "Manager onboarding toolkit": {
        "before": {"accountable": "David Chen"},
        "on": date(2026, 5, 12),
        "why": "Engineering has most of the first-year leavers who cite manager support; Elena "
        "agreed to own the outcome in the May leadership review.",
    },
}


def resolve(demo: Demo, cycles, field: str, value):
    if field == "cycle":
        return cycles[value]
    if field in ("owner", "accountable"):
        return demo.people[value]
    return value


def replay_changes(demo: Demo, roadmap: Roadmap, cycles) -> None:
    """Give the demo a change log: the template creates each initiative as it stands today,
    so the creation row of its history becomes the commitment as first made and the change
    is recorded after it, with its date, author and justification."""
    for title, change in CHANGES.items():
        initiative = roadmap.initiatives.filter(title=title).first()
        if initiative is None or initiative.history.count() != 1:
            continue  # already replayed, or changed by a visitor since
        first = initiative.history.get()
        for field, value in change["before"].items():
            setattr(first, field, resolve(demo, cycles, field, value))
        first.save()
        initiative._history_date = aware(change["on"])
        initiative._history_user = demo.users["demo@example.com"]
        initiative._change_reason = change["why"]
        initiative.save()


def seed_assess(demo: Demo) -> None:
    assess_settings, _ = AssessSettings.objects.get_or_create(
        org=demo.org,
        defaults={
            "intake_intro": "Tell Northwind's L&D team what is getting in the way of your "
            "people. We assess every request against this year's priorities, and you will "
            "see our decision and why on your private status link."
        },
    )
    assess_settings.open_intake(demo_token(DEMO_INTAKE_TOKEN))
    # Fixed only with DEBUG; otherwise a new random token each run (the command prints it).
    TrainingRequest.objects.for_org(demo.org).filter(title=STATUS_LINK_REQUEST).update(
        status_token_hash=hash_token(demo_token(DEMO_STATUS_TOKEN))
    )


# Plan -------------------------------------------------------------------------------------

# Days per cycle (Q1-Q4) each member of the L&D team gives to roadmap work.
CAPACITY = {
    "Maya Okafor": [20, 20, 20, 20],
    "Jonas Weber": [40, 40, 40, 40],  # Q3 is over-allocated: the journey's launch and the
    "Priya Raman": [40, 40, 40, 40],  # engineering ramp-up path both land on Jonas.
    "Tomás Alvarez": [45, 45, 55, 45],
}
TIME_OFF = [
    ("Priya Raman", date(2026, 8, 17), date(2026, 8, 28), "Summer leave"),
    ("Jonas Weber", date(2026, 12, 21), date(2027, 1, 1), "Winter leave"),
    ("Tomás Alvarez", date(2026, 9, 28), date(2026, 10, 2), "Conference"),
]
# Each SME with the day they were first involved (SME engagement compares it with the day
# content creation began). Aisha came two weeks into the bootcamp's content creation (the
# demo's "SME not involved before build" alert); nobody is assigned to the localisation.
SMES: dict[str, list[tuple[str, date | None]]] = {
    "Engineering ramp-up path: first commit in week one": [("Fatima Zahra", date(2026, 7, 27))],
    "Sales onboarding bootcamp: first deal in 90 days": [("Aisha Bello", date(2026, 9, 7))],
    "Manager onboarding toolkit": [("Lars Nilsson", date(2026, 4, 20))],
    "Day-1 to Day-90 global onboarding journey": [("Lars Nilsson", date(2026, 4, 20))],
    "Support agent certification in four weeks": [("Grace Kim", None)],
}
# Fatima is away for the platform migration in September: the ramp-up path's content
# creation runs through it (the demo's SME conflict).
AVAILABILITY = [
    ("Fatima Zahra", date(2026, 8, 1), date(2026, 9, 4), "Before the platform migration"),
    ("Fatima Zahra", date(2026, 10, 12), None, "After the migration"),
]
# (waiting, waits for): localisation waits for the journey, which is still being reinforced.
INITIATIVE_DEPENDENCIES = [
    ("Localise core onboarding into eight languages", "Day-1 to Day-90 global onboarding journey"),
]
# Within the ramp-up path, the launch waits for the content.
STAGE_DEPENDENCIES = [
    ("Engineering ramp-up path: first commit in week one", "content_creation", "delivery"),
]
# The bootcamp's launch falls in the support hiring wave; sales stakeholders are not the
# ones busy, so the team accepted it.
ACKNOWLEDGED = (
    "Sales onboarding bootcamp: first deal in 90 days",
    "delivery",
    "Support hiring wave",
    "The support hiring wave takes support managers, not the sales leaders this cohort needs.",
)


def seed_plan(demo: Demo, roadmap: Roadmap, cycles) -> None:
    org, people = demo.org, demo.people
    initiatives = {i.title: i for i in roadmap.initiatives.all()}
    stages = {
        (stage.initiative.title, stage.kind): stage
        for stage in Stage.objects.filter(initiative__roadmap=roadmap).select_related("initiative")
    }
    for name, days in CAPACITY.items():
        for cycle, value in zip(cycles, days, strict=True):
            CapacityEntry.objects.get_or_create(
                person=people[name], cycle=cycle, defaults={"org": org, "days": Decimal(value)}
            )
    for name, start, end, note in TIME_OFF:
        TimeOff.objects.get_or_create(
            org=org, person=people[name], start=start, defaults={"end": end, "note": note}
        )
    for title, smes in SMES.items():
        for name, involved_on in smes:
            SmeAssignment.objects.get_or_create(
                initiative=initiatives[title],
                person=people[name],
                defaults={"org": org, "involved_on": involved_on},
            )
    for name, start, until, note in AVAILABILITY:  # `until` may be None: open-ended
        SmeAvailability.objects.get_or_create(
            org=org, person=people[name], start=start, defaults={"end": until, "note": note}
        )
    for waiting, waits_for in INITIATIVE_DEPENDENCIES:
        InitiativeDependency.objects.get_or_create(
            predecessor=initiatives[waits_for],
            successor=initiatives[waiting],
            defaults={"org": org},
        )
    for title, before, after in STAGE_DEPENDENCIES:
        StageDependency.objects.get_or_create(
            predecessor=stages[title, before], successor=stages[title, after], defaults={"org": org}
        )
    title, kind, event_name, note = ACKNOWLEDGED
    event = BusinessEvent.objects.filter(org=org, name=event_name).first()
    if event is not None:
        WarningAcknowledgement.objects.get_or_create(
            roadmap=roadmap,
            key=f"calendar-stakeholders:stage={stages[title, kind].pk}:event={event.pk}",
            defaults={
                "org": org,
                "note": note,
                "by": demo.users["demo@example.com"],
                "at": aware(date(2026, 9, 30)),
            },
        )


# Iterate ----------------------------------------------------------------------------------

# Decisions of the Q3 review, as (title, kind, day, rationale, learnings); the evidence each
# rested on is the panel as it stood that day.
DECISIONS = [
    (
        "Day-1 to Day-90 global onboarding journey",
        "scale",
        date(2026, 10, 26),
        "Active learners grow month after month, new hires rate it firmly positive and the ROI "
        "working pays back even after isolation: take it to the Tokyo and São Paulo offices.",
        "",
    ),
    (
        "Manager onboarding toolkit",
        "revise",
        date(2026, 10, 27),
        "Managers hold the 30-day check-in (level 3), but active learners fell two months "
        "running after the summer: they stop opening the toolkit after week two. Cut it to the "
        "three check-in guides, sent on day 1, 30 and 60.",
        "",
    ),
    (
        "Localise core onboarding into eight languages",
        "stop",
        date(2026, 10, 27),
        "The vendor's first two languages failed the native-speaker check twice and the "
        "offices kept using the English modules; the journey's live sessions already run in "
        "the local language.",
        "Buy one module from a translation vendor and have it checked before committing to "
        "eight languages. Offices value local facilitators over translated e-learning.",
    ),
]
# After the review: waits for the next one.
PENDING_DECISION = (
    "Engineering ramp-up path: first commit in week one",
    "keep",
    date(2026, 11, 18),
    "The pilot cohort's first commits landed in week one; answers are few but positive. Keep "
    "it as planned and look again with the Q4 numbers.",
    "",
)
FIRST_REVIEW = (date(2026, 4, 15), "Q1 review: commitments agreed with the leadership team.")
SECOND_REVIEW = (
    date(2026, 10, 28),
    "Q3 review with David, Elena and Aisha. Scale the journey, revise the manager toolkit, "
    "stop the localisation and keep its learnings; the bootcamp moved to Q3 with the EMEA "
    "kickoff.",
)
# The roadmap at the Q1 review, from the state loaded today: the changes logged after it
# undone, and the buddy programme not committed yet.
AT_FIRST_REVIEW: dict[str, dict[str, Any]] = {
    "Sales onboarding bootcamp: first deal in 90 days": {"cycle": 1, "months": -3},
    "Manager onboarding toolkit": {"accountable": "David Chen"},
    "Onboarding buddy programme": {"status": "proposed"},
}


def seed_iterate(demo: Demo, roadmap: Roadmap, cycles) -> None:
    """Two quarterly reviews (Q1 and Q3 FY27) whose diff shows an addition, a drop, a move
    and a re-own with their justifications, the Q3 review's decisions with the evidence of
    their day (one stop with its learnings), and one decision waiting for the next review.
    Through the same functions as the pages; a second run changes nothing."""
    if roadmap.reviews.exists():
        return
    maya = demo.users["demo@example.com"]
    initiatives = {i.title: i for i in roadmap.initiatives.for_ledger()}
    first_day, first_notes = FIRST_REVIEW
    first_at = aware(first_day, hour=16)
    before = iterate.snapshot(roadmap, since=None, decisions=[], at=first_at)
    for row in before["initiatives"]:
        patch = AT_FIRST_REVIEW.get(row["title"], {})
        if "cycle" in patch:
            cycle = cycles[patch["cycle"]]
            row.update(cycle_id=cycle.pk, cycle=cycle.name, cycle_position=cycle.position)
        for end in ("start", "end"):
            if "months" in patch and row[end]:
                moved = add_months(date.fromisoformat(row[end]), patch["months"])
                row[end] = moved.isoformat()
        if "accountable" in patch:
            person = demo.people[patch["accountable"]]
            row.update(accountable_id=person.pk, accountable=person.name)
        if "status" in patch:
            row.update(status=patch["status"], status_label=patch["status"].capitalize())
    RoadmapReview.objects.create(
        org=demo.org,
        roadmap=roadmap,
        quarter_start=demo.org.fiscal_quarter_bounds(first_day)[0],
        quarter_label=demo.org.fiscal_quarter_label(first_day),
        notes=first_notes,
        snapshot=before,
        reviewed_by=maya,
        reviewed_at=first_at,
    )
    for title, kind, day, rationale, learnings in DECISIONS:
        decide(demo, initiatives.get(title), kind, day, rationale, learnings)
    second_day, second_notes = SECOND_REVIEW
    iterate.run_review(
        roadmap=roadmap,
        by=maya,
        quarter_start=add_months(second_day, -1),  # covers Q3 FY27 (August to October)
        notes=second_notes,
        at=aware(second_day, hour=16),
    )
    title, kind, day, rationale, learnings = PENDING_DECISION
    decide(demo, initiatives.get(title), kind, day, rationale, learnings)


def decide(demo: Demo, initiative, kind: str, day: date, rationale: str, learnings: str) -> None:
    if initiative is None:  # renamed or deleted by a visitor
        return
    panel = iterate.evidence_panels(demo.org, [initiative], day)[initiative.pk]
    iterate.record_decision(
        initiative=initiative,
        kind=kind,
        rationale=rationale,
        learnings=learnings,
        evidence=panel,
        by=demo.users["demo@example.com"],
        at=aware(day, hour=11),
    )


# Share: links and reviewers' feedback ------------------------------------------------------

# (reviewer, e-mail, answers to the three questions, comments as (initiative's position
# among the link's initiatives, kind, text), triage as (state, answer) per piece in order).
REVIEWERS = [
    (
        "Elena Rossi",  # a senior stakeholder: her review is a leadership touchpoint
        "elena@northwind.example",
        {
            "problems": "Yes: time to first merged change is what hurts engineering most.",
            "audiences": "New engineers first, but their managers need the toolkit as much.",
            "constraints": "Q2 is our hiring peak: managers have no time for workshops then.",
        },
        [(0, "agree", "Exactly what engineering asked for: keep it in this cycle.")],
        [
            ("accepted", "Good: the toolkit stays the Q1 commitment."),
            ("accepted", ""),
            ("accepted", "We moved the manager workshops to the first weeks of Q3."),
            ("open", ""),
        ],
    ),
    (
        "Lars Nilsson",
        "lars@northwind.example",
        {"audiences": "Contractors onboard too and are missing from every initiative."},
        [(1, "question", "Who runs the pilot cohort, and when do we see results?")],
        [
            ("declined", "Contractors are onboarded by their agencies; we list it as not doing."),
            ("accepted", "Priya Raman runs it; results at the Q2 business review."),
        ],
    ),
    (
        "Nora Lindqvist",
        "nora.lindqvist@northwind.example",
        {"constraints": "The works council must see any new mandatory training first."},
        [(0, "concern", "Is this mandatory? Then the works council must see it first.")],
        [("open", ""), ("open", "")],
    ),
]
SCOPED_REVIEWER = (
    "Sam Patel",
    "sam.patel@northwind.example",
    {"problems": "Ramp-up time is the right problem; quota attainment is the proof."},
    [(0, "agree", "Please keep this in its cycle: sales hires start before the next one.")],
    [("accepted", "It stays: this is committed for its cycle."), ("open", "")],
)


def seed_share(demo: Demo, roadmap: Roadmap, main: ShareLink) -> None:
    """The Share page's demo: the main link takes feedback; an expired board link; a link
    scoped to one priority (its token published like the main one's); four reviewers'
    answers and comments, triaged and answered in part. Once: nothing is added again."""
    maya = demo.users["demo@example.com"]
    ShareLink.objects.filter(pk=main.pk).update(allow_feedback=True, audience="Exec team")
    main.refresh_from_db()
    ShareLink.objects.get_or_create(
        org=demo.org,
        roadmap=roadmap,
        label="Q4 board pack",
        defaults={
            "audience": "Board of directors",
            "created_by": maya,
            "token_hash": hash_token(new_token()),
            "created_at": aware(date(2026, 10, 1)),
            "expires_at": aware(date(2026, 10, 31)),
            "last_used_at": aware(date(2026, 10, 14), hour=16),
            "view_count": 7,
        },
    )
    priority = (
        Priority.objects.filter(strategy__org=demo.org, strategy__fiscal_year=roadmap.fiscal_year)
        .filter(initiatives__roadmap=roadmap, initiatives__status__in=COMMITTED_STATUSES)
        .order_by("-rank")
        .first()
    )
    scoped_hash = hash_token(demo_token(DEMO_SCOPED_SHARE_TOKEN))
    scoped, created = ShareLink.objects.get_or_create(
        org=demo.org,
        roadmap=roadmap,
        label="Priority review (demo link)",
        defaults={
            "audience": "Business owners of one priority",
            "created_by": maya,
            "token_hash": scoped_hash,
            "allow_feedback": True,
        },
    )
    ShareLink.objects.filter(pk=scoped.pk).update(token_hash=scoped_hash)
    if created and priority is not None:
        scoped.priorities.set([priority])
    if ShareReview.objects.filter(link__roadmap=roadmap).exists():
        return
    plan = [(main, reviewer) for reviewer in REVIEWERS] + [(scoped, SCOPED_REVIEWER)]
    for link, (name, email, answers, comments, triage) in plan:
        review = reviews.submit_review(link=link, name=name, email=email, answers=answers)
        initiatives = list(link.initiatives())
        for position, kind, text in comments:
            if position < len(initiatives):
                reviews.add_comment(
                    review=review, initiative=initiatives[position], kind=kind, text=text
                )
        for item, (state, answer) in zip(review.feedback.order_by("pk"), triage, strict=False):
            if state != "open" or answer:
                item.triage(state=state, answer=answer, by=maya)
    # Already "sent": the demo does not e-mail its owner about its own seed.
    Feedback.objects.filter(roadmap=roadmap).update(notified_at=timezone.now())
