"""Demo-only KPI values for the Global onboarding example: a year of readings by hand.

The KPIs themselves (baseline, target, owner) come from the "global-onboarding" starter
template (`roadmap/starters/global-onboarding.toml`); a template has no readings yet.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile

from measurement import chain, engagement, roi, sources, surveys, xapi
from measurement.alignment import record_touchpoint
from measurement.models import (
    ActivityMapping,
    Forum,
    Kpi,
    KpiValue,
    MetricSource,
    Program,
    XapiStatement,
)
from roadmap_site.dates import add_months
from roadmap_site.models import Person

if TYPE_CHECKING:
    from roadmap_site.demo import Demo

# KPI name (the KPIs come from the "global-onboarding" starter template): a year of values
# entered by hand, as (date, value, segment, note).
VALUES: dict[str, list[tuple[date, str, str, str]]] = {
    "Time to full productivity": [
        (date(2026, 3, 1), "84", "", ""),
        (date(2026, 4, 1), "82", "", ""),
        (date(2026, 5, 1), "80", "", "Needs analysis done; no programme live yet."),
        (date(2026, 6, 1), "77", "", ""),
        (date(2026, 7, 1), "75", "", "Day-1 to Day-90 journey piloted in two offices."),
        (date(2026, 8, 1), "73", "", ""),
        (date(2026, 9, 1), "71", "", ""),
        (date(2026, 10, 1), "69", "", ""),
        (date(2026, 11, 1), "68", "", "Summer hiring wave slowed sign-offs."),
        (date(2026, 10, 1), "81", "APAC", ""),
        (date(2026, 11, 1), "78", "APAC", ""),
        (date(2026, 10, 1), "58", "North America", ""),
        (date(2026, 11, 1), "57", "North America", ""),
    ],
    "First-year attrition": [
        (date(2026, 5, 1), "16.8", "", ""),
        (date(2026, 8, 1), "15.1", "", ""),
        (date(2026, 11, 1), "13.2", "", "Manager toolkit live in Engineering."),
    ],
    "Days to first closed deal (EMEA AEs)": [
        (date(2026, 6, 1), "148", "", ""),
        (date(2026, 8, 1), "140", "", ""),
        (date(2026, 10, 1), "135", "", "Bootcamp not started: waits for Q3 content."),
        (date(2026, 11, 1), "131", "", ""),
    ],
    "Weeks to independent ticket handling": [
        (date(2026, 9, 1), "8", "", ""),
        (date(2026, 11, 1), "7.5", "", ""),
    ],
    "New hires who feel ready at day 30": [
        (date(2026, 5, 1), "63", "", ""),
        (date(2026, 8, 1), "69", "", ""),
        (date(2026, 11, 1), "75", "", ""),
    ],
}


def seed(demo: Demo) -> dict[str, Kpi]:
    entered_by = demo.users["demo@example.com"]
    kpis = {kpi.name: kpi for kpi in Kpi.objects.for_org(demo.org).filter(name__in=VALUES)}
    for name, values in VALUES.items():
        if name not in kpis:
            continue
        for day, value, segment, note in values:
            KpiValue.objects.get_or_create(
                kpi=kpis[name],
                date=day,
                segment=segment,
                defaults={
                    "org": demo.org,
                    "value": Decimal(value),
                    "note": note,
                    "entered_by": entered_by,
                },
            )
    return kpis


# Survey comments for the impact demo, cycled over the responses of each program.
COMMENTS = {
    "promoter": [
        "My buddy and the week-one checklist made the first days easy.",
        "Knew exactly who to ask and what to do by day three.",
        "The 30-60-90 plan gave my manager and me something concrete to talk about.",
        "",
    ],
    "passive": ["Good, but the LMS links were broken in week two.", "Useful, a bit long.", ""],
    "detractor": [
        "Half the sessions were for another region's tools.",
        "My laptop arrived on day four; the schedule assumed day one.",
        # Starts like a formula: the CSV and XLSX downloads must keep it plain text.
        "-1 for the week-one schedule: half of it was for another office.",
        "",
    ],
}
# Program (initiative title): its scores as (score, how many), answered between July and
# November. The journey has enough answers for a firm NPS; the toolkit is a small sample.
SCORES = {
    "Day-1 to Day-90 global onboarding journey": [
        (10, 12),
        (9, 11),
        (8, 8),
        (7, 5),
        (6, 4),
        (5, 3),
        (3, 2),
    ],
    "Manager onboarding toolkit": [(10, 3), (9, 3), (8, 3), (7, 2), (6, 2), (4, 1)],
    "Engineering ramp-up path: first commit in week one": [(10, 4), (9, 2), (8, 2), (5, 1)],
}
# The ROI worked example: the onboarding journey's first year.
BENEFITS = [
    (
        "Earlier productivity of 160 new hires (7 days sooner each)",
        "412000",
        "Finance: loaded daily cost times days gained, HRIS start dates",
        "0.500",
        "0.800",
    ),
    (
        "Fewer first-year leavers (6 fewer exits)",
        "270000",
        "HR: replacement cost per leaver, first-year attrition report",
        "0.300",
        "0.700",
    ),
    (
        "Less senior engineer time spent on ad-hoc onboarding",
        "48000",
        "Engineering managers' estimate, time survey in October",
        "0.800",
        "0.600",
    ),
]
COSTS = [
    ("design", "Needs analysis and content design (L&D team days)", "38000"),
    ("design", "Video production partner", "22000"),
    ("delivery", "Facilitators for the live sessions", "31000"),
    ("delivery", "LMS licences, one year", "12000"),
    ("participant_time", "New hires' time in sessions (160 people, 12 hours each)", "96000"),
    ("overhead", "Programme management and evaluation", "18000"),
    ("other", "Welcome kits", "8000"),
]
# Hand-entered Kirkpatrick evidence: the journey has learning, the toolkit has behaviour;
# the journey's behaviour (level 3) and the toolkit's learning (level 2) stay missing.
EVIDENCE = {
    "Day-1 to Day-90 global onboarding journey": [
        (
            2,
            "92 % passed the week-two product and policy check at the first try",
            date(2026, 9, 15),
        ),
    ],
    "Manager onboarding toolkit": [
        (
            3,
            "Managers held a 30-day check-in with 81 % of their new hires (was 40 %)",
            date(2026, 10, 20),
        ),
    ],
}


def seed_impact(demo: Demo, initiatives: dict[str, Any]) -> None:
    """Survey responses with comments, an ROI worked example and evidence items, for the
    impact pages: every level of the chain shows, some with evidence and some missing.
    Through the same record functions as the forms; a second run changes nothing."""
    org = demo.org
    programs = {
        title: Program.objects.for_initiative(initiative)
        for title, initiative in initiatives.items()
        if title in SCORES or title in EVIDENCE
    }
    for title, scores in SCORES.items():
        if title not in programs:
            continue
        number = 0
        for score, count in scores:
            kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            for _ in range(count):
                number += 1
                comments = COMMENTS[kind]
                surveys.record_response(
                    org=org,
                    program=programs[title],
                    score=score,
                    responded_on=date(2026, 7 + number % 5, 1 + (number * 7) % 28),
                    comment=comments[number % len(comments)],
                    respondent=f"demo-{number:03d}",
                )
    journey = programs.get("Day-1 to Day-90 global onboarding journey")
    if journey is not None:
        for description, amount, source, isolation, confidence in BENEFITS:
            roi.record_benefit(
                org=org,
                program=journey,
                description=description,
                amount=amount,
                source=source,
                isolation=isolation,
                confidence=confidence,
            )
        for category, description, amount in COSTS:
            roi.record_cost(
                org=org, program=journey, category=category, description=description, amount=amount
            )
    for title, rows in EVIDENCE.items():
        if title not in programs:
            continue
        for level, summary, day in rows:
            chain.record_evidence(
                org=org, program=programs[title], level=level, summary=summary, recorded_on=day
            )


# Learner engagement: two programs' last twelve complete months, as (eligible learners,
# active learner rate in %). The journey grows steadily; the manager toolkit peaks and
# then falls two months running, so its decline alert shows.
# fmt: off
ENGAGEMENT = {
    "Day-1 to Day-90 global onboarding journey": [
        (180, 52), (195, 55), (210, 57), (205, 58), (220, 61), (240, 63),
        (260, 64), (255, 66), (250, 67), (245, 69), (230, 70), (225, 72),
    ],
    "Manager onboarding toolkit": [
        (60, 40), (62, 48), (64, 55), (66, 61), (70, 66), (72, 70),
        (75, 72), (75, 74), (78, 73), (80, 64), (80, 52), (82, 41),
    ],
}
# fmt: on


def seed_engagement(demo: Demo, initiatives: Iterable[Any]) -> None:
    """Twelve months of learner activity for the demo's two programs, ending with the last
    complete month (so the decline shows whenever the demo is loaded), and the eligible
    learners of each month. Written through `record_events` and `set_eligible`: a second
    run stores nothing new."""
    today = demo.org.today()
    last = engagement.last_complete_month(today)
    zone = demo.org.zone
    for initiative in initiatives:
        months = ENGAGEMENT.get(initiative.title)
        if months is None:
            continue
        program = Program.objects.for_initiative(initiative)
        rng = random.Random(initiative.title)  # noqa: S311 (demo data, the same every run)
        events = []
        for k, (eligible, rate) in enumerate(months):
            month = add_months(last, k - len(months) + 1)
            engagement.set_eligible(program=program, month=month, count=eligible)
            days = (add_months(month, 1) - month).days
            active = round(eligible * rate / 100)
            for learner in rng.sample(range(eligible), active):
                key = f"lms-{learner:05d}"
                first = datetime(month.year, month.month, rng.randint(1, days), 9, tzinfo=zone)
                events.append({"learner_key": key, "event_type": "launched", "occurred_at": first})
                for _ in range(rng.randint(0, 3)):
                    at = first + timedelta(hours=rng.randint(1, 200))
                    if at.astimezone(zone).month == month.month:
                        kind = rng.choice(["experienced", "attempted", "experienced"])
                        events.append({"learner_key": key, "event_type": kind, "occurred_at": at})
                if rng.random() < 0.3:
                    events.append(
                        {"learner_key": key, "event_type": "completed", "occurred_at": first}
                    )
            # Browsing the catalogue does not count as taking part.
            for learner in rng.sample(range(eligible), eligible // 10):
                at = datetime(month.year, month.month, rng.randint(1, days), 14, tzinfo=zone)
                events.append(
                    {"learner_key": f"lms-{learner:05d}", "event_type": "viewed", "occurred_at": at}
                )
        engagement.record_events(program=program, events=events)


# Leadership alignment: the senior stakeholders, and their touchpoints as (days into the
# current fiscal quarter, forum, notes) so the demo always shows this quarter; Grace Kim
# had one last quarter and none yet this quarter (the demo's "senior not met" alert).
SENIORS = ["Elena Rossi", "David Chen", "Aisha Bello", "Grace Kim"]
THIS_QUARTER = [
    ("David Chen", 3, Forum.BUDGET_CYCLE, "Q-plan budget recast: onboarding journey kept whole."),
    ("Elena Rossi", 10, Forum.WORKFORCE_PLANNING, "Engineering hiring wave: ramp-up path first."),
    ("Aisha Bello", 17, Forum.BUSINESS_REVIEW, "Bootcamp slipped; agreed the new launch date."),
    ("David Chen", 24, Forum.ROADMAP_REVIEW, "Walked through the roadmap's not-doing list."),
]
LAST_QUARTER = [
    ("Grace Kim", 20, Forum.PERFORMANCE_REVIEW, "Support certification in the review cycle."),
    ("Elena Rossi", 35, Forum.BUSINESS_REVIEW, ""),
    ("Aisha Bello", 50, Forum.BUDGET_CYCLE, "EMEA bootcamp budget approved."),
]


def seed_alignment(demo: Demo) -> None:
    """Senior stakeholders and their touchpoints, dated from today's fiscal quarter."""
    org = demo.org
    Person.objects.filter(org=org, name__in=SENIORS).update(is_senior=True)
    today = org.today()
    start = org.fiscal_quarter_bounds(today)[0]
    previous = org.fiscal_quarter_bounds(start - timedelta(days=1))[0]
    rows = [(start, *row) for row in THIS_QUARTER] + [(previous, *row) for row in LAST_QUARTER]
    for quarter_start, name, days, forum, notes in rows:
        person = demo.people[name]
        person.is_senior = True
        # Early in a quarter the later touchpoints land on today: never in the future.
        day = min(quarter_start + timedelta(days=days), today)
        record_touchpoint(
            org=org,
            stakeholder=person,
            day=day,
            forum=forum,
            notes=notes,
            created_by=demo.users["demo@example.com"],
        )


