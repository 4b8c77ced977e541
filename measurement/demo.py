"""Demo-only KPI values for the Global onboarding example: a year of readings by hand.

The KPIs themselves (baseline, target, owner) come from the "global-onboarding" starter
template (`roadmap/starters/global-onboarding.toml`); a template has no readings yet.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from measurement.alignment import record_touchpoint
from measurement.models import Forum, Kpi, KpiValue
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
