"""Demo content for the roadmap app: the Global onboarding roadmap of FY27."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from roadmap.models import (
    AssessSettings,
    BusinessEvent,
    CapacityEntry,
    EventKind,
    EventKindRule,
    Initiative,
    InitiativeDependency,
    InitiativeStatus,
    NotDoing,
    Roadmap,
    ShareLink,
    SmeAssignment,
    SmeAvailability,
    Stage,
    StageDependency,
    TimeOff,
    TrainingRequest,
    WarningAcknowledgement,
)
from roadmap_site.models import hash_token

if TYPE_CHECKING:
    from roadmap_site.demo import Demo

ROADMAP_TITLE = "Global onboarding roadmap"
# The demo's share link is published in the README, so its token is fixed; real links are random.
DEMO_SHARE_TOKEN = "demo-global-onboarding-read-only"  # noqa: S105

S = InitiativeStatus
# title, problem, cycle (0-3, None = not scheduled), owner, accountable, status
INITIATIVES = [
    (
        "Onboarding needs analysis across six regions",
        "New hires in APAC and LATAM take about 40% longer to reach full productivity than in "
        "North America, and nobody can say why. Interview hiring managers and recent hires, "
        "and compare time-to-productivity by region before building anything.",
        0,
        "Priya Raman",
        "David Chen",
        S.DELIVERED,
    ),
    (
        "Day-1 to Day-90 global onboarding journey",
        "Every office onboards differently; time-to-productivity ranges from 45 to 120 days. "
        "One journey with regional modules, the same milestones everywhere.",
        1,
        "Jonas Weber",
        "David Chen",
        S.IN_PROGRESS,
    ),
    (
        "Manager onboarding toolkit",
        "Hiring managers do not know what to do in a new hire's first month; 30% of "
        "first-year leavers cite a lack of manager support in exit interviews.",
        1,
        "Priya Raman",
        "Elena Rossi",
        S.IN_PROGRESS,
    ),
    (
        "Engineering ramp-up path: first commit in week one",
        "New engineers wait two to three weeks for access and context. Pair a ramp-up path "
        "with environment set-up so they ship a first change in week one.",
        2,
        "Jonas Weber",
        "Elena Rossi",
        S.COMMITTED,
    ),
    (
        "Sales onboarding bootcamp: first deal in 90 days",
        "New account executives in EMEA take five months to close a first deal against a "
        "target of three.",
        2,
        "Tomás Alvarez",
        "Aisha Bello",
        S.COMMITTED,
    ),
    (
        "Localise core onboarding into eight languages",
        "Half of next year's hires join outside English-speaking offices; completion of the "
        "English-only modules is 25 points lower there.",
        2,
        "Tomás Alvarez",
        "David Chen",
        S.COMMITTED,
    ),
    (
        "Onboarding buddy programme",
        "New hires who had a buddy report feeling productive three weeks sooner; only two "
        "offices run a programme today.",
        3,
        "Priya Raman",
        "Grace Kim",
        S.COMMITTED,
    ),
    (
        "Support agent certification in four weeks",
        "New support agents need eight weeks before they handle tickets alone; the hiring "
        "wave in Q4 doubles the team.",
        3,
        "Jonas Weber",
        "Grace Kim",
        S.PROPOSED,
    ),
    (
        "Time-to-productivity dashboard for leaders",
        "Leaders ask for time-to-productivity by region every quarter and we assemble it by "
        "hand from three systems.",
        None,
        "Maya Okafor",
        "David Chen",
        S.PROPOSED,
    ),
]


def seed(demo: Demo) -> Roadmap:
    roadmap = Roadmap.objects.filter(org=demo.org, title=ROADMAP_TITLE).first()
    if roadmap is None:
        roadmap = Roadmap.create_for_year(
            org=demo.org,
            title=ROADMAP_TITLE,
            fiscal_year=2027,
            description=(
                "One onboarding experience for every new hire, in every region: faster "
                "time-to-productivity and fewer first-year leavers."
            ),
            created_by=demo.users["demo@example.com"],
        )
    cycles = list(roadmap.cycles.order_by("position"))
    for position, (title, problem, cycle, owner, accountable, status) in enumerate(INITIATIVES):
        if Initiative.objects.filter(org=demo.org, roadmap=roadmap, title=title).exists():
            continue
        values = {
            "problem": problem,
            "cycle": cycles[cycle] if cycle is not None else None,
            "owner": demo.people[owner],
            "accountable": demo.people[accountable],
            "status": status,
            "position": position,
            **align_fields(demo, title),
        }
        # Created at the start of the year with the values before the logged changes,
        # which are then replayed with their dates, authors and justifications.
        change = CHANGES.get(title)
        before = {}
        if change is not None:
            before = {k: resolve(demo, cycles, k, v) for k, v in change["before"].items()}
        initiative = Initiative(org=demo.org, roadmap=roadmap, title=title, **{**values, **before})
        initiative._history_date = aware(YEAR_PLANNED)
        initiative._history_user = demo.users["demo@example.com"]
        initiative.save()
        if change is not None:
            initiative._history_date = aware(change["on"])
            initiative.change(
                by=demo.users["demo@example.com"],
                justification=change["why"],
                **{k: values[k] for k in change["before"]},
            )
    seed_assess_align(demo, roadmap, cycles)
    seed_plan(demo, roadmap, cycles)
    ShareLink.objects.get_or_create(
        token_hash=hash_token(DEMO_SHARE_TOKEN),
        defaults={
            "org": demo.org,
            "roadmap": roadmap,
            "label": "Leadership review (demo link)",
            "created_by": demo.users["demo@example.com"],
        },
    )
    return roadmap


# Assess & Align ---------------------------------------------------------------------------

# The requester's status link of one demo request, published in the README like the share link.
DEMO_STATUS_TOKEN = "demo-request-status-link"  # noqa: S105
YEAR_PLANNED = date(2026, 2, 16)


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def priority(demo: Demo, keyword: str | None):
    """The strategy demo's priority whose name mentions the keyword, if it is loaded."""
    if not keyword:
        return None
    from strategy.models import Priority

    return Priority.objects.for_org(demo.org).filter(capability__icontains=keyword).first()