DEMO_FILE_SOURCE = "HRIS productivity export"
DEMO_URL_SOURCE = "LMS activity feed"


def seed_sources(demo: Demo, programs: Iterable[Program]) -> None:
    """Two data sources: a file source with two runs of the same file, the first failed
    (all or nothing, and a row with an impossible date) and the second partly written (the
    demo's readings, all unchanged, and that row refused), and a daily URL source kept
    paused, since its address is an example. Skipped when they exist."""
    kpi = Kpi.objects.for_org(demo.org).filter(name="Time to full productivity").first()
    if kpi is not None and not MetricSource.objects.for_org(demo.org).filter(name=DEMO_FILE_SOURCE):
        source = MetricSource.objects.create(
            org=demo.org,
            name=DEMO_FILE_SOURCE,
            target="kpi_values",
            kpi=kpi,
            mapping={"date": "Month", "value": "Days to productivity", "note": "Comment"},
        )
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")  # as Excel saves "CSV" in much of Europe
        writer.writerow(["Month", "Days to productivity", "Comment"])
        for day, value, segment, note in VALUES[kpi.name][:4]:
            if not segment:
                writer.writerow([f"{day:%d/%m/%Y}", value.replace(".", ","), note])
        writer.writerow(["31/13/2026", "71", "Typed by hand"])
        data = out.getvalue().encode("cp1252")
        # First as all-or-nothing: the bad date fails the run and nothing is written; then
        # with the good rows taken and the bad one listed, as most teams end up doing.
        for all_or_nothing in (True, False):
            source.all_or_nothing = all_or_nothing
            source.save(update_fields=["all_or_nothing"])
            run = sources.start_run(
                source=source,
                file=ContentFile(data, name="productivity.csv"),
                by=demo.users["demo@example.com"],
            )
            sources.claim(run.pk)
            sources.perform_run(run.pk)
    program = next(iter(programs), None)
    if program is not None and not MetricSource.objects.for_org(demo.org).filter(
        name=DEMO_URL_SOURCE
    ):
        source = MetricSource.objects.create(
            org=demo.org,
            name=DEMO_URL_SOURCE,
            kind="url",
            target="learner_activity",
            program=program,
            url="https://lms.example.com/exports/activity.csv",
            header_name="Authorization",
            header_secret=sources.encrypt_secret("Bearer demo-not-a-real-token"),
            schedule="daily",
            enabled=False,
        )
        sources.sync_schedule(source)


