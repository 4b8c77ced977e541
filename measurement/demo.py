"""Demo KPIs for the Global onboarding example, with a year of values by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from measurement.models import Direction, EvidenceLevel, Kpi, KpiFamily, KpiValue

if TYPE_CHECKING:
    from roadmap_site.demo import Demo

D = Decimal
# name: (fields, [(date, value, segment, note)])
KPIS: dict[str, tuple[dict, list[tuple[date, str, str, str]]]] = {
    "Time to full productivity": (
        {
            "description": "Median days from start date until the hiring manager signs off "
            "the new hire as fully productive (HRIS onboarding checklist).",
            "family": KpiFamily.BUSINESS_IMPACT,
            "unit": "days",
            "direction": Direction.LOWER,
            "baseline": D(85),
            "baseline_date": date(2026, 2, 1),
            "target": D(60),
            "target_date": date(2027, 1, 31),
            "evidence_level": EvidenceLevel.RESULTS,
            "owner": "David Chen",
        },
        [
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
    ),
    "First-year attrition": (
        {
            "description": "Share of hires of the last 12 months who left within their first "
            "year (HRIS attrition report, rolling 12 months).",
            "family": KpiFamily.BUSINESS_IMPACT,
            "unit": "%",
            "direction": Direction.LOWER,
            "baseline": D(18),
            "baseline_date": date(2026, 2, 1),
            "target": D(12),
            "target_date": date(2027, 1, 31),
            "evidence_level": EvidenceLevel.RESULTS,
            "owner": "Elena Rossi",
        },
        [
            (date(2026, 5, 1), "16.8", "", ""),
            (date(2026, 8, 1), "15.1", "", ""),
            (date(2026, 11, 1), "13.2", "", "Manager toolkit live in Engineering."),
        ],
    ),
    "Days to first closed deal (EMEA AEs)": (
        {
            "description": "Median days from start date to a new account executive's first "
            "closed-won deal (CRM).",
            "family": KpiFamily.BUSINESS_IMPACT,
            "unit": "days",
            "direction": Direction.LOWER,
            "baseline": D(150),
            "baseline_date": date(2026, 4, 1),
            "target": D(90),
            "target_date": date(2027, 1, 31),
            "evidence_level": EvidenceLevel.RESULTS,
            "owner": "Aisha Bello",
        },
        [
            (date(2026, 6, 1), "148", "", ""),
            (date(2026, 8, 1), "140", "", ""),
            (date(2026, 10, 1), "135", "", "Bootcamp not started: waits for Q3 content."),
            (date(2026, 11, 1), "131", "", ""),
        ],
    ),
    "Weeks to independent ticket handling": (
        {
            "description": "Weeks until a new support agent handles tickets without a "
            "reviewer (Zendesk roles).",
            "family": KpiFamily.BUSINESS_IMPACT,
            "unit": "weeks",
            "direction": Direction.LOWER,
            "baseline": D(8),
            "baseline_date": date(2026, 9, 1),
            "evidence_level": EvidenceLevel.BEHAVIOUR,
            "owner": "Grace Kim",
        },
        [
            (date(2026, 9, 1), "8", "", ""),
            (date(2026, 11, 1), "7.5", "", ""),
        ],
    ),
    "New hires who feel ready at day 30": (
        {
            "description": "Share of new hires answering 4 or 5 to “I know what is expected "
            "of me and how to get help” in the day-30 survey.",
            "family": KpiFamily.LEARNER_ENGAGEMENT,
            "unit": "%",
            "direction": Direction.HIGHER,
            "baseline": D(58),
            "baseline_date": date(2026, 2, 1),
            "target": D(80),
            "target_date": date(2027, 1, 31),
            "evidence_level": EvidenceLevel.REACTION,
            "owner": "Priya Raman",
        },
        [
            (date(2026, 5, 1), "63", "", ""),
            (date(2026, 8, 1), "69", "", ""),
            (date(2026, 11, 1), "75", "", ""),
        ],
    ),
}


def seed(demo: Demo) -> dict[str, Kpi]:
    entered_by = demo.users["demo@example.com"]
    kpis = {}
    for name, (fields, values) in KPIS.items():
        defaults = {**fields, "owner": demo.people[fields["owner"]]}
        kpi, _ = Kpi.objects.get_or_create(org=demo.org, name=name, defaults=defaults)
        kpis[name] = kpi
        for day, value, segment, note in values:
            KpiValue.objects.get_or_create(
                kpi=kpi,
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