def kpi(demo: Demo, keyword: str | None):
    if not keyword:
        return None
    from measurement.models import Kpi

    return Kpi.objects.for_org(demo.org).filter(name__icontains=keyword).first()


# title: priority keyword, KPI keyword, audience, size, budget, people, days, tradeoffs
ALIGN = {
    "Onboarding needs analysis across six regions": (
        "productiv",
        "productiv",
        "Hiring managers and recent hires in six regions",
        60,
        "8000",
        2,
        30,
        "The manager toolkit waited a quarter so the analysis came first.",
    ),
    "Day-1 to Day-90 global onboarding journey": (
        "productiv",
        "productiv",
        "Every new hire, all offices",
        900,
        "45000",
        3,
        120,
        "No new compliance modules this year; the journey links to the existing ones.",
    ),
    "Manager onboarding toolkit": (
        "manager",
        "attrition",
        "Hiring managers",
        180,
        "12000",
        2,
        40,
        "Built on the existing manager handbook rather than a new programme.",
    ),
    "Engineering ramp-up path: first commit in week one": (
        "productiv",
        None,
        "New engineers",
        140,
        "15000",
        2,
        45,
        "IT owns access; L&D builds only the path. The graduate programme redesign waits.",
    ),
    "Sales onboarding bootcamp: first deal in 90 days": (
        "productiv",
        None,
        "New account executives, EMEA",
        35,
        "22000",
        2,
        50,
        "Uses the sales enablement team's deal reviews instead of new role-play content.",
    ),
    "Localise core onboarding into eight languages": (
        "productiv",
        None,
        "Hires outside English-speaking offices",
        450,
        "42000",
        1,
        80,
        "Eight languages, not fourteen: they cover 94% of next year's hires.",
    ),
    "Onboarding buddy programme": (
        "attrition",
        "attrition",
        "New hires and volunteer buddies",
        400,
        "5000",
        1,
        25,
        "Volunteer buddies, no stipend; recognised in performance reviews instead.",
    ),
}

