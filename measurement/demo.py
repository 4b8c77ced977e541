"""Demo-only KPI values for the Global onboarding example: a year of readings by hand.

The KPIs themselves (baseline, target, owner) come from the "global-onboarding" starter
template (`roadmap/starters/global-onboarding.toml`); a template has no readings yet.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from measurement.models import Kpi, KpiValue

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
