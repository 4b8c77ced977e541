"""Demo content for the roadmap app: the Global onboarding roadmap of FY27."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roadmap.models import Initiative, InitiativeStatus, Roadmap, ShareLink
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
        Initiative.objects.get_or_create(
            org=demo.org,
            roadmap=roadmap,
            title=title,
            defaults={
                "problem": problem,
                "cycle": cycles[cycle] if cycle is not None else None,
                "owner": demo.people[owner],
                "accountable": demo.people[accountable],
                "status": status,
                "position": position,
            },
        )
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