# Commitment changes after the fact: the values before, when, and the justification.
CHANGES = {
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


def align_fields(demo: Demo, title: str) -> dict:
    if title not in ALIGN:
        return {}
    prio, kpi_kw, audience, size, budget, people, days, tradeoffs = ALIGN[title]
    return {
        "priority": priority(demo, prio),
        "kpi": kpi(demo, kpi_kw),
        "audience": audience,
        "audience_size": size,
        "budget": Decimal(budget),
        "people": people,
        "days": days,
        "tradeoffs": tradeoffs,
    }


# title, requester, department, audience, size, evidence (kind, metric, value, notes),
# priority keyword, needed by, gap, effort days, submitted, decision
REQUESTS = [
    # Committed into the roadmap's initiatives.
    (
        "Consistent onboarding across offices",
        "David Chen",
        "People",
        "All new hires",
        900,
        ("metric", "Time-to-productivity", "45 to 120 days by office", ""),
        "productiv",
        date(2026, 6, 1),
        "knowledge",
        120,
        date(2026, 2, 3),
        ("committed", "Day-1 to Day-90 global onboarding journey", date(2026, 2, 20)),
    ),
    (
        "Help managers onboard their new hires",
        "Lars Nilsson",
        "People",
        "Hiring managers",
        180,
        ("metric", "First-year leavers citing manager support", "30%", "Exit interviews 2025."),
        "manager",
        date(2026, 7, 1),
        "knowledge",
        40,
        date(2026, 2, 5),
        ("committed", "Manager onboarding toolkit", date(2026, 2, 20)),
    ),
    (
        "New engineers can't ship for weeks",
        "Elena Rossi",
        "Engineering",
        "New engineers",
        140,
        ("metric", "Days to first merged change", "18 days", ""),
        "productiv",
        date(2026, 9, 1),
        "knowledge",
        45,
        date(2026, 2, 10),
        ("committed", "Engineering ramp-up path: first commit in week one", date(2026, 3, 2)),
    ),
    (
        "Sales bootcamp for new AEs",
        "Aisha Bello",
        "Sales",
        "New account executives, EMEA",
        35,
        ("metric", "Months to first closed deal", "5 (target 3)", ""),
        "productiv",
        date(2026, 8, 15),
        "knowledge",
        50,
        date(2026, 2, 12),
        ("committed", "Sales onboarding bootcamp: first deal in 90 days", date(2026, 3, 2)),
    ),
    (
        "Onboarding in local languages",
        "Lars Nilsson",
        "People",
        "Hires outside English offices",
        450,
        ("metric", "Completion gap, non-English offices", "25 points lower", ""),
        "productiv",
        date(2026, 9, 1),
        "knowledge",
        80,
        date(2026, 3, 4),
        ("committed", "Localise core onboarding into eight languages", date(2026, 3, 18)),
    ),
    # Deferred to a later cycle.
    (
        "Support agent certification",
        "Grace Kim",
        "Support",
        "New support agents",
        60,
        ("metric", "Weeks before handling tickets alone", "8 weeks", ""),
        "productiv",
        date(2026, 10, 1),
        "knowledge",
        35,
        date(2026, 4, 2),
        (
            "deferred",
            3,
            date(2026, 5, 6),
            "Q2 and Q3 are full with the onboarding journey and the sales bootcamp. We will build "
            "the certification in Q4, in time for the support hiring wave in October.",
        ),
    ),
    (
        "Presentation skills for team leads",
        "Aisha Bello",
        "Sales",
        "Team leads",
        25,
        ("stakeholder", "", "", "Requested after the sales kickoff feedback."),
        None,
        date(2026, 9, 1),
        "knowledge",
        15,
        date(2026, 6, 3),
        (
            "deferred",
            3,
            date(2026, 6, 24),
            "It serves none of this year's priorities, and the team leads are busy with the "
            "mid-year reviews in July. We'll look at it again in Q4.",
        ),
    ),
    (
        "Data literacy basics for HR",
        "Lars Nilsson",
        "People",
        "HR team",
        30,
        ("stakeholder", "", "", "HRBPs struggle with the new people dashboards."),
        None,
        date(2026, 11, 1),
        "knowledge",
        20,
        date(2026, 8, 10),
        (
            "deferred",
            3,
            date(2026, 8, 26),
            "The new dashboards ship in November; training before then would teach screens that "
            "are about to change.",
        ),
    ),
    # Declined, with the reason the requester reads.
    (
        "Time-management course for support agents",
        "Grace Kim",
        "Support",
        "Support agents",
        120,
        ("stakeholder", "", "", "Agents say they can't keep up."),
        None,
        date(2026, 6, 1),
        "tools",
        20,
        date(2026, 3, 9),
        (
            "declined",
            None,
            date(2026, 3, 30),
            "The assessment showed agents lose two hours a day to the ticketing tool's slow "
            "search, not to time management. We passed the finding to IT; a course would not "
            "fix it.",
        ),
    ),
    (
        "Mandatory onboarding quiz with a pass mark",
        "Tomás Alvarez",
        "People",
        "All new hires",
        900,
        ("none", "", "", ""),
        None,
        None,
        "process",
        10,
        date(2026, 5, 11),
        (
            "declined",
            None,
            date(2026, 5, 27),
            "A quiz measures recall, not productivity, and adds friction in week one. We measure "
            "time-to-productivity instead.",
        ),
    ),
    (
        "Retention bonus training for managers",
        "Aisha Bello",
        "Sales",
        "Sales managers",
        20,
        ("metric", "Sales attrition", "22%", ""),
        "attrition",
        date(2026, 10, 1),
        "incentives",
        15,
        date(2026, 8, 18),
        (
            "declined",
            None,
            date(2026, 9, 8),
            "Attrition in sales follows the commission plan change; that is an incentives question "
            "for Sales and Finance, not a training one. Happy to join the conversation.",
        ),
    ),
    # Duplicates, merged into the original; their requesters are kept.
    (
        "Buddy system for new hires in Berlin",
        "Fatima Zahra",
        "Engineering",
        "New hires, Berlin",
        40,
        ("stakeholder", "", "", ""),
        "attrition",
        None,
        "knowledge",
        None,
        date(2026, 9, 2),
        ("duplicate", "Buddy programme for all offices", date(2026, 9, 16)),
    ),
    (
        "Onboarding for APAC hires",
        "David Chen",
        "People",
        "New hires, APAC",
        150,
        ("metric", "Time-to-productivity, APAC", "+40% vs NA", ""),
        "productiv",
        None,
        "knowledge",
        None,
        date(2026, 2, 9),
        ("duplicate", "Consistent onboarding across offices", date(2026, 2, 20)),
    ),
    # Under assessment.
    (
        "Buddy programme for all offices",
        "Grace Kim",
        "Support",
        "New hires",
        400,
        ("stakeholder", "", "", "Buddies cut the time to feel productive by three weeks."),
        "attrition",
        date(2027, 1, 15),
        "knowledge",
        25,
        date(2026, 8, 20),
        ("assessing",),
    ),
    (
        "Leaders want a time-to-productivity dashboard",
        "David Chen",
        "People",
        "Leadership team",
        12,
        ("stakeholder", "", "", "Asked for at every quarterly review."),
        "productiv",
        date(2027, 1, 31),
        "tools",
        20,
        date(2026, 9, 21),
        ("assessing",),
    ),
    (
        "First-line manager programme",
        "Elena Rossi",
        "Engineering",
        "New engineering managers",
        45,
        ("metric", "Engineering manager 360 score", "3.1 of 5", ""),
        "manager",
        date(2027, 3, 1),
        "knowledge",
        60,
        date(2026, 10, 14),
        ("assessing",),
    ),
    (
        "Product training for support",
        "Grace Kim",
        "Support",
        "Support agents",
        120,
        ("metric", "Escalation rate", "18%", ""),
        "productiv",
        date(2027, 2, 1),
        "unknown",
        30,
        date(2026, 11, 2),
        ("assessing",),
    ),
    # New, from the public form and the team.
    (
        "Security awareness for new hires",
        "Fatima Zahra",
        "Engineering",
        "All new hires",
        900,
        ("stakeholder", "", "", "Auditors flagged it."),
        None,
        date(2027, 1, 31),
        "unknown",
        None,
        date(2026, 11, 18),
        ("new",),
    ),
    (
        "Negotiation skills for account executives",
        "Aisha Bello",
        "Sales",
        "Account executives",
        80,
        ("metric", "Average discount", "19% (target 12%)", ""),
        None,
        date(2027, 2, 1),
        "unknown",
        None,
        date(2026, 11, 23),
        ("new",),
    ),
    (
        "Onboarding for contractors",
        "Lars Nilsson",
        "People",
        "Contractors",
        70,
        ("none", "", "", ""),
        "productiv",
        None,
        "unknown",
        None,
        date(2026, 11, 25),
        ("new",),
    ),
    (
        "Remote onboarding for the new Lisbon office",
        "Elena Rossi",
        "Engineering",
        "New hires, Lisbon",
        35,
        ("none", "", "", ""),
        "productiv",
        date(2027, 1, 10),
        "unknown",
        None,
        date(2026, 11, 27),
        ("new",),
    ),
]
STATUS_LINK_REQUEST = "Support agent certification"

# name, kind, start, end, yearly, notes
EVENTS = [
    (
        "Annual goal setting",
        EventKind.GOAL_SETTING,
        date(2026, 2, 2),
        date(2026, 2, 27),
        True,
        "Company and department goals for the fiscal year.",
    ),
    (
        "Quarterly goal reset",
        EventKind.GOAL_SETTING,
        date(2026, 8, 3),
        date(2026, 8, 7),
        True,
        "Mid-year OKR reset.",
    ),
    (
        "Budget forecast for next year",
        EventKind.BUDGET_FORECAST,
        date(2026, 9, 14),
        date(2026, 10, 16),
        True,
        "L&D's FY28 budget is set here: bring the roadmap.",
    ),
    (
        "Mid-year budget recast",
        EventKind.BUDGET_RECAST,
        date(2026, 7, 6),
        date(2026, 7, 24),
        True,
        "Budgets can shrink; commitments without a business owner go first.",
    ),
    (
        "Mid-year performance reviews",
        EventKind.PERFORMANCE_REVIEW,
        date(2026, 7, 13),
        date(2026, 8, 7),
        True,
        "Managers have no time for training.",
    ),
    (
        "Year-end performance reviews",
        EventKind.PERFORMANCE_REVIEW,
        date(2027, 1, 11),
        date(2027, 1, 29),
        True,
        "",
    ),
    (
        "Graduate engineering intake",
        EventKind.HIRING_WAVE,
        date(2026, 9, 1),
        date(2026, 9, 30),
        True,
        "About 60 graduate engineers start.",
    ),
    (
        "Support hiring wave",
        EventKind.HIRING_WAVE,
        date(2026, 10, 5),
        date(2026, 11, 27),
        False,
        "The support team doubles.",
    ),
    ("Sales kickoff", EventKind.OTHER, date(2026, 8, 17), date(2026, 8, 19), True, ""),
]
AVOID = {
    EventKind.PERFORMANCE_REVIEW: True,
    EventKind.BUDGET_RECAST: True,
    EventKind.GOAL_SETTING: False,
    EventKind.HIRING_WAVE: False,
}
# cycle, title, reason
DROPPED = [
    (
        1,
        "Build a custom onboarding portal",
        "A six-month build for one team's wish; the LMS journey covers most of the need. "
        "Revisit if the completion data shows the LMS is the blocker.",
    ),
    (
        2,
        "Translate onboarding into all fourteen office languages",
        "Eight languages cover 94% of next year's hires; the other six would cost more than the "
        "rest of the localisation together.",
    ),
    (
        3,
        "Company-wide onboarding e-learning refresh",
        "Content is not the problem: exit interviews point at manager support, which the "
        "toolkit addresses.",
    ),
]


def seed_assess_align(demo: Demo, roadmap: Roadmap, cycles) -> None:
    maya = demo.users["demo@example.com"]
    AssessSettings.objects.get_or_create(
        org=demo.org,
        defaults={
            "intake_intro": "Tell Northwind's L&D team what is getting in the way of your "
            "people. We assess every request against this year's priorities, and you will "
            "see our decision and why on your private status link."
        },
    )
    initiatives = {i.title: i for i in roadmap.initiatives.all()}
    by_title: dict[str, TrainingRequest] = {}
    # Originals first, so duplicates can point at them.
    ordered = sorted(REQUESTS, key=lambda r: r[-1][0] == "duplicate")
    for row in ordered:
        (title, requester, dept, audience, size, evidence, prio, needed, gap, effort,
         submitted, decision) = row  # fmt: skip
        kind, metric, value, notes = evidence
        state = decision[0]
        # Notes are whole sentences with their own full stop.
        said = f"{metric} is {value}" if metric else notes.rstrip(".") or title
        fields = {
            "problem": f"{audience}: {said}.",
            "audience": audience,
            "audience_size": size,
            "evidence_kind": kind,
            "evidence_metric": metric,
            "evidence_value": value,
            "evidence_notes": notes,
            "priority": priority(demo, prio),
            "needed_by": needed,
            "gap": gap,
            "effort_days": effort,
            "requester_name": requester,
            "requester_email": requester.split(" ")[0].lower() + "@northwind.example",
            "requester_department": dept,
            "source": "public" if state in ("new", "deferred", "declined") else "team",
            "submitted_at": aware(submitted, 9),
            "state": state,
        }
        if state == "committed":
            fields.update(initiative=initiatives.get(decision[1]), decided_at=aware(decision[2]))
        elif state == "deferred":
            fields.update(
                deferred_to=cycles[decision[1]],
                decided_at=aware(decision[2]),
                decision_reason=decision[3],
            )
        elif state == "declined":
            fields.update(decided_at=aware(decision[2]), decision_reason=decision[3])
        elif state == "duplicate":
            fields.update(duplicate_of=by_title[decision[1]], decided_at=aware(decision[2]))
        elif state == "assessing":
            fields["decided_at"] = aware(submitted + timedelta(days=7))
        if state != "new":
            fields["decided_by"] = maya
        if title == STATUS_LINK_REQUEST:
            fields["status_token_hash"] = hash_token(DEMO_STATUS_TOKEN)
        by_title[title], _ = TrainingRequest.objects.get_or_create(
            org=demo.org, title=title, defaults=fields
        )
    for name, kind, start, end, yearly, notes in EVENTS:
        BusinessEvent.objects.get_or_create(
            org=demo.org,
            name=name,
            start=start,
            defaults={"kind": kind, "end": end, "recurs_yearly": yearly, "notes": notes},
        )
    for kind, avoid in AVOID.items():
        EventKindRule.objects.get_or_create(
            org=demo.org, kind=kind, defaults={"avoid_launches": avoid}
        )
    for cycle, title, reason in DROPPED:
        NotDoing.objects.get_or_create(
            cycle=cycles[cycle],
            title=title,
            defaults={
                "org": demo.org,
                "roadmap": roadmap,
                "reason": reason,
                "created_by": maya,
                "created_at": aware(cycles[cycle].start),
            },
        )


# Plan -------------------------------------------------------------------------------------

ROADMAP_BUDGET = Decimal("160000")
# title → (approach, what is reused, delivery media, sequence, stages); a stage is
# (kind, start, end, effort days, assignee, status, good enough).
PLAN = {
    "Onboarding needs analysis across six regions": (
        "build", "", [], "now",
        [
            ("needs_analysis", date(2026, 2, 2), date(2026, 3, 13), "20", "Priya Raman", "done",
             "Interviews in all six regions; time-to-productivity compared by region."),
            ("stakeholder_alignment", date(2026, 3, 16), date(2026, 3, 27), "4", "Priya Raman",
             "done", "David and the regional HRBPs agree on the three biggest gaps."),
        ],
    ),
    "Day-1 to Day-90 global onboarding journey": (
        "reuse", "The LMS's existing compliance modules", ["elearning", "job_aid", "workshop"],
        "now",
        [
            ("needs_analysis", date(2026, 5, 4), date(2026, 5, 15), "5", "Jonas Weber", "done",
             "Milestones for day 1, 30, 60 and 90 agreed with three offices."),
            ("content_creation", date(2026, 5, 18), date(2026, 7, 10), "30", "Jonas Weber",
             "done", "Regional modules for the two largest offices; others follow the template."),
            ("delivery", date(2026, 8, 10), date(2026, 8, 28), "15", "Jonas Weber",
             "done", "Every new hire from September is enrolled."),
            ("reinforcement", date(2026, 11, 2), date(2027, 1, 29), "8", "Tomás Alvarez",
             "not_started", "Day-60 check-in with the manager happens for 80% of hires."),
        ],
    ),
    "Manager onboarding toolkit": (
        "reuse", "The existing manager handbook", ["job_aid", "workshop", "coaching"], "now",
        [
            ("needs_analysis", date(2026, 5, 4), date(2026, 5, 22), "6", "Priya Raman", "done",
             "Ten hiring managers interviewed; exit-interview themes mapped."),
            ("content_creation", date(2026, 5, 25), date(2026, 7, 10), "20", "Priya Raman",
             "done", "A first-month checklist and three conversation guides, reviewed by Lars."),
            ("delivery", date(2026, 7, 27), date(2026, 8, 14), "8", "Priya Raman", "done",
             "Every manager with a new hire starting in Q3 has had the workshop."),
            ("evaluation", date(2026, 10, 5), date(2026, 10, 30), "6", "Priya Raman",
             "in_progress", "Manager-support score in the 90-day survey, against last year."),
        ],
    ),
    "Engineering ramp-up path: first commit in week one": (
        "build", "", ["on_the_job", "job_aid"], "now",
        [
            ("needs_analysis", date(2026, 8, 3), date(2026, 8, 14), "6", "Jonas Weber", "done",
             "Where the first three weeks go, from ten recent hires."),
            ("content_creation", date(2026, 8, 17), date(2026, 9, 25), "30", "Jonas Weber",
             "in_progress", "A week-one path that ends in a merged change, tested with two hires."),
            ("delivery", date(2026, 11, 30), date(2026, 12, 11), "6", "Jonas Weber",
             "not_started", "Every engineer starting in December ships a change in week one."),
        ],
    ),
    "Sales onboarding bootcamp: first deal in 90 days": (
        "reuse", "Sales enablement's deal reviews", ["cohort", "workshop"], "now",
        [
            ("needs_analysis", date(2026, 8, 3), date(2026, 8, 21), "5", "Tomás Alvarez", "done",
             "What the fastest closers did in their first 90 days."),
            ("content_creation", date(2026, 8, 24), date(2026, 10, 2), "15", "Tomás Alvarez",
             "done", "Four bootcamp weeks, each ending in a real deal review."),
            ("delivery", date(2026, 10, 12), date(2026, 11, 6), "10", "Tomás Alvarez",
             "in_progress", "The first EMEA cohort of 12 finishes."),
        ],
    ),
    "Localise core onboarding into eight languages": (
        "buy", "A translation vendor for the core modules", ["elearning"], "next",
        [
            ("content_creation", date(2026, 9, 7), date(2026, 11, 27), "30", "Tomás Alvarez",
             "in_progress", "Core modules in eight languages, checked by one native speaker each."),
            ("delivery", date(2026, 12, 7), date(2026, 12, 18), "4", "Tomás Alvarez",
             "not_started", "Published in the LMS for every office."),
        ],
    ),
    "Onboarding buddy programme": (
        "build", "", ["on_the_job", "coaching"], "now",
        [
            ("needs_analysis", date(2026, 11, 2), date(2026, 11, 13), "4", "Priya Raman",
             "done", "What the two offices with buddies do differently."),
            ("stakeholder_alignment", date(2026, 11, 30), date(2026, 12, 4), "3", "Priya Raman",
             "not_started", "Office leads agree to recognise buddies in reviews."),
            ("delivery", date(2026, 12, 7), date(2026, 12, 18), "6", "Priya Raman",
             "not_started", "Every new hire from January has a buddy."),
            ("reinforcement", date(2027, 1, 4), date(2027, 1, 29), "4", "Priya Raman",
             "not_started", "Buddies meet once a month for the first quarter."),
        ],
    ),
}  # fmt: skip
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
SMES = {
    "Engineering ramp-up path: first commit in week one": ["Fatima Zahra"],
    "Sales onboarding bootcamp: first deal in 90 days": ["Aisha Bello"],
    "Manager onboarding toolkit": ["Lars Nilsson"],
    "Day-1 to Day-90 global onboarding journey": ["Lars Nilsson"],
    "Support agent certification in four weeks": ["Grace Kim"],
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
    Roadmap.objects.filter(pk=roadmap.pk, budget__isnull=True).update(budget=ROADMAP_BUDGET)
    initiatives = {i.title: i for i in roadmap.initiatives.all()}
    stages = {}
    for title, (approach, reuses, media, sequence, rows) in PLAN.items():
        initiative = initiatives[title]
        # Only an initiative whose plan was never written gets the demo's (no history row).
        Initiative.objects.filter(pk=initiative.pk, approach="").update(
            approach=approach, reuses=reuses, delivery_media=media, sequence=sequence
        )
        for position, (kind, start, end, effort, who, status, good) in enumerate(rows):
            stages[title, kind], _ = Stage.objects.get_or_create(
                initiative=initiative,
                kind=kind,
                defaults={
                    "org": org,
                    "position": position,
                    "start": start,
                    "end": end,
                    "effort_days": Decimal(effort),
                    "assignee": people[who],
                    "status": status,
                    "good_enough": good,
                },
            )
    for name, days in CAPACITY.items():
        for cycle, value in zip(cycles, days, strict=True):
            CapacityEntry.objects.get_or_create(
                person=people[name], cycle=cycle, defaults={"org": org, "days": Decimal(value)}
            )
    for name, start, end, note in TIME_OFF:
        TimeOff.objects.get_or_create(
            org=org, person=people[name], start=start, defaults={"end": end, "note": note}
        )
    for title, names in SMES.items():
        for name in names:
            SmeAssignment.objects.get_or_create(
                initiative=initiatives[title], person=people[name], defaults={"org": org}
            )
    for name, start, end, note in AVAILABILITY:
        SmeAvailability.objects.get_or_create(
            org=org, person=people[name], start=start, defaults={"end": end, "note": note}
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