# xAPI: the LMS's activity ids for the two engagement programs, mapped, and one new module
# nobody has mapped yet. The stored statements are "viewed" (not a qualifying event), so
# they show in the months' event counts without changing the demo's active learner rates.
XAPI_LMS = "https://lms.northwind.example/activities/"
XAPI_ACTIVITIES = {
    "Day-1 to Day-90 global onboarding journey": ("onboarding-journey", "Global onboarding"),
    "Manager onboarding toolkit": ("manager-toolkit", "Manager onboarding toolkit"),
}
XAPI_UNMAPPED = ("coaching-conversations", "Coaching conversations (pilot)")
XAPI_LEARNERS = ["amara.o", "ben.k", "chloe.d", "dev.p", "emil.s"]
VIEWED = "http://id.tincanapi.com/verb/viewed"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


def _xapi_statement(n: int, slug: str, name: str, verb: str, at: datetime) -> dict[str, Any]:
    learner = XAPI_LEARNERS[n % len(XAPI_LEARNERS)]
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{XAPI_LMS}{slug}/{n}")),
        "actor": {"mbox": f"mailto:{learner}@northwind.example", "name": learner},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"id": f"{XAPI_LMS}{slug}", "definition": {"name": {"en-US": name}}},
        "timestamp": at.isoformat(),
    }


