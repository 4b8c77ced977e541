"""Demo-only strategy content for the Global onboarding example (FY27): two maturity
self-assessments a quarter apart, listening sessions and the themes found in them.

The canvas, vision and priorities come from the "global-onboarding" starter template
(`roadmap/starters/global-onboarding.toml`), loaded by `roadmap.demo.load_demo`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from strategy import services
from strategy.models import (
    ListeningSession,
    MaturityAssessment,
    Theme,
)

if TYPE_CHECKING:
    from roadmap_site.demo import Demo

ASSESSMENTS = [
    (
        date(2026, 8, 25),
        {
            "alignment": 2,
            "needs_analysis": 1,
            "design_delivery": 2,
            "measurement": 1,
            "technology_ai": 2,
            "skills_strategy": 1,
        },
        "First go, as a team of four. Honest answer: we still build what we're asked for.",
    ),
    (
        date(2026, 11, 24),
        {
            "alignment": 3,
            "needs_analysis": 2,
            "design_delivery": 2,
            "measurement": 2,
            "technology_ai": 2,
            "skills_strategy": 1,
        },
        "Priorities now have business owners and KPIs; listening sessions done.",
    ),
]

# date, person, struggling, evidence, notes
SESSIONS = [
    (
        date(2026, 9, 8),
        "Lars Nilsson",
        "New engineers wait two to three weeks for laptop access and repository permissions. "
        "Their managers are often first-time managers and don't know what a good first month "
        "looks like.",
        "Time to first commit is 15 days on average (engineering dashboard). The onboarding "
        "survey says 40% felt lost in week one.",
        "Suggests pairing every new engineer with a buddy from another team.",
    ),
    (
        date(2026, 9, 15),
        "Aisha Bello",
        "New account executives take five months to close a first deal. Managers in EMEA "
        "have no time to coach new hires, and product knowledge is thin after onboarding.",
        "CRM: median 150 days to first closed deal; first-year reps reach 55% of quota.",
        "Wants a bootcamp before the Q4 hiring wave.",
    ),
    (
        date(2026, 9, 22),
        "Grace Kim",
        "New agents need eight weeks before they handle tickets alone. Product knowledge is "
        "the biggest gap, and the Q4 hiring wave doubles the team.",
        "Weeks to independent ticket handling from Zendesk; CSAT for agents in their first "
        "90 days is 8 points lower.",
        "",
    ),
    (
        date(2026, 10, 6),
        "David Chen",
        "First-year attrition is 18%; exit interviews cite a lack of manager support. Every "
        "office onboards differently, so time to productivity ranges from 45 to 120 days.",
        "HRIS attrition report; exit interviews coded by the HR business partners.",
        "Managers say nobody showed them how to onboard someone. Budget recast in January.",
    ),
    (
        date(2026, 10, 20),
        "Elena Rossi",
        "Laptop access is still the first blocker for new engineers. First-time managers "
        "struggle with onboarding conversations and feedback.",
        "Engagement survey: new hires rate manager support 3.1 out of 5.",
        "Performance reviews in March: managers will have no time in February.",
    ),
]

# name the team gave it, phrase found in the notes
THEMES = [
    ("Manager support in the first months", "manager support"),
    ("Product knowledge", "product knowledge"),
    ("Laptop and system access on day one", "laptop access"),
]


def seed(demo: Demo) -> None:
    org, maya = demo.org, demo.users["demo@example.com"]
    for taken_on, levels, notes in ASSESSMENTS:
        MaturityAssessment.objects.get_or_create(
            org=org,
            taken_on=taken_on,
            defaults={"levels": levels, "notes": notes, "taken_by": maya},
        )
    for held_on, person, struggling, evidence, notes in SESSIONS:
        ListeningSession.objects.get_or_create(
            org=org,
            person=demo.people[person],
            held_on=held_on,
            defaults={
                "department": demo.people[person].department,
                "struggling": struggling,
                "evidence": evidence,
                "notes": notes,
                "created_by": maya,
            },
        )
    for name, phrase in THEMES:
        if not Theme.objects.for_org(org).filter(name__iexact=name).exists():
            services.accept_theme(org=org, name=name, phrase=phrase, created_by=maya)
