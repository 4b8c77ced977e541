"""Demo-only KPI values for the Global onboarding example: a year of readings by hand.

The KPIs themselves (baseline, target, owner) come from the "global-onboarding" starter
template (`roadmap/starters/global-onboarding.toml`); a template has no readings yet.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from measurement import engagement
from measurement.models import Kpi, KpiValue, Program
from roadmap_site.dates import add_months

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