def seed_xapi(demo: Demo, initiatives: Iterable[Any]) -> None:
    """Activity mappings for the engagement programs and a few statements through
    `xapi.store_statements` (pseudonymised like any platform's), once: a second load sends
    nothing, since the statements' times follow the calendar."""
    org = demo.org
    if XapiStatement.objects.filter(org=org).exists():
        return
    last = engagement.last_complete_month(org.today())
    for initiative in initiatives:
        slug, name = XAPI_ACTIVITIES[initiative.title]
        ActivityMapping.objects.get_or_create(
            org=org,
            activity_id=f"{XAPI_LMS}{slug}",
            defaults={"name": name, "program": Program.objects.for_initiative(initiative)},
        )
    statements = []
    for slug, name in [*XAPI_ACTIVITIES.values(), XAPI_UNMAPPED]:
        verb = COMPLETED if slug == XAPI_UNMAPPED[0] else VIEWED
        for n in range(3):
            at = datetime(last.year, last.month, 10 + n, 11, tzinfo=org.zone)
            statements.append(_xapi_statement(n, slug, name, verb, at))
    # The LMS took one pilot completion back (recorded against the wrong learner): a
    # voiding statement, so it is hidden from queries and never counts once mapped.
    statements.append(
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{XAPI_LMS}voided/0")),
            "actor": {"mbox": "mailto:lms-admin@northwind.example"},
            "verb": {"id": xapi.VOIDED, "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": statements[-1]["id"]},
            "timestamp": datetime(last.year, last.month, 14, 9, tzinfo=org.zone).isoformat(),
        }
    )
    xapi.store_statements(
        org=org,
        statements=statements,
        authority={
            "objectType": "Agent",
            "name": "Northwind LMS (demo)",
            "account": {"homePage": XAPI_LMS, "name": "demo-lms"},
        },
    )
